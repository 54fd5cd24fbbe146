// File: page_writer.h
// Writes the hosted pages' responses: a page rendered with the fields every page has (app
// name and branding, asset base, CSRF token), as HTML that is never cached, with the pages'
// CSP (our stylesheets only, no script, images from us and the app's logo origin) and
// Referrer-Policy; and the pages every flow shares — the error page, the result ("message")
// page, 404 for an unknown app, 403 for a failed CSRF check — and the 303 after a form.
#pragma once

#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>

#include "http/message.h"
#include "i18n/message_catalog.h"
#include "accounts/user_records.h"
#include "tenancy/tenancy_records.h"
#include "web/csrf.h"
#include "web/page_renderer.h"
#include "web/page_urls.h"

namespace tessera::web {

using PageData = kainjow::mustache::data;

class PageWriter {
 public:
  PageWriter(const PageRenderer& renderer, const PageUrls& urls, const CsrfGuard& csrf)
      : renderer_(renderer), urls_(urls), csrf_(csrf) {}

  // The language of the answer to `req` (i18n/locale_negotiation.h): the ui_locales of the
  // request (its query or form, or the authorization request its return_to carries), the
  // user's saved locale when the caller knows the user, Accept-Language, the app's default
  // (`app` may be null: an unknown app); with the app's overrides of the messages.
  // `ui_locales`, when given, is the OIDC request's (the consent page has it from the request,
  // which a pushed request does not carry in any URL); else it is read from the request.
  i18n::Texts TextsFor(const http::Request& req, const store::App* app,
                       std::string_view user_locale = "", std::string_view ui_locales = "") const;

  // Drops the language a person chose from a page's menu (its cookie): after they saved a
  // language in their profile, that one speaks.
  void ForgetLanguageChoice(http::Response& res) const;

  // templates/<page>.mustache with the common fields filled in over `data`, in the language
  // TextsFor(req, &app, data["user_locale"], data["ui_locales"]) speaks: {{t.group.key}} in a template is that
  // message, formatted with the page's top-level data as its arguments; `lang` and `dir`
  // are set for the layout. A page about a known user sets "user_locale" (the profile's
  // `locale`) and uses the same for its own TextsFor.
  http::Response Page(const http::Request& req, const store::App& app, std::string_view page,
                      PageData data, unsigned status = 200) const;
  // The friendly error page; `app` may be null (an unknown app). `user_locale`: as in
  // TextsFor, when the caller knows whose page it is (the texts given are in that language).
  http::Response ErrorPage(const http::Request& req, const store::App* app, unsigned status,
                           std::string_view heading, std::string_view message,
                           std::string_view user_locale = "") const;
  // 503 "Something went wrong": the store or a service failed; the detail is in the log.
  http::Response Unavailable(const http::Request& req, const store::App* app) const;
  // A result page ("message" template), with an optional link onwards.
  http::Response Message(const http::Request& req, const store::App& app, unsigned status,
                         std::string_view heading, std::string_view message, bool success,
                         std::string_view link_url = "", std::string_view link_text = "",
                         std::string_view user_locale = "") const;
  // The 404 page for an {app} that does not exist (or is disabled).
  http::Response UnknownApp(const http::Request& req) const;
  // The 403 page for a form whose CSRF check failed.
  http::Response CsrfRejected(const http::Request& req, const store::App& app) const;

 private:
  const PageRenderer& renderer_;
  const PageUrls& urls_;
  const CsrfGuard& csrf_;
};

// The locale the user saved in their profile (the OIDC `locale` claim), or "".
std::string ProfileLocale(const store::User& user);

// 303 See Other: after a POST the browser follows with a GET.
http::Response Redirect(const std::string& location);

}  // namespace tessera::web
