// Signing in through an upstream provider, end to end at the service level: the real
// connectors and libcurl against loopback providers (GitHub-shaped and OpenID), the real
// store on SQLite. What the "no path links an account without proof" means is here
// case by case; the browser-level flow is in tests/e2e/federation*.test.mjs.
#include "federation/federated_sign_in.h"

#include <gtest/gtest.h>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "federation/identity_provider_service.h"
#include "federation/provider_metadata_cache.h"
#include "tests/support/fake_upstreams.h"
#include "tests/support/service_stack.h"

namespace tessera::services {
namespace {

using ::tessera::testing_support::FakeGithub;
using ::tessera::testing_support::FakeGithubEmail;
using ::tessera::testing_support::FakeOidcProvider;
using Kind = FederationOutcome::Kind;

// The value of `name` in the query of `url` (percent-decoded well enough for our values).
std::string QueryParam(const std::string& url, const std::string& name) {
  size_t q = url.find('?');
  std::string query = q == std::string::npos ? "" : url.substr(q + 1);
  size_t at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    std::string pair = query.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (pair.rfind(name + "=", 0) == 0) {
      std::string v = pair.substr(name.size() + 1), out;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size()) {
          out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += v[i] == '+' ? ' ' : v[i];
        }
      }
      return out;
    }
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

class FederatedSignInTest : public ::testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    Build({.audit = true});
    providers_ = std::make_unique<IdentityProviderService>(*store_, crypto::RandomBytes(32),
                                                           clock_, audit_.get());
    metadata_ = std::make_unique<ProviderMetadataCache>(http_, clock_);
    federation_ = std::make_unique<FederatedSignIn>(
        *store_, *providers_, *accounts_, *sessions_, *apps_, http_, *metadata_, clock_,
        FederatedSignInOptions{}, audit_.get(),
        MailFlowContext{*store_, *apps_, *email_tokens_, *mail_limiter_, *mailer_, clock_,
                        audit_.get()});
    accounts_->SetAddressProvenHook([this](const store::App& app, const store::User& user) {
      federation_->UnlinkAllAfterAddressProof(app, user);
    });
    github_.user = {4242, "octo", "Octo Cat", "https://avatars.example/octo.png", "",
                    {{"octo@example.com", true, true}}};
    github_provider_ = providers_->Add(app_, GithubInput(), SystemActor()).value();
  }

  // GitHub as a developer adds it, pointed at the loopback fake (web base and API alike).
  ProviderInput GithubInput() const {
    ProviderInput in;
    in.kind = "github";
    in.client_id = github_.client_id;
    in.client_secret = github_.client_secret;
    in.issuer = github_.url();
    in.userinfo_endpoint = github_.url();
    return in;
  }

  // Start, then the provider's redirect back: the code GitHub gives, the state we sent.
  Result<FederationOutcome> GithubSignIn(FederationStart start = {}) {
    auto started = federation_->Start(app_, "github", start);
    if (!started.ok()) return started.status();
    github_.code_used = false;
    github_.code_challenge = QueryParam(started->upstream_url, "code_challenge");
    UpstreamCallback cb{github_.code, QueryParam(started->upstream_url, "state"), "", "", ""};
    return federation_->Finish(app_, "github", cb, started->browser_binding, {"127.0.0.1", "test"});
  }

  // GitHub no longer vouches for addresses here; `email`'s verified account with a password
  // exists; GitHub's sign-in with that address stops for proof.
  std::pair<store::User, FederationOutcome> PendingProof(const std::string& email) {
    ProviderInput off;
    off.trust_email = false;
    EXPECT_TRUE(providers_->Update(app_, github_provider_.id, off, SystemActor()).ok());
    store::User account = PasswordUser(email, /*verified=*/true);
    auto out = GithubSignIn();
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out.ok() ? out->kind : Kind::kSignedIn, Kind::kNeedsProof);
    return {account, out.ok() ? *out : FederationOutcome{}};
  }

  // The token of the confirm link in a mail's text ("" when there is none).
  static std::string TokenIn(const std::string& body) {
    size_t at = body.find("token=");
    if (at == std::string::npos) return "";
    return body.substr(at + 6, body.find_first_of(" \n", at) - at - 6);
  }

  static std::string RandomBinding() { return crypto::Base64UrlEncode(crypto::RandomBytes(32)); }

  store::User PasswordUser(const std::string& email, bool verified) {
    SignupInput in;
    in.email = email;
    in.password = "correct horse battery staple";
    store::User u = accounts_->Signup(app_, in).value();
    if (verified) {
      u = store_->UpdateUser(app_.id, u.id, [](store::User& x) {
                   x.email_verified = true;
                   return OkStatus();
                 }).value();
    }
    return u;
  }

  CurlOutboundHttp http_{{.allow_private_addresses = true}};  // the fakes are on 127.0.0.1
  FakeGithub github_;
  std::unique_ptr<IdentityProviderService> providers_;
  std::unique_ptr<ProviderMetadataCache> metadata_;
  std::unique_ptr<FederatedSignIn> federation_;
  store::IdentityProvider github_provider_;
};

TEST_F(FederatedSignInTest, AFirstSignInCreatesTheUserAndTheNextFindsIt) {
  auto first = GithubSignIn({.return_to = "/apps/default/account"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->kind, Kind::kSignedIn);
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->return_to, "/apps/default/account");
  EXPECT_EQ(first->user.email, "octo@example.com");
  EXPECT_TRUE(first->user.email_verified);  // GitHub primary+verified, trusted by default
  EXPECT_FALSE(first->user.password_hash.has_value());
  EXPECT_NE(first->user.profile_json.find("Octo Cat"), std::string::npos);

  github_.user.login = "octo-renamed";  // a renamed login is still the same person
  auto again = GithubSignIn();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->user.id, first->user.id);
  auto linked = federation_->LinkedIdentities(app_, first->user.id).value();
  ASSERT_EQ(linked.size(), 1u);
  EXPECT_EQ(linked[0].identity.subject, "4242");
  EXPECT_EQ(linked[0].identity.username, "octo-renamed");
  EXPECT_EQ(linked[0].provider_name, "GitHub");
}

TEST_F(FederatedSignInTest, NoVerifiedEmailNoSignUp) {
  github_.user.emails = {{"octo@example.com", true, false}};  // primary, unverified
  auto out = GithubSignIn();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->GetUserByEmail(app_.id, "octo@example.com").status().IsNotFound());
}

TEST_F(FederatedSignInTest, AVerifiedAccountIsLinkedOnlyWhenTheProviderVouchesAndTheAppTrusts) {
  store::User ada = PasswordUser("octo@example.com", /*verified=*/true);
  auto out = GithubSignIn();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->kind, Kind::kSignedIn);
  EXPECT_EQ(out->user.id, ada.id);
  EXPECT_FALSE(out->created);
}

TEST_F(FederatedSignInTest, WithoutTrustTheOwnerProvesTheAccountWithItsPassword) {
  auto [ada, pending] = PendingProof("octo@example.com");
  const FederationOutcome* out = &pending;
  ASSERT_EQ(out->kind, Kind::kNeedsProof);
  EXPECT_TRUE(federation_->LinkedIdentities(app_, ada.id)->empty()) << "never linked silently";
  auto view = federation_->PendingLink(app_, out->proof_ticket);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->account_email, "octo@example.com");
  EXPECT_EQ(view->provider_name, "GitHub");

  auto wrong = federation_->ProveWithPassword(app_, out->proof_ticket, "not it", {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(federation_->LinkedIdentities(app_, ada.id)->empty());

  auto proven = federation_->ProveWithPassword(app_, out->proof_ticket,
                                               "correct horse battery staple", {});
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  EXPECT_EQ(proven->kind, Kind::kSignedIn);
  EXPECT_EQ(proven->user.id, ada.id);
  EXPECT_EQ(federation_->LinkedIdentities(app_, ada.id)->size(), 1u);
  auto replay = federation_->ProveWithPassword(app_, out->proof_ticket,
                                               "correct horse battery staple", {});
  EXPECT_EQ(replay.status().code(), StatusCode::kFailedPrecondition) << "single use";
}

// The other proof: a link mailed to the account's address. It links only in the browser
// that asked for it (its binding), once, and its page asks first (GET links nothing).
TEST_F(FederatedSignInTest, OrTheOwnerProvesTheAccountByALinkMailedToItInTheSameBrowser) {
  auto [ada, pending] = PendingProof("octo@example.com");
  const FederationOutcome* out = &pending;
  ASSERT_EQ(out->kind, Kind::kNeedsProof);
  EXPECT_TRUE(federation_->PendingLink(app_, out->proof_ticket)->can_mail);

  auto sent = federation_->MailProofLink(app_, out->proof_ticket, {"127.0.0.1", "test"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->address, "octo@example.com");
  auto mail = store_->LeaseDueMail(clock_.NowMillis(), 10, 60'000).value();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].kind, "link_identity");
  EXPECT_EQ(mail[0].to_address, "octo@example.com");
  EXPECT_NE(mail[0].text_body.find("GitHub (octo)"), std::string::npos) << mail[0].text_body;
  const std::string& body = mail[0].text_body;
  std::string token = TokenIn(body);
  ASSERT_TRUE(token.starts_with("tfl_")) << body;

  auto view = federation_->MailedLink(app_, token);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->account_email, "octo@example.com");
  EXPECT_TRUE(federation_->LinkedIdentities(app_, ada.id)->empty()) << "looking links nothing";

  // Opened in another browser (the account's owner, lured by someone else's sign-in): no.
  for (std::string other : {std::string(), std::string("forged"), RandomBinding()}) {
    auto elsewhere = federation_->ProveWithMailedLink(app_, token, other, {});
    ASSERT_FALSE(elsewhere.ok());
    EXPECT_EQ(elsewhere.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(elsewhere.status().message().find("browser"), std::string::npos);
  }
  EXPECT_TRUE(federation_->LinkedIdentities(app_, ada.id)->empty());
  EXPECT_EQ(federation_->ProveWithMailedLink(app_, "tfl_forged", sent->browser_binding, {})
                .status().code(), StatusCode::kFailedPrecondition);

  auto proven = federation_->ProveWithMailedLink(app_, token, sent->browser_binding, {});
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  EXPECT_EQ(proven->kind, Kind::kSignedIn);
  EXPECT_EQ(proven->user.id, ada.id);
  EXPECT_EQ(federation_->LinkedIdentities(app_, ada.id)->size(), 1u);
  // Single use, and the pending link went with it.
  EXPECT_EQ(federation_->ProveWithMailedLink(app_, token, sent->browser_binding, {})
                .status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(federation_->ProveWithPassword(app_, out->proof_ticket,
                                           "correct horse battery staple", {})
                .status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(federation_->MailedLink(app_, token).status().IsNotFound());
}

// The link proves the mailbox it was sent to: if the account's address changed meanwhile,
// it links nothing.
TEST_F(FederatedSignInTest, AMailedProofIsVoidOnceTheAccountsAddressChanged) {
  auto [ada, pending] = PendingProof("octo@example.com");
  ASSERT_EQ(pending.kind, Kind::kNeedsProof);
  auto sent = federation_->MailProofLink(app_, pending.proof_ticket, {"127.0.0.1", "test"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  auto mail = store_->LeaseDueMail(clock_.NowMillis(), 10, 60'000).value();
  ASSERT_EQ(mail.size(), 1u);
  std::string token = TokenIn(mail[0].text_body);
  ASSERT_TRUE(token.starts_with("tfl_")) << mail[0].text_body;
  ASSERT_TRUE(store_->UpdateUser(app_.id, ada.id, [](store::User& u) {
                      u.email = "ada-new@example.com";
                      return OkStatus();
                    }).ok());
  auto out = federation_->ProveWithMailedLink(app_, token, sent->browser_binding, {});
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(federation_->LinkedIdentities(app_, ada.id)->empty());
}

TEST_F(FederatedSignInTest, ProofMailsAreCountedAndEndWithThePendingLink) {
  auto [ada, pending] = PendingProof("octo@example.com");
  const FederationOutcome* out = &pending;
  ASSERT_EQ(out->kind, Kind::kNeedsProof);
  // The mail limit per address (5 an hour) holds here as for every mail.
  Status last;
  int sent = 0;
  for (int i = 0; i < 8; ++i) {
    auto s = federation_->MailProofLink(app_, out->proof_ticket, {"127.0.0.1", "test"});
    if (s.ok()) ++sent;
    last = s.status();
  }
  EXPECT_EQ(sent, 5);
  EXPECT_EQ(last.code(), StatusCode::kRateLimited);
  EXPECT_EQ(store_->CountUnsentMail().value(), 5);
  // Gone with the pending link: nothing is mailed for an unknown or expired one.
  EXPECT_EQ(federation_->MailProofLink(app_, "no-such-ticket", {}).status().code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance((FederatedSignInOptions{}.proof_ttl_s + 1) * 1000);
  EXPECT_EQ(federation_->MailProofLink(app_, out->proof_ticket, {}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(FederatedSignInTest, AnUnverifiedAccountIsNeverLinkedTo) {
  store::User planted = PasswordUser("octo@example.com", /*verified=*/false);
  auto out = GithubSignIn();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(federation_->LinkedIdentities(app_, planted.id)->empty());
}

TEST_F(FederatedSignInTest, StateIsSingleUseBoundToTheBrowserProviderAndApp) {
  auto started = federation_->Start(app_, "github", {}).value();
  github_.code_challenge = QueryParam(started.upstream_url, "code_challenge");
  std::string state = QueryParam(started.upstream_url, "state");
  UpstreamCallback cb{github_.code, state, "", "", ""};
  // Another browser (no or another binding cookie): refused, and the state is spent.
  auto other_browser = federation_->Finish(app_, "github", cb, "someone-else", {});
  EXPECT_EQ(other_browser.status().code(), StatusCode::kFailedPrecondition);
  auto replay = federation_->Finish(app_, "github", cb, started.browser_binding, {});
  EXPECT_EQ(replay.status().code(), StatusCode::kFailedPrecondition);

  // Forged and missing states.
  UpstreamCallback forged{github_.code, "forged-state", "", "", ""};
  EXPECT_EQ(federation_->Finish(app_, "github", forged, started.browser_binding, {}).status().code(),
            StatusCode::kFailedPrecondition);
  UpstreamCallback missing{github_.code, "", "", "", ""};
  EXPECT_EQ(federation_->Finish(app_, "github", missing, started.browser_binding, {}).status().code(),
            StatusCode::kFailedPrecondition);

  // A state of app A's provider presented to app B (which has its own GitHub).
  store::App other = apps_->Create("other", "Other", SystemActor()).value();
  ASSERT_TRUE(providers_->Add(other, GithubInput(), SystemActor()).ok());
  auto fresh = federation_->Start(app_, "github", {}).value();
  UpstreamCallback cross{github_.code, QueryParam(fresh.upstream_url, "state"), "", "", ""};
  EXPECT_EQ(federation_->Finish(other, "github", cross, fresh.browser_binding, {}).status().code(),
            StatusCode::kFailedPrecondition);
  // The flow expires: 10 minutes.
  auto late = federation_->Start(app_, "github", {}).value();
  clock_.Advance(11 * 60 * 1000);
  UpstreamCallback expired{github_.code, QueryParam(late.upstream_url, "state"), "", "", ""};
  EXPECT_EQ(federation_->Finish(app_, "github", expired, late.browser_binding, {}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(FederatedSignInTest, AProviderTurnedOffMidFlowSignsNobodyIn) {
  auto started = federation_->Start(app_, "github", {}).value();
  ProviderInput off;
  off.enabled = false;
  ASSERT_TRUE(providers_->Update(app_, github_provider_.id, off, SystemActor()).ok());
  UpstreamCallback cb{github_.code, QueryParam(started.upstream_url, "state"), "", "", ""};
  auto out = federation_->Finish(app_, "github", cb, started.browser_binding, {});
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(github_.server.CountTo("/login/oauth/access_token"), 0u) << "the code is not redeemed";
  EXPECT_EQ(federation_->Start(app_, "github", {}).status().code(), StatusCode::kNotFound);
}

TEST_F(FederatedSignInTest, DeclinedAtTheProvider) {
  auto started = federation_->Start(app_, "github", {}).value();
  UpstreamCallback cb{"", QueryParam(started.upstream_url, "state"), "", "access_denied", "no"};
  auto out = federation_->Finish(app_, "github", cb, started.browser_binding, {});
  EXPECT_EQ(out.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(FederatedSignInTest, TheApiFlowEndsWithAOneTimeCodeBoundToRedirectAndVerifier) {
  const std::string back = "https://app.example.com/auth/done";
  FederationStart bad{.purpose = FederationPurpose::kApi, .redirect_uri = back};
  EXPECT_EQ(federation_->Start(app_, "github", bad).status().code(), StatusCode::kInvalidArgument)
      << "a redirect URI the app does not allow";
  app_.settings.redirect_uris = {back};
  ASSERT_TRUE(store_->UpdateAppSettings(app_.id, app_.settings).ok());
  const std::string verifier(43, 'v');
  const std::string challenge = crypto::Base64UrlEncode(crypto::Sha256(verifier));
  auto out = GithubSignIn({.purpose = FederationPurpose::kApi,
                           .redirect_uri = back,
                           .client_state = "xyz <&>",
                           .code_challenge = challenge});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->kind, Kind::kRedirect);
  ASSERT_EQ(out->redirect_url.rfind(back + "?code=tfc_", 0), 0u) << out->redirect_url;
  EXPECT_EQ(QueryParam(out->redirect_url, "state"), "xyz <&>");
  EXPECT_EQ(out->redirect_url.find("access_token"), std::string::npos) << "never a token in a URL";
  const std::string code = QueryParam(out->redirect_url, "code");

  EXPECT_EQ(federation_->RedeemApiCode(app_, code, "https://evil.example/", verifier, {})
                .status().code(),
            StatusCode::kUnauthenticated);
  // The wrong redirect spent it: a code is tried once.
  EXPECT_EQ(federation_->RedeemApiCode(app_, code, back, verifier, {}).status().code(),
            StatusCode::kUnauthenticated);

  auto again = GithubSignIn({.purpose = FederationPurpose::kApi, .redirect_uri = back,
                             .code_challenge = challenge});
  ASSERT_TRUE(again.ok());
  const std::string code2 = QueryParam(again->redirect_url, "code");
  EXPECT_EQ(federation_->RedeemApiCode(app_, code2, back, std::string(43, 'w'), {}).status().code(),
            StatusCode::kUnauthenticated) << "the wrong verifier";
  auto third = GithubSignIn({.purpose = FederationPurpose::kApi, .redirect_uri = back,
                             .code_challenge = challenge});
  const std::string code3 = QueryParam(third->redirect_url, "code");
  auto grant = federation_->RedeemApiCode(app_, code3, back, verifier, {});
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  EXPECT_FALSE(grant->access_token.empty());
  EXPECT_EQ(grant->user.email, "octo@example.com");
  EXPECT_EQ(federation_->RedeemApiCode(app_, code3, back, verifier, {}).status().code(),
            StatusCode::kUnauthenticated) << "replayed";
  clock_.Advance(61 * 1000);
  auto late = GithubSignIn({.purpose = FederationPurpose::kApi, .redirect_uri = back});
  clock_.Advance(61 * 1000);
  EXPECT_EQ(federation_->RedeemApiCode(app_, QueryParam(late->redirect_url, "code"), back, "", {})
                .status().code(),
            StatusCode::kUnauthenticated) << "60 seconds";
}

TEST_F(FederatedSignInTest, TheApiFlowAnswersProviderErrorsByRedirect) {
  const std::string back = "https://app.example.com/auth/done";
  app_.settings.redirect_uris = {back};
  ASSERT_TRUE(store_->UpdateAppSettings(app_.id, app_.settings).ok());
  FederationStart start{.purpose = FederationPurpose::kApi, .redirect_uri = back,
                        .client_state = "s1"};
  auto started = federation_->Start(app_, "github", start).value();
  UpstreamCallback cb{"", QueryParam(started.upstream_url, "state"), "", "access_denied", ""};
  auto out = federation_->Finish(app_, "github", cb, started.browser_binding, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->kind, Kind::kRedirect);
  EXPECT_EQ(out->redirect_url, back + "?error=access_denied&state=s1");
}

// A provider that cannot be reached when the API flow starts: back to the app with the
// error, as RFC 6749 §4.1.2.1 has it, once its redirect URI is known to be the app's.
TEST_F(FederatedSignInTest, TheApiFlowAnswersAnUnreachableProviderAtStartByRedirect) {
  const std::string back = "https://app.example.com/auth/done";
  app_.settings.redirect_uris = {back};
  ASSERT_TRUE(store_->UpdateAppSettings(app_.id, app_.settings).ok());
  ProviderInput corp;
  corp.kind = "oidc";
  corp.slug = "corp";
  corp.display_name = "Corp";
  corp.issuer = "http://127.0.0.1:9";  // nothing listens: discovery fails
  corp.client_id = "c";
  corp.client_secret = "s";
  ASSERT_TRUE(providers_->Add(app_, corp, SystemActor()).ok());
  FederationStart start{.purpose = FederationPurpose::kApi, .redirect_uri = back,
                        .client_state = "s1"};
  auto started = federation_->Start(app_, "corp", start);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->upstream_url, back + "?error=temporarily_unavailable&state=s1");
  EXPECT_TRUE(started->browser_binding.empty());
  // Not the app's redirect URI: never redirected there.
  start.redirect_uri = "https://evil.example/";
  EXPECT_EQ(federation_->Start(app_, "corp", start).status().code(),
            StatusCode::kInvalidArgument);
  // The hosted pages' sign-in says so on its own page.
  EXPECT_EQ(federation_->Start(app_, "corp", {}).status().code(), StatusCode::kUnavailable);
}

TEST_F(FederatedSignInTest, UnlinkingNeverRemovesTheLastWayIn) {
  auto out = GithubSignIn();
  ASSERT_TRUE(out.ok());
  auto linked = federation_->LinkedIdentities(app_, out->user.id).value();
  ASSERT_EQ(linked.size(), 1u);
  store::App strict = app_;
  strict.settings.magic_link_login = false;
  strict.settings.email_code_login = false;
  EXPECT_EQ(federation_->Unlink(strict, out->user.id, linked[0].identity.id, {}).code(),
            StatusCode::kFailedPrecondition);
  // With sign-in links the verified address is a way in.
  EXPECT_TRUE(federation_->Unlink(app_, out->user.id, linked[0].identity.id, {}).ok());
  EXPECT_TRUE(federation_->LinkedIdentities(app_, out->user.id)->empty());
}

TEST_F(FederatedSignInTest, ProvingAnUnverifiedAddressUnlinksWhatWasLinkedBefore) {
  // An OpenID provider the app does not trust for email: the account it makes is unverified.
  FakeOidcProvider oidc(clock_.NowMillis() / 1000);
  ProviderInput in;
  in.kind = "oidc";
  in.slug = "corp";
  in.display_name = "Corp SSO";
  in.client_id = oidc.client_id;
  in.client_secret = "s3cret";
  in.issuer = oidc.issuer();
  ASSERT_TRUE(providers_->Add(app_, in, SystemActor()).ok());
  auto started = federation_->Start(app_, "corp", {}).value();
  // The nonce the connector sent is in the authorization URL.
  oidc.id_token_claims["nonce"] = QueryParam(started.upstream_url, "nonce");
  UpstreamCallback cb{"any-code", QueryParam(started.upstream_url, "state"), "", "", ""};
  auto out = federation_->Finish(app_, "corp", cb, started.browser_binding, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->created);
  EXPECT_FALSE(out->user.email_verified) << "the app does not trust this provider's email";
  ASSERT_EQ(federation_->LinkedIdentities(app_, out->user.id)->size(), 1u);
  // The address's real owner resets the password through their mailbox.
  ASSERT_TRUE(accounts_->ResetPassword(app_, out->user.id, "a brand new passphrase").ok());
  EXPECT_TRUE(federation_->LinkedIdentities(app_, out->user.id)->empty());
}

TEST(IdentityProviderServiceRules, TheCallbackUrlIsPerProvider) {
  EXPECT_EQ(FederationCallbackUrl("https://id.example/apps/acme", "github"),
            "https://id.example/apps/acme/federation/github/callback");
}

TEST_F(FederatedSignInTest, ProviderConfigIsCheckedAndTheSecretSealed) {
  auto stored = store_->GetIdentityProvider(app_.id, "github").value();
  EXPECT_EQ(stored.client_secret_sealed.find(github_.client_secret), std::string::npos);
  EXPECT_EQ(providers_->ClientSecret(stored).value(), github_.client_secret);

  ProviderInput bad;
  bad.kind = "oidc";
  bad.slug = "Bad Slug";
  bad.issuer = "http://idp.example.com";  // plain http off loopback
  bad.client_id = "";
  bad.claim_mapping = boost::json::object{{"password", "pw"}};
  auto refused = providers_->Add(app_, bad, SystemActor());
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& e : refused.status().field_errors()) fields.insert(e.field);
  EXPECT_TRUE(fields.contains("slug"));
  EXPECT_TRUE(fields.contains("issuer"));
  EXPECT_TRUE(fields.contains("client_id"));
  EXPECT_TRUE(fields.contains("claim_mapping.password"));

  ProviderInput again;
  again.kind = "github";
  again.client_id = "x";
  again.client_secret = "y";
  auto clash = providers_->Add(app_, again, SystemActor());
  EXPECT_EQ(clash.status().code(), StatusCode::kAlreadyExists);
  ProviderInput unknown_kind;
  unknown_kind.kind = "myspace";
  EXPECT_EQ(providers_->Add(app_, unknown_kind, SystemActor()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::services
