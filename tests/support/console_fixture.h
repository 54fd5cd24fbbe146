// File: console_fixture.h
// Shared fixture of the developer-console service tests (src/tenancy/app_service_test.cc,
// developer_console_test.cc, console_credentials_test.cc, app_settings_in_effect_test.cc and,
// through user_management_fixture.h, src/management/managed_user*_test.cc): the services
// wired as CoreServices (app/core_services.cc) wires them, over a real (SQLite) store in a
// temp dir, a manual clock and the audit log; mail goes to the outbox table only (no worker).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/service_stack.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "tokens/access_token_service.h"
#include "accounts/account_service.h"
#include "tenancy/app_api_key_service.h"
#include "tenancy/app_service.h"
#include "tenancy/app_settings.h"
#include "tests/support/enum_printing.h"
#include "audit/audit_log.h"
#include "oauth/client_service.h"
#include "tenancy/developer_console_service.h"
#include "email_flows/email_token_service.h"
#include "tokens/key_service.h"
#include "email_flows/mail_flow.h"
#include "email_flows/mail_rate_limiter.h"
#include "email_flows/mailer.h"
#include "accounts/password_hasher.h"
#include "email_flows/password_reset_service.h"
#include "email_flows/passwordless_service.h"
#include "management/user_management_service.h"

namespace tessera::services::testing_console {

inline constexpr int64_t kStart = 1'800'000'000'000;
inline constexpr char kPassword[] = "a sturdy passphrase";
inline constexpr char kServerFrom[] = "Tessera <noreply@example.com>";
inline constexpr int64_t kServerAccessTtlS = 600;
inline constexpr int64_t kServerRefreshTtlS = 3600;
inline constexpr int64_t kSessionTtlS = 30LL * 24 * 3600;

// An actor without ip and user agent.
inline Actor MakeActor(store::AuditActorType type, std::string id) {
  return Actor{type, std::move(id), "", ""};
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

class ConsoleFixture : public testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    testing_support::ServiceStackOptions o;
    o.access_token_ttl_s = kServerAccessTtlS;
    o.refresh_token_ttl_s = kServerRefreshTtlS;
    o.session_ttl_s = kSessionTtlS;
    o.audit = o.audit_apps = true;
    o.mail_from = kServerFrom;
    Build(o);
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
    in.actor = MakeActor(store::AuditActorType::kSystem, "");
    auto u = accounts_->Signup(app, std::move(in));
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : store::User{};
  }

  // A developer: a user of the console app.
  store::User Developer(std::string email) { return MakeUser(console_app_, std::move(email)); }
  // An operator: a console user with the operator role (kOperatorRole).
  store::User Operator(std::string email) {
    return MakeUser(console_app_, std::move(email), {std::string(kOperatorRole)});
  }

  static Actor DeveloperActor(const store::User& dev) {
    return Actor{store::AuditActorType::kDeveloper, dev.id, "203.0.113.7", "Console/1.0"};
  }

  store::App NewApp(std::string slug, std::string name = "Some app") {
    auto a = apps_->Create(slug, name, MakeActor(store::AuditActorType::kAdmin, "cli"));
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
    for (const auto& e : Events(app_id)) out.emplace_back(ToText(e.action));
    return out;
  }

  // True when `secret` appears in no field of any audit event.
  ::testing::AssertionResult NoEventContains(std::string_view secret) {
    for (const auto& e : Events()) {
      for (std::string_view field :
           {ToText(e.action), std::string_view(e.actor_id), std::string_view(e.subject_id),
            ToText(e.subject_type), ToText(e.actor_type), std::string_view(e.ip),
            std::string_view(e.user_agent), std::string_view(e.details_json)}) {
        if (field.find(secret) != std::string_view::npos) {
          return ::testing::AssertionFailure()
                 << "event " << ToText(e.action) << " contains the secret: " << field;
        }
      }
      if (e.app_id && e.app_id->find(secret) != std::string::npos) {
        return ::testing::AssertionFailure()
               << "event " << ToText(e.action) << " app_id has the secret";
      }
    }
    return ::testing::AssertionSuccess();
  }

  // Declared in dependency order: the store outlives everything built on it.
  ClientInfo client_{"198.51.100.23", "ConsoleTest/1.0"};
};

}  // namespace tessera::services::testing_console
