// File: user_management_fixture.h
// Fixture of the tests of UserManagementService (src/management/managed_users_test.cc,
// managed_user_changes_test.cc): the console services (console_fixture.h) and the helpers
// those tests share — the app's backend as the acting API key, listing, signing in.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "tests/support/console_fixture.h"

namespace tessera::services::testing_console {

class ConsoleUserManagementTest : public ConsoleFixture {
 protected:
  std::vector<std::string> Emails(const store::UserPage& page) {
    std::vector<std::string> out;
    for (const auto& u : page.users) out.push_back(u.email);
    return out;
  }
  std::vector<std::string> Search(std::string_view q) {
    auto page = users_->List(app_, q, std::nullopt, 200);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? Emails(*page) : std::vector<std::string>{};
  }
  TokenGrant Login(const store::App& app, const std::string& email) {
    auto g = sessions_->Login(app, email, kPassword, client_);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? *g : TokenGrant{};
  }
  std::vector<store::Session> LiveSessions(const store::App& app, const std::string& user_id) {
    return store_->ListActiveSessions(app.id, user_id, clock_.NowMillis()).value();
  }

  Actor key_actor_{store::AuditActorType::kApiKey, "key-123", "192.0.2.50", "Backend/2.0"};
};

}  // namespace tessera::services::testing_console
