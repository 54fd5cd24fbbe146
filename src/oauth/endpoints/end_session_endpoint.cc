#include "oauth/endpoints/end_session_endpoint.h"

#include <algorithm>

#include "base/log.h"
#include "http/form.h"
#include "http/query.h"
#include "web/page_kit.h"

namespace tessera::oauth {
namespace {

}  // namespace

void EndSessionEndpoint::Mount(http::Router& r) {
  r.Add(http::beast_http::verb::get, "/apps/{app}/oauth/logout", [this](http::Request& q) {
    auto params = http::ReadQuery(q);
    if (!params.ok()) {
      const i18n::Texts t = web_.pages.TextsFor(q, nullptr);
      return web_.pages.ErrorPage(q, nullptr, 400, t("oauth.invalid_logout_heading"),
                                  t("oauth.logout_params_malformed"));
    }
    return Handle(q, std::move(*params), false);
  });
  r.Add(http::beast_http::verb::post, "/apps/{app}/oauth/logout", [this](http::Request& q) {
    auto form = http::ReadFormBody(q);
    if (!form.ok()) {
      const i18n::Texts t = web_.pages.TextsFor(q, nullptr);
      return web_.pages.ErrorPage(q, nullptr, 400, t("oauth.invalid_logout_heading"),
                                  t("oauth.form_unreadable"));
    }
    // A POST from our own confirmation form (CSRF-checked) is the user's confirmation; any
    // other POST is an RP's request like a GET (OIDC allows both).
    bool ours = form->contains("csrf_token") && web_.csrf.Check(q, *form);
    std::string decision = http::FormValue(*form, "decision");
    bool confirmed = ours && decision == "logout";
    bool stay = ours && decision == "stay";
    if (stay) {
      auto app = web_.apps.Resolve(q.Param("app"));
      if (app.ok()) return web::Redirect(web_.urls.Absolute(web_.urls.PagePath(*app, "account")));
    }
    form->erase("csrf_token");
    form->erase("decision");
    return Handle(q, std::move(*form), confirmed);
  });
}

http::Response EndSessionEndpoint::Handle(http::Request& req,
                                          std::map<std::string, std::string> p, bool confirmed) {
  auto app = web_.apps.Resolve(req.Param("app"));
  if (!app.ok()) return web_.pages.UnknownApp(req);
  const i18n::Texts t = web_.pages.TextsFor(req, &*app);
  // Who asks: the hint's audience, or client_id (which must agree with it).
  std::optional<services::IdTokenHint> hint;
  if (std::string h = http::FormValue(p, "id_token_hint"); !h.empty()) {
    auto v = tokens_.VerifyIdTokenHint(*app, h);
    if (!v.ok()) {
      return web_.pages.ErrorPage(req, &*app, 400, t("oauth.invalid_logout_heading"),
                                  t("oauth.logout_hint_unknown"));
    }
    hint = *v;
  }
  std::string client_id = http::FormValue(p, "client_id");
  if (hint && !client_id.empty() && client_id != hint->client_id) {
    return web_.pages.ErrorPage(req, &*app, 400, t("oauth.invalid_logout_heading"),
                                t("oauth.logout_client_mismatch"));
  }
  if (client_id.empty() && hint) client_id = hint->client_id;
  std::string target = http::FormValue(p, "post_logout_redirect_uri");
  std::optional<store::OAuthClient> client;
  if (!client_id.empty()) {
    auto c = clients_.Find(*app, client_id);
    if (c.ok()) client = *c;
  }
  if (!target.empty()) {
    bool registered = client && std::find(client->post_logout_redirect_uris.begin(),
                                          client->post_logout_redirect_uris.end(),
                                          target) != client->post_logout_redirect_uris.end();
    if (!registered) {
      return web_.pages.ErrorPage(req, &*app, 400, t("oauth.invalid_logout_heading"),
                                  t("oauth.logout_uri_unregistered"));
    }
  }
  auto session = web_.session_cookie.Current(*app, req);
  // Without proof that the RP speaks for this user, ask the user. The hint names the user as
  // its client knows them (pairwise or public, OIDC Core §8).
  auto hint_names_signed_in_user = [&] {
    return hint && hint->subject == (client ? tokens_.SubjectFor(*client, session->user_id)
                                            : session->user_id);
  };
  if (session && !confirmed && !hint_names_signed_in_user()) {
    web::PageData d;
    d.set("title", t("oauth.sign_out_title"));
    d.set("action", web_.urls.PagePath(*app, "oauth/logout"));
    if (client) d.set("client_name", client->name);
    web::PageData hidden(web::PageData::type::list);
    for (const auto& [k, v] : p) {
      if (k == "id_token_hint") continue;
      web::PageData item;
      item.set("name", k);
      item.set("value", v);
      hidden.push_back(item);
    }
    if (!client_id.empty() && !p.contains("client_id")) {
      web::PageData item;
      item.set("name", "client_id");
      item.set("value", client_id);
      hidden.push_back(item);
    }
    d.set("hidden", hidden);
    return web_.pages.Page(req, *app, "logout", std::move(d));
  }
  http::Response r;
  if (!target.empty()) {
    std::string location = target;
    if (std::string state = http::FormValue(p, "state"); !state.empty()) {
      location += (target.find('?') == std::string::npos ? "?" : "&") + std::string("state=") +
                  http::FormEncode(state);
    }
    r = web::Redirect(location);
  } else {
    web::PageData d;
    d.set("title", t("oauth.signed_out_title"));
    d.set("message", t("oauth.signed_out_message",
                       {{"app_name", store::DisplayName(app->settings, app->name)}}));
    d.set("login_url", web_.urls.PagePath(*app, "login"));
    r = web_.pages.Page(req, *app, "logged_out", std::move(d));
  }
  if (session) {
    (void)web_.browser_sessions.End(*app, *session, store::RevokeReason::kLogout);
    LogJson(spdlog::level::info, "rp_logout", {{"app", app->slug}, {"user_id", session->user_id},
                                               {"client_id", client_id}});
  }
  web_.session_cookie.Clear(r, *app);
  return r;
}

}  // namespace tessera::oauth
