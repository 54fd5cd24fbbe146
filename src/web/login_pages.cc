#include "web/login_pages.h"

#include "base/log.h"
#include "http/form.h"
#include "tenancy/app_settings.h"

namespace tessera::web {
namespace {

namespace verb = http::beast_http;

constexpr std::string_view kBadCredentials = "Incorrect email, username or password.";

}  // namespace

std::optional<std::map<std::string, std::string>> QueryOf(const http::Request& req) {
  std::string_view target = req.raw.target();
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::map<std::string, std::string>{};
  auto parsed = http::ParseForm(target.substr(q + 1));
  if (!parsed.ok()) return std::nullopt;
  return std::move(*parsed);
}

void LoginPages::Mount(http::Router& r) {
  using D = http::Dispatch;
  r.Add(verb::verb::get, "/apps/{app}/login", [this](http::Request& q) { return ShowLogin(q); });
  r.Add(verb::verb::post, "/apps/{app}/login", [this](http::Request& q) { return SubmitLogin(q); },
        D::kHashing);
  r.Add(verb::verb::get, "/apps/{app}/signup", [this](http::Request& q) { return ShowSignup(q); });
  r.Add(verb::verb::post, "/apps/{app}/signup",
        [this](http::Request& q) { return SubmitSignup(q); }, D::kHashing);
  r.Add(verb::verb::get, "/apps/{app}/logout", [this](http::Request& q) { return ShowLogout(q); });
  r.Add(verb::verb::post, "/apps/{app}/logout", [this](http::Request& q) { return SubmitLogout(q); });
  r.Add(verb::verb::get, "/assets/{name}", [this](http::Request& q) { return Asset(q); },
        D::kInline);
}

http::Response LoginPages::Asset(http::Request& req) {
  const std::string& name = req.Param("name");
  auto body = renderer_.Static(name);
  if (!body) return http::TextResponse(404, "text/plain; charset=utf-8", "not found");
  std::string etag = "\"" + std::string(renderer_.css_etag()) + "\"";
  if (req.Header(verb::field::if_none_match) == etag) {
    http::Response r;
    r.status = 304;
    r.WithHeader("ETag", etag);
    return r;
  }
  http::Response r = http::TextResponse(200, std::string(PageRenderer::ContentType(name)),
                                        std::string(*body));
  r.WithHeader("ETag", etag);
  // Pages link it as tessera.css?v=<etag>: a new stylesheet is a new URL.
  r.WithHeader("Cache-Control", "public, max-age=31536000, immutable");
  return r;
}

http::Response LoginPages::LoginForm(const http::Request& req, const store::App& app,
                                     const std::string& return_to, const std::string& identifier,
                                     const std::string& error, unsigned status) {
  PageData d;
  d.set("title", "Sign in");
  d.set("action", web_.PagePath(app, "login"));
  d.set("return_to", return_to);
  d.set("identifier", identifier);
  std::string signup = web_.PagePath(app, "signup");
  if (!return_to.empty()) signup += "?return_to=" + http::FormEncode(return_to);
  if (app.settings.allow_signup) d.set("signup_url", signup);
  d.set("forgot_url", web_.PagePath(app, "forgot-password"));
  if (app.settings.magic_link_login) {
    std::string magic = web_.PagePath(app, "magic-link");
    if (!return_to.empty()) magic += "?return_to=" + http::FormEncode(return_to);
    d.set("magic_link_url", magic);
  }
  if (!error.empty()) d.set("error", error);
  if (std::string client = ClientNameOf(app, return_to); !client.empty()) d.set("client_name", client);
  return web_.Page(req, app, "login", std::move(d), status);
}

std::string LoginPages::ClientNameOf(const store::App& app, const std::string& return_to) {
  size_t q = return_to.find('?');
  if (q == std::string::npos || return_to.compare(0, q, web_.PagePath(app, "oauth/authorize")) != 0) {
    return "";
  }
  auto params = http::ParseForm(std::string_view(return_to).substr(q + 1));
  if (!params.ok() || !params->contains("client_id")) return "";
  auto client = clients_.Find(app, params->at("client_id"));
  return client.ok() ? client->name : "";
}

http::Response LoginPages::ShowLogin(http::Request& req) {
  auto app = web_.apps().Resolve(req.Param("app"));
  if (!app.ok()) return web_.UnknownApp(req);
  auto query = QueryOf(req);
  std::string return_to = query ? web_.SafeReturnTo(*app, http::FormValue(*query, "return_to")) : "";
  if (return_to.empty() && web_.CurrentSession(*app, req)) {
    return WebContext::Redirect(web_.Absolute(web_.HomePath(*app)));
  }
  return LoginForm(req, *app, return_to, "", "", 200);
}

http::Response LoginPages::SignedIn(const http::Request& req, const store::App& app,
                                    const store::User& user, const std::string& return_to) {
  return web_.SignIn(req, app, user, return_to);
}

http::Response LoginPages::SubmitLogin(http::Request& req) {
  auto app = web_.apps().Resolve(req.Param("app"));
  if (!app.ok()) return web_.UnknownApp(req);
  auto form = ReadForm(req);
  if (!form) return web_.ErrorPage(req, &*app, 400, "Bad request", "The form could not be read.");
  if (!web_.CsrfOk(req, *form)) {
    return web_.CsrfRejected(req, *app);
  }
  std::string return_to = web_.SafeReturnTo(*app, http::FormValue(*form, "return_to"));
  std::string identifier = http::FormValue(*form, "identifier");
  if (identifier.size() > 254) identifier.resize(254);
  auto user = accounts_.Authenticate(*app, identifier, http::FormValue(*form, "password"),
                                     WebContext::ClientOf(req));
  if (!user.ok()) {
    switch (user.status().code()) {
      case StatusCode::kUnauthenticated:
        return LoginForm(req, *app, return_to, identifier, std::string(kBadCredentials), 401);
      case StatusCode::kPermissionDenied:  // the app requires a verified address
        return LoginForm(req, *app, return_to, identifier, user.status().message(), 403);
      case StatusCode::kRateLimited: {
        http::Response r = LoginForm(req, *app, return_to, identifier, user.status().message(), 429);
        r.WithHeader("Retry-After", std::to_string(user.status().retry_after_s()));
        return r;
      }
      default:
        return LoginForm(req, *app, return_to, identifier,
                         "We could not sign you in just now. Please try again in a moment.", 503);
    }
  }
  return SignedIn(req, *app, *user, return_to);
}

http::Response LoginPages::SignupForm(const http::Request& req, const store::App& app,
                                      const std::map<std::string, std::string>& form,
                                      const std::map<std::string, std::string>& errors,
                                      const std::string& error, unsigned status) {
  PageData d;
  d.set("title", "Create your account");
  d.set("action", web_.PagePath(app, "signup"));
  std::string return_to = http::FormValue(form, "return_to");
  d.set("return_to", return_to);
  d.set("email", http::FormValue(form, "email"));
  d.set("username", http::FormValue(form, "username"));
  for (const auto& [field, message] : errors) d.set(field + "_error", message);
  std::string login = web_.PagePath(app, "login");
  if (!return_to.empty()) login += "?return_to=" + http::FormEncode(return_to);
  d.set("login_url", login);
  d.set("password_min_length", std::to_string(accounts_.PolicyFor(app).min_length));
  if (!error.empty()) d.set("error", error);
  if (std::string client = ClientNameOf(app, return_to); !client.empty()) d.set("client_name", client);
  return web_.Page(req, app, "signup", std::move(d), status);
}

http::Response LoginPages::ShowSignup(http::Request& req) {
  auto app = web_.apps().Resolve(req.Param("app"));
  if (!app.ok()) return web_.UnknownApp(req);
  auto query = QueryOf(req);
  std::map<std::string, std::string> form;
  if (query) form["return_to"] = web_.SafeReturnTo(*app, http::FormValue(*query, "return_to"));
  return SignupForm(req, *app, form, {}, "", 200);
}

http::Response LoginPages::SubmitSignup(http::Request& req) {
  auto app = web_.apps().Resolve(req.Param("app"));
  if (!app.ok()) return web_.UnknownApp(req);
  auto form = ReadForm(req);
  if (!form) return web_.ErrorPage(req, &*app, 400, "Bad request", "The form could not be read.");
  if (!web_.CsrfOk(req, *form)) {
    return web_.CsrfRejected(req, *app);
  }
  (*form)["return_to"] = web_.SafeReturnTo(*app, http::FormValue(*form, "return_to"));
  for (const char* f : {"email", "username"}) {
    if ((*form)[f].size() > 320) (*form)[f].resize(320);
  }
  services::SignupInput in;
  in.email = http::FormValue(*form, "email");
  in.password = http::FormValue(*form, "password");
  if (!http::FormValue(*form, "username").empty()) in.username = http::FormValue(*form, "username");
  auto user = accounts_.Signup(*app, std::move(in), WebContext::ClientOf(req));
  if (!user.ok()) {
    const Status& s = user.status();
    std::map<std::string, std::string> errors;
    for (const auto& e : s.field_errors()) errors.emplace(e.field, e.message);
    if (s.code() == StatusCode::kPermissionDenied) {
      return SignupForm(req, *app, *form, {}, "Signing up is closed for this app.", 403);
    }
    if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kAlreadyExists) {
      // "is already registered" on signup is inherent to signup forms; the API says the same.
      return SignupForm(req, *app, *form, errors, "Please check the highlighted fields.", 400);
    }
    return SignupForm(req, *app, *form, {}, "We could not create your account just now. "
                      "Please try again in a moment.", 503);
  }
  return SignedIn(req, *app, *user, http::FormValue(*form, "return_to"));
}

http::Response LoginPages::ShowLogout(http::Request& req) {
  auto app = web_.apps().Resolve(req.Param("app"));
  if (!app.ok()) return web_.UnknownApp(req);
  PageData d;
  auto session = web_.CurrentSession(*app, req);
  if (!session) {
    d.set("title", "Signed out");
    d.set("message", "You’ve been signed out of " + app->name + " on this device.");
    d.set("login_url", web_.PagePath(*app, "login"));
    return web_.Page(req, *app, "logged_out", std::move(d));
  }
  d.set("title", "Sign out");
  d.set("action", web_.PagePath(*app, "logout"));
  d.set("hidden", PageData(PageData::type::list));
  return web_.Page(req, *app, "logout", std::move(d));
}

http::Response LoginPages::SubmitLogout(http::Request& req) {
  auto app = web_.apps().Resolve(req.Param("app"));
  if (!app.ok()) return web_.UnknownApp(req);
  auto form = ReadForm(req);
  if (!form || !web_.CsrfOk(req, *form)) {
    return web_.CsrfRejected(req, *app);
  }
  if (http::FormValue(*form, "decision") == "stay") {
    return WebContext::Redirect(web_.Absolute(web_.HomePath(*app)));
  }
  if (auto session = web_.CurrentSession(*app, req)) {
    (void)web_.sessions().End(*app, *session, store::RevokeReason::kLogout);
  }
  PageData d;
  d.set("title", "Signed out");
  d.set("message", "You’ve been signed out of " + app->name + " on this device.");
  d.set("login_url", web_.PagePath(*app, "login"));
  http::Response r = web_.Page(req, *app, "logged_out", std::move(d));
  web_.ClearSessionCookie(r, *app);
  return r;
}

}  // namespace tessera::web
