// Copyright 2026 The Colony Authors.
//
// BufferedReader and BufferedWriter: buffering over a Stream, every buffer
// bounded.
//
//   colony::BufferedReader in(conn);
//   colony::BufferedWriter out(conn);
//   for (;;) {
//     auto line = in.ReadLine(/*max=*/4096, deadline);
//     if (!line.ok()) break;   // IsEndOfStream(), too long, timed out...
//     out.Write(*line);
//     out.Write("\n");
//     if (!out.Flush(deadline).ok()) break;
//   }
//
// Limits: the reader's buffer starts at `buffer_size` and grows only as far
// as the `max` a call allows (ReadUntil/ReadLine) or as Peek()'s `n`; each
// call fails with ResourceExhausted when it would need more, leaving the
// bytes it looked at in the buffer. The writer holds at most `capacity`
// bytes; a write that does not fit flushes first (and a large one goes out
// with the buffered bytes in one writev()).
//
// Errors are the stream's (see errors.h). At the end of the stream, a call
// that needs more bytes fails with IsEndOfStream() and the bytes that did
// come stay readable.
//
// Thread-safety: none; one task or thread uses a reader (or a writer) at a
// time. Lifetime: the stream must outlive them; the writer does not flush
// in its destructor (call Flush()).

#ifndef COLONY_NET_BUFFERED_H_
#define COLONY_NET_BUFFERED_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "net/stream.h"
#include "time/deadline.h"

namespace colony {

class BufferedReader {
 public:
  static constexpr size_t kDefaultBufferSize = 16 * 1024;

  explicit BufferedReader(Stream& stream,
                          size_t buffer_size = kDefaultBufferSize);

  // ReadUntil() returns the bytes up to and including `delimiter`, reading
  // at most `max` bytes (ResourceExhausted past that).
  absl::StatusOr<std::string> ReadUntil(
      char delimiter, size_t max, Deadline deadline = Deadline::Infinite());
  // ReadLine() is ReadUntil('\n') without the "\n" (or "\r\n").
  absl::StatusOr<std::string> ReadLine(
      size_t max, Deadline deadline = Deadline::Infinite());
  // ReadExactly() returns exactly `n` bytes; `n` above `max` is
  // ResourceExhausted without reading.
  absl::StatusOr<std::string> ReadExactly(
      size_t n, size_t max, Deadline deadline = Deadline::Infinite());
  // Read() returns what is buffered, or reads once, into `buffer`; 0 at
  // the end of the stream.
  absl::StatusOr<size_t> Read(absl::Span<char> buffer,
                              Deadline deadline = Deadline::Infinite());
  // Peek() returns the next `n` bytes without consuming them, valid until
  // the next call; `n` above max(buffer_size, `max`) is ResourceExhausted.
  absl::StatusOr<absl::string_view> Peek(
      size_t n, size_t max, Deadline deadline = Deadline::Infinite());
  // buffered() is how many bytes are read ahead.
  size_t buffered() const { return end_ - start_; }

 private:
  // Fill() reads once more into the buffer, growing it up to `limit`.
  absl::Status Fill(size_t limit, Deadline deadline);
  absl::string_view View() const {
    return absl::string_view(buf_.data() + start_, end_ - start_);
  }

  Stream& stream_;
  std::string buf_;
  size_t start_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
};

class BufferedWriter {
 public:
  static constexpr size_t kDefaultCapacity = 16 * 1024;

  explicit BufferedWriter(Stream& stream, size_t capacity = kDefaultCapacity);

  // Write() buffers `data`, flushing first if it does not fit; data of at
  // least `capacity` bytes goes out at once, with the buffered bytes, in
  // one writev().
  absl::Status Write(absl::string_view data,
                     Deadline deadline = Deadline::Infinite());
  // Writev() is Write() of each buffer in turn, coalesced the same way.
  absl::Status Writev(absl::Span<const absl::string_view> buffers,
                      Deadline deadline = Deadline::Infinite());
  // Flush() writes out everything buffered.
  absl::Status Flush(Deadline deadline = Deadline::Infinite());
  // buffered() is how many bytes wait for a Flush().
  size_t buffered() const { return buf_.size(); }

 private:
  Stream& stream_;
  const size_t capacity_;
  std::string buf_;
};

}  // namespace colony

#endif  // COLONY_NET_BUFFERED_H_
