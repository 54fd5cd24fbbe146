#include "conformance_fixture.h"

#include <algorithm>
#include <cctype>
#include <span>

#include "crypto/random.h"
#include "store/open_store.h"

namespace tessera::store::test {
namespace {

// The name of `value` among `names`, or "?" and its number.
template <typename E>
std::string NameOf(E value, std::initializer_list<std::pair<E, const char*>> names) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "?" + std::to_string(static_cast<int>(value));
}
#define NAMED(e) \
  { e, #e }

}  // namespace

std::string OutcomeName(RotationOutcome o) {
  using enum RotationOutcome;
  return NameOf(o, {NAMED(kRotated), NAMED(kReused), NAMED(kInvalid)});
}

std::string OutcomeName(CodeOutcome o) {
  using enum CodeOutcome;
  return NameOf(o, {NAMED(kConsumed), NAMED(kReused), NAMED(kInvalid)});
}

std::string OutcomeName(EmailTokenOutcome o) {
  using enum EmailTokenOutcome;
  return NameOf(o, {NAMED(kConsumed), NAMED(kUsed), NAMED(kExpired), NAMED(kInvalid)});
}

// ---------------------------------------------------------------------------------------
// Records

std::string NewId() { return crypto::NewUuid(); }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

App MakeApp(const std::string& slug) {
  App a;
  a.id = NewId();
  a.slug = slug;
  a.name = "App " + slug;
  a.created_at = kT0;
  return a;
}

User MakeUser(const App& app, const std::string& email,
              const std::optional<std::string>& username) {
  User u;
  u.id = NewId();
  u.app_id = app.id;
  u.email = email;
  u.email_normalized = Lower(email);
  if (username) {
    u.username = *username;
    u.username_normalized = Lower(*username);
  }
  u.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
  u.roles = {"member"};
  u.profile_json = R"({"name":"Ann Example"})";
  u.created_at = kT0;
  u.updated_at = kT0;
  return u;
}

Session MakeSession(const User& user, UnixMillis now, UnixMillis expires_at) {
  Session s;
  s.id = NewId();
  s.app_id = user.app_id;
  s.user_id = user.id;
  s.auth_time = now;
  s.amr = "pwd";
  s.created_at = now;
  s.last_used_at = now;
  s.expires_at = expires_at;
  s.user_agent = "Mozilla/5.0 (test)";
  s.ip = "192.0.2.7";
  return s;
}

Session MakeOAuthSession(const User& user, const std::string& client_id, UnixMillis now,
                         UnixMillis expires_at) {
  Session s = MakeSession(user, now, expires_at);
  s.kind = SessionKind::kOAuth;
  s.client_id = client_id;
  s.scope = "openid profile offline_access";
  s.auth_time = now - 5 * kMinute;
  s.amr = "fed";
  s.idp = "https://github.com";
  return s;
}

Session MakeBrowserSession(const User& user, UnixMillis now, UnixMillis expires_at) {
  Session s = MakeSession(user, now, expires_at);
  s.kind = SessionKind::kBrowser;
  return s;
}

RefreshToken MakeToken(const std::string& hash, UnixMillis now, UnixMillis expires_at) {
  RefreshToken t;
  t.id = NewId();
  t.token_hash = hash;
  t.created_at = now;
  t.expires_at = expires_at;
  return t;
}

ApiToken MakeApiToken(const User& user, const std::string& hash, UnixMillis now) {
  ApiToken t;
  t.id = NewId();
  t.app_id = user.app_id;
  t.user_id = user.id;
  t.name = "ci";
  t.prefix = "tsr_" + hash.substr(0, 4);
  t.token_hash = hash;
  t.created_at = now;
  return t;
}

SigningKeyRecord MakeKey(const std::string& kid, UnixMillis created_at) {
  return SigningKeyRecord{
      kid,        "ES256",     "c2VhbGVk" + kid, R"({"kty":"EC","kid":")" + kid + "\"}",
      created_at, std::nullopt, created_at};
}

AuthorizationCode MakeCode(const User& user, const std::string& hash, UnixMillis now,
                           UnixMillis expires_at) {
  AuthorizationCode c;
  c.code_hash = hash;
  c.app_id = user.app_id;
  c.client_id = "client-1";
  c.user_id = user.id;
  c.redirect_uri = "https://app.example/cb?x=1&y=ü";
  c.scope = "openid profile";
  c.nonce = "n-0S6_WzA2Mj";
  c.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  c.session_id = NewId();
  c.browser_session_id = NewId();
  c.auth_time = now - kMinute;
  c.amr = "fed";
  c.idp = "https://accounts.google.com";
  c.created_at = now;
  c.expires_at = expires_at;
  return c;
}

Consent MakeConsent(const User& user, const std::string& client_id, UnixMillis now) {
  return Consent{user.app_id, user.id, client_id, {"openid", "profile"}, now, now};
}

OutgoingMail MakeMail(const App& app, const std::string& subject, UnixMillis created_at,
                      UnixMillis next_attempt_at) {
  OutgoingMail m;
  m.id = NewId();
  m.app_id = app.id;
  m.to_address = "ann@example.com";
  m.from_address = "Example <no-reply@example.com>";
  m.reply_to = "support@example.org";
  m.subject = subject;
  m.text_body = "Hello,\r\nclick https://example.com/x?t=1 — ünïcode ✓\r\n";
  m.html_body = "<p>Hello <a href=\"https://example.com/x?t=1&amp;u=2\">ünïcode ✓</a></p>";
  m.kind = "verify_email";
  m.created_at = created_at;
  m.next_attempt_at = next_attempt_at;
  return m;
}

EmailToken MakeEmailToken(const App& app, const std::string& hash, EmailTokenPurpose purpose,
                          UnixMillis created_at, UnixMillis expires_at) {
  EmailToken t;
  t.token_hash = hash;
  t.app_id = app.id;
  t.email = "ann@example.com";
  t.purpose = purpose;
  t.created_at = created_at;
  t.expires_at = expires_at;
  return t;
}

AppMember MakeMember(const App& app, const User& user, MemberRole role, UnixMillis at) {
  return AppMember{app.id, user.id, role, at};
}

void ExpectSameApp(const App& got, const App& want) {
  ExpectSameFields(got, want, FIELD(App, id), FIELD(App, slug), FIELD(App, name),
                   FIELD(App, disabled), FIELD(App, settings), FIELD(App, created_at));
}

void ExpectSameUser(const User& got, const User& want) {
  using U = User;
  ExpectSameFields(got, want, FIELD(U, id), FIELD(U, app_id), FIELD(U, email),
                   FIELD(U, email_normalized), FIELD(U, username), FIELD(U, username_normalized),
                   FIELD(U, password_hash), FIELD(U, email_verified), FIELD(U, disabled),
                   FIELD(U, roles), FIELD(U, profile_json), FIELD(U, created_at),
                   FIELD(U, updated_at), FIELD(U, last_login_at));
}

void ExpectSameSession(const Session& got, const Session& want) {
  using S = Session;
  ExpectSameFields(got, want, FIELD(S, id), FIELD(S, app_id), FIELD(S, user_id), FIELD(S, kind),
                   FIELD(S, client_id), FIELD(S, scope), FIELD(S, auth_time), FIELD(S, created_at),
                   FIELD(S, last_used_at), FIELD(S, expires_at), FIELD(S, revoked_at),
                   FIELD(S, revoked_reason), FIELD(S, user_agent), FIELD(S, ip), FIELD(S, amr),
                   FIELD(S, idp), FIELD(S, dpop_jkt), FIELD(S, parent_id));
}

void ExpectSameApiToken(const ApiToken& got, const ApiToken& want) {
  using T = ApiToken;
  ExpectSameFields(got, want, FIELD(T, id), FIELD(T, app_id), FIELD(T, user_id), FIELD(T, name),
                   FIELD(T, prefix), FIELD(T, token_hash), FIELD(T, created_at),
                   FIELD(T, expires_at), FIELD(T, last_used_at), FIELD(T, revoked_at));
}

void ExpectSameKey(const SigningKeyRecord& got, const SigningKeyRecord& want) {
  using K = SigningKeyRecord;
  ExpectSameFields(got, want, FIELD(K, kid), FIELD(K, alg), FIELD(K, private_key_sealed),
                   FIELD(K, public_jwk_json), FIELD(K, created_at), FIELD(K, retired_at),
                   FIELD(K, sign_from));
}

void ExpectThrottle(const Result<ThrottleState>& got, int64_t failures, UnixMillis window_start) {
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->failures, failures);
  EXPECT_EQ(got->window_start, window_start);
}

// ---------------------------------------------------------------------------------------
// The fixture

void StoreConformanceTest::SetUp() {
  if (GetParam() == "postgres" && PostgresTestUrl().empty()) {
    GTEST_SKIP() << "PostgreSQL backend skipped: set " << kPostgresUrlEnv
                 << " (e.g. from scripts/postgres-test-server.sh start DIR) to run it";
  }
  auto db = TestDatabase::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(*db);
  auto store = db_->OpenStore();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(*store);
}

void StoreConformanceTest::TearDown() {
  store_.reset();  // close its connections before the schema/file goes
  db_.reset();
}

App StoreConformanceTest::AddApp(const std::string& slug) {
  App a = MakeApp(slug);
  EXPECT_OK(store().CreateApp(a));
  return a;
}

User StoreConformanceTest::AddUser(const App& app, const std::string& email,
                                   const std::optional<std::string>& username) {
  User u = MakeUser(app, email, username);
  EXPECT_OK(store().CreateUser(u));
  return u;
}

Session StoreConformanceTest::AddSession(const User& user, const std::string& hash,
                                         UnixMillis now) {
  Session s = MakeSession(user, now, now + 30 * kDay);
  EXPECT_OK(store().CreateSession(s, MakeToken(hash, now, now + 14 * kDay)));
  return s;
}

Result<sql::SqlRows> StoreConformanceTest::Query(const std::string& sql,
                                                 std::initializer_list<sql::SqlValue> params) {
  auto db = db_->OpenSql();
  if (!db.ok()) return db.status();
  std::vector<sql::SqlValue> values(params);
  sql::SqlRows rows;
  Status s = (*db)->Read([&](sql::SqlConnection& c) -> Status {
    auto r = c.Query(sql, std::span<const sql::SqlValue>(values));
    if (!r.ok()) return r.status();
    rows = std::move(*r);
    return OkStatus();
  });
  if (!s.ok()) return s;
  return rows;
}

std::vector<std::string> StoreConformanceTest::QueryTexts(const std::string& sql) {
  auto rows = Query(sql, {});
  EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
  std::vector<std::string> out;
  if (rows.ok()) {
    for (const auto& r : *rows) out.push_back(sql::Text(r, 0));
  }
  return out;
}

Status StoreConformanceTest::WriteSql(const sql::SqlWork& work) {
  auto db = db_->OpenSql();
  if (!db.ok()) return db.status();
  return (*db)->Write(work);
}

Status StoreConformanceTest::ExecSql(const std::string& sql,
                                     std::initializer_list<sql::SqlValue> params) {
  std::vector<sql::SqlValue> values(params);
  return WriteSql([&](sql::SqlConnection& c) -> Status {
    return c.Exec(sql, std::span<const sql::SqlValue>(values)).status();
  });
}

std::optional<int64_t> StoreConformanceTest::TokenUsedAt(const std::string& hash) {
  auto rows = Query("SELECT used_at FROM refresh_tokens WHERE token_hash = $1", {hash});
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok() || rows->size() != 1) {
    ADD_FAILURE() << "refresh token " << hash << " not found";
    return std::nullopt;
  }
  return sql::OptInt((*rows)[0], 0);
}

bool StoreConformanceTest::TokenExists(const std::string& hash) {
  auto rows = Query("SELECT id FROM refresh_tokens WHERE token_hash = $1", {hash});
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() && !rows->empty();
}

void StoreConformanceTest::ExpectRotationRefused(const std::string& app_id,
                                                 const std::string& client_id,
                                                 const std::string& hash,
                                                 const std::string& next_hash, UnixMillis now) {
  EXPECT_OUTCOME(store().RotateRefreshToken(app_id, client_id, hash,
                                            MakeToken(next_hash, now, now + kDay), now),
                 RotationOutcome::kInvalid);
  EXPECT_EQ(TokenUsedAt(hash), std::nullopt) << hash << " was marked used";
  EXPECT_FALSE(TokenExists(next_hash)) << next_hash << " was stored";
}

std::vector<std::string> StoreConformanceTest::ActiveSessionIds(const std::string& app_id,
                                                                const std::string& user_id,
                                                                UnixMillis now) {
  auto active = store().ListActiveSessions(app_id, user_id, now);
  EXPECT_OK(active);
  return active.ok() ? Ids(*active) : std::vector<std::string>{};
}

void StoreConformanceTest::ExpectRevocation(const std::string& app_id,
                                            const std::string& session_id,
                                            std::optional<UnixMillis> revoked_at,
                                            std::optional<RevokeReason> reason) {
  auto got = store().GetSession(app_id, session_id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, revoked_at) << "session " << session_id;
  EXPECT_EQ(got->revoked_reason, reason) << "session " << session_id;
}

void StoreConformanceTest::ExpectCollected(UnixMillis now, const GcStats& want) {
  auto got = store().CollectGarbage(now);
  ASSERT_OK(got);
  using G = GcStats;
  ExpectSameFields(*got, want, FIELD(G, refresh_tokens), FIELD(G, sessions), FIELD(G, api_tokens),
                   FIELD(G, authorization_codes), FIELD(G, throttle_entries),
                   FIELD(G, email_tokens), FIELD(G, sent_mail), FIELD(G, revoked_access_tokens),
                   FIELD(G, federation_tickets), FIELD(G, mfa_challenges),
                   FIELD(G, device_authorizations), FIELD(G, pushed_requests),
                   FIELD(G, dpop_proofs));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace tessera::store::test
