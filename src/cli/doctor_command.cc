// `tessera doctor emails`: the email identity keys under the current rule
// (accounts/email_identity_doctor.h). It reports; with --apply it also gives each outdated
// account that collides with no one its new key. Accounts that now share one key are listed,
// never merged. `tessera migrate` runs the same with --apply.
#include <boost/json.hpp>

#include "accounts/email_identity_doctor.h"
#include "app/core_services.h"
#include "cli/commands.h"

namespace tessera::cli {

boost::json::object EmailReportJson(const services::EmailIdentityReport& r) {
  boost::json::array collisions;
  for (const auto& c : r.collisions) {
    boost::json::array users;
    for (size_t i = 0; i < c.user_ids.size(); ++i) {
      users.push_back(boost::json::object{{"id", c.user_ids[i]}, {"email", c.emails[i]}});
    }
    collisions.push_back(
        boost::json::object{{"app", c.app_slug}, {"key", c.key}, {"users", std::move(users)}});
  }
  return boost::json::object{{"checked", r.checked},
                             {"outdated", r.outdated},
                             {"normalized", r.normalized},
                             {"collisions", std::move(collisions)}};
}

namespace {

int DoctorEmails(const app::Config& c, bool apply) {
  auto store = app::OpenConfiguredStore(c.db);
  if (!store.ok()) return Fail(store.status());
  services::EmailIdentityDoctor doctor(**store, **store);
  auto report = doctor.Run(apply);
  if (!report.ok()) return Fail(report.status());
  PrintJson(EmailReportJson(*report));
  return 0;
}

}  // namespace

void AddDoctorCommands(CLI::App& cli, app::Config& config, CommandList& commands) {
  CLI::App* doctor = cli.add_subcommand("doctor", "Check stored data against current rules");
  doctor->require_subcommand(1);
  CLI::App* emails = doctor->add_subcommand(
      "emails", "Report accounts whose email key is outdated or now shared (never merges them)");
  AddDatabaseOptions(emails, config);
  auto apply = std::make_shared<bool>(false);
  emails->add_flag("--apply", *apply, "Also give each outdated, non-colliding account its new key");
  commands.push_back({emails, [apply](const app::Config& c) { return DoctorEmails(c, *apply); }});
}

}  // namespace tessera::cli
