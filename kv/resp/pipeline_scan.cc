// Copyright 2026 The Colony Authors.
//
// The framing-only walk behind kv/resp/pipeline_scan.h.
#include "kv/resp/pipeline_scan.h"

#include <cstddef>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace colony::kv {
namespace {

// Counts and lengths with more digits end the scan (the parser's own
// limits are far below).
constexpr int kMaxDigits = 18;

// A cursor that reads multibulk framing; any surprise fails.
class Cursor {
 public:
  explicit Cursor(absl::string_view input)
      : begin_(input.data()),
        p_(input.data()),
        end_(input.data() + input.size()) {}

  bool AtEnd() const { return p_ == end_; }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  // Header() reads "<type><digits>\r\n".
  bool Header(char type, int64_t* value) {
    if (p_ == end_ || *p_ != type) return false;
    const char* q = p_ + 1;
    int64_t v = 0;
    int digits = 0;
    while (q != end_ && *q >= '0' && *q <= '9') {
      if (++digits > kMaxDigits) return false;
      v = v * 10 + (*q - '0');
      ++q;
    }
    if (digits == 0 || end_ - q < 2 || q[0] != '\r' || q[1] != '\n') {
      return false;
    }
    // Like the parser (Redis' string2ll()): no leading zeros.
    if (digits > 1 && p_[1] == '0') return false;
    p_ = q + 2;
    *value = v;
    return true;
  }

  // Bulk() reads "$<len>\r\n<len bytes>\r\n".
  bool Bulk(absl::string_view* out) {
    int64_t len;
    if (!Header('$', &len)) return false;
    if (end_ - p_ < len + 2 || p_[len] != '\r' || p_[len + 1] != '\n') {
      return false;
    }
    *out = absl::string_view(p_, static_cast<size_t>(len));
    p_ += len + 2;
    return true;
  }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
};

}  // namespace

int ScanPipeline(absl::string_view input, int max_commands,
                 absl::FunctionRef<bool(
                     absl::Span<const absl::string_view> args, size_t length)>
                     visit) {
  absl::InlinedVector<absl::string_view, 8> args;
  Cursor cursor(input);
  int visited = 0;
  while (visited < max_commands && !cursor.AtEnd()) {
    const size_t start = cursor.offset();
    int64_t argc;
    if (!cursor.Header('*', &argc) || argc < 1) break;
    args.clear();
    bool whole = true;
    for (int64_t i = 0; i < argc; ++i) {
      absl::string_view arg;
      if (!cursor.Bulk(&arg)) {
        whole = false;
        break;
      }
      args.push_back(arg);
    }
    if (!whole) break;
    ++visited;
    if (!visit(absl::MakeConstSpan(args), cursor.offset() - start)) break;
  }
  return visited;
}

}  // namespace colony::kv
