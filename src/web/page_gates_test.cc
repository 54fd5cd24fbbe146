// The hosted pages' and consoles' gates, through the router and the handlers'
// Response(Request&) with the real services (tests/support/handler_harness.h): forms without
// a valid CSRF token are refused, pages of signed-in users send others to sign in, and the
// console's gates refuse non-members and non-operators as if the page did not exist.
#include <gtest/gtest.h>

#include <string>

#include "http/form.h"
#include "tests/support/handler_harness.h"

namespace tessera::testing_support {
namespace {

bool Shows(const http::Response& res, std::string_view text) {
  return res.body.find(text) != std::string::npos;
}

class PageGatesTest : public HandlerHarness {
 protected:
  void SetUp() override {
    HandlerHarness::SetUp();
    ada_ = MakeUser(app_, "ada@example.com");
  }
  // The name on ada's profile, as stored.
  std::string StoredName() {
    auto user = accounts_->GetUser(app_, ada_.id);
    return user.ok() ? user->profile_json : "";
  }
  store::User ada_;
};

TEST_F(PageGatesTest, AFormWithoutItsCsrfTokenIsRefused) {
  CookieJar jar = SignedIn(app_, ada_);
  std::string token = CsrfToken(jar, "/apps/default/account");
  ASSERT_FALSE(token.empty());
  const std::string before = StoredName();
  const std::vector<std::string> forged = {
      "name=Mallory",                                             // no token
      "name=Mallory&csrf_token=tcsrf_forged" + token.substr(12),  // not the cookie's
      "name=Mallory&csrf_token="};
  for (const std::string& body : forged) {
    http::Response res = Browse(jar, bh::verb::post, "/apps/default/account/profile", body);
    EXPECT_EQ(res.status, 403u) << body;
    EXPECT_TRUE(Shows(res, "Session expired")) << body;
    EXPECT_TRUE(res.content_type.starts_with("text/html"));
  }
  EXPECT_EQ(StoredName(), before);  // the page never ran
  http::Response ok =
      Browse(jar, bh::verb::post, "/apps/default/account/profile", "name=Ada&csrf_token=" + token);
  EXPECT_EQ(ok.status, 303u) << ok.body;
  EXPECT_EQ(HeaderOf(ok, "Location"), "https://id.example/apps/default/account?done=profile");
}

TEST_F(PageGatesTest, AMatchingTokenFromAnotherSiteIsRefused) {
  CookieJar jar = SignedIn(app_, ada_);
  std::string body = "name=Mallory&csrf_token=" + CsrfToken(jar);
  std::string cookies = jar.Header();
  for (Headers from : {Headers{{"Origin", "https://evil.example"}},
                       Headers{{"Sec-Fetch-Site", "cross-site"}}, Headers{{"Origin", "null"}}}) {
    from.emplace_back("Cookie", cookies);
    from.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    http::Response res =
        Serve(MakeRequest(bh::verb::post, "/apps/default/account/profile", body, from));
    EXPECT_EQ(res.status, 403u) << from.front().first << ": " << from.front().second;
  }
}

TEST_F(PageGatesTest, ABodyThatIsNotAFormIsRefusedOrABadRequest) {
  CookieJar jar = SignedIn(app_, ada_);
  std::string token = CsrfToken(jar);
  Headers json{{"Cookie", jar.Header()}, {"Content-Type", "application/json"}};
  std::string body = "{\"csrf_token\": \"" + token + "\"}";
  // Most forms: like a forged one.
  EXPECT_EQ(Serve(MakeRequest(bh::verb::post, "/apps/default/logout", body, json)).status, 403u);
  // The sign-in form: 400 "Bad request".
  http::Response login = Serve(MakeRequest(bh::verb::post, "/apps/default/login", body, json));
  EXPECT_EQ(login.status, 400u);
  EXPECT_TRUE(Shows(login, "The form could not be read."));
}

TEST_F(PageGatesTest, WithoutASessionTheAccountPageSendsToSignIn) {
  CookieJar stranger;
  http::Response res = Browse(stranger, bh::verb::get, "/apps/default/account");
  EXPECT_EQ(res.status, 303u);
  EXPECT_EQ(HeaderOf(res, "Location"),
            "https://id.example/apps/default/login?return_to=%2Fapps%2Fdefault%2Faccount");
  // A form posted without a session is CSRF-checked first, then sent to sign in too.
  std::string token = CsrfToken(stranger);
  http::Response post = Browse(stranger, bh::verb::post, "/apps/default/account/password",
                               "csrf_token=" + token + "&current_password=x&new_password=y");
  EXPECT_EQ(post.status, 303u);
  EXPECT_TRUE(HeaderOf(post, "Location")->starts_with("https://id.example/apps/default/login"));
}

TEST_F(PageGatesTest, AnUnknownAppIsTheNotFoundPage) {
  CookieJar jar;
  for (std::string page : {"/apps/nope/account", "/apps/nope/login", "/apps/Bad%20Slug/signup"}) {
    http::Response res = Browse(jar, bh::verb::get, page);
    EXPECT_EQ(res.status, 404u) << page;
    EXPECT_TRUE(Shows(res, "There is no such app here.")) << page;
  }
}

TEST_F(PageGatesTest, WhatAPageEchoesIsEscaped) {
  CookieJar jar;
  std::string token = CsrfToken(jar, "/apps/default/signup");
  const std::string hostile = "Zoë\"><script>alert(1)</script>'; DROP TABLE users; --";
  http::Response res =
      Browse(jar, bh::verb::post, "/apps/default/signup",
             "csrf_token=" + token + "&email=" + http::FormEncode(hostile) + "&password=short");
  EXPECT_EQ(res.status, 400u);
  EXPECT_FALSE(Shows(res, "<script>alert"));
  EXPECT_TRUE(Shows(res, "Zoë&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&apos;; DROP TABLE"));
  EXPECT_EQ(users_->Count(app_).value(), 1);
}

class ConsoleGatesTest : public HandlerHarness {
 protected:
  void SetUp() override {
    HandlerHarness::SetUp();
    owner_ = MakeUser(console_app_, "owner@example.com");
    other_ = MakeUser(console_app_, "other@example.com");
    auto created = console_->CreateApp(owner_, "shop", "Shop", services::CliActor());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  store::User owner_, other_;
};

TEST_F(ConsoleGatesTest, WithoutASessionTheConsoleSendsToItsSignIn) {
  CookieJar jar;
  http::Response res = Browse(jar, bh::verb::get, "/console/apps/shop/settings");
  EXPECT_EQ(res.status, 303u);
  EXPECT_EQ(HeaderOf(res, "Location"),
            "https://id.example/apps/console/login?return_to=%2Fconsole%2Fapps%2Fshop%2Fsettings");
}

TEST_F(ConsoleGatesTest, ANonMemberGetsTheSameNotFoundAsForNoApp) {
  CookieJar jar = SignedIn(console_app_, other_);
  http::Response theirs = Browse(jar, bh::verb::get, "/console/apps/shop");
  EXPECT_EQ(theirs.status, 404u);
  EXPECT_TRUE(Shows(theirs, "There is nothing here, or it is not yours to see."));
  EXPECT_FALSE(Shows(theirs, "Shop"));
  EXPECT_EQ(Browse(jar, bh::verb::get, "/console/apps/nope").status, 404u);
  // A valid form changes nothing either.
  http::Response post = Browse(jar, bh::verb::post, "/console/apps/shop/settings",
                               "csrf_token=" + CsrfToken(jar) + "&name=Mine");
  EXPECT_EQ(post.status, 404u);
  EXPECT_EQ(apps_->Find("shop")->name, "Shop");
  // The member sees the page.
  CookieJar owner = SignedIn(console_app_, owner_);
  http::Response mine = Browse(owner, bh::verb::get, "/console/apps/shop");
  EXPECT_EQ(mine.status, 200u);
  EXPECT_TRUE(Shows(mine, "Shop"));
}

TEST_F(ConsoleGatesTest, AConsoleFormIsCsrfCheckedBeforeAnythingElse) {
  CookieJar jar = SignedIn(console_app_, owner_);
  http::Response res = Browse(jar, bh::verb::post, "/console/apps/shop/settings", "name=Mine");
  EXPECT_EQ(res.status, 403u);
  EXPECT_EQ(apps_->Find("shop")->name, "Shop");
  // Not even an unknown app's page runs first.
  EXPECT_EQ(Browse(jar, bh::verb::post, "/console/apps/nope/settings", "name=x").status, 403u);
}

TEST_F(ConsoleGatesTest, OnlyOperatorsSeeTheOperatorsConsole) {
  CookieJar developer = SignedIn(console_app_, owner_);
  http::Response refused = Browse(developer, bh::verb::get, "/admin");
  EXPECT_EQ(refused.status, 404u);
  http::Response disable = Browse(developer, bh::verb::post, "/admin/apps/shop/disable",
                                  "csrf_token=" + CsrfToken(developer));
  EXPECT_EQ(disable.status, 404u);
  EXPECT_FALSE(apps_->Find("shop")->disabled);
  store::User op = MakeUser(console_app_, "op@example.com", {"admin"});
  CookieJar operator_jar = SignedIn(console_app_, op);
  http::Response home = Browse(operator_jar, bh::verb::get, "/admin");
  EXPECT_EQ(home.status, 200u);
  EXPECT_TRUE(Shows(home, "shop"));
}

TEST_F(ConsoleGatesTest, ADisabledConsoleUserIsSentToSignIn) {
  CookieJar jar = SignedIn(console_app_, other_);
  ASSERT_TRUE(users_->SetDisabled(console_app_, other_.id, true, services::CliActor()).ok());
  http::Response res = Browse(jar, bh::verb::get, "/console");
  EXPECT_EQ(res.status, 303u);
  EXPECT_TRUE(HeaderOf(res, "Location")->starts_with("https://id.example/apps/console/login"));
}

}  // namespace
}  // namespace tessera::testing_support
