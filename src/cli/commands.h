// File: commands.h
// The command groups of `tessera`: each adds its subcommands (with their options) to the
// CLI11 app and appends what main runs when one of them is chosen. The database options bind
// to the shared Config; a command's own arguments live in its closure.
#pragma once

#include <CLI/CLI.hpp>

#include <boost/json/object.hpp>

#include "accounts/email_identity_doctor.h"
#include "app/config.h"
#include "cli/command_support.h"

namespace tessera::cli {

// `serve`: runs the server (serve_command.cc).
void AddServeCommand(CLI::App& cli, app::Config& config, CommandList& commands);
// `migrate`: applies pending database migrations (migrate_command.cc).
void AddMigrateCommand(CLI::App& cli, app::Config& config, CommandList& commands);
// `doctor emails`: outdated and shared email keys (doctor_command.cc).
void AddDoctorCommands(CLI::App& cli, app::Config& config, CommandList& commands);
// The JSON of an email identity report (doctor_command.cc; `migrate` prints it too).
boost::json::object EmailReportJson(const services::EmailIdentityReport& report);
// `admin create-user` (admin_user_commands.cc).
void AddAdminUserCommands(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin create-app`, `admin update-app` (admin_app_commands.cc).
void AddAdminAppCommands(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin create-api-key`, `admin create-client`, `admin create-|list-|revoke-registration-token`:
// the credentials of an app's backend, of its OAuth clients, and its initial access tokens for
// dynamic client registration (admin_credential_commands.cc).
void AddAdminCredentialCommands(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin providers list|add|update|delete`: an app's upstream sign-in providers
// (admin_provider_commands.cc).
void AddAdminProviderCommands(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin list-deliveries`: an app's HTTP deliveries (admin_delivery_commands.cc).
void AddAdminDeliveryCommands(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin list-|create-|update-|delete-webhook`, `rotate-webhook-secret`, `test-webhook`,
// `list-webhook-deliveries`, `redeliver-webhook`: an app's signed webhook endpoints
// (admin_webhook_commands.cc).
void AddAdminWebhookCommands(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin send-test-mail` (admin_mail_commands.cc).
void AddAdminMailCommands(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin audit` (audit_command.cc).
void AddAuditCommand(CLI::App& admin, app::Config& config, CommandList& commands);
// `admin insights`: sign-ups, sign-ins and active users by day (audit/insights.h).
void AddInsightsCommand(CLI::App& admin, app::Config& config, CommandList& commands);
// `keys rotate` (keys_command.cc).
void AddKeysCommands(CLI::App& cli, app::Config& config, CommandList& commands);
// `import django`: users from Django fixtures (import_command.cc).
void AddImportCommands(CLI::App& cli, app::Config& config, CommandList& commands);
// `version` (version_command.cc).
void AddVersionCommand(CLI::App& cli, CommandList& commands);

}  // namespace tessera::cli
