// grant_type=client_credentials (ClientCredentialsGrant), and GrantTypes: which grant a
// token request gets, and the errors for one Tessera does not offer or the client may not use.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "oauth/grant_types.h"
#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;

class ClientCredentialsGrantTest : public OAuthFixture {
 protected:
  store::OAuthClient Machine(std::vector<std::string> scopes) {
    ClientRegistration r;
    r.name = "Billing job";
    r.grant_types = {"client_credentials"};
    r.scopes = std::move(scopes);
    return Register(std::move(r));
  }
  OAuthResult<GrantedTokens> Issue(const store::OAuthClient& c, std::optional<std::string> scope) {
    return RunGrant(*client_credentials_grant_, c, {{"scope", std::move(scope)}});
  }
};

TEST_F(ClientCredentialsGrantTest, TheClientIsTheSubjectAndNothingElseComes) {
  store::OAuthClient m = Machine({"invoices:read", "invoices:write"});
  auto t = Issue(m, "invoices:read");
  ASSERT_TRUE(t.ok()) << ErrorOf(t);
  EXPECT_EQ(t->scope, "invoices:read");
  EXPECT_EQ(t->expires_in, 600);
  EXPECT_FALSE(t->refresh_token);  // RFC 6749 §4.4.3
  EXPECT_FALSE(t->id_token);
  boost::json::object at = Payload(t->access_token);
  EXPECT_EQ(Str(at, "sub"), m.client_id);
  EXPECT_EQ(Str(at, "client_id"), m.client_id);
  EXPECT_EQ(Str(at, "iss"), issuer_);
  EXPECT_FALSE(at.contains("sid"));  // no session: introspection needs none to call it active
  EXPECT_TRUE(Active(t->access_token));
  // Not a user's token: userinfo has nobody to describe.
  EXPECT_EQ(oauth_tokens_->UserInfo(app_, t->access_token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(ClientCredentialsGrantTest, ScopesAreTheClientsButNeverAUsers) {
  store::OAuthClient m = Machine({"invoices:write", "openid", "profile", "account", "invoices:read"});
  // None asked: every scope it may have here, sorted; OIDC's and the account API's left out.
  EXPECT_EQ(Issue(m, std::nullopt)->scope, "invoices:read invoices:write");
  EXPECT_EQ(Issue(m, "")->scope, "invoices:read invoices:write");
  // Repeats and order do not matter.
  EXPECT_EQ(Issue(m, "invoices:write invoices:read invoices:write")->scope,
            "invoices:read invoices:write");
  for (const std::string& scope : std::vector<std::string>{"openid", "invoices:read profile",
                                                           "account", "admin", "invoices:READ"}) {
    auto refused = Issue(m, scope);
    ASSERT_FALSE(refused.ok()) << scope;
    EXPECT_EQ(refused.error().code, "invalid_scope") << scope;
  }
  EXPECT_EQ(Issue(m, "invoices:read admin").error().description, "scope not allowed: admin");
  // A client with only user scopes gets a token with none.
  auto bare = Issue(Machine({"openid"}), std::nullopt);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->scope, "");
}

TEST_F(ClientCredentialsGrantTest, GrantTypesPickTheGrantByItsName) {
  store::OAuthClient every = Confidential();
  ClientUpdate all_grants;
  all_grants.grant_types = {"authorization_code", "refresh_token", "client_credentials"};
  every = clients_->Update(app_, every.client_id, all_grants, CliActor()).value();
  for (std::string_view type : {"authorization_code", "refresh_token", "client_credentials"}) {
    auto grant = grant_types_->For(app_, every, type);
    ASSERT_TRUE(grant.ok()) << type;
    EXPECT_EQ((*grant)->type(), type);
  }
  EXPECT_EQ(*grant_types_->For(app_, every, "authorization_code"), code_grant_.get());
  EXPECT_EQ(*grant_types_->For(app_, every, "refresh_token"), refresh_grant_.get());
  EXPECT_EQ(*grant_types_->For(app_, every, "client_credentials"), client_credentials_grant_.get());
}

TEST_F(ClientCredentialsGrantTest, GrantTypesRefuseWhatIsNotOfferedOrNotAllowed) {
  store::OAuthClient web = Confidential();  // authorization_code, refresh_token
  for (std::string_view type : {"password", "implicit", "token", "", "Authorization_Code",
                                "urn:ietf:params:oauth:grant-type:jwt-bearer"}) {
    auto refused = grant_types_->For(app_, web, type);
    ASSERT_FALSE(refused.ok()) << type;
    EXPECT_EQ(refused.error().code, "unsupported_grant_type");
    EXPECT_EQ(refused.error().description, "unsupported grant_type: " + std::string(type));
  }
  auto not_allowed = grant_types_->For(app_, web, "client_credentials");
  ASSERT_FALSE(not_allowed.ok());
  EXPECT_EQ(not_allowed.error().code, "unauthorized_client");
  EXPECT_EQ(not_allowed.error().description, "this client may not use the client_credentials grant");
  auto machine_code = grant_types_->For(app_, Machine({"x"}), "refresh_token");
  EXPECT_EQ(machine_code.error().code, "unauthorized_client");

  // Even a grant a client lists is unsupported when no row offers it.
  GrantTypes code_only({code_grant_.get()});
  EXPECT_EQ(code_only.For(app_, web, "refresh_token").error().code, "unsupported_grant_type");
  EXPECT_TRUE(code_only.For(app_, web, "authorization_code").ok());
}

}  // namespace
}  // namespace tessera::services
