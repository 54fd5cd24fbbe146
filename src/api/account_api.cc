#include "api/account_api.h"

#include <boost/json.hpp>

#include "api/api_support.h"
#include "api/views.h"
#include "http/problem.h"

namespace tessera::api {
namespace json = boost::json;
using http::beast_http::verb;
using http::Request;
using http::Response;

namespace {

Response Error(const Status& s) { return http::ProblemResponse(s); }

}  // namespace

void AccountApi::Mount(http::Router& r) {
  auto bind = [this](Response (AccountApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  const std::string base = "/apps/{app}/api";
  r.Add(verb::post, base + "/signup", bind(&AccountApi::Signup), http::Dispatch::kHashing);
  r.Add(verb::post, base + "/login", bind(&AccountApi::Login), http::Dispatch::kHashing);
  r.Add(verb::post, base + "/token/refresh", bind(&AccountApi::Refresh));
  r.Add(verb::post, base + "/logout", bind(&AccountApi::Logout));
  r.Add(verb::post, base + "/logout-all", bind(&AccountApi::LogoutAll));
  r.Add(verb::get, base + "/me", bind(&AccountApi::GetMe));
  r.Add(verb::patch, base + "/me", bind(&AccountApi::PatchMe));
  r.Add(verb::post, base + "/me/password", bind(&AccountApi::ChangePassword), http::Dispatch::kHashing);
  r.Add(verb::get, base + "/me/sessions", bind(&AccountApi::ListSessions));
  r.Add(verb::delete_, base + "/me/sessions/{id}", bind(&AccountApi::DeleteSession));
  r.Add(verb::get, base + "/me/tokens", bind(&AccountApi::ListTokens));
  r.Add(verb::post, base + "/me/tokens", bind(&AccountApi::CreateToken));
  r.Add(verb::delete_, base + "/me/tokens/{id}", bind(&AccountApi::DeleteToken));
}

Response AccountApi::InApp(Request& req, const AppHandler& fn) {
  return api::InApp(apps_, req, fn);
}

Response AccountApi::AsUser(Request& req, const UserHandler& fn) {
  return api::AsUser(apps_, authenticator_, req, fn);
}

Response AccountApi::Signup(Request& req) {
  return InApp(req, [&](const store::App& app) {
    services::SignupInput in;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          in.email = b.String("email", true).value_or("");
          in.password = b.String("password", true).value_or("");
          in.username = b.String("username", false);
          in.profile = b.Object("profile").value_or(json::object());
        }, kEndUserText)) {
      return *bad;
    }
    auto user = accounts_.Signup(app, std::move(in), ClientOf(req));
    if (!user.ok()) return Error(user.status());
    return http::JsonResponse(201, UserView(*user, app));
  });
}

Response AccountApi::Login(Request& req) {
  return InApp(req, [&](const store::App& app) {
    std::optional<std::string> email, username, login, password;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          email = b.String("email", false);
          username = b.String("username", false);
          login = b.String("login", false);
          password = b.String("password", true);
        }, kEndUserText)) {
      return *bad;
    }
    int given = !!email + !!username + !!login;
    if (given != 1) {
      return Error(ValidationError({{"login", "give exactly one of email, username or login"}}));
    }
    const std::string& identifier = email ? *email : username ? *username : *login;
    if (mfa_) {
      auto signed_in = mfa_->ApiLogin(app, identifier, *password, ClientOf(req));
      if (!signed_in.ok()) return Error(signed_in.status());
      return ApiSignInResponse(app, *signed_in);
    }
    auto grant = sessions_.Login(app, identifier, *password, ClientOf(req));
    if (!grant.ok()) return Error(grant.status());
    return TokenGrantResponse(app, *grant);
  });
}

Response AccountApi::Refresh(Request& req) {
  return InApp(req, [&](const store::App& app) {
    std::string token;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          token = b.String("refresh_token", true).value_or("");
        }, kEndUserText)) {
      return *bad;
    }
    auto grant = sessions_.Refresh(app, token, ClientOf(req));
    if (!grant.ok()) return Error(grant.status());
    return TokenGrantResponse(app, *grant);
  });
}

// With a refresh token in the body: revoke its session. Without one: the session of the
// Bearer access token.
Response AccountApi::Logout(Request& req) {
  std::optional<std::string> token;
  http::JsonBodyRules optional_body = kEndUserText;
  optional_body.allow_empty = true;
  if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) { token = b.String("refresh_token"); },
                                optional_body)) {
    return *bad;
  }
  if (token) {
    return InApp(req, [&](const store::App& app) {
      Status s = sessions_.LogoutByRefreshToken(app, *token);
      return s.ok() ? http::NoContent() : Error(s);
    });
  }
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    if (p.session_id.empty()) {
      return Error(ValidationError({{"refresh_token", "is required with an API token"}}));
    }
    Status s = sessions_.RevokeSession(app, p.user.id, p.session_id, store::RevokeReason::kLogout);
    return s.ok() || s.IsNotFound() ? http::NoContent() : Error(s);
  });
}

// Every session and, unless {"keep_api_tokens": true}, every personal API token; the answer
// says what ended ("revoked": the sessions, as before the tokens were counted).
Response AccountApi::LogoutAll(Request& req) {
  std::optional<bool> keep_api_tokens;
  http::JsonBodyRules optional_body = kEndUserText;
  optional_body.allow_empty = true;
  if (auto bad = http::ReadJson(
          req, [&](http::JsonBody& b) { keep_api_tokens = b.Bool("keep_api_tokens"); },
          optional_body)) {
    return *bad;
  }
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    auto ended = sessions_.LogoutAll(app, p.user.id, keep_api_tokens.value_or(false));
    if (!ended.ok()) return Error(ended.status());
    return http::JsonResponse(200, json::object{{"revoked", ended->sessions},
                                                {"sessions_ended", ended->sessions},
                                                {"api_tokens_revoked", ended->api_tokens}});
  });
}

Response AccountApi::GetMe(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    return http::JsonResponse(200, UserView(p.user, app));
  });
}

Response AccountApi::PatchMe(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    services::ProfileUpdate update;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          update.username = b.NullableString("username");
          update.profile_patch = b.Object("profile");
        }, kEndUserText)) {
      return *bad;
    }
    auto user = accounts_.UpdateProfile(app, p.user.id, update);
    if (!user.ok()) return Error(user.status());
    return http::JsonResponse(200, UserView(*user, app));
  });
}

Response AccountApi::ChangePassword(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    std::string current, next;
    std::optional<bool> keep_api_tokens;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          current = b.String("current_password", true).value_or("");
          next = b.String("new_password", true).value_or("");
          keep_api_tokens = b.Bool("keep_api_tokens");
        }, kEndUserText)) {
      return *bad;
    }
    auto changed = accounts_.ChangePassword(app, p.user.id, current, next, p.session_id,
                                            ClientOf(req), keep_api_tokens.value_or(false));
    return changed.ok() ? http::NoContent() : Error(changed.status());
  });
}

Response AccountApi::ListSessions(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    auto sessions = sessions_.ListSessions(app, p.user.id);
    if (!sessions.ok()) return Error(sessions.status());
    json::array out;
    for (const auto& s : *sessions) out.push_back(SessionView(s, s.id == p.session_id));
    return http::JsonResponse(200, json::object{{"sessions", std::move(out)}});
  });
}

Response AccountApi::DeleteSession(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    Status s = sessions_.RevokeSession(app, p.user.id, req.Param("id"),
                                       store::RevokeReason::kRevokedByUser);
    return s.ok() ? http::NoContent() : Error(s);
  });
}

Response AccountApi::ListTokens(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    auto tokens = api_tokens_.List(app, p.user.id);
    if (!tokens.ok()) return Error(tokens.status());
    json::array out;
    for (const auto& t : *tokens) out.push_back(ApiTokenView(t));
    return http::JsonResponse(200, json::object{{"tokens", std::move(out)}});
  });
}

Response AccountApi::CreateToken(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    std::string name;
    std::optional<int64_t> days;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          name = b.String("name", true).value_or("");
          days = b.Integer("expires_in_days");
        }, kEndUserText)) {
      return *bad;
    }
    auto created = api_tokens_.Create(app, p.user.id, name, days);
    if (!created.ok()) return Error(created.status());
    json::object view = ApiTokenView(created->record);
    view["token"] = created->token;
    return http::JsonResponse(201, view);
  });
}

Response AccountApi::DeleteToken(Request& req) {
  return AsUser(req, [&](const store::App& app, services::Principal& p) {
    Status s = api_tokens_.Revoke(app, p.user.id, req.Param("id"));
    return s.ok() ? http::NoContent() : Error(s);
  });
}

}  // namespace tessera::api
