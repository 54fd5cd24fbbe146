// The GitHub connector against a GitHub-shaped server on loopback (tests/support/
// fake_upstreams.h), through the real libcurl client.
#include "federation/github_connector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/url.hpp>

#include "federation/provider_metadata_cache.h"
#include "tests/support/fake_upstreams.h"

namespace tessera::services {
namespace {

using testing::HasSubstr;
using testing_support::FakeGithub;
using testing_support::FakeGithubEmail;

std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return out;
  for (auto param : parsed->params()) out[param.key] = param.value;
  return out;
}

CurlOutboundHttpOptions HttpOptions(std::string user_agent = "Tessera") {
  CurlOutboundHttpOptions o;
  o.connect_timeout_ms = 1000;
  o.total_timeout_ms = 1000;
  o.user_agent = std::move(user_agent);
  o.allow_private_addresses = true;  // the fake GitHub is on 127.0.0.1
  return o;
}

class GithubConnectorTest : public testing::Test {
 protected:
  GithubConnectorTest() : http(HttpOptions()), cache(http, clock) {
    record.id = "prov-gh";
    record.app_id = "app-1";
    record.slug = "github";
    record.kind = store::ProviderKind::kGithub;
    record.client_id = "gh-client";
    record.issuer = github.url();
    record.userinfo_endpoint = github.url();
    login.state = "st-1";
    login.nonce = "unused";
    login.code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    login.redirect_uri = "https://id.example/apps/a/federation/github/callback";
    github.user = {583231, "octocat", "The Octocat", "https://avatars.example/u/583231",
                   "octo@public.example",
                   {{"octo@old.example", false, true}, {"octocat@github.example", true, true}}};
  }

  std::unique_ptr<Connector> NewConnector(std::string secret = "gh-secret") {
    return MakeConnector(record, std::move(secret), http, cache, clock);
  }

  // Sends the browser through LoginUrl (the fake learns the PKCE challenge), then finishes.
  Result<UpstreamIdentity> SignIn() {
    auto connector = NewConnector();
    auto url = connector->LoginUrl(login);
    if (!url.ok()) return url.status();
    github.code_challenge = QueryOf(*url)["code_challenge"];
    github.code_used = false;
    return connector->Finish(login, {github.code, login.state, "", "", ""});
  }

  ManualClock clock{1'800'000'000'000};
  FakeGithub github;
  CurlOutboundHttp http;
  ProviderMetadataCache cache;
  store::IdentityProvider record;
  UpstreamLogin login;
};

TEST_F(GithubConnectorTest, LoginUrlAsksForTheUserAndEmailsWithPkce) {
  auto url = NewConnector()->LoginUrl(login);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->starts_with(github.url() + "/login/oauth/authorize?")) << *url;
  auto q = QueryOf(*url);
  EXPECT_EQ(q["client_id"], "gh-client");
  EXPECT_EQ(q["redirect_uri"], login.redirect_uri);
  EXPECT_EQ(q["scope"], "read:user user:email");
  EXPECT_EQ(q["state"], "st-1");
  EXPECT_EQ(q["code_challenge"], "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(q["code_challenge_method"], "S256");
  EXPECT_EQ(q.count("nonce"), 0u);

  record.authorization_endpoint = github.url() + "/custom/authorize";
  record.scopes = "read:user";
  url = NewConnector()->LoginUrl(login);
  EXPECT_TRUE(url->starts_with(github.url() + "/custom/authorize?")) << *url;
  EXPECT_EQ(QueryOf(*url)["scope"], "read:user");

  // The defaults are GitHub's own.
  record.issuer = "";
  record.authorization_endpoint = "";
  EXPECT_TRUE(NewConnector()->LoginUrl(login)->starts_with("https://github.com/login/oauth/authorize?"));
  ConnectorDefaults d = DefaultsOf(store::ProviderKind::kGithub);
  EXPECT_EQ(d.issuer, "https://github.com");
  EXPECT_EQ(d.api_base, "https://api.github.com");
  EXPECT_EQ(d.display_name, "GitHub");
}

TEST_F(GithubConnectorTest, TakesTheVerifiedPrimaryEmailAndTheNumericId) {
  auto identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->subject, "583231");
  EXPECT_EQ(identity->username, "octocat");
  EXPECT_EQ(identity->name, "The Octocat");
  EXPECT_EQ(identity->picture, "https://avatars.example/u/583231");
  EXPECT_EQ(identity->email, "octocat@github.example");
  EXPECT_TRUE(identity->email_verified);

  auto token = github.server.RequestsTo("/login/oauth/access_token").at(0);
  EXPECT_EQ(token.Header("accept"), "application/json");
  auto form = token.Form();
  EXPECT_EQ(form["client_id"], "gh-client");
  EXPECT_EQ(form["client_secret"], "gh-secret");
  EXPECT_EQ(form["code"], "gh-code");
  EXPECT_EQ(form["redirect_uri"], login.redirect_uri);
  EXPECT_EQ(form["code_verifier"], login.code_verifier);
  for (const char* path : {"/user", "/user/emails"}) {
    auto api = github.server.RequestsTo(path).at(0);
    EXPECT_EQ(api.Header("authorization"), "Bearer gho_token1") << path;
    EXPECT_EQ(api.Header("accept"), "application/vnd.github+json") << path;
    EXPECT_EQ(api.Header("user-agent"), "Tessera") << path;
  }
}

TEST_F(GithubConnectorTest, AnUnverifiedPrimaryGivesNoEmail) {
  github.user.emails = {{"octo@old.example", false, true}, {"octocat@github.example", true, false}};
  auto identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  // Neither the unverified primary, nor a verified secondary, nor /user's public email.
  EXPECT_EQ(identity->email, "");
  EXPECT_FALSE(identity->email_verified);
}

TEST_F(GithubConnectorTest, NoEmailsAtAll) {
  github.user.emails.clear();
  auto identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->email, "");
  EXPECT_FALSE(identity->email_verified);
  // Without the user:email scope GitHub answers 404: no email, still signed in.
  github.emails_status = 404;
  identity = SignIn();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->email, "");
  github.emails_status = 500;
  EXPECT_EQ(SignIn().status().code(), StatusCode::kUnavailable);
}

TEST_F(GithubConnectorTest, ARenamedLoginKeepsTheSubject) {
  auto before = SignIn();
  ASSERT_TRUE(before.ok());
  github.user.login = "octocat-renamed";
  auto after = SignIn();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->subject, before->subject);
  EXPECT_EQ(after->username, "octocat-renamed");
  // And another account that took the old login is another subject.
  github.user.id = 99;
  github.user.login = "octocat";
  EXPECT_EQ(SignIn()->subject, "99");
}

TEST_F(GithubConnectorTest, ARefusedCodeAnsweredWith200IsUnauthenticated) {
  auto connector = NewConnector();
  auto identity = connector->Finish(login, {"wrong-code", "st-1", "", "", ""});
  ASSERT_EQ(identity.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(identity.status().message(), HasSubstr("bad_verification_code"));
  // The code is single use at GitHub: a replay is refused the same way.
  ASSERT_TRUE(SignIn().ok());
  identity = connector->Finish(login, {github.code, "st-1", "", "", ""});
  EXPECT_EQ(identity.status().code(), StatusCode::kUnauthenticated);
  // A verifier that does not match the challenge.
  github.code_used = false;
  github.code_challenge = "not-the-challenge";
  EXPECT_EQ(connector->Finish(login, {github.code, "st-1", "", "", ""}).status().code(),
            StatusCode::kUnauthenticated);
  // Wrong client secret.
  github.code_challenge = "";
  EXPECT_THAT(NewConnector("wrong")->Finish(login, {github.code, "st-1", "", "", ""}).status().message(),
              HasSubstr("incorrect_client_credentials"));
  EXPECT_EQ(github.server.CountTo("/user"), 1u);
}

TEST_F(GithubConnectorTest, DeclinedUnavailableAndSlow) {
  auto identity = NewConnector()->Finish(login, {"", "st-1", "", "access_denied", "The user has denied your application access."});
  EXPECT_EQ(identity.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(identity.status().message(), HasSubstr("GitHub"));
  EXPECT_EQ(github.server.CountTo("/login/oauth/access_token"), 0u);
  github.token_status = 502;
  EXPECT_EQ(SignIn().status().code(), StatusCode::kUnavailable);
  github.token_status = 200;
  github.delay = std::chrono::milliseconds(3000);
  identity = SignIn();
  EXPECT_EQ(identity.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(identity.status().message(), HasSubstr("Timeout"));
}

// The fake refuses API calls without a User-Agent, as GitHub does; the transport always sends
// its own.
TEST_F(GithubConnectorTest, TheApiRefusesCallsWithoutAUserAgent) {
  CurlOutboundHttp no_agent(HttpOptions(""));
  auto connector = MakeConnector(record, "gh-secret", no_agent, cache, clock);
  auto identity = connector->Finish(login, {github.code, "st-1", "", "", ""});
  EXPECT_EQ(identity.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(identity.status().message(), HasSubstr("HTTP 403"));
  EXPECT_FALSE(github.server.RequestsTo("/user").at(0).HasHeader("user-agent"));
}

}  // namespace
}  // namespace tessera::services
