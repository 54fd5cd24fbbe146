// The sign-in and account page templates: the login form and its links, the account page's
// email section.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/page_samples.h"

namespace tessera::web {
namespace {

using namespace page_samples;

TEST(PageRendererTest, LoginFields) {
  std::string html = MustRender("login", SamplePages()[0].second);
  EXPECT_NE(html.find("<title>Sign in · Acme</title>"), std::string::npos);
  EXPECT_NE(html.find("<h1>Sign in to Acme</h1>"), std::string::npos);
  EXPECT_NE(html.find("to continue to <strong>Photo App</strong>"), std::string::npos);
  EXPECT_NE(html.find("action=\"/apps/acme/login\""), std::string::npos);
  EXPECT_NE(html.find("name=\"return_to\" value=\"/authorize?x=1\""), std::string::npos);
  EXPECT_NE(html.find("name=\"identifier\" type=\"text\" value=\"ada@example.com\" "
                      "autocomplete=\"username\""),
            std::string::npos);
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
  EXPECT_NE(
      html.find("<a class=\"button button-secondary button-block\" href=\"/apps/acme/magic\">"),
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

// An account made through an upstream provider has no password: nothing asks for one (the
// password form sets the first one), and its sign-in methods can be unlinked or added.
TEST(PageRendererTest, AccountWithoutAPasswordAndItsSignInMethods) {
  data d = SamplePage("account");
  d.set("has_password", false);
  std::string html = MustRender("account", d);
  EXPECT_EQ(html.find("current-password"), std::string::npos);
  EXPECT_NE(html.find(">Set a password</button>"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"identities-heading\">Sign-in methods</h2>"), std::string::npos);
  EXPECT_NE(html.find("action=\"/apps/acme/account/identities/i-1/unlink\""), std::string::npos);
  EXPECT_NE(html.find(">Link Google</button>"), std::string::npos);
  d.set("has_password", true);
  html = MustRender("account", d);
  EXPECT_NE(html.find(">Change password</button>"), std::string::npos);
  EXPECT_EQ(Count(html, "autocomplete=\"current-password\""), 2u);  // password and email forms
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

}  // namespace
}  // namespace tessera::web
