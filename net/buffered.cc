// Copyright 2026 The Colony Authors.

#include "net/buffered.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "net/errors.h"
#include "net/internal/errors.h"

namespace colony {
namespace {

absl::Status TooLong(absl::string_view op, size_t max) {
  return absl::ResourceExhaustedError(
      absl::StrCat(op, ": more than the maximum of ", max, " bytes"));
}

}  // namespace

BufferedReader::BufferedReader(Stream& stream, size_t buffer_size)
    : stream_(stream), buf_(std::max<size_t>(buffer_size, 16), '\0') {}

absl::Status BufferedReader::Fill(size_t limit, Deadline deadline) {
  if (eof_) return net_internal::EndOfStreamStatus("read");
  if (start_ > 0) {
    // Compact: move the unread bytes to the front.
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= limit) return TooLong("read", limit);
    buf_.resize(std::min(limit, buf_.size() * 2));
  }
  absl::StatusOr<size_t> n = stream_.Read(
      absl::MakeSpan(buf_.data() + end_, buf_.size() - end_), deadline);
  if (!n.ok()) return n.status();
  if (*n == 0) {
    eof_ = true;
    return net_internal::EndOfStreamStatus("read");
  }
  end_ += *n;
  return absl::OkStatus();
}

absl::StatusOr<std::string> BufferedReader::ReadUntil(char delimiter,
                                                      size_t max,
                                                      Deadline deadline) {
  size_t scanned = 0;
  for (;;) {
    const absl::string_view v = View();
    const size_t pos = v.find(delimiter, scanned);
    if (pos != absl::string_view::npos) {
      if (pos + 1 > max) return TooLong("read until", max);
      std::string out(v.substr(0, pos + 1));
      start_ += pos + 1;
      return out;
    }
    scanned = v.size();
    if (scanned >= max) return TooLong("read until", max);
    if (absl::Status s = Fill(max, deadline); !s.ok()) {
      if (absl::IsResourceExhausted(s)) return TooLong("read until", max);
      return s;
    }
  }
}

absl::StatusOr<std::string> BufferedReader::ReadLine(size_t max,
                                                     Deadline deadline) {
  absl::StatusOr<std::string> line = ReadUntil('\n', max, deadline);
  if (!line.ok()) return line;
  line->pop_back();
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return line;
}

absl::StatusOr<std::string> BufferedReader::ReadExactly(size_t n, size_t max,
                                                        Deadline deadline) {
  if (n > max) return TooLong("read exactly", max);
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    if (buffered() == 0) {
      if (n - out.size() >= buf_.size()) {
        // Large remainder: read straight into the result.
        const size_t have = out.size();
        out.resize(n);
        absl::StatusOr<size_t> r =
            stream_.Read(absl::MakeSpan(out.data() + have, n - have), deadline);
        if (!r.ok()) {
          out.resize(have);
          return r.status();
        }
        out.resize(have + *r);
        if (*r == 0) {
          return net_internal::EndOfStreamStatus(
              absl::StrCat("read exactly: got ", have, " of ", n, " bytes"));
        }
        continue;
      }
      if (absl::Status s = Fill(buf_.size(), deadline); !s.ok()) {
        if (IsEndOfStream(s)) {
          return net_internal::EndOfStreamStatus(absl::StrCat(
              "read exactly: got ", out.size(), " of ", n, " bytes"));
        }
        return s;
      }
    }
    const size_t take = std::min(buffered(), n - out.size());
    out.append(buf_.data() + start_, take);
    start_ += take;
  }
  return out;
}

absl::StatusOr<size_t> BufferedReader::Read(absl::Span<char> buffer,
                                            Deadline deadline) {
  if (buffer.empty()) return 0;
  if (buffered() == 0) {
    if (eof_) return 0;
    if (buffer.size() >= buf_.size()) return stream_.Read(buffer, deadline);
    absl::Status s = Fill(buf_.size(), deadline);
    if (IsEndOfStream(s)) return 0;
    if (!s.ok()) return s;
  }
  const size_t take = std::min(buffered(), buffer.size());
  std::memcpy(buffer.data(), buf_.data() + start_, take);
  start_ += take;
  return take;
}

absl::StatusOr<absl::string_view> BufferedReader::Peek(size_t n, size_t max,
                                                       Deadline deadline) {
  const size_t limit = std::max(buf_.size(), max);
  if (n > limit) return TooLong("peek", limit);
  while (buffered() < n) {
    if (absl::Status s = Fill(limit, deadline); !s.ok()) return s;
  }
  return View().substr(0, n);
}

BufferedWriter::BufferedWriter(Stream& stream, size_t capacity)
    : stream_(stream), capacity_(std::max<size_t>(capacity, 1)) {
  buf_.reserve(capacity_);
}

absl::Status BufferedWriter::Write(absl::string_view data, Deadline deadline) {
  if (buf_.size() + data.size() <= capacity_) {
    buf_.append(data.data(), data.size());
    return absl::OkStatus();
  }
  if (data.size() >= capacity_) {
    // Too big to buffer: one writev() with what is buffered.
    const absl::string_view parts[2] = {buf_, data};
    absl::Status s = stream_.Writev(absl::MakeConstSpan(parts), deadline);
    buf_.clear();
    return s;
  }
  if (absl::Status s = Flush(deadline); !s.ok()) return s;
  buf_.append(data.data(), data.size());
  return absl::OkStatus();
}

absl::Status BufferedWriter::Writev(absl::Span<const absl::string_view> buffers,
                                    Deadline deadline) {
  for (absl::string_view b : buffers) {
    if (absl::Status s = Write(b, deadline); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status BufferedWriter::Flush(Deadline deadline) {
  if (buf_.empty()) return absl::OkStatus();
  absl::Status s = stream_.WriteAll(buf_, deadline);
  // On failure the stream's state is unknown (part may have gone out);
  // what was buffered is dropped either way, so the bound holds.
  buf_.clear();
  return s;
}

}  // namespace colony
