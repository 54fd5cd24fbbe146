// Closed-set columns conformance: a session's kind and revocation reason, an email token's
// purpose, a member's role, an audit event's action, actor type, subject type and outcome, an
// identity provider's kind, a federation ticket's kind, a second factor's kind and an MFA
// challenge's kind are stored as the text of their enum's one table (base/enum_text.h). Text
// the table does not have is kInternal when read — never a default in its place — and a
// former text (a renamed value's) reads as the value it became, and is found by filtering on
// the new name.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, ClosedSetsAreStoredAsTheirText) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  ASSERT_OK(store().CreateSession(s, std::nullopt));
  ASSERT_OK(store().RevokeSessionById(app.id, s.id, RevokeReason::kTokenRevoked, kT0 + 1));
  EXPECT_THAT(QueryTexts("SELECT kind || ' ' || revoked_reason FROM sessions"),
              ElementsAre("oauth token_revoked"));
  ASSERT_OK(store().CreateEmailToken(
      MakeEmailToken(app, "tok-1", EmailTokenPurpose::kChangeEmail, kT0, kT0 + kHour)));
  EXPECT_THAT(QueryTexts("SELECT purpose FROM email_tokens"), ElementsAre("change_email"));
  ASSERT_OK(store().AddAppMember(MakeMember(app, u, MemberRole::kOwner, kT0)));
  EXPECT_THAT(QueryTexts("SELECT role FROM app_members"), ElementsAre("owner"));
  AuditEvent e;
  e.id = NewId();
  e.at = kT0;
  e.action = AuditAction::kAppApiKeyCreated;
  e.actor_type = AuditActorType::kApiKey;
  e.subject_type = AuditSubjectType::kAppApiKey;
  e.outcome = AuditOutcome::kFailure;
  ASSERT_OK(store().AppendAuditEvent(e));
  EXPECT_THAT(QueryTexts("SELECT action || ' ' || actor_type || ' ' || subject_type || ' ' ||"
                         " outcome FROM audit_events"),
              ElementsAre("app_api_key.created api_key app_api_key failure"));
  IdentityProvider p;
  p.id = NewId();
  p.app_id = app.id;
  p.slug = "corp";
  p.kind = ProviderKind::kGithub;
  ASSERT_OK(store().CreateIdentityProvider(p));
  EXPECT_THAT(QueryTexts("SELECT kind FROM identity_providers"), ElementsAre("github"));
  FederationTicket t;
  t.hash = "t-1";
  t.app_id = app.id;
  t.kind = FederationTicketKind::kPendingLink;
  ASSERT_OK(store().CreateFederationTicket(t));
  EXPECT_THAT(QueryTexts("SELECT kind FROM federation_tickets"), ElementsAre("pending_link"));
  Factor f;
  f.id = NewId();
  f.app_id = app.id;
  f.user_id = u.id;
  f.kind = FactorKind::kWebAuthn;
  f.credential_id = "cred-1";
  ASSERT_OK(store().CreateFactor(f));
  EXPECT_THAT(QueryTexts("SELECT kind FROM mfa_factors"), ElementsAre("webauthn"));
  MfaChallenge c;
  c.hash = "ch-1";
  c.app_id = app.id;
  c.user_id = u.id;
  c.kind = MfaChallengeKind::kApiLogin;
  ASSERT_OK(store().CreateMfaChallenge(c));
  EXPECT_THAT(QueryTexts("SELECT kind FROM mfa_challenges"), ElementsAre("api_login"));
}

TEST_P(StoreConformanceTest, UnknownTextInAClosedSetColumnIsInternal) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  ASSERT_OK(ExecSql("UPDATE sessions SET kind = 'carrier_pigeon' WHERE id = $1", {s.id}));
  EXPECT_CODE(store().GetSession(app.id, s.id), StatusCode::kInternal);
  EXPECT_CODE(store().ListActiveSessions(app.id, u.id, kT0), StatusCode::kInternal);
  ASSERT_OK(
      ExecSql("UPDATE sessions SET kind = 'api', revoked_reason = 'bored' WHERE id = $1", {s.id}));
  EXPECT_CODE(store().GetSession(app.id, s.id), StatusCode::kInternal);

  // (Every read of an email token names its purpose, so a row of another text is simply
  // not found: there is no read that could mistake it for a purpose it is not.)

  ASSERT_OK(store().AddAppMember(MakeMember(app, u, MemberRole::kMember, kT0)));
  ASSERT_OK(ExecSql("UPDATE app_members SET role = 'superuser'", {}));
  EXPECT_CODE(store().GetAppMember(app.id, u.id), StatusCode::kInternal);
  EXPECT_CODE(store().ListMembershipsOfUser(u.id), StatusCode::kInternal);

  IdentityProvider p;
  p.id = NewId();
  p.app_id = app.id;
  p.slug = "corp";
  ASSERT_OK(store().CreateIdentityProvider(p));
  ASSERT_OK(ExecSql("UPDATE identity_providers SET kind = 'saml'", {}));
  EXPECT_CODE(store().GetIdentityProvider(app.id, "corp"), StatusCode::kInternal);
  EXPECT_CODE(store().GetIdentityProviderById(app.id, p.id), StatusCode::kInternal);
  EXPECT_CODE(store().ListIdentityProviders(app.id), StatusCode::kInternal);
  // (Every read of a federation ticket names its kind, as an email token's its purpose.)

  Factor f;
  f.id = NewId();
  f.app_id = app.id;
  f.user_id = u.id;
  f.credential_id = "cred-1";
  ASSERT_OK(store().CreateFactor(f));
  ASSERT_OK(ExecSql("UPDATE mfa_factors SET kind = 'sms'", {}));
  EXPECT_CODE(store().GetFactor(app.id, u.id, f.id), StatusCode::kInternal);
  EXPECT_CODE(store().ListFactors(app.id, u.id), StatusCode::kInternal);
  EXPECT_CODE(store().FindFactorByCredentialId(app.id, "cred-1"), StatusCode::kInternal);
  // (Every read of an MFA challenge names its kind, as a federation ticket's.)

  AuditEvent e;
  e.id = NewId();
  e.app_id = app.id;
  e.at = kT0;
  ASSERT_OK(store().AppendAuditEvent(e));
  for (const char* column : {"action", "actor_type", "subject_type", "outcome"}) {
    SCOPED_TRACE(column);
    ASSERT_OK(ExecSql(std::string("UPDATE audit_events SET ") + column + " = 'nonsense'", {}));
    EXPECT_CODE(store().ListAuditEvents({.app_id = app.id}), StatusCode::kInternal);
    ASSERT_OK(ExecSql("DELETE FROM audit_events", {}));
    ASSERT_OK(store().AppendAuditEvent(e));
  }
}

TEST_P(StoreConformanceTest, FormerTextsReadAsTheirNewValue) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  // The account page wrote "user_revoked" where the account API wrote "revoked_by_user".
  Session s = AddSession(u, "rt-1");
  ASSERT_OK(
      ExecSql("UPDATE sessions SET revoked_at = $1, revoked_reason = 'user_revoked'"
              " WHERE id = $2",
              {kT0 + 1, s.id}));
  ExpectRevocation(app.id, s.id, kT0 + 1, RevokeReason::kRevokedByUser);

  // The hosted pages' logout was "user.logout" before it was the account API's
  // "session.logout": an old row reads as session.logout, and either name finds both.
  AuditEvent fresh;
  fresh.id = NewId();
  fresh.app_id = app.id;
  fresh.at = kT0 + 2;
  fresh.action = AuditAction::kSessionLogout;
  AuditEvent old = fresh;
  old.id = NewId();
  old.at = kT0 + 1;
  AuditEvent other = fresh;
  other.id = NewId();
  other.action = AuditAction::kUserLogin;
  for (const auto* e : {&fresh, &old, &other}) ASSERT_OK(store().AppendAuditEvent(*e));
  ASSERT_OK(ExecSql("UPDATE audit_events SET action = 'user.logout' WHERE id = $1", {old.id}));

  for (const char* name : {"session.logout", "user.logout"}) {
    auto found = store().ListAuditEvents({.action = name});
    ASSERT_OK(found);
    EXPECT_THAT(Ids(*found), ElementsAre(fresh.id, old.id)) << name;
    for (const auto& e : *found) EXPECT_EQ(e.action, AuditAction::kSessionLogout) << name;
  }
  auto none = store().ListAuditEvents({.action = "user.logged_out"});
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty()) << "a name that is no action matches nothing";
}

}  // namespace
}  // namespace tessera::store::test
