// The email flows' page templates: the result page, forgot and reset password, the sign-in
// link and its continue page, the email code.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/page_samples.h"

namespace tessera::web {
namespace {

using namespace page_samples;

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
      for (const char* k :
           {"message", "link_url", "link_text", "secondary_url", "secondary_text", "success"}) {
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
  EXPECT_NE(email.find(" aria-invalid=\"true\" aria-describedby=\"form-error\""),
            std::string::npos);
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
  EXPECT_NE(TagWithId(html, "email")
                .find(" name=\"email\" type=\"email\" "
                      "value=\"ada@example.com\" autocomplete=\"email\""),
            std::string::npos);
  EXPECT_NE(html.find("role=\"status\" id=\"form-notice\""), std::string::npos);
  // Both buttons submit the one form; the link is first, so it is what Enter submits.
  const size_t link = html.find(
      "<button class=\"button button-primary button-block\" type=\"submit\" "
      "name=\"method\" value=\"link\">Email me a sign-in link</button>");
  const size_t code = html.find(
      "<button class=\"button button-secondary button-block\" "
      "type=\"submit\" name=\"method\" value=\"code\">Email me a code "
      "instead</button>");
  ASSERT_NE(link, std::string::npos);
  ASSERT_NE(code, std::string::npos);
  EXPECT_LT(link, code);
  EXPECT_LT(code, html.find("</form>"));
  EXPECT_EQ(Count(html, "<form "), 1u);
  EXPECT_NE(html.find("<a href=\"/apps/acme/login\">Sign in with a password</a>"),
            std::string::npos);

  data d = SamplePage("magic_link");
  d.set("code_supported", false);
  d.set("login_url", "");
  html = MustRender("magic_link", d);
  EXPECT_NE(html.find("value=\"link\">Email me a sign-in link</button>"), std::string::npos);
  EXPECT_EQ(html.find("value=\"code\""), std::string::npos);
  EXPECT_EQ(html.find("a code"), std::string::npos);
  EXPECT_EQ(html.find("Sign in with a password"), std::string::npos);
}

// Issue 11, item 13: the verification and email-change links use the same Continue page with
// a heading of their own; still a form and a button, nothing that submits by itself.
TEST(PageRendererTest, ContinuePageWithItsOwnHeading) {
  data d = Base("Confirm your email address");
  d.set("heading", "Confirm your email address");
  d.set("subtitle", "You opened a verification link. Continue to confirm your address.");
  d.set("fine_print", "Nothing changes until you continue.");
  d.set("action", "/apps/acme/verify-email");
  d.set("token", "verify-tok");
  std::string html = MustRender("magic_continue", d);
  EXPECT_NE(html.find("<h1>Confirm your email address</h1>"), std::string::npos);
  EXPECT_NE(html.find("Continue to confirm your address."), std::string::npos);
  EXPECT_NE(html.find("Nothing changes until you continue."), std::string::npos);
  EXPECT_EQ(html.find("Sign in to"), std::string::npos);
  EXPECT_EQ(html.find("Didn’t ask to sign in?"), std::string::npos);
  EXPECT_NE(html.find("<form class=\"form\" method=\"post\" action=\"/apps/acme/verify-email\">"),
            std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"token\" value=\"verify-tok\">"),
            std::string::npos);
  EXPECT_EQ(html.find("http-equiv"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(PageRendererTest, MagicContinuePage) {
  std::string html = MustRender("magic_continue", SamplePage("magic_continue"));
  EXPECT_NE(html.find("<form class=\"form\" method=\"post\" action=\"/apps/acme/magic/continue\">"),
            std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"token\" value=\"magic-tok\">"),
            std::string::npos);
  EXPECT_NE(html.find("Continue as</p>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"identity-name\" data-break-ok>ada@example.com</p>"), std::string::npos);
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
  for (const char* attr :
       {" name=\"code\"", " inputmode=\"numeric\"", " autocomplete=\"one-time-code\"",
        " pattern=\"[0-9]{6}\"", " maxlength=\"6\"", " required", " aria-invalid=\"true\"",
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

}  // namespace
}  // namespace tessera::web
