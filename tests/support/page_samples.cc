#include "tests/support/page_samples.h"

namespace tessera::web::page_samples {

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
  account.set("has_password", true);  // account_pages.cc: a federated account may have none
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
  account.set("has_profile_errors", true);
  account.set("website_error", "Website must be a web address, like https://example.com.");
  account.set("back_to_app_url", "https://acme.example/");
  account.set("sign_out_others_action", "/apps/acme/account/sign-out-others");
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
  list api_tokens;
  data token = Pair("name", "ci deploy", "prefix", "tpat_Ab3dE7x…");
  token.set("detail", "Created 2026-11-01 10:00 UTC · Never used");
  token.set("revoke_action", "/apps/acme/account/tokens/t1/revoke");
  api_tokens.push_back(token);
  account.set("api_tokens", api_tokens);
  account.set("has_api_tokens", true);
  account.set("revoke_api_tokens_label", "Also revoke my 1 personal API token");
  account.set("sign_out_everywhere_action", "/apps/acme/account/sign-out-everywhere");
  account.set("has_sign_in_methods", true);
  account.set("has_identities", true);
  data identity = Pair("provider_name", "GitHub", "detail", "octocat · linked 2026-11-22 01:57 UTC");
  identity.set("unlink_action", "/apps/acme/account/identities/i-1/unlink");
  account.set("identities", list{identity});
  data google = Pair("name", "Google", "link_action", "/apps/acme/account/identities/google/link");
  google.set("link_text", "Link Google");  // composed by the handler, in the page's language
  account.set("link_providers", list{google});
  pages.emplace_back("account", std::move(account));

  data link = Base("Link your GitHub account");
  link.set("provider_name", "GitHub");
  link.set("account_email", "ada@example.com");
  link.set("upstream_username", "octocat");
  link.set("ticket", "t-1");
  link.set("action", "/apps/acme/federation/link");
  link.set("forgot_url", "/apps/acme/forgot-password");
  link.set("login_url", "/apps/acme/login");
  link.set("mail_action", "/apps/acme/federation/link/email");
  link.set("has_password", true);
  link.set("can_mail", true);
  pages.emplace_back("federation_link", link);
  link.set("has_password", false);
  pages.emplace_back("federation_link", link);
  link.set("can_mail", false);
  pages.emplace_back("federation_link", std::move(link));

  data confirm = Base("Link your GitHub account");
  confirm.set("provider_name", "GitHub");
  confirm.set("account_email", "ada@example.com");
  confirm.set("upstream_label", "octocat");
  confirm.set("token", "tfl_x");
  confirm.set("action", "/apps/acme/federation/link/confirm");
  confirm.set("login_url", "/apps/acme/login");
  pages.emplace_back("federation_link_confirm", std::move(confirm));

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

  // Issue 13: the magic link's "Check your email" with its ways on; the landing pages.
  data magic_sent = Base("Check your email");
  magic_sent.set("action", "/apps/acme/magic-link");
  magic_sent.set("email", "ada@example.com");
  magic_sent.set("return_to", "");
  magic_sent.set("code_supported", true);
  magic_sent.set("login_url", "/apps/acme/login");
  pages.emplace_back("magic_sent", std::move(magic_sent));

  data landing = Base("Tessera");
  landing.set("console_url", "/console");
  landing.set("docs_url", "/api/docs");
  landing.set("health_url", "/healthz");
  pages.emplace_back("landing", std::move(landing));

  data app_home = Base("Welcome");
  app_home.set("login_url", "/apps/acme/login");
  app_home.set("account_url", "/apps/acme/account");
  app_home.set("signup_url", "/apps/acme/signup");
  pages.emplace_back("app_home", std::move(app_home));
  return pages;
}

data SamplePage(std::string_view page) {
  for (auto& [name, d] : SamplePages()) {
    if (name == page) return d;
  }
  ADD_FAILURE() << "no sample page " << page;
  return data();
}

const i18n::Texts& English() {
  static const i18n::Texts texts(i18n::MessageCatalog::Embedded(), "en");
  return texts;
}

std::string MustRender(std::string_view page, data d) {
  auto html = Renderer().Render(page, std::move(d), English());
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

}  // namespace tessera::web::page_samples
