#include "api/console_api.h"

#include <boost/json.hpp>
#include <climits>

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

// What the router answers for a path it does not know: the operators' API looks exactly like
// that to everyone else.
Response NoSuchEndpoint() { return http::Problem(404, "not-found", "Not found", "no such endpoint"); }

constexpr const char* kSettingNames[] = {
    "allow_signup",      "require_verified_email", "email_code_login", "magic_link_login",
    "password_min_length", "access_token_ttl_s",   "refresh_token_ttl_s", "mail_from",
    "mail_sender_name",  "redirect_uris",          "display_name",     "logo_url",
    "accent_color"};

bool IsSettingName(std::string_view field) {
  for (const char* n : kSettingNames) {
    if (field == n) return true;
  }
  return false;
}

// The service names settings by their own names; the body nests them under "settings".
Status PrefixSettingErrors(const Status& s) {
  if (s.field_errors().empty()) return s;
  std::vector<FieldError> errors;
  for (const auto& e : s.field_errors()) {
    errors.push_back({IsSettingName(e.field) ? "settings." + e.field : e.field, e.message});
  }
  return Status(s.code(), s.message()).WithFieldErrors(std::move(errors));
}

// Applies the members present in `in` onto `s`, with strict types (unknown names are
// reported by the reader).
void MergeSettings(StrictObject& in, store::AppSettings& s) {
  auto flag = [&](const char* name, bool& field) {
    if (auto v = in.Bool(name)) field = *v;
  };
  auto text = [&](const char* name, std::string& field) {
    if (auto v = in.String(name)) field = *v;
  };
  flag("allow_signup", s.allow_signup);
  flag("require_verified_email", s.require_verified_email);
  flag("email_code_login", s.email_code_login);
  flag("magic_link_login", s.magic_link_login);
  if (auto v = in.Integer("password_min_length")) {
    if (*v < INT_MIN || *v > INT_MAX) {
      in.Fail("password_min_length", "must be 0 (the server default) or 8-128");
    } else {
      s.password_min_length = static_cast<int>(*v);
    }
  }
  if (auto v = in.Integer("access_token_ttl_s")) s.access_token_ttl_s = *v;
  if (auto v = in.Integer("refresh_token_ttl_s")) s.refresh_token_ttl_s = *v;
  text("mail_from", s.mail_from);
  text("mail_sender_name", s.mail_sender_name);
  if (auto v = in.StringArray("redirect_uris")) s.redirect_uris = std::move(*v);
  text("display_name", s.display_name);
  text("logo_url", s.logo_url);
  text("accent_color", s.accent_color);
}

json::object MemberJson(const services::MemberView& m) {
  return json::object{{"user_id", m.member.user_id},
                      {"email", m.email},
                      {"role", ToText(m.member.role)},
                      {"created_at", Rfc3339(m.member.created_at)}};
}

}  // namespace

void ConsoleApi::Mount(http::Router& r) {
  MountConsole(r);
  MountAdmin(r);
}

void ConsoleApi::MountConsole(http::Router& r) {
  auto bind = [this](Response (ConsoleApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  using UserFn = Response (UserManagementHandlers::*)(const Request&, const store::App&,
                                                      const services::Actor&);
  auto users = [this](UserFn fn) {
    return [this, fn](Request& req) {
      return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
        return (user_handlers_.*fn)(req, a.app, actor);
      });
    };
  };
  const std::string base = "/api/console/apps";
  const std::string app = base + "/{slug}";
  r.Add(verb::get, base, bind(&ConsoleApi::ListApps));
  r.Add(verb::post, base, bind(&ConsoleApi::CreateApp));
  r.Add(verb::get, app, bind(&ConsoleApi::GetApp));
  r.Add(verb::patch, app, bind(&ConsoleApi::PatchApp));
  r.Add(verb::get, app + "/api-keys", bind(&ConsoleApi::ListApiKeys));
  r.Add(verb::post, app + "/api-keys", bind(&ConsoleApi::CreateApiKey));
  r.Add(verb::delete_, app + "/api-keys/{id}", bind(&ConsoleApi::RevokeApiKey));
  r.Add(verb::get, app + "/clients", bind(&ConsoleApi::ListClients));
  r.Add(verb::post, app + "/clients", bind(&ConsoleApi::CreateClient));
  r.Add(verb::get, app + "/clients/{id}", bind(&ConsoleApi::GetClient));
  r.Add(verb::patch, app + "/clients/{id}", bind(&ConsoleApi::PatchClient));
  r.Add(verb::delete_, app + "/clients/{id}", bind(&ConsoleApi::RevokeClient));
  r.Add(verb::post, app + "/clients/{id}/secret", bind(&ConsoleApi::RotateClientSecret));
  r.Add(verb::post, app + "/users", users(&UserManagementHandlers::Create),
        http::Dispatch::kHashing);
  r.Add(verb::get, app + "/users", [this](Request& req) {
    return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
      return user_handlers_.List(req, a.app);
    });
  });
  r.Add(verb::get, app + "/users/{id}", [this](Request& req) {
    return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
      return user_handlers_.Get(req, a.app);
    });
  });
  r.Add(verb::patch, app + "/users/{id}", users(&UserManagementHandlers::Update));
  r.Add(verb::delete_, app + "/users/{id}", users(&UserManagementHandlers::Delete));
  r.Add(verb::post, app + "/users/{id}/tokens", users(&UserManagementHandlers::IssueTokens));
  r.Add(verb::delete_, app + "/users/{id}/sessions",
        users(&UserManagementHandlers::SignOutEverywhere));
  r.Add(verb::post, app + "/users/{id}/password-reset",
        users(&UserManagementHandlers::SendPasswordReset));
  r.Add(verb::get, app + "/members", bind(&ConsoleApi::ListMembers));
  r.Add(verb::post, app + "/members", bind(&ConsoleApi::AddMember));
  r.Add(verb::delete_, app + "/members/{user_id}", bind(&ConsoleApi::RemoveMember));
  r.Add(verb::get, app + "/audit-events", bind(&ConsoleApi::ListAuditEvents));
}

void ConsoleApi::MountAdmin(http::Router& r) {
  r.Add(verb::get, "/api/admin/apps", [this](Request& req) { return AdminListApps(req); });
  r.Add(verb::post, "/api/admin/apps/{slug}/disable",
        [this](Request& req) { return AdminSetDisabled(req, true); });
  r.Add(verb::post, "/api/admin/apps/{slug}/enable",
        [this](Request& req) { return AdminSetDisabled(req, false); });
  r.Add(verb::get, "/api/admin/audit-events",
        [this](Request& req) { return AdminListAuditEvents(req); });
}

// ---------------------------------------------------------------- authentication

Response ConsoleApi::AsDeveloper(Request& req, const DeveloperHandler& fn) {
  auto console = apps_.Resolve(services::kConsoleAppSlug);
  if (!console.ok()) return Error(console.status());
  std::string_view header = req.Header(http::beast_http::field::authorization);
  auto principal = authenticator_.Authenticate(*console, header);
  if (!principal.ok()) {
    return AuthenticationFailed(principal.status(), header, apps_.IssuerFor(console->slug));
  }
  services::ClientInfo client = ClientOf(req);
  bool op = services::DeveloperConsoleService::IsOperator(principal->user);
  services::Actor actor{op ? store::AuditActorType::kAdmin : store::AuditActorType::kDeveloper,
                        principal->user.id, client.ip, client.user_agent};
  return fn(principal->user, actor);
}

Response ConsoleApi::InAccessibleApp(Request& req, const AccessHandler& fn) {
  return AsDeveloper(req, [&](const store::User& caller, const services::Actor& actor) {
    auto access = console_.Access(caller, req.Param("slug"));
    if (!access.ok()) return Error(access.status());
    return fn(*access, actor);
  });
}

Response ConsoleApi::AsOperator(Request& req, const DeveloperHandler& fn) {
  auto console = apps_.Resolve(services::kConsoleAppSlug);
  if (!console.ok()) return Error(console.status());
  std::string_view header = req.Header(http::beast_http::field::authorization);
  auto principal = authenticator_.Authenticate(*console, header);
  if (!principal.ok()) {
    // Only a database failure is worth telling; an unknown caller sees no such endpoint.
    return principal.status().code() == StatusCode::kUnauthenticated ? NoSuchEndpoint()
                                                                      : Error(principal.status());
  }
  if (!services::DeveloperConsoleService::IsOperator(principal->user)) return NoSuchEndpoint();
  services::ClientInfo client = ClientOf(req);
  services::Actor actor{store::AuditActorType::kAdmin, principal->user.id, client.ip,
                        client.user_agent};
  return fn(principal->user, actor);
}

// ---------------------------------------------------------------- apps

json::object ConsoleApi::AppDetail(const store::App& app, services::AccessRole role) const {
  std::string issuer = apps_.IssuerFor(app.slug);
  json::object v = AppSummaryView(app, issuer);
  v["role"] = ToText(role);
  v["discovery_url"] = issuer + "/.well-known/openid-configuration";
  v["settings"] = AppSettingsView(app.settings);
  return v;
}

Response ConsoleApi::ListApps(Request& req) {
  return AsDeveloper(req, [&](const store::User& caller, const services::Actor&) {
    auto apps = console_.ListApps(caller);
    if (!apps.ok()) return Error(apps.status());
    json::array out;
    for (const auto& a : *apps) {
      json::object v = AppSummaryView(a.app, apps_.IssuerFor(a.app.slug));
      v["role"] = ToText(a.role);
      out.push_back(std::move(v));
    }
    return http::JsonResponse(200, json::object{{"apps", std::move(out)}});
  });
}

Response ConsoleApi::CreateApp(Request& req) {
  return AsDeveloper(req, [&](const store::User& caller, const services::Actor& actor) {
    std::string slug, name;
    if (auto bad = ReadStrict(req, [&](StrictObject& b) {
          slug = b.String("slug", true).value_or("");
          name = b.String("name", true).value_or("");
        })) {
      return *bad;
    }
    auto created = console_.CreateApp(caller, slug, name, actor);
    if (!created.ok()) return Error(created.status());
    return http::JsonResponse(201, AppDetail(created->app, created->role));
  });
}

Response ConsoleApi::GetApp(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    return http::JsonResponse(200, AppDetail(a.app, a.role));
  });
}

Response ConsoleApi::PatchApp(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    std::optional<std::string> name;
    std::optional<store::AppSettings> settings;
    if (auto bad = ReadStrict(req, [&](StrictObject& b) {
          name = b.String("name");
          if (auto in = b.Nested("settings")) {
            store::AppSettings merged = a.app.settings;
            MergeSettings(*in, merged);
            b.Absorb(*in);
            settings = std::move(merged);
          }
        })) {
      return *bad;
    }
    auto updated = apps_.Update(a.app.slug, name, settings, actor);
    if (!updated.ok()) return Error(PrefixSettingErrors(updated.status()));
    return http::JsonResponse(200, AppDetail(*updated, a.role));
  });
}

// ---------------------------------------------------------------- API keys

Response ConsoleApi::ListApiKeys(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto keys = keys_.List(a.app);
    if (!keys.ok()) return Error(keys.status());
    json::array out;
    for (const auto& k : *keys) out.push_back(AppApiKeyView(k));
    return http::JsonResponse(200, json::object{{"api_keys", std::move(out)}});
  });
}

Response ConsoleApi::CreateApiKey(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    std::string name;
    if (auto bad = ReadStrict(req, [&](StrictObject& b) {
          name = b.String("name", true).value_or("");
        })) {
      return *bad;
    }
    auto created = keys_.Create(a.app, name, actor);
    if (!created.ok()) return Error(created.status());
    json::object v = AppApiKeyView(created->record);
    v["key"] = created->key;  // the only time it is shown
    return http::JsonResponse(201, v);
  });
}

Response ConsoleApi::RevokeApiKey(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return Error(NotFoundError("no such API key"));
    Status s = keys_.Revoke(a.app, id, actor);
    return s.ok() ? http::NoContent() : Error(s);
  });
}

// ---------------------------------------------------------------- OAuth clients

Response ConsoleApi::ListClients(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto clients = clients_.List(a.app);
    if (!clients.ok()) return Error(clients.status());
    json::array out;
    for (const auto& c : *clients) {
      if (!c.revoked_at) out.push_back(OAuthClientView(c));
    }
    return http::JsonResponse(200, json::object{{"clients", std::move(out)}});
  });
}

Response ConsoleApi::CreateClient(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    services::ClientRegistration reg;
    if (auto bad = ReadStrict(req, [&](StrictObject& b) {
          reg.name = b.String("name", true).value_or("");
          reg.is_public = b.Bool("is_public").value_or(false);
          reg.first_party = b.Bool("first_party").value_or(false);
          reg.redirect_uris = b.StringArray("redirect_uris").value_or(std::vector<std::string>{});
          reg.post_logout_redirect_uris =
              b.StringArray("post_logout_redirect_uris").value_or(std::vector<std::string>{});
          reg.grant_types = b.StringArray("grant_types").value_or(std::vector<std::string>{});
          reg.scopes = b.StringArray("scopes").value_or(std::vector<std::string>{});
        })) {
      return *bad;
    }
    auto registered = clients_.Register(a.app, std::move(reg), actor);
    if (!registered.ok()) return Error(registered.status());
    json::object v = OAuthClientView(registered->client);
    if (registered->secret) v["client_secret"] = *registered->secret;  // shown once
    return http::JsonResponse(201, v);
  });
}

Response ConsoleApi::GetClient(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return Error(NotFoundError("no such client"));
    auto client = clients_.Find(a.app, id);
    if (!client.ok()) return Error(client.status());
    return http::JsonResponse(200, OAuthClientView(*client));
  });
}

Response ConsoleApi::PatchClient(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    services::ClientUpdate u;
    if (auto bad = ReadStrict(req, [&](StrictObject& b) {
          u.name = b.String("name");
          u.first_party = b.Bool("first_party");
          u.redirect_uris = b.StringArray("redirect_uris");
          u.post_logout_redirect_uris = b.StringArray("post_logout_redirect_uris");
          u.grant_types = b.StringArray("grant_types");
          u.scopes = b.StringArray("scopes");
          if (b.Has("is_public")) {
            b.Bool("is_public");
            b.Fail("is_public", "cannot be changed; register a new client instead");
          }
        })) {
      return *bad;
    }
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return Error(NotFoundError("no such client"));
    auto client = clients_.Update(a.app, id, u, actor);
    if (!client.ok()) return Error(client.status());
    return http::JsonResponse(200, OAuthClientView(*client));
  });
}

Response ConsoleApi::RevokeClient(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return Error(NotFoundError("no such client"));
    Status s = clients_.Revoke(a.app, id, actor);
    return s.ok() ? http::NoContent() : Error(s);
  });
}

Response ConsoleApi::RotateClientSecret(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    if (auto bad = ReadStrict(req, [](StrictObject&) {}, /*allow_empty=*/true)) return *bad;
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return Error(NotFoundError("no such client"));
    auto secret = clients_.RotateSecret(a.app, id, actor);
    if (!secret.ok()) return Error(secret.status());
    return http::JsonResponse(200, json::object{{"client_id", id}, {"client_secret", *secret}});
  });
}

// ---------------------------------------------------------------- members

Response ConsoleApi::ListMembers(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto members = console_.ListMembers(a);
    if (!members.ok()) return Error(members.status());
    json::array out;
    for (const auto& m : *members) out.push_back(MemberJson(m));
    return http::JsonResponse(200, json::object{{"members", std::move(out)}});
  });
}

Response ConsoleApi::AddMember(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    std::string email, role;
    if (auto bad = ReadStrict(req, [&](StrictObject& b) {
          email = b.String("email", true).value_or("");
          role = b.String("role").value_or(std::string(ToText(store::MemberRole::kMember)));
        })) {
      return *bad;
    }
    auto added = console_.AddMember(a, email, role, actor);
    if (!added.ok()) return Error(added.status());
    return http::JsonResponse(201, MemberJson(*added));
  });
}

Response ConsoleApi::RemoveMember(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor& actor) {
    const std::string& id = req.Param("user_id");
    if (!IsPlausibleId(id)) return Error(NotFoundError("no such member"));
    Status s = console_.RemoveMember(a, id, actor);
    return s.ok() ? http::NoContent() : Error(s);
  });
}

// ---------------------------------------------------------------- audit

Response ConsoleApi::ListAuditEvents(Request& req) {
  return InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    QueryParams query;
    if (auto bad = ReadQuery(req, kAuditQuery, query)) return *bad;
    auto filter = AuditFilterOf(query);
    if (!filter.ok()) return Error(filter.status());
    filter->app_id = a.app.id;
    return AuditEventsResponse(audit_, *filter);
  });
}

// ---------------------------------------------------------------- operators

Response ConsoleApi::AdminListApps(Request& req) {
  return AsOperator(req, [&](const store::User&, const services::Actor&) {
    auto apps = apps_.ListAll();
    if (!apps.ok()) return Error(apps.status());
    json::array out;
    for (const auto& app : *apps) {
      auto count = users_.Count(app);
      if (!count.ok()) return Error(count.status());
      json::object v = AppSummaryView(app, apps_.IssuerFor(app.slug));
      v["user_count"] = *count;
      out.push_back(std::move(v));
    }
    return http::JsonResponse(200, json::object{{"apps", std::move(out)}});
  });
}

Response ConsoleApi::AdminSetDisabled(Request& req, bool disabled) {
  return AsOperator(req, [&](const store::User&, const services::Actor& actor) {
    if (auto bad = ReadStrict(req, [](StrictObject&) {}, /*allow_empty=*/true)) return *bad;
    const std::string& slug = req.Param("slug");
    if (disabled && slug == services::kConsoleAppSlug) {
      // Disabling the console would lock every operator out of this API.
      return Error(FailedPreconditionError("the console app cannot be disabled"));
    }
    auto app = apps_.SetDisabled(slug, disabled, actor);
    if (!app.ok()) return Error(app.status());
    auto count = users_.Count(*app);
    if (!count.ok()) return Error(count.status());
    json::object v = AppSummaryView(*app, apps_.IssuerFor(app->slug));
    v["user_count"] = *count;
    return http::JsonResponse(200, v);
  });
}

Response ConsoleApi::AdminListAuditEvents(Request& req) {
  return AsOperator(req, [&](const store::User&, const services::Actor&) {
    std::vector<std::string_view> known = kAuditQuery;
    known.push_back("app");
    QueryParams query;
    if (auto bad = ReadQuery(req, known, query)) return *bad;
    auto filter = AuditFilterOf(query);
    if (!filter.ok()) return Error(filter.status());
    if (auto it = query.find("app"); it != query.end() && !it->second.empty()) {
      auto app = apps_.Find(it->second);
      if (app.status().IsNotFound()) {
        return Error(ValidationError({{"app", "no such app"}}));
      }
      if (!app.ok()) return Error(app.status());
      filter->app_id = app->id;
    }
    return AuditEventsResponse(audit_, *filter);
  });
}

}  // namespace tessera::api
