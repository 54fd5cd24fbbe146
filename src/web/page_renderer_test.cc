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
  login.set("magic_link_url", "/apps/acme/magic");
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
  account.set("email_action", "/apps/acme/account/email");
  account.set("verify_action", "/apps/acme/account/verify");
  account.set("email_error", "That address is already in use.");
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

  // The email flows (indices 7..).
  data message = Base("Check your email");
  message.set("heading", "Check your email");
  message.set("message", "We sent a link to ada@example.com.");
  message.set("success", false);
  message.set("link_url", "/apps/acme/login");
  message.set("link_text", "Back to sign in");
  message.set("secondary_url", "/apps/acme/forgot");
  message.set("secondary_text", "Use another address");
  pages.emplace_back("message", std::move(message));

  data forgot = Base("Reset your password");
  forgot.set("action", "/apps/acme/forgot");
  forgot.set("email", "ada@example.com");
  forgot.set("login_url", "/apps/acme/login");
  forgot.set("error", "Enter a valid email address.");
  pages.emplace_back("forgot_password", std::move(forgot));

  data reset = Base("Choose a new password");
  reset.set("action", "/apps/acme/reset");
  reset.set("token", "reset-tok");
  reset.set("password_min_length", "10");
  reset.set("password_error", "is too common");
  pages.emplace_back("reset_password", std::move(reset));

  data magic = Base("Sign in with email");
  magic.set("action", "/apps/acme/magic");
  magic.set("email", "ada@example.com");
  magic.set("return_to", "/authorize?x=1");
  magic.set("login_url", "/apps/acme/login");
  magic.set("code_supported", true);
  magic.set("notice", "That link has expired.");
  pages.emplace_back("magic_link", std::move(magic));

  data magic_continue = Base("Sign in");
  magic_continue.set("action", "/apps/acme/magic/continue");
  magic_continue.set("token", "magic-tok");
  magic_continue.set("email", "ada@example.com");
  pages.emplace_back("magic_continue", std::move(magic_continue));

  data code = Base("Enter the code");
  code.set("action", "/apps/acme/code");
  code.set("email", "ada@example.com");
  code.set("return_to", "/authorize?x=1");
  code.set("code_error", "That code is not correct.");
  code.set("resend_url", "/apps/acme/magic?resend=1");
  pages.emplace_back("email_code", std::move(code));
  return pages;
}

data SamplePage(std::string_view page) {
  for (auto& [name, d] : SamplePages()) {
    if (name == page) return d;
  }
  ADD_FAILURE() << "no sample page " << page;
  return data();
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

// Every <name …> start tag of the page.
std::vector<std::string> Tags(std::string_view html, std::string_view name) {
  std::vector<std::string> tags;
  const std::string open = "<" + std::string(name) + " ";
  for (size_t pos = 0; (pos = html.find(open, pos)) != std::string_view::npos; ++pos) {
    tags.emplace_back(html.substr(pos, html.find('>', pos) + 1 - pos));
  }
  return tags;
}

// The value of attribute `name` in a tag, or "".
std::string Attribute(std::string_view tag, std::string_view name) {
  const std::string key = " " + std::string(name) + "=\"";
  size_t pos = tag.find(key);
  if (pos == std::string_view::npos) return "";
  pos += key.size();
  return std::string(tag.substr(pos, tag.find('"', pos) - pos));
}

// The start tag of the element with this id, or "".
std::string TagWithId(std::string_view html, std::string_view id) {
  size_t pos = html.find(" id=\"" + std::string(id) + "\"");
  if (pos == std::string_view::npos) return "";
  size_t start = html.rfind('<', pos);
  return std::string(html.substr(start, html.find('>', pos) + 1 - start));
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
    // Every form is a POST and carries the CSRF token.
    EXPECT_EQ(Count(html, "<form "), Count(html, "method=\"post\""));
    EXPECT_EQ(Count(html, "method=\"post\""), Count(html, "name=\"csrf_token\" value=\"csrf-123\""));
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
    for (size_t pos = 0; (pos = html.find(" aria-describedby=\"", pos)) != std::string::npos; ++pos) {
      std::string ids = Attribute(html.substr(pos, html.find('>', pos) - pos), "aria-describedby");
      for (size_t b = 0, e; b < ids.size(); b = e + 1) {
        e = ids.find(' ', b);
        if (e == std::string::npos) e = ids.size();
        EXPECT_NE(html.find(" id=\"" + ids.substr(b, e - b) + "\""), std::string::npos) << ids;
      }
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

TEST(PageRendererTest, LoginOffersASignInLinkWhenEnabled) {
  std::string html = MustRender("login", SamplePage("login"));
  EXPECT_NE(html.find("<p class=\"divider\"><span>or</span></p>"), std::string::npos);
  EXPECT_NE(html.find("<a class=\"button button-secondary button-block\" href=\"/apps/acme/magic\">"),
            std::string::npos);
  EXPECT_NE(html.find("Email me a sign-in link</a>"), std::string::npos);
  // After the sign-in form, not inside it.
  EXPECT_GT(html.find("href=\"/apps/acme/magic\""), html.find("</form>"));
  for (bool empty : {false, true}) {
    data d = SamplePage("login");
    if (empty) {
      d.set("magic_link_url", "");
    } else {
      d = Base("Sign in");
      d.set("action", "/login");
    }
    html = MustRender("login", d);
    EXPECT_EQ(html.find("sign-in link"), std::string::npos);
    EXPECT_EQ(html.find("divider"), std::string::npos);
  }
}

TEST(PageRendererTest, MessagePage) {
  data d = SamplePage("message");
  std::string html = MustRender("message", d);
  EXPECT_NE(html.find("<title>Check your email · Acme</title>"), std::string::npos);
  EXPECT_NE(html.find("<h1>Check your email</h1>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"status-message\">We sent a link to ada@example.com.</p>"),
            std::string::npos);
  EXPECT_NE(html.find("status-icon-info"), std::string::npos);
  EXPECT_EQ(html.find("status-icon-success"), std::string::npos);
  EXPECT_NE(html.find("<a class=\"button button-primary button-block\" href=\"/apps/acme/login\">"
                      "Back to sign in</a>"),
            std::string::npos);
  EXPECT_NE(html.find("<a href=\"/apps/acme/forgot\">Use another address</a>"), std::string::npos);
  EXPECT_EQ(html.find("<form"), std::string::npos);

  d.set("success", true);
  html = MustRender("message", d);
  EXPECT_NE(html.find("status-icon-success"), std::string::npos);
  EXPECT_EQ(html.find("status-icon-info"), std::string::npos);

  // Links are optional; a link without text still gets a label.
  for (bool empty : {false, true}) {
    data bare = Base("Done");
    bare.set("heading", "Done");
    if (empty) {
      for (const char* k : {"message", "link_url", "link_text", "secondary_url", "secondary_text",
                            "success"}) {
        bare.set(k, "");
      }
    }
    html = MustRender("message", bare);
    EXPECT_NE(html.find("status-icon-info"), std::string::npos);
    EXPECT_EQ(html.find("<a "), std::string::npos);
    EXPECT_EQ(html.find("status-message"), std::string::npos);
  }
  data no_text = Base("Done");
  no_text.set("heading", "Done");
  no_text.set("link_url", "/next");
  no_text.set("link_text", "");
  EXPECT_NE(MustRender("message", no_text).find("href=\"/next\">Continue</a>"), std::string::npos);
}

TEST(PageRendererTest, ForgotPasswordPage) {
  std::string html = MustRender("forgot_password", SamplePage("forgot_password"));
  EXPECT_NE(html.find("<h1>Reset your password</h1>"), std::string::npos);
  EXPECT_NE(html.find("<form class=\"form\" method=\"post\" action=\"/apps/acme/forgot\">"),
            std::string::npos);
  std::string email = TagWithId(html, "email");
  EXPECT_NE(email.find(" name=\"email\" type=\"email\" value=\"ada@example.com\" "
                       "autocomplete=\"email\""),
            std::string::npos)
      << email;
  EXPECT_NE(email.find(" required"), std::string::npos);
  EXPECT_NE(email.find(" aria-invalid=\"true\" aria-describedby=\"form-error\""), std::string::npos);
  EXPECT_NE(html.find("<label for=\"email\">Email address</label>"), std::string::npos);
  EXPECT_NE(html.find(">Send reset link</button>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/apps/acme/login\""), std::string::npos);
  EXPECT_NE(html.find("Back to sign in</a>"), std::string::npos);

  data bare = Base("Reset your password");
  bare.set("action", "/forgot");
  html = MustRender("forgot_password", bare);
  EXPECT_EQ(html.find("Back to sign in"), std::string::npos);
  EXPECT_EQ(html.find("aria-invalid"), std::string::npos);
  EXPECT_NE(TagWithId(html, "email").find(" value=\"\""), std::string::npos);
}

TEST(PageRendererTest, ResetPasswordPage) {
  std::string html = MustRender("reset_password", SamplePage("reset_password"));
  EXPECT_NE(html.find("<h1>Choose a new password</h1>"), std::string::npos);
  EXPECT_NE(html.find("action=\"/apps/acme/reset\""), std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"token\" value=\"reset-tok\">"),
            std::string::npos);
  std::string password = TagWithId(html, "new_password");
  EXPECT_NE(password.find(" name=\"new_password\" type=\"password\" autocomplete=\"new-password\""),
            std::string::npos)
      << password;
  EXPECT_NE(password.find(" minlength=\"10\""), std::string::npos);
  EXPECT_NE(password.find(" aria-describedby=\"new-password-hint new-password-error\""),
            std::string::npos);
  EXPECT_NE(password.find(" aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(html.find("<label for=\"new_password\">New password</label>"), std::string::npos);
  EXPECT_NE(html.find(">At least 10 characters</p>"), std::string::npos);
  EXPECT_NE(html.find("<span>is too common</span>"), std::string::npos);
  EXPECT_NE(html.find(">Set new password</button>"), std::string::npos);

  data d = SamplePage("reset_password");
  d.set("password_error", "");
  d.set("password_min_length", "");
  html = MustRender("reset_password", d);
  password = TagWithId(html, "new_password");
  EXPECT_EQ(password.find("minlength"), std::string::npos);
  EXPECT_EQ(password.find("aria-invalid"), std::string::npos);
  EXPECT_NE(password.find(" aria-describedby=\"new-password-hint\""), std::string::npos);
  EXPECT_EQ(html.find("new-password-error"), std::string::npos);
}

TEST(PageRendererTest, MagicLinkPage) {
  std::string html = MustRender("magic_link", SamplePage("magic_link"));
  EXPECT_NE(html.find("<h1>Sign in with email</h1>"), std::string::npos);
  EXPECT_NE(html.find("action=\"/apps/acme/magic\""), std::string::npos);
  EXPECT_NE(html.find("name=\"return_to\" value=\"/authorize?x=1\""), std::string::npos);
  EXPECT_NE(TagWithId(html, "email").find(" name=\"email\" type=\"email\" "
                                          "value=\"ada@example.com\" autocomplete=\"email\""),
            std::string::npos);
  EXPECT_NE(html.find("role=\"status\" id=\"form-notice\""), std::string::npos);
  // Both buttons submit the one form; the link is first, so it is what Enter submits.
  const size_t link = html.find("<button class=\"button button-primary button-block\" type=\"submit\" "
                                "name=\"method\" value=\"link\">Email me a sign-in link</button>");
  const size_t code = html.find("<button class=\"button button-secondary button-block\" "
                                "type=\"submit\" name=\"method\" value=\"code\">Email me a code "
                                "instead</button>");
  ASSERT_NE(link, std::string::npos);
  ASSERT_NE(code, std::string::npos);
  EXPECT_LT(link, code);
  EXPECT_LT(code, html.find("</form>"));
  EXPECT_EQ(Count(html, "<form "), 1u);
  EXPECT_NE(html.find("<a href=\"/apps/acme/login\">Sign in with a password</a>"), std::string::npos);

  data d = SamplePage("magic_link");
  d.set("code_supported", false);
  d.set("login_url", "");
  html = MustRender("magic_link", d);
  EXPECT_NE(html.find("value=\"link\">Email me a sign-in link</button>"), std::string::npos);
  EXPECT_EQ(html.find("value=\"code\""), std::string::npos);
  EXPECT_EQ(html.find("a code"), std::string::npos);
  EXPECT_EQ(html.find("Sign in with a password"), std::string::npos);
}

TEST(PageRendererTest, MagicContinuePage) {
  std::string html = MustRender("magic_continue", SamplePage("magic_continue"));
  EXPECT_NE(html.find("<form class=\"form\" method=\"post\" action=\"/apps/acme/magic/continue\">"),
            std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"token\" value=\"magic-tok\">"),
            std::string::npos);
  EXPECT_NE(html.find("Continue as</p>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"identity-name\">ada@example.com</p>"), std::string::npos);
  EXPECT_NE(html.find("<button class=\"button button-primary button-block\" type=\"submit\">"
                      "Continue</button>"),
            std::string::npos);
  // Nothing happens without the POST: no auto-submit, no refresh.
  EXPECT_EQ(html.find("http-equiv"), std::string::npos);
  EXPECT_EQ(html.find("onload"), std::string::npos);
}

TEST(PageRendererTest, EmailCodePage) {
  std::string html = MustRender("email_code", SamplePage("email_code"));
  EXPECT_NE(html.find("<h1>Enter the code</h1>"), std::string::npos);
  EXPECT_NE(html.find("We sent a 6-digit code to <strong>ada@example.com</strong>"),
            std::string::npos);
  EXPECT_NE(html.find("action=\"/apps/acme/code\""), std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"email\" value=\"ada@example.com\">"),
            std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"return_to\" value=\"/authorize?x=1\">"),
            std::string::npos);
  std::string input = TagWithId(html, "code");
  for (const char* attr : {" name=\"code\"", " inputmode=\"numeric\"",
                           " autocomplete=\"one-time-code\"", " pattern=\"[0-9]{6}\"",
                           " maxlength=\"6\"", " required", " aria-invalid=\"true\"",
                           " aria-describedby=\"code-error\""}) {
    EXPECT_NE(input.find(attr), std::string::npos) << attr << " in " << input;
  }
  EXPECT_NE(html.find("<label for=\"code\">6-digit code</label>"), std::string::npos);
  EXPECT_NE(html.find("<span>That code is not correct.</span>"), std::string::npos);
  EXPECT_NE(html.find(">Sign in</button>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/apps/acme/magic?resend=1\">Send a new code</a>"),
            std::string::npos);

  data d = SamplePage("email_code");
  d.set("code_error", "");
  d.set("resend_url", "");
  html = MustRender("email_code", d);
  EXPECT_EQ(html.find("aria-invalid"), std::string::npos);
  EXPECT_EQ(html.find("code-error"), std::string::npos);
  EXPECT_EQ(html.find("Send a new code"), std::string::npos);
}

TEST(PageRendererTest, AccountEmailSection) {
  data d = SamplePage("account");
  d.set("email_verified", false);
  std::string html = MustRender("account", d);
  const size_t section = html.find("<h2 id=\"email-heading\">Email address</h2>");
  ASSERT_NE(section, std::string::npos);
  EXPECT_LT(html.find("<h2 id=\"profile-heading\""), section);
  EXPECT_LT(section, html.find("<h2 id=\"password-heading\""));
  // The address is shown once, in this section, not also in the profile form.
  EXPECT_EQ(Count(html, "<span class=\"static-text\">ada@example.com</span>"), 1u);
  EXPECT_GT(html.find("<span class=\"static-text\">ada@example.com</span>"), section);
  EXPECT_NE(html.find("Not verified"), std::string::npos);
  EXPECT_NE(html.find("method=\"post\" action=\"/apps/acme/account/verify\">"), std::string::npos);
  EXPECT_NE(html.find(">Send verification email</button>"), std::string::npos);
  EXPECT_NE(html.find("method=\"post\" action=\"/apps/acme/account/email\">"), std::string::npos);
  std::string new_email = TagWithId(html, "new_email");
  EXPECT_NE(new_email.find(" name=\"new_email\" type=\"email\""), std::string::npos) << new_email;
  EXPECT_NE(new_email.find(" autocomplete=\"email\""), std::string::npos);
  EXPECT_NE(html.find("<label for=\"new_email\">New email address</label>"), std::string::npos);
  std::string password = TagWithId(html, "email_current_password");
  EXPECT_NE(password.find(" name=\"current_password\" type=\"password\" "
                          "autocomplete=\"current-password\""),
            std::string::npos)
      << password;
  EXPECT_NE(password.find(" aria-describedby=\"email-error\""), std::string::npos);
  EXPECT_NE(html.find("<label for=\"email_current_password\">Current password</label>"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"email-error\">"), std::string::npos);
  EXPECT_NE(html.find("<p>That address is already in use.</p>"), std::string::npos);
  EXPECT_NE(html.find(">Change email</button>"), std::string::npos);
  // The password section keeps its own ids.
  EXPECT_NE(TagWithId(html, "current_password").find(" name=\"current_password\""),
            std::string::npos);

  // Verified: no verification form; no error: nothing marked invalid.
  d.set("email_verified", true);
  d.set("email_error", "");
  html = MustRender("account", d);
  EXPECT_EQ(html.find("Send verification email"), std::string::npos);
  EXPECT_EQ(html.find("/apps/acme/account/verify"), std::string::npos);
  EXPECT_EQ(html.find("email-error"), std::string::npos);
  EXPECT_NE(html.find(">Verified</span>"), std::string::npos);
  EXPECT_EQ(Count(html, "Verified"), 1u);
  // Not verified but nowhere to send a verification: just the badge.
  d.set("email_verified", false);
  d.set("verify_action", "");
  html = MustRender("account", d);
  EXPECT_NE(html.find("Not verified"), std::string::npos);
  EXPECT_EQ(html.find("Send verification email"), std::string::npos);

  // Without email_action there is no section, and the profile shows the address as before.
  for (bool empty : {false, true}) {
    data old = SamplePage("account");
    if (empty) {
      old.set("email_action", "");
    } else {
      old.set("email_action", false);
    }
    html = MustRender("account", old);
    EXPECT_EQ(html.find("email-heading"), std::string::npos);
    EXPECT_EQ(html.find("new_email"), std::string::npos);
    EXPECT_EQ(html.find("Change email"), std::string::npos);
    EXPECT_EQ(html.find("email_current_password"), std::string::npos);
    EXPECT_NE(html.find("<span class=\"static-text\">ada@example.com</span>"), std::string::npos);
    EXPECT_NE(html.find(">Verified</span>"), std::string::npos);
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
                          "email_error", "name", "website", "login_url", "signup_url",
                          "forgot_url", "magic_link_url", "link_url", "link_text",
                          "secondary_url", "secondary_text", "token", "password_error",
                          "code_error", "resend_url", "email_action", "verify_action",
                          "new_email", "profile_action", "password_action", "logout_action"}) {
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
                          "templates/message.mustache", "templates/forgot_password.mustache",
                          "templates/reset_password.mustache", "templates/magic_link.mustache",
                          "templates/magic_continue.mustache", "templates/email_code.mustache",
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
