#include "web/console_credential_pages.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/json_util.h"
#include "base/strings.h"
#include "web/console_common.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

using namespace console;

// The grants a client form offers. Each has a field of its own: a grant's name may be a URN
// (RFC 8628's, RFC 8693's), which is no good as a form field name or a template key.
struct GrantChoice {
  const char* name;   // as in the client's grant_types
  const char* field;  // the form's checkbox and the page data's key
  const char* label;  // in the clients list
};
constexpr GrantChoice kGrants[] = {
    {"authorization_code", "grant_authorization_code", "Authorization code"},
    {"refresh_token", "grant_refresh_token", "Refresh token"},
    {"client_credentials", "grant_client_credentials", "Client credentials"},
    {"urn:ietf:params:oauth:grant-type:device_code", "grant_device_code", "Device code"},
    {"urn:ietf:params:oauth:grant-type:token-exchange", "grant_token_exchange",
     "Token exchange"}};

// The grant checkboxes of a client form.
std::vector<std::string> GrantsOf(const Form& form) {
  std::vector<std::string> out;
  for (const GrantChoice& g : kGrants) {
    if (Checked(form, g.field)) out.emplace_back(g.name);
  }
  return out;
}

void SetGrants(PageData& d, const std::vector<std::string>& grants) {
  for (const GrantChoice& g : kGrants) d.set(g.field, Contains(grants, g.name));
}

// The form's algorithm; unset when the form has none (then the client keeps its own).
std::optional<std::string> IdTokenAlgOf(const Form& form) {
  std::string alg = Field(form, "id_token_signed_response_alg", 16);
  if (alg.empty()) return std::nullopt;
  return alg;
}

void SetIdTokenAlg(PageData& d, std::string_view alg) {
  for (const char* a : {"RS256", "ES256", "EdDSA"}) d.set(std::string("alg_") + a, alg == a);
}

std::string GrantsText(const std::vector<std::string>& grants) {
  std::vector<std::string> names;
  for (const auto& g : grants) {
    std::string name = g;  // one the form does not offer: as it is
    for (const GrantChoice& choice : kGrants) {
      if (g == choice.name) name = choice.label;
    }
    names.push_back(std::move(name));
  }
  return Join(names, ", ");
}

const std::vector<std::string_view> kClientFields = {
    "name", "redirect_uris", "post_logout_redirect_uris", "grant_types", "scopes",
    "id_token_signed_response_alg", "resource_server", "require_pushed_authorization_requests",
    "token_exchange_audiences", "dpop_bound_access_tokens", "backchannel_logout_uri",
    "backchannel_logout_session_required", "jwks", "require_signed_request_object",
    "subject_type"};

// A form body holds no more (http/server.h: 64 KiB), so no JWK Set sent is cut short.
constexpr size_t kMaxJwksText = 64 * 1024;

// The public keys textarea ("" removes them). A JSON object is stored as compact text, as
// every other way in stores it; anything else goes to ClientService as it is, which refuses
// it by name ("jwks").
std::string JwksOf(const Form& form) {
  std::string text = Field(form, "jwks", kMaxJwksText);
  if (text.empty()) return text;
  auto set = ParseJsonObject(text);
  return set.ok() ? boost::json::serialize(*set) : text;
}

// The "Expires after" choices of the registration token form: days, or never.
constexpr std::string_view kTokenExpiries[] = {"7", "30", "90", "365", "never"};
constexpr std::string_view kDefaultTokenExpiry = "30";

// Selects `chosen`, or the default when it is none of the choices (a number sent by hand).
void SetTokenExpiry(PageData& d, std::string_view chosen) {
  if (std::ranges::find(kTokenExpiries, chosen) == std::end(kTokenExpiries)) {
    chosen = kDefaultTokenExpiry;
  }
  for (std::string_view e : kTokenExpiries) d.set("expires_" + std::string(e), e == chosen);
}

}  // namespace

void ConsoleCredentialPages::Mount(http::Router& r, const ConsoleGates& gates) {
  namespace bh = http::beast_http;
  using P = ConsoleCredentialPages;
  const std::string app = "/console/apps/{slug}";
  r.Add(bh::verb::get, app + "/api-keys", gates.WithAppVisitor(Bind(this, &P::ApiKeys)));
  r.Add(bh::verb::post, app + "/api-keys", gates.WithAppVisitor(Bind(this, &P::CreateApiKey)));
  r.Add(bh::verb::post, app + "/api-keys/{id}/revoke",
        gates.WithAppVisitor(Bind(this, &P::RevokeApiKey)));
  r.Add(bh::verb::get, app + "/clients", gates.WithAppVisitor(Bind(this, &P::Clients)));
  r.Add(bh::verb::post, app + "/clients", gates.WithAppVisitor(Bind(this, &P::CreateClient)));
  r.Add(bh::verb::get, app + "/clients/{client_id}",
        gates.WithAppVisitor(Bind(this, &P::ShowClient)));
  r.Add(bh::verb::post, app + "/clients/{client_id}",
        gates.WithAppVisitor(Bind(this, &P::UpdateClient)));
  r.Add(bh::verb::post, app + "/clients/{client_id}/rotate-secret",
        gates.WithAppVisitor(Bind(this, &P::RotateClientSecret)));
  r.Add(bh::verb::post, app + "/clients/{client_id}/revoke",
        gates.WithAppVisitor(Bind(this, &P::RevokeClient)));
  // Not under /clients: a token id there would read as a client_id.
  r.Add(bh::verb::post, app + "/registration-tokens",
        gates.WithAppVisitor(Bind(this, &P::CreateRegistrationToken)));
  r.Add(bh::verb::post, app + "/registration-tokens/{id}/revoke",
        gates.WithAppVisitor(Bind(this, &P::RevokeRegistrationToken)));
}

// ---- One-time reveals ----------------------------------------------------------------------

std::string ConsoleCredentialPages::RevealOwner(const AppVisitor& a, std::string_view kind,
                                                std::string_view id) {
  return a.visitor.session.id + "|" + a.app().id + "|" + std::string(kind) + "|" +
         std::string(id);
}

http::Response ConsoleCredentialPages::RedirectWithReveal(const AppVisitor& a,
                                                          std::string_view kind,
                                                          const std::string& id,
                                                          std::string secret,
                                                          const std::string& path,
                                                          std::string_view done) {
  http::Response redirect;
  std::string reveal = reveals_.Put(redirect, RevealOwner(a, kind, id), secret);
  http::Response r = Redirect(layout_.urls().Absolute(
      path + QueryString({{"done", std::string(done)}, {"id", id}, {"reveal", reveal}})));
  for (auto& header : redirect.headers) r.headers.push_back(std::move(header));
  return r;
}

// ---- API keys ------------------------------------------------------------------------------

http::Response ConsoleCredentialPages::ApiKeys(http::Request& req, const AppVisitor& a) {
  PageData d;
  const http::QueryParams query = PageQuery(req);
  SetNotice(d, query);
  std::string id = http::FormValue(query, "id");
  std::string reveal = http::FormValue(query, "reveal");
  const bool revealing = http::FormValue(query, "done") == "key-created" && !id.empty();
  if (revealing) {
    auto key = reveals_.Take(req, reveal, RevealOwner(a, "key", id));
    if (key) {
      d.set("notice", "The API key was created. Copy it now: it is shown only this once.");
      d.set("new_key", *key);
      d.set("new_key_id", id);
    } else {
      d.set("error",
            "This key can no longer be shown: a key is shown only once. If you did not copy "
            "it, revoke it and create another.");
    }
  }
  http::Response page = RenderApiKeys(req, a, std::move(d), 200);
  if (revealing) reveals_.Forget(page);  // shown once: a reload has nothing to show
  return page;
}

http::Response ConsoleCredentialPages::RenderApiKeys(const http::Request& req, const AppVisitor& a,
                                                     PageData d, unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, "API keys", "api-keys");
  d.set("heading", "API keys");
  auto keys = keys_.List(app);
  if (!keys.ok()) return layout_.Unavailable(req, a.visitor);
  PageData rows = List();
  const PageData* new_key_id = d.get("new_key_id");
  for (const auto& k : *keys) {
    PageData row;
    row.set("name", k.name);
    row.set("prefix", k.prefix);
    row.set("created", FormatTime(k.created_at));
    row.set("last_used", FormatTime(k.last_used_at, "Never"));
    row.set("revoke_action",
            layout_.AppPath(app, "/api-keys/" + http::FormEncode(k.id) + "/revoke"));
    if (new_key_id && new_key_id->is_string() && new_key_id->string_value() == k.id) {
      d.set("new_key_name", k.name);
    }
    rows.push_back(row);
  }
  d.set("keys", rows);
  d.set("create_action", layout_.AppPath(app, "/api-keys"));
  d.set("api_base", layout_.urls().Issuer(app) + "/api");
  if (!d.get("key_name")) d.set("key_name", "");
  return layout_.Render(req, a.visitor, "console_api_keys", std::move(d), status);
}

http::Response ConsoleCredentialPages::CreateApiKey(http::Request& req, const AppVisitor& a,
                                                    const Form& form) {
  std::string name = Field(form, "name", 400);
  auto created = keys_.Create(a.app(), name, a.visitor.actor);
  PageData d;
  if (created.ok()) {
    return RedirectWithReveal(a, "key", created->record.id, std::move(created->key),
                              layout_.AppPath(a.app(), "/api-keys"), "key-created");
  }
  const Status& s = created.status();
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
  d.set("key_name", name);
  auto others = SetFieldErrors(d, s, {"name"});
  // Every field error shown by its field: the form's own hint, not the generic one.
  const bool fields_shown =
      others.empty() && (s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists());
  d.set("error", fields_shown
                     ? std::string("The key was not created: please check its name.")
                     : RefusalSentence(EnglishTexts(), "The key was not created", s, others));
  return RenderApiKeys(req, a, std::move(d), failure.status);
}

http::Response ConsoleCredentialPages::RevokeApiKey(http::Request& req, const AppVisitor& a,
                                                    const Form&) {
  Status s = keys_.Revoke(a.app(), req.Param("id"), a.visitor.actor);
  if (s.ok()) return layout_.Done(layout_.AppPath(a.app(), "/api-keys"), "key-revoked");
  if (s.IsNotFound()) return layout_.Done(layout_.AppPath(a.app(), "/api-keys"), "key-missing");
  return layout_.Unavailable(req, a.visitor);
}

// ---- OAuth clients -------------------------------------------------------------------------

http::Response ConsoleCredentialPages::Clients(http::Request& req, const AppVisitor& a) {
  PageData d;
  const http::QueryParams query = PageQuery(req);
  SetNotice(d, query);
  // A registration token made by the form below the clients is shown here, once.
  const std::string id = http::FormValue(query, "id");
  const std::string reveal = http::FormValue(query, "reveal");
  const bool revealing =
      http::FormValue(query, "done") == "registration-token-created" && !id.empty();
  if (revealing) {
    auto token = reveals_.Take(req, reveal, RevealOwner(a, "registration-token", id));
    if (token) {
      d.set("notice",
            "The registration token was created. Copy it now: it is shown only this once.");
      d.set("new_token", *token);
      d.set("new_token_id", id);
    } else {
      d.set("error",
            "This registration token can no longer be shown: a token is shown only once. If "
            "you did not copy it, revoke it and create another.");
    }
  }
  http::Response page = RenderClients(req, a, std::move(d), 200);
  if (revealing) reveals_.Forget(page);  // shown once: a reload has nothing to show
  return page;
}

http::Response ConsoleCredentialPages::RenderClients(const http::Request& req, const AppVisitor& a,
                                                     PageData d, unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, "OAuth clients", "clients");
  d.set("heading", "OAuth clients");
  auto clients = clients_.List(app);
  if (!clients.ok()) return layout_.Unavailable(req, a.visitor);
  PageData rows = List();
  for (const auto& c : *clients) {
    if (c.revoked_at) continue;
    PageData row;
    row.set("name", c.name);
    row.set("client_id", c.client_id);
    row.set("url", layout_.AppPath(app, "/clients/" + http::FormEncode(c.client_id)));
    row.set("public", c.is_public);
    row.set("first_party", c.first_party);
    row.set("grants", GrantsText(c.grant_types));
    row.set("created", FormatTime(c.created_at));
    rows.push_back(row);
  }
  d.set("clients", rows);
  d.set("create_action", layout_.AppPath(app, "/clients"));
  const std::string issuer = layout_.urls().Issuer(app);
  d.set("par_url", issuer + "/oauth/par");

  // Registration tokens (RFC 7591 §3), below the clients they let software register.
  auto tokens = registration_tokens_.List(app);
  if (!tokens.ok()) return layout_.Unavailable(req, a.visitor);
  const UnixMillis now = clock_.NowMillis();
  PageData token_rows = List();
  const PageData* new_token_id = d.get("new_token_id");
  for (const auto& t : *tokens) {
    PageData row;
    row.set("name", t.name);
    row.set("prefix", t.prefix);
    row.set("created", FormatTime(t.created_at));
    row.set("expires", FormatTime(t.expires_at, "Never"));
    // Listed until revoked, so that a developer sees why software is refused.
    row.set("expired", t.expires_at.has_value() && *t.expires_at <= now);
    row.set("last_used", FormatTime(t.last_used_at, "Never"));
    row.set("revoke_action", layout_.AppPath(app, "/registration-tokens/" +
                                                      http::FormEncode(t.id) + "/revoke"));
    if (new_token_id && new_token_id->is_string() && new_token_id->string_value() == t.id) {
      d.set("new_token_name", t.name);
    }
    token_rows.push_back(row);
  }
  d.set("registration_tokens", token_rows);
  d.set("dynamic_registration", app.settings.dynamic_registration);
  d.set("registration_url", issuer + "/oauth/register");
  d.set("settings_url", layout_.AppPath(app, "/settings"));
  d.set("token_create_action", layout_.AppPath(app, "/registration-tokens"));
  if (!d.get("token_from_form")) {
    d.set("token_name", "");
    SetTokenExpiry(d, kDefaultTokenExpiry);
  }
  if (!d.get("from_form")) {
    d.set("client_name", "");
    d.set("client_public", false);
    d.set("first_party", false);
    d.set("redirect_uris", "");
    d.set("post_logout_redirect_uris", "");
    d.set("scopes", "");
    d.set("resource_server", false);
    d.set("require_pushed_authorization_requests", false);
    d.set("token_exchange_audiences", "");
    d.set("dpop_bound_access_tokens", false);
    d.set("backchannel_logout_uri", "");
    d.set("backchannel_logout_session_required", false);
    d.set("jwks", "");
    d.set("require_signed_request_object", false);
    d.set("pairwise_subject", false);
    SetIdTokenAlg(d, "RS256");
    SetGrants(d, {"authorization_code", "refresh_token"});
  }
  return layout_.Render(req, a.visitor, "console_clients", std::move(d), status);
}

http::Response ConsoleCredentialPages::CreateClient(http::Request& req, const AppVisitor& a,
                                                    const Form& form) {
  services::ClientRegistration reg;
  reg.name = Field(form, "name", 400);
  reg.is_public = http::FormValue(form, "client_type") == "public";
  reg.first_party = Checked(form, "first_party");
  reg.redirect_uris = Lines(http::FormValue(form, "redirect_uris"));
  reg.post_logout_redirect_uris = Lines(http::FormValue(form, "post_logout_redirect_uris"));
  reg.grant_types = GrantsOf(form);
  reg.scopes = Words(http::FormValue(form, "scopes"));
  reg.id_token_signed_response_alg = IdTokenAlgOf(form);
  reg.resource_server = Checked(form, "resource_server");
  reg.require_pushed_authorization_requests =
      Checked(form, "require_pushed_authorization_requests");
  reg.token_exchange_audiences = Lines(http::FormValue(form, "token_exchange_audiences"));
  reg.dpop_bound_access_tokens = Checked(form, "dpop_bound_access_tokens");
  reg.backchannel_logout_uri = Field(form, "backchannel_logout_uri", 4096);
  reg.backchannel_logout_session_required = Checked(form, "backchannel_logout_session_required");
  reg.jwks = JwksOf(form);
  reg.require_signed_request_object = Checked(form, "require_signed_request_object");
  reg.pairwise_subject = Checked(form, "pairwise_subject");
  PageData d;
  if (reg.grant_types.empty()) {
    SetFieldErrors(d, std::vector<FieldError>{{"grant_types", "choose at least one grant"}},
                   kClientFields);
  }
  if (!d.get("grant_types_error")) {
    auto registered = clients_.Register(a.app(), reg, a.visitor.actor);
    if (registered.ok()) {
      const std::string& id = registered->client.client_id;
      const std::string path = layout_.AppPath(a.app(), "/clients/" + http::FormEncode(id));
      if (!registered->secret) return layout_.Done(path, "client-created");
      return RedirectWithReveal(a, "client", id, std::move(*registered->secret), path,
                                "client-created");
    }
    const Status& s = registered.status();
    if (PageFailureOf(s, EnglishTexts()).unavailable()) return layout_.Unavailable(req, a.visitor);
    auto others = SetFieldErrors(d, s, kClientFields);
    d.set("error", RefusalSentence(EnglishTexts(), "The client was not created", s, others));
  } else {
    d.set("error", "The client was not created: please check the highlighted fields.");
  }
  d.set("from_form", true);
  d.set("create_open", true);
  d.set("client_name", reg.name);
  d.set("client_public", reg.is_public);
  d.set("first_party", reg.first_party);
  d.set("redirect_uris", Field(form, "redirect_uris", 8192));
  d.set("post_logout_redirect_uris", Field(form, "post_logout_redirect_uris", 8192));
  d.set("scopes", Field(form, "scopes", 2048));
  d.set("resource_server", reg.resource_server);
  d.set("require_pushed_authorization_requests", reg.require_pushed_authorization_requests);
  d.set("token_exchange_audiences", Field(form, "token_exchange_audiences", 8192));
  d.set("dpop_bound_access_tokens", reg.dpop_bound_access_tokens);
  d.set("backchannel_logout_uri", reg.backchannel_logout_uri);
  d.set("backchannel_logout_session_required", reg.backchannel_logout_session_required);
  d.set("jwks", Field(form, "jwks", kMaxJwksText));  // as typed
  d.set("require_signed_request_object", reg.require_signed_request_object);
  d.set("pairwise_subject", reg.pairwise_subject);
  SetIdTokenAlg(d, reg.id_token_signed_response_alg.value_or("RS256"));
  SetGrants(d, reg.grant_types);
  return RenderClients(req, a, std::move(d), 400);
}

http::Response ConsoleCredentialPages::ShowClient(http::Request& req, const AppVisitor& a) {
  auto client = clients_.Find(a.app(), req.Param("client_id"));
  if (!client.ok()) return layout_.Failure(req, a.visitor, client.status());
  PageData d;
  const http::QueryParams query = PageQuery(req);
  SetNotice(d, query);
  const std::string done = http::FormValue(query, "done");
  const std::string reveal = http::FormValue(query, "reveal");
  const bool revealing = (done == "client-created" || done == "secret-rotated") && !reveal.empty();
  if (revealing) {
    auto secret = reveals_.Take(req, reveal, RevealOwner(a, "client", client->client_id));
    if (secret) {
      d.set("notice", done == "client-created"
                          ? "The client was created. Copy its secret now: it is shown only this once."
                          : "A new secret was made: the old one no longer works. Copy the new one "
                            "now: it is shown only this once.");
      d.set("new_secret", *secret);
    } else {
      d.set("error",
            "This secret can no longer be shown: a secret is shown only once. If you did not "
            "copy it, rotate the secret below to get a new one.");
    }
  }
  http::Response page = RenderClient(req, a, *client, std::move(d), 200);
  if (revealing) reveals_.Forget(page);  // shown once: a reload has nothing to show
  return page;
}

http::Response ConsoleCredentialPages::RenderClient(const http::Request& req, const AppVisitor& a,
                                                    const store::OAuthClient& c, PageData d,
                                                    unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, c.name, "clients");
  d.set("heading", c.name);
  d.set("client_id", c.client_id);
  d.set("public", c.is_public);
  d.set("created_at", FormatTime(c.created_at));
  d.set("clients_url", layout_.AppPath(app, "/clients"));
  const std::string base = layout_.AppPath(app, "/clients/" + http::FormEncode(c.client_id));
  d.set("update_action", base);
  if (!c.is_public) d.set("rotate_action", base + "/rotate-secret");
  d.set("revoke_action", base + "/revoke");
  const std::string issuer = layout_.urls().Issuer(app);
  d.set("issuer", issuer);
  d.set("authorize_url", issuer + "/oauth/authorize");
  d.set("token_url", issuer + "/oauth/token");
  d.set("par_url", issuer + "/oauth/par");
  if (!d.get("from_form")) {
    d.set("client_name", c.name);
    d.set("first_party", c.first_party);
    d.set("redirect_uris", Join(c.redirect_uris, "\n"));
    d.set("post_logout_redirect_uris", Join(c.post_logout_redirect_uris, "\n"));
    d.set("scopes", Join(c.scopes, " "));
    d.set("resource_server", c.resource_server);
    d.set("require_pushed_authorization_requests", c.require_pushed_authorization_requests);
    d.set("token_exchange_audiences", Join(c.token_exchange_audiences, "\n"));
    d.set("dpop_bound_access_tokens", c.dpop_bound_access_tokens);
    d.set("backchannel_logout_uri", c.backchannel_logout_uri);
    d.set("backchannel_logout_session_required", c.backchannel_logout_session_required);
    d.set("jwks", c.jwks);
    d.set("require_signed_request_object", c.require_signed_request_object);
    d.set("pairwise_subject", c.pairwise_subject);
    SetIdTokenAlg(d, c.id_token_signed_response_alg);
    SetGrants(d, c.grant_types);
  }
  return layout_.Render(req, a.visitor, "console_client", std::move(d), status);
}

http::Response ConsoleCredentialPages::UpdateClient(http::Request& req, const AppVisitor& a,
                                                    const Form& form) {
  auto client = clients_.Find(a.app(), req.Param("client_id"));
  if (!client.ok()) return layout_.Failure(req, a.visitor, client.status());
  services::ClientUpdate update;
  update.name = Field(form, "name", 400);
  update.first_party = Checked(form, "first_party");
  update.redirect_uris = Lines(http::FormValue(form, "redirect_uris"));
  update.post_logout_redirect_uris = Lines(http::FormValue(form, "post_logout_redirect_uris"));
  update.grant_types = GrantsOf(form);
  update.scopes = Words(http::FormValue(form, "scopes"));
  update.id_token_signed_response_alg = IdTokenAlgOf(form);
  update.resource_server = Checked(form, "resource_server");
  update.require_pushed_authorization_requests =
      Checked(form, "require_pushed_authorization_requests");
  update.token_exchange_audiences = Lines(http::FormValue(form, "token_exchange_audiences"));
  update.dpop_bound_access_tokens = Checked(form, "dpop_bound_access_tokens");
  update.backchannel_logout_uri = Field(form, "backchannel_logout_uri", 4096);  // "": none
  update.backchannel_logout_session_required = Checked(form, "backchannel_logout_session_required");
  update.jwks = JwksOf(form);  // "": none
  update.require_signed_request_object = Checked(form, "require_signed_request_object");
  update.pairwise_subject = Checked(form, "pairwise_subject");
  auto saved = clients_.Update(a.app(), client->client_id, update, a.visitor.actor);
  if (saved.ok()) {
    return layout_.Done(layout_.AppPath(a.app(), "/clients/" + http::FormEncode(saved->client_id)),
                        "client-saved");
  }
  const Status& s = saved.status();
  if (s.code() != StatusCode::kInvalidArgument) return layout_.Failure(req, a.visitor, s);
  PageData d;
  auto others = SetFieldErrors(d, s, kClientFields);
  d.set("error", others.empty() ? "Nothing was saved: please check the highlighted fields."
                                : "Nothing was saved: " + Join(others, "; ") + ".");
  d.set("from_form", true);
  d.set("client_name", *update.name);
  d.set("first_party", *update.first_party);
  d.set("redirect_uris", Field(form, "redirect_uris", 8192));
  d.set("post_logout_redirect_uris", Field(form, "post_logout_redirect_uris", 8192));
  d.set("scopes", Field(form, "scopes", 2048));
  d.set("resource_server", *update.resource_server);
  d.set("require_pushed_authorization_requests", *update.require_pushed_authorization_requests);
  d.set("token_exchange_audiences", Field(form, "token_exchange_audiences", 8192));
  d.set("dpop_bound_access_tokens", *update.dpop_bound_access_tokens);
  d.set("backchannel_logout_uri", *update.backchannel_logout_uri);
  d.set("backchannel_logout_session_required", *update.backchannel_logout_session_required);
  d.set("jwks", Field(form, "jwks", kMaxJwksText));  // as typed
  d.set("require_signed_request_object", *update.require_signed_request_object);
  d.set("pairwise_subject", *update.pairwise_subject);
  SetIdTokenAlg(d, update.id_token_signed_response_alg.value_or(client->id_token_signed_response_alg));
  SetGrants(d, *update.grant_types);
  return RenderClient(req, a, *client, std::move(d), 400);
}

http::Response ConsoleCredentialPages::RotateClientSecret(http::Request& req, const AppVisitor& a,
                                                          const Form& form) {
  auto client = clients_.Find(a.app(), req.Param("client_id"));
  if (!client.ok()) return layout_.Failure(req, a.visitor, client.status());
  PageData d;
  // The old secret stops working at once: like revoking, it is done only once confirmed.
  if (!client->is_public && !Checked(form, "confirm")) {
    d.set("rotate_error", "Tick the box to confirm that the old secret should stop working.");
    return RenderClient(req, a, *client, std::move(d), 400);
  }
  auto secret = clients_.RotateSecret(a.app(), client->client_id, a.visitor.actor);
  if (secret.ok()) {
    return RedirectWithReveal(
        a, "client", client->client_id, std::move(*secret),
        layout_.AppPath(a.app(), "/clients/" + http::FormEncode(client->client_id)),
        "secret-rotated");
  }
  if (secret.status().code() == StatusCode::kFailedPrecondition) {
    d.set("error", "A public client has no secret to rotate.");
    return RenderClient(req, a, *client, std::move(d), 409);
  }
  return layout_.Failure(req, a.visitor, secret.status());
}

http::Response ConsoleCredentialPages::RevokeClient(http::Request& req, const AppVisitor& a,
                                                    const Form& form) {
  auto client = clients_.Find(a.app(), req.Param("client_id"));
  if (!client.ok()) return layout_.Failure(req, a.visitor, client.status());
  if (!Checked(form, "confirm")) {
    PageData d;
    d.set("revoke_error", "Tick the box to confirm that this client should stop working.");
    return RenderClient(req, a, *client, std::move(d), 400);
  }
  Status s = clients_.Revoke(a.app(), client->client_id, a.visitor.actor);
  if (s.ok() || s.IsNotFound()) {
    return layout_.Done(layout_.AppPath(a.app(), "/clients"), "client-revoked");
  }
  return layout_.Unavailable(req, a.visitor);
}

// ---- Registration tokens -------------------------------------------------------------------

http::Response ConsoleCredentialPages::CreateRegistrationToken(http::Request& req,
                                                               const AppVisitor& a,
                                                               const Form& form) {
  const std::string name = Field(form, "name", 400);
  const std::string expiry = Field(form, "expires_in_days", 16);
  PageData d;
  std::optional<int64_t> days;  // nullopt: never expires
  bool expiry_ok = expiry == "never";
  if (!expiry_ok) {
    // A number of days other than the offered ones is the service's to judge (1 to 3650).
    auto n = WholeNumber(expiry);
    expiry_ok = n.has_value() && !expiry.empty();
    if (expiry_ok) days = *n;
  }
  unsigned status = 400;
  if (expiry_ok) {
    auto created = registration_tokens_.Create(a.app(), name, days, a.visitor.actor);
    if (created.ok()) {
      return RedirectWithReveal(a, "registration-token", created->record.id,
                                std::move(created->token), layout_.AppPath(a.app(), "/clients"),
                                "registration-token-created");
    }
    const Status& s = created.status();
    const PageFailure failure = PageFailureOf(s, EnglishTexts());
    if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
    status = failure.status;  // 409 past the app's limit of tokens
    // The client form on the same page has its own "name": these errors get keys of their own.
    PageData errors;
    auto others = SetFieldErrors(errors, s, {"name", "expires_in_days"});
    if (const PageData* e = errors.get("name_error")) d.set("token_name_error", *e);
    if (const PageData* e = errors.get("expires_in_days_error")) d.set("token_expires_error", *e);
    // Every field error shown by its field: the form's own hint, not the generic one.
    const bool fields_shown =
        others.empty() && (s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists());
    d.set("error", fields_shown
                       ? std::string("The registration token was not created: please check its "
                                     "name and expiry.")
                       : RefusalSentence(EnglishTexts(), "The registration token was not created",
                                         s, others));
  } else {
    d.set("token_expires_error", "Choose how long the token lasts");
    d.set("error", "The registration token was not created: please check its expiry.");
  }
  d.set("token_from_form", true);
  d.set("token_name", name);
  SetTokenExpiry(d, expiry);
  return RenderClients(req, a, std::move(d), status);
}

http::Response ConsoleCredentialPages::RevokeRegistrationToken(http::Request& req,
                                                               const AppVisitor& a,
                                                               const Form&) {
  Status s = registration_tokens_.Revoke(a.app(), req.Param("id"), a.visitor.actor);
  const std::string clients = layout_.AppPath(a.app(), "/clients");
  if (s.ok()) return layout_.Done(clients, "registration-token-revoked");
  if (s.IsNotFound()) return layout_.Done(clients, "registration-token-missing");
  return layout_.Unavailable(req, a.visitor);
}

}  // namespace tessera::web
