// Hosted pages: every page renders inside the layout, data is escaped, unknown pages are errors.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "web/embedded_assets.h"
#include "web/page_renderer.h"

namespace tessera::web {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;

const PageRenderer& Renderer() {
  static const PageRenderer renderer;
  return renderer;
}

data Base(std::string title) {
  data d;
  d.set("title", std::move(title));
  d.set("app_name", "Acme");
  d.set("asset_base", "/apps/acme/static");
  d.set("csrf_token", "csrf-123");
  return d;
}

data Pair(std::string k1, std::string v1, std::string k2, std::string v2) {
  data d;
  d.set(k1, std::move(v1));
  d.set(k2, std::move(v2));
  return d;
}

// Sample view models, one per page, with every variable the handlers fill in.
std::vector<std::pair<std::string, data>> SamplePages() {
  std::vector<std::pair<std::string, data>> pages;

  data login = Base("Sign in");
  login.set("action", "/apps/acme/login");
  login.set("return_to", "/authorize?x=1");
  login.set("identifier", "ada@example.com");
  login.set("signup_url", "/apps/acme/signup");
  login.set("forgot_url", "/apps/acme/forgot");
  login.set("client_name", "Photo App");
  login.set("error", "Wrong email or password.");
  pages.emplace_back("login", std::move(login));

  data signup = Base("Create account");
  signup.set("action", "/apps/acme/signup");
  signup.set("return_to", "");
  signup.set("email", "ada@example.com");
  signup.set("username", "ada");
  signup.set("email_error", "is already registered");
  signup.set("username_error", "");
  signup.set("password_error", "is too common");
  signup.set("login_url", "/apps/acme/login");
  signup.set("password_min_length", "8");
  pages.emplace_back("signup", std::move(signup));

  data consent = Base("Authorize");
  consent.set("action", "/apps/acme/consent");
  consent.set("client_name", "Photo App");
  consent.set("user_display", "ada@example.com");
  list scopes;
  scopes.push_back(Pair("title", "Your profile", "description", "Name, nickname, picture"));
  scopes.push_back(Pair("title", "Your email address", "description", ""));
  consent.set("scopes", scopes);
  list hidden;
  hidden.push_back(Pair("name", "request", "value", "req-1"));
  consent.set("hidden", hidden);
  consent.set("switch_account_url", "/apps/acme/login?prompt=login");
  pages.emplace_back("consent", std::move(consent));

  data error = Base("Error");
  error.set("heading", "Something went wrong");
  error.set("message", "The link has expired.");
  error.set("request_id", "req-abc");
  error.set("back_url", "/");
  pages.emplace_back("error", std::move(error));

  data account = Base("Account");
  account.set("user_display", "ada@example.com");
  account.set("profile_action", "/apps/acme/account/profile");
  account.set("password_action", "/apps/acme/account/password");
  account.set("logout_action", "/apps/acme/logout");
  for (const char* f : {"username", "name", "given_name", "family_name", "nickname", "website",
                        "phone_number", "locale", "zoneinfo"}) {
    account.set(f, std::string("v-") + f);
  }
  account.set("email", "ada@example.com");
  account.set("email_verified", true);
  list profile_errors;
  profile_errors.push_back(data("message", data("website must be an http(s) URL")));
  account.set("profile_errors", profile_errors);
  account.set("password_error", "");
  account.set("password_min_length", "8");
  list sessions;
  data current = Pair("description", "Firefox on Linux", "detail", "IP 1.2.3.4");
  current.set("current", true);
  current.set("revoke_action", "/revoke/s1");
  sessions.push_back(current);
  data other = Pair("description", "Safari on iPhone", "detail", "IP 5.6.7.8");
  other.set("current", false);
  other.set("revoke_action", "/revoke/s2");
  sessions.push_back(other);
  account.set("sessions", sessions);
  account.set("has_sessions", true);
  list apps;
  data app = Pair("client_name", "Photo App", "scopes_text", "Profile, email");
  app.set("granted_text", "Authorized 2026-11-01");
  app.set("revoke_action", "/revoke/app1");
  apps.push_back(app);
  account.set("apps", apps);
  account.set("has_apps", true);
  pages.emplace_back("account", std::move(account));

  data logout = Base("Sign out");
  logout.set("action", "/apps/acme/logout");
  logout.set("hidden", list{Pair("name", "state", "value", "st-1")});
  logout.set("user_display", "ada@example.com");
  logout.set("client_name", "Photo App");
  pages.emplace_back("logout", std::move(logout));

  data logged_out = Base("Signed out");
  logged_out.set("message", "You have been signed out of Acme.");
  logged_out.set("login_url", "/apps/acme/login");
  logged_out.set("notice", "See you soon.");
  pages.emplace_back("logged_out", std::move(logged_out));
  return pages;
}

std::string MustRender(std::string_view page, data d) {
  auto html = Renderer().Render(page, std::move(d));
  EXPECT_TRUE(html.ok()) << page << ": " << html.status().ToString();
  return html.ok() ? *html : std::string();
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = 0; (pos = haystack.find(needle, pos)) != std::string_view::npos; ++pos) ++n;
  return n;
}

TEST(PageRendererTest, EveryPageRendersInsideTheLayout) {
  for (auto& [page, d] : SamplePages()) {
    SCOPED_TRACE(page);
    std::string html = MustRender(page, d);
    EXPECT_TRUE(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    EXPECT_NE(html.find(" · Acme</title>"), std::string::npos);
    EXPECT_NE(html.find("<link rel=\"stylesheet\" href=\"/apps/acme/static/tessera.css?v=" +
                        std::string(Renderer().css_etag()) + "\">"),
              std::string::npos);
    EXPECT_NE(html.find("<body class=\"page-" + page + "\">"), std::string::npos);
    EXPECT_NE(html.find("Secured by"), std::string::npos);
    EXPECT_EQ(Count(html, "<h1"), 1u);
    EXPECT_EQ(html.find("{{"), std::string::npos) << "an unexpanded tag";
    // CSP: no inline style or script anywhere.
    EXPECT_EQ(html.find("style="), std::string::npos);
    EXPECT_EQ(html.find("<style"), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    // Every POST form carries the CSRF token.
    EXPECT_EQ(Count(html, "method=\"post\""), Count(html, "name=\"csrf_token\" value=\"csrf-123\""));
    // Every visible input has a label.
    size_t pos = 0;
    while ((pos = html.find("<input id=\"", pos)) != std::string::npos) {
      pos += 11;
      std::string id = html.substr(pos, html.find('"', pos) - pos);
      EXPECT_NE(html.find("<label for=\"" + id + "\""), std::string::npos) << id;
    }
  }
}

TEST(PageRendererTest, LoginFields) {
  std::string html = MustRender("login", SamplePages()[0].second);
  EXPECT_NE(html.find("<title>Sign in · Acme</title>"), std::string::npos);
  EXPECT_NE(html.find("<h1>Sign in to Acme</h1>"), std::string::npos);
  EXPECT_NE(html.find("to continue to <strong>Photo App</strong>"), std::string::npos);
  EXPECT_NE(html.find("action=\"/apps/acme/login\""), std::string::npos);
  EXPECT_NE(html.find("name=\"return_to\" value=\"/authorize?x=1\""), std::string::npos);
  EXPECT_NE(html.find("name=\"identifier\" type=\"text\" value=\"ada@example.com\" "
                      "autocomplete=\"username\""), std::string::npos);
  EXPECT_NE(html.find("autocomplete=\"current-password\""), std::string::npos);
  EXPECT_NE(html.find("role=\"alert\" id=\"form-error\""), std::string::npos);
  EXPECT_EQ(Count(html, "aria-describedby=\"form-error\""), 2u);
  EXPECT_NE(html.find("href=\"/apps/acme/signup\">Create an account</a>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/apps/acme/forgot\""), std::string::npos);
  EXPECT_NE(html.find(">Sign in</button>"), std::string::npos);
}

TEST(PageRendererTest, OptionalValuesMissingOrEmptyAreHidden) {
  for (bool empty : {false, true}) {
    data d = Base("Sign in");
    d.set("action", "/login");
    if (empty) {
      for (const char* k : {"signup_url", "forgot_url", "client_name", "error", "notice",
                            "identifier", "return_to"}) {
        d.set(k, "");
      }
    }
    std::string html = MustRender("login", d);
    EXPECT_EQ(html.find("Create an account"), std::string::npos);
    EXPECT_EQ(html.find("Forgot password"), std::string::npos);
    EXPECT_EQ(html.find("to continue to"), std::string::npos);
    EXPECT_EQ(html.find("role=\"alert\""), std::string::npos);
    EXPECT_EQ(html.find("role=\"status\""), std::string::npos);
    EXPECT_EQ(html.find("aria-invalid"), std::string::npos);
    EXPECT_NE(html.find("name=\"return_to\" value=\"\""), std::string::npos);
  }
  data account = SamplePages()[4].second;
  account.set("sessions", list{});
  account.set("has_sessions", false);
  account.set("apps", list{});
  account.set("has_apps", false);
  account.set("profile_errors", list{});
  account.set("email_verified", false);
  std::string html = MustRender("account", account);
  EXPECT_NE(html.find("No active sessions."), std::string::npos);
  EXPECT_NE(html.find("You haven’t authorized any apps yet."), std::string::npos);
  EXPECT_EQ(html.find("Revoke access"), std::string::npos);
  EXPECT_EQ(html.find("profile-errors"), std::string::npos);
  EXPECT_NE(html.find("Not verified"), std::string::npos);
}

TEST(PageRendererTest, HtmlMetacharactersAreEscapedEverywhere) {
  const std::string evil = "<script>alert(1)</script>\"'&";
  const std::string escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&apos;&amp;";
  for (auto [page, d] : SamplePages()) {
    SCOPED_TRACE(page);
    for (const char* k : {"title", "app_name", "asset_base", "csrf_token", "notice", "error",
                          "action", "return_to", "identifier", "client_name", "user_display",
                          "heading", "message", "request_id", "back_url", "email", "username",
                          "email_error", "name", "website", "login_url", "signup_url"}) {
      d.set(k, evil);
    }
    data item = Pair("title", evil, "description", evil);
    item.set("name", evil);
    item.set("value", evil);
    item.set("message", evil);
    item.set("detail", evil);
    item.set("client_name", evil);
    item.set("revoke_action", evil);
    for (const char* k : {"scopes", "hidden", "profile_errors", "sessions", "apps"}) {
      d.set(k, list{item});
    }
    std::string html = MustRender(page, d);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("\"'&"), std::string::npos);
    EXPECT_NE(html.find(escaped), std::string::npos);
  }
}

TEST(PageRendererTest, ContentIsNotTakenFromTheData) {
  data d = SamplePages()[5].second;  // logout
  d.set("content", "<b>injected</b>");
  d.set("page", "x\"><script>");
  d.set("asset_version", "evil");
  std::string html = MustRender("logout", d);
  EXPECT_EQ(html.find("injected"), std::string::npos);
  EXPECT_NE(html.find("<body class=\"page-logout\">"), std::string::npos);
  EXPECT_EQ(html.find("evil"), std::string::npos);
  EXPECT_NE(html.find("<h1>Sign out of Acme?</h1>"), std::string::npos);
}

TEST(PageRendererTest, UnknownPagesAreNotFound) {
  for (std::string_view page : {"nope", "layout", "_banners", "", "../static/tessera.css",
                                "login.mustache"}) {
    auto html = Renderer().Render(page, Base("x"));
    ASSERT_FALSE(html.ok()) << page;
    EXPECT_EQ(html.status().code(), StatusCode::kNotFound) << page;
  }
}

TEST(PageRendererTest, AFailedRenderDoesNotBreakLaterOnes) {
  // kainjow records a render error inside the template object; a shared one would stay broken.
  data bad = SamplePages()[0].second;
  bad.set("identifier", kainjow::mustache::lambda2{
                            [](const std::string&, const kainjow::mustache::renderer&) {
                              return std::string("x");
                            }});
  auto html = Renderer().Render("login", bad);
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.status().code(), StatusCode::kInternal);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(MustRender("login", SamplePages()[0].second).find("Sign in to Acme"),
              std::string::npos);
  }
}

TEST(PageRendererTest, StaticFilesAndEtag) {
  auto css = Renderer().Static("tessera.css");
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(*css, EmbeddedWebAssets().at("static/tessera.css"));
  EXPECT_NE(css->find(":focus-visible"), std::string_view::npos);
  EXPECT_FALSE(Renderer().Static("missing.css").has_value());
  EXPECT_FALSE(Renderer().Static("../templates/login.mustache").has_value());
  EXPECT_FALSE(Renderer().Static("").has_value());
  EXPECT_EQ(Renderer().css_etag().size(), 16u);
  EXPECT_EQ(Renderer().css_etag().find_first_not_of("0123456789abcdef"), std::string_view::npos);
  EXPECT_EQ(PageRenderer().css_etag(), Renderer().css_etag());  // stable
  EXPECT_EQ(PageRenderer::ContentType("tessera.css"), "text/css; charset=utf-8");
}

TEST(PageRendererTest, EmbeddedAssetsAreKeyedByDirectory) {
  const auto& assets = EmbeddedWebAssets();
  for (const char* key : {"templates/layout.mustache", "templates/login.mustache",
                          "templates/signup.mustache", "templates/consent.mustache",
                          "templates/account.mustache", "templates/logout.mustache",
                          "templates/logged_out.mustache", "templates/error.mustache",
                          "static/tessera.css"}) {
    EXPECT_TRUE(assets.contains(key)) << key;
  }
}

TEST(PageRendererTest, ConcurrentRendersAgreeAndAreCheap) {
  const auto pages = SamplePages();
  std::vector<std::string> expected;
  for (const auto& [page, d] : pages) expected.push_back(MustRender(page, d));

  constexpr int kThreads = 8, kRounds = 50;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(kThreads, 0);
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        for (size_t i = 0; i < pages.size(); ++i) {
          auto html = Renderer().Render(pages[i].first, pages[i].second);
          if (!html.ok() || *html != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto elapsed = std::chrono::steady_clock::now() - start;
  for (int m : mismatches) EXPECT_EQ(m, 0);
  const double renders = double(kThreads) * kRounds * pages.size();
  const double us = std::chrono::duration<double, std::micro>(elapsed).count();
  std::printf("[          ] %.0f renders on %d threads, %.1f us wall per render\n", renders,
              kThreads, us / renders);
}

}  // namespace
}  // namespace tessera::web
