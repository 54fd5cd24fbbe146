#include "oauth/grant_start.h"

#include "accounts/sign_in_rules.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "oauth/oidc_claims.h"

namespace tessera::services {

OAuthResult<GrantedTokens> GrantStart::Start(const GrantRequest& request,
                                             const ApprovedAuthorization& a) {
  const store::App& app = request.app;
  const store::OAuthClient& client = request.client;
  int64_t now = clock_.NowMillis();
  store::Session session;
  session.id = a.session_id;
  session.app_id = app.id;
  session.user_id = a.user_id;
  session.kind = store::SessionKind::kOAuth;
  session.client_id = client.client_id;
  session.scope = a.scope;
  session.auth_time = a.auth_time;
  session.amr = a.amr;
  session.idp = a.idp;
  session.created_at = session.last_used_at = now;
  session.expires_at = now + session_ttl_s_ * 1000;
  session.parent_id = a.browser_session_id;
  session.user_agent = DisplayText(client.name, 200);  // cut at a character, never inside one
  // RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key (a confidential
  // client's are bound to its credentials already).
  if (client.is_public) session.dpop_jkt = request.dpop_jkt;
  OAuthResult<store::User> user = LiveUser(app, session);
  if (!user.ok()) return user.error();
  std::vector<std::string> scopes = SplitScopes(a.scope);
  std::optional<std::string> refresh;
  std::optional<store::RefreshToken> first;
  if (Contains(scopes, "offline_access") && Contains(client.grant_types, "refresh_token")) {
    NewRefreshToken issued = refresh_tokens_.First(app, session);
    refresh = std::move(issued.token);
    first = std::move(issued.record);
  }
  Status created = sessions_.CreateSession(session, first);
  if (created.IsAlreadyExists()) return OAuthError(kInvalidGrant, "authorization already used");
  if (!created.ok()) return UnexpectedFailure(created);
  auto tokens = tokens_.ForUser(app, client, *user, session, scopes, std::move(refresh), a.nonce,
                                request.dpop_jkt);
  if (!tokens.ok()) return UnexpectedFailure(tokens.status());
  return std::move(*tokens);
}

OAuthResult<store::User> GrantStart::LiveUser(const store::App& app, const store::Session& session) {
  auto user = users_.GetUser(app.id, session.user_id);
  if (user.status().IsNotFound() || (user.ok() && user->disabled)) {
    (void)sessions_.RevokeSessionById(app.id, session.id, store::RevokeReason::kUserDisabled,
                                      clock_.NowMillis());
    return OAuthError(kInvalidGrant, "the user's account is not active");
  }
  if (!user.ok()) return UnexpectedFailure(user.status());
  // A session from before the app began to require verified addresses gets no tokens.
  if (!SessionAllowed(app, *user).ok()) {
    return OAuthError(kInvalidGrant, "the user's email address is not verified");
  }
  return std::move(*user);
}

}  // namespace tessera::services
