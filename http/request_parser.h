// Copyright 2026 The Colony Authors.
//
// RequestParser: an incremental, zero-copy HTTP/1.1 request parser.
//
// The parser is a pure function of the bytes it is given: it does no I/O,
// allocates only a bounded buffer of its own, and reports what it found one
// event at a time. The connection loop owns the socket and one read buffer;
// it hands the parser the unconsumed bytes of that buffer, drops the prefix
// the parser says it consumed, and reads more when told to:
//
//   colony::http::RequestParser parser;
//   for (;;) {
//     colony::http::ParseResult r = parser.Parse(buffer.Readable());
//     buffer.Consume(r.consumed);
//     switch (r.event) {
//       case ParseEvent::kNeedMore:          // read more bytes, then loop
//       case ParseEvent::kHeadersComplete:   // parser.request() is ready
//       case ParseEvent::kBodyData:          // r.body is the next body bytes
//       case ParseEvent::kMessageComplete:   // the next request may follow
//       case ParseEvent::kError:             // answer r.http_status, close
//     }
//   }
//
// Every request produces kHeadersComplete, then zero or more kBodyData, then
// kMessageComplete. A request with no body still needs one more Parse() call
// (with any input, even empty) to report kMessageComplete. After
// kMessageComplete the next Parse() call starts a new request, so pipelined
// requests are parsed from the same buffer: `consumed` always says where the
// next unread byte is. Input split at any byte boundary, across any number of
// calls, produces the same requests, the same body bytes (possibly in
// different pieces) and the same error.
//
// Framing follows RFC 9112 strictly, since a lenient parser behind or in
// front of another one is how requests get smuggled: lines end in CRLF (a
// bare LF or bare CR is an error), obs-fold is rejected, field names must be
// tokens, Transfer-Encoding and Content-Length together are rejected, as are
// differing Content-Length values and a Transfer-Encoding whose final coding
// is not chunked. Each violation carries the HTTP status a server should
// answer with; see ParserOptions for the limits.
//
// Lifetime of views: the string_views in request() point either into the
// input of the Parse() call that returned kHeadersComplete (when the whole
// header section arrived in that one call: no copy at all) or into the
// parser's own head buffer (when it spanned calls: the parser copied it,
// which is bounded by the limits). They stay valid until the next request
// starts (the first Parse() after kMessageComplete) or Reset(), and in the
// first case only while the caller keeps those input bytes unchanged. A
// connection loop that reuses its read buffer for the body while it still
// needs the request calls PinHead() first, after which the views depend on
// the parser alone. kBodyData views point into the input of that call.
//
// Thread-safety: a parser is used by one connection at a time; distinct
// parsers share nothing.

#ifndef COLONY_HTTP_REQUEST_PARSER_H_
#define COLONY_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace colony::http {

// The limits a parser enforces, each with the status its violation gets.
struct ParserOptions {
  // Longest request line, without its CRLF. Past it: 414 (URI Too Long) when
  // the limit falls inside the request target, 400 otherwise.
  size_t max_request_line_bytes = 8 * 1024;
  // Largest header section after the request line: every field line with
  // its CRLF plus the final empty line. Past it: 431. The trailer section of
  // a chunked body has the same limit.
  size_t max_header_section_bytes = 16 * 1024;
  // Most field lines in a header (or trailer) section. Past it: 431.
  size_t max_headers = 100;
  // Largest body, from Content-Length or the sum of chunk sizes. Past it:
  // 413 (Content Too Large).
  uint64_t max_body_bytes = 8 * 1024 * 1024;
  // Longest chunk-size line (size and extensions, without CRLF). Past it:
  // 400.
  size_t max_chunk_line_bytes = 1024;
};

// The HTTP version of a request. HTTP/1.x with x > 1 is parsed as HTTP/1.1
// (RFC 9110 section 2.5); any other major version is answered with 505.
enum class Version { kHttp10, kHttp11 };

// How the body of a request is delimited.
enum class BodyFraming {
  kNone,           // no body
  kContentLength,  // exactly Request::content_length bytes (maybe zero)
  kChunked,        // chunked transfer coding, ending in a zero-size chunk
};

// The form of the request target (RFC 9112 section 3.2).
enum class TargetForm {
  kOrigin,     // "/path?query"
  kAbsolute,   // "http://host/path?query"
  kAuthority,  // "host:port", CONNECT only
  kAsterisk,   // "*", OPTIONS only
};

// One field line: the name as sent (compare it case-insensitively) and the
// value with surrounding whitespace removed.
struct Header {
  std::string_view name;
  std::string_view value;
};

// A parsed request head. Views follow the lifetime rules in the banner.
struct Request {
  std::string_view method;  // case-sensitive token, e.g. "GET", "HEAD"
  std::string_view target;  // the request target exactly as sent
  TargetForm target_form = TargetForm::kOrigin;
  // The path of the target: "/a/b" of "/a/b?x" or of "http://h/a/b?x" ("/"
  // when an absolute-form target has no path); "*" for the asterisk form;
  // empty for the authority form.
  std::string_view path;
  // The query of the target, without the '?'; empty when there is none.
  std::string_view query;
  Version version = Version::kHttp11;
  std::vector<Header> headers;
  BodyFraming body_framing = BodyFraming::kNone;
  // The body length for kContentLength; zero otherwise.
  uint64_t content_length = 0;
  // Whether the connection may serve another request after this one:
  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
  // "Connection: keep-alive" (and no "close").
  bool keep_alive = true;
  // "Expect: 100-continue" on an HTTP/1.1 request (ignored for HTTP/1.0, as
  // RFC 9110 section 10.1.1 requires).
  bool expect_continue = false;

  // FindHeader() returns the value of the first field named `name` (compared
  // case-insensitively), or nullopt.
  std::optional<std::string_view> FindHeader(std::string_view name) const;
};

// What one Parse() call found.
enum class ParseEvent {
  kNeedMore,         // every byte was consumed; call again with more
  kHeadersComplete,  // request() holds the request head
  kBodyData,         // ParseResult::body holds the next body bytes
  kMessageComplete,  // the request (and its body) ended
  kError,            // the request is bad; see http_status and status
};

// The result of one Parse() call.
struct ParseResult {
  ParseEvent event = ParseEvent::kNeedMore;
  // How many bytes at the front of the input the parser used; the caller
  // drops them and passes the rest (and anything read after) next time.
  size_t consumed = 0;
  // For kBodyData: body bytes, a view into the input of this call.
  std::string_view body;
  // For kError: the status to answer with (400, 413, 414, 431, 501, 505).
  int http_status = 0;
  // For kError: an error naming what was wrong; OK otherwise.
  absl::Status status;
};

class RequestParser {
 public:
  // Creates a parser waiting for the first byte of a request.
  explicit RequestParser(ParserOptions options = {});

  // Not copyable or movable: request() may point into the parser itself.
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parse() consumes a prefix of `input`, the unconsumed bytes of the
  // connection, and returns the next event. After kError every call returns
  // the same error and consumes nothing, until Reset().
  ParseResult Parse(std::string_view input);

  // request() is the head of the current request, valid from
  // kHeadersComplete until the next request starts or Reset().
  const Request& request() const { return request_; }

  // PinHead() copies the head into the parser's own buffer if the views of
  // request() point into the caller's input, so that the caller may reuse
  // those bytes while the request is still in use. Call it after
  // kHeadersComplete and before the caller's bytes change. Cheap when the
  // head is already the parser's.
  void PinHead();

  // Reset() forgets everything, including an error, and waits for a new
  // request. The options are kept.
  void Reset();

  // options() are the limits this parser enforces.
  const ParserOptions& options() const { return options_; }

 private:
  enum class State {
    kHead,         // request line and header section
    kHeadsUp,      // kHeadersComplete returned; body or completion next
    kFixedBody,    // Content-Length body
    kChunkLine,    // a chunk-size line
    kChunkData,    // chunk data
    kChunkDataCr,  // the CR after chunk data
    kChunkDataLf,  // the LF after chunk data
    kTrailer,      // trailer field lines
    kDone,         // kMessageComplete returned
    kError,        // sticky error
  };

  // Offsets of a field line inside the head, relative to the head's start.
  struct FieldOffsets {
    size_t name_begin;
    size_t name_size;
    size_t value_begin;
    size_t value_size;
  };

  // Forgets the current request, keeping buffers' capacity.
  void StartNext();
  ParseResult ParseHead(std::string_view input);
  // Scans head bytes [scan_pos_, size) of `head` for complete lines. Returns
  // true once the empty line ending the header section was processed
  // (head_size_ is set), false when more bytes are needed or on error
  // (state_ is kError then).
  bool ScanHead(const char* head, size_t size);
  bool ProcessRequestLine(const char* head, size_t begin, size_t end);
  bool ProcessFieldLine(const char* head, size_t begin, size_t end);
  void FailRequestLineTooLong(const char* line);
  // Applies framing and connection semantics to the complete head.
  bool FinishHead();
  // Points request_'s views at `base`, the head's first byte.
  void BuildViews(const char* base);
  // The most head bytes that can be valid: the bound of head_buf_.
  size_t MaxHeadBytes() const;

  // Body states after the head: chunk lines, data, CRLF and trailers.
  ParseResult ParseChunked(std::string_view input);
  // Takes the bytes up to and including the next LF of `input` as a line,
  // without copying when the whole line is there, else through line_buf_.
  // Sets *consumed, and *line (without its CRLF) once a line is complete.
  // A line longer than `max_raw` bytes (CRLF included) fails with
  // `too_long_status`; a line not ending in CRLF fails with 400.
  bool TakeLine(std::string_view input, size_t max_raw, int too_long_status,
                std::string_view too_long, size_t* consumed,
                std::optional<std::string_view>* line);
  bool ProcessChunkLine(std::string_view line);
  bool ProcessTrailerLine(std::string_view line);

  // Enters the sticky error state.
  ParseResult Fail(int http_status, std::string message);
  ParseResult ErrorResult() const;
  static ParseResult Event(ParseEvent event, size_t consumed);

  ParserOptions options_;
  State state_ = State::kHead;
  Request request_;

  // The head: either in the caller's input (head_base_) or in head_buf_.
  std::string head_buf_;
  const char* head_base_ = nullptr;
  bool head_owned_ = false;
  size_t head_size_ = 0;     // bytes of the complete head
  size_t scan_pos_ = 0;      // head bytes scanned for line ends
  size_t line_begin_ = 0;    // start of the line being scanned
  size_t fields_begin_ = 0;  // start of the header section
  size_t leading_empty_lines_ = 0;
  bool in_request_line_ = true;
  // Request line parts as offsets from the head's start.
  size_t method_begin_ = 0, method_size_ = 0;
  size_t target_begin_ = 0, target_size_ = 0;
  size_t path_begin_ = 0, path_size_ = 0;
  size_t query_begin_ = 0, query_size_ = 0;
  std::vector<FieldOffsets> fields_;

  // Body state.
  uint64_t body_remaining_ = 0;  // of a Content-Length body or a chunk
  uint64_t body_total_ = 0;      // chunk sizes so far
  std::string line_buf_;         // a chunk or trailer line spanning calls
  size_t trailer_bytes_ = 0;
  size_t trailer_count_ = 0;

  // The sticky error.
  int error_status_ = 0;
  absl::Status error_;
};

}  // namespace colony::http

#endif  // COLONY_HTTP_REQUEST_PARSER_H_
