#include "web/page_writer.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "http/cookie.h"
#include "http/form.h"
#include "http/query.h"
#include "i18n/locale_negotiation.h"
#include "web/branding.h"

namespace tessera::web {
namespace {

// The pages' CSP: our stylesheets only, no script at all, images from us (and data: icons)
// plus, when the app has a logo, that logo's one origin.
// `script`: the page runs its first-party script (static/passkeys.js on the passkey pages,
// static/form_post.js on a form_post answer; from /assets: 'self', never inline); every other
// page runs none.
std::string PageCsp(const std::optional<std::string>& logo_origin, bool script) {
  std::string img = "img-src 'self' data:";
  if (logo_origin) img += " " + *logo_origin;
  return "default-src 'none'; style-src 'self'; " + std::string(script ? "script-src 'self'; " : "") +
         img + "; frame-ancestors 'none'; base-uri 'none'";
}

// The query of a page's URL; a malformed one reads as none (as page_kit's PageQuery).
http::QueryParams QueryOf(const http::Request& req) {
  auto query = http::ReadQuery(req);
  return query.ok() ? std::move(*query) : http::QueryParams{};
}

// The language a person chose from a page's language menu (?lang=): kept a year, for every app
// of this server (one person, one browser). Not a secret: readable by scripts is harmless,
// but the pages run none anyway.
constexpr std::string_view kLanguageCookie = "tessera_lang";
constexpr int64_t kLanguageCookieAge = 365LL * 24 * 3600;

// The ui_locales of an OIDC request behind this page: its own parameter (the consent page sets
// it as data), the query's, or the one of the authorization request the query's or the form's
// return_to carries.
std::string UiLocalesOf(const http::Request& req, const http::QueryParams& query) {
  if (auto it = query.find("ui_locales"); it != query.end()) return it->second;
  std::string return_to;
  if (auto it = query.find("return_to"); it != query.end()) {
    return_to = it->second;
  } else if (req.raw.method() == boost::beast::http::verb::post) {
    auto form = http::ParseForm(req.body());
    if (form.ok()) {
      if (auto f = form->find("ui_locales"); f != form->end()) return f->second;
      if (auto f = form->find("return_to"); f != form->end()) return_to = f->second;
    }
  }
  size_t q = return_to.find('?');
  if (q == std::string::npos) return "";
  auto inner = http::ParseForm(std::string_view(return_to).substr(q + 1));
  if (!inner.ok()) return "";
  auto it = inner->find("ui_locales");
  return it == inner->end() ? "" : it->second;
}

// The page's own URL with lang=<code> (its other parameters kept): the language menu's links.
std::string WithLang(const http::Request& req, const http::QueryParams& query, std::string_view code) {
  std::string url = std::string(req.raw.target().substr(0, req.raw.target().find('?'))) + "?";
  for (const auto& [name, value] : query) {
    if (name == "lang") continue;
    url += http::FormEncode(name) + "=" + http::FormEncode(value) + "&";
  }
  return url + "lang=" + std::string(code);
}

}  // namespace

std::string ProfileLocale(const store::User& user) {
  boost::system::error_code ec;
  auto v = boost::json::parse(user.profile_json, ec);
  if (ec || !v.is_object()) return "";
  const auto* locale = v.as_object().if_contains("locale");
  return locale && locale->is_string() ? std::string(locale->as_string()) : std::string();
}

i18n::Texts PageWriter::TextsFor(const http::Request& req, const store::App* app,
                                 std::string_view user_locale, std::string_view ui_locales_given) const {
  const auto& catalog = i18n::MessageCatalog::Embedded();
  const i18n::MessageOverrides* overrides = app ? &app->settings.messages : nullptr;
  const http::QueryParams query = QueryOf(req);
  // A choice the person made on a page comes before anything a client or browser says.
  if (auto it = query.find("lang"); it != query.end()) {
    if (auto chosen = i18n::MatchLocale(it->second)) return i18n::Texts(catalog, *chosen, overrides);
  }
  if (auto cookie = http::GetCookie(req, kLanguageCookie)) {
    if (auto chosen = i18n::MatchLocale(*cookie)) return i18n::Texts(catalog, *chosen, overrides);
  }
  const std::string ui_locales =
      ui_locales_given.empty() ? UiLocalesOf(req, query) : std::string(ui_locales_given);
  std::string locale = i18n::NegotiateLocale(
      {.ui_locales = ui_locales,
       .user_locale = user_locale,
       .accept_language = req.Header(boost::beast::http::field::accept_language),
       .app_default = app ? std::string_view(app->settings.default_locale) : std::string_view()});
  return i18n::Texts(catalog, std::move(locale), overrides);
}

void PageWriter::ForgetLanguageChoice(http::Response& res) const {
  http::SetCookie(res, std::string(kLanguageCookie), "", {urls_.secure(), true, "Lax", "/", 0});
}

http::Response PageWriter::Page(const http::Request& req, const store::App& app,
                                std::string_view page, PageData data, unsigned status) const {
  http::Response res;
  res.status = status;
  const PageBranding branding = BrandingOf(app, urls_);
  data.set("app_name", branding.display_name);
  data.set("asset_base", urls_.AssetBase());
  data.set("csrf_token", csrf_.TokenFor(req, &res));
  data.set("logo_url", branding.logo_url);
  data.set("app_initial", branding.initial);
  if (!branding.stylesheet_url.empty()) data.set("branding_css", branding.stylesheet_url);
  const bool script = data.get("page_script") != nullptr;
  // The consoles speak English (data "page_locale"); the end-user pages the person's language,
  // with a menu to choose another.
  std::string user_locale, ui_locales, fixed;
  if (const auto* v = data.get("user_locale"); v && v->is_string()) user_locale = v->string_value();
  if (const auto* v = data.get("ui_locales"); v && v->is_string()) ui_locales = v->string_value();
  if (const auto* v = data.get("page_locale"); v && v->is_string()) fixed = v->string_value();
  const http::QueryParams query = QueryOf(req);
  const i18n::Texts texts = fixed.empty() ? TextsFor(req, &app, user_locale, ui_locales)
                                          : i18n::Texts(i18n::MessageCatalog::Embedded(), fixed);
  if (auto it = query.find("lang"); it != query.end() && i18n::MatchLocale(it->second)) {
    http::SetCookie(res, std::string(kLanguageCookie), texts.locale(),
                    {urls_.secure(), true, "Lax", "/", kLanguageCookieAge});
  }
  if (fixed.empty() && req.raw.method() == boost::beast::http::verb::get) {
    // The same page in another language; an error page's links keep none of the request's
    // parameters (they may be what was wrong, e.g. a redirect_uri nobody registered).
    const http::QueryParams kept = status < 400 ? query : http::QueryParams{};
    kainjow::mustache::list languages;
    for (std::string_view code : i18n::SupportedLocales()) {
      kainjow::mustache::data item;
      item.set("code", std::string(code));
      item.set("name", std::string(i18n::LocaleDisplayName(code)));
      item.set("url", WithLang(req, kept, code));
      item.set("current", code == texts.locale() ? "true" : "");
      languages.push_back(std::move(item));
    }
    data.set("languages", std::move(languages));
  }
  auto html = renderer_.Render(page, std::move(data), texts);
  if (!html.ok()) {
    LogJson(spdlog::level::err, "page_render_failed",
            {{"page", page}, {"error", html.status().ToString()}});
    res.status = 500;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "internal error";
    return res;
  }
  res.content_type = "text/html; charset=utf-8";
  res.body = std::move(*html);
  res.WithHeader("Content-Security-Policy",
                 PageCsp(branding.logo_origin, script));
  // Our own forms then carry a real Origin (with no-referrer, browsers send "null"), while
  // other sites still learn nothing (no Referer leaves for another origin).
  res.WithHeader("Referrer-Policy", "same-origin");
  return res;
}

http::Response PageWriter::ErrorPage(const http::Request& req, const store::App* app,
                                     unsigned status, std::string_view heading,
                                     std::string_view message, std::string_view user_locale) const {
  PageData d;
  if (!user_locale.empty()) d.set("user_locale", std::string(user_locale));
  d.set("title", std::string(heading));
  d.set("heading", std::string(heading));
  d.set("message", std::string(message));
  d.set("request_id", req.request_id);
  // Never a dead end: the app's sign-in page, or the server's start page.
  d.set("back_url", app ? urls_.PagePath(*app, "login") : urls_.path_base() + "/");
  d.set("back_text", TextsFor(req, app, user_locale)(app ? "pages.go_to_sign_in" : "pages.go_to_start"));
  if (app) return Page(req, *app, "error", std::move(d), status);
  store::App unknown;
  unknown.name = "Tessera";
  return Page(req, unknown, "error", std::move(d), status);
}

http::Response PageWriter::Unavailable(const http::Request& req, const store::App* app) const {
  const i18n::Texts t = TextsFor(req, app);
  return ErrorPage(req, app, 503, t("pages.unavailable_heading"), t("pages.unavailable_message"));
}

http::Response PageWriter::Message(const http::Request& req, const store::App& app, unsigned status,
                                   std::string_view heading, std::string_view message, bool success,
                                   std::string_view link_url, std::string_view link_text,
                                   std::string_view user_locale) const {
  PageData d;
  if (!user_locale.empty()) d.set("user_locale", std::string(user_locale));
  d.set("title", std::string(heading));
  d.set("heading", std::string(heading));
  d.set("message", std::string(message));
  d.set("success", success);
  if (!link_url.empty()) {
    d.set("link_url", std::string(link_url));
    d.set("link_text", std::string(link_text));
  }
  return Page(req, app, "message", std::move(d), status);
}

http::Response PageWriter::UnknownApp(const http::Request& req) const {
  const i18n::Texts t = TextsFor(req, nullptr);
  return ErrorPage(req, nullptr, 404, t("pages.unknown_app_heading"),
                   t("pages.unknown_app_message"));
}

http::Response PageWriter::CsrfRejected(const http::Request& req, const store::App& app) const {
  const i18n::Texts t = TextsFor(req, &app);
  return ErrorPage(req, &app, 403, t("pages.csrf_heading"), t("pages.csrf_message"));
}

http::Response Redirect(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.WithHeader("Location", location);
  return r;
}

}  // namespace tessera::web
