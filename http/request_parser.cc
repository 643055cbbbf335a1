// Copyright 2026 The Colony Authors.
//
// The parser works on whole lines: a line is validated only once its LF has
// arrived, and every limit is checked before the line's contents. A partial
// line is checked only against the limits, with a bound that implies the
// same limit fails once the line completes. That ordering is what makes the
// result independent of how the input was split: the same line fails the
// same check with the same message whichever call sees it.

#include "http/request_parser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

namespace colony::http {
namespace {

// Empty lines tolerated before a request line (RFC 9112 section 2.2 asks
// for at least one); their bytes are bounded by this count.
constexpr size_t kMaxLeadingEmptyLines = 4;

// tchar of RFC 9110 section 5.6.2.
constexpr std::array<bool, 256> MakeTokenTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}
constexpr std::array<bool, 256> kTokenChar = MakeTokenTable();

// field-vchar (VCHAR / obs-text), SP and HTAB: what a field value may hold.
constexpr std::array<bool, 256> MakeFieldValueTable() {
  std::array<bool, 256> table{};
  for (int c = 0x21; c <= 0x7e; ++c) table[c] = true;
  for (int c = 0x80; c <= 0xff; ++c) table[c] = true;
  table[' '] = true;
  table['\t'] = true;
  return table;
}
constexpr std::array<bool, 256> kFieldValueChar = MakeFieldValueTable();

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!kTokenChar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (field names and coding names are ASCII).
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Calls fn(item) for each comma-separated item of a list-valued field.
template <typename Fn>
void ForEachListItem(std::string_view value, Fn fn) {
  for (;;) {
    const size_t comma = value.find(',');
    fn(value.substr(0, comma));
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// Visible ASCII except '#': a fragment never travels in a request target.
bool IsTargetChar(char c) { return c > 0x20 && c < 0x7f && c != '#'; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A field line split into name and value, as offsets within its line.
struct FieldLine {
  size_t name_begin = 0;
  size_t name_size = 0;
  size_t value_begin = 0;
  size_t value_size = 0;
};

// Validates `line` (without CRLF) as `field-name ":" OWS field-value OWS`.
// Returns nullptr when valid, else what was wrong.
const char* ValidateFieldLine(std::string_view line, FieldLine* out) {
  if (IsOws(line.front())) {
    return "obs-fold (a line starting with whitespace) is not allowed";
  }
  // One pass over the name: token bytes up to the colon.
  size_t colon = 0;
  while (colon < line.size() &&
         kTokenChar[static_cast<unsigned char>(line[colon])]) {
    ++colon;
  }
  if (colon == line.size()) return "field line without ':'";
  if (line[colon] != ':') {
    if (IsOws(line[colon]) &&
        line.find_first_not_of(" \t", colon) != std::string_view::npos &&
        line[line.find_first_not_of(" \t", colon)] == ':') {
      return "whitespace between field name and ':'";
    }
    return line.find(':') == std::string_view::npos
               ? "field line without ':'"
               : "field name is not a token";
  }
  if (colon == 0) return "empty field name";
  size_t begin = colon + 1;
  size_t end = line.size();
  while (begin < end && IsOws(line[begin])) ++begin;
  while (end > begin && IsOws(line[end - 1])) --end;
  for (size_t i = begin; i < end; ++i) {
    if (!kFieldValueChar[static_cast<unsigned char>(line[i])]) {
      return line[i] == '\r' ? "bare CR in field value"
                             : "invalid character in field value";
    }
  }
  out->name_begin = 0;
  out->name_size = colon;
  out->value_begin = begin;
  out->value_size = end - begin;
  return nullptr;
}

// Parses 1*DIGIT, saturating at the maximum. False when not all digits.
bool ParseDecimal(std::string_view s, uint64_t* value) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      v = std::numeric_limits<uint64_t>::max();
    } else {
      v = v * 10 + digit;
    }
  }
  *value = v;
  return true;
}

}  // namespace

std::optional<std::string_view> Request::FindHeader(
    std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return std::nullopt;
}

RequestParser::RequestParser(ParserOptions options)
    : options_(std::move(options)) {}

void RequestParser::Reset() {
  state_ = State::kHead;
  StartNext();
  error_status_ = 0;
  error_ = absl::OkStatus();
}

void RequestParser::StartNext() {
  request_.method = {};
  request_.target = {};
  request_.target_form = TargetForm::kOrigin;
  request_.path = {};
  request_.query = {};
  request_.version = Version::kHttp11;
  request_.headers.clear();
  request_.body_framing = BodyFraming::kNone;
  request_.content_length = 0;
  request_.keep_alive = true;
  request_.expect_continue = false;
  head_buf_.clear();
  head_base_ = nullptr;
  head_owned_ = false;
  head_size_ = 0;
  scan_pos_ = 0;
  line_begin_ = 0;
  fields_begin_ = 0;
  leading_empty_lines_ = 0;
  in_request_line_ = true;
  method_begin_ = method_size_ = 0;
  target_begin_ = target_size_ = 0;
  path_begin_ = path_size_ = 0;
  query_begin_ = query_size_ = 0;
  fields_.clear();
  body_remaining_ = 0;
  body_total_ = 0;
  line_buf_.clear();
  trailer_bytes_ = 0;
  trailer_count_ = 0;
}

ParseResult RequestParser::Event(ParseEvent event, size_t consumed) {
  ParseResult result;
  result.event = event;
  result.consumed = consumed;
  return result;
}

ParseResult RequestParser::Fail(int http_status, std::string message) {
  state_ = State::kError;
  error_status_ = http_status;
  error_ = http_status == 400 ? absl::InvalidArgumentError(std::move(message))
           : http_status == 501 || http_status == 505
               ? absl::UnimplementedError(std::move(message))
               : absl::ResourceExhaustedError(std::move(message));
  return ErrorResult();
}

ParseResult RequestParser::ErrorResult() const {
  ParseResult result;
  result.event = ParseEvent::kError;
  result.http_status = error_status_;
  result.status = error_;
  return result;
}

size_t RequestParser::MaxHeadBytes() const {
  return kMaxLeadingEmptyLines * 2 + options_.max_request_line_bytes + 2 +
         options_.max_header_section_bytes;
}

ParseResult RequestParser::Parse(std::string_view input) {
  switch (state_) {
    case State::kError:
      return ErrorResult();
    case State::kDone:
      StartNext();
      state_ = State::kHead;
      return ParseHead(input);
    case State::kHead:
      return ParseHead(input);
    case State::kHeadsUp:
      switch (request_.body_framing) {
        case BodyFraming::kNone:
          state_ = State::kDone;
          return Event(ParseEvent::kMessageComplete, 0);
        case BodyFraming::kContentLength:
          body_remaining_ = request_.content_length;
          state_ = State::kFixedBody;
          break;
        case BodyFraming::kChunked:
          state_ = State::kChunkLine;
          break;
      }
      break;
    default:
      break;
  }
  if (state_ == State::kFixedBody) {
    if (body_remaining_ == 0) {
      state_ = State::kDone;
      return Event(ParseEvent::kMessageComplete, 0);
    }
    if (input.empty()) return Event(ParseEvent::kNeedMore, 0);
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(body_remaining_, input.size()));
    body_remaining_ -= n;
    ParseResult result = Event(ParseEvent::kBodyData, n);
    result.body = input.substr(0, n);
    return result;
  }
  return ParseChunked(input);
}

// ---------------------------------------------------------------------------
// The head.

ParseResult RequestParser::ParseHead(std::string_view input) {
  const size_t cap = MaxHeadBytes() + 1;
  if (head_buf_.empty()) {
    // Zero-copy attempt: the whole head may be in this input.
    const size_t window = std::min(input.size(), cap);
    if (ScanHead(input.data(), window)) {
      head_base_ = input.data();
      head_owned_ = false;
      BuildViews(head_base_);
      if (!FinishHead()) return ErrorResult();
      state_ = State::kHeadsUp;
      return Event(ParseEvent::kHeadersComplete, head_size_);
    }
    if (state_ == State::kError) return ErrorResult();
    if (window < input.size()) {
      return Fail(431, "header section too large");
    }
    if (window > 0) head_buf_.assign(input.data(), window);
    return Event(ParseEvent::kNeedMore, input.size());
  }
  // The head spans calls: append (bounded) and scan the new bytes.
  const size_t old_size = head_buf_.size();
  const size_t take = std::min(input.size(), cap - old_size);
  head_buf_.append(input.data(), take);
  if (ScanHead(head_buf_.data(), head_buf_.size())) {
    head_buf_.resize(head_size_);
    head_base_ = head_buf_.data();
    head_owned_ = true;
    BuildViews(head_base_);
    if (!FinishHead()) return ErrorResult();
    state_ = State::kHeadsUp;
    return Event(ParseEvent::kHeadersComplete, head_size_ - old_size);
  }
  if (state_ == State::kError) return ErrorResult();
  if (take < input.size()) return Fail(431, "header section too large");
  return Event(ParseEvent::kNeedMore, input.size());
}

void RequestParser::FailRequestLineTooLong(const char* line) {
  // Classify by the first max+1 bytes, which every split of the input sees:
  // the limit fell inside the method, the target or the version.
  const size_t prefix = options_.max_request_line_bytes + 1;
  const size_t spaces =
      static_cast<size_t>(std::count(line, line + prefix, ' '));
  if (spaces == 1) {
    Fail(414, "request target too long");
  } else {
    Fail(400, spaces == 0 ? "request line too long (in the method)"
                          : "request line too long");
  }
}

bool RequestParser::ScanHead(const char* head, size_t size) {
  while (scan_pos_ < size) {
    const void* lf = std::memchr(head + scan_pos_, '\n', size - scan_pos_);
    if (lf == nullptr) {
      scan_pos_ = size;
      break;
    }
    const size_t lf_pos =
        static_cast<size_t>(static_cast<const char*>(lf) - head);
    const size_t begin = line_begin_;
    scan_pos_ = lf_pos + 1;
    line_begin_ = lf_pos + 1;
    const bool has_cr = lf_pos > begin && head[lf_pos - 1] == '\r';
    const size_t end = has_cr ? lf_pos - 1 : lf_pos;
    if (in_request_line_) {
      if (end - begin > options_.max_request_line_bytes) {
        FailRequestLineTooLong(head + begin);
        return false;
      }
      if (!has_cr) {
        Fail(400, "bare LF ending the request line");
        return false;
      }
      if (end == begin) {
        if (++leading_empty_lines_ > kMaxLeadingEmptyLines) {
          Fail(400, "too many empty lines before the request line");
          return false;
        }
        continue;
      }
      if (!ProcessRequestLine(head, begin, end)) return false;
      in_request_line_ = false;
      fields_begin_ = lf_pos + 1;
      continue;
    }
    if (lf_pos + 1 - fields_begin_ > options_.max_header_section_bytes) {
      Fail(431, "header section too large");
      return false;
    }
    if (!has_cr) {
      Fail(400,
           "bare LF ending field line " + std::to_string(fields_.size() + 1));
      return false;
    }
    if (end == begin) {
      head_size_ = lf_pos + 1;
      return true;
    }
    if (fields_.size() + 1 > options_.max_headers) {
      Fail(431, "too many header fields");
      return false;
    }
    if (!ProcessFieldLine(head, begin, end)) return false;
  }
  // A partial line: only the limits, with bounds that imply the same limit
  // fails when the line completes.
  if (in_request_line_) {
    if (size - line_begin_ > options_.max_request_line_bytes + 1) {
      FailRequestLineTooLong(head + line_begin_);
    }
  } else if (size - fields_begin_ > options_.max_header_section_bytes) {
    Fail(431, "header section too large");
  }
  return false;
}

bool RequestParser::ProcessRequestLine(const char* head, size_t begin,
                                       size_t end) {
  const std::string_view line(head + begin, end - begin);
  if (line.find('\r') != std::string_view::npos) {
    Fail(400, "bare CR in the request line");
    return false;
  }
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    Fail(400, "malformed request line");
    return false;
  }
  const std::string_view method = line.substr(0, sp1);
  if (!IsToken(method)) {
    Fail(400, method.empty() ? "empty method" : "method is not a token");
    return false;
  }
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    Fail(400, "malformed request line");
    return false;
  }
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty()) {
    Fail(400, "empty request target");
    return false;
  }
  for (char c : target) {
    if (!IsTargetChar(c)) {
      Fail(400, "invalid character in request target");
      return false;
    }
  }
  const std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      !IsDigit(version[5]) || version[6] != '.' || !IsDigit(version[7])) {
    Fail(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1') {
    Fail(505, "unsupported HTTP version " + std::string(version));
    return false;
  }
  request_.version = version[7] == '0' ? Version::kHttp10 : Version::kHttp11;

  method_begin_ = begin;
  method_size_ = method.size();
  target_begin_ = begin + sp1 + 1;
  target_size_ = target.size();
  // Path and query as offsets within the target.
  size_t path_begin = 0;
  size_t path_end = target.size();
  const bool is_connect = method == "CONNECT";
  if (target.front() == '/') {
    if (is_connect) {
      Fail(400, "CONNECT needs an authority-form target");
      return false;
    }
    request_.target_form = TargetForm::kOrigin;
  } else if (target == "*") {
    if (method != "OPTIONS") {
      Fail(400, "asterisk-form target is for OPTIONS only");
      return false;
    }
    request_.target_form = TargetForm::kAsterisk;
  } else if (is_connect) {
    // authority-form: host ":" port.
    const size_t colon = target.rfind(':');
    if (colon == std::string_view::npos || colon == 0 ||
        colon + 1 == target.size() ||
        target.find_first_of("/?@") != std::string_view::npos) {
      Fail(400, "malformed authority-form target");
      return false;
    }
    for (size_t i = colon + 1; i < target.size(); ++i) {
      if (!IsDigit(target[i])) {
        Fail(400, "malformed authority-form target");
        return false;
      }
    }
    request_.target_form = TargetForm::kAuthority;
    path_end = 0;
  } else {
    // absolute-form: scheme ":" hier-part.
    size_t i = 0;
    if (!IsAlpha(target[0])) {
      Fail(400, "malformed request target");
      return false;
    }
    while (i < target.size() &&
           (IsAlpha(target[i]) || IsDigit(target[i]) || target[i] == '+' ||
            target[i] == '-' || target[i] == '.')) {
      ++i;
    }
    if (i == target.size() || target[i] != ':') {
      Fail(400, "malformed request target");
      return false;
    }
    ++i;
    if (target.substr(i, 2) == "//") {
      i += 2;
      while (i < target.size() && target[i] != '/' && target[i] != '?') ++i;
    }
    request_.target_form = TargetForm::kAbsolute;
    path_begin = i;
  }
  size_t query_begin = path_end;
  size_t query_end = path_end;
  if (request_.target_form == TargetForm::kOrigin ||
      request_.target_form == TargetForm::kAbsolute) {
    const size_t q = target.find('?', path_begin);
    if (q != std::string_view::npos) {
      path_end = q;
      query_begin = q + 1;
      query_end = target.size();
    }
  }
  path_begin_ = target_begin_ + path_begin;
  path_size_ = path_end - path_begin;
  query_begin_ = target_begin_ + query_begin;
  query_size_ = query_end - query_begin;
  return true;
}

bool RequestParser::ProcessFieldLine(const char* head, size_t begin,
                                     size_t end) {
  FieldLine field;
  const char* error =
      ValidateFieldLine(std::string_view(head + begin, end - begin), &field);
  if (error != nullptr) {
    Fail(400,
         "field line " + std::to_string(fields_.size() + 1) + ": " + error);
    return false;
  }
  fields_.push_back(FieldOffsets{begin + field.name_begin, field.name_size,
                                 begin + field.value_begin, field.value_size});
  return true;
}

void RequestParser::BuildViews(const char* base) {
  request_.method = std::string_view(base + method_begin_, method_size_);
  request_.target = std::string_view(base + target_begin_, target_size_);
  request_.path = std::string_view(base + path_begin_, path_size_);
  request_.query = std::string_view(base + query_begin_, query_size_);
  request_.headers.resize(fields_.size());
  for (size_t i = 0; i < fields_.size(); ++i) {
    const FieldOffsets& f = fields_[i];
    request_.headers[i].name =
        std::string_view(base + f.name_begin, f.name_size);
    request_.headers[i].value =
        std::string_view(base + f.value_begin, f.value_size);
  }
}

void RequestParser::PinHead() {
  if (head_owned_ || head_base_ == nullptr) return;
  if (state_ == State::kHead || state_ == State::kError) return;
  head_buf_.assign(head_base_, head_size_);
  head_base_ = head_buf_.data();
  head_owned_ = true;
  BuildViews(head_base_);
}

bool RequestParser::FinishHead() {
  const bool http11 = request_.version == Version::kHttp11;
  size_t hosts = 0;
  bool has_length = false;
  uint64_t length = 0;
  bool has_coding = false;
  // Transfer codings in order: the last one, and what came before it.
  std::string_view last_coding;
  bool chunked_before_last = false;
  std::string_view other_coding;
  bool close = false;
  bool keep_alive = false;
  bool expect_continue = false;
  const char* bad_length = nullptr;
  for (const Header& h : request_.headers) {
    if (EqualsIgnoreCase(h.name, "content-length")) {
      // RFC 9110 section 8.6: a list of identical values may be accepted.
      ForEachListItem(h.value, [&](std::string_view item) {
        uint64_t value = 0;
        if (bad_length != nullptr) return;
        if (!ParseDecimal(TrimOws(item), &value)) {
          bad_length = "invalid Content-Length";
        } else if (has_length && value != length) {
          bad_length = "conflicting Content-Length values";
        } else {
          has_length = true;
          length = value;
        }
      });
      if (bad_length != nullptr) {
        Fail(400, bad_length);
        return false;
      }
    } else if (EqualsIgnoreCase(h.name, "transfer-encoding")) {
      has_coding = true;
      ForEachListItem(h.value, [&](std::string_view item) {
        item = TrimOws(item);
        if (item.empty()) return;
        if (!last_coding.empty()) {
          if (EqualsIgnoreCase(last_coding, "chunked")) {
            chunked_before_last = true;
          } else if (other_coding.empty()) {
            other_coding = last_coding;
          }
        }
        last_coding = item;
      });
    } else if (EqualsIgnoreCase(h.name, "host")) {
      ++hosts;
    } else if (EqualsIgnoreCase(h.name, "connection")) {
      ForEachListItem(h.value, [&](std::string_view item) {
        item = TrimOws(item);
        if (EqualsIgnoreCase(item, "close")) close = true;
        if (EqualsIgnoreCase(item, "keep-alive")) keep_alive = true;
      });
    } else if (EqualsIgnoreCase(h.name, "expect")) {
      if (EqualsIgnoreCase(h.value, "100-continue")) expect_continue = true;
    }
  }
  // RFC 9112 section 3.2: exactly one Host in HTTP/1.1, never more than one.
  if (hosts > 1) {
    Fail(400, "more than one Host field");
    return false;
  }
  if (hosts == 0 && http11) {
    Fail(400, "missing Host field in an HTTP/1.1 request");
    return false;
  }
  if (has_coding) {
    // RFC 9112 section 6.1 and 6.3: smuggling defences.
    if (!http11) {
      Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
      return false;
    }
    if (has_length) {
      Fail(400, "both Transfer-Encoding and Content-Length");
      return false;
    }
    if (last_coding.empty()) {
      Fail(400, "empty Transfer-Encoding");
      return false;
    }
    if (!EqualsIgnoreCase(last_coding, "chunked")) {
      Fail(400, "final transfer coding is not chunked");
      return false;
    }
    if (chunked_before_last) {
      Fail(400, "chunked transfer coding applied more than once");
      return false;
    }
    if (!other_coding.empty()) {
      // RFC 9112 section 6.1: a coding the server does not understand.
      Fail(501, "unsupported transfer coding " + std::string(other_coding));
      return false;
    }
    request_.body_framing = BodyFraming::kChunked;
  } else if (has_length) {
    if (length > options_.max_body_bytes) {
      Fail(413, "Content-Length exceeds the body limit");
      return false;
    }
    request_.body_framing = BodyFraming::kContentLength;
    request_.content_length = length;
  }
  request_.keep_alive = http11 ? !close : (keep_alive && !close);
  request_.expect_continue = http11 && expect_continue;
  return true;
}

// ---------------------------------------------------------------------------
// Chunked bodies.

bool RequestParser::TakeLine(std::string_view input, size_t max_raw,
                             int too_long_status, std::string_view too_long,
                             size_t* consumed,
                             std::optional<std::string_view>* line) {
  const void* lf = std::memchr(input.data(), '\n', input.size());
  if (lf == nullptr) {
    // A partial line of max_raw bytes means the whole line exceeds max_raw.
    if (line_buf_.size() + input.size() >= max_raw) {
      Fail(too_long_status, std::string(too_long));
      return false;
    }
    line_buf_.append(input);
    *consumed = input.size();
    return true;
  }
  const size_t n =
      static_cast<size_t>(static_cast<const char*>(lf) - input.data()) + 1;
  *consumed = n;
  std::string_view raw;
  if (line_buf_.empty()) {
    raw = input.substr(0, n);
  } else {
    line_buf_.append(input.data(), n);
    raw = line_buf_;
  }
  if (raw.size() > max_raw) {
    Fail(too_long_status, std::string(too_long));
    return false;
  }
  if (raw.size() < 2 || raw[raw.size() - 2] != '\r') {
    Fail(400, "bare LF in chunked framing");
    return false;
  }
  *line = raw.substr(0, raw.size() - 2);
  return true;
}

bool RequestParser::ProcessChunkLine(std::string_view line) {
  if (line.find('\r') != std::string_view::npos) {
    Fail(400, "bare CR in chunk-size line");
    return false;
  }
  size_t i = 0;
  uint64_t size = 0;
  bool overflow = false;
  while (i < line.size() && HexValue(line[i]) >= 0) {
    if (size > (std::numeric_limits<uint64_t>::max() >> 4)) overflow = true;
    size = (size << 4) | static_cast<uint64_t>(HexValue(line[i]));
    ++i;
  }
  if (i == 0) {
    Fail(400, "chunk size is not hexadecimal");
    return false;
  }
  // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] ),
  // ext-value = token / quoted-string. Validated, then ignored.
  while (i < line.size()) {
    while (i < line.size() && IsOws(line[i])) ++i;
    if (i == line.size() || line[i] != ';') {
      Fail(400, "malformed chunk extension");
      return false;
    }
    ++i;
    while (i < line.size() && IsOws(line[i])) ++i;
    const size_t name_begin = i;
    while (i < line.size() && kTokenChar[static_cast<unsigned char>(line[i])]) {
      ++i;
    }
    if (i == name_begin) {
      Fail(400, "malformed chunk extension");
      return false;
    }
    size_t j = i;
    while (j < line.size() && IsOws(line[j])) ++j;
    if (j == line.size() || line[j] != '=') continue;
    i = j + 1;
    while (i < line.size() && IsOws(line[i])) ++i;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (c == '\\') {
          ++i;
          if (i == line.size()) break;
          const unsigned char e = static_cast<unsigned char>(line[i]);
          if (!kFieldValueChar[e]) break;
        } else if (!kFieldValueChar[c]) {
          break;
        }
        ++i;
      }
      if (!closed) {
        Fail(400, "malformed chunk extension");
        return false;
      }
    } else {
      const size_t value_begin = i;
      while (i < line.size() &&
             kTokenChar[static_cast<unsigned char>(line[i])]) {
        ++i;
      }
      if (i == value_begin) {
        Fail(400, "malformed chunk extension");
        return false;
      }
    }
  }
  if (overflow || size > options_.max_body_bytes - body_total_) {
    Fail(413, "chunked body exceeds the body limit");
    return false;
  }
  body_total_ += size;
  body_remaining_ = size;
  state_ = size == 0 ? State::kTrailer : State::kChunkData;
  return true;
}

bool RequestParser::ProcessTrailerLine(std::string_view line) {
  if (trailer_count_ + 1 > options_.max_headers) {
    Fail(431, "too many trailer fields");
    return false;
  }
  FieldLine field;
  const char* error = ValidateFieldLine(line, &field);
  if (error != nullptr) {
    Fail(400,
         "trailer line " + std::to_string(trailer_count_ + 1) + ": " + error);
    return false;
  }
  ++trailer_count_;
  return true;
}

ParseResult RequestParser::ParseChunked(std::string_view input) {
  size_t consumed = 0;
  for (;;) {
    const std::string_view in = input.substr(consumed);
    switch (state_) {
      case State::kChunkLine:
      case State::kTrailer: {
        const bool trailer = state_ == State::kTrailer;
        size_t used = 0;
        std::optional<std::string_view> line;
        const bool ok =
            trailer
                ? TakeLine(in,
                           options_.max_header_section_bytes - trailer_bytes_,
                           431, "trailer section too large", &used, &line)
                : TakeLine(in, options_.max_chunk_line_bytes + 2, 400,
                           "chunk-size line too long", &used, &line);
        if (!ok) return ErrorResult();
        consumed += used;
        if (!line.has_value()) return Event(ParseEvent::kNeedMore, consumed);
        if (trailer) {
          trailer_bytes_ += line->size() + 2;
          if (line->empty()) {
            line_buf_.clear();
            state_ = State::kDone;
            return Event(ParseEvent::kMessageComplete, consumed);
          }
          if (!ProcessTrailerLine(*line)) return ErrorResult();
        } else if (!ProcessChunkLine(*line)) {
          return ErrorResult();
        }
        line_buf_.clear();
        break;
      }
      case State::kChunkData: {
        if (body_remaining_ == 0) {
          state_ = State::kChunkDataCr;
          break;
        }
        if (in.empty()) return Event(ParseEvent::kNeedMore, consumed);
        const size_t n =
            static_cast<size_t>(std::min<uint64_t>(body_remaining_, in.size()));
        body_remaining_ -= n;
        ParseResult result = Event(ParseEvent::kBodyData, consumed + n);
        result.body = in.substr(0, n);
        return result;
      }
      case State::kChunkDataCr:
      case State::kChunkDataLf: {
        if (in.empty()) return Event(ParseEvent::kNeedMore, consumed);
        const bool cr = state_ == State::kChunkDataCr;
        if (in.front() != (cr ? '\r' : '\n')) {
          return Fail(400, "chunk data not followed by CRLF");
        }
        ++consumed;
        state_ = cr ? State::kChunkDataLf : State::kChunkLine;
        break;
      }
      default:
        return Fail(400, "internal: unexpected parser state");
    }
  }
}

}  // namespace colony::http
