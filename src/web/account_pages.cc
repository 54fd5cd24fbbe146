#include "web/account_pages.h"

#include "web/mfa_pages.h"

#include <algorithm>

#include <boost/json.hpp>

#include "base/time_zone.h"
#include "base/uri_rules.h"
#include "oauth/oidc_claims.h"
#include "i18n/locale_negotiation.h"
#include "web/display_text.h"
#include "web/page_errors.h"
#include "web/service_messages.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;

constexpr const char* kProfileFields[] = {"name",    "given_name",   "family_name", "nickname",
                                          "website", "phone_number", "locale",      "zoneinfo"};

// What the page says after a form came back with ?done=what ("" for nothing).
std::string Notice(const i18n::Texts& t, std::string_view done) {
  static constexpr std::pair<std::string_view, std::string_view> kNotices[] = {
      {"profile", "account.notice_profile"},
      {"password", "account.notice_password"},
      {"session", "account.notice_session"},
      {"others", "account.notice_others"},
      {"app", "account.notice_app"},
      {"api-token", "account.notice_api_token"},
      {"email", "account.notice_email"},
      {"verification", "account.notice_verification"},
      {"linked", "account.notice_linked"},
      {"unlinked", "account.notice_unlinked"},
      {"unlink-last", "account.notice_unlink_last"},
      {"mfa-added", "account.notice_mfa_added"},
      {"mfa-removed", "account.notice_mfa_removed"},
      {"mfa-renamed", "account.notice_mfa_renamed"},
      {"mfa-codes", "account.notice_mfa_codes"},
      {"mfa-expired", "account.notice_mfa_expired"},
      {"mfa-bad-name", "account.notice_mfa_bad_name"},
      {"mfa-none", "account.notice_mfa_none"},
      {"passkey-added", "account.notice_passkey_added"},
      {"welcome", "account.notice_welcome"}};
  for (const auto& [what, key] : kNotices) {
    if (what == done) return t(key);
  }
  return "";
}

// What a form that ends access did with the API tokens: "kept", or how many it revoked (the
// redirect carries it; anything else reads as nothing to say).
std::string ApiTokensNotice(const i18n::Texts& t, std::string_view what) {
  if (what == "kept") return " " + t("account.api_tokens_kept");
  if (what.empty() || what.size() > 3 ||
      what.find_first_not_of("0123456789") != std::string_view::npos) {
    return "";
  }
  int64_t n = std::stoll(std::string(what));
  return n > 0 ? " " + t("account.api_tokens_revoked", {{"count", std::to_string(n)}}) : "";
}

// The forms that end access (password, sign out everywhere) offer "Also revoke my N personal
// API tokens", ticked. An unticked box sends nothing, so the form also says it offered the
// choice: a form that did not (a stale page, a script) never keeps the tokens by omission.
bool KeepsApiTokens(const http::FormParams& form) {
  return form.contains("api_tokens_offered") && !form.contains("revoke_api_tokens");
}

// What a form that ends access did with the API tokens, for ApiTokensNotice.
std::string ApiTokensOutcome(bool kept, int64_t revoked) {
  return kept ? "kept" : std::to_string(revoked);
}

// What went wrong with an email form (its errors come back through the redirect).
std::string EmailProblem(const i18n::Texts& t, std::string_view done) {
  if (done == "email-password") return t("account.email_wrong_password");
  if (done == "email-invalid") return t("account.email_invalid");
  if (done == "email-limited") return t("account.email_limited");
  if (done == "email-password-limited") return t("account.email_password_limited");
  if (done == "email-failed") return t("account.email_failed");
  return "";
}

// The profile form's label of an API field ("website" → "Website"); "" for none on the form.
// (The same messages as the form's labels: account.field_<name>.)
std::string ProfileFieldLabel(const i18n::Texts& t, std::string_view field) {
  static constexpr std::string_view kFields[] = {"name",     "given_name",   "family_name",
                                                 "username", "nickname",     "website",
                                                 "phone_number", "locale",   "zoneinfo"};
  for (std::string_view f : kFields) {
    if (f == field) return t("account.field_" + std::string(f));
  }
  return "";
}

// An API rule ("must be an http(s) URL") as a page says it, in the page's language.
std::string PageWording(const i18n::Texts& t, std::string_view message) {
  if (message == "must be an http(s) URL") return t("account.website_rule");
  return ServiceText(t, message);
}

// The profile form's language menu: "not set", then each language Tessera speaks in its own
// name, with `current` selected. A tag saved some other way (the API, sign-up: "en-GB") is
// offered as it is, selected, so saving the form keeps it.
PageData LocaleOptions(const i18n::Texts& t, const std::string& current) {
  PageData options(PageData::type::list);
  auto add = [&](const std::string& code, const std::string& name, const std::string& lang) {
    PageData o;
    o.set("code", code);
    o.set("name", name);
    o.set("option_lang", lang);
    o.set("selected", code == current);
    options.push_back(o);
  };
  add("", t("account.locale_not_set"), "");
  bool listed = current.empty();
  for (std::string_view code : i18n::SupportedLocales()) {
    add(std::string(code), std::string(i18n::LocaleDisplayName(code)), std::string(code));
    listed = listed || code == current;
  }
  if (!listed) {
    const auto match = i18n::MatchLocale(current);
    add(current,
        match ? std::string(i18n::LocaleDisplayName(*match)) + " (" + current + ")" : current,
        match ? *match : "");
  }
  return options;
}

}  // namespace

void AccountPages::Mount(http::Router& r, const PageGates& gates) {
  const auto back = AfterSignIn::kAccountPage;
  const std::string base = "/apps/{app}/account";
  r.Add(bh::verb::get, base, gates.WithBrowserSession(back, Bind(this, &AccountPages::Show)));
  r.Add(bh::verb::post, base + "/profile",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::SaveProfile)));
  r.Add(bh::verb::post, base + "/password",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::ChangePassword)),
        http::Dispatch::kHashing);
  r.Add(bh::verb::post, base + "/sessions/{id}/revoke",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::RevokeSession)));
  r.Add(bh::verb::post, base + "/apps/{id}/revoke",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::RevokeApp)));
  r.Add(bh::verb::post, base + "/tokens/{id}/revoke",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::RevokeApiToken)));
  r.Add(bh::verb::post, base + "/sign-out-others",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::SignOutOthers)));
  r.Add(bh::verb::post, base + "/sign-out-everywhere",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::SignOutEverywhere)));
}

http::Response AccountPages::Done(const store::App& app, std::string_view what,
                                  std::string_view api_tokens) {
  std::string query = "?done=" + std::string(what);
  if (!api_tokens.empty()) query += "&api_tokens=" + std::string(api_tokens);
  return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(app, "account") + query));
}

PageData AccountPages::SessionRows(const BrowserVisit& v, const i18n::Texts& t,
                                   const std::string& zone, size_t* others) {
  PageData rows(PageData::type::list);
  auto list = sessions_.ListSessions(v.app, v.session.user_id);
  if (!list.ok()) return rows;
  for (const auto& s : *list) {
    PageData item;
    std::string what =
        s.kind == store::SessionKind::kOAuth
            ? t("account.session_app_access", {{"agent", s.user_agent}})
        : s.kind == store::SessionKind::kApi
            ? t("account.session_api", {{"agent", DescribeAgent(s.user_agent)}})
            : DescribeAgent(s.user_agent);
    item.set("description", what);
    const std::string when = FormatInZone(s.last_used_at, zone);
    item.set("detail", s.ip.empty()
                           ? t("account.session_last_active", {{"time", when}})
                           : t("account.session_last_active_ip", {{"ip", s.ip}, {"time", when}}));
    item.set("current", s.id == v.session.id);
    if (s.id != v.session.id) ++*others;
    item.set("revoke_action", kit_.urls.PagePath(v.app, "account/sessions/" + s.id + "/revoke"));
    rows.push_back(item);
  }
  return rows;
}

// `back_to_app` (out): the origin of the most recently authorized client's first redirect
// URI — where the user came from — when it is https (or http on loopback); else unchanged.
PageData AccountPages::AuthorizedAppRows(const BrowserVisit& v, const i18n::Texts& t,
                                         const std::string& zone, std::string* back_to_app) {
  PageData rows(PageData::type::list);
  auto authorized = authz_.ListAuthorizedApps(v.app, v.session.user_id);
  if (!authorized.ok()) return rows;
  UnixMillis newest = 0;
  for (const auto& a : *authorized) {
    PageData item;
    item.set("client_name", a.client.name);
    // The consent page's words for each scope (one source: ScopeTitle).
    std::string scopes;
    for (const auto& s : a.consent.scopes) {
      scopes += (scopes.empty() ? "" : t("account.scope_separator")) + ScopeTitle(t, s);
    }
    item.set("scopes_text", scopes);
    if (a.consent.updated_at > newest && !a.client.redirect_uris.empty()) {
      if (auto origin = LogoOrigin(a.client.redirect_uris.front())) {
        newest = a.consent.updated_at;
        *back_to_app = *origin + "/";
      }
    }
    item.set("granted_text",
             t("account.app_allowed", {{"time", FormatInZone(a.consent.updated_at, zone)}}));
    item.set("revoke_action",
             kit_.urls.PagePath(
                 v.app, "account/apps/" + http::FormEncode(a.client.client_id) + "/revoke"));
    rows.push_back(item);
  }
  return rows;
}

// Name, prefix (never the secret), created, last used and expiry of each live token.
PageData AccountPages::ApiTokenRows(const BrowserVisit& v, const i18n::Texts& t,
                                    const std::string& zone, size_t* count) {
  PageData rows(PageData::type::list);
  *count = 0;
  auto tokens = api_tokens_.List(v.app, v.session.user_id);
  if (!tokens.ok()) return rows;
  for (const auto& token : *tokens) {
    PageData item;
    item.set("name", token.name);
    item.set("prefix", token.prefix + "…");
    std::string detail =
        t("account.token_created", {{"time", FormatInZone(token.created_at, zone)}}) + " · " +
        (token.last_used_at
             ? t("account.token_last_used", {{"time", FormatInZone(*token.last_used_at, zone)}})
             : t("account.token_never_used"));
    if (token.expires_at) {
      detail +=
          " · " + t("account.token_expires", {{"time", FormatInZone(*token.expires_at, zone)}});
    }
    item.set("detail", detail);
    item.set("revoke_action",
             kit_.urls.PagePath(v.app, "account/tokens/" + token.id + "/revoke"));
    rows.push_back(item);
    ++*count;
  }
  return rows;
}

http::Response AccountPages::Render(const http::Request& req, const BrowserVisit& v, PageData d,
                                    unsigned status, const Fill& fill) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) {
    const i18n::Texts t = kit_.pages.TextsFor(req, &v.app);
    return kit_.pages.ErrorPage(req, &v.app, user.status().IsNotFound() ? 404 : 503,
                                t("account.load_failed_heading"), t("account.load_failed"));
  }
  // The page speaks the person's saved language (unless a choice on the page says otherwise).
  const std::string user_locale = ProfileLocale(*user);
  const i18n::Texts t = kit_.pages.TextsFor(req, &v.app, user_locale);
  d.set("user_locale", user_locale);
  if (fill) fill(t, d);
  const PageUrls& urls = kit_.urls;
  d.set("title", t("account.title"));
  // The console is an app too, and its account page is this one: lead back to the console.
  if (v.app.slug == services::kConsoleAppSlug) d.set("console_back_url", urls.ConsolePath());
  d.set("user_display", user->email);
  d.set("email", user->email);
  d.set("email_verified", user->email_verified);
  d.set("profile_action", urls.PagePath(v.app, "account/profile"));
  d.set("password_action", urls.PagePath(v.app, "account/password"));
  d.set("logout_action", urls.PagePath(v.app, "logout"));
  d.set("email_action", urls.PagePath(v.app, "account/email"));
  if (!user->email_verified) d.set("verify_action", urls.PagePath(v.app, "account/verification"));
  d.set("password_min_length", std::to_string(accounts_.PolicyFor(v.app).min_length));
  if (!d.get("username")) d.set("username", user->username.value_or(""));
  boost::system::error_code ec;
  auto profile = boost::json::parse(user->profile_json, ec);
  for (const char* f : kProfileFields) {
    if (d.get(f)) continue;  // a re-shown form keeps what the user typed
    std::string value;
    if (!ec && profile.is_object()) {
      if (auto* p = profile.as_object().if_contains(f); p && p->is_string()) value = p->as_string();
    }
    d.set(f, value);
  }
  {
    const auto* locale = d.get("locale");
    d.set("locale_options",
          LocaleOptions(t, locale && locale->is_string() ? locale->string_value() : ""));
  }
  const std::string zone = ProfileTimeZone(user->profile_json);  // times in the person's zone
  SetSecondFactorSection(kit_, v, zone, t, d);
  size_t other_sessions = 0;
  PageData sessions = SessionRows(v, t, zone, &other_sessions);
  d.set("has_sessions", sessions.is_non_empty_list());
  if (other_sessions > 0) {
    d.set("sign_out_others_action", urls.PagePath(v.app, "account/sign-out-others"));
  }
  d.set("sessions", sessions);
  // A way back to the app: its own site (the first address its API magic links may return
  // to), else where its most recently authorized client lives.
  std::string back_to_app;
  PageData apps = AuthorizedAppRows(v, t, zone, &back_to_app);
  if (!v.app.settings.redirect_uris.empty()) {
    if (auto origin = LogoOrigin(v.app.settings.redirect_uris.front())) back_to_app = *origin + "/";
  }
  if (!back_to_app.empty()) d.set("back_to_app_url", back_to_app);
  d.set("has_apps", apps.is_non_empty_list());
  d.set("apps", apps);
  size_t token_count = 0;
  PageData tokens = ApiTokenRows(v, t, zone, &token_count);
  d.set("has_api_tokens", token_count > 0);
  d.set("api_tokens", tokens);
  // What the forms that end access will do, said before the click (issue 11, item 3).
  if (token_count > 0) {
    d.set("revoke_api_tokens_label",
          t("account.revoke_api_tokens_label", {{"count", std::to_string(token_count)}}));
  }
  d.set("sign_out_everywhere_action", urls.PagePath(v.app, "account/sign-out-everywhere"));
  d.set("has_password", user->password_hash.has_value());
  SetSignInMethods(v, t, zone, d);
  return kit_.pages.Page(req, v.app, "account", std::move(d), status);
}

void AccountPages::SetSignInMethods(const BrowserVisit& v, const i18n::Texts& t,
                                    const std::string& zone, PageData& d) {
  if (!federation_) return;
  auto linked = federation_->LinkedIdentities(v.app, v.session.user_id);
  auto providers = federation_->EnabledProviders(v.app);
  if (!linked.ok() || !providers.ok()) return;
  PageData rows(PageData::type::list);
  for (const auto& l : *linked) {
    PageData row;
    row.set("provider_name", l.provider_name);
    std::string who = l.identity.username.empty() ? l.identity.email : l.identity.username;
    const std::string when = FormatInZone(l.identity.created_at, zone);
    row.set("detail", who.empty()
                          ? t("account.identity_linked", {{"time", when}})
                          : t("account.identity_linked_as", {{"who", who}, {"time", when}}));
    row.set("unlink_action",
            kit_.urls.PagePath(v.app, "account/identities/" + l.identity.id + "/unlink"));
    rows.push_back(row);
  }
  PageData to_link(PageData::type::list);
  for (const auto& p : *providers) {
    const bool already = std::any_of(linked->begin(), linked->end(), [&](const auto& l) {
      return l.identity.provider_id == p.id;
    });
    if (already) continue;
    PageData item;
    item.set("name", p.display_name);
    item.set("link_text", t("account.link_provider", {{"provider", p.display_name}}));
    item.set("link_action", kit_.urls.PagePath(v.app, "account/identities/" + p.slug + "/link"));
    to_link.push_back(item);
  }
  d.set("has_identities", !linked->empty());
  d.set("identities", rows);
  d.set("link_providers", to_link);
  d.set("has_sign_in_methods", !linked->empty() || !providers->empty());
}

http::Response AccountPages::Show(http::Request& req, const BrowserVisit& v) {
  http::QueryParams query = PageQuery(req);
  const std::string done = http::FormValue(query, "done");
  const std::string api_tokens = http::FormValue(query, "api_tokens");
  return Render(req, v, PageData(), 200, [&](const i18n::Texts& t, PageData& d) {
    if (std::string notice = Notice(t, done); !notice.empty()) {
      if (done == "password") notice += ApiTokensNotice(t, api_tokens);
      d.set("notice", notice);
    }
    if (std::string problem = EmailProblem(t, done); !problem.empty()) {
      d.set("email_error", problem);
    }
  });
}

http::Response AccountPages::SaveProfile(http::Request& req, const BrowserVisit& v,
                                         const Form& form) {
  services::ProfileUpdate update;
  if (form.contains("username")) {
    std::string u = http::FormValue(form, "username");
    update.username = u.empty() ? std::optional<std::string>() : std::optional(u);
  }
  boost::json::object patch;
  for (const char* f : kProfileFields) {
    if (!form.contains(f)) continue;
    std::string value = http::FormValue(form, f);
    if (value.empty())
      patch[f] = nullptr;
    else
      patch[f] = value;
  }
  update.profile_patch = std::move(patch);
  auto saved = accounts_.UpdateProfile(v.app, v.session.user_id, update);
  if (saved.ok()) {
    http::Response done = Done(v.app, "profile");
    if (!http::FormValue(form, "locale").empty()) kit_.pages.ForgetLanguageChoice(done);
    return done;
  }
  const Status& s = saved.status();
  PageData d;
  d.set("username", http::FormValue(form, "username"));
  for (const char* f : kProfileFields) d.set(f, http::FormValue(form, f));
  bool invalid = s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists();
  auto fill = [&](const i18n::Texts& t, PageData& page) {
    // Each error next to its field, in the page's words (not the API's "profile.website: …").
    bool any_field = false;
    for (const auto& e : s.field_errors()) {
      std::string_view field = e.field;
      if (field.rfind("profile.", 0) == 0) field.remove_prefix(8);
      const std::string label = ProfileFieldLabel(t, field);
      if (label.empty()) continue;
      page.set(std::string(field) + "_error", FieldSentence(t, label, PageWording(t, e.message)));
      any_field = true;
    }
    page.set("has_profile_errors", any_field);
    if (!any_field) page.set("error", t("account.profile_not_saved"));
  };
  return Render(req, v, std::move(d), invalid ? 400 : 503, fill);
}

http::Response AccountPages::ChangePassword(http::Request& req, const BrowserVisit& v,
                                            const Form& form) {
  const bool keep_api_tokens = KeepsApiTokens(form);
  auto changed = accounts_.ChangePassword(
      v.app, v.session.user_id, http::FormValue(form, "current_password"),
      http::FormValue(form, "new_password"), v.session.id, ClientOf(req), keep_api_tokens);
  if (changed.ok()) {
    return Done(v.app, "password", ApiTokensOutcome(keep_api_tokens, changed->api_tokens));
  }
  const Status& s = changed.status();
  unsigned status = s.code() == StatusCode::kInvalidArgument ? 400
                    : s.code() == StatusCode::kRateLimited   ? 429
                                                             : 503;
  auto fill = [&](const i18n::Texts& t, PageData& d) {
    std::string message = t("account.password_not_changed");
    if (s.code() == StatusCode::kRateLimited) {
      // Too many wrong current passwords: when to try again.
      message = ServiceText(t, s.message());
    } else if (!s.field_errors().empty()) {
      const auto& e = s.field_errors().front();
      message = t(e.field == "current_password" ? "account.current_password_rule"
                                                : "account.new_password_rule",
                  {{"rule", ServiceText(t, e.message)}});
    }
    d.set("password_error", message);
  };
  return WithRetryAfter(Render(req, v, PageData(), status, fill), s);
}

http::Response AccountPages::RevokeSession(http::Request& req, const BrowserVisit& v, const Form&) {
  Status s = sessions_.RevokeSession(v.app, v.session.user_id, req.Param("id"), store::RevokeReason::kRevokedByUser);
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "session");
}

http::Response AccountPages::RevokeApp(http::Request& req, const BrowserVisit& v, const Form&) {
  Status s = authz_.RevokeAuthorization(v.app, v.session.user_id, req.Param("id"));
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "app");
}

http::Response AccountPages::RevokeApiToken(http::Request& req, const BrowserVisit& v,
                                            const Form&) {
  Status s = api_tokens_.Revoke(v.app, v.session.user_id, req.Param("id"));
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "api-token");
}

// Ends every other session (of every kind); this browser stays signed in, the API tokens stay.
http::Response AccountPages::SignOutOthers(http::Request& req, const BrowserVisit& v,
                                           const Form&) {
  auto ended = sessions_.LogoutOthers(v.app, v.session.user_id, v.session.id);
  if (!ended.ok()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "others");
}

// Ends every session, this browser's included, so the answer is a page of its own (the
// account page would ask to sign in) saying what was done.
http::Response AccountPages::SignOutEverywhere(http::Request& req, const BrowserVisit& v,
                                               const Form& form) {
  const bool keep_api_tokens = KeepsApiTokens(form);
  auto ended = sessions_.LogoutAll(v.app, v.session.user_id, keep_api_tokens);
  if (!ended.ok()) return kit_.pages.Unavailable(req, &v.app);
  // The person's saved language, as on the account page they came from (the session is gone,
  // the user is still there; without them, the browser's language).
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  const std::string user_locale = user.ok() ? ProfileLocale(*user) : "";
  const i18n::Texts t = kit_.pages.TextsFor(req, &v.app, user_locale);
  PageData d;
  d.set("user_locale", user_locale);
  d.set("title", t("account.signed_out_everywhere_title"));
  d.set("message", t("account.signed_out_everywhere",
                     {{"app_name", store::DisplayName(v.app.settings, v.app.name)},
                      {"count", std::to_string(ended->sessions)}}) +
                       ApiTokensNotice(t, ApiTokensOutcome(keep_api_tokens, ended->api_tokens)));
  d.set("login_url", kit_.urls.PagePath(v.app, "login"));
  http::Response r = kit_.pages.Page(req, v.app, "logged_out", std::move(d));
  kit_.session_cookie.Clear(r, v.app);
  return r;
}

}  // namespace tessera::web
