// File: dpop_proof.h
// DPoP proofs as a client makes them (RFC 9449 §4.2), for the tests: a key of the client's,
// and proofs whose header and claims a test may change to try each refusal.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/signing_key.h"

namespace tessera::services::testing_support {

class DpopClientKey {
 public:
  explicit DpopClientKey(crypto::JwsAlg alg = crypto::JwsAlg::kES256)
      : key_(crypto::SigningKey::Generate(alg, "client-key").value()) {}

  // The public JWK as the client sends it: no kid, use or alg (RFC 9449 §4.2 needs none).
  boost::json::object Jwk() const {
    boost::json::object jwk = key_.PublicJwk();
    jwk.erase("kid");
    jwk.erase("use");
    jwk.erase("alg");
    return jwk;
  }

  // RFC 7638, computed here from the members by hand (not by the code under test).
  std::string Thumbprint() const {
    boost::json::object j = Jwk();
    std::string canonical;
    auto s = [&](const char* k) { return std::string(j.at(k).as_string()); };
    if (j.at("kty") == "EC") {
      canonical = R"({"crv":")" + s("crv") + R"(","kty":"EC","x":")" + s("x") + R"(","y":")" +
                  s("y") + R"("})";
    } else if (j.at("kty") == "RSA") {
      canonical = R"({"e":")" + s("e") + R"(","kty":"RSA","n":")" + s("n") + R"("})";
    } else {
      canonical = R"({"crv":")" + s("crv") + R"(","kty":"OKP","x":")" + s("x") + R"("})";
    }
    return crypto::Base64UrlEncode(crypto::Sha256(canonical));
  }

  // A proof for `method url` made now (`iat`), with the claims a test may change first.
  using Edit = std::function<void(boost::json::object& header, boost::json::object& claims)>;
  std::string Proof(const std::string& method, const std::string& url, int64_t iat,
                    const std::string& access_token = "", const Edit& edit = {}) const {
    boost::json::object header{{"typ", "dpop+jwt"},
                               {"alg", crypto::JwsAlgName(key_.alg())},
                               {"jwk", Jwk()}};
    boost::json::object claims{{"jti", crypto::Base64UrlEncode(crypto::RandomBytes(16))},
                               {"htm", method},
                               {"htu", url},
                               {"iat", iat}};
    if (!access_token.empty()) {
      claims["ath"] = crypto::Base64UrlEncode(crypto::Sha256(access_token));
    }
    if (edit) edit(header, claims);
    return SignedWith(key_, header, claims);
  }

  static std::string SignedWith(const crypto::SigningKey& key, const boost::json::object& header,
                                const boost::json::object& claims) {
    std::string input = crypto::Base64UrlEncode(boost::json::serialize(header)) + "." +
                        crypto::Base64UrlEncode(boost::json::serialize(claims));
    return input + "." + crypto::Base64UrlEncode(key.Sign(input).value());
  }

  const crypto::SigningKey& key() const { return key_; }

 private:
  crypto::SigningKey key_;
};

}  // namespace tessera::services::testing_support
