// File: dpop_token_request.h
// DPoP where a client asks for tokens — the token endpoint (RFC 9449 §5) and pushed
// authorization requests (§10.1): which key, if any, the tokens are to be bound to. One rule
// for both: proofs count only while the app's `dpop` setting is on; at most one proof; a
// client registered with dpop_bound_access_tokens (§5.2) must send one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"
#include "tenancy/tenancy_records.h"
#include "tokens/dpop_proof_service.h"

namespace tessera::services {

struct DpopTokenRequest {
  std::vector<std::string_view> proofs;  // every DPoP header sent
  std::string_view method;               // POST
  std::string url;                       // the endpoint's public URL
};

// The proof's key thumbprint; "" when the request carries no proof (or DPoP is off) and
// needs none. invalid_dpop_proof for a bad proof or more than one, use_dpop_nonce when the
// app requires nonces, invalid_request when a client that must send a proof sent none.
OAuthResult<std::string> DpopKeyOfTokenRequest(DpopProofService& dpop, const store::App& app,
                                               const store::OAuthClient& client,
                                               const DpopTokenRequest& request);

}  // namespace tessera::services
