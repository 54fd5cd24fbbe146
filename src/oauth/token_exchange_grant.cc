#include "oauth/token_exchange_grant.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "base/strings.h"
#include "oauth/oidc_claims.h"

namespace tessera::services {
namespace {

// RFC 8693 §2.2.2.
constexpr std::string_view kInvalidTarget = "invalid_target";

OAuthError Invalid(std::string why) { return OAuthError(kInvalidRequest, std::move(why)); }

}  // namespace

std::string_view TokenExchangeGrant::type() const { return kTokenExchangeGrantType; }

bool TokenExchangeGrant::EnabledFor(const store::App& app) const {
  return app.settings.token_exchange;
}

OAuthResult<std::string> TokenExchangeGrant::Target(const GrantRequest& r) const {
  std::optional<std::string> audience = r.Optional("audience");
  std::optional<std::string> resource = r.Optional("resource");
  if (audience && resource && *audience != *resource) {
    return Invalid("name one target: audience or resource, not two different ones");
  }
  std::optional<std::string> target = audience ? audience : resource;
  const std::vector<std::string>& allowed = r.client.token_exchange_audiences;
  if (!target) {
    if (allowed.size() == 1) return allowed[0];
    return Invalid("audience (or resource) is required");
  }
  if (!Contains(allowed, *target)) {
    return OAuthError(kInvalidTarget, "this client may not exchange tokens for " + *target);
  }
  return *target;
}

OAuthResult<std::string> TokenExchangeGrant::ActClaim(const GrantRequest& r,
                                                       const VerifiedAccessToken& subject) {
  std::optional<std::string> actor_token = r.Optional("actor_token");
  std::optional<std::string> actor_type = r.Optional("actor_token_type");
  if (!actor_token) {
    if (actor_type) return Invalid("actor_token_type without actor_token");
    return subject.act_json;  // whoever acted before still does
  }
  if (actor_type != kAccessTokenType) {
    return Invalid("actor_token_type must be urn:ietf:params:oauth:token-type:access_token");
  }
  auto actor = tokens_.ActiveAccessToken(r.app, *actor_token);
  if (!actor.ok()) {
    if (actor.status().code() == StatusCode::kUnauthenticated) {
      return Invalid("actor_token is not an active access token of this issuer");
    }
    return UnexpectedFailure(actor.status());
  }
  boost::json::object act{{"sub", actor->subject}};
  if (!subject.act_json.empty()) act["act"] = boost::json::parse(subject.act_json);
  return boost::json::serialize(act);
}

OAuthResult<GrantedTokens> TokenExchangeGrant::Issue(const GrantRequest& r) {
  std::optional<std::string> subject_token = r.Optional("subject_token");
  if (!subject_token || subject_token->empty()) return Invalid("subject_token is required");
  if (r.Optional("subject_token_type") != kAccessTokenType) {
    return Invalid("subject_token_type must be urn:ietf:params:oauth:token-type:access_token");
  }
  if (auto wanted = r.Optional("requested_token_type"); wanted && *wanted != kAccessTokenType) {
    return Invalid("only access tokens are issued (requested_token_type)");
  }
  OAuthResult<std::string> target = Target(r);
  if (!target.ok()) return target.error();
  store::User user;
  auto subject = tokens_.ActiveAccessToken(r.app, *subject_token, &user);
  if (!subject.ok()) {
    if (subject.status().code() == StatusCode::kUnauthenticated) {
      return Invalid("subject_token is not an active access token of this issuer");
    }
    return UnexpectedFailure(subject.status());
  }
  if (subject->session_id.empty()) return Invalid("subject_token must be a user's access token");
  // Never more than the subject token had (RFC 8693 §2.1 scope; RFC 6749 §3.3).
  std::vector<std::string> had = SplitScopes(subject->scope);
  std::vector<std::string> scopes = had;
  if (auto asked = r.Optional("scope")) {
    scopes = SplitScopes(*asked);
    for (const auto& s : scopes) {
      if (!Contains(had, s)) return OAuthError(kInvalidScope, "the subject token does not have scope " + s);
    }
  }
  OAuthResult<std::string> act = ActClaim(r, *subject);
  if (!act.ok()) return act.error();
  auto issued = issuer_.ForExchange(r.app, r.client, user, *subject, *target, JoinScopes(scopes), *act,
                                    r.dpop_jkt);
  if (!issued.ok()) {
    if (issued.status().code() == StatusCode::kUnauthenticated) return Invalid(issued.status().message());
    return UnexpectedFailure(issued.status());
  }
  LogJson(spdlog::level::info, "token_exchanged",
          {{"app", r.app.slug}, {"client_id", r.client.client_id}, {"user_id", user.id},
           {"audience", *target}, {"actor", !act->empty()}});
  return std::move(*issued);
}

}  // namespace tessera::services
