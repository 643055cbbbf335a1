// Copyright 2026 The Colony Authors.
#include "kv/resp/writer.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/numbers.h"

namespace colony::kv {
namespace {

// AppendDecimal() appends the decimal digits of `n`.
void AppendDecimal(std::string* out, int64_t n) {
  char buf[absl::numbers_internal::kFastToBufferSize];
  char* end = absl::numbers_internal::FastIntToBuffer(n, buf);
  out->append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

std::string FormatDouble(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

void RespWriter::Header(char type, size_t n) {
  out_->push_back(type);
  AppendDecimal(out_, static_cast<int64_t>(n));
  out_->append("\r\n");
}

void RespWriter::Simple(absl::string_view text) {
  out_->push_back('+');
  out_->append(text.data(), text.size());
  out_->append("\r\n");
}

void RespWriter::Error(absl::string_view message) {
  out_->push_back('-');
  const size_t start = out_->size();
  out_->append(message.data(), message.size());
  for (size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n");
}

void RespWriter::Integer(int64_t n) {
  out_->push_back(':');
  AppendDecimal(out_, n);
  out_->append("\r\n");
}

void RespWriter::Bulk(absl::string_view data) {
  Header('$', data.size());
  out_->append(data.data(), data.size());
  out_->append("\r\n");
}

void RespWriter::BulkInteger(int64_t n) {
  char buf[absl::numbers_internal::kFastToBufferSize];
  char* end = absl::numbers_internal::FastIntToBuffer(n, buf);
  Bulk(absl::string_view(buf, static_cast<size_t>(end - buf)));
}

void RespWriter::Null() { out_->append(proto_ >= 3 ? "_\r\n" : "$-1\r\n"); }

void RespWriter::NullArray() {
  out_->append(proto_ >= 3 ? "_\r\n" : "*-1\r\n");
}

void RespWriter::Map(size_t n) {
  if (proto_ >= 3) {
    Header('%', n);
  } else {
    Header('*', 2 * n);
  }
}

void RespWriter::Double(double d) {
  const std::string text = FormatDouble(d);
  if (proto_ >= 3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n");
  } else {
    Bulk(text);
  }
}

void RespWriter::Bool(bool b) {
  if (proto_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n");
  }
}

void RespWriter::Verbatim(absl::string_view text) {
  if (proto_ < 3) {
    Bulk(text);
    return;
  }
  Header('=', text.size() + 4);
  out_->append("txt:");
  out_->append(text.data(), text.size());
  out_->append("\r\n");
}

}  // namespace colony::kv
