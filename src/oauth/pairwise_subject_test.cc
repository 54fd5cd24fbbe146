// Pairwise subject identifiers (OIDC Core §8.1) across every answer that names a user to a
// client: ID token, access token, userinfo, introspection (access and refresh tokens), logout
// token; one sector (the redirect URIs' host) one sub, other sectors others, a public client
// the user's id; the grant's access token still finds its user (by its session), an
// id_token_hint of a pairwise client still names the signed-in user; and the registration
// rules (the app must allow it, one host, the host kept).
#include "oauth/subject_identifiers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/oauth_fixture.h"

namespace tessera::services::testing_oauth {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Fields(const Status& s) {
  std::vector<std::string> out;
  for (const auto& e : s.field_errors()) out.push_back(e.field);
  return out;
}

class PairwiseSubjectTest : public OAuthFixture {
 protected:
  void SetUp() override {
    OAuthFixture::SetUp();
    SetPairwise(true);
    photos_ = Pairwise("Photos", {"https://photos.example/cb"});
    albums_ = Pairwise("Albums", {"https://PHOTOS.example/albums/cb"});  // the same sector
    maps_ = Pairwise("Maps", {"https://maps.example/cb"});
    plain_ = Confidential("Plain");
    user_ = SignUp("ada@example.com", "ada");
    browser_session_ = SignIn(user_).session;
  }

  void SetPairwise(bool on) {
    store::AppSettings s = app_.settings;
    s.pairwise_subjects = on;
    app_ = apps_->UpdateSettings(app_.slug, s).value();
  }

  store::OAuthClient Pairwise(std::string name, std::vector<std::string> redirect_uris) {
    ClientRegistration r;
    r.name = std::move(name);
    r.redirect_uris = std::move(redirect_uris);
    r.pairwise_subject = true;
    return Register(std::move(r));
  }

  std::string SubOf(const store::OAuthClient& c, GrantedTokens* out = nullptr) {
    GrantedTokens t = Grant(c, browser_session_, "openid profile offline_access");
    std::string sub = Str(Payload(*t.id_token), "sub");
    if (out) *out = std::move(t);
    return sub;
  }

  store::OAuthClient photos_, albums_, maps_, plain_;
  store::User user_;
  store::Session browser_session_;
};

TEST_F(PairwiseSubjectTest, OneSectorOneSubOtherSectorsOthersPublicClientsTheUserId) {
  std::string photos = SubOf(photos_), albums = SubOf(albums_), maps = SubOf(maps_);
  EXPECT_EQ(photos, albums);   // same host: one sector
  EXPECT_NE(photos, maps);     // other sector: unlinkable
  EXPECT_NE(photos, user_.id);
  EXPECT_EQ(photos.size(), 43u);  // base64url of an HMAC-SHA256
  EXPECT_EQ(SubOf(plain_), user_.id);
  // Stable: another grant, the same sub.
  EXPECT_EQ(SubOf(photos_), photos);
  // Another user of the same sector, another sub.
  store::User bob = SignUp("bob@example.com", "bob");
  browser_session_ = SignIn(bob).session;
  EXPECT_NE(SubOf(photos_), photos);
}

TEST_F(PairwiseSubjectTest, EveryAnswerToTheClientNamesTheUserByTheSameSub) {
  GrantedTokens t;
  const std::string sub = SubOf(photos_, &t);
  EXPECT_EQ(Str(Payload(t.access_token), "sub"), sub);
  // Userinfo and introspection find the user by the token's session, and say its sub.
  auto info = oauth_tokens_->UserInfo(app_, t.access_token);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(Str(*info, "sub"), sub);
  EXPECT_EQ(Str(*info, "preferred_username"), "ada");
  auto at = oauth_tokens_->Introspect(app_, photos_, t.access_token, "").value();
  EXPECT_TRUE(at.at("active").as_bool());
  EXPECT_EQ(Str(at, "sub"), sub);
  auto rt = oauth_tokens_->Introspect(app_, photos_, *t.refresh_token, "").value();
  EXPECT_TRUE(rt.at("active").as_bool());
  EXPECT_EQ(Str(rt, "sub"), sub);
  // A refresh keeps it.
  auto refreshed = Refresh(photos_, *t.refresh_token);
  ASSERT_TRUE(refreshed.ok()) << ErrorOf(refreshed);
  EXPECT_EQ(Str(Payload(*refreshed->id_token), "sub"), sub);
  EXPECT_EQ(Str(Payload(refreshed->access_token), "sub"), sub);
  // The back-channel logout token too.
  auto logout = token_issuer_->LogoutToken(app_, photos_, user_.id, "sid-1");
  ASSERT_TRUE(logout.ok());
  EXPECT_EQ(Str(Payload(*logout), "sub"), sub);
}

TEST_F(PairwiseSubjectTest, AHintOfAPairwiseClientNamesTheSignedInUser) {
  std::string hint = *Grant(photos_, browser_session_, "openid").id_token;
  store::User bob = SignUp("bob@example.com", "bob");
  store::Session bobs = SignIn(bob).session;
  Params p = BaseParams(photos_);
  p["id_token_hint"] = hint;
  ValidAuthorization req = Valid(p);
  EXPECT_FALSE(authz_->HintNamesAnotherUser(req, browser_session_));
  EXPECT_TRUE(authz_->HintNamesAnotherUser(req, bobs));
}

TEST_F(PairwiseSubjectTest, TheKeyMakesTheSub) {
  SubjectIdentifiers other("another server's key");
  SubjectIdentifiers same("pairwise subject key of the tests");
  EXPECT_EQ(same.For(photos_, user_.id), subjects_.For(photos_, user_.id));
  EXPECT_NE(other.For(photos_, user_.id), subjects_.For(photos_, user_.id));
  EXPECT_EQ(other.For(plain_, user_.id), user_.id);
  EXPECT_EQ(SubjectIdentifiers::SectorOf(albums_), "photos.example");
  store::OAuthClient device_only = photos_;
  device_only.redirect_uris.clear();
  EXPECT_EQ(SubjectIdentifiers::SectorOf(device_only), device_only.client_id);
  store::OAuthClient native = photos_;
  native.redirect_uris = {"com.example.app:/cb", "com.example.app:/other"};
  EXPECT_EQ(SubjectIdentifiers::SectorOf(native), "com.example.app");
  EXPECT_TRUE(SubjectIdentifiers::HasOneSector(native));
}

TEST_F(PairwiseSubjectTest, RegistrationRules) {
  // Two hosts: no one sector.
  ClientRegistration two;
  two.name = "Two";
  two.redirect_uris = {"https://a.example/cb", "https://b.example/cb"};
  two.pairwise_subject = true;
  EXPECT_THAT(Fields(clients_->Register(app_, two).status()), ElementsAre("redirect_uris"));
  // The host of a pairwise client stays; its path may change.
  ClientUpdate moved;
  moved.redirect_uris = std::vector<std::string>{"https://elsewhere.example/cb"};
  EXPECT_THAT(Fields(clients_->Update(app_, photos_.client_id, moved, CliActor()).status()),
              ElementsAre("redirect_uris"));
  ClientUpdate path;
  path.redirect_uris = std::vector<std::string>{"https://photos.example/new/cb"};
  EXPECT_TRUE(clients_->Update(app_, photos_.client_id, path, CliActor()).ok());
  // Off: no new pairwise client, nor a public one turned pairwise; those that are stay.
  SetPairwise(false);
  ClientRegistration again;
  again.name = "Again";
  again.redirect_uris = {"https://again.example/cb"};
  again.pairwise_subject = true;
  EXPECT_THAT(Fields(clients_->Register(app_, again).status()), ElementsAre("subject_type"));
  ClientUpdate turn;
  turn.pairwise_subject = true;
  EXPECT_THAT(Fields(clients_->Update(app_, plain_.client_id, turn, CliActor()).status()),
              ElementsAre("subject_type"));
  ClientUpdate rename;
  rename.name = "Photos 2";
  auto kept = clients_->Update(app_, photos_.client_id, rename, CliActor());
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_TRUE(kept->pairwise_subject);
  EXPECT_NE(SubOf(*kept), user_.id);
}

}  // namespace
}  // namespace tessera::services::testing_oauth
