// File: console_insight_pages.h
// Insights: pictures of use, from the audit log's daily rollup (audit/insights.h), drawn on
// the server as SVG (web/svg_charts.h; no script). Two pages:
//   GET /console/apps/{slug}/insights  one app's (its members and operators: WithAppVisitor)
//   GET /admin/insights                every app's together, and this node's own numbers —
//                                      the mail queue, hash-pool shedding, deliveries, requests
//                                      by status class (what /metrics has) — (WithOperator)
// Each: the period's headline numbers (sign-ups, sign-ins, failed sign-ins, today's monthly
// active users), a 30/90 days switch, and four charts — sign-ups, sign-ins (successful and
// failed), active users (daily, monthly), sign-in methods — each with its numbers in a table.
// ?days=30 (the default) or ?days=90; any other value (or a malformed query) shows 30 days,
// as a page's query that cannot be read shows the page without it.
#pragma once

#include <string>

#include "audit/insights.h"
#include "base/metrics.h"
#include "http/router.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleInsightPages {
 public:
  ConsoleInsightPages(const ConsoleLayout& layout, services::InsightsService& insights,
                      const Metrics& metrics)
      : layout_(layout), insights_(insights), metrics_(metrics) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  http::Response AppInsights(http::Request& req, const AppVisitor& a);
  http::Response AdminInsights(http::Request& req, const ConsoleVisitor& v);
  // This node's numbers (Metrics) into `d`: the operators' page's "This node" section.
  void SetNodeNumbers(PageData& d) const;

  const ConsoleLayout& layout_;
  services::InsightsService& insights_;
  const Metrics& metrics_;
};

// The period a page's ?days= asks for: 90 for "90", else 30.
int InsightDays(const http::QueryParams& query);
// How a sign-in method recorded in the audit log reads ("password" → "Password"; a provider's
// slug as it is).
std::string SignInMethodLabel(const std::string& method);

}  // namespace tessera::web
