// Copyright 2026 The Colony Authors.
//
// PrometheusWriter: builds a page in the Prometheus text exposition format
// (version 0.0.4), the format `GET /metrics` serves.
//
//   metrics::PrometheusWriter w;
//   w.Family("colony_worker_steals_total", MetricType::kCounter,
//            "Steals that took at least one task.");
//   w.Sample({{"worker", "0"}}, 12);
//   w.Sample({{"worker", "1"}}, 7);
//   w.Family("http_request_duration_seconds", MetricType::kHistogram,
//            "Request latency.");
//   w.Histogram({{"backend", "http"}}, bounds, counts, sum);
//   std::string page = w.text();
//
// A family is opened by Family(), which writes its `# HELP` and `# TYPE`
// lines; the Sample() and Histogram() calls that follow belong to it. Every
// sample of a family is written right after its header, as the format
// requires. Label values are escaped (backslash, double quote, newline),
// help text too (backslash, newline). Numbers use the shortest form that
// reads back exactly; NaN and infinities are written `NaN`, `+Inf`, `-Inf`.
//
// Mistakes of the caller (a counter whose name does not end in `_total`, an
// invalid metric or label name, a sample before any Family(), a histogram
// whose counts do not match its bounds, Sample() on a histogram family) are
// programming errors: they are logged once per writer through spdlog and
// the offending sample or family is skipped, so a page is always valid.
//
// Thread-safety: a writer is a plain value; use one per thread (or guard
// it). Lifetime: text() refers into the writer.

#ifndef COLONY_METRICS_PROMETHEUS_H_
#define COLONY_METRICS_PROMETHEUS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/types/span.h"

namespace colony::metrics {

// The type of a metric family, as written on its `# TYPE` line.
enum class MetricType { kCounter, kGauge, kHistogram };

// One label of a sample. The views must stay valid for the call only.
struct Label {
  std::string_view name;
  std::string_view value;
};

class PrometheusWriter {
 public:
  // The content type of the page, for the HTTP `Content-Type` header.
  static constexpr std::string_view kContentType =
      "text/plain; version=0.0.4; charset=utf-8";

  PrometheusWriter() = default;

  // Family() starts the family `name` of `type`, described by `help`. A
  // counter's name must end in `_total`. The samples written after it, up
  // to the next Family(), belong to it. Starting a family whose name was
  // already used is an error (it is skipped with its samples).
  void Family(std::string_view name, MetricType type, std::string_view help);

  // Sample() writes one sample of the current counter or gauge family with
  // `labels` (names must be valid Prometheus label names; values any text).
  void Sample(absl::Span<const Label> labels, double value);

  // Histogram() writes one histogram of the current histogram family:
  // `upper_bounds` ascending, `bucket_counts` per bucket (not cumulative)
  // with one more element than `upper_bounds` (the last is the +Inf
  // bucket), `sum` the sum of the observations. Writes the cumulative
  // `_bucket` lines with their `le` label, then `_sum` and `_count`.
  void Histogram(absl::Span<const Label> labels,
                 absl::Span<const double> upper_bounds,
                 absl::Span<const uint64_t> bucket_counts, double sum);

  // text() is the page written so far.
  const std::string& text() const { return text_; }

  // errors() counts the calls skipped because they were invalid.
  int errors() const { return errors_; }

  // FormatValue() writes `value` as the format wants it: shortest exact
  // decimal, `NaN`, `+Inf` or `-Inf`.
  static std::string FormatValue(double value);

  // ValidMetricName() and ValidLabelName() check names against the
  // format's grammar ([a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]*;
  // label names starting with `__` are reserved).
  static bool ValidMetricName(std::string_view name);
  static bool ValidLabelName(std::string_view name);

 private:
  void Error(std::string_view what);
  // Writes `name{labels[,extra]} value\n`.
  void Line(std::string_view suffix, absl::Span<const Label> labels,
            const Label* extra, std::string_view value);
  bool LabelsValid(absl::Span<const Label> labels);

  std::string text_;
  std::string family_;  // the current family's name; empty if none/skipped
  MetricType type_ = MetricType::kGauge;
  absl::flat_hash_set<std::string> families_;  // names used, to catch repeats
  bool logged_ = false;                        // one log line per writer
  int errors_ = 0;
};

}  // namespace colony::metrics

#endif  // COLONY_METRICS_PROMETHEUS_H_
