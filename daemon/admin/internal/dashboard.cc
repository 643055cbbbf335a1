// Copyright 2026 The Colony Authors.

#include "daemon/admin/internal/dashboard.h"

// Generated from dashboard.html (see BUILD.bazel).
extern const char kColonyDashboardHtml[];
extern const unsigned long kColonyDashboardHtmlSize;

namespace colony::daemon::admin_internal {

std::string_view DashboardHtml() {
  return std::string_view(kColonyDashboardHtml, kColonyDashboardHtmlSize);
}

}  // namespace colony::daemon::admin_internal
