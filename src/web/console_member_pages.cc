#include "web/console_member_pages.h"

#include "web/console_common.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using namespace console;

}  // namespace

void ConsoleMemberPages::Mount(http::Router& r, const ConsoleGates& gates) {
  using P = ConsoleMemberPages;
  const std::string members = "/console/apps/{slug}/members";
  r.Add(bh::verb::get, members, gates.WithAppVisitor(Bind(this, &P::Members)));
  r.Add(bh::verb::post, members, gates.WithAppVisitor(Bind(this, &P::Invite)));
  r.Add(bh::verb::post, "/console/apps/{slug}/invitations/{id}/revoke",
        gates.WithAppVisitor(Bind(this, &P::RevokeInvitation)));
  r.Add(bh::verb::post, members + "/{user_id}/remove",
        gates.WithAppVisitor(Bind(this, &P::RemoveMember)));
}

http::Response ConsoleMemberPages::Members(http::Request& req, const AppVisitor& a) {
  PageData d;
  SetNotice(d, PageQuery(req));
  return RenderMembers(req, a, std::move(d), 200);
}

http::Response ConsoleMemberPages::RenderMembers(const http::Request& req, const AppVisitor& a,
                                                 PageData d, unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, "Members", "members");
  d.set("heading", "Members");
  auto members = console_.ListMembers(a.access);
  if (!members.ok()) return layout_.Unavailable(req, a.visitor);
  const bool manage = a.access.may_manage_members();
  PageData rows = List();
  for (const auto& m : *members) {
    PageData row;
    row.set("email", m.email.empty() ? "(account deleted)" : m.email);
    row.set("role", m.member.role == store::MemberRole::kOwner ? "Owner" : "Member");
    row.set("added", FormatTime(m.member.created_at));
    const bool you = m.member.user_id == a.visitor.user.id;
    row.set("you", you);
    row.set("action_label", you ? "Leave" : "Remove");
    // Owners remove anyone; everyone may leave (the last owner is refused with a reason).
    if (manage || you) {
      row.set("remove_action",
              layout_.AppPath(app, "/members/" + http::FormEncode(m.member.user_id) + "/remove"));
    }
    rows.push_back(row);
  }
  d.set("members", rows);
  d.set("may_manage", manage);
  if (manage) {
    d.set("add_action", layout_.AppPath(app, "/members"));
    SetInvitations(d, a);
  }
  if (!d.get("member_email")) d.set("member_email", "");
  if (!d.get("role_owner")) d.set("role_owner", false);
  return layout_.Render(req, a.visitor, "console_members", std::move(d), status);
}

// The pending invitations (owners and operators only; a failure leaves the list out).
void ConsoleMemberPages::SetInvitations(PageData& d, const AppVisitor& a) const {
  auto pending = invitations_.ListForApp(a.access);
  if (!pending.ok()) return;
  PageData rows = List();
  for (const auto& i : *pending) {
    PageData row;
    row.set("email", i.email);
    row.set("role", i.role == store::MemberRole::kOwner ? "Owner" : "Member");
    row.set("expires", FormatTime(i.expires_at));
    row.set("revoke_action",
            layout_.AppPath(a.app(), "/invitations/" + http::FormEncode(i.id) + "/revoke"));
    rows.push_back(row);
  }
  d.set("has_invitations", !pending->empty());
  d.set("invitations", rows);
}

// The same page whatever the address (a console account or not): nothing is looked up.
http::Response ConsoleMemberPages::Invite(http::Request& req, const AppVisitor& a,
                                          const Form& form) {
  std::string email = Field(form, "email", 320);
  std::string role = http::FormValue(form, "role") == "owner" ? "owner" : "member";
  auto invited = invitations_.Invite(a.access, email, role, a.visitor.actor);
  if (invited.ok()) return layout_.Done(layout_.AppPath(a.app(), "/members"), "invitation-sent");
  const Status& s = invited.status();
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
  PageData d;
  d.set("member_email", email);
  d.set("role_owner", role == "owner");
  if (s.code() == StatusCode::kPermissionDenied) {
    d.set("error", "Only the app's owners can invite members.");
  } else {
    auto others = SetFieldErrors(d, s, {"email", "role"});
    d.set("error", RefusalSentence(EnglishTexts(), "The invitation was not sent", s, others));
  }
  return RenderMembers(req, a, std::move(d), failure.status);
}

http::Response ConsoleMemberPages::RevokeInvitation(http::Request& req, const AppVisitor& a,
                                                    const Form&) {
  Status s = invitations_.Revoke(a.access, req.Param("id"), a.visitor.actor);
  if (s.ok() || s.IsNotFound()) {
    return layout_.Done(layout_.AppPath(a.app(), "/members"), "invitation-revoked");
  }
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
  PageData d;
  d.set("error", RefusalSentence(EnglishTexts(), "The invitation was not revoked", s, {}));
  return RenderMembers(req, a, std::move(d), failure.status);
}

http::Response ConsoleMemberPages::RemoveMember(http::Request& req, const AppVisitor& a,
                                                const Form&) {
  const std::string& user_id = req.Param("user_id");
  Status s = console_.RemoveMember(a.access, user_id, a.visitor.actor);
  // Someone who removed themselves can no longer open the app's pages.
  if (s.ok() && user_id == a.visitor.user.id && a.access.role != services::AccessRole::kOperator) {
    return layout_.Done(layout_.urls().ConsolePath(), "member-left");
  }
  if (s.ok() || s.IsNotFound()) {
    return layout_.Done(layout_.AppPath(a.app(), "/members"), "member-removed");
  }
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
  PageData d;
  d.set("error", s.code() == StatusCode::kPermissionDenied
                     ? std::string("Only the app's owners can remove members.")
                     : RefusalSentence(EnglishTexts(), "The member was not removed", s, {}));
  return RenderMembers(req, a, std::move(d), failure.status);
}

}  // namespace tessera::web
