#include "web/console_mail_domain_pages.h"

#include "web/console_common.h"

namespace tessera::web {

void ConsoleMailDomainPages::Mount(http::Router& r, const ConsoleGates& gates) {
  const std::string base = "/console/apps/{slug}/mail-domain";
  r.Add(http::beast_http::verb::get, base,
        gates.WithAppVisitor(Bind(this, &ConsoleMailDomainPages::Show)));
  r.Add(http::beast_http::verb::post, base + "/verify",
        gates.WithAppVisitor(Bind(this, &ConsoleMailDomainPages::Verify)));
}

http::Response ConsoleMailDomainPages::Show(http::Request& req, const AppVisitor& a) {
  const store::App& app = a.app();
  auto standing = domains_.Standing(app);
  if (!standing.ok()) return layout_.Failure(req, a.visitor, standing.status());
  PageData d;
  layout_.AppBase(d, a, "Email sender", "settings");
  d.set("heading", "Email sender");
  d.set("settings_url", layout_.AppPath(app, "/settings"));
  if (*standing) {
    const services::MailDomainStanding& s = **standing;
    d.set("domain", s.domain);
    d.set("mail_from", app.settings.mail_from);
    d.set("address", services::RequestedSenderOf(app.settings).address.value_or(""));
    d.set("sends_as_app", s.may_send_from());
    d.set("allowed_by_operator", s.allowed_by_operator);
    d.set("record_name", s.record_name);
    d.set("record_value", s.record_value);
    d.set("verify_action", layout_.AppPath(app, "/mail-domain/verify"));
  }
  const std::string done = http::FormValue(PageQuery(req), "done");
  if (done == "verified") d.set("notice", "The domain is verified: mail now goes out from it.");
  if (done == "not-verified") {
    d.set("notice", "The TXT record was not found (yet). DNS changes can take a while; try again later.");
  }
  return layout_.Render(req, a.visitor, "console_mail_domain", std::move(d), 200);
}

http::Response ConsoleMailDomainPages::Verify(http::Request& req, const AppVisitor& a,
                                              const http::FormParams&) {
  auto standing = domains_.Verify(a.app());
  if (!standing.ok()) return layout_.Failure(req, a.visitor, standing.status());
  return layout_.Done(layout_.AppPath(a.app(), "/mail-domain"),
                      standing->may_send_from() ? "verified" : "not-verified");
}

}  // namespace tessera::web
