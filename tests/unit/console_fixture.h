// File: console_fixture.h
// Shared fixture of the developer-console service tests (console_services_test.cc,
// console_users_test.cc): the services wired as CoreServices (app/core_services.cc)
// wires them, over a real (SQLite) store in a temp dir, a manual clock and the audit log;
// mail goes to the outbox table only (no worker).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../store/test_database.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "services/access_token_service.h"
#include "services/account_service.h"
#include "services/app_api_key_service.h"
#include "services/app_service.h"
#include "services/app_settings.h"
#include "services/audit_log.h"
#include "services/client_service.h"
#include "services/developer_console_service.h"
#include "services/email_token_service.h"
#include "services/key_service.h"
#include "services/mail_flow.h"
#include "services/mail_rate_limiter.h"
#include "services/mailer.h"
#include "services/password_hasher.h"
#include "services/password_reset_service.h"
#include "services/passwordless_service.h"
#include "services/user_management_service.h"

namespace tessera::services::testing_console {

inline constexpr int64_t kStart = 1'800'000'000'000;
inline constexpr char kPassword[] = "a sturdy passphrase";
inline constexpr char kServerFrom[] = "Tessera <noreply@example.com>";
inline constexpr int64_t kServerAccessTtlS = 600;
inline constexpr int64_t kServerRefreshTtlS = 3600;
inline constexpr int64_t kSessionTtlS = 30LL * 24 * 3600;

// An actor without ip and user agent.
inline Actor MakeActor(std::string type, std::string id) {
  return Actor{std::move(type), std::move(id), "", ""};
}

// A signup of `email` with `password`, nothing else set.
inline SignupInput Input(std::string email, std::string password) {
  SignupInput in;
  in.email = std::move(email);
  in.password = std::move(password);
  return in;
}

// The names listed in an event's {"changed":[…]} details.
inline std::vector<std::string> ChangedNames(const store::AuditEvent& e) {
  std::vector<std::string> out;
  boost::json::value v = boost::json::parse(e.details_json);
  for (const auto& n : v.as_object().at("changed").as_array()) out.emplace_back(n.as_string());
  return out;
}

// The field names of a status's field errors, in order.
inline std::vector<std::string> Fields(const Status& s) {
  std::vector<std::string> out;
  for (const auto& f : s.field_errors()) out.push_back(f.field);
  return out;
}

class ConsoleFixture : public testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(store::test::TestDatabase::Create("sqlite")).value();
    store_ = std::move(db_->OpenStore()).value();
    KeyServiceOptions ko;
    ko.master_key = crypto::RandomBytes(32);
    keys_ = std::move(KeyService::Create(*store_, clock_, ko)).value();
    audit_ = std::make_unique<AuditLog>(*store_, clock_);
    apps_ = std::make_unique<AppService>(*store_, clock_, "https://id.example", audit_.get());
    ASSERT_TRUE(apps_->EnsureDefaultApp().ok());
    app_ = apps_->Resolve("default").value();
    hasher_ = std::make_unique<PasswordHasher>(
        PasswordHasherOptions{crypto::Argon2Params{1, 8 * 1024 * 1024}, 2, 8}, metrics_);
    tokens_ = std::make_unique<AccessTokenService>(*keys_, clock_, kServerAccessTtlS, metrics_);
    AccountOptions opts;
    opts.refresh_token_ttl_s = kServerRefreshTtlS;
    opts.session_ttl_s = kSessionTtlS;
    accounts_ = std::make_unique<AccountService>(*store_, *apps_, *hasher_, *tokens_, clock_,
                                                 metrics_, opts, nullptr, audit_.get());
    clients_ = std::make_unique<ClientService>(*store_, clock_, audit_.get());
    // As CoreServices::BuildEmailFlows.
    email_tokens_ = std::make_unique<EmailTokenService>(*store_, clock_);
    mail_limiter_ = std::make_unique<MailRateLimiter>(*store_, clock_, MailRateOptions{});
    mailer_ = std::make_unique<Mailer>(*store_, clock_, nullptr, /*default_from=*/"", kServerFrom);
    MailFlowContext ctx{*store_, *apps_, *email_tokens_, *mail_limiter_,
                        *mailer_, clock_, audit_.get()};
    resets_ = std::make_unique<PasswordResetService>(ctx, *accounts_);
    passwordless_ = std::make_unique<PasswordlessService>(ctx, *accounts_);
    // As CoreServices::Open and BuildAccountServices.
    console_ = std::make_unique<DeveloperConsoleService>(*store_, *apps_, clock_, audit_.get());
    ASSERT_TRUE(console_->EnsureConsoleApp().ok());
    console_app_ = apps_->Find(kConsoleAppSlug).value();
    api_keys_ = std::make_unique<AppApiKeyService>(*store_, clock_, audit_.get());
    users_ = std::make_unique<UserManagementService>(*store_, *accounts_, *resets_, clock_,
                                                     audit_.get());
  }

  // A user of `app` with kPassword (signed up by the app itself, so roles are allowed).
  store::User MakeUser(const store::App& app, std::string email,
                       std::vector<std::string> roles = {},
                       std::optional<std::string> username = std::nullopt) {
    SignupInput in;
    in.email = std::move(email);
    in.password = kPassword;
    in.username = std::move(username);
    in.roles = std::move(roles);
    in.by_operator = true;
    in.actor = MakeActor("system", "");
    auto u = accounts_->Signup(app, std::move(in));
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : store::User{};
  }

  // A developer: a user of the console app.
  store::User Developer(std::string email) { return MakeUser(console_app_, std::move(email)); }
  // An operator: a console user with the "admin" role.
  store::User Operator(std::string email) {
    return MakeUser(console_app_, std::move(email), {std::string(kOperatorRole)});
  }

  static Actor DeveloperActor(const store::User& dev) {
    return Actor{"developer", dev.id, "203.0.113.7", "Console/1.0"};
  }

  store::App NewApp(std::string slug, std::string name = "Some app") {
    auto a = apps_->Create(slug, name, MakeActor("admin", "cli"));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : store::App{};
  }

  // Every audit event (of one app when given), oldest first.
  std::vector<store::AuditEvent> Events(const std::optional<std::string>& app_id = std::nullopt,
                                        const std::optional<std::string>& action = std::nullopt) {
    store::AuditFilter f;
    f.app_id = app_id;
    f.action = action;
    f.limit = 200;
    auto events = audit_->List(f);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (!events.ok()) return {};
    std::reverse(events->begin(), events->end());
    return *events;
  }

  std::vector<std::string> Actions(const std::optional<std::string>& app_id = std::nullopt) {
    std::vector<std::string> out;
    for (const auto& e : Events(app_id)) out.push_back(e.action);
    return out;
  }

  // True when `secret` appears in no field of any audit event.
  ::testing::AssertionResult NoEventContains(std::string_view secret) {
    for (const auto& e : Events()) {
      for (const std::string* field :
           {&e.action, &e.actor_id, &e.subject_id, &e.subject_type, &e.actor_type, &e.ip,
            &e.user_agent, &e.details_json}) {
        if (field->find(secret) != std::string::npos) {
          return ::testing::AssertionFailure()
                 << "event " << e.action << " contains the secret: " << *field;
        }
      }
      if (e.app_id && e.app_id->find(secret) != std::string::npos) {
        return ::testing::AssertionFailure() << "event " << e.action << " app_id has the secret";
      }
    }
    return ::testing::AssertionSuccess();
  }

  // Declared in dependency order: the store outlives everything built on it.
  ManualClock clock_{kStart};
  Metrics metrics_;
  std::unique_ptr<store::test::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<KeyService> keys_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<AppService> apps_;
  store::App app_;
  store::App console_app_;
  std::unique_ptr<PasswordHasher> hasher_;
  std::unique_ptr<AccessTokenService> tokens_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<ClientService> clients_;
  std::unique_ptr<EmailTokenService> email_tokens_;
  std::unique_ptr<MailRateLimiter> mail_limiter_;
  std::unique_ptr<Mailer> mailer_;
  std::unique_ptr<PasswordResetService> resets_;
  std::unique_ptr<PasswordlessService> passwordless_;
  std::unique_ptr<DeveloperConsoleService> console_;
  std::unique_ptr<AppApiKeyService> api_keys_;
  std::unique_ptr<UserManagementService> users_;
  ClientInfo client_{"198.51.100.23", "ConsoleTest/1.0"};
};

}  // namespace tessera::services::testing_console
