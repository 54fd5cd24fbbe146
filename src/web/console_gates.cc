#include "web/console_gates.h"

#include "http/client_headers.h"
#include "web/return_to.h"

namespace tessera::web {

http::Response ConsoleGates::SignInFirst(const http::Request& req, const store::App& console,
                                         bool posted) const {
  // Back to this page after signing in (a form's page is not known: the console's home).
  std::string here =
      posted ? kit_.urls.ConsolePath() : kit_.urls.path_base() + std::string(req.raw.target());
  std::string login = kit_.urls.PagePath(console, "login");
  if (std::string back = SafeReturnTo(kit_.urls, console, here); !back.empty()) {
    login += "?return_to=" + http::FormEncode(back);
  }
  return Redirect(kit_.urls.Absolute(login));
}

GateOutcome<ConsoleVisitor> ConsoleGates::ResolveVisitor(http::Request& req,
                                                         http::FormParams* form) const {
  auto console = kit_.apps.Resolve(services::kConsoleAppSlug);
  if (!console.ok()) {
    if (console.status().IsNotFound()) return kit_.pages.UnknownApp(req);
    return kit_.pages.Unavailable(req, nullptr);
  }
  if (form) {
    auto read = http::ReadFormBody(req);
    if (!read.ok() && http::IsNotUtf8Form(read.status())) {
      return FormNotUtf8Page(req, kit_, *console, read.status());
    }
    if (!read.ok() || !kit_.csrf.Check(req, *read)) return kit_.pages.CsrfRejected(req, *console);
    *form = std::move(*read);
  }
  const bool posted = form != nullptr;
  auto session = kit_.session_cookie.Current(*console, req);
  if (!session) return SignInFirst(req, *console, posted);
  auto user = accounts_.GetUser(*console, session->user_id);
  if (!user.ok()) {
    if (user.status().IsNotFound()) return SignInFirst(req, *console, posted);
    return kit_.pages.Unavailable(req, &*console);
  }
  if (user->disabled) return SignInFirst(req, *console, posted);
  ConsoleVisitor v;
  v.is_operator = services::DeveloperConsoleService::IsOperator(*user);
  v.actor = services::Actor{
      v.is_operator ? store::AuditActorType::kAdmin : store::AuditActorType::kDeveloper, user->id,
      req.remote_ip, http::DisplayUserAgent(req)};
  v.console = std::move(*console);
  v.session = std::move(*session);
  v.user = std::move(*user);
  return v;
}

GateOutcome<AppVisitor> ConsoleGates::ResolveAppVisitor(http::Request& req,
                                                        http::FormParams* form) const {
  auto visit = ResolveVisitor(req, form);
  if (auto* answer = std::get_if<http::Response>(&visit)) return std::move(*answer);
  ConsoleVisitor& v = std::get<ConsoleVisitor>(visit);
  auto access = console_.Access(v.user, req.Param("slug"));
  // Someone else's app and no app at all look the same.
  if (!access.ok()) return layout_.Failure(req, v, access.status());
  return AppVisitor{std::move(v), std::move(*access)};
}

GateOutcome<ConsoleVisitor> ConsoleGates::ResolveOperator(http::Request& req,
                                                          http::FormParams* form) const {
  auto visit = ResolveVisitor(req, form);
  if (auto* v = std::get_if<ConsoleVisitor>(&visit); v && !v->is_operator) {
    return layout_.NotFound(req, *v);
  }
  return visit;
}

http::Handler ConsoleGates::WithConsoleVisitor(PageHandler<ConsoleVisitor> page) const {
  return Behind<ConsoleVisitor>(
      [this](http::Request& req, http::FormParams* form) { return ResolveVisitor(req, form); },
      std::move(page));
}

http::Handler ConsoleGates::WithConsoleVisitor(FormHandler<ConsoleVisitor> page) const {
  return Behind<ConsoleVisitor>(
      [this](http::Request& req, http::FormParams* form) { return ResolveVisitor(req, form); },
      std::move(page));
}

http::Handler ConsoleGates::WithAppVisitor(PageHandler<AppVisitor> page) const {
  return Behind<AppVisitor>(
      [this](http::Request& req, http::FormParams* form) { return ResolveAppVisitor(req, form); },
      std::move(page));
}

http::Handler ConsoleGates::WithAppVisitor(FormHandler<AppVisitor> page) const {
  return Behind<AppVisitor>(
      [this](http::Request& req, http::FormParams* form) { return ResolveAppVisitor(req, form); },
      std::move(page));
}

http::Handler ConsoleGates::WithOperator(PageHandler<ConsoleVisitor> page) const {
  return Behind<ConsoleVisitor>(
      [this](http::Request& req, http::FormParams* form) { return ResolveOperator(req, form); },
      std::move(page));
}

http::Handler ConsoleGates::WithOperator(FormHandler<ConsoleVisitor> page) const {
  return Behind<ConsoleVisitor>(
      [this](http::Request& req, http::FormParams* form) { return ResolveOperator(req, form); },
      std::move(page));
}

}  // namespace tessera::web
