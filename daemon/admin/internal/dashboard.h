// Copyright 2026 The Colony Authors.
//
// The dashboard page served at `GET /`: dashboard.html, embedded in the
// binary at build time (a genrule turns it into dashboard_html.cc), so the
// page needs no file and no network.

#ifndef COLONY_DAEMON_ADMIN_INTERNAL_DASHBOARD_H_
#define COLONY_DAEMON_ADMIN_INTERNAL_DASHBOARD_H_

#include <string_view>

namespace colony::daemon::admin_internal {

// DashboardHtml() is the whole page (HTML with its CSS and JavaScript).
std::string_view DashboardHtml();

}  // namespace colony::daemon::admin_internal

#endif  // COLONY_DAEMON_ADMIN_INTERNAL_DASHBOARD_H_
