// The page renderer: every page renders inside the layout, accessible and escaped; optional
// values hide; unknown pages are errors; a failed render breaks nothing; renders run
// concurrently; the embedded static files and their ETag.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/page_samples.h"
#include "web/embedded_assets.h"

namespace tessera::web {
namespace {

using namespace page_samples;

TEST(PageRendererTest, EveryPageRendersInsideTheLayout) {
  for (auto& [page, d] : SamplePages()) {
    SCOPED_TRACE(page);
    std::string html = MustRender(page, d);
    EXPECT_TRUE(html.starts_with("<!doctype html>\n<html lang=\"en\" dir=\"ltr\">")) << html.substr(0, 60);
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
    // Every form is a POST and carries the CSRF token.
    EXPECT_EQ(Count(html, "<form "), Count(html, "method=\"post\""));
    EXPECT_EQ(Count(html, "method=\"post\""),
              Count(html, "name=\"csrf_token\" value=\"csrf-123\""));
    // Every visible input has an id, a label for it and an autocomplete attribute.
    for (const std::string& tag : Tags(html, "input")) {
      if (tag.find(" type=\"hidden\"") != std::string::npos || tag.ends_with(" hidden>")) continue;
      std::string id = Attribute(tag, "id");
      EXPECT_FALSE(id.empty()) << tag;
      EXPECT_EQ(Count(html, "<label for=\"" + id + "\""), 1u) << tag;
      EXPECT_NE(tag.find(" autocomplete=\""), std::string::npos) << tag;
    }
    // Every label points at an input, and ids are unique.
    for (const std::string& tag : Tags(html, "label")) {
      EXPECT_NE(html.find("id=\"" + Attribute(tag, "for") + "\""), std::string::npos) << tag;
    }
    for (size_t pos = 0; (pos = html.find(" id=\"", pos)) != std::string::npos; pos += 5) {
      std::string id = Attribute(html.substr(pos, html.find('>', pos) - pos), "id");
      EXPECT_EQ(Count(html, " id=\"" + id + "\""), 1u) << "duplicate id " << id;
    }
    // aria-describedby names elements of the page.
    for (size_t pos = 0; (pos = html.find(" aria-describedby=\"", pos)) != std::string::npos;
         ++pos) {
      std::string ids = Attribute(html.substr(pos, html.find('>', pos) - pos), "aria-describedby");
      for (size_t b = 0, e; b < ids.size(); b = e + 1) {
        e = ids.find(' ', b);
        if (e == std::string::npos) e = ids.size();
        EXPECT_NE(html.find(" id=\"" + ids.substr(b, e - b) + "\""), std::string::npos) << ids;
      }
    }
  }
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
  account.set("has_profile_errors", false);
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
    for (const char* k :
         {"title",          "app_name",        "asset_base",     "csrf_token",     "notice",
          "error",          "action",          "return_to",      "identifier",     "client_name",
          "user_display",   "heading",         "message",        "request_id",     "back_url",
          "email",          "username",        "email_error",    "name",           "website",
          "login_url",      "signup_url",      "forgot_url",     "magic_link_url", "link_url",
          "link_text",      "secondary_url",   "secondary_text", "token",          "password_error",
          "code_error",     "resend_url",      "email_action",   "verify_action",  "new_email",
          "website_error",  "back_to_app_url", "back_text",      "resend_action",  "resend_email",
          "console_url",    "docs_url",        "health_url",     "account_url",    "app_initial",
          "profile_action", "password_action", "logout_action", "revoke_api_tokens_label",
          "sign_out_everywhere_action"}) {
      d.set(k, evil);
    }
    data item = Pair("title", evil, "description", evil);
    item.set("name", evil);
    item.set("value", evil);
    item.set("message", evil);
    item.set("detail", evil);
    item.set("client_name", evil);
    item.set("revoke_action", evil);
    item.set("prefix", evil);
    for (const char* k : {"scopes", "hidden", "profile_errors", "sessions", "apps", "api_tokens"}) {
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
  for (std::string_view page :
       {"nope", "layout", "_banners", "", "../static/tessera.css", "login.mustache"}) {
    auto html = Renderer().Render(page, Base("x"), English());
    ASSERT_FALSE(html.ok()) << page;
    EXPECT_EQ(html.status().code(), StatusCode::kNotFound) << page;
  }
}

TEST(PageRendererTest, AFailedRenderDoesNotBreakLaterOnes) {
  // kainjow records a render error inside the template object; a shared one would stay broken.
  data bad = SamplePages()[0].second;
  bad.set("identifier",
          kainjow::mustache::lambda2{[](const std::string&, const kainjow::mustache::renderer&) {
            return std::string("x");
          }});
  auto html = Renderer().Render("login", bad, English());
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
  for (const char* key :
       {"templates/layout.mustache", "templates/login.mustache", "templates/signup.mustache",
        "templates/consent.mustache", "templates/account.mustache", "templates/logout.mustache",
        "templates/logged_out.mustache", "templates/error.mustache", "templates/message.mustache",
        "templates/forgot_password.mustache", "templates/reset_password.mustache",
        "templates/magic_link.mustache", "templates/magic_continue.mustache",
        "templates/email_code.mustache", "static/tessera.css"}) {
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
          auto html = Renderer().Render(pages[i].first, pages[i].second, English());
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
