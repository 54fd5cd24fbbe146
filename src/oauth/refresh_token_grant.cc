#include "oauth/refresh_token_grant.h"

#include "base/strings.h"
#include "crypto/digest.h"
#include "oauth/oidc_claims.h"

namespace tessera::services {
namespace {

// invalid_scope for the first of `requested` outside `granted`.
std::optional<OAuthError> Exceeds(const std::string& granted, const std::vector<std::string>& requested) {
  std::vector<std::string> allowed = SplitScopes(granted);
  for (const auto& s : requested) {
    if (!Contains(allowed, s)) return OAuthError(kInvalidScope, "scope exceeds the original grant: " + s);
  }
  return std::nullopt;
}

}  // namespace

OAuthResult<GrantedTokens> RefreshTokenGrant::Issue(const GrantRequest& request) {
  std::string presented = request.Param("refresh_token");
  if (presented.empty()) return OAuthError(kInvalidRequest, "refresh_token is required");
  std::optional<std::string> scope = request.Optional("scope");
  if (auto error = RefusedBeforeSpending(request, presented, scope)) return std::move(*error);
  auto rotated = refresh_tokens_.Rotate(request.app, request.client.client_id, presented,
                                        request.caller);
  if (rotated.status().code() == StatusCode::kUnauthenticated) {
    return OAuthError(kInvalidGrant, "invalid refresh token");
  }
  if (!rotated.ok()) return UnexpectedFailure(rotated.status());
  const store::Session& session = rotated->session;
  std::vector<std::string> scopes = SplitScopes(session.scope);
  if (scope) {
    scopes = SplitScopes(*scope);
    if (auto error = Exceeds(session.scope, scopes)) return std::move(*error);
  }
  auto tokens = tokens_.ForUser(request.app, request.client, rotated->user, session, scopes,
                                std::move(rotated->refresh_token), "", request.dpop_jkt);
  if (!tokens.ok()) return UnexpectedFailure(tokens.status());
  return std::move(*tokens);
}

// Refused before the token is spent, as no new token comes with the error:
// - a token of a DPoP-bound grant presented without a proof of its key (RFC 9449 §5): whoever
//   stole it cannot spend it, nor, by replaying it spent, get the grant revoked;
// - a scope beyond the grant: the client must be able to retry with this token (which, spent,
//   would look like a replay and revoke the grant); only a live token is checked.
// Anything else goes on to the rotation, which refuses it (and detects replays).
std::optional<OAuthError> RefreshTokenGrant::RefusedBeforeSpending(
    const GrantRequest& request, std::string_view refresh_token,
    const std::optional<std::string>& scope) {
  // Only a public client's grant is ever bound (GrantStart): a confidential client's refresh
  // without a scope needs no read before the rotation, which is the hot path.
  if (!request.client.is_public && !scope) return std::nullopt;
  int64_t now = clock_.NowMillis();
  auto info = sessions_.GetRefreshToken(request.app.id, crypto::TokenHash(refresh_token));
  if (info.status().IsNotFound()) return std::nullopt;
  if (!info.ok()) return UnexpectedFailure(info.status());
  if (info->session.client_id != request.client.client_id) return std::nullopt;
  const std::string& bound = info->session.dpop_jkt;
  if (!bound.empty() && bound != request.dpop_jkt) {
    return OAuthError(kInvalidGrant, request.dpop_jkt.empty()
                                         ? "the refresh token is DPoP-bound: a proof is required"
                                         : "the DPoP proof is of another key than the grant's");
  }
  bool live = !info->token.used_at && info->token.expires_at > now &&
              !info->session.revoked_at && info->session.expires_at > now;
  if (!live || !scope) return std::nullopt;
  return Exceeds(info->session.scope, SplitScopes(*scope));
}

}  // namespace tessera::services
