#include "oauth/dpop_token_request.h"

namespace tessera::services {

OAuthResult<std::string> DpopKeyOfTokenRequest(DpopProofService& dpop, const store::App& app,
                                               const store::OAuthClient& client,
                                               const DpopTokenRequest& request) {
  if (!app.settings.dpop) {
    // A server without DPoP ignores the header (§5: the tokens are bearer tokens); but a
    // client registered for bound tokens never silently gets bearer ones.
    if (client.dpop_bound_access_tokens) {
      return OAuthError(kInvalidRequest,
                        "this client requires DPoP-bound tokens, and DPoP is off for the app");
    }
    return std::string();
  }
  if (request.proofs.empty()) {
    if (client.dpop_bound_access_tokens) {
      return OAuthError(kInvalidRequest, "this client must send a DPoP proof");
    }
    return std::string();
  }
  if (request.proofs.size() > 1) return OAuthError(kInvalidDpopProof, "more than one DPoP header");
  auto proof = dpop.Check(app, {request.proofs[0], request.method, request.url, ""});
  if (proof.ok()) return std::move(proof->jkt);
  switch (proof.status().code()) {
    case StatusCode::kUnauthenticated:
      return OAuthError(kInvalidDpopProof, proof.status().message());
    case StatusCode::kFailedPrecondition:
      return OAuthError(kUseDpopNonce, proof.status().message());
    default: return UnexpectedFailure(proof.status());
  }
}

}  // namespace tessera::services
