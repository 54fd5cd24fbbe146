// `tessera admin insights`: an app's (or every app's) sign-ups, sign-ins and active users by
// day, as the consoles' Insights pages show them. Rolls up the complete days not yet counted
// first (the server does it every ten minutes), so it also catches up a long log at once.
#include <iostream>
#include <memory>

#include <boost/json.hpp>

#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {
namespace {

struct InsightsArgs {
  std::string app;
  int days = 30;
  bool json = false;
};

boost::json::object InsightsJson(const services::Insights& in) {
  boost::json::array series, methods;
  for (const auto& d : in.series) {
    series.push_back({{"date", d.date}, {"signups", d.signups}, {"logins", d.logins},
                      {"logins_failed", d.logins_failed}, {"daily_active", d.daily_active},
                      {"monthly_active", d.monthly_active}});
  }
  for (const auto& [method, n] : in.sign_in_methods) methods.push_back({{"method", method}, {"logins", n}});
  return {{"days", in.days},         {"signups", in.signups},
          {"logins", in.logins},     {"logins_failed", in.logins_failed},
          {"monthly_active", in.monthly_active}, {"sign_in_methods", std::move(methods)},
          {"series", std::move(series)}};
}

int ShowInsights(const app::Config& c, const InsightsArgs& a) {
  auto core = app::CoreServices::Open(c);
  if (!core.ok()) return Fail(core.status());
  std::optional<std::string> app_id;
  if (!a.app.empty()) {
    auto app = ResolveApp((*core)->apps(), a.app);
    if (!app.ok()) return Fail(app.status());
    app_id = app->id;
  }
  services::InsightsService& insights = (*core)->insights();
  for (;;) {  // catch up: 31 days per pass
    auto rolled = insights.RollUp();
    if (!rolled.ok()) return Fail(rolled.status());
    if (*rolled == 0) break;
  }
  auto in = insights.For(app_id, a.days);
  if (!in.ok()) return Fail(in.status());
  if (a.json) {
    PrintJson(InsightsJson(*in));
    return 0;
  }
  std::cout << (a.app.empty() ? "Every app" : "App " + a.app) << ", last " << in->days
            << " days (UTC): " << in->signups << " sign-ups, " << in->logins << " sign-ins, "
            << in->logins_failed << " failed, " << in->monthly_active << " monthly active users\n";
  for (const auto& [method, n] : in->sign_in_methods) std::cout << "  " << method << ": " << n << "\n";
  std::cout << "DATE        SIGNUPS  LOGINS  FAILED  DAILY  MONTHLY\n";
  for (const auto& d : in->series) {
    std::cout << d.date << "  " << d.signups << "  " << d.logins << "  " << d.logins_failed << "  "
              << d.daily_active << "  " << d.monthly_active << "\n";
  }
  return 0;
}

}  // namespace

void AddInsightsCommand(CLI::App& admin, app::Config& config, CommandList& commands) {
  auto args = std::make_shared<InsightsArgs>();
  CLI::App* cmd = admin.add_subcommand(
      "insights", "Sign-ups, sign-ins and active users by day, from the audit log");
  AddDatabaseOptions(cmd, config);
  cmd->add_option("--app", args->app, "Only this app (slug); every app without it");
  cmd->add_option("--days", args->days, "30 or 90")->check(CLI::IsMember({30, 90}))->capture_default_str();
  cmd->add_flag("--json", args->json, "One JSON object");
  commands.push_back({cmd, [args](const app::Config& c) { return ShowInsights(c, *args); }});
}

}  // namespace tessera::cli
