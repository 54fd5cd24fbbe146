#include "oauth/authorize_request.h"

#include "oauth/oidc_claims.h"

namespace tessera::services {
namespace {

std::string Get(const AuthorizeRequest::Params& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? std::string() : it->second;
}

std::optional<std::string> Find(const AuthorizeRequest::Params& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? std::nullopt : std::optional<std::string>(it->second);
}

}  // namespace

AuthorizeRequest AuthorizeRequest::Parse(Params params) {
  AuthorizeRequest r;
  r.client_id = Get(params, "client_id");
  r.redirect_uri = Find(params, "redirect_uri");
  r.response_type = Get(params, "response_type");
  r.response_mode = Get(params, "response_mode");
  r.scopes = SplitScopes(Get(params, "scope"));
  r.state = Get(params, "state");
  r.nonce = Get(params, "nonce");
  r.id_token_hint = Get(params, "id_token_hint");
  r.code_challenge = Get(params, "code_challenge");
  r.code_challenge_method = Get(params, "code_challenge_method");
  r.prompt = SplitScopes(Get(params, "prompt"));
  r.max_age = Find(params, "max_age");
  r.dpop_jkt = Get(params, "dpop_jkt");
  r.has_request_object = params.contains("request");
  r.has_request_uri = params.contains("request_uri");
  r.params = std::move(params);
  return r;
}

}  // namespace tessera::services
