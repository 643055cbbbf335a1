// Copyright 2026 The Colony Authors.

#include "metrics/prometheus.h"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string>
#include <system_error>

#include "spdlog/spdlog.h"

namespace colony::metrics {
namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Label values escape backslash, double quote and newline.
void AppendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// Help text escapes backslash and newline only.
void AppendHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Cat() joins pieces of text (absl::StrCat wants absl::string_view, which
// Debian's Abseil does not alias to std::string_view).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

}  // namespace

std::string PrometheusWriter::FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  return std::string(buf, end);
}

bool PrometheusWriter::ValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

bool PrometheusWriter::ValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

void PrometheusWriter::Error(std::string_view what) {
  ++errors_;
  if (!logged_) {
    logged_ = true;
    spdlog::error(
        "metrics: {} (skipped; further errors of this page are "
        "counted, not logged)",
        what);
  }
}

void PrometheusWriter::Family(std::string_view name, MetricType type,
                              std::string_view help) {
  family_.clear();
  if (!ValidMetricName(name)) {
    Error(Cat({"invalid metric name \"", name, "\""}));
    return;
  }
  if (type == MetricType::kCounter && !name.ends_with("_total")) {
    Error(Cat({"counter \"", name, "\" does not end in _total"}));
    return;
  }
  if (!families_.emplace(name).second) {
    Error(Cat({"metric family \"", name, "\" written twice"}));
    return;
  }
  family_ = std::string(name);
  type_ = type;
  text_.append(Cat({"# HELP ", name, " "}));
  AppendHelp(text_, help);
  text_.append(Cat({"\n# TYPE ", name, " ", TypeName(type), "\n"}));
}

bool PrometheusWriter::LabelsValid(absl::Span<const Label> labels) {
  for (const Label& label : labels) {
    if (!ValidLabelName(label.name) ||
        (type_ == MetricType::kHistogram && label.name == "le")) {
      Error(Cat({"invalid label name \"", label.name, "\" in ", family_}));
      return false;
    }
  }
  return true;
}

void PrometheusWriter::Line(std::string_view suffix,
                            absl::Span<const Label> labels, const Label* extra,
                            std::string_view value) {
  text_.append(family_).append(suffix);
  if (!labels.empty() || extra != nullptr) {
    text_ += '{';
    bool first = true;
    auto append = [&](const Label& label) {
      if (!first) text_ += ',';
      first = false;
      text_.append(label.name).append("=\"");
      AppendLabelValue(text_, label.value);
      text_ += '"';
    };
    for (const Label& label : labels) append(label);
    if (extra != nullptr) append(*extra);
    text_ += '}';
  }
  text_.append(" ").append(value).append("\n");
}

void PrometheusWriter::Sample(absl::Span<const Label> labels, double value) {
  if (family_.empty()) {
    Error("sample outside a valid family");
    return;
  }
  if (type_ == MetricType::kHistogram) {
    Error(Cat({"Sample() on histogram family ", family_}));
    return;
  }
  if (!LabelsValid(labels)) return;
  Line("", labels, nullptr, FormatValue(value));
}

void PrometheusWriter::Histogram(absl::Span<const Label> labels,
                                 absl::Span<const double> upper_bounds,
                                 absl::Span<const uint64_t> bucket_counts,
                                 double sum) {
  if (family_.empty()) {
    Error("histogram outside a valid family");
    return;
  }
  if (type_ != MetricType::kHistogram) {
    Error(Cat({"Histogram() on non-histogram family ", family_}));
    return;
  }
  if (bucket_counts.size() != upper_bounds.size() + 1) {
    Error(Cat({"histogram ", family_, " has ",
               std::to_string(bucket_counts.size()), " counts for ",
               std::to_string(upper_bounds.size()),
               " bounds (want bounds + 1)"}));
    return;
  }
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) ||
        (i > 0 && !(upper_bounds[i - 1] < upper_bounds[i]))) {
      Error(Cat({"histogram ", family_,
                 " bounds are not finite and strictly ascending"}));
      return;
    }
  }
  if (!LabelsValid(labels)) return;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bucket_counts.size(); ++i) {
    cumulative += bucket_counts[i];
    const std::string le = i < upper_bounds.size()
                               ? FormatValue(upper_bounds[i])
                               : std::string("+Inf");
    const Label le_label{"le", le};
    Line("_bucket", labels, &le_label, std::to_string(cumulative));
  }
  Line("_sum", labels, nullptr, FormatValue(sum));
  Line("_count", labels, nullptr, std::to_string(cumulative));
}

}  // namespace colony::metrics
