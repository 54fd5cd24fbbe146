#include "web/page_gates.h"

namespace tessera::web {

http::Response FormNotUtf8Page(const http::Request& req, const PageKit& kit,
                               const store::App& app, const Status& status) {
  return kit.pages.ErrorPage(req, &app, 400, "Bad request",
                             "The form could not be read: " + status.message() + ".");
}

GateOutcome<store::App> PageGates::ResolveApp(http::Request& req, http::FormParams* form,
                                              UnreadableForm unreadable) const {
  auto app = kit_.apps.Resolve(req.Param("app"));
  if (!app.ok()) return kit_.pages.UnknownApp(req);
  if (!form) return std::move(*app);
  auto read = http::ReadFormBody(req);
  if (!read.ok() && http::IsNotUtf8Form(read.status())) {
    return FormNotUtf8Page(req, kit_, *app, read.status());
  }
  if (!read.ok() && unreadable == UnreadableForm::kBadRequest) {
    return kit_.pages.ErrorPage(req, &*app, 400, "Bad request", "The form could not be read.");
  }
  if (!read.ok() || !kit_.csrf.Check(req, *read)) return kit_.pages.CsrfRejected(req, *app);
  *form = std::move(*read);
  return std::move(*app);
}

GateOutcome<BrowserVisit> PageGates::ResolveBrowser(http::Request& req, http::FormParams* form,
                                                    AfterSignIn back) const {
  auto app = ResolveApp(req, form, UnreadableForm::kRejected);
  if (auto* answer = std::get_if<http::Response>(&app)) return std::move(*answer);
  store::App& resolved = std::get<store::App>(app);
  auto session = kit_.session_cookie.Current(resolved, req);
  if (!session) {
    std::string login = kit_.urls.PagePath(resolved, "login");
    if (back == AfterSignIn::kAccountPage) {
      login += "?return_to=" + http::FormEncode(kit_.urls.PagePath(resolved, "account"));
    }
    return Redirect(kit_.urls.Absolute(login));
  }
  return BrowserVisit{std::move(resolved), std::move(*session)};
}

http::Handler PageGates::WithApp(PageHandler<store::App> page) const {
  return Behind<store::App>(
      [this](http::Request& req, http::FormParams* form) {
        return ResolveApp(req, form, UnreadableForm::kRejected);
      },
      std::move(page));
}

http::Handler PageGates::WithCsrf(FormHandler<store::App> page, UnreadableForm unreadable) const {
  return Behind<store::App>(
      [this, unreadable](http::Request& req, http::FormParams* form) {
        return ResolveApp(req, form, unreadable);
      },
      std::move(page));
}

http::Handler PageGates::WithBrowserSession(AfterSignIn back,
                                            PageHandler<BrowserVisit> page) const {
  return Behind<BrowserVisit>(
      [this, back](http::Request& req, http::FormParams* form) {
        return ResolveBrowser(req, form, back);
      },
      std::move(page));
}

http::Handler PageGates::WithBrowserSession(AfterSignIn back,
                                            FormHandler<BrowserVisit> page) const {
  return Behind<BrowserVisit>(
      [this, back](http::Request& req, http::FormParams* form) {
        return ResolveBrowser(req, form, back);
      },
      std::move(page));
}

}  // namespace tessera::web
