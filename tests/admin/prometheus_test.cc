// Copyright 2026 The Colony Authors.

#include "metrics/prometheus.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/process.h"

namespace colony::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PrometheusWriterTest, CounterFamilyWithSeveralLabelSets) {
  PrometheusWriter w;
  w.Family("colony_steals_total", MetricType::kCounter, "Steals.");
  w.Sample({{"worker", "0"}}, 12);
  w.Sample({{"worker", "1"}, {"band", "high"}}, 7);
  EXPECT_EQ(w.text(),
            "# HELP colony_steals_total Steals.\n"
            "# TYPE colony_steals_total counter\n"
            "colony_steals_total{worker=\"0\"} 12\n"
            "colony_steals_total{worker=\"1\",band=\"high\"} 7\n");
  EXPECT_EQ(w.errors(), 0);
}

TEST(PrometheusWriterTest, GaugeWithoutLabels) {
  PrometheusWriter w;
  w.Family("colony_live_tasks", MetricType::kGauge, "Live tasks.");
  w.Sample({}, 3.5);
  EXPECT_EQ(w.text(),
            "# HELP colony_live_tasks Live tasks.\n"
            "# TYPE colony_live_tasks gauge\n"
            "colony_live_tasks 3.5\n");
}

TEST(PrometheusWriterTest, EscapesLabelValuesAndHelp) {
  PrometheusWriter w;
  w.Family("x", MetricType::kGauge, "a \\ b\nc \"quoted\"");
  w.Sample({{"path", "C:\\dir \"q\"\nnext"}}, 1);
  EXPECT_EQ(w.text(),
            "# HELP x a \\\\ b\\nc \"quoted\"\n"
            "# TYPE x gauge\n"
            "x{path=\"C:\\\\dir \\\"q\\\"\\nnext\"} 1\n");
}

TEST(PrometheusWriterTest, HistogramBucketsAreCumulativeWithInf) {
  PrometheusWriter w;
  w.Family("req_seconds", MetricType::kHistogram, "Latency.");
  const std::vector<double> bounds = {0.001, 0.01, 0.1};
  const std::vector<uint64_t> counts = {2, 0, 3, 1};
  w.Histogram({{"backend", "http"}}, bounds, counts, 0.75);
  EXPECT_EQ(w.text(),
            "# HELP req_seconds Latency.\n"
            "# TYPE req_seconds histogram\n"
            "req_seconds_bucket{backend=\"http\",le=\"0.001\"} 2\n"
            "req_seconds_bucket{backend=\"http\",le=\"0.01\"} 2\n"
            "req_seconds_bucket{backend=\"http\",le=\"0.1\"} 5\n"
            "req_seconds_bucket{backend=\"http\",le=\"+Inf\"} 6\n"
            "req_seconds_sum{backend=\"http\"} 0.75\n"
            "req_seconds_count{backend=\"http\"} 6\n");
}

TEST(PrometheusWriterTest, HistogramWithoutLabelsOrBounds) {
  PrometheusWriter w;
  w.Family("h", MetricType::kHistogram, "H.");
  const std::vector<uint64_t> counts = {4};
  w.Histogram({}, {}, counts, 2);
  EXPECT_THAT(w.text(), HasSubstr("h_bucket{le=\"+Inf\"} 4\nh_sum 2\n"
                                  "h_count 4\n"));
}

TEST(PrometheusWriterTest, FormatsSpecialValues) {
  EXPECT_EQ(PrometheusWriter::FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(
      PrometheusWriter::FormatValue(std::numeric_limits<double>::infinity()),
      "+Inf");
  EXPECT_EQ(
      PrometheusWriter::FormatValue(-std::numeric_limits<double>::infinity()),
      "-Inf");
  EXPECT_EQ(PrometheusWriter::FormatValue(0), "0");
  EXPECT_EQ(PrometheusWriter::FormatValue(-2), "-2");
  EXPECT_EQ(PrometheusWriter::FormatValue(0.1), "0.1");
  EXPECT_EQ(PrometheusWriter::FormatValue(1e21), "1e+21");
  EXPECT_EQ(PrometheusWriter::FormatValue(18446744073709551615.0),
            "18446744073709551616");
  PrometheusWriter w;
  w.Family("g", MetricType::kGauge, "G.");
  w.Sample({}, std::nan(""));
  EXPECT_THAT(w.text(), HasSubstr("\ng NaN\n"));
}

TEST(PrometheusWriterTest, CounterMustEndInTotal) {
  PrometheusWriter w;
  w.Family("requests", MetricType::kCounter, "R.");
  w.Sample({}, 1);
  EXPECT_EQ(w.text(), "");
  EXPECT_EQ(w.errors(), 2);  // the family and its orphan sample
}

TEST(PrometheusWriterTest, InvalidNamesAreSkipped) {
  PrometheusWriter w;
  w.Family("9bad", MetricType::kGauge, "x");
  w.Family("bad-name", MetricType::kGauge, "x");
  w.Family("ok", MetricType::kGauge, "x");
  w.Sample({{"bad-label", "v"}}, 1);
  w.Sample({{"__reserved", "v"}}, 1);
  w.Sample({{"fine", "v"}}, 1);
  EXPECT_THAT(w.text(), Not(HasSubstr("bad")));
  EXPECT_THAT(w.text(), Not(HasSubstr("__reserved")));
  EXPECT_THAT(w.text(), HasSubstr("ok{fine=\"v\"} 1\n"));
  EXPECT_EQ(w.errors(), 4);
}

TEST(PrometheusWriterTest, RepeatedFamilyIsRejected) {
  PrometheusWriter w;
  w.Family("a", MetricType::kGauge, "x");
  w.Sample({}, 1);
  w.Family("a", MetricType::kGauge, "x");
  w.Sample({}, 2);
  EXPECT_EQ(w.text(), "# HELP a x\n# TYPE a gauge\na 1\n");
  EXPECT_EQ(w.errors(), 2);
}

TEST(PrometheusWriterTest, MismatchedHistogramIsRejected) {
  PrometheusWriter w;
  w.Family("h", MetricType::kHistogram, "H.");
  const std::vector<double> bounds = {1, 2};
  const std::vector<uint64_t> too_few = {1, 2};
  w.Histogram({}, bounds, too_few, 0);
  const std::vector<double> unsorted = {2, 1};
  const std::vector<uint64_t> counts = {1, 2, 3};
  w.Histogram({}, unsorted, counts, 0);
  w.Histogram({{"le", "x"}}, bounds, counts, 0);
  w.Sample({}, 1);  // a plain sample in a histogram family
  EXPECT_EQ(w.text(), "# HELP h H.\n# TYPE h histogram\n");
  EXPECT_EQ(w.errors(), 4);
}

TEST(ProcessMetricsTest, WritesEveryStandardFamily) {
  PrometheusWriter w;
  WriteProcessMetrics(w);
  EXPECT_EQ(w.errors(), 0);
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds"}) {
    EXPECT_THAT(w.text(), HasSubstr(std::string("# TYPE ") + name + " "))
        << name;
  }
}

TEST(ProcessMetricsTest, FiguresAreSensible) {
  const ProcessStats before = ReadProcessStats();
  ASSERT_TRUE(before.open_fds.has_value());
  ASSERT_TRUE(before.resident_bytes.has_value());
  ASSERT_TRUE(before.virtual_bytes.has_value());
  ASSERT_TRUE(before.start_time_seconds.has_value());
  ASSERT_TRUE(before.max_fds.has_value());
  EXPECT_GT(*before.resident_bytes, 0);
  EXPECT_GE(*before.virtual_bytes, *before.resident_bytes);
  EXPECT_GE(*before.max_fds, *before.open_fds);
  // Started after 2020 and not in the future.
  EXPECT_GT(*before.start_time_seconds, 1577836800.0);
  EXPECT_LE(*before.start_time_seconds, static_cast<double>(time(nullptr)) + 1);
  // Opening a descriptor shows in the count.
  FILE* f = fopen("/proc/self/stat", "r");
  ASSERT_NE(f, nullptr);
  const ProcessStats after = ReadProcessStats();
  fclose(f);
  EXPECT_EQ(*after.open_fds, *before.open_fds + 1);
}

}  // namespace
}  // namespace colony::metrics
