// File: dpop_proof_service.h
// DPoP proofs (RFC 9449): a client shows, with each request, that it holds the private key a
// token is bound to. A proof is a JWT (typ dpop+jwt) signed with that key, the public half in
// its header (`jwk`), naming the request (htm, htu), fresh (iat), used once (jti) and, at a
// resource, bound to the access token presented (ath). Its key's RFC 7638 thumbprint (jkt) is
// what tokens carry as cnf.jkt. The checks are §4.3's, in one place for the token endpoint,
// PAR and userinfo.
//
// Replays are refused on every node: the thumbprint and jti of each accepted proof go into the
// shared store (store::DpopProofStore) until the proof could no longer pass as fresh.
// Server nonces (§8, when the app's `dpop_nonce` is on) are stateless: an HMAC of the app and
// the current five-minute period under a key every node derives from the master key, so any
// node accepts a nonce any other node sent, for five to ten minutes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/signing_key.h"
#include "tenancy/tenancy_records.h"
#include "tokens/token_store.h"

namespace tessera::services {

struct DpopProofRequest {
  std::string_view proof;         // the DPoP header's value
  std::string_view method;        // the HTTP method the proof must name (htm)
  std::string_view url;           // the endpoint's public URL, no query (htu)
  std::string_view access_token;  // at a resource, the token presented (ath); "" otherwise
};

struct DpopProof {
  std::string jkt;  // the RFC 7638 thumbprint of the proof's key
};

struct DpopProofOptions {
  int64_t max_age_s = 300;     // how old an iat may be
  int64_t future_skew_s = 60;  // how far ahead of our clock an iat may be
  int64_t nonce_period_s = 300;
};

class DpopProofService {
 public:
  DpopProofService(store::DpopProofStore& proofs, const Clock& clock, std::string nonce_key,
                   DpopProofOptions options = {})
      : proofs_(proofs), clock_(clock), nonce_key_(std::move(nonce_key)), options_(options) {}

  // The proof's key thumbprint when every check passes. kUnauthenticated, saying why, for a
  // proof that is not valid (invalid_dpop_proof); kFailedPrecondition when the app requires
  // server nonces and the proof lacks a current one (use_dpop_nonce: send Nonce()).
  // Other codes: the store failed.
  Result<DpopProof> Check(const store::App& app, const DpopProofRequest& request);

  // The nonce to send now (the DPoP-Nonce header): the same on every node in a period.
  std::string Nonce(const store::App& app) const;

  // The algorithms proofs may use (dpop_signing_alg_values_supported): asymmetric only.
  static const std::vector<crypto::JwsAlg>& Algorithms();

 private:
  std::string NonceFor(const store::App& app, int64_t period) const;
  bool NonceIsCurrent(const store::App& app, std::string_view nonce) const;

  store::DpopProofStore& proofs_;
  const Clock& clock_;
  std::string nonce_key_;
  DpopProofOptions options_;
};

// The htu a proof must carry for `url`, compared after RFC 3986 §6.2.2–6.2.3 normalization
// (case of scheme and host, percent-encoding, dot segments, default port, empty path) and
// without query or fragment (RFC 9449 §4.3 check 9); nullopt when it is no http(s) URL.
std::optional<std::string> NormalizedHtu(std::string_view url);

}  // namespace tessera::services
