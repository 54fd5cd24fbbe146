// File: page_gates.h
// The gates of the hosted pages, applied when a route is mounted: a page handler receives
// what its gate resolved — the app of {app}, a POST's CSRF-checked form, the signed-in
// browser session — and never runs when the gate answered instead (the 404 page of an unknown
// app, 403 for a forged or stale form, the redirect to the sign-in page).
//
//   r.Add(get, "/apps/{app}/account", gates.WithBrowserSession(kBack, Bind(this, &Show)));
//   r.Add(post, "/apps/{app}/account/profile",
//         gates.WithBrowserSession(kBack, Bind(this, &SaveProfile)));  // takes the form: CSRF
//
// A handler that takes a form (…, const http::FormParams&) only ever gets one that passed the
// CSRF check: reading the form and checking it are one step.
#pragma once

#include <functional>
#include <utility>
#include <variant>

#include "http/form.h"
#include "http/router.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"
#include "web/page_kit.h"

namespace tessera::web {

// A page behind a gate: the request and what the gate resolved (`Visit`), and for a form
// handler the CSRF-checked form.
template <typename Visit>
using PageHandler = std::function<http::Response(http::Request&, const Visit&)>;
template <typename Visit>
using FormHandler =
    std::function<http::Response(http::Request&, const Visit&, const http::FormParams&)>;

// What a gate resolved, or the answer it gives instead.
template <typename Visit>
using GateOutcome = std::variant<Visit, http::Response>;
// A gate: resolves the request; with `form` (a form handler's route) it also reads the body
// into it and checks its CSRF token.
template <typename Visit>
using Gate = std::function<GateOutcome<Visit>(http::Request&, http::FormParams* form)>;

// The route handler of `page` behind `gate`: a page never sees the outcome, only what passed.
template <typename Visit>
http::Handler Behind(Gate<Visit> gate, PageHandler<Visit> page) {
  return [gate = std::move(gate), page = std::move(page)](http::Request& req) -> http::Response {
    GateOutcome<Visit> outcome = gate(req, nullptr);
    if (auto* answer = std::get_if<http::Response>(&outcome)) return std::move(*answer);
    return page(req, std::get<Visit>(outcome));
  };
}
template <typename Visit>
http::Handler Behind(Gate<Visit> gate, FormHandler<Visit> page) {
  return [gate = std::move(gate), page = std::move(page)](http::Request& req) -> http::Response {
    http::FormParams form;
    GateOutcome<Visit> outcome = gate(req, &form);
    if (auto* answer = std::get_if<http::Response>(&outcome)) return std::move(*answer);
    return page(req, std::get<Visit>(outcome), form);
  };
}

// A member function of a page class as a gated handler: Bind(this, &AccountPages::Show).
template <typename Pages, typename... Args>
auto Bind(Pages* pages, http::Response (Pages::*fn)(http::Request&, Args...)) {
  return [pages, fn](http::Request& req, Args... args) { return (pages->*fn)(req, args...); };
}

// The signed-in browser of an app's page.
struct BrowserVisit {
  store::App app;
  store::Session session;
};

// Where the sign-in page sends a visitor without a session back to: the account page, or the
// app's default (its home page).
enum class AfterSignIn { kAccountPage, kDefault };

// What a POST whose body is not a form at all gets: the CSRF rejection (403) like any forged
// form, or a 400 "Bad request" page (the sign-in and sign-up forms). A form with a field that
// is not UTF-8 gets 400 naming the field either way (FormNotUtf8Page).
enum class UnreadableForm { kRejected, kBadRequest };

// The 400 page for a form whose field is not UTF-8 (http::IsNotUtf8Form): never a CSRF
// refusal, since the token may well be right; the page names the field.
http::Response FormNotUtf8Page(const http::Request& req, const PageKit& kit,
                               const store::App& app, const Status& status);

class PageGates {
 public:
  explicit PageGates(const PageKit& kit) : kit_(kit) {}

  // The app of {app} (the 404 page of an unknown app otherwise).
  http::Handler WithApp(PageHandler<store::App> page) const;
  // …and the POST's form, CSRF-checked (403 otherwise).
  http::Handler WithCsrf(FormHandler<store::App> page,
                         UnreadableForm unreadable = UnreadableForm::kRejected) const;
  // …and the signed-in browser session (a redirect to the sign-in page otherwise); a form
  // handler's form is CSRF-checked before the session is looked at.
  http::Handler WithBrowserSession(AfterSignIn back, PageHandler<BrowserVisit> page) const;
  http::Handler WithBrowserSession(AfterSignIn back, FormHandler<BrowserVisit> page) const;

 private:
  GateOutcome<store::App> ResolveApp(http::Request& req, http::FormParams* form,
                                     UnreadableForm unreadable) const;
  GateOutcome<BrowserVisit> ResolveBrowser(http::Request& req, http::FormParams* form,
                                           AfterSignIn back) const;

  const PageKit& kit_;
};

}  // namespace tessera::web
