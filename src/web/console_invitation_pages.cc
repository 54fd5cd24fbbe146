#include "web/console_invitation_pages.h"

#include "web/console_common.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using namespace console;

constexpr size_t kMaxToken = 128;

PageData InvitationRow(const services::InvitationView& v, std::string_view token) {
  PageData row;
  row.set("app_name", v.app_name);
  row.set("app_slug", v.app_slug);
  row.set("role", v.invitation.role == store::MemberRole::kOwner ? "Owner" : "Member");
  row.set("expires", FormatTime(v.invitation.expires_at));
  row.set("id", v.invitation.id);
  row.set("token", std::string(token));
  return row;
}

}  // namespace

void ConsoleInvitationPages::Mount(http::Router& r, const ConsoleGates& gates) {
  using P = ConsoleInvitationPages;
  const std::string base = "/console/invitations";
  r.Add(bh::verb::get, base, gates.WithConsoleVisitor(Bind(this, &P::Invitations)));
  r.Add(bh::verb::post, base + "/accept", gates.WithConsoleVisitor(Bind(this, &P::Accept)));
  r.Add(bh::verb::post, base + "/decline", gates.WithConsoleVisitor(Bind(this, &P::Decline)));
}

http::Response ConsoleInvitationPages::Invitations(http::Request& req, const ConsoleVisitor& v) {
  PageData d;
  const http::QueryParams query = PageQuery(req);
  SetNotice(d, query);
  return Render(req, v, std::move(d), QueryText(query, "token", kMaxToken).value_or(""), 200);
}

http::Response ConsoleInvitationPages::Render(const http::Request& req, const ConsoleVisitor& v,
                                              PageData d, std::string_view token,
                                              unsigned status) {
  layout_.Base(d, v, "Invitations");
  d.set("accept_action", layout_.urls().ConsolePath("/invitations/accept"));
  d.set("decline_action", layout_.urls().ConsolePath("/invitations/decline"));
  d.set("email", v.user.email);
  d.set("email_verified", v.user.email_verified);
  PageData rows = List();
  size_t shown = 0;
  std::string linked_id;
  if (!token.empty()) {
    auto linked = invitations_.Find(v.user, "", token);
    if (linked.ok()) {
      rows.push_back(InvitationRow(*linked, token));
      linked_id = linked->invitation.id;
      ++shown;
    } else if (!linked.status().IsNotFound()) {
      return layout_.Unavailable(req, v);
    } else {
      d.set("link_unusable", true);
    }
  }
  auto mine = invitations_.ListMine(v.user);
  if (!mine.ok()) return layout_.Unavailable(req, v);
  for (const auto& inv : *mine) {
    if (inv.invitation.id == linked_id) continue;  // shown already, with its link
    rows.push_back(InvitationRow(inv, ""));
    ++shown;
  }
  d.set("has_invitations", shown > 0);
  d.set("invitations", rows);
  return layout_.Render(req, v, "console_invitations", std::move(d), status);
}

http::Response ConsoleInvitationPages::Accept(http::Request& req, const ConsoleVisitor& v,
                                              const Form& form) {
  const std::string id = Field(form, "id", 64), token = Field(form, "token", kMaxToken);
  auto joined = invitations_.Accept(v.user, id, token, v.actor);
  if (joined.ok()) return layout_.Done(layout_.AppPath(joined->app), "invitation-accepted");
  const Status& s = joined.status();
  if (s.IsAlreadyExists()) return layout_.Done(layout_.urls().ConsolePath(), "already-member");
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, v);
  PageData d;
  d.set("error", RefusalSentence(EnglishTexts(), "The invitation was not accepted", s, {}));
  return Render(req, v, std::move(d), "", failure.status);
}

http::Response ConsoleInvitationPages::Decline(http::Request& req, const ConsoleVisitor& v,
                                               const Form& form) {
  const std::string id = Field(form, "id", 64), token = Field(form, "token", kMaxToken);
  Status s = invitations_.Decline(v.user, id, token, v.actor);
  // Declined, or gone already: either way there is nothing left to answer.
  if (s.ok() || s.IsNotFound()) {
    return layout_.Done(layout_.urls().ConsolePath("/invitations"), "invitation-declined");
  }
  return layout_.Unavailable(req, v);
}

}  // namespace tessera::web
