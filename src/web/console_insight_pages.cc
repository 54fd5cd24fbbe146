#include "web/console_insight_pages.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "web/console_common.h"
#include "web/svg_charts.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using charts::GroupedNumber;

std::string Count(int64_t n) { return GroupedNumber(n); }
std::string Count(uint64_t n) {
  return GroupedNumber(static_cast<int64_t>(std::min<uint64_t>(n, INT64_MAX)));
}

// The period's headline numbers, the 30/90 switch (links to `base_path`) and the four charts.
void SetInsights(PageData& d, const services::Insights& in, const std::string& base_path) {
  const std::string days = std::to_string(in.days);
  d.set("days", days);
  d.set("days_30_url", base_path + "?days=30");
  d.set("days_90_url", base_path + "?days=90");
  d.set("days_30", in.days == 30);
  d.set("days_90", in.days == 90);
  d.set("total_signups", Count(in.signups));
  d.set("total_logins", Count(in.logins));
  d.set("total_logins_failed", Count(in.logins_failed));
  d.set("monthly_active", Count(in.monthly_active));

  std::vector<std::string> dates;
  charts::Series signups{.name = "Sign-ups"};
  charts::Series ok{.name = "Successful"};
  charts::Series failed{.name = "Failed"};
  charts::Series monthly{.name = "Monthly active users", .label = "Monthly"};
  charts::Series daily{.name = "Daily active users", .label = "Daily"};
  for (const services::InsightDay& day : in.series) {
    dates.push_back(day.date);
    signups.values.push_back(day.signups);
    ok.values.push_back(day.logins);
    failed.values.push_back(day.logins_failed);
    monthly.values.push_back(day.monthly_active);
    daily.values.push_back(day.daily_active);
  }
  const std::string period = "these " + days + " days";
  const std::string today = "today so far";
  d.set("signups_chart", charts::DailyColumns({.id = "signups",
                                               .title = "Sign-ups per day, last " + days + " days",
                                               .noun = "sign-ups",
                                               .empty = "No sign-ups in " + period,
                                               .today_note = today},
                                              dates, signups)
                             .Html());
  d.set("signins_chart",
        charts::StackedColumns(
            {.id = "signins",
             .title = "Sign-ins per day, successful and failed, last " + days + " days",
             .noun = "sign-ins",
             .empty = "No sign-ins in " + period,
             .today_note = today},
            dates, ok, failed)
            .Html());
  d.set("active_chart",
        charts::Lines({.id = "active",
                       .title = "Active users, monthly and daily, last " + days + " days",
                       .noun = "active users",
                       .empty = "No one signed in during " + period,
                       .today_note = today},
                      dates, monthly, daily)
            .Html());
  std::vector<std::pair<std::string, int64_t>> methods;
  for (const auto& [method, n] : in.sign_in_methods) {
    methods.emplace_back(SignInMethodLabel(method), n);
  }
  d.set("methods_chart", charts::Breakdown({.id = "methods",
                                            .title = "Sign-ins by method, last " + days + " days",
                                            .noun = "sign-ins",
                                            .empty = "No sign-ins in " + period},
                                           methods, "Method", "Sign-ins")
                             .Html());
}

}  // namespace

int InsightDays(const http::QueryParams& query) {
  auto it = query.find("days");
  return it != query.end() && it->second == "90" ? 90 : 30;
}

std::string SignInMethodLabel(const std::string& method) {
  static const std::array<std::pair<std::string_view, std::string_view>, 5> kLabels = {{
      {"password", "Password"},
      {"passkey", "Passkey"},
      {"email", "Email link or code"},
      {"passwordless", "Email link or code"},
      {"issued_by_app", "Issued by the app"},
  }};
  for (const auto& [name, label] : kLabels) {
    if (method == name) return std::string(label);
  }
  return method;  // a sign-in provider's slug
}

void ConsoleInsightPages::Mount(http::Router& r, const ConsoleGates& gates) {
  r.Add(bh::verb::get, "/console/apps/{slug}/insights",
        gates.WithAppVisitor(Bind(this, &ConsoleInsightPages::AppInsights)));
  r.Add(bh::verb::get, "/admin/insights",
        gates.WithOperator(Bind(this, &ConsoleInsightPages::AdminInsights)));
}

http::Response ConsoleInsightPages::AppInsights(http::Request& req, const AppVisitor& a) {
  auto insights = insights_.For(a.app().id, InsightDays(PageQuery(req)));
  if (!insights.ok()) return layout_.Unavailable(req, a.visitor);
  PageData d;
  layout_.AppBase(d, a, "Insights", "insights");
  d.set("heading", "Insights");
  d.set("audit_url", layout_.AppPath(a.app(), "/audit"));
  SetInsights(d, *insights, layout_.AppPath(a.app(), "/insights"));
  return layout_.Render(req, a.visitor, "console_insights", std::move(d), 200);
}

http::Response ConsoleInsightPages::AdminInsights(http::Request& req, const ConsoleVisitor& v) {
  const PageUrls& urls = layout_.urls();
  auto insights = insights_.For(std::nullopt, InsightDays(PageQuery(req)));
  if (!insights.ok()) return layout_.Unavailable(req, v);
  PageData d;
  layout_.Base(d, v, "Insights · Operator console", true);
  d.set("heading", "Insights");
  d.set("admin_url", urls.AdminPath());
  d.set("insights_url", urls.AdminPath("/insights"));
  d.set("audit_url", urls.AdminPath("/audit"));
  SetInsights(d, *insights, urls.AdminPath("/insights"));
  SetNodeNumbers(d);
  return layout_.Render(req, v, "admin_insights", std::move(d), 200);
}

void ConsoleInsightPages::SetNodeNumbers(PageData& d) const {
  const Metrics& m = metrics_;
  d.set("node_mail_queue", Count(m.mail_outbox_unsent.Value()));
  d.set("node_mails_sent", Count(m.mails_sent.Value()));
  d.set("node_mail_failures", Count(m.mail_send_failures.Value()));
  // The fair-share refusals are some of the hash pool's refusals (password_hasher.cc).
  d.set("node_hash_shed", Count(m.password_hash_shed.Value()));
  d.set("node_hash_shed_fair", Count(m.password_hash_shed_fair_share.Value()));
  d.set("node_deliveries_pending", Count(m.deliveries_pending.Value()));
  d.set("node_deliveries_sent", Count(m.deliveries_sent.Value()));
  d.set("node_delivery_failures", Count(m.delivery_failures.Value()));

  const std::array<uint64_t, 6> classes = m.StatusClassTotals();
  uint64_t requests = 0;
  for (size_t k = 1; k <= 5; ++k) requests += classes[k];
  auto signed_count = [](uint64_t n) {
    return static_cast<int64_t>(std::min<uint64_t>(n, INT64_MAX));
  };
  d.set("node_requests", Count(requests));
  d.set("node_5xx", Count(classes[5]));
  d.set("node_4xx", Count(classes[4]));
  d.set("node_5xx_share", charts::Percent(signed_count(classes[5]), signed_count(requests), 1));
  d.set("node_4xx_share", charts::Percent(signed_count(classes[4]), signed_count(requests), 1));
  std::vector<std::pair<std::string, int64_t>> items;
  for (size_t k = 1; k <= 5; ++k) {
    items.emplace_back(std::to_string(k) + "xx", signed_count(classes[k]));
  }
  d.set("status_chart", charts::Breakdown({.id = "status",
                                           .title = "Requests by status class, this node",
                                           .noun = "requests",
                                           .empty = "No requests answered yet"},
                                          items, "Status", "Requests")
                            .Html());
}

}  // namespace tessera::web
