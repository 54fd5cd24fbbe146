#include "web/console_provider_pages.h"

#include "base/utf8.h"
#include "tenancy/app_service.h"
#include "web/console_common.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

using namespace console;

// The form fields of the add form and of a provider's settings; a field error of another
// member is said in the banner.
const std::vector<std::string_view> kAddFields = {"kind", "client_id", "client_secret", "slug",
                                                  "display_name", "issuer"};
const std::vector<std::string_view> kEditFields = {
    "display_name",   "client_id",         "client_secret", "issuer", "authorization_endpoint",
    "token_endpoint", "userinfo_endpoint", "jwks_uri",      "scopes"};
const char* const kEndpointFields[] = {"issuer", "authorization_endpoint", "token_endpoint",
                                       "userinfo_endpoint", "jwks_uri"};

// Longer than the service takes, so that it refuses rather than the page cutting silently.
constexpr size_t kMaxFieldBytes = 2048;

std::string KindName(store::ProviderKind kind) {
  switch (kind) {
    case store::ProviderKind::kGithub: return "GitHub";
    case store::ProviderKind::kGoogle: return "Google";
    case store::ProviderKind::kOidc: return "OpenID Connect";
  }
  return "OpenID Connect";
}

// Where the developer registers the callback URL, in the provider's own words.
std::string WhereToRegister(store::ProviderKind kind) {
  switch (kind) {
    case store::ProviderKind::kGithub:
      return "On GitHub: Settings → Developer settings → OAuth Apps → your app → "
             "Authorization callback URL.";
    case store::ProviderKind::kGoogle:
      return "In the Google Cloud console: APIs & Services → Credentials → your OAuth client ID "
             "→ Authorized redirect URIs.";
    case store::ProviderKind::kOidc:
      return "At your provider: as a redirect URI of the client whose ID is below.";
  }
  return "";
}

// A provider slug made from its display name ("Corp SSO" → "corp-sso"), at most 40 long.
std::string SlugFromDisplayName(std::string_view name) {
  std::string slug = services::SlugFromName(name);
  if (slug.size() > 40) slug.resize(40);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

void SetKind(PageData& d, std::string_view kind) {
  d.set("kind_github", kind == "github");
  d.set("kind_google", kind == "google");
  d.set("kind_oidc", kind == "oidc");
}

}  // namespace

void ConsoleProviderPages::Mount(http::Router& r, const ConsoleGates& gates) {
  namespace bh = http::beast_http;
  using P = ConsoleProviderPages;
  const std::string base = "/console/apps/{slug}/sign-in-providers";
  r.Add(bh::verb::get, base, gates.WithAppVisitor(Bind(this, &P::Providers)));
  r.Add(bh::verb::post, base, gates.WithAppVisitor(Bind(this, &P::CreateProvider)));
  r.Add(bh::verb::get, base + "/{id}", gates.WithAppVisitor(Bind(this, &P::ShowProvider)));
  r.Add(bh::verb::post, base + "/{id}", gates.WithAppVisitor(Bind(this, &P::UpdateProvider)));
  r.Add(bh::verb::post, base + "/{id}/delete",
        gates.WithAppVisitor(Bind(this, &P::DeleteProvider)));
}

std::string ConsoleProviderPages::ProviderPath(const store::App& app, const std::string& id) const {
  return layout_.AppPath(app, "/sign-in-providers/" + http::FormEncode(id));
}

Result<store::IdentityProvider> ConsoleProviderPages::Find(const http::Request& req,
                                                           const AppVisitor& a) {
  const std::string& id = req.Param("id");
  if (id.empty() || id.size() > 128 || !IsStorableText(id)) {
    return NotFoundError("no such sign-in provider");
  }
  return providers_.Get(a.app(), id);
}

// ---- The list and the add form -------------------------------------------------------------

http::Response ConsoleProviderPages::Providers(http::Request& req, const AppVisitor& a) {
  PageData d;
  SetNotice(d, PageQuery(req));
  return RenderProviders(req, a, std::move(d), 200);
}

http::Response ConsoleProviderPages::RenderProviders(const http::Request& req,
                                                     const AppVisitor& a, PageData d,
                                                     unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, "Sign-in providers", "sign-in-providers");
  d.set("heading", "Sign-in providers");
  auto providers = providers_.List(app);
  if (!providers.ok()) return layout_.Unavailable(req, a.visitor);
  const std::string issuer = layout_.urls().Issuer(app);
  PageData rows = List();
  for (const auto& p : *providers) {
    PageData row;
    row.set("name", p.display_name);
    row.set("url", ProviderPath(app, p.id));
    row.set("kind", KindName(p.kind));
    row.set("on", p.enabled);
    row.set("callback_url", services::FederationCallbackUrl(issuer, p.slug));
    rows.push_back(row);
  }
  d.set("providers", rows);
  d.set("create_action", layout_.AppPath(app, "/sign-in-providers"));
  d.set("login_url", layout_.urls().PagePath(app, "login"));
  d.set("github_callback_url", services::FederationCallbackUrl(issuer, "github"));
  d.set("google_callback_url", services::FederationCallbackUrl(issuer, "google"));
  if (!d.get("from_form")) {
    SetKind(d, "github");
    for (const char* f : {"client_id", "slug", "display_name", "issuer"}) d.set(f, "");
  }
  return layout_.Render(req, a.visitor, "console_providers", std::move(d), status);
}

http::Response ConsoleProviderPages::CreateProvider(http::Request& req, const AppVisitor& a,
                                                    const Form& form) {
  const std::string kind = Field(form, "kind", 16);
  const bool oidc = kind == "oidc";
  services::ProviderInput in;
  in.kind = kind;
  in.client_id = Field(form, "client_id", kMaxFieldBytes);
  const std::string secret = Field(form, "client_secret", kMaxFieldBytes);
  if (!secret.empty()) in.client_secret = secret;
  // GitHub and Google come with their slug, name and issuer; the OpenID fields count only
  // for an OpenID provider (the form shows them to every kind when CSS cannot hide them).
  std::string slug, display_name, issuer;
  if (oidc) {
    display_name = Field(form, "display_name", kMaxFieldBytes);
    slug = Lowercase(Field(form, "slug", kMaxFieldBytes));
    issuer = Field(form, "issuer", kMaxFieldBytes);
    in.display_name = display_name;
    in.slug = slug.empty() && !display_name.empty() ? SlugFromDisplayName(display_name) : slug;
    in.issuer = issuer;
  }
  auto added = providers_.Add(a.app(), in, a.visitor.actor);
  if (added.ok()) return layout_.Done(ProviderPath(a.app(), added->id), "created");

  const Status& s = added.status();
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
  PageData d;
  std::vector<FieldError> errors = s.field_errors();
  if (!oidc) {
    // A preset's slug is taken: the app has that provider already.
    for (auto& e : errors) {
      if (e.field != "slug") continue;
      e.field = "kind";
      e.message = "this app has " + std::string(kind == "google" ? "Google" : "GitHub") +
                  " already: open it in the list above to change it";
    }
  }
  auto others = SetFieldErrors(d, errors, kAddFields);
  d.set("error", RefusalSentence(EnglishTexts(), "The provider was not added", s, others));
  d.set("from_form", true);
  SetKind(d, kind);
  d.set("client_id", *in.client_id);
  d.set("slug", slug);
  d.set("display_name", display_name);
  d.set("issuer", issuer);
  // Never echoed: the secret is typed again.
  d.set("secret_again", !secret.empty());
  return RenderProviders(req, a, std::move(d), failure.status);
}

// ---- One provider --------------------------------------------------------------------------

http::Response ConsoleProviderPages::ShowProvider(http::Request& req, const AppVisitor& a) {
  auto p = Find(req, a);
  if (!p.ok()) return layout_.Failure(req, a.visitor, p.status());
  PageData d;
  const std::string done = http::FormValue(PageQuery(req), "done");
  if (done == "created") {
    d.set("notice", p->display_name + " was added. Register the callback URL below with " +
                        p->display_name + ": then your sign-in page offers “Continue with " +
                        p->display_name + "”.");
  } else if (done == "saved") {
    d.set("notice", p->enabled ? "The provider was saved."
                               : "The provider was saved. It is off: the sign-in page does not "
                                 "offer it.");
  }
  return RenderProvider(req, a, *p, std::move(d), 200);
}

http::Response ConsoleProviderPages::RenderProvider(const http::Request& req, const AppVisitor& a,
                                                    const store::IdentityProvider& p, PageData d,
                                                    unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, p.display_name, "sign-in-providers");
  d.set("heading", p.display_name);
  d.set("provider_name", p.display_name);
  d.set("kind_label", KindName(p.kind));
  d.set("is_oidc", p.kind == store::ProviderKind::kOidc);
  d.set("on", p.enabled);
  d.set("provider_slug", p.slug);
  d.set("callback_url", services::FederationCallbackUrl(layout_.urls().Issuer(app), p.slug));
  d.set("where_to_register", WhereToRegister(p.kind));
  d.set("has_secret", !p.client_secret_sealed.empty());
  d.set("created_at", FormatTime(p.created_at));
  d.set("updated_at", FormatTime(p.updated_at));
  d.set("providers_url", layout_.AppPath(app, "/sign-in-providers"));
  d.set("login_url", layout_.urls().PagePath(app, "login"));
  const std::string path = ProviderPath(app, p.id);
  d.set("update_action", path);
  d.set("delete_action", path + "/delete");
  if (!d.get("from_form")) {
    d.set("display_name", p.display_name);
    d.set("client_id", p.client_id);
    d.set("issuer", p.issuer);
    d.set("authorization_endpoint", p.authorization_endpoint);
    d.set("token_endpoint", p.token_endpoint);
    d.set("userinfo_endpoint", p.userinfo_endpoint);
    d.set("jwks_uri", p.jwks_uri);
    d.set("scopes", p.scopes);
    d.set("enabled", p.enabled);
    d.set("allow_signup", p.allow_signup);
    d.set("trust_email", p.trust_email);
  }
  return layout_.Render(req, a.visitor, "console_provider", std::move(d), status);
}

http::Response ConsoleProviderPages::UpdateProvider(http::Request& req, const AppVisitor& a,
                                                    const Form& form) {
  auto p = Find(req, a);
  if (!p.ok()) return layout_.Failure(req, a.visitor, p.status());
  services::ProviderInput in;
  in.display_name = Field(form, "display_name", kMaxFieldBytes);
  in.client_id = Field(form, "client_id", kMaxFieldBytes);
  const std::string secret = Field(form, "client_secret", kMaxFieldBytes);
  if (!secret.empty()) in.client_secret = secret;  // blank keeps the stored one
  const bool oidc = p->kind == store::ProviderKind::kOidc;
  if (oidc) {
    in.issuer = Field(form, "issuer", kMaxFieldBytes);
    in.authorization_endpoint = Field(form, "authorization_endpoint", kMaxFieldBytes);
    in.token_endpoint = Field(form, "token_endpoint", kMaxFieldBytes);
    in.userinfo_endpoint = Field(form, "userinfo_endpoint", kMaxFieldBytes);
    in.jwks_uri = Field(form, "jwks_uri", kMaxFieldBytes);
    in.scopes = Field(form, "scopes", kMaxFieldBytes);
  }
  in.enabled = Checked(form, "enabled");
  in.allow_signup = Checked(form, "allow_signup");
  in.trust_email = Checked(form, "trust_email");
  auto saved = providers_.Update(a.app(), p->id, in, a.visitor.actor);
  if (saved.ok()) return layout_.Done(ProviderPath(a.app(), p->id), "saved");

  const Status& s = saved.status();
  if (s.code() != StatusCode::kInvalidArgument && s.code() != StatusCode::kAlreadyExists) {
    return layout_.Failure(req, a.visitor, s);
  }
  PageData d;
  auto others = SetFieldErrors(d, s, kEditFields);
  d.set("error", RefusalSentence(EnglishTexts(), "Nothing was saved", s, others));
  d.set("from_form", true);
  d.set("display_name", *in.display_name);
  d.set("client_id", *in.client_id);
  for (const char* f : kEndpointFields) {
    d.set(f, oidc ? Field(form, f, kMaxFieldBytes) : std::string());
  }
  d.set("scopes", in.scopes.value_or(""));
  d.set("enabled", *in.enabled);
  d.set("allow_signup", *in.allow_signup);
  d.set("trust_email", *in.trust_email);
  d.set("secret_again", !secret.empty());
  return RenderProvider(req, a, *p, std::move(d), PageFailureOf(s, EnglishTexts()).status);
}

http::Response ConsoleProviderPages::DeleteProvider(http::Request& req, const AppVisitor& a,
                                                    const Form& form) {
  auto p = Find(req, a);
  if (!p.ok()) return layout_.Failure(req, a.visitor, p.status());
  if (!Checked(form, "confirm")) {
    PageData d;
    d.set("delete_error", "Tick the box to confirm that " + p->display_name +
                              " sign-ins should stop and its links be deleted.");
    return RenderProvider(req, a, *p, std::move(d), 400);
  }
  Status s = providers_.Delete(a.app(), p->id, a.visitor.actor);
  if (s.ok() || s.IsNotFound()) {
    return layout_.Done(layout_.AppPath(a.app(), "/sign-in-providers"), "provider-deleted");
  }
  return layout_.Unavailable(req, a.visitor);
}

}  // namespace tessera::web
