// DPoP proofs (DpopProofService, RFC 9449 §4.3): what a valid proof gives (its key's RFC 7638
// thumbprint), each check that refuses one, replays refused across nodes, and server nonces.
#include "tokens/dpop_proof_service.h"

#include <gtest/gtest.h>

#include "tests/support/dpop_proof.h"
#include "tests/support/service_stack.h"

namespace tessera::services {
namespace {

namespace json = boost::json;
using testing_support::DpopClientKey;

constexpr char kTokenUrl[] = "https://id.example/apps/default/oauth/token";

class DpopProofServiceTest : public testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    Build();
    dpop_ = std::make_unique<DpopProofService>(*store_, clock_, "nonce key");
  }
  int64_t Now() const { return clock_.NowSeconds(); }
  Result<DpopProof> Check(const std::string& proof, const std::string& url = kTokenUrl,
                          const std::string& method = "POST", const std::string& token = "") {
    return dpop_->Check(app_, {proof, method, url, token});
  }
  // The reason a proof is refused (kUnauthenticated), or the code when it is refused otherwise.
  std::string Refusal(const std::string& proof, const std::string& url = kTokenUrl,
                      const std::string& method = "POST", const std::string& token = "") {
    auto r = Check(proof, url, method, token);
    if (r.ok()) return "accepted";
    if (r.status().code() != StatusCode::kUnauthenticated) {
      return std::string(StatusCodeName(r.status().code()));
    }
    return r.status().message();
  }

  DpopClientKey client_;
  std::unique_ptr<DpopProofService> dpop_;
};

TEST_F(DpopProofServiceTest, AValidProofGivesItsKeysThumbprint) {
  for (crypto::JwsAlg alg : {crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA, crypto::JwsAlg::kRS256}) {
    DpopClientKey key(alg);
    auto proof = Check(key.Proof("POST", kTokenUrl, Now()));
    ASSERT_TRUE(proof.ok()) << crypto::JwsAlgName(alg) << ": " << proof.status().ToString();
    EXPECT_EQ(proof->jkt, key.Thumbprint()) << crypto::JwsAlgName(alg);
    EXPECT_EQ(proof->jkt.size(), 43u);
  }
  // Two keys, two thumbprints.
  EXPECT_NE(DpopClientKey().Thumbprint(), client_.Thumbprint());
}

TEST_F(DpopProofServiceTest, EachCheckOfSection4_3RefusesItsProof) {
  using Edit = DpopClientKey::Edit;
  struct Case {
    const char* name;
    Edit edit;
    const char* why;
  };
  auto other = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k").value();
  const Case cases[] = {
      {"typ JWT", [](auto& h, auto&) { h["typ"] = "JWT"; }, "invalid DPoP proof: wrong typ"},
      {"no typ", [](auto& h, auto&) { h.erase("typ"); }, "invalid DPoP proof: wrong typ"},
      {"alg none", [](auto& h, auto&) { h["alg"] = "none"; },
       "invalid DPoP proof: algorithm not allowed"},
      {"alg HS256", [](auto& h, auto&) { h["alg"] = "HS256"; },
       "invalid DPoP proof: algorithm not allowed"},
      {"alg of another key type", [](auto& h, auto&) { h["alg"] = "RS256"; },
       "invalid DPoP proof: the header has no acceptable public jwk"},
      {"no jwk", [](auto& h, auto&) { h.erase("jwk"); },
       "invalid DPoP proof: the header has no acceptable public jwk"},
      {"jwk not an object", [](auto& h, auto&) { h["jwk"] = "key"; },
       "invalid DPoP proof: the header has no acceptable public jwk"},
      {"jwk with the private key",
       [&](auto& h, auto&) { h["jwk"].as_object()["d"] = "AAAA"; },
       "invalid DPoP proof: the header has no acceptable public jwk"},
      {"jwk of another key than the signer's",
       [&](auto& h, auto&) {
         json::object j = other.PublicJwk();
         j.erase("kid");
         h["jwk"] = j;
       },
       "invalid DPoP proof: bad signature"},
      {"crit", [](auto& h, auto&) { h["crit"] = json::array{"exp"}; },
       "invalid DPoP proof: unsupported critical header"},
      {"no jti", [](auto&, auto& c) { c.erase("jti"); }, "invalid DPoP proof: jti is missing"},
      {"empty jti", [](auto&, auto& c) { c["jti"] = ""; }, "invalid DPoP proof: jti is missing"},
      {"jti not a string", [](auto&, auto& c) { c["jti"] = 7; }, "invalid DPoP proof: jti is missing"},
      {"huge jti", [](auto&, auto& c) { c["jti"] = std::string(257, 'j'); },
       "invalid DPoP proof: jti is missing"},
      {"htm GET", [](auto&, auto& c) { c["htm"] = "GET"; },
       "invalid DPoP proof: htm does not name this request's method"},
      {"htm lower case", [](auto&, auto& c) { c["htm"] = "post"; },
       "invalid DPoP proof: htm does not name this request's method"},
      {"no htm", [](auto&, auto& c) { c.erase("htm"); },
       "invalid DPoP proof: htm does not name this request's method"},
      {"htu of another endpoint",
       [](auto&, auto& c) { c["htu"] = "https://id.example/apps/default/oauth/userinfo"; },
       "invalid DPoP proof: htu does not name this endpoint"},
      {"htu of another app", [](auto&, auto& c) { c["htu"] = "https://id.example/apps/b/oauth/token"; },
       "invalid DPoP proof: htu does not name this endpoint"},
      {"htu over http", [](auto&, auto& c) { c["htu"] = "http://id.example/apps/default/oauth/token"; },
       "invalid DPoP proof: htu does not name this endpoint"},
      {"htu relative", [](auto&, auto& c) { c["htu"] = "/apps/default/oauth/token"; },
       "invalid DPoP proof: htu does not name this endpoint"},
      {"no htu", [](auto&, auto& c) { c.erase("htu"); },
       "invalid DPoP proof: htu does not name this endpoint"},
      {"no iat", [](auto&, auto& c) { c.erase("iat"); }, "invalid DPoP proof: iat is missing"},
      {"iat a string", [](auto&, auto& c) { c["iat"] = "now"; }, "invalid DPoP proof: iat is missing"},
      {"iat 6 minutes old", [&](auto&, auto& c) { c["iat"] = Now() - 301; },
       "invalid DPoP proof: the proof is too old"},
      {"iat 2 minutes ahead", [&](auto&, auto& c) { c["iat"] = Now() + 61; },
       "invalid DPoP proof: iat is in the future"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", c.edit)), c.why) << c.name;
  }
  // Not a JWS at all, or too big to read.
  EXPECT_EQ(Refusal("not-a-proof"), "invalid DPoP proof: not a compact JWS");
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", [](auto&, auto& c) {
              c["pad"] = std::string(9000, 'p');
            })),
            "invalid DPoP proof: too large");
  // A signature changed in its last character (RFC 4648 §3.5: one spelling per value).
  std::string proof = client_.Proof("POST", kTokenUrl, Now());
  proof.back() = proof.back() == 'A' ? 'B' : 'A';
  EXPECT_NE(Refusal(proof), "accepted");
  // A method other than the request's.
  EXPECT_EQ(Refusal(client_.Proof("GET", kTokenUrl, Now()), kTokenUrl, "POST"),
            "invalid DPoP proof: htm does not name this request's method");
}

TEST_F(DpopProofServiceTest, HtuIsComparedNormalizedWithoutQueryOrFragment) {
  for (const char* htu :
       {"https://id.example/apps/default/oauth/token?x=1", "https://id.example/apps/default/oauth/token#f",
        "HTTPS://ID.EXAMPLE/apps/default/oauth/token", "https://id.example:443/apps/default/oauth/token",
        "https://id.example/apps/default/./oauth/token", "https://id.example/apps/%64efault/oauth/token"}) {
    EXPECT_EQ(Refusal(client_.Proof("POST", htu, Now())), "accepted") << htu;
  }
  EXPECT_EQ(Refusal(client_.Proof("POST", "https://id.example:8443/apps/default/oauth/token", Now())),
            "invalid DPoP proof: htu does not name this endpoint");
  EXPECT_EQ(Refusal(client_.Proof("POST", "https://id.example/apps/default/oauth/TOKEN", Now())),
            "invalid DPoP proof: htu does not name this endpoint");  // paths are case-sensitive
  EXPECT_EQ(NormalizedHtu("https://ID.example:443/a/../b?q#f"), "https://id.example/b");
  EXPECT_EQ(NormalizedHtu("https://id.example"), "https://id.example/");
  EXPECT_EQ(NormalizedHtu("ftp://id.example/x"), std::nullopt);
  EXPECT_EQ(NormalizedHtu("not a url"), std::nullopt);
}

TEST_F(DpopProofServiceTest, AtAResourceAthMustBeTheTokensHash) {
  const std::string url = "https://id.example/apps/default/oauth/userinfo";
  EXPECT_EQ(Refusal(client_.Proof("GET", url, Now(), "the-token"), url, "GET", "the-token"), "accepted");
  EXPECT_EQ(Refusal(client_.Proof("GET", url, Now()), url, "GET", "the-token"),
            "invalid DPoP proof: ath does not match the access token");
  EXPECT_EQ(Refusal(client_.Proof("GET", url, Now(), "another-token"), url, "GET", "the-token"),
            "invalid DPoP proof: ath does not match the access token");
}

TEST_F(DpopProofServiceTest, AProofIsAcceptedOnceOnEveryNode) {
  std::string proof = client_.Proof("POST", kTokenUrl, Now());
  ASSERT_EQ(Refusal(proof), "accepted");
  EXPECT_EQ(Refusal(proof), "invalid DPoP proof: the proof was used before");
  // Another node (another service over the same database) refuses it too.
  DpopProofService other_node(*store_, clock_, "nonce key");
  EXPECT_EQ(other_node.Check(app_, {proof, "POST", kTokenUrl, ""}).status().message(),
            "invalid DPoP proof: the proof was used before");
  // Still a replay at the end of its window; the row outlives it.
  clock_.Advance(299'000);
  EXPECT_EQ(Refusal(proof), "invalid DPoP proof: the proof was used before");
  clock_.Advance(2'000);
  EXPECT_EQ(Refusal(proof), "invalid DPoP proof: the proof is too old");
  // The same jti from another key is another proof (the key is part of its identity).
  DpopClientKey second;
  auto same_jti = [](auto&, auto& c) { c["jti"] = "one-jti"; };
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", same_jti)), "accepted");
  EXPECT_EQ(Refusal(second.Proof("POST", kTokenUrl, Now(), "", same_jti)), "accepted");
}

TEST_F(DpopProofServiceTest, ServerNoncesWhenTheAppRequiresThem) {
  app_.settings.dpop_nonce = true;
  auto with_nonce = [](std::string nonce) {
    return [nonce](auto&, auto& c) { c["nonce"] = nonce; };
  };
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now())), "FAILED_PRECONDITION");
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", with_nonce("made-up"))),
            "FAILED_PRECONDITION");
  std::string nonce = dpop_->Nonce(app_);
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", with_nonce(nonce))), "accepted");
  // Any node's nonce: the key is shared, the nonce stateless.
  DpopProofService other_node(*store_, clock_, "nonce key");
  EXPECT_EQ(other_node.Nonce(app_), nonce);
  // Good through the next period, then stale.
  clock_.Advance(300'000);
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", with_nonce(nonce))), "accepted");
  EXPECT_NE(dpop_->Nonce(app_), nonce);
  clock_.Advance(300'000);
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", with_nonce(nonce))),
            "FAILED_PRECONDITION");
  // Another app's nonce, or another server's (another master key), is no nonce here.
  store::App b = app_;
  b.id = "another-app";
  EXPECT_NE(dpop_->Nonce(b), dpop_->Nonce(app_));
  DpopProofService elsewhere(*store_, clock_, "another nonce key");
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now(), "", with_nonce(elsewhere.Nonce(app_)))),
            "FAILED_PRECONDITION");
  // Without the setting, a nonce is not needed.
  app_.settings.dpop_nonce = false;
  EXPECT_EQ(Refusal(client_.Proof("POST", kTokenUrl, Now())), "accepted");
}

}  // namespace
}  // namespace tessera::services
