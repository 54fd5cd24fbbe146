// Store conformance: every contract of store/store.h, run against each backend.
// SQLite always runs (a temp file per test); PostgreSQL runs when TESSERA_TEST_POSTGRES_URL
// points at a server (scripts/postgres-test-server.sh starts one), each test in its own schema.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <latch>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crypto/random.h"
#include "store/open_store.h"
#include "store/sql/migrations.h"
#include "store/store.h"
#include "test_database.h"

namespace tessera::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr UnixMillis kT0 = 1'750'000'000'000;  // 2025-06-15
constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// Beyond what 32-bit seconds can hold (2038-01-19), and beyond exact doubles.
constexpr UnixMillis kAfter2038 = (int64_t{1} << 31) * 1000 + 999;
constexpr UnixMillis kYear9999 = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
constexpr UnixMillis kPastDoubles = (int64_t{1} << 53) + 1;

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

#define ASSERT_OK(expr)                                                      \
  do {                                                                       \
    const ::tessera::Status status_ = StatusOf(expr);                        \
    ASSERT_TRUE(status_.ok()) << #expr << " failed: " << status_.ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                                      \
  do {                                                                       \
    const ::tessera::Status status_ = StatusOf(expr);                        \
    EXPECT_TRUE(status_.ok()) << #expr << " failed: " << status_.ToString(); \
  } while (0)

#define EXPECT_CODE(expr, want)                                                             \
  do {                                                                                      \
    const ::tessera::Status status_ = StatusOf(expr);                                       \
    EXPECT_EQ(status_.code(), (want))                                                       \
        << #expr << " returned " << (status_.ok() ? "OK" : status_.ToString()) << ", want " \
        << StatusCodeName(want);                                                            \
  } while (0)

// kAlreadyExists naming `field` in the message.
#define EXPECT_CLASH(expr, field)                                               \
  do {                                                                          \
    const ::tessera::Status status_ = StatusOf(expr);                           \
    EXPECT_EQ(status_.code(), StatusCode::kAlreadyExists)                       \
        << #expr << " returned " << (status_.ok() ? "OK" : status_.ToString()); \
    EXPECT_THAT(status_.message(), HasSubstr(field)) << #expr;                  \
  } while (0)

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
              const std::optional<std::string>& username = std::nullopt) {
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
  s.created_at = now;
  s.last_used_at = now;
  s.expires_at = expires_at;
  s.user_agent = "Mozilla/5.0 (test)";
  s.ip = "192.0.2.7";
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
      created_at, std::nullopt};
}

void ExpectSameApp(const App& got, const App& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.slug, want.slug);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.disabled, want.disabled);
  EXPECT_EQ(got.settings_json, want.settings_json);
  EXPECT_EQ(got.created_at, want.created_at);
}

void ExpectSameUser(const User& got, const User& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.email, want.email);
  EXPECT_EQ(got.email_normalized, want.email_normalized);
  EXPECT_EQ(got.username, want.username);
  EXPECT_EQ(got.username_normalized, want.username_normalized);
  EXPECT_EQ(got.password_hash, want.password_hash);
  EXPECT_EQ(got.email_verified, want.email_verified);
  EXPECT_EQ(got.disabled, want.disabled);
  EXPECT_EQ(got.roles, want.roles);
  EXPECT_EQ(got.profile_json, want.profile_json);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
  EXPECT_EQ(got.last_login_at, want.last_login_at);
}

void ExpectSameSession(const Session& got, const Session& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.client_id, want.client_id);
  EXPECT_EQ(got.scope, want.scope);
  EXPECT_EQ(got.auth_time, want.auth_time);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.last_used_at, want.last_used_at);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.revoked_at, want.revoked_at);
  EXPECT_EQ(got.revoked_reason, want.revoked_reason);
  EXPECT_EQ(got.user_agent, want.user_agent);
  EXPECT_EQ(got.ip, want.ip);
}

void ExpectSameApiToken(const ApiToken& got, const ApiToken& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.prefix, want.prefix);
  EXPECT_EQ(got.token_hash, want.token_hash);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.last_used_at, want.last_used_at);
  EXPECT_EQ(got.revoked_at, want.revoked_at);
}

void ExpectSameKey(const SigningKeyRecord& got, const SigningKeyRecord& want) {
  EXPECT_EQ(got.kid, want.kid);
  EXPECT_EQ(got.alg, want.alg);
  EXPECT_EQ(got.private_key_sealed, want.private_key_sealed);
  EXPECT_EQ(got.public_jwk_json, want.public_jwk_json);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.retired_at, want.retired_at);
}

template <typename T>
std::vector<std::string> Ids(const std::vector<T>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

std::string OutcomeName(RotationOutcome o) {
  switch (o) {
    case RotationOutcome::kRotated:
      return "kRotated";
    case RotationOutcome::kReused:
      return "kReused";
    case RotationOutcome::kInvalid:
      return "kInvalid";
  }
  return "?";
}

#define EXPECT_OUTCOME(rotation, want)                        \
  do {                                                        \
    const auto& rot_ = (rotation);                            \
    ASSERT_TRUE(rot_.ok()) << rot_.status().ToString();       \
    EXPECT_EQ(OutcomeName(rot_->outcome), OutcomeName(want)); \
  } while (0)

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  using SqlRowsOr = Result<sql::SqlRows>;

  void SetUp() override {
    if (GetParam() == "postgres" && test::PostgresTestUrl().empty()) {
      GTEST_SKIP() << "PostgreSQL backend skipped: set " << test::kPostgresUrlEnv
                   << " (e.g. from scripts/postgres-test-server.sh start DIR) to run it";
    }
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto store = db_->OpenStore();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  void TearDown() override {
    store_.reset();  // close its connections before the schema/file goes
    db_.reset();
  }

  Store& store() { return *store_; }

  App AddApp(const std::string& slug) {
    App a = MakeApp(slug);
    EXPECT_OK(store().CreateApp(a));
    return a;
  }

  User AddUser(const App& app, const std::string& email,
               const std::optional<std::string>& username = std::nullopt) {
    User u = MakeUser(app, email, username);
    EXPECT_OK(store().CreateUser(u));
    return u;
  }

  // A live session (30 days) whose first refresh token (14 days) has hash `hash`.
  Session AddSession(const User& user, const std::string& hash, UnixMillis now = kT0) {
    Session s = MakeSession(user, now, now + 30 * kDay);
    EXPECT_OK(store().CreateSession(s, MakeToken(hash, now, now + 14 * kDay)));
    return s;
  }

  // Raw SQL, through a second connection to the same database.
  SqlRowsOr Query(const std::string& sql, std::initializer_list<sql::SqlValue> params) {
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

  // used_at of the refresh token with `hash` (nullopt: unused); fails the test if absent.
  std::optional<int64_t> TokenUsedAt(const std::string& hash) {
    auto rows = Query("SELECT used_at FROM refresh_tokens WHERE token_hash = $1", {hash});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->size() != 1) {
      ADD_FAILURE() << "refresh token " << hash << " not found";
      return std::nullopt;
    }
    return sql::OptInt((*rows)[0], 0);
  }

  bool TokenExists(const std::string& hash) {
    auto rows = Query("SELECT id FROM refresh_tokens WHERE token_hash = $1", {hash});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->empty();
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

// ---------------------------------------------------------------------------------------
// Store, isolation, migrations

TEST_P(StoreConformanceTest, PingAndBackend) {
  EXPECT_OK(store().Ping());
  EXPECT_EQ(store().Backend(), GetParam());
}

TEST_P(StoreConformanceTest, FreshStoreIsEmpty) {
  auto apps = store().ListApps();
  ASSERT_OK(apps);
  EXPECT_THAT(*apps, IsEmpty());
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  EXPECT_THAT(*keys, IsEmpty());
  // Every test creates "default" in its own database: no clash across tests.
  AddApp("default");
}

TEST_P(StoreConformanceTest, EachTestDatabaseIsIsolated) {
  auto other_db = test::TestDatabase::Create(GetParam());
  ASSERT_OK(other_db);
  auto other = (*other_db)->OpenStore();
  ASSERT_OK(other);

  App mine = AddApp("default");
  App theirs = MakeApp("default");
  EXPECT_OK((*other)->CreateApp(theirs));

  auto got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  EXPECT_EQ(got->id, mine.id);
  auto listed = (*other)->ListApps();
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre(theirs.id));
  other->reset();
}

TEST_P(StoreConformanceTest, MigrateOnMigratedDatabaseAppliesNothing) {
  auto db = db_->OpenSql();
  ASSERT_OK(db);
  EXPECT_EQ((*db)->Dialect(), GetParam());
  auto applied = sql::Migrate(**db);
  ASSERT_OK(applied);
  EXPECT_THAT(*applied, IsEmpty());

  const auto& embedded = sql::EmbeddedMigrations(GetParam());
  ASSERT_FALSE(embedded.empty());
  auto rows = Query("SELECT version FROM schema_migrations ORDER BY version", {});
  ASSERT_OK(rows);
  std::vector<int64_t> recorded, want;
  for (const auto& r : *rows) recorded.push_back(sql::Int(r, 0));
  for (const auto& m : embedded) want.push_back(m.version);
  EXPECT_EQ(recorded, want);
}

TEST_P(StoreConformanceTest, MigrateAppliesEveryVersionOnceOnAnEmptyDatabase) {
  auto fresh = test::TestDatabase::Create(GetParam());
  ASSERT_OK(fresh);
  auto db = (*fresh)->OpenSql();
  ASSERT_OK(db);
  auto first = sql::Migrate(**db);
  ASSERT_OK(first);
  std::vector<int> want;
  for (const auto& m : sql::EmbeddedMigrations(GetParam())) want.push_back(m.version);
  EXPECT_EQ(*first, want);
  auto second = sql::Migrate(**db);
  ASSERT_OK(second);
  EXPECT_THAT(*second, IsEmpty());
  db->reset();
}

TEST_P(StoreConformanceTest, UnreachableDatabaseIsUnavailable) {
  StoreOptions options;
  if (GetParam() == "sqlite") {
    options.sqlite_path = "/nonexistent-tessera-dir/sub/tessera.db";
  } else {
    options.database_url = "postgres://nobody@127.0.0.1:1/tessera?connect_timeout=2";
  }
  EXPECT_CODE(OpenStore(options), StatusCode::kUnavailable);
}

// ---------------------------------------------------------------------------------------
// Apps

TEST_P(StoreConformanceTest, CreateAndGetApp) {
  App a = MakeApp("default");
  a.disabled = true;
  a.settings_json = R"({"registration":"closed","ttl":900})";
  a.created_at = kAfter2038;
  ASSERT_OK(store().CreateApp(a));

  auto got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  ExpectSameApp(*got, a);
  EXPECT_CODE(store().GetAppBySlug("missing"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ListApps) {
  App b = AddApp("beta");
  App a = AddApp("alpha");
  App c = AddApp("gamma");
  auto apps = store().ListApps();
  ASSERT_OK(apps);
  EXPECT_THAT(Ids(*apps), UnorderedElementsAre(a.id, b.id, c.id));
  for (const App& got : *apps) {
    if (got.id == a.id) ExpectSameApp(got, a);
  }
}

TEST_P(StoreConformanceTest, AppSlugClash) {
  AddApp("default");
  EXPECT_CLASH(store().CreateApp(MakeApp("default")), "slug");
  auto apps = store().ListApps();
  ASSERT_OK(apps);
  EXPECT_EQ(apps->size(), 1u);
}

TEST_P(StoreConformanceTest, AppIdClashNamesId) {
  App a = AddApp("one");
  App dup = MakeApp("two");
  dup.id = a.id;
  EXPECT_CLASH(store().CreateApp(dup), "id");
  EXPECT_CODE(store().GetAppBySlug("two"), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------
// Users

TEST_P(StoreConformanceTest, CreateAndGetUser) {
  App app = AddApp("default");
  User u = MakeUser(app, "Ann@Example.COM", "Ann_1");
  u.email_verified = true;
  u.roles = {"admin", "member"};
  u.profile_json = R"({"name":"Ann","about":"ünïcødé ✓"})";
  u.last_login_at = kT0 + 5;
  ASSERT_OK(store().CreateUser(u));

  auto by_id = store().GetUser(app.id, u.id);
  ASSERT_OK(by_id);
  ExpectSameUser(*by_id, u);
  auto by_email = store().GetUserByEmail(app.id, "ann@example.com");
  ASSERT_OK(by_email);
  ExpectSameUser(*by_email, u);
  auto by_username = store().GetUserByUsername(app.id, "ann_1");
  ASSERT_OK(by_username);
  ExpectSameUser(*by_username, u);
}

TEST_P(StoreConformanceTest, UserOptionalFieldsReadBackEmpty) {
  App app = AddApp("default");
  User u = MakeUser(app, "bob@example.com");
  u.password_hash.reset();
  u.roles.clear();
  u.disabled = true;
  ASSERT_OK(store().CreateUser(u));
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, u);
  EXPECT_EQ(got->username, std::nullopt);
  EXPECT_EQ(got->password_hash, std::nullopt);
  EXPECT_EQ(got->last_login_at, std::nullopt);
}

TEST_P(StoreConformanceTest, MissingUserIsNotFound) {
  App app = AddApp("default");
  AddUser(app, "ann@example.com", "ann");
  EXPECT_CODE(store().GetUser(app.id, NewId()), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByEmail(app.id, "nobody@example.com"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByUsername(app.id, "nobody"), StatusCode::kNotFound);
  EXPECT_CODE(store().UpdateUser(app.id, NewId(), [](User&) { return OkStatus(); }),
              StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, UserEmailClash) {
  App app = AddApp("default");
  AddUser(app, "ann@example.com", "ann");
  EXPECT_CLASH(store().CreateUser(MakeUser(app, "ANN@example.com", "other")), "email");
  EXPECT_CODE(store().GetUserByUsername(app.id, "other"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, UserUsernameClash) {
  App app = AddApp("default");
  AddUser(app, "ann@example.com", "ann");
  EXPECT_CLASH(store().CreateUser(MakeUser(app, "other@example.com", "ANN")), "username");
  EXPECT_CODE(store().GetUserByEmail(app.id, "other@example.com"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, UserIdClash) {
  App app = AddApp("default");
  User a = AddUser(app, "ann@example.com");
  User b = MakeUser(app, "bob@example.com");
  b.id = a.id;
  EXPECT_CLASH(store().CreateUser(b), "id");
}

TEST_P(StoreConformanceTest, NullUsernamesDoNotClash) {
  App app = AddApp("default");
  User a = AddUser(app, "ann@example.com");
  User b = AddUser(app, "bob@example.com");
  EXPECT_OK(store().GetUser(app.id, a.id));
  EXPECT_OK(store().GetUser(app.id, b.id));
}

TEST_P(StoreConformanceTest, UsersArePerApp) {
  App a = AddApp("a");
  App b = AddApp("b");
  User ua = AddUser(a, "ann@example.com", "ann");

  EXPECT_CODE(store().GetUser(b.id, ua.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByEmail(b.id, "ann@example.com"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByUsername(b.id, "ann"), StatusCode::kNotFound);
  bool called = false;
  EXPECT_CODE(store().UpdateUser(b.id, ua.id,
                                 [&](User& u) {
                                   called = true;
                                   u.disabled = true;
                                   return OkStatus();
                                 }),
              StatusCode::kNotFound);
  EXPECT_FALSE(called);
  // A login recorded through the wrong app changes nothing.
  (void)store().RecordLogin(b.id, ua.id, kT0 + kHour, std::string("$new$hash"));
  auto still = store().GetUser(a.id, ua.id);
  ASSERT_OK(still);
  ExpectSameUser(*still, ua);

  // The same email and username may exist in another app.
  User ub = AddUser(b, "ann@example.com", "ann");
  auto got_a = store().GetUserByEmail(a.id, "ann@example.com");
  auto got_b = store().GetUserByEmail(b.id, "ann@example.com");
  ASSERT_OK(got_a);
  ASSERT_OK(got_b);
  EXPECT_EQ(got_a->id, ua.id);
  EXPECT_EQ(got_b->id, ub.id);
  auto name_b = store().GetUserByUsername(b.id, "ann");
  ASSERT_OK(name_b);
  EXPECT_EQ(name_b->id, ub.id);
}

TEST_P(StoreConformanceTest, UpdateUserAppliesChanges) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com", "ann");

  User want = u;
  want.email = "Ann.New@Example.com";
  want.email_normalized = "ann.new@example.com";
  want.username = "Annie";
  want.username_normalized = "annie";
  want.password_hash = "$argon2id$new";
  want.email_verified = true;
  want.disabled = true;
  want.roles = {"admin"};
  want.profile_json = R"({"name":"Annie"})";
  want.updated_at = kT0 + kHour;
  want.last_login_at = kT0 + 2 * kHour;

  auto updated = store().UpdateUser(app.id, u.id, [&](User& cur) {
    ExpectSameUser(cur, u);  // sees the current row
    cur.email = want.email;
    cur.email_normalized = want.email_normalized;
    cur.username = want.username;
    cur.username_normalized = want.username_normalized;
    cur.password_hash = want.password_hash;
    cur.email_verified = want.email_verified;
    cur.disabled = want.disabled;
    cur.roles = want.roles;
    cur.profile_json = want.profile_json;
    cur.updated_at = want.updated_at;
    cur.last_login_at = want.last_login_at;
    return OkStatus();
  });
  ASSERT_OK(updated);
  ExpectSameUser(*updated, want);

  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, want);
  EXPECT_CODE(store().GetUserByEmail(app.id, "ann@example.com"), StatusCode::kNotFound);
  EXPECT_OK(store().GetUserByEmail(app.id, "ann.new@example.com"));
  EXPECT_CODE(store().GetUserByUsername(app.id, "ann"), StatusCode::kNotFound);
  EXPECT_OK(store().GetUserByUsername(app.id, "annie"));

  // Clearing the username stores NULL.
  auto cleared = store().UpdateUser(app.id, u.id, [](User& cur) {
    cur.username.reset();
    cur.username_normalized.reset();
    cur.password_hash.reset();
    return OkStatus();
  });
  ASSERT_OK(cleared);
  auto again = store().GetUser(app.id, u.id);
  ASSERT_OK(again);
  EXPECT_EQ(again->username, std::nullopt);
  EXPECT_EQ(again->username_normalized, std::nullopt);
  EXPECT_EQ(again->password_hash, std::nullopt);
}

TEST_P(StoreConformanceTest, UpdateUserRollsBackWhenMutateFails) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com", "ann");
  auto result = store().UpdateUser(app.id, u.id, [](User& cur) {
    cur.email = "changed@example.com";
    cur.email_normalized = "changed@example.com";
    cur.disabled = true;
    cur.roles.push_back("admin");
    return FailedPreconditionError("no");
  });
  EXPECT_CODE(result, StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), "no");  // returned unchanged
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, u);
}

TEST_P(StoreConformanceTest, UpdateUserIntoClashingUsernameOrEmail) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com", "ann");
  User bob = AddUser(app, "bob@example.com", "bob");
  EXPECT_CLASH(store().UpdateUser(app.id, bob.id,
                                  [](User& cur) {
                                    cur.username = "Ann";
                                    cur.username_normalized = "ann";
                                    return OkStatus();
                                  }),
               "username");
  EXPECT_CLASH(store().UpdateUser(app.id, bob.id,
                                  [](User& cur) {
                                    cur.email_normalized = "ann@example.com";
                                    return OkStatus();
                                  }),
               "email");
  auto got = store().GetUser(app.id, bob.id);
  ASSERT_OK(got);
  ExpectSameUser(*got, bob);
  auto still_ann = store().GetUserByUsername(app.id, "ann");
  ASSERT_OK(still_ann);
  EXPECT_EQ(still_ann->id, ann.id);
}

TEST_P(StoreConformanceTest, RecordLoginWithoutNewHash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().RecordLogin(app.id, u.id, kT0 + kHour, std::nullopt));
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  User want = u;
  want.last_login_at = kT0 + kHour;
  ExpectSameUser(*got, want);
}

TEST_P(StoreConformanceTest, RecordLoginWithNewHash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().RecordLogin(app.id, u.id, kT0 + kHour, std::string("$argon2id$rehashed")));
  auto got = store().GetUser(app.id, u.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_login_at, kT0 + kHour);
  EXPECT_EQ(got->password_hash, "$argon2id$rehashed");
  EXPECT_EQ(got->created_at, u.created_at);
  EXPECT_EQ(got->email, u.email);
}

// ---------------------------------------------------------------------------------------
// Times

TEST_P(StoreConformanceTest, TimesRoundTripExactly) {
  App app = MakeApp("default");
  app.created_at = kYear9999;
  ASSERT_OK(store().CreateApp(app));
  auto got_app = store().GetAppBySlug("default");
  ASSERT_OK(got_app);
  EXPECT_EQ(got_app->created_at, kYear9999);

  User u = MakeUser(app, "ann@example.com");
  u.created_at = kAfter2038;
  u.updated_at = kAfter2038 + 1;
  u.last_login_at = kPastDoubles;
  ASSERT_OK(store().CreateUser(u));
  auto got_user = store().GetUser(app.id, u.id);
  ASSERT_OK(got_user);
  EXPECT_EQ(got_user->created_at, kAfter2038);
  EXPECT_EQ(got_user->updated_at, kAfter2038 + 1);
  EXPECT_EQ(got_user->last_login_at, kPastDoubles);

  ASSERT_OK(store().RecordLogin(app.id, u.id, kAfter2038 + 7, std::nullopt));
  got_user = store().GetUser(app.id, u.id);
  ASSERT_OK(got_user);
  EXPECT_EQ(got_user->last_login_at, kAfter2038 + 7);

  Session s = MakeSession(u, kAfter2038, kYear9999);
  s.last_used_at = kAfter2038 + 3;
  ASSERT_OK(store().CreateSession(s, MakeToken("rt", kAfter2038, kYear9999)));
  auto got_session = store().GetSession(app.id, s.id);
  ASSERT_OK(got_session);
  ExpectSameSession(*got_session, s);

  ApiToken t = MakeApiToken(u, "at-hash", kAfter2038 + 11);
  t.expires_at = kYear9999;
  ASSERT_OK(store().CreateApiToken(t));
  auto got_token = store().GetApiTokenByHash("at-hash");
  ASSERT_OK(got_token);
  ExpectSameApiToken(*got_token, t);

  SigningKeyRecord k = MakeKey("k1", kAfter2038 + 13);
  k.retired_at = kYear9999;
  ASSERT_OK(store().InsertSigningKey(k));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  ExpectSameKey((*keys)[0], k);
}

// ---------------------------------------------------------------------------------------
// Sessions

TEST_P(StoreConformanceTest, CreateAndGetSession) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + 30 * kDay);
  RefreshToken first = MakeToken("rt-1", kT0, kT0 + 14 * kDay);
  first.session_id = "ignored";
  ASSERT_OK(store().CreateSession(s, first));

  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  ExpectSameSession(*got, s);
  EXPECT_EQ(got->revoked_at, std::nullopt);
  EXPECT_EQ(got->revoked_reason, "");

  EXPECT_CODE(store().GetSession(other.id, s.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, NewId()), StatusCode::kNotFound);
  EXPECT_EQ(TokenUsedAt("rt-1"), std::nullopt);  // stored, under the session
  auto rows = Query("SELECT session_id FROM refresh_tokens WHERE token_hash = $1", {"rt-1"});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::Text((*rows)[0], 0), s.id);
}

TEST_P(StoreConformanceTest, CreateSessionIsAtomic) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  AddSession(u, "rt-dup");
  // The second session's first token clashes: neither row may stay.
  Session s2 = MakeSession(u, kT0, kT0 + 30 * kDay);
  EXPECT_CLASH(store().CreateSession(s2, MakeToken("rt-dup", kT0, kT0 + kDay)), "token_hash");
  EXPECT_CODE(store().GetSession(app.id, s2.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, SessionIdClash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  Session dup = MakeSession(u, kT0, kT0 + kDay);
  dup.id = s.id;
  EXPECT_CLASH(store().CreateSession(dup, MakeToken("rt-2", kT0, kT0 + kDay)), "id");
  EXPECT_FALSE(TokenExists("rt-2"));
}

TEST_P(StoreConformanceTest, ListActiveSessions) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  const UnixMillis now = kT0 + kDay;

  Session live1 = AddSession(u, "rt-live1", kT0);
  Session live2 = AddSession(u, "rt-live2", kT0 + kHour);
  Session revoked = AddSession(u, "rt-revoked", kT0);
  ASSERT_OK(store().RevokeSession(app.id, u.id, revoked.id, "logout", kT0 + 2 * kHour));
  Session expired = MakeSession(u, kT0 - 10 * kDay, kT0 + kHour);  // expired before `now`
  ASSERT_OK(store().CreateSession(expired, MakeToken("rt-expired", kT0 - 10 * kDay, kT0)));
  AddSession(other, "rt-other", kT0);

  auto active = store().ListActiveSessions(app.id, u.id, now);
  ASSERT_OK(active);
  EXPECT_THAT(Ids(*active), UnorderedElementsAre(live1.id, live2.id));
  for (const Session& s : *active) {
    if (s.id == live1.id) ExpectSameSession(s, live1);
  }

  // Another app's id sees nothing.
  App b = AddApp("b");
  auto none = store().ListActiveSessions(b.id, u.id, now);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(StoreConformanceTest, RotateRefreshToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  const UnixMillis now = kT0 + kHour;

  RefreshToken next = MakeToken("rt-2", now, now + 14 * kDay);
  next.session_id = "ignored-by-the-store";
  auto rot = store().RotateRefreshToken(app.id, "", "rt-1", next, now);
  EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  ASSERT_TRUE(rot->session.has_value());
  EXPECT_EQ(rot->session->id, s.id);
  EXPECT_EQ(rot->session->user_id, u.id);
  EXPECT_EQ(rot->session->app_id, app.id);
  EXPECT_EQ(rot->session->last_used_at, now);

  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, now);
  EXPECT_EQ(got->created_at, s.created_at);
  EXPECT_EQ(TokenUsedAt("rt-1"), now);
  EXPECT_EQ(TokenUsedAt("rt-2"), std::nullopt);
  auto rows = Query("SELECT session_id FROM refresh_tokens WHERE token_hash = $1", {"rt-2"});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::Text((*rows)[0], 0), s.id);

  // The next token is usable in turn.
  const UnixMillis later = now + kHour;
  auto rot2 =
      store().RotateRefreshToken(app.id, "", "rt-2", MakeToken("rt-3", later, later + kDay), later);
  EXPECT_OUTCOME(rot2, RotationOutcome::kRotated);
  ASSERT_TRUE(rot2->session.has_value());
  EXPECT_EQ(rot2->session->id, s.id);
  got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, later);
}

TEST_P(StoreConformanceTest, RotatingAUsedTokenIsReuse) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  const UnixMillis now = kT0 + kHour;
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now),
      RotationOutcome::kRotated);

  auto replay = store().RotateRefreshToken(app.id, "", "rt-1",
                                           MakeToken("rt-x", now + 1, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kReused);
  ASSERT_TRUE(replay->session.has_value());
  EXPECT_EQ(replay->session->id, s.id);
  EXPECT_EQ(replay->session->user_id, u.id);
  EXPECT_FALSE(TokenExists("rt-x"));    // nothing stored for a replay
  EXPECT_EQ(TokenUsedAt("rt-1"), now);  // first use kept
  EXPECT_EQ(TokenUsedAt("rt-2"), std::nullopt);
}

TEST_P(StoreConformanceTest, RotateUnknownTokenIsInvalid) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  AddSession(u, "rt-1");
  auto rot = store().RotateRefreshToken(app.id, "", "no-such-hash",
                                        MakeToken("rt-2", kT0, kT0 + kDay), kT0);
  EXPECT_OUTCOME(rot, RotationOutcome::kInvalid);
  EXPECT_FALSE(rot->session.has_value());
  EXPECT_FALSE(TokenExists("rt-2"));
}

TEST_P(StoreConformanceTest, RotateThroughAnotherAppIsInvalidAndDoesNotConsume) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  const UnixMillis now = kT0 + kHour;

  auto rot =
      store().RotateRefreshToken(other.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now);
  EXPECT_OUTCOME(rot, RotationOutcome::kInvalid);
  EXPECT_FALSE(rot->session.has_value());
  EXPECT_EQ(TokenUsedAt("rt-1"), std::nullopt);
  EXPECT_FALSE(TokenExists("rt-2"));

  // Still live for its own app; once used, a replay through the other app reveals nothing.
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-3", now, now + kDay), now),
      RotationOutcome::kRotated);
  auto replay =
      store().RotateRefreshToken(other.id, "", "rt-1", MakeToken("rt-4", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kInvalid);
  EXPECT_FALSE(replay->session.has_value());
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-5", now, now + kDay), now + 2),
      RotationOutcome::kReused);
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, std::nullopt);
}

TEST_P(StoreConformanceTest, FindSessionByRefreshToken) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  AddSession(AddUser(app, "bob@example.com"), "rt-bob");

  auto found = store().FindSessionByRefreshToken(app.id, "rt-1");
  ASSERT_OK(found);
  ExpectSameSession(*found, s);

  const UnixMillis now = kT0 + kHour;
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now),
      RotationOutcome::kRotated);
  for (const char* hash : {"rt-1", "rt-2"}) {  // rotated and live tokens alike
    auto got = store().FindSessionByRefreshToken(app.id, hash);
    ASSERT_OK(got);
    EXPECT_EQ(got->id, s.id) << hash;
    EXPECT_EQ(got->user_id, u.id) << hash;
    EXPECT_EQ(got->last_used_at, now) << hash;
  }
  EXPECT_CODE(store().FindSessionByRefreshToken(other.id, "rt-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindSessionByRefreshToken(other.id, "rt-2"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindSessionByRefreshToken(app.id, "no-such-hash"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, RotateExpiredTokenIsInvalid) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + 30 * kDay);
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + kHour)));
  const UnixMillis now = kT0 + 2 * kHour;  // token expired, session still live
  auto rot =
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now);
  EXPECT_OUTCOME(rot, RotationOutcome::kInvalid);
  EXPECT_FALSE(TokenExists("rt-2"));
  EXPECT_EQ(TokenUsedAt("rt-1"), std::nullopt);
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, s.last_used_at);
}

TEST_P(StoreConformanceTest, RotateOnRevokedSessionIsInvalidAndRollsBack) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  ASSERT_OK(store().RevokeSession(app.id, u.id, s.id, "logout", kT0 + kMinute));
  const UnixMillis now = kT0 + kHour;

  auto rot =
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now);
  EXPECT_OUTCOME(rot, RotationOutcome::kInvalid);
  EXPECT_FALSE(rot->session.has_value());
  // The transaction rolled back: the token is not marked used, the next one not stored…
  EXPECT_EQ(TokenUsedAt("rt-1"), std::nullopt);
  EXPECT_FALSE(TokenExists("rt-2"));
  // …so presenting it again is still kInvalid, not kReused.
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-3", now, now + kDay), now + 1),
      RotationOutcome::kInvalid);
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, s.last_used_at);
}

TEST_P(StoreConformanceTest, RotateOnExpiredSessionIsInvalidAndRollsBack) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + kHour);
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + kDay)));  // outlives it
  const UnixMillis now = kT0 + 2 * kHour;
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now),
      RotationOutcome::kInvalid);
  EXPECT_EQ(TokenUsedAt("rt-1"), std::nullopt);
  EXPECT_FALSE(TokenExists("rt-2"));
}

TEST_P(StoreConformanceTest, ConcurrentRotationsHaveExactlyOneWinner) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-0");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  std::string current = "rt-0";
  for (int round = 0; round < kRounds; ++round) {
    const UnixMillis now = kT0 + (round + 1) * kMinute;
    std::vector<std::optional<Result<Rotation>>> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        RefreshToken next =
            MakeToken("rt-" + std::to_string(round + 1) + "-" + std::to_string(i), now, now + kDay);
        start.arrive_and_wait();
        results[i] = store().RotateRefreshToken(app.id, "", current, next, now);
      });
    }
    for (auto& t : threads) t.join();

    int rotated = 0, reused = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(results[i].has_value());
      ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
      const Rotation& r = **results[i];
      if (r.outcome == RotationOutcome::kRotated) {
        ++rotated;
        winner = i;
      } else if (r.outcome == RotationOutcome::kReused) {
        ++reused;
        ASSERT_TRUE(r.session.has_value());
        EXPECT_EQ(r.session->id, s.id);
      }
    }
    EXPECT_EQ(rotated, 1) << "round " << round;
    EXPECT_EQ(reused, kThreads - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    // Only the winner's next token was stored.
    for (int i = 0; i < kThreads; ++i) {
      std::string hash = "rt-" + std::to_string(round + 1) + "-" + std::to_string(i);
      EXPECT_EQ(TokenExists(hash), i == winner) << hash;
    }
    current = "rt-" + std::to_string(round + 1) + "-" + std::to_string(winner);
  }
}

TEST_P(StoreConformanceTest, RevokeSession) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  Session s = AddSession(u, "rt-1");

  EXPECT_CODE(store().RevokeSession(app.id, other.id, s.id, "logout", kT0 + 1),
              StatusCode::kNotFound);
  App b = AddApp("b");
  EXPECT_CODE(store().RevokeSession(b.id, u.id, s.id, "logout", kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeSession(app.id, u.id, NewId(), "logout", kT0 + 1),
              StatusCode::kNotFound);
  auto untouched = store().GetSession(app.id, s.id);
  ASSERT_OK(untouched);
  EXPECT_EQ(untouched->revoked_at, std::nullopt);

  ASSERT_OK(store().RevokeSession(app.id, u.id, s.id, "logout", kT0 + kMinute));
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);
  EXPECT_EQ(got->revoked_reason, "logout");

  EXPECT_CODE(store().RevokeSession(app.id, u.id, s.id, "again", kT0 + kHour),
              StatusCode::kNotFound);
  got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);  // the first revocation stands
  EXPECT_EQ(got->revoked_reason, "logout");
}

TEST_P(StoreConformanceTest, RevokeUserSessionsKeepsOne) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  Session keep = AddSession(u, "rt-keep");
  Session a = AddSession(u, "rt-a");
  Session b = AddSession(u, "rt-b");
  Session already = AddSession(u, "rt-already");
  ASSERT_OK(store().RevokeSession(app.id, u.id, already.id, "logout", kT0 + 1));
  Session bobs = AddSession(other, "rt-bob");
  const UnixMillis now = kT0 + kHour;

  auto n = store().RevokeUserSessions(app.id, u.id, keep.id, "password_change", now);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  for (const Session& s : {a, b}) {
    auto got = store().GetSession(app.id, s.id);
    ASSERT_OK(got);
    EXPECT_EQ(got->revoked_at, now);
    EXPECT_EQ(got->revoked_reason, "password_change");
  }
  auto got_already = store().GetSession(app.id, already.id);
  ASSERT_OK(got_already);
  EXPECT_EQ(got_already->revoked_at, kT0 + 1);
  EXPECT_EQ(got_already->revoked_reason, "logout");
  auto active = store().ListActiveSessions(app.id, u.id, now);
  ASSERT_OK(active);
  EXPECT_THAT(Ids(*active), ElementsAre(keep.id));
  auto bob_active = store().ListActiveSessions(app.id, other.id, now);
  ASSERT_OK(bob_active);
  EXPECT_THAT(Ids(*bob_active), ElementsAre(bobs.id));

  // Through another app: nothing.
  App other_app = AddApp("b");
  auto none = store().RevokeUserSessions(other_app.id, u.id, "", "logout_all", now);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);

  // An empty keep id revokes every live session.
  auto all = store().RevokeUserSessions(app.id, u.id, "", "logout_all", now + 1);
  ASSERT_OK(all);
  EXPECT_EQ(*all, 1);
  active = store().ListActiveSessions(app.id, u.id, now + 1);
  ASSERT_OK(active);
  EXPECT_THAT(*active, IsEmpty());
  // A revoked session's tokens no longer rotate.
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-a", MakeToken("rt-a2", now, now + kDay), now + 2),
      RotationOutcome::kInvalid);
}

// ---------------------------------------------------------------------------------------
// API tokens

TEST_P(StoreConformanceTest, CreateAndGetApiToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ApiToken forever = MakeApiToken(u, "hash-forever", kT0);
  ASSERT_OK(store().CreateApiToken(forever));
  ApiToken expiring = MakeApiToken(u, "hash-expiring", kT0 + 1);
  expiring.expires_at = kT0 + 90 * kDay;
  ASSERT_OK(store().CreateApiToken(expiring));

  auto got = store().GetApiTokenByHash("hash-forever");
  ASSERT_OK(got);
  ExpectSameApiToken(*got, forever);
  got = store().GetApiTokenByHash("hash-expiring");
  ASSERT_OK(got);
  ExpectSameApiToken(*got, expiring);
  EXPECT_CODE(store().GetApiTokenByHash("no-such-hash"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ApiTokenHashClash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().CreateApiToken(MakeApiToken(u, "hash-1", kT0)));
  EXPECT_CLASH(store().CreateApiToken(MakeApiToken(u, "hash-1", kT0 + 1)), "token_hash");
  auto list = store().ListApiTokens(app.id, u.id);
  ASSERT_OK(list);
  EXPECT_EQ(list->size(), 1u);
}

TEST_P(StoreConformanceTest, ListApiTokensExcludesRevokedAndOthers) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  ApiToken t1 = MakeApiToken(u, "hash-1", kT0);
  ApiToken t2 = MakeApiToken(u, "hash-2", kT0 + 1);
  ApiToken revoked = MakeApiToken(u, "hash-3", kT0 + 2);
  ApiToken bobs = MakeApiToken(other, "hash-4", kT0 + 3);
  for (const ApiToken& t : {t1, t2, revoked, bobs}) ASSERT_OK(store().CreateApiToken(t));
  ASSERT_OK(store().RevokeApiToken(app.id, u.id, revoked.id, kT0 + kHour));

  auto list = store().ListApiTokens(app.id, u.id);
  ASSERT_OK(list);
  EXPECT_THAT(Ids(*list), UnorderedElementsAre(t1.id, t2.id));
  for (const ApiToken& t : *list) {
    if (t.id == t2.id) ExpectSameApiToken(t, t2);
  }
  App b = AddApp("b");
  auto none = store().ListApiTokens(b.id, u.id);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(StoreConformanceTest, RevokeApiToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  App b = AddApp("b");
  ApiToken t = MakeApiToken(u, "hash-1", kT0);
  ASSERT_OK(store().CreateApiToken(t));

  EXPECT_CODE(store().RevokeApiToken(app.id, other.id, t.id, kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeApiToken(b.id, u.id, t.id, kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeApiToken(app.id, u.id, NewId(), kT0 + 1), StatusCode::kNotFound);
  auto got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, std::nullopt);

  ASSERT_OK(store().RevokeApiToken(app.id, u.id, t.id, kT0 + kMinute));
  got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);  // still found by hash: the caller checks
  EXPECT_CODE(store().RevokeApiToken(app.id, u.id, t.id, kT0 + kHour), StatusCode::kNotFound);
  got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);
}

TEST_P(StoreConformanceTest, TouchApiToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ApiToken t = MakeApiToken(u, "hash-1", kT0);
  ApiToken untouched = MakeApiToken(u, "hash-2", kT0);
  ASSERT_OK(store().CreateApiToken(t));
  ASSERT_OK(store().CreateApiToken(untouched));

  ASSERT_OK(store().TouchApiToken(t.id, kT0 + kMinute));
  auto got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kT0 + kMinute);
  ASSERT_OK(store().TouchApiToken(t.id, kT0 + kHour));
  got = store().GetApiTokenByHash("hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kT0 + kHour);
  auto other = store().GetApiTokenByHash("hash-2");
  ASSERT_OK(other);
  EXPECT_EQ(other->last_used_at, std::nullopt);
}

// ---------------------------------------------------------------------------------------
// Signing keys

TEST_P(StoreConformanceTest, SigningKeysNewestFirst) {
  SigningKeyRecord k1 = MakeKey("k1", kT0);
  SigningKeyRecord k2 = MakeKey("k2", kT0 + kDay);
  SigningKeyRecord k3 = MakeKey("k3", kT0 + 2 * kDay);
  ASSERT_OK(store().InsertSigningKey(k2));
  ASSERT_OK(store().InsertSigningKey(k3));
  ASSERT_OK(store().InsertSigningKey(k1));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 3u);
  ExpectSameKey((*keys)[0], k3);
  ExpectSameKey((*keys)[1], k2);
  ExpectSameKey((*keys)[2], k1);
}

TEST_P(StoreConformanceTest, SigningKeyKidClash) {
  ASSERT_OK(store().InsertSigningKey(MakeKey("k1", kT0)));
  EXPECT_CLASH(store().InsertSigningKey(MakeKey("k1", kT0 + 1)), "kid");
}

TEST_P(StoreConformanceTest, RetireSigningKeysExcept) {
  SigningKeyRecord old = MakeKey("k-old", kT0);
  old.retired_at = kT0 + kDay;
  SigningKeyRecord prev = MakeKey("k-prev", kT0 + 2 * kDay);
  SigningKeyRecord cur = MakeKey("k-cur", kT0 + 3 * kDay);
  for (const auto& k : {old, prev, cur}) ASSERT_OK(store().InsertSigningKey(k));

  const UnixMillis now = kT0 + 4 * kDay;
  ASSERT_OK(store().RetireSigningKeysExcept("k-cur", now));
  auto keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].kid, "k-cur");
  EXPECT_EQ((*keys)[0].retired_at, std::nullopt);
  EXPECT_EQ((*keys)[1].kid, "k-prev");
  EXPECT_EQ((*keys)[1].retired_at, now);
  EXPECT_EQ((*keys)[2].kid, "k-old");
  EXPECT_EQ((*keys)[2].retired_at, kT0 + kDay);  // already retired: unchanged

  // Idempotent.
  ASSERT_OK(store().RetireSigningKeysExcept("k-cur", now + kDay));
  keys = store().ListSigningKeys();
  ASSERT_OK(keys);
  EXPECT_EQ((*keys)[0].retired_at, std::nullopt);
  EXPECT_EQ((*keys)[1].retired_at, now);
}

// ---------------------------------------------------------------------------------------
// Garbage collection

TEST_P(StoreConformanceTest, CollectGarbage) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  const UnixMillis now = kT0 + 100 * kDay;
  const UnixMillis long_ago = now - 30 * kDay;

  // A session that expired long ago, with its expired token.
  Session dead = MakeSession(u, long_ago - kDay, long_ago);
  ASSERT_OK(store().CreateSession(dead, MakeToken("rt-dead", long_ago - kDay, long_ago)));
  // A session revoked long ago (its token goes with it).
  Session revoked = MakeSession(u, long_ago - kDay, now + 30 * kDay);
  ASSERT_OK(
      store().CreateSession(revoked, MakeToken("rt-revoked", long_ago - kDay, now + 14 * kDay)));
  ASSERT_OK(store().RevokeSession(app.id, u.id, revoked.id, "logout", long_ago));
  // A live session with three tokens: rt-live-old (used, expired long ago: collected),
  // rt-live-recent (used, expires exactly at `now`: kept for reuse detection), rt-live.
  Session live = MakeSession(u, long_ago - kDay, now + 30 * kDay);
  ASSERT_OK(store().CreateSession(live, MakeToken("rt-live-old", long_ago - kDay, long_ago)));
  {
    auto rot = store().RotateRefreshToken(app.id, "", "rt-live-old",
                                          MakeToken("rt-live-recent", now, now), long_ago - 1);
    EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  }
  {
    auto rot = store().RotateRefreshToken(app.id, "", "rt-live-recent",
                                          MakeToken("rt-live", now - kMinute, now + 14 * kDay),
                                          now - kMinute);
    EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  }
  // A session revoked a minute ago is kept (grace), as is its token.
  Session just_revoked = MakeSession(u, now - kHour, now + 30 * kDay);
  ASSERT_OK(store().CreateSession(just_revoked,
                                  MakeToken("rt-just-revoked", now - kHour, now + 14 * kDay)));
  ASSERT_OK(store().RevokeSession(app.id, u.id, just_revoked.id, "logout", now - kMinute));

  ApiToken expired = MakeApiToken(u, "at-expired", long_ago - kDay);
  expired.expires_at = long_ago;
  ApiToken revoked_token = MakeApiToken(u, "at-revoked", long_ago - kDay);
  ApiToken recently_revoked = MakeApiToken(u, "at-recently-revoked", long_ago - kDay);
  ApiToken forever = MakeApiToken(u, "at-forever", long_ago - kDay);
  ApiToken future = MakeApiToken(u, "at-future", long_ago - kDay);
  future.expires_at = now + kDay;
  for (const ApiToken& t : {expired, revoked_token, recently_revoked, forever, future}) {
    ASSERT_OK(store().CreateApiToken(t));
  }
  ASSERT_OK(store().RevokeApiToken(app.id, u.id, revoked_token.id, long_ago));
  ASSERT_OK(store().RevokeApiToken(app.id, u.id, recently_revoked.id, now - kMinute));

  auto stats = store().CollectGarbage(now);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->refresh_tokens, 2);  // rt-dead, rt-live-old (rt-revoked goes by cascade)
  EXPECT_EQ(stats->sessions, 2);        // dead, revoked
  EXPECT_EQ(stats->api_tokens, 2);      // at-expired, at-revoked

  EXPECT_CODE(store().GetSession(app.id, dead.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, revoked.id), StatusCode::kNotFound);
  EXPECT_OK(store().GetSession(app.id, live.id));
  EXPECT_OK(store().GetSession(app.id, just_revoked.id));
  EXPECT_FALSE(TokenExists("rt-dead"));
  EXPECT_FALSE(TokenExists("rt-revoked"));
  EXPECT_FALSE(TokenExists("rt-live-old"));
  EXPECT_TRUE(TokenExists("rt-live-recent"));
  EXPECT_TRUE(TokenExists("rt-live"));
  EXPECT_TRUE(TokenExists("rt-just-revoked"));

  EXPECT_CODE(store().GetApiTokenByHash("at-expired"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetApiTokenByHash("at-revoked"), StatusCode::kNotFound);
  EXPECT_OK(store().GetApiTokenByHash("at-recently-revoked"));
  EXPECT_OK(store().GetApiTokenByHash("at-forever"));
  EXPECT_OK(store().GetApiTokenByHash("at-future"));

  // Recently used tokens still detect replays; the live one still rotates.
  EXPECT_OUTCOME(store().RotateRefreshToken(app.id, "", "rt-live-recent",
                                            MakeToken("rt-x", now, now + kDay), now),
                 RotationOutcome::kReused);
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-live", MakeToken("rt-y", now, now + kDay), now),
      RotationOutcome::kRotated);

  // Nothing left to collect.
  auto again = store().CollectGarbage(now);
  ASSERT_OK(again);
  EXPECT_EQ(again->refresh_tokens, 0);
  EXPECT_EQ(again->sessions, 0);
  EXPECT_EQ(again->api_tokens, 0);
}

// ---- ClientStore ----

OAuthClient MakeClient(const App& app, const std::string& id, bool is_public = false) {
  OAuthClient c;
  c.client_id = id;
  c.app_id = app.id;
  c.name = "Client " + id + " <'\"&>";
  if (!is_public) c.secret_hash = std::string(64, 'c');
  c.is_public = is_public;
  c.first_party = true;
  c.redirect_uris = {"https://app.example/cb", "com.example.app:/cb"};
  c.grant_types = {"authorization_code", "refresh_token"};
  c.scopes = {"openid", "profile", "offline_access"};
  c.created_at = kT0;
  return c;
}

TEST_P(StoreConformanceTest, CreateGetAndListClients) {
  App app = AddApp("default");
  OAuthClient c = MakeClient(app, "client-1");
  ASSERT_OK(store().CreateClient(c));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-2", /*is_public=*/true)));
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->secret_hash, c.secret_hash);
  EXPECT_FALSE(got->is_public);
  EXPECT_TRUE(got->first_party);
  EXPECT_EQ(got->redirect_uris, c.redirect_uris);
  EXPECT_EQ(got->grant_types, c.grant_types);
  EXPECT_EQ(got->scopes, c.scopes);
  EXPECT_EQ(got->created_at, kT0);
  auto pub = store().GetClient(app.id, "client-2");
  ASSERT_OK(pub);
  EXPECT_TRUE(pub->is_public);
  EXPECT_FALSE(pub->secret_hash.has_value());
  auto all = store().ListClients(app.id);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].client_id, "client-1");
}

TEST_P(StoreConformanceTest, ClientsAreIsolatedPerAppAndIdsAreUnique) {
  App a = AddApp("a");
  App b = AddApp("b");
  ASSERT_OK(store().CreateClient(MakeClient(a, "shared-id")));
  EXPECT_CODE(store().GetClient(b.id, "shared-id"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetClient(a.id, "nope"), StatusCode::kNotFound);
  EXPECT_CLASH(store().CreateClient(MakeClient(b, "shared-id")), "client_id");
  auto listed = store().ListClients(b.id);
  ASSERT_OK(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_P(StoreConformanceTest, ClientPostLogoutRedirectUrisRoundTrip) {
  App app = AddApp("default");
  OAuthClient c = MakeClient(app, "client-1");
  c.post_logout_redirect_uris = {"https://app.example/bye", "com.example.app:/bye"};
  ASSERT_OK(store().CreateClient(c));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-2")));  // none
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->post_logout_redirect_uris, c.post_logout_redirect_uris);
  EXPECT_EQ(got->redirect_uris, c.redirect_uris);
  auto none = store().GetClient(app.id, "client-2");
  ASSERT_OK(none);
  EXPECT_THAT(none->post_logout_redirect_uris, IsEmpty());
  auto all = store().ListClients(app.id);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].post_logout_redirect_uris, c.post_logout_redirect_uris);
}

// ---------------------------------------------------------------------------------------
// Session kinds (OIDC): OAuth grants and browser sessions

Session MakeOAuthSession(const User& user, const std::string& client_id, UnixMillis now,
                         UnixMillis expires_at) {
  Session s = MakeSession(user, now, expires_at);
  s.kind = std::string(kSessionOAuth);
  s.client_id = client_id;
  s.scope = "openid profile offline_access";
  s.auth_time = now - 5 * kMinute;
  return s;
}

Session MakeBrowserSession(const User& user, UnixMillis now, UnixMillis expires_at) {
  Session s = MakeSession(user, now, expires_at);
  s.kind = std::string(kSessionBrowser);
  return s;
}

TEST_P(StoreConformanceTest, SessionOidcFieldsRoundTrip) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + 30 * kDay);
  s.auth_time = kAfter2038;
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + 14 * kDay)));

  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  ExpectSameSession(*got, s);
  EXPECT_EQ(got->kind, "oauth");
  auto found = store().FindSessionByRefreshToken(app.id, "rt-1");
  ASSERT_OK(found);
  ExpectSameSession(*found, s);
  auto listed = store().ListActiveSessions(app.id, u.id, kT0 + 1);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  ExpectSameSession((*listed)[0], s);

  const UnixMillis now = kT0 + kHour;
  auto rot = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                        MakeToken("rt-2", now, now + kDay), now);
  EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  ASSERT_TRUE(rot->session.has_value());
  Session want = s;
  want.last_used_at = now;
  ExpectSameSession(*rot->session, want);
  auto replay = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                           MakeToken("rt-3", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kReused);
  ASSERT_TRUE(replay->session.has_value());
  ExpectSameSession(*replay->session, want);

  // The defaults: an account-API session.
  Session plain;
  EXPECT_EQ(plain.kind, "api");
  Session api = AddSession(u, "rt-api");
  auto got_api = store().GetSession(app.id, api.id);
  ASSERT_OK(got_api);
  EXPECT_EQ(got_api->kind, "api");
  EXPECT_EQ(got_api->client_id, "");
  EXPECT_EQ(got_api->scope, "");
}

TEST_P(StoreConformanceTest, CreateSessionWithoutRefreshToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  ASSERT_OK(store().CreateSession(s, std::nullopt));
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  ExpectSameSession(*got, s);
  auto rows = Query("SELECT id FROM refresh_tokens WHERE session_id = $1", {s.id});
  ASSERT_OK(rows);
  EXPECT_THAT(*rows, IsEmpty());
  auto listed = store().ListActiveSessions(app.id, u.id, kT0 + 1);
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre(s.id));

  Session dup = MakeSession(u, kT0, kT0 + kDay);
  dup.id = s.id;
  EXPECT_CLASH(store().CreateSession(dup, std::nullopt), "id");
}

TEST_P(StoreConformanceTest, BrowserSessionCreateAndGet) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  constexpr int64_t kIdle = 30 * kMinute;
  Session s = MakeBrowserSession(u, kT0, kT0 + 7 * kDay);
  ASSERT_OK(store().CreateBrowserSession(s, "cookie-1"));

  auto got = store().GetBrowserSession(app.id, "cookie-1", kT0 + kMinute, kIdle);
  ASSERT_OK(got);
  ExpectSameSession(*got, s);
  EXPECT_EQ(got->kind, "browser");
  auto by_id = store().GetSession(app.id, s.id);
  ASSERT_OK(by_id);
  ExpectSameSession(*by_id, s);
  // Listed with the other kinds.
  AddSession(u, "rt-api");
  auto listed = store().ListActiveSessions(app.id, u.id, kT0 + kMinute);
  ASSERT_OK(listed);
  EXPECT_EQ(listed->size(), 2u);

  EXPECT_CODE(store().GetBrowserSession(other.id, "cookie-1", kT0 + kMinute, kIdle),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-2", kT0 + kMinute, kIdle),
              StatusCode::kNotFound);
  // Idle: last used at kT0, so dead from kT0 + kIdle on.
  EXPECT_OK(store().GetBrowserSession(app.id, "cookie-1", kT0 + kIdle - 1, kIdle));
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-1", kT0 + kIdle, kIdle),
              StatusCode::kNotFound);
  // Absolute lifetime, however recently used.
  ASSERT_OK(store().TouchSession(s.id, kT0 + 7 * kDay - kMinute));
  EXPECT_OK(store().GetBrowserSession(app.id, "cookie-1", kT0 + 7 * kDay - 1, kIdle));
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-1", kT0 + 7 * kDay, kIdle),
              StatusCode::kNotFound);
  // Revoked.
  Session s2 = MakeBrowserSession(u, kT0, kT0 + 7 * kDay);
  ASSERT_OK(store().CreateBrowserSession(s2, "cookie-3"));
  EXPECT_OK(store().GetBrowserSession(app.id, "cookie-3", kT0 + kMinute, kIdle));
  ASSERT_OK(store().RevokeSession(app.id, u.id, s2.id, "logout", kT0 + kMinute));
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-3", kT0 + 2 * kMinute, kIdle),
              StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, BrowserSessionIsAlwaysKindBrowser) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + kDay);  // kind "api" by default
  ASSERT_OK(store().CreateBrowserSession(s, "cookie-1"));
  auto got = store().GetBrowserSession(app.id, "cookie-1", kT0 + 1, kHour);
  ASSERT_OK(got);
  EXPECT_EQ(got->kind, "browser");
}

TEST_P(StoreConformanceTest, TouchSessionExtendsIdle) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  constexpr int64_t kIdle = 30 * kMinute;
  Session s = MakeBrowserSession(u, kT0, kT0 + 7 * kDay);
  ASSERT_OK(store().CreateBrowserSession(s, "cookie-1"));
  Session untouched = MakeBrowserSession(u, kT0, kT0 + 7 * kDay);
  ASSERT_OK(store().CreateBrowserSession(untouched, "cookie-2"));

  ASSERT_OK(store().TouchSession(s.id, kT0 + 20 * kMinute));
  const UnixMillis later = kT0 + 40 * kMinute;
  auto got = store().GetBrowserSession(app.id, "cookie-1", later, kIdle);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kT0 + 20 * kMinute);
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-2", later, kIdle), StatusCode::kNotFound);
  auto other = store().GetSession(app.id, untouched.id);
  ASSERT_OK(other);
  EXPECT_EQ(other->last_used_at, kT0);

  EXPECT_CODE(store().TouchSession(NewId(), later), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, BrowserCookieHashIsUnique) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeBrowserSession(u, kT0, kT0 + kDay);
  ASSERT_OK(store().CreateBrowserSession(s, "cookie-1"));
  Session s2 = MakeBrowserSession(u, kT0, kT0 + kDay);
  EXPECT_CLASH(store().CreateBrowserSession(s2, "cookie-1"), "cookie_hash");
  EXPECT_CODE(store().GetSession(app.id, s2.id), StatusCode::kNotFound);
  Session dup = MakeBrowserSession(u, kT0, kT0 + kDay);
  dup.id = s.id;
  EXPECT_CLASH(store().CreateBrowserSession(dup, "cookie-2"), "id");
  // Sessions without a cookie never clash with each other.
  ASSERT_OK(store().CreateSession(MakeSession(u, kT0, kT0 + kDay), std::nullopt));
  ASSERT_OK(store().CreateSession(MakeSession(u, kT0, kT0 + kDay), std::nullopt));
}

TEST_P(StoreConformanceTest, RotateThroughAnotherClientIsInvalidAndDoesNotConsume) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + 30 * kDay);
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + 14 * kDay)));
  const UnixMillis now = kT0 + kHour;

  for (const char* wrong : {"client-2", ""}) {
    auto rot = store().RotateRefreshToken(
        app.id, wrong, "rt-1", MakeToken(std::string("rt-x") + wrong, now, now + kDay), now);
    EXPECT_OUTCOME(rot, RotationOutcome::kInvalid);
    EXPECT_FALSE(rot->session.has_value()) << wrong;
    EXPECT_EQ(TokenUsedAt("rt-1"), std::nullopt) << wrong;
    EXPECT_FALSE(TokenExists(std::string("rt-x") + wrong)) << wrong;
  }

  // The right client rotates fine.
  auto rot = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                        MakeToken("rt-2", now, now + kDay), now);
  EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  EXPECT_EQ(TokenUsedAt("rt-1"), now);

  // A replay by another client reveals nothing and is no reuse (it must not be able to get
  // the family revoked); by the right client it is.
  auto replay = store().RotateRefreshToken(app.id, "client-2", "rt-1",
                                           MakeToken("rt-3", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kInvalid);
  EXPECT_FALSE(replay->session.has_value());
  replay =
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-4", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kInvalid);
  replay = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                      MakeToken("rt-5", now, now + kDay), now + 2);
  EXPECT_OUTCOME(replay, RotationOutcome::kReused);
  ASSERT_TRUE(replay->session.has_value());
  EXPECT_EQ(replay->session->id, s.id);

  // An account-API token is not a client's.
  Session api = AddSession(u, "rt-api");
  EXPECT_OUTCOME(store().RotateRefreshToken(app.id, "client-1", "rt-api",
                                            MakeToken("rt-api-2", now, now + kDay), now),
                 RotationOutcome::kInvalid);
  EXPECT_EQ(TokenUsedAt("rt-api"), std::nullopt);
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-api", MakeToken("rt-api-3", now, now + kDay), now),
      RotationOutcome::kRotated);
  auto got = store().GetSession(app.id, api.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, std::nullopt);
}

TEST_P(StoreConformanceTest, RevokeSessionById) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  ASSERT_OK(store().CreateSession(s, std::nullopt));

  EXPECT_CODE(store().RevokeSessionById(other.id, s.id, "code_reuse", kT0 + 1),
              StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeSessionById(app.id, NewId(), "code_reuse", kT0 + 1),
              StatusCode::kNotFound);
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, std::nullopt);

  ASSERT_OK(store().RevokeSessionById(app.id, s.id, "code_reuse", kT0 + kMinute));
  got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);
  EXPECT_EQ(got->revoked_reason, "code_reuse");
  EXPECT_CODE(store().RevokeSessionById(app.id, s.id, "again", kT0 + kHour), StatusCode::kNotFound);
  got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);
  EXPECT_EQ(got->revoked_reason, "code_reuse");
}

TEST_P(StoreConformanceTest, RevokeClientSessions) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  const UnixMillis now = kT0 + kHour;
  Session c1a = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  Session c1b = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  Session c1_revoked = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  Session c2 = MakeOAuthSession(u, "client-2", kT0, kT0 + kDay);
  Session bobs = MakeOAuthSession(bob, "client-1", kT0, kT0 + kDay);
  // Another kind that happens to carry the client id is not an OAuth grant.
  Session api = MakeSession(u, kT0, kT0 + kDay);
  api.client_id = "client-1";
  for (const Session& s : {c1a, c1b, c1_revoked, c2, bobs, api}) {
    ASSERT_OK(store().CreateSession(s, std::nullopt));
  }
  Session browser = MakeBrowserSession(u, kT0, kT0 + kDay);
  ASSERT_OK(store().CreateBrowserSession(browser, "cookie-1"));
  ASSERT_OK(store().RevokeSessionById(app.id, c1_revoked.id, "logout", kT0 + 1));

  App other = AddApp("other");
  auto none = store().RevokeClientSessions(other.id, u.id, "client-1", "consent_revoked", now);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);

  auto n = store().RevokeClientSessions(app.id, u.id, "client-1", "consent_revoked", now);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  for (const Session& s : {c1a, c1b}) {
    auto got = store().GetSession(app.id, s.id);
    ASSERT_OK(got);
    EXPECT_EQ(got->revoked_at, now);
    EXPECT_EQ(got->revoked_reason, "consent_revoked");
  }
  auto already = store().GetSession(app.id, c1_revoked.id);
  ASSERT_OK(already);
  EXPECT_EQ(already->revoked_at, kT0 + 1);
  EXPECT_EQ(already->revoked_reason, "logout");
  auto live = store().ListActiveSessions(app.id, u.id, now);
  ASSERT_OK(live);
  EXPECT_THAT(Ids(*live), UnorderedElementsAre(c2.id, api.id, browser.id));
  auto bob_live = store().ListActiveSessions(app.id, bob.id, now);
  ASSERT_OK(bob_live);
  EXPECT_THAT(Ids(*bob_live), ElementsAre(bobs.id));

  auto again = store().RevokeClientSessions(app.id, u.id, "client-1", "consent_revoked", now);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0);
}

// ---------------------------------------------------------------------------------------
// Authorization codes

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
  c.created_at = now;
  c.expires_at = expires_at;
  return c;
}

void ExpectSameCode(const AuthorizationCode& got, const AuthorizationCode& want) {
  EXPECT_EQ(got.code_hash, want.code_hash);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.client_id, want.client_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.redirect_uri, want.redirect_uri);
  EXPECT_EQ(got.scope, want.scope);
  EXPECT_EQ(got.nonce, want.nonce);
  EXPECT_EQ(got.code_challenge, want.code_challenge);
  EXPECT_EQ(got.session_id, want.session_id);
  EXPECT_EQ(got.browser_session_id, want.browser_session_id);
  EXPECT_EQ(got.auth_time, want.auth_time);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.used_at, want.used_at);
}

std::string CodeOutcomeName(CodeOutcome o) {
  switch (o) {
    case CodeOutcome::kConsumed:
      return "kConsumed";
    case CodeOutcome::kReused:
      return "kReused";
    case CodeOutcome::kInvalid:
      return "kInvalid";
  }
  return "?";
}

#define EXPECT_CODE_OUTCOME(redemption, want)                         \
  do {                                                                \
    const auto& red_ = (redemption);                                  \
    ASSERT_TRUE(red_.ok()) << red_.status().ToString();               \
    EXPECT_EQ(CodeOutcomeName(red_->outcome), CodeOutcomeName(want)); \
  } while (0)

TEST_P(StoreConformanceTest, RedeemAuthorizationCodeOnce) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  AuthorizationCode code = MakeCode(u, "code-1", kT0, kT0 + kMinute);
  ASSERT_OK(store().CreateAuthorizationCode(code));
  EXPECT_CLASH(store().CreateAuthorizationCode(MakeCode(u, "code-1", kT0, kT0 + kMinute)),
               "code_hash");

  const UnixMillis now = kT0 + 10 * kSecond;
  auto first = store().RedeemAuthorizationCode(app.id, "code-1", now);
  EXPECT_CODE_OUTCOME(first, CodeOutcome::kConsumed);
  ASSERT_TRUE(first->code.has_value());
  AuthorizationCode want = code;
  want.used_at = now;
  ExpectSameCode(*first->code, want);

  auto replay = store().RedeemAuthorizationCode(app.id, "code-1", now + kSecond);
  EXPECT_CODE_OUTCOME(replay, CodeOutcome::kReused);
  ASSERT_TRUE(replay->code.has_value());
  ExpectSameCode(*replay->code, want);  // the first use stands
  EXPECT_EQ(replay->code->session_id, code.session_id);
  // Still a replay after it has expired.
  auto late = store().RedeemAuthorizationCode(app.id, "code-1", kT0 + kHour);
  EXPECT_CODE_OUTCOME(late, CodeOutcome::kReused);
  ASSERT_TRUE(late->code.has_value());
  EXPECT_EQ(late->code->used_at, now);

  auto unknown = store().RedeemAuthorizationCode(app.id, "no-such-code", now);
  EXPECT_CODE_OUTCOME(unknown, CodeOutcome::kInvalid);
  EXPECT_FALSE(unknown->code.has_value());
}

TEST_P(StoreConformanceTest, RedeemExpiredCodeIsInvalid) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(u, "code-1", kT0, kT0 + kMinute)));
  auto red = store().RedeemAuthorizationCode(app.id, "code-1", kT0 + kMinute);  // at expiry
  EXPECT_CODE_OUTCOME(red, CodeOutcome::kInvalid);
  EXPECT_FALSE(red->code.has_value());
  // Not consumed either: presenting it again is still kInvalid, not kReused.
  red = store().RedeemAuthorizationCode(app.id, "code-1", kT0 + kMinute + 1);
  EXPECT_CODE_OUTCOME(red, CodeOutcome::kInvalid);
  auto rows = Query("SELECT used_at FROM authorization_codes WHERE code_hash = $1", {"code-1"});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), std::nullopt);
}

TEST_P(StoreConformanceTest, RedeemThroughAnotherAppIsInvalidAndDoesNotConsume) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(u, "code-1", kT0, kT0 + kMinute)));
  auto red = store().RedeemAuthorizationCode(other.id, "code-1", kT0 + 1);
  EXPECT_CODE_OUTCOME(red, CodeOutcome::kInvalid);
  EXPECT_FALSE(red->code.has_value());
  EXPECT_CODE_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-1", kT0 + 2),
                      CodeOutcome::kConsumed);
  // Once used, a replay through the other app reveals nothing.
  red = store().RedeemAuthorizationCode(other.id, "code-1", kT0 + 3);
  EXPECT_CODE_OUTCOME(red, CodeOutcome::kInvalid);
  EXPECT_FALSE(red->code.has_value());
}

TEST_P(StoreConformanceTest, ConcurrentCodeRedemptionsHaveExactlyOneWinner) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "code-" + std::to_string(round);
    AuthorizationCode code = MakeCode(u, hash, kT0, kT0 + kMinute);
    ASSERT_OK(store().CreateAuthorizationCode(code));
    const UnixMillis now = kT0 + kSecond;
    std::vector<std::optional<Result<CodeRedemption>>> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = store().RedeemAuthorizationCode(app.id, hash, now + i);
      });
    }
    for (auto& t : threads) t.join();

    int consumed = 0, reused = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(results[i].has_value());
      ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
      const CodeRedemption& r = **results[i];
      ASSERT_TRUE(r.code.has_value()) << "thread " << i;
      EXPECT_EQ(r.code->session_id, code.session_id);
      if (r.outcome == CodeOutcome::kConsumed) {
        ++consumed;
        winner = i;
      } else if (r.outcome == CodeOutcome::kReused) {
        ++reused;
      }
    }
    EXPECT_EQ(consumed, 1) << "round " << round;
    EXPECT_EQ(reused, kThreads - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    // Every loser saw the winner's mark.
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ((*results[i])->code->used_at, now + winner) << "round " << round << " thread " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Consents

Consent MakeConsent(const User& user, const std::string& client_id, UnixMillis now) {
  return Consent{user.app_id, user.id, client_id, {"openid", "profile"}, now, now};
}

void ExpectSameConsent(const Consent& got, const Consent& want) {
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.client_id, want.client_id);
  EXPECT_EQ(got.scopes, want.scopes);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

TEST_P(StoreConformanceTest, SaveGetAndReplaceConsent) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  EXPECT_CODE(store().GetConsent(app.id, u.id, "client-1"), StatusCode::kNotFound);

  Consent c = MakeConsent(u, "client-1", kT0);
  ASSERT_OK(store().SaveConsent(c));
  auto got = store().GetConsent(app.id, u.id, "client-1");
  ASSERT_OK(got);
  ExpectSameConsent(*got, c);
  EXPECT_CODE(store().GetConsent(other.id, u.id, "client-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetConsent(app.id, bob.id, "client-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetConsent(app.id, u.id, "client-2"), StatusCode::kNotFound);

  // Replacing keeps created_at, takes the new scopes and updated_at.
  Consent wider = c;
  wider.scopes = {"openid", "profile", "email", "offline_access"};
  wider.created_at = kT0 + kDay;
  wider.updated_at = kT0 + kDay;
  ASSERT_OK(store().SaveConsent(wider));
  got = store().GetConsent(app.id, u.id, "client-1");
  ASSERT_OK(got);
  Consent want = wider;
  want.created_at = kT0;
  ExpectSameConsent(*got, want);

  // Narrowing to nothing is stored as such.
  Consent empty = c;
  empty.scopes.clear();
  empty.updated_at = kT0 + 2 * kDay;
  ASSERT_OK(store().SaveConsent(empty));
  got = store().GetConsent(app.id, u.id, "client-1");
  ASSERT_OK(got);
  EXPECT_THAT(got->scopes, IsEmpty());
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->updated_at, kT0 + 2 * kDay);
}

TEST_P(StoreConformanceTest, ListAndDeleteConsents) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  Consent oldest = MakeConsent(u, "client-b", kT0);
  Consent middle = MakeConsent(u, "client-c", kT0 + kHour);
  Consent newest = MakeConsent(u, "client-a", kT0 + 2 * kHour);
  newest.scopes = {"openid"};
  for (const Consent& c : {middle, newest, oldest}) ASSERT_OK(store().SaveConsent(c));
  ASSERT_OK(store().SaveConsent(MakeConsent(bob, "client-a", kT0 + 3 * kHour)));

  auto list = store().ListConsents(app.id, u.id);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 3u);
  ExpectSameConsent((*list)[0], newest);
  ExpectSameConsent((*list)[1], middle);
  ExpectSameConsent((*list)[2], oldest);
  auto none = store().ListConsents(other.id, u.id);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  EXPECT_CODE(store().DeleteConsent(other.id, u.id, "client-a"), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteConsent(app.id, u.id, "client-x"), StatusCode::kNotFound);
  ASSERT_OK(store().DeleteConsent(app.id, u.id, "client-a"));
  EXPECT_CODE(store().GetConsent(app.id, u.id, "client-a"), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteConsent(app.id, u.id, "client-a"), StatusCode::kNotFound);
  EXPECT_OK(store().GetConsent(app.id, bob.id, "client-a"));  // bob's stays
  list = store().ListConsents(app.id, u.id);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].client_id, "client-c");
  EXPECT_EQ((*list)[1].client_id, "client-b");
}

// ---------------------------------------------------------------------------------------
// Login throttle

void ExpectThrottle(const Result<ThrottleState>& got, int64_t failures, UnixMillis window_start) {
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->failures, failures);
  EXPECT_EQ(got->window_start, window_start);
}

TEST_P(StoreConformanceTest, ThrottleCountsWithinAWindow) {
  constexpr int64_t kWindow = 15 * kMinute;
  const std::string key = "account:app-1:ann@example.com";
  ExpectThrottle(store().GetThrottle(key, kT0, kWindow), 0, 0);

  ExpectThrottle(store().AddThrottleFailure(key, kT0, kWindow), 1, kT0);
  ExpectThrottle(store().AddThrottleFailure(key, kT0 + kMinute, kWindow), 2, kT0);
  ExpectThrottle(store().AddThrottleFailure(key, kT0 + kWindow - 1, kWindow), 3, kT0);
  ExpectThrottle(store().GetThrottle(key, kT0 + kWindow - 1, kWindow), 3, kT0);
  ExpectThrottle(store().GetThrottle("ip:app-1:192.0.2.7", kT0, kWindow), 0, 0);

  // The window has ended: reads as nothing, and the next failure starts a new one.
  ExpectThrottle(store().GetThrottle(key, kT0 + kWindow, kWindow), 0, 0);
  const UnixMillis later = kT0 + kWindow + kMinute;
  ExpectThrottle(store().AddThrottleFailure(key, later, kWindow), 1, later);
  ExpectThrottle(store().AddThrottleFailure(key, later + 1, kWindow), 2, later);
  ExpectThrottle(store().GetThrottle(key, later + 2, kWindow), 2, later);

  // Keys are independent; clearing drops the counter (and is fine when there is none).
  const std::string ip = "ip:app-1:192.0.2.7";
  ExpectThrottle(store().AddThrottleFailure(ip, later, kWindow), 1, later);
  ASSERT_OK(store().ClearThrottle(key));
  ExpectThrottle(store().GetThrottle(key, later + 2, kWindow), 0, 0);
  ExpectThrottle(store().GetThrottle(ip, later + 2, kWindow), 1, later);
  ASSERT_OK(store().ClearThrottle(key));
  ExpectThrottle(store().AddThrottleFailure(key, later + 3, kWindow), 1, later + 3);
}

TEST_P(StoreConformanceTest, ConcurrentThrottleFailuresAreAllCounted) {
  constexpr int64_t kWindow = 15 * kMinute;
  constexpr int kThreads = 8;
  const std::string key = "ip:app-1:192.0.2.7";
  std::vector<std::optional<Result<ThrottleState>>> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = store().AddThrottleFailure(key, kT0 + i, kWindow);
    });
  }
  for (auto& t : threads) t.join();

  std::vector<int64_t> counts;
  std::optional<UnixMillis> window_start;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].has_value());
    ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
    counts.push_back((*results[i])->failures);
    if (!window_start) window_start = (*results[i])->window_start;
    EXPECT_EQ((*results[i])->window_start, *window_start) << "one window";
  }
  // Each call saw its own count: 1..8, none lost, none doubled.
  std::sort(counts.begin(), counts.end());
  EXPECT_THAT(counts, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  auto got = store().GetThrottle(key, kT0 + kThreads, kWindow);
  ASSERT_OK(got);
  EXPECT_EQ(got->failures, kThreads);
}

// ---------------------------------------------------------------------------------------
// Garbage collection of the OIDC records

TEST_P(StoreConformanceTest, CollectGarbageRemovesOldCodesAndThrottleRows) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  const UnixMillis now = kT0 + 100 * kDay;
  constexpr int64_t kWindow = 15 * kMinute;

  // Expired more than a day ago: collected, used or not.
  ASSERT_OK(store().CreateAuthorizationCode(
      MakeCode(u, "code-old", now - 3 * kDay, now - 3 * kDay + kMinute)));
  ASSERT_OK(store().CreateAuthorizationCode(
      MakeCode(u, "code-old-used", now - 2 * kDay, now - 2 * kDay + kMinute)));
  EXPECT_CODE_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-old-used", now - 2 * kDay),
                      CodeOutcome::kConsumed);
  // Expired within the day (kept for replay detection), and live.
  ASSERT_OK(store().CreateAuthorizationCode(
      MakeCode(u, "code-recent-used", now - kHour, now - kHour + kMinute)));
  EXPECT_CODE_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-recent-used", now - kHour),
                      CodeOutcome::kConsumed);
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(u, "code-live", now, now + kMinute)));

  ASSERT_OK(store().AddThrottleFailure("throttle-old", now - 2 * kDay, kWindow));
  ASSERT_OK(store().AddThrottleFailure("throttle-recent", now - kHour, kWindow));
  ASSERT_OK(store().AddThrottleFailure("throttle-live", now - kMinute, kWindow));

  auto stats = store().CollectGarbage(now);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->authorization_codes, 2);
  EXPECT_EQ(stats->throttle_entries, 1);

  auto codes = Query("SELECT code_hash FROM authorization_codes ORDER BY code_hash", {});
  ASSERT_OK(codes);
  std::vector<std::string> left;
  for (const auto& r : *codes) left.push_back(sql::Text(r, 0));
  EXPECT_THAT(left, ElementsAre("code-live", "code-recent-used"));
  auto rows = Query("SELECT key FROM login_throttle ORDER BY key", {});
  ASSERT_OK(rows);
  left.clear();
  for (const auto& r : *rows) left.push_back(sql::Text(r, 0));
  EXPECT_THAT(left, ElementsAre("throttle-live", "throttle-recent"));

  EXPECT_CODE_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-recent-used", now),
                      CodeOutcome::kReused);
  EXPECT_CODE_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-live", now),
                      CodeOutcome::kConsumed);
  ExpectThrottle(store().GetThrottle("throttle-live", now, kWindow), 1, now - kMinute);

  auto again = store().CollectGarbage(now);
  ASSERT_OK(again);
  EXPECT_EQ(again->authorization_codes, 0);
  EXPECT_EQ(again->throttle_entries, 0);
}

// ---------------------------------------------------------------------------------------
// Apps: settings

TEST_P(StoreConformanceTest, UpdateAppSettingsRoundTrip) {
  App app = AddApp("default");
  App other = AddApp("other");
  const std::string settings =
      R"({"mail_from":"Ünïcode Co <no-reply@example.com>","require_verified_email":true})";
  ASSERT_OK(store().UpdateAppSettings(app.id, settings));
  auto got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  App want = app;
  want.settings_json = settings;
  ExpectSameApp(*got, want);
  auto untouched = store().GetAppBySlug("other");
  ASSERT_OK(untouched);
  ExpectSameApp(*untouched, other);
  // Replaced, not merged; the same value again is fine.
  ASSERT_OK(store().UpdateAppSettings(app.id, "{}"));
  ASSERT_OK(store().UpdateAppSettings(app.id, "{}"));
  got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  EXPECT_EQ(got->settings_json, "{}");
  EXPECT_CODE(store().UpdateAppSettings(NewId(), "{}"), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------
// Mail outbox

OutgoingMail MakeMail(const App& app, const std::string& subject, UnixMillis created_at,
                      UnixMillis next_attempt_at) {
  OutgoingMail m;
  m.id = NewId();
  m.app_id = app.id;
  m.to_address = "ann@example.com";
  m.from_address = "Example <no-reply@example.com>";
  m.subject = subject;
  m.text_body = "Hello,\r\nclick https://example.com/x?t=1 — ünïcode ✓\r\n";
  m.html_body = "<p>Hello <a href=\"https://example.com/x?t=1&amp;u=2\">ünïcode ✓</a></p>";
  m.kind = "verify_email";
  m.created_at = created_at;
  m.next_attempt_at = next_attempt_at;
  return m;
}

void ExpectSameMail(const OutgoingMail& got, const OutgoingMail& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.to_address, want.to_address);
  EXPECT_EQ(got.from_address, want.from_address);
  EXPECT_EQ(got.subject, want.subject);
  EXPECT_EQ(got.text_body, want.text_body);
  EXPECT_EQ(got.html_body, want.html_body);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.attempts, want.attempts);
  EXPECT_EQ(got.last_error, want.last_error);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.next_attempt_at, want.next_attempt_at);
  EXPECT_EQ(got.sent_at, want.sent_at);
}

std::vector<std::string> Subjects(const std::vector<OutgoingMail>& mails) {
  std::vector<std::string> out;
  for (const auto& m : mails) out.push_back(m.subject);
  return out;
}

TEST_P(StoreConformanceTest, EnqueueLeaseAndMarkSent) {
  App app = AddApp("default");
  constexpr int64_t kLease = kMinute;
  OutgoingMail first = MakeMail(app, "first", kT0, kT0);
  OutgoingMail second = MakeMail(app, "second", kT0 + 1, kT0 + 1);
  second.html_body = "";  // text only
  OutgoingMail later = MakeMail(app, "later", kT0 + 2, kT0 + kHour);  // not due yet
  for (const auto& m : {later, second, first}) ASSERT_OK(store().EnqueueMail(m));
  EXPECT_CLASH(store().EnqueueMail(first), "id");
  auto count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 3);

  // Nothing is due before its time.
  auto none = store().LeaseDueMail(kT0 - 1, 16, kLease);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
  auto zero = store().LeaseDueMail(kT0 + kMinute, 0, kLease);
  ASSERT_OK(zero);
  EXPECT_THAT(*zero, IsEmpty());

  // Oldest first, limited; each leased mail counts an attempt and moves to the lease's end.
  const UnixMillis now = kT0 + kSecond;
  auto leased = store().LeaseDueMail(now, 1, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  OutgoingMail want = first;
  want.attempts = 1;
  want.next_attempt_at = now + kLease;
  ExpectSameMail((*leased)[0], want);

  leased = store().LeaseDueMail(now, 16, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  want = second;
  want.attempts = 1;
  want.next_attempt_at = now + kLease;
  ExpectSameMail((*leased)[0], want);

  ASSERT_OK(store().MarkMailSent(first.id, now + 10));
  ASSERT_OK(store().MarkMailSent(first.id, now + 20));  // idempotent: keeps the first time
  EXPECT_CODE(store().MarkMailSent(NewId(), now), StatusCode::kNotFound);
  count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 2);
  auto rows = Query("SELECT sent_at, last_error FROM mail_outbox WHERE id = $1", {first.id});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), now + 10);

  // A sent mail is never leased again, even long after its lease ended; `later` comes due.
  leased = store().LeaseDueMail(kT0 + 2 * kHour, 16, kLease);
  ASSERT_OK(leased);
  EXPECT_THAT(Subjects(*leased), ElementsAre("second", "later"));
}

TEST_P(StoreConformanceTest, FailedMailIsRetriedAtItsTimeAndNeverDropped) {
  App app = AddApp("default");
  constexpr int64_t kLease = kMinute;
  OutgoingMail m = MakeMail(app, "retry me", kT0, kT0);
  ASSERT_OK(store().EnqueueMail(m));

  UnixMillis now = kT0;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto leased = store().LeaseDueMail(now, 16, kLease);
    ASSERT_OK(leased);
    ASSERT_EQ(leased->size(), 1u) << "attempt " << attempt;
    EXPECT_EQ((*leased)[0].attempts, attempt);
    const UnixMillis retry_at = now + attempt * 30 * kSecond;
    const std::string error = "421 try again later (" + std::to_string(attempt) + ")";
    ASSERT_OK(store().MarkMailFailed(m.id, error, retry_at));
    // Not before retry_at, even though the lease would have ended.
    auto early = store().LeaseDueMail(retry_at - 1, 16, kLease);
    ASSERT_OK(early);
    EXPECT_THAT(*early, IsEmpty()) << "attempt " << attempt;
    now = retry_at;
    auto rows = Query("SELECT last_error, next_attempt_at, attempts FROM mail_outbox WHERE id = $1",
                      {m.id});
    ASSERT_OK(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(sql::Text((*rows)[0], 0), error);
    EXPECT_EQ(sql::Int((*rows)[0], 1), retry_at);
    EXPECT_EQ(sql::Int((*rows)[0], 2), attempt);
  }
  auto count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);

  // A long error is cut (on a UTF-8 boundary), never refused.
  auto leased = store().LeaseDueMail(now, 16, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  std::string long_error;
  while (long_error.size() < 5000) long_error += "ü";
  ASSERT_OK(store().MarkMailFailed(m.id, long_error, now + kMinute));
  auto rows = Query("SELECT last_error FROM mail_outbox WHERE id = $1", {m.id});
  ASSERT_OK(rows);
  std::string stored = sql::Text((*rows)[0], 0);
  EXPECT_GT(stored.size(), 100u);
  EXPECT_LT(stored.size(), long_error.size());
  EXPECT_EQ(stored, long_error.substr(0, stored.size()));
  EXPECT_EQ(stored.size() % 2, 0u) << "a UTF-8 sequence was cut";

  // Sent in the end; failing it afterwards (a late report) changes nothing.
  ASSERT_OK(store().MarkMailSent(m.id, now + 1));
  ASSERT_OK(store().MarkMailFailed(m.id, "late", now + kHour));
  EXPECT_CODE(store().MarkMailFailed(NewId(), "x", now), StatusCode::kNotFound);
  count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
  auto after = store().LeaseDueMail(now + 2 * kDay, 16, kLease);
  ASSERT_OK(after);
  EXPECT_THAT(*after, IsEmpty());
}

TEST_P(StoreConformanceTest, LeasedMailIsNotLeasedAgainUntilItsLeaseEnds) {
  App app = AddApp("default");
  constexpr int64_t kLease = kMinute;
  OutgoingMail m = MakeMail(app, "leased", kT0, kT0);
  ASSERT_OK(store().EnqueueMail(m));
  auto leased = store().LeaseDueMail(kT0, 16, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  // The sender died: nobody marks it. Within the lease nobody else gets it …
  for (UnixMillis t : {kT0, kT0 + kSecond, kT0 + kLease - 1}) {
    auto again = store().LeaseDueMail(t, 16, kLease);
    ASSERT_OK(again);
    EXPECT_THAT(*again, IsEmpty()) << "at +" << (t - kT0) << " ms";
  }
  // … and at its end it is due again: delayed, not lost.
  auto retaken = store().LeaseDueMail(kT0 + kLease, 16, kLease);
  ASSERT_OK(retaken);
  ASSERT_EQ(retaken->size(), 1u);
  EXPECT_EQ((*retaken)[0].id, m.id);
  EXPECT_EQ((*retaken)[0].attempts, 2);
  EXPECT_EQ((*retaken)[0].next_attempt_at, kT0 + 2 * kLease);
}

TEST_P(StoreConformanceTest, ConcurrentLeasesNeverShareAMailAndTakeThemAll) {
  App app = AddApp("default");
  constexpr int kMails = 50;
  constexpr int kThreads = 8;
  std::set<std::string> all;
  for (int i = 0; i < kMails; ++i) {
    OutgoingMail m = MakeMail(app, "mail " + std::to_string(i), kT0 + i, kT0 + i);
    ASSERT_OK(store().EnqueueMail(m));
    all.insert(m.id);
  }
  const UnixMillis now = kT0 + kMinute;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<Status> errors(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      // Small batches, until a lease finds nothing (another thread may have taken the ones
      // this one picked; the last thread standing drains the rest).
      for (;;) {
        auto leased = store().LeaseDueMail(now, 3, kHour);
        if (!leased.ok()) {
          errors[i] = leased.status();
          return;
        }
        if (leased->empty()) return;
        for (const auto& m : *leased) got[i].push_back(m.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) EXPECT_TRUE(errors[i].ok()) << "thread " << i << ": " << errors[i].ToString();

  std::multiset<std::string> leased_ids;
  for (const auto& ids : got) leased_ids.insert(ids.begin(), ids.end());
  for (const auto& id : leased_ids) EXPECT_EQ(leased_ids.count(id), 1u) << id << " leased twice";
  EXPECT_EQ(std::set<std::string>(leased_ids.begin(), leased_ids.end()), all);
  auto rest = store().LeaseDueMail(now, kMails, kHour);
  ASSERT_OK(rest);
  EXPECT_THAT(*rest, IsEmpty());
  auto rows = Query("SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1", {});
  ASSERT_OK(rows);
  EXPECT_EQ(sql::Int((*rows)[0], 0), kMails) << "each mail leased exactly once";
}

// ---------------------------------------------------------------------------------------
// Email tokens

EmailToken MakeEmailToken(const App& app, const std::string& hash, std::string_view purpose,
                          UnixMillis created_at, UnixMillis expires_at) {
  EmailToken t;
  t.token_hash = hash;
  t.app_id = app.id;
  t.email = "ann@example.com";
  t.purpose = std::string(purpose);
  t.created_at = created_at;
  t.expires_at = expires_at;
  return t;
}

void ExpectSameEmailToken(const EmailToken& got, const EmailToken& want) {
  EXPECT_EQ(got.token_hash, want.token_hash);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.email, want.email);
  EXPECT_EQ(got.purpose, want.purpose);
  EXPECT_EQ(got.new_email, want.new_email);
  EXPECT_EQ(got.redirect_uri, want.redirect_uri);
  EXPECT_EQ(got.salt, want.salt);
  EXPECT_EQ(got.attempts, want.attempts);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.used_at, want.used_at);
}

std::string EmailOutcomeName(EmailTokenOutcome o) {
  switch (o) {
    case EmailTokenOutcome::kConsumed:
      return "kConsumed";
    case EmailTokenOutcome::kUsed:
      return "kUsed";
    case EmailTokenOutcome::kExpired:
      return "kExpired";
    case EmailTokenOutcome::kInvalid:
      return "kInvalid";
  }
  return "?";
}

#define EXPECT_EMAIL_OUTCOME(redemption, want)                          \
  do {                                                                  \
    const auto& red_ = (redemption);                                    \
    ASSERT_TRUE(red_.ok()) << red_.status().ToString();                 \
    EXPECT_EQ(EmailOutcomeName(red_->outcome), EmailOutcomeName(want)); \
    EXPECT_EQ(red_->token.has_value(), (want) != EmailTokenOutcome::kInvalid); \
  } while (0)

TEST_P(StoreConformanceTest, EmailTokenRoundTripAndConsumeOutcomes) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  EmailToken t = MakeEmailToken(app, "tok-change", kPurposeChangeEmail, kT0, kT0 + 30 * kMinute);
  t.user_id = u.id;
  t.new_email = "ann.new@example.com";
  t.redirect_uri = "https://app.example/after?x=1";
  t.salt = "c2FsdA";
  ASSERT_OK(store().CreateEmailToken(t));
  EXPECT_CLASH(store().CreateEmailToken(t), "token_hash");

  auto live = store().GetLiveEmailToken(app.id, t.email, kPurposeChangeEmail, kT0);
  ASSERT_OK(live);
  ExpectSameEmailToken(*live, t);

  // Not a token of another app or purpose, nor an unknown one: kInvalid, and not consumed.
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(other.id, "tok-change", kPurposeChangeEmail, kT0),
                       EmailTokenOutcome::kInvalid);
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(app.id, "tok-change", kPurposePasswordReset, kT0),
                       EmailTokenOutcome::kInvalid);
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(app.id, "tok-unknown", kPurposeChangeEmail, kT0),
                       EmailTokenOutcome::kInvalid);

  const UnixMillis now = kT0 + kMinute;
  auto consumed = store().ConsumeEmailToken(app.id, "tok-change", kPurposeChangeEmail, now);
  EXPECT_EMAIL_OUTCOME(consumed, EmailTokenOutcome::kConsumed);
  EmailToken want = t;
  want.used_at = now;
  ExpectSameEmailToken(*consumed->token, want);
  EXPECT_CODE(store().GetLiveEmailToken(app.id, t.email, kPurposeChangeEmail, now),
              StatusCode::kNotFound);

  // Again: used (with the record), also after it has expired.
  auto again = store().ConsumeEmailToken(app.id, "tok-change", kPurposeChangeEmail, now + 1);
  EXPECT_EMAIL_OUTCOME(again, EmailTokenOutcome::kUsed);
  ExpectSameEmailToken(*again->token, want);
  EXPECT_EMAIL_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-change", kPurposeChangeEmail, kT0 + kDay),
      EmailTokenOutcome::kUsed);

  // Expired: kExpired (exactly at expires_at too), not consumed.
  EmailToken reset =
      MakeEmailToken(app, "tok-reset", kPurposePasswordReset, kT0, kT0 + 30 * kMinute);
  ASSERT_OK(store().CreateEmailToken(reset));
  auto expired =
      store().ConsumeEmailToken(app.id, "tok-reset", kPurposePasswordReset, kT0 + 30 * kMinute);
  EXPECT_EMAIL_OUTCOME(expired, EmailTokenOutcome::kExpired);
  ExpectSameEmailToken(*expired->token, reset);
  EXPECT_CODE(
      store().GetLiveEmailToken(app.id, reset.email, kPurposePasswordReset, kT0 + 30 * kMinute),
      StatusCode::kNotFound);
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(app.id, "tok-reset", kPurposePasswordReset,
                                                 kT0 + 30 * kMinute - 1),
                       EmailTokenOutcome::kConsumed);

  // A token without a user (a magic link that may create the account) reads back without one.
  EmailToken magic = MakeEmailToken(app, "tok-magic", kPurposeMagicLink, kT0, kT0 + kHour);
  ASSERT_OK(store().CreateEmailToken(magic));
  auto m = store().ConsumeEmailToken(app.id, "tok-magic", kPurposeMagicLink, kT0);
  EXPECT_EMAIL_OUTCOME(m, EmailTokenOutcome::kConsumed);
  EXPECT_EQ(m->token->user_id, std::nullopt);
}

TEST_P(StoreConformanceTest, NewerEmailTokenVoidsOlderOnes) {
  App app = AddApp("default");
  App other = AddApp("other");
  EmailToken a = MakeEmailToken(app, "tok-a", kPurposeMagicLink, kT0, kT0 + 15 * kMinute);
  EmailToken b = MakeEmailToken(app, "tok-b", kPurposeMagicLink, kT0 + 1, kT0 + 15 * kMinute);
  // Untouched by b: another purpose, another address, another app.
  EmailToken reset =
      MakeEmailToken(app, "tok-reset", kPurposePasswordReset, kT0, kT0 + 30 * kMinute);
  EmailToken bob = MakeEmailToken(app, "tok-bob", kPurposeMagicLink, kT0, kT0 + 15 * kMinute);
  bob.email = "bob@example.com";
  EmailToken elsewhere =
      MakeEmailToken(other, "tok-other", kPurposeMagicLink, kT0, kT0 + 15 * kMinute);
  for (const auto& t : {a, reset, bob, elsewhere}) ASSERT_OK(store().CreateEmailToken(t));
  ASSERT_OK(store().CreateEmailToken(b));

  auto live = store().GetLiveEmailToken(app.id, a.email, kPurposeMagicLink, kT0 + 2);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "tok-b");
  auto voided = store().ConsumeEmailToken(app.id, "tok-a", kPurposeMagicLink, kT0 + 2);
  EXPECT_EMAIL_OUTCOME(voided, EmailTokenOutcome::kUsed);
  EXPECT_EQ(voided->token->used_at, b.created_at);
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(app.id, "tok-b", kPurposeMagicLink, kT0 + 2),
                       EmailTokenOutcome::kConsumed);
  EXPECT_EMAIL_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-reset", kPurposePasswordReset, kT0 + 2),
      EmailTokenOutcome::kConsumed);
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(app.id, "tok-bob", kPurposeMagicLink, kT0 + 2),
                       EmailTokenOutcome::kConsumed);
  EXPECT_EMAIL_OUTCOME(
      store().ConsumeEmailToken(other.id, "tok-other", kPurposeMagicLink, kT0 + 2),
      EmailTokenOutcome::kConsumed);

  // A failed create (hash clash) voids nothing: the transaction rolls back.
  EmailToken c = MakeEmailToken(app, "tok-c", kPurposeMagicLink, kT0 + 3, kT0 + 15 * kMinute);
  ASSERT_OK(store().CreateEmailToken(c));
  EmailToken clash = MakeEmailToken(app, "tok-b", kPurposeMagicLink, kT0 + 4, kT0 + 15 * kMinute);
  EXPECT_CLASH(store().CreateEmailToken(clash), "token_hash");
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(app.id, "tok-c", kPurposeMagicLink, kT0 + 5),
                       EmailTokenOutcome::kConsumed);
}

TEST_P(StoreConformanceTest, GetLiveEmailTokenIsTheNewestLiveOne) {
  App app = AddApp("default");
  EXPECT_CODE(store().GetLiveEmailToken(app.id, "ann@example.com", kPurposeEmailCode, kT0),
              StatusCode::kNotFound);
  // Written directly, so that several are unused at once (CreateEmailToken would void them).
  EmailToken old = MakeEmailToken(app, "code-old", kPurposeEmailCode, kT0, kT0 + 10 * kMinute);
  EmailToken mid =
      MakeEmailToken(app, "code-mid", kPurposeEmailCode, kT0 + kMinute, kT0 + 11 * kMinute);
  EmailToken expired_new =
      MakeEmailToken(app, "code-exp", kPurposeEmailCode, kT0 + 2 * kMinute, kT0 + 3 * kMinute);
  ASSERT_OK(store().CreateEmailToken(old));
  ASSERT_OK(db_->OpenSql().value()->Write([&](sql::SqlConnection& c) -> Status {
    for (const EmailToken& t : {mid, expired_new}) {
      auto n = c.Exec(
          "INSERT INTO email_tokens (token_hash, app_id, email, purpose, created_at, expires_at)"
          " VALUES ($1, $2, $3, $4, $5, $6)",
          {t.token_hash, t.app_id, t.email, t.purpose, t.created_at, t.expires_at});
      if (!n.ok()) return n.status();
    }
    return OkStatus();
  }));
  auto live = store().GetLiveEmailToken(app.id, "ann@example.com", kPurposeEmailCode,
                                        kT0 + 2 * kMinute + 1);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "code-exp");
  live = store().GetLiveEmailToken(app.id, "ann@example.com", kPurposeEmailCode,
                                   kT0 + 3 * kMinute);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "code-mid");
  live = store().GetLiveEmailToken(app.id, "ann@example.com", kPurposeEmailCode,
                                   kT0 + 10 * kMinute + 1);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "code-mid");
  EXPECT_CODE(store().GetLiveEmailToken(app.id, "ann@example.com", kPurposeEmailCode,
                                        kT0 + 11 * kMinute),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetLiveEmailToken(app.id, "bob@example.com", kPurposeEmailCode, kT0),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetLiveEmailToken(app.id, "ann@example.com", kPurposeMagicLink, kT0),
              StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, AddEmailTokenAttemptCounts) {
  App app = AddApp("default");
  EmailToken code = MakeEmailToken(app, "code-1", kPurposeEmailCode, kT0, kT0 + 10 * kMinute);
  code.salt = "salt-1";
  ASSERT_OK(store().CreateEmailToken(code));
  for (int64_t want = 1; want <= 3; ++want) {
    auto n = store().AddEmailTokenAttempt("code-1");
    ASSERT_OK(n);
    EXPECT_EQ(*n, want);
  }
  auto live = store().GetLiveEmailToken(app.id, code.email, kPurposeEmailCode, kT0);
  ASSERT_OK(live);
  EXPECT_EQ(live->attempts, 3);
  EXPECT_EQ(live->salt, "salt-1");
  EXPECT_CODE(store().AddEmailTokenAttempt("code-unknown"), StatusCode::kNotFound);

  // Concurrent wrong guesses are all counted.
  constexpr int kThreads = 8;
  std::vector<std::optional<Result<int64_t>>> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = store().AddEmailTokenAttempt("code-1");
    });
  }
  for (auto& t : threads) t.join();
  std::vector<int64_t> counts;
  for (auto& r : results) {
    ASSERT_TRUE(r.has_value() && r->ok());
    counts.push_back(**r);
  }
  std::sort(counts.begin(), counts.end());
  EXPECT_THAT(counts, ElementsAre(4, 5, 6, 7, 8, 9, 10, 11));
}

// A one-time code whose guesses are spent cannot be consumed, even by the right code, and
// GetEmailToken reads a token in any state without consuming it.
TEST_P(StoreConformanceTest, SpentCodeIsNotConsumedAndPeekDoesNotConsume) {
  App app = AddApp("default");
  EmailToken code = MakeEmailToken(app, "code-2", kPurposeEmailCode, kT0, kT0 + 10 * kMinute);
  ASSERT_OK(store().CreateEmailToken(code));
  for (int i = 0; i < 3; ++i) ASSERT_OK(store().AddEmailTokenAttempt("code-2"));
  auto spent = store().ConsumeEmailToken(app.id, "code-2", kPurposeEmailCode, kT0, 3);
  ASSERT_OK(spent);
  EXPECT_EQ(spent->outcome, EmailTokenOutcome::kUsed);
  // A larger budget still has room: consumed.
  auto ok = store().ConsumeEmailToken(app.id, "code-2", kPurposeEmailCode, kT0, 4);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->outcome, EmailTokenOutcome::kConsumed);

  EmailToken link = MakeEmailToken(app, "link-9", kPurposePasswordReset, kT0, kT0 + 30 * kMinute);
  ASSERT_OK(store().CreateEmailToken(link));
  auto peek = store().GetEmailToken(app.id, "link-9", kPurposePasswordReset);
  ASSERT_OK(peek);
  EXPECT_FALSE(peek->used_at);
  EXPECT_EQ(peek->email, link.email);
  EXPECT_CODE(store().GetEmailToken(app.id, "link-9", kPurposeMagicLink), StatusCode::kNotFound);
  auto consumed = store().ConsumeEmailToken(app.id, "link-9", kPurposePasswordReset, kT0);
  ASSERT_OK(consumed);
  EXPECT_EQ(consumed->outcome, EmailTokenOutcome::kConsumed);
}

TEST_P(StoreConformanceTest, ConcurrentEmailTokenConsumesHaveExactlyOneWinner) {
  App app = AddApp("default");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "tok-" + std::to_string(round);
    ASSERT_OK(store().CreateEmailToken(
        MakeEmailToken(app, hash, kPurposePasswordReset, kT0, kT0 + 30 * kMinute)));
    std::vector<std::optional<Result<EmailTokenRedemption>>> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = store().ConsumeEmailToken(app.id, hash, kPurposePasswordReset, kT0 + 1 + i);
      });
    }
    for (auto& t : threads) t.join();
    int consumed = 0, used = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(results[i].has_value());
      ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
      const auto& r = **results[i];
      ASSERT_TRUE(r.token.has_value());
      if (r.outcome == EmailTokenOutcome::kConsumed) {
        ++consumed;
        winner = i;
      } else if (r.outcome == EmailTokenOutcome::kUsed) {
        ++used;
      }
    }
    EXPECT_EQ(consumed, 1) << "round " << round;
    EXPECT_EQ(used, kThreads - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ((*results[i])->token->used_at, kT0 + 1 + winner) << "round " << round;
    }
  }
}

TEST_P(StoreConformanceTest, CollectGarbageRemovesOldEmailTokensAndSentMail) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  const UnixMillis now = kT0 + 100 * kDay;

  // Expired more than a day ago: collected, used or not. Within the day, or live: kept.
  EmailToken old = MakeEmailToken(app, "tok-old", kPurposeVerifyEmail, now - 3 * kDay,
                                  now - 2 * kDay);
  old.user_id = u.id;
  EmailToken old_used =
      MakeEmailToken(app, "tok-old-used", kPurposePasswordReset, now - 3 * kDay, now - 2 * kDay);
  EmailToken recent =
      MakeEmailToken(app, "tok-recent", kPurposeMagicLink, now - 2 * kHour, now - kHour);
  EmailToken live = MakeEmailToken(app, "tok-live", kPurposeEmailCode, now, now + kMinute);
  for (const auto& t : {old, old_used, recent, live}) ASSERT_OK(store().CreateEmailToken(t));
  EXPECT_EMAIL_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-old-used", kPurposePasswordReset, now - 3 * kDay),
      EmailTokenOutcome::kConsumed);

  // Sent more than 7 days ago: collected. Sent recently, or never sent (however old): kept.
  OutgoingMail sent_long_ago = MakeMail(app, "sent long ago", now - 30 * kDay, now - 30 * kDay);
  OutgoingMail sent_recently = MakeMail(app, "sent recently", now - 30 * kDay, now - 30 * kDay);
  OutgoingMail never_sent = MakeMail(app, "never sent", now - 30 * kDay, now - 30 * kDay);
  for (const auto& m : {sent_long_ago, sent_recently, never_sent}) {
    ASSERT_OK(store().EnqueueMail(m));
  }
  ASSERT_OK(store().MarkMailSent(sent_long_ago.id, now - 7 * kDay - 1));
  ASSERT_OK(store().MarkMailSent(sent_recently.id, now - 7 * kDay + kHour));

  auto stats = store().CollectGarbage(now);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->email_tokens, 2);
  EXPECT_EQ(stats->sent_mail, 1);

  auto tokens = Query("SELECT token_hash FROM email_tokens ORDER BY token_hash", {});
  ASSERT_OK(tokens);
  std::vector<std::string> left;
  for (const auto& r : *tokens) left.push_back(sql::Text(r, 0));
  EXPECT_THAT(left, ElementsAre("tok-live", "tok-recent"));
  auto mails = Query("SELECT subject FROM mail_outbox ORDER BY subject", {});
  ASSERT_OK(mails);
  left.clear();
  for (const auto& r : *mails) left.push_back(sql::Text(r, 0));
  EXPECT_THAT(left, ElementsAre("never sent", "sent recently"));
  auto leased = store().LeaseDueMail(now, 16, kMinute);
  ASSERT_OK(leased);
  EXPECT_THAT(Subjects(*leased), ElementsAre("never sent"));

  auto again = store().CollectGarbage(now);
  ASSERT_OK(again);
  EXPECT_EQ(again->email_tokens, 0);
  EXPECT_EQ(again->sent_mail, 0);
}

TEST_P(StoreConformanceTest, DeletingAUserOrAppTakesItsTokensAndMail) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  EmailToken t = MakeEmailToken(app, "tok-user", kPurposeVerifyEmail, kT0, kT0 + kHour);
  t.user_id = u.id;
  ASSERT_OK(store().CreateEmailToken(t));
  ASSERT_OK(store().EnqueueMail(MakeMail(app, "hello", kT0, kT0)));
  ASSERT_OK(db_->OpenSql().value()->Write([&](sql::SqlConnection& c) -> Status {
    return c.Exec("DELETE FROM users WHERE id = $1", {u.id}).status();
  }));
  EXPECT_EMAIL_OUTCOME(store().ConsumeEmailToken(app.id, "tok-user", kPurposeVerifyEmail, kT0),
                       EmailTokenOutcome::kInvalid);
  ASSERT_OK(db_->OpenSql().value()->Write([&](sql::SqlConnection& c) -> Status {
    return c.Exec("DELETE FROM apps WHERE id = $1", {app.id}).status();
  }));
  auto count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
}

// --- Audit log ---

AuditEvent MakeAuditEvent(const std::optional<std::string>& app_id, std::string action,
                          UnixMillis at) {
  AuditEvent e;
  e.id = NewId();
  e.app_id = app_id;
  e.at = at;
  e.action = std::move(action);
  e.actor_type = "user";
  e.actor_id = "actor-1";
  e.subject_type = "user";
  e.subject_id = "subject-1";
  e.ip = "2001:db8::7";
  e.user_agent = "Mozilla/5.0 (audit) \xc3\xa9";
  e.outcome = "success";
  e.details_json = R"({"reason":"test"})";
  return e;
}

std::vector<std::string> AuditIds(const std::vector<AuditEvent>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.id);
  return ids;
}

TEST_P(StoreConformanceTest, AuditEventsReadBackEqualNewestFirst) {
  App app = AddApp("default");
  AuditEvent a = MakeAuditEvent(app.id, "user.signup", kT0);
  AuditEvent b = MakeAuditEvent(std::nullopt, "app.created", kAfter2038);
  b.actor_type = "system";
  b.actor_id = "";
  b.outcome = "failure";
  b.details_json = "{}";
  ASSERT_OK(store().AppendAuditEvent(a));
  ASSERT_OK(store().AppendAuditEvent(b));
  EXPECT_CLASH(store().AppendAuditEvent(a), "id");

  auto all = store().ListAuditEvents({});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  const AuditEvent& got = (*all)[1];
  EXPECT_EQ((*all)[0].id, b.id);
  EXPECT_EQ((*all)[0].app_id, std::nullopt);
  EXPECT_EQ((*all)[0].at, kAfter2038);
  EXPECT_EQ((*all)[0].outcome, "failure");
  EXPECT_EQ(got.id, a.id);
  EXPECT_EQ(got.app_id, a.app_id);
  EXPECT_EQ(got.at, a.at);
  EXPECT_EQ(got.action, a.action);
  EXPECT_EQ(got.actor_type, a.actor_type);
  EXPECT_EQ(got.actor_id, a.actor_id);
  EXPECT_EQ(got.subject_type, a.subject_type);
  EXPECT_EQ(got.subject_id, a.subject_id);
  EXPECT_EQ(got.ip, a.ip);
  EXPECT_EQ(got.user_agent, a.user_agent);
  EXPECT_EQ(got.outcome, a.outcome);
  EXPECT_EQ(got.details_json, a.details_json);
}

TEST_P(StoreConformanceTest, AuditEventFiltersCombine) {
  App one = AddApp("one");
  App two = AddApp("two");
  AuditEvent e1 = MakeAuditEvent(one.id, "user.login", kT0);
  AuditEvent e2 = MakeAuditEvent(one.id, "user.login_failed", kT0 + kMinute);
  e2.actor_id = "";
  e2.subject_id = "subject-2";
  AuditEvent e3 = MakeAuditEvent(two.id, "user.login", kT0 + 2 * kMinute);
  e3.actor_id = "actor-3";
  AuditEvent e4 = MakeAuditEvent(std::nullopt, "user.login", kT0 + 3 * kMinute);
  for (const auto* e : {&e1, &e2, &e3, &e4}) ASSERT_OK(store().AppendAuditEvent(*e));

  auto list = [&](AuditFilter f) {
    auto r = store().ListAuditEvents(f);
    EXPECT_OK(r);
    return r.ok() ? AuditIds(*r) : std::vector<std::string>{};
  };
  EXPECT_THAT(list({.app_id = one.id}), ElementsAre(e2.id, e1.id));
  EXPECT_THAT(list({.action = "user.login"}), ElementsAre(e4.id, e3.id, e1.id));
  EXPECT_THAT(list({.app_id = one.id, .action = "user.login"}), ElementsAre(e1.id));
  EXPECT_THAT(list({.actor_id = "actor-3"}), ElementsAre(e3.id));
  EXPECT_THAT(list({.subject_id = "subject-2"}), ElementsAre(e2.id));
  EXPECT_THAT(list({.since = kT0 + kMinute}), ElementsAre(e4.id, e3.id, e2.id));
  EXPECT_THAT(list({.until = kT0 + kMinute}), ElementsAre(e1.id));
  EXPECT_THAT(list({.since = kT0 + kMinute, .until = kT0 + 3 * kMinute}),
              ElementsAre(e3.id, e2.id));
  EXPECT_THAT(list({.app_id = NewId()}), IsEmpty());
  EXPECT_THAT(list({.limit = 2}), ElementsAre(e4.id, e3.id));
  EXPECT_THAT(list({.limit = 0}), ElementsAre(e4.id));  // clamped to 1
}

TEST_P(StoreConformanceTest, AuditPagingIsStableAcrossPagesAndAppends) {
  App app = AddApp("default");
  // 25 events, several sharing a millisecond (ties are ordered by id).
  for (int i = 0; i < 25; ++i) {
    ASSERT_OK(store().AppendAuditEvent(
        MakeAuditEvent(app.id, "user.login", kT0 + (i / 3) * kSecond)));
  }
  auto full = store().ListAuditEvents({.app_id = app.id, .limit = 200});
  ASSERT_OK(full);
  ASSERT_EQ(full->size(), 25u);
  for (size_t i = 1; i < full->size(); ++i) {
    const auto& prev = (*full)[i - 1];
    const auto& cur = (*full)[i];
    EXPECT_TRUE(prev.at > cur.at || (prev.at == cur.at && prev.id > cur.id)) << i;
  }

  std::vector<std::string> paged;
  std::optional<std::string> cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = store().ListAuditEvents({.app_id = app.id, .cursor = cursor, .limit = 7});
    ASSERT_OK(r);
    if (r->empty()) break;
    for (const auto& e : *r) paged.push_back(e.id);
    cursor = r->back().id;
    // Newer events arriving between pages do not shift the pages after the cursor.
    ASSERT_OK(store().AppendAuditEvent(MakeAuditEvent(app.id, "user.login", kT0 + kHour + page)));
  }
  EXPECT_EQ(paged, AuditIds(*full));

  auto unknown = store().ListAuditEvents({.cursor = NewId()});
  ASSERT_OK(unknown);
  EXPECT_THAT(*unknown, IsEmpty());
  auto capped = store().ListAuditEvents({.limit = 100000});
  ASSERT_OK(capped);
  EXPECT_EQ(capped->size(), 29u);  // 25 + 4 appended while paging, under the 200 cap
}

TEST_P(StoreConformanceTest, AuditRetentionDeletesOnlyOlderEvents) {
  App app = AddApp("default");
  AuditEvent old1 = MakeAuditEvent(app.id, "user.login", kT0 - 2 * kDay);
  AuditEvent old2 = MakeAuditEvent(std::nullopt, "app.created", kT0 - kDay - 1);
  AuditEvent edge = MakeAuditEvent(app.id, "user.login", kT0 - kDay);
  AuditEvent fresh = MakeAuditEvent(app.id, "user.logout", kT0);
  for (const auto* e : {&old1, &old2, &edge, &fresh}) ASSERT_OK(store().AppendAuditEvent(*e));
  auto n = store().DeleteAuditEventsBefore(kT0 - kDay);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  auto left = store().ListAuditEvents({});
  ASSERT_OK(left);
  EXPECT_THAT(AuditIds(*left), ElementsAre(fresh.id, edge.id));
  auto again = store().DeleteAuditEventsBefore(kT0 - kDay);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0);
}

// ---------------------------------------------------------------------------------------
// Developer console: apps by id and atomic app updates

TEST_P(StoreConformanceTest, GetAppById) {
  App a = MakeApp("default");
  a.disabled = true;
  a.settings_json = R"({"registration":"closed"})";
  a.created_at = kAfter2038;
  ASSERT_OK(store().CreateApp(a));
  App other = AddApp("other");
  auto got = store().GetAppById(a.id);
  ASSERT_OK(got);
  ExpectSameApp(*got, a);
  auto got_other = store().GetAppById(other.id);
  ASSERT_OK(got_other);
  ExpectSameApp(*got_other, other);
  EXPECT_CODE(store().GetAppById(NewId()), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppById("default"), StatusCode::kNotFound);  // a slug is not an id
}

TEST_P(StoreConformanceTest, UpdateAppChangesOnlyNameDisabledAndSettings) {
  App app = AddApp("default");
  App other = AddApp("other");
  App want = app;
  want.name = "Renamed <'\"&> ünïcode";
  want.disabled = true;
  want.settings_json = R"({"mail_from":"no-reply@example.com"})";

  auto updated = store().UpdateApp(app.id, [&](App& cur) {
    ExpectSameApp(cur, app);  // sees the current row
    cur.name = want.name;
    cur.disabled = want.disabled;
    cur.settings_json = want.settings_json;
    cur.id = NewId();  // not changeable: ignored
    cur.slug = "hijacked";
    cur.created_at = kT0 + kDay;
    return OkStatus();
  });
  ASSERT_OK(updated);
  ExpectSameApp(*updated, want);  // what is stored, not what mutate left
  auto got = store().GetAppById(app.id);
  ASSERT_OK(got);
  ExpectSameApp(*got, want);
  auto by_slug = store().GetAppBySlug("default");
  ASSERT_OK(by_slug);
  ExpectSameApp(*by_slug, want);
  EXPECT_CODE(store().GetAppBySlug("hijacked"), StatusCode::kNotFound);
  auto untouched = store().GetAppById(other.id);
  ASSERT_OK(untouched);
  ExpectSameApp(*untouched, other);

  // Re-enabling works too (a boolean written back as 0).
  auto enabled = store().UpdateApp(app.id, [](App& cur) {
    cur.disabled = false;
    return OkStatus();
  });
  ASSERT_OK(enabled);
  got = store().GetAppById(app.id);
  ASSERT_OK(got);
  EXPECT_FALSE(got->disabled);
  EXPECT_EQ(got->name, want.name);
}

TEST_P(StoreConformanceTest, UpdateAppRollsBackWhenMutateFailsAndUnknownIsNotFound) {
  App app = AddApp("default");
  bool called = false;
  auto result = store().UpdateApp(app.id, [&](App& cur) {
    called = true;
    cur.name = "changed";
    cur.disabled = true;
    cur.settings_json = R"({"x":1})";
    return FailedPreconditionError("no");
  });
  EXPECT_TRUE(called);
  EXPECT_CODE(result, StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), "no");  // returned unchanged
  auto got = store().GetAppById(app.id);
  ASSERT_OK(got);
  ExpectSameApp(*got, app);

  bool called_unknown = false;
  EXPECT_CODE(store().UpdateApp(NewId(),
                                [&](App&) {
                                  called_unknown = true;
                                  return OkStatus();
                                }),
              StatusCode::kNotFound);
  EXPECT_FALSE(called_unknown);
}

// Each update reads the row another one just committed: none is lost (PostgreSQL runs READ
// COMMITTED, so this needs the row locked before the read).
TEST_P(StoreConformanceTest, ConcurrentUpdateAppLosesNoUpdate) {
  App app = AddApp("default");
  ASSERT_OK(store().UpdateApp(app.id, [](App& cur) {
    cur.name = "";
    return OkStatus();
  }));
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      for (int round = 0; round < kRounds; ++round) {
        auto r = store().UpdateApp(app.id, [&](App& cur) {
          cur.name += static_cast<char>('a' + i);
          return OkStatus();
        });
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto got = store().GetAppById(app.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->name.size(), static_cast<size_t>(kThreads * kRounds)) << got->name;
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(std::count(got->name.begin(), got->name.end(), static_cast<char>('a' + i)), kRounds)
        << got->name;
  }
}

// ---------------------------------------------------------------------------------------
// Developer console: app members

AppMember MakeMember(const App& app, const User& user, std::string_view role, UnixMillis at) {
  return AppMember{app.id, user.id, std::string(role), at};
}

void ExpectSameMember(const AppMember& got, const AppMember& want) {
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.role, want.role);
  EXPECT_EQ(got.created_at, want.created_at);
}

std::vector<std::string> MemberUserIds(const std::vector<AppMember>& members) {
  std::vector<std::string> ids;
  for (const auto& m : members) ids.push_back(m.user_id);
  return ids;
}

std::vector<std::string> MemberAppIds(const std::vector<AppMember>& members) {
  std::vector<std::string> ids;
  for (const auto& m : members) ids.push_back(m.app_id);
  return ids;
}

TEST_P(StoreConformanceTest, AddGetAndDuplicateAppMember) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  AppMember owner = MakeMember(app, ann, kRoleOwner, kAfter2038);
  ASSERT_OK(store().AddAppMember(owner));

  auto got = store().GetAppMember(app.id, ann.id);
  ASSERT_OK(got);
  ExpectSameMember(*got, owner);
  EXPECT_CODE(store().GetAppMember(app.id, bob.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppMember(console.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppMember(app.id, NewId()), StatusCode::kNotFound);

  // A second membership of the same user in the same app clashes, whatever the role.
  EXPECT_CLASH(store().AddAppMember(MakeMember(app, ann, kRoleMember, kT0)), "member");
  got = store().GetAppMember(app.id, ann.id);
  ASSERT_OK(got);
  ExpectSameMember(*got, owner);  // the first one is untouched
  // The same user in another app, or another user in this app, is fine.
  EXPECT_OK(store().AddAppMember(MakeMember(console, ann, kRoleMember, kT0)));
  EXPECT_OK(store().AddAppMember(MakeMember(app, bob, kRoleMember, kT0)));
}

TEST_P(StoreConformanceTest, ListAppMembersAndMembershipsOldestFirst) {
  App console = AddApp("console");
  App one = AddApp("one");
  App two = AddApp("two");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  User cy = AddUser(console, "cy@example.com");
  // bob and cy joined "one" in the same millisecond: ordered by user id.
  const UnixMillis tie = kT0 + kMinute;
  ASSERT_OK(store().AddAppMember(MakeMember(one, cy, kRoleMember, tie)));
  ASSERT_OK(store().AddAppMember(MakeMember(one, ann, kRoleOwner, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(one, bob, kRoleMember, tie)));
  ASSERT_OK(store().AddAppMember(MakeMember(two, ann, kRoleMember, kT0 + kHour)));
  ASSERT_OK(store().AddAppMember(MakeMember(two, bob, kRoleOwner, kT0 - kHour)));

  auto members = store().ListAppMembers(one.id);
  ASSERT_OK(members);
  std::string first_tied = std::min(bob.id, cy.id), second_tied = std::max(bob.id, cy.id);
  EXPECT_THAT(MemberUserIds(*members), ElementsAre(ann.id, first_tied, second_tied));
  ExpectSameMember((*members)[0], MakeMember(one, ann, kRoleOwner, kT0));
  auto members_two = store().ListAppMembers(two.id);
  ASSERT_OK(members_two);
  EXPECT_THAT(MemberUserIds(*members_two), ElementsAre(bob.id, ann.id));
  auto none = store().ListAppMembers(console.id);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  auto anns = store().ListMembershipsOfUser(ann.id);
  ASSERT_OK(anns);
  EXPECT_THAT(MemberAppIds(*anns), ElementsAre(one.id, two.id));
  ExpectSameMember((*anns)[1], MakeMember(two, ann, kRoleMember, kT0 + kHour));
  auto bobs = store().ListMembershipsOfUser(bob.id);
  ASSERT_OK(bobs);
  EXPECT_THAT(MemberAppIds(*bobs), ElementsAre(two.id, one.id));
  auto nobody = store().ListMembershipsOfUser(NewId());
  ASSERT_OK(nobody);
  EXPECT_THAT(*nobody, IsEmpty());
}

TEST_P(StoreConformanceTest, SetRoleAndRemoveAppMember) {
  App console = AddApp("console");
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(console, "ann@example.com");
  User bob = AddUser(console, "bob@example.com");
  ASSERT_OK(store().AddAppMember(MakeMember(app, ann, kRoleMember, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(app, bob, kRoleMember, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(other, ann, kRoleMember, kT0)));

  ASSERT_OK(store().SetAppMemberRole(app.id, ann.id, kRoleOwner));
  auto got = store().GetAppMember(app.id, ann.id);
  ASSERT_OK(got);
  ExpectSameMember(*got, MakeMember(app, ann, kRoleOwner, kT0));  // created_at kept
  auto bobs = store().GetAppMember(app.id, bob.id);
  ASSERT_OK(bobs);
  EXPECT_EQ(bobs->role, kRoleMember);  // only that member
  auto elsewhere = store().GetAppMember(other.id, ann.id);
  ASSERT_OK(elsewhere);
  EXPECT_EQ(elsewhere->role, kRoleMember);  // only that app
  EXPECT_CODE(store().SetAppMemberRole(console.id, ann.id, kRoleOwner), StatusCode::kNotFound);
  EXPECT_CODE(store().SetAppMemberRole(app.id, NewId(), kRoleOwner), StatusCode::kNotFound);

  ASSERT_OK(store().RemoveAppMember(app.id, ann.id));
  EXPECT_CODE(store().GetAppMember(app.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().RemoveAppMember(app.id, ann.id), StatusCode::kNotFound);  // not any more
  EXPECT_CODE(store().SetAppMemberRole(app.id, ann.id, kRoleOwner), StatusCode::kNotFound);
  EXPECT_CODE(store().RemoveAppMember(console.id, bob.id), StatusCode::kNotFound);
  EXPECT_OK(store().GetAppMember(app.id, bob.id));
  EXPECT_OK(store().GetAppMember(other.id, ann.id));
  auto left = store().ListAppMembers(app.id);
  ASSERT_OK(left);
  EXPECT_THAT(MemberUserIds(*left), ElementsAre(bob.id));
}

// ---------------------------------------------------------------------------------------
// Developer console: apps' backend API keys

AppApiKey MakeAppApiKey(const App& app, const std::string& hash, UnixMillis created_at) {
  AppApiKey k;
  k.id = NewId();
  k.app_id = app.id;
  k.name = "backend <'\"&>";
  k.prefix = "tsk_" + hash.substr(0, 4);
  k.key_hash = hash;
  k.created_by = NewId();
  k.created_at = created_at;
  return k;
}

void ExpectSameAppApiKey(const AppApiKey& got, const AppApiKey& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.prefix, want.prefix);
  EXPECT_EQ(got.key_hash, want.key_hash);
  EXPECT_EQ(got.created_by, want.created_by);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.last_used_at, want.last_used_at);
  EXPECT_EQ(got.revoked_at, want.revoked_at);
}

TEST_P(StoreConformanceTest, CreateAndGetAppApiKeyAndHashClash) {
  App app = AddApp("default");
  App other = AddApp("other");
  AppApiKey k = MakeAppApiKey(app, "key-hash-1", kAfter2038);
  ASSERT_OK(store().CreateAppApiKey(k));
  AppApiKey cli = MakeAppApiKey(other, "key-hash-2", kT0);
  cli.created_by = "";  // made by the CLI
  ASSERT_OK(store().CreateAppApiKey(cli));

  auto got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  ExpectSameAppApiKey(*got, k);
  got = store().GetAppApiKeyByHash("key-hash-2");
  ASSERT_OK(got);
  ExpectSameAppApiKey(*got, cli);
  EXPECT_CODE(store().GetAppApiKeyByHash("no-such-hash"), StatusCode::kNotFound);

  // The hash is unique across apps.
  EXPECT_CLASH(store().CreateAppApiKey(MakeAppApiKey(other, "key-hash-1", kT0)), "key_hash");
  AppApiKey same_id = MakeAppApiKey(app, "key-hash-3", kT0);
  same_id.id = k.id;
  EXPECT_CLASH(store().CreateAppApiKey(same_id), "id");
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  ExpectSameAppApiKey(*got, k);
  EXPECT_CODE(store().GetAppApiKeyByHash("key-hash-3"), StatusCode::kNotFound);
  auto listed = store().ListAppApiKeys(other.id);
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre(cli.id));
}

TEST_P(StoreConformanceTest, ListAppApiKeysLiveOfTheAppNewestFirst) {
  App app = AddApp("default");
  App other = AddApp("other");
  AppApiKey oldest = MakeAppApiKey(app, "key-hash-1", kT0);
  AppApiKey middle = MakeAppApiKey(app, "key-hash-2", kT0 + kMinute);
  AppApiKey newest = MakeAppApiKey(app, "key-hash-3", kT0 + kHour);
  AppApiKey revoked = MakeAppApiKey(app, "key-hash-4", kT0 + kDay);
  AppApiKey others = MakeAppApiKey(other, "key-hash-5", kT0 + 2 * kDay);
  for (const AppApiKey* k : {&middle, &newest, &oldest, &revoked, &others}) {
    ASSERT_OK(store().CreateAppApiKey(*k));
  }
  ASSERT_OK(store().RevokeAppApiKey(app.id, revoked.id, kT0 + kDay + 1));

  auto listed = store().ListAppApiKeys(app.id);
  ASSERT_OK(listed);
  EXPECT_THAT(Ids(*listed), ElementsAre(newest.id, middle.id, oldest.id));
  ExpectSameAppApiKey((*listed)[1], middle);
  auto theirs = store().ListAppApiKeys(other.id);
  ASSERT_OK(theirs);
  EXPECT_THAT(Ids(*theirs), ElementsAre(others.id));
  auto none = store().ListAppApiKeys(NewId());
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(StoreConformanceTest, RevokeAppApiKey) {
  App app = AddApp("default");
  App other = AddApp("other");
  AppApiKey k = MakeAppApiKey(app, "key-hash-1", kT0);
  ASSERT_OK(store().CreateAppApiKey(k));

  EXPECT_CODE(store().RevokeAppApiKey(other.id, k.id, kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeAppApiKey(app.id, NewId(), kT0 + 1), StatusCode::kNotFound);
  auto got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, std::nullopt);

  ASSERT_OK(store().RevokeAppApiKey(app.id, k.id, kT0 + kMinute));
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);  // still found by hash: the caller checks
  EXPECT_CODE(store().RevokeAppApiKey(app.id, k.id, kT0 + kHour), StatusCode::kNotFound);
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->revoked_at, kT0 + kMinute);  // the first revocation's time stays
  auto listed = store().ListAppApiKeys(app.id);
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, IsEmpty());
}

TEST_P(StoreConformanceTest, TouchAppApiKey) {
  App app = AddApp("default");
  AppApiKey k = MakeAppApiKey(app, "key-hash-1", kT0);
  AppApiKey untouched = MakeAppApiKey(app, "key-hash-2", kT0);
  ASSERT_OK(store().CreateAppApiKey(k));
  ASSERT_OK(store().CreateAppApiKey(untouched));

  ASSERT_OK(store().TouchAppApiKey(k.id, kT0 + kMinute));
  auto got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kT0 + kMinute);
  ASSERT_OK(store().TouchAppApiKey(k.id, kAfter2038));
  got = store().GetAppApiKeyByHash("key-hash-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, kAfter2038);
  auto other = store().GetAppApiKeyByHash("key-hash-2");
  ASSERT_OK(other);
  EXPECT_EQ(other->last_used_at, std::nullopt);
  auto listed = store().ListAppApiKeys(app.id);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  for (const AppApiKey& l : *listed) {
    EXPECT_EQ(l.last_used_at, l.id == k.id ? std::optional<UnixMillis>(kAfter2038) : std::nullopt);
  }
}

TEST_P(StoreConformanceTest, DeletingAnAppTakesItsMembersAndApiKeys) {
  App console = AddApp("console");
  App app = AddApp("default");
  User ann = AddUser(console, "ann@example.com");
  ASSERT_OK(store().AddAppMember(MakeMember(app, ann, kRoleOwner, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(console, ann, kRoleOwner, kT0)));
  ASSERT_OK(store().CreateAppApiKey(MakeAppApiKey(app, "key-hash-1", kT0)));
  ASSERT_OK(db_->OpenSql().value()->Write([&](sql::SqlConnection& c) -> Status {
    return c.Exec("DELETE FROM apps WHERE id = $1", {app.id}).status();
  }));
  EXPECT_CODE(store().GetAppMember(app.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppApiKeyByHash("key-hash-1"), StatusCode::kNotFound);
  auto left = store().ListMembershipsOfUser(ann.id);
  ASSERT_OK(left);
  EXPECT_THAT(MemberAppIds(*left), ElementsAre(console.id));
}

// ---------------------------------------------------------------------------------------
// Developer console: listing, counting and deleting an app's users

// A query built field by field (UserQuery's search and cursor have no default member
// initializers, so a designated initializer leaving them out warns).
UserQuery UsersOf(const std::string& app_id, const std::string& search = "",
                  const std::optional<std::string>& cursor = std::nullopt,
                  int limit = UserQuery{}.limit) {
  UserQuery q;
  q.app_id = app_id;
  q.search = search;
  q.cursor = cursor;
  q.limit = limit;
  return q;
}

std::vector<std::string> UserIds(const Result<UserPage>& page) {
  std::vector<std::string> ids;
  if (page.ok()) {
    for (const auto& u : page->users) ids.push_back(u.id);
  }
  return ids;
}

TEST_P(StoreConformanceTest, ListUsersPagesNewestFirstWithTies) {
  App app = AddApp("default");
  App other = AddApp("other");
  // 7 users; three share a creation time, two share another (ties are ordered by id desc).
  const UnixMillis times[] = {kT0,           kT0 + kSecond,     kT0 + kSecond,
                              kT0 + kSecond, kT0 + 2 * kSecond, kT0 + 2 * kSecond,
                              kT0 + kHour};
  std::vector<User> users;
  for (int i = 0; i < 7; ++i) {
    User u = MakeUser(app, "user" + std::to_string(i) + "@example.com");
    u.created_at = times[i];
    ASSERT_OK(store().CreateUser(u));
    users.push_back(u);
  }
  AddUser(other, "stranger@example.com");  // never listed for `app`
  std::vector<User> want_order = users;
  std::sort(want_order.begin(), want_order.end(), [](const User& a, const User& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  std::vector<std::string> want = Ids(want_order);

  auto all = store().ListUsers(UsersOf(app.id));
  ASSERT_OK(all);
  EXPECT_EQ(UserIds(all), want);
  EXPECT_EQ(all->next_cursor, std::nullopt);  // fewer than the limit (50)
  ExpectSameUser(all->users[0], want_order[0]);

  // Pages of 4: a full page names its last user as the cursor.
  auto first = store().ListUsers(UsersOf(app.id, "", std::nullopt, 4));
  ASSERT_OK(first);
  EXPECT_EQ(UserIds(first), std::vector<std::string>(want.begin(), want.begin() + 4));
  ASSERT_TRUE(first->next_cursor.has_value());
  EXPECT_EQ(*first->next_cursor, want[3]);  // in the middle of the three-way tie
  auto second = store().ListUsers(UsersOf(app.id, "", first->next_cursor, 4));
  ASSERT_OK(second);
  EXPECT_EQ(UserIds(second), std::vector<std::string>(want.begin() + 4, want.end()));
  EXPECT_EQ(second->next_cursor, std::nullopt);  // 3 < 4: the last page

  // Pages of 1 walk every user; an exactly full last page still names a cursor, and the
  // page after it is empty.
  std::vector<std::string> walked;
  std::optional<std::string> cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = store().ListUsers(UsersOf(app.id, "", cursor, 1));
    ASSERT_OK(r);
    for (const auto& u : r->users) walked.push_back(u.id);
    if (!r->next_cursor) {
      EXPECT_THAT(r->users, IsEmpty());
      break;
    }
    EXPECT_EQ(*r->next_cursor, r->users.back().id);
    cursor = r->next_cursor;
  }
  EXPECT_EQ(walked, want);
  auto seven = store().ListUsers(UsersOf(app.id, "", std::nullopt, 7));
  ASSERT_OK(seven);
  ASSERT_TRUE(seven->next_cursor.has_value());
  EXPECT_EQ(*seven->next_cursor, want.back());
  auto after_last = store().ListUsers(UsersOf(app.id, "", seven->next_cursor));
  ASSERT_OK(after_last);
  EXPECT_THAT(after_last->users, IsEmpty());
  EXPECT_EQ(after_last->next_cursor, std::nullopt);
}

TEST_P(StoreConformanceTest, ListUsersClampsTheLimit) {
  App app = AddApp("default");
  for (int i = 0; i < 205; ++i) {
    User u = MakeUser(app, "u" + std::to_string(i) + "@example.com");
    u.created_at = kT0 + i;
    ASSERT_OK(store().CreateUser(u));
  }
  auto zero = store().ListUsers(UsersOf(app.id, "", std::nullopt, 0));
  ASSERT_OK(zero);
  EXPECT_EQ(zero->users.size(), 1u);  // clamped to 1
  ASSERT_TRUE(zero->next_cursor.has_value());
  auto negative = store().ListUsers(UsersOf(app.id, "", std::nullopt, -5));
  ASSERT_OK(negative);
  EXPECT_EQ(negative->users.size(), 1u);
  auto huge = store().ListUsers(UsersOf(app.id, "", std::nullopt, 100000));
  ASSERT_OK(huge);
  EXPECT_EQ(huge->users.size(), 200u);  // clamped to 200
  ASSERT_TRUE(huge->next_cursor.has_value());
  EXPECT_EQ(*huge->next_cursor, huge->users.back().id);
  auto rest = store().ListUsers(UsersOf(app.id, "", huge->next_cursor, 200));
  ASSERT_OK(rest);
  EXPECT_EQ(rest->users.size(), 5u);
  EXPECT_EQ(rest->next_cursor, std::nullopt);
  EXPECT_EQ(rest->users.back().created_at, kT0);
}

TEST_P(StoreConformanceTest, ListUsersCursorOfAnotherAppOrUnknownIsEmpty) {
  App app = AddApp("default");
  App other = AddApp("other");
  User mine = AddUser(app, "ann@example.com");
  User theirs = MakeUser(other, "bob@example.com");
  theirs.created_at = kT0 + kDay;  // newer than every user of `app`
  ASSERT_OK(store().CreateUser(theirs));

  auto via_other = store().ListUsers(UsersOf(app.id, "", theirs.id));
  ASSERT_OK(via_other);
  EXPECT_THAT(via_other->users, IsEmpty());
  EXPECT_EQ(via_other->next_cursor, std::nullopt);
  auto unknown = store().ListUsers(UsersOf(app.id, "", NewId()));
  ASSERT_OK(unknown);
  EXPECT_THAT(unknown->users, IsEmpty());
  auto injected = store().ListUsers(UsersOf(app.id, "", "' OR 1=1 --"));
  ASSERT_OK(injected);
  EXPECT_THAT(injected->users, IsEmpty());
  // Each app lists only its own users.
  EXPECT_THAT(UserIds(store().ListUsers(UsersOf(app.id))), ElementsAre(mine.id));
  EXPECT_THAT(UserIds(store().ListUsers(UsersOf(other.id))), ElementsAre(theirs.id));
  EXPECT_THAT(UserIds(store().ListUsers(UsersOf(NewId()))), IsEmpty());
}

TEST_P(StoreConformanceTest, ListUsersSearchesEmailAndUsernameCaseInsensitively) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "Ann.Smith@Example.com", "annie");
  User bob = AddUser(app, "bob@corp.example", "Bobby_Tables");
  User cy = AddUser(app, "cy@example.org");  // no username
  User pct = AddUser(app, "100%off@example.com", "back\\slash");
  User stranger = AddUser(other, "ann.other@example.com", "annie2");
  auto search = [&](const std::string& app_id, const std::string& s) {
    return UserIds(store().ListUsers(UsersOf(app_id, s)));
  };

  EXPECT_THAT(search(app.id, "SMITH"), ElementsAre(ann.id));  // email, any case
  EXPECT_THAT(search(app.id, "Annie"), ElementsAre(ann.id));  // username, not other app
  EXPECT_THAT(search(app.id, "bobby"), ElementsAre(bob.id));
  EXPECT_THAT(search(app.id, "corp"), ElementsAre(bob.id));
  EXPECT_THAT(search(app.id, "example.org"), ElementsAre(cy.id));
  EXPECT_THAT(search(app.id, "nobody"), IsEmpty());
  EXPECT_THAT(search(other.id, "annie"), ElementsAre(stranger.id));  // strictly per app
  EXPECT_THAT(search(app.id, "example"), UnorderedElementsAre(ann.id, bob.id, cy.id, pct.id));

  // LIKE metacharacters are literal: '%' and '_' match only themselves, '\' too.
  EXPECT_THAT(search(app.id, "%"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "100%"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "_"), ElementsAre(bob.id));  // only "bobby_tables" has one
  EXPECT_THAT(search(app.id, "y_t"), ElementsAre(bob.id));
  EXPECT_THAT(search(app.id, "n_e"), IsEmpty());  // would match "annie" as LIKE
  EXPECT_THAT(search(app.id, "\\"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "k\\s"), ElementsAre(pct.id));
  EXPECT_THAT(search(app.id, "\\%"), IsEmpty());
  // Quotes and SQL in the search are data.
  EXPECT_THAT(search(app.id, "' OR 1=1 --"), IsEmpty());
  EXPECT_THAT(search(app.id, "'); DROP TABLE users; --"), IsEmpty());
  EXPECT_THAT(search(app.id, "\" OR \"\"=\""), IsEmpty());
  auto count = store().CountUsers(app.id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 4);
}

TEST_P(StoreConformanceTest, ListUsersSearchPagesToo) {
  App app = AddApp("default");
  std::vector<std::string> want;  // the matching users (then: newest first)
  for (int i = 0; i < 9; ++i) {
    bool match = i % 3 != 0;
    User u = MakeUser(app, (match ? "match" : "other") + std::to_string(i) + "@example.com");
    u.created_at = kT0 + (i / 2) * kSecond;  // pairs of ties
    ASSERT_OK(store().CreateUser(u));
    if (match) want.push_back(u.id);
  }
  ASSERT_EQ(want.size(), 6u);
  {
    auto all = store().ListUsers(UsersOf(app.id, "MATCH"));
    ASSERT_OK(all);
    const std::vector<User>& got = all->users;
    EXPECT_THAT(UserIds(all),
                UnorderedElementsAre(want[0], want[1], want[2], want[3], want[4], want[5]));
    want = UserIds(all);
    for (size_t i = 1; i < got.size(); ++i) {
      const User& prev = got[i - 1];
      const User& cur = got[i];
      EXPECT_TRUE(prev.created_at > cur.created_at ||
                  (prev.created_at == cur.created_at && prev.id > cur.id))
          << i;
    }
  }
  std::vector<std::string> paged;
  std::optional<std::string> cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = store().ListUsers(UsersOf(app.id, "match", cursor, 4));
    ASSERT_OK(r);
    for (const auto& u : r->users) paged.push_back(u.id);
    if (!r->next_cursor) break;
    cursor = r->next_cursor;
  }
  EXPECT_EQ(paged, want);
}

TEST_P(StoreConformanceTest, CountUsersPerApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  auto zero = store().CountUsers(app.id);
  ASSERT_OK(zero);
  EXPECT_EQ(*zero, 0);
  User ann = AddUser(app, "ann@example.com");
  AddUser(app, "bob@example.com");
  AddUser(other, "cy@example.com");
  auto two = store().CountUsers(app.id);
  ASSERT_OK(two);
  EXPECT_EQ(*two, 2);
  auto one = store().CountUsers(other.id);
  ASSERT_OK(one);
  EXPECT_EQ(*one, 1);
  ASSERT_OK(store().DeleteUser(app.id, ann.id));
  auto after = store().CountUsers(app.id);
  ASSERT_OK(after);
  EXPECT_EQ(*after, 1);
  auto unknown = store().CountUsers(NewId());
  ASSERT_OK(unknown);
  EXPECT_EQ(*unknown, 0);
}

TEST_P(StoreConformanceTest, DeleteUserTakesEverythingOfTheirs) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");

  // Everything of ann's, and the same kinds of things of bob's (which must survive).
  Session ann_session = AddSession(ann, "rt-ann");
  Session bob_session = AddSession(bob, "rt-bob");
  Session ann_browser = MakeBrowserSession(ann, kT0, kT0 + kDay);
  ASSERT_OK(store().CreateBrowserSession(ann_browser, "cookie-ann"));
  ASSERT_OK(store().CreateApiToken(MakeApiToken(ann, "api-ann", kT0)));
  ASSERT_OK(store().CreateApiToken(MakeApiToken(bob, "api-bob", kT0)));
  ASSERT_OK(store().SaveConsent(MakeConsent(ann, "client-1", kT0)));
  ASSERT_OK(store().SaveConsent(MakeConsent(bob, "client-1", kT0)));
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(ann, "code-ann", kT0, kT0 + kMinute)));
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(bob, "code-bob", kT0, kT0 + kMinute)));
  EmailToken ann_mail = MakeEmailToken(app, "mail-ann", kPurposeVerifyEmail, kT0, kT0 + kHour);
  ann_mail.user_id = ann.id;
  ASSERT_OK(store().CreateEmailToken(ann_mail));
  EmailToken bob_mail = MakeEmailToken(app, "mail-bob", kPurposeVerifyEmail, kT0, kT0 + kHour);
  bob_mail.user_id = bob.id;
  bob_mail.email = "bob@example.com";
  ASSERT_OK(store().CreateEmailToken(bob_mail));
  ASSERT_OK(store().AddAppMember(MakeMember(other, ann, kRoleOwner, kT0)));
  ASSERT_OK(store().AddAppMember(MakeMember(other, bob, kRoleMember, kT0)));

  ASSERT_OK(store().DeleteUser(app.id, ann.id));

  EXPECT_CODE(store().GetUser(app.id, ann.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserByEmail(app.id, "ann@example.com"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, ann_session.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, ann_browser.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-ann", kT0, kHour), StatusCode::kNotFound);
  EXPECT_CODE(store().GetRefreshToken(app.id, "rt-ann"), StatusCode::kNotFound);
  EXPECT_FALSE(TokenExists("rt-ann"));
  EXPECT_CODE(store().GetApiTokenByHash("api-ann"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetConsent(app.id, ann.id, "client-1"), StatusCode::kNotFound);
  EXPECT_CODE_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-ann", kT0),
                      CodeOutcome::kInvalid);
  EXPECT_CODE(store().GetEmailToken(app.id, "mail-ann", kPurposeVerifyEmail),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetAppMember(other.id, ann.id), StatusCode::kNotFound);
  auto memberships = store().ListMembershipsOfUser(ann.id);
  ASSERT_OK(memberships);
  EXPECT_THAT(*memberships, IsEmpty());

  // bob keeps everything.
  EXPECT_OK(store().GetUser(app.id, bob.id));
  auto bobs = store().GetSession(app.id, bob_session.id);
  ASSERT_OK(bobs);
  ExpectSameSession(*bobs, bob_session);
  EXPECT_OK(store().GetRefreshToken(app.id, "rt-bob"));
  EXPECT_OK(store().GetApiTokenByHash("api-bob"));
  EXPECT_OK(store().GetConsent(app.id, bob.id, "client-1"));
  EXPECT_OK(store().GetEmailToken(app.id, "mail-bob", kPurposeVerifyEmail));
  EXPECT_OK(store().GetAppMember(other.id, bob.id));
  EXPECT_CODE_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-bob", kT0),
                      CodeOutcome::kConsumed);

  // Gone is gone.
  EXPECT_CODE(store().DeleteUser(app.id, ann.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, DeleteUserOnlyWithinItsApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  User theirs = AddUser(other, "ann@example.com");
  Session s = AddSession(theirs, "rt-theirs");
  ASSERT_OK(store().CreateApiToken(MakeApiToken(theirs, "api-theirs", kT0)));

  EXPECT_CODE(store().DeleteUser(app.id, theirs.id), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteUser(app.id, NewId()), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteUser(NewId(), theirs.id), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteUser(app.id, "' OR 1=1 --"), StatusCode::kNotFound);
  auto still = store().GetUser(other.id, theirs.id);
  ASSERT_OK(still);
  ExpectSameUser(*still, theirs);
  EXPECT_OK(store().GetSession(other.id, s.id));
  EXPECT_OK(store().GetApiTokenByHash("api-theirs"));
  auto count = store().CountUsers(other.id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);
}

// ---------------------------------------------------------------------------------------
// Developer console: updating and revoking OAuth clients

void ExpectSameClient(const OAuthClient& got, const OAuthClient& want) {
  EXPECT_EQ(got.client_id, want.client_id);
  EXPECT_EQ(got.app_id, want.app_id);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.secret_hash, want.secret_hash);
  EXPECT_EQ(got.is_public, want.is_public);
  EXPECT_EQ(got.first_party, want.first_party);
  EXPECT_EQ(got.redirect_uris, want.redirect_uris);
  EXPECT_EQ(got.post_logout_redirect_uris, want.post_logout_redirect_uris);
  EXPECT_EQ(got.grant_types, want.grant_types);
  EXPECT_EQ(got.scopes, want.scopes);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.revoked_at, want.revoked_at);
}

TEST_P(StoreConformanceTest, UpdateClientChangesAllButItsIdentity) {
  App app = AddApp("default");
  App other = AddApp("other");
  OAuthClient c = MakeClient(app, "client-1");
  ASSERT_OK(store().CreateClient(c));
  OAuthClient sibling = MakeClient(app, "client-2");
  ASSERT_OK(store().CreateClient(sibling));

  OAuthClient want = c;
  want.name = "Renamed ünïcode ✓";
  want.secret_hash.reset();  // now public
  want.is_public = true;
  want.first_party = false;
  want.redirect_uris = {"https://new.example/cb"};
  want.post_logout_redirect_uris = {"https://new.example/bye"};
  want.grant_types = {"authorization_code"};
  want.scopes = {"openid"};
  auto updated = store().UpdateClient(app.id, "client-1", [&](OAuthClient& cur) {
    ExpectSameClient(cur, c);  // sees the current row
    OAuthClient keep = want;
    keep.client_id = "hijacked";  // not changeable: ignored
    keep.app_id = other.id;
    keep.created_at = kT0 + kDay;
    keep.revoked_at = kT0 + kDay;
    cur = keep;
    return OkStatus();
  });
  ASSERT_OK(updated);
  ExpectSameClient(*updated, want);
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  ExpectSameClient(*got, want);
  EXPECT_CODE(store().GetClient(app.id, "hijacked"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetClient(other.id, "client-1"), StatusCode::kNotFound);
  auto untouched = store().GetClient(app.id, "client-2");
  ASSERT_OK(untouched);
  ExpectSameClient(*untouched, sibling);

  // And back: a secret again.
  auto back = store().UpdateClient(app.id, "client-1", [](OAuthClient& cur) {
    cur.secret_hash = std::string(64, 'd');
    cur.is_public = false;
    return OkStatus();
  });
  ASSERT_OK(back);
  got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->secret_hash, std::string(64, 'd'));
  EXPECT_FALSE(got->is_public);
  EXPECT_EQ(got->redirect_uris, want.redirect_uris);
}

TEST_P(StoreConformanceTest, UpdateClientRollsBackAndIsNotFoundForOthers) {
  App app = AddApp("default");
  App other = AddApp("other");
  OAuthClient c = MakeClient(app, "client-1");
  ASSERT_OK(store().CreateClient(c));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-revoked")));
  ASSERT_OK(store().RevokeClient(app.id, "client-revoked", kT0 + kMinute));

  auto failed = store().UpdateClient(app.id, "client-1", [](OAuthClient& cur) {
    cur.name = "changed";
    cur.redirect_uris.push_back("https://evil.example/cb");
    cur.secret_hash.reset();
    return FailedPreconditionError("no");
  });
  EXPECT_CODE(failed, StatusCode::kFailedPrecondition);
  EXPECT_EQ(failed.status().message(), "no");
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  ExpectSameClient(*got, c);

  int calls = 0;
  auto count_calls = [&](OAuthClient&) {
    ++calls;
    return OkStatus();
  };
  EXPECT_CODE(store().UpdateClient(app.id, "nope", count_calls), StatusCode::kNotFound);
  EXPECT_CODE(store().UpdateClient(other.id, "client-1", count_calls), StatusCode::kNotFound);
  EXPECT_CODE(store().UpdateClient(app.id, "client-revoked", count_calls), StatusCode::kNotFound);
  EXPECT_EQ(calls, 0);
  // The revoked one stays revoked and unchanged.
  auto rows = Query("SELECT revoked_at, name FROM oauth_clients WHERE client_id = $1",
                    {std::string("client-revoked")});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), kT0 + kMinute);
  EXPECT_EQ(sql::Text((*rows)[0], 1), MakeClient(app, "client-revoked").name);
}

TEST_P(StoreConformanceTest, RevokeClient) {
  App app = AddApp("default");
  App other = AddApp("other");
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-1")));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-2")));

  EXPECT_CODE(store().RevokeClient(other.id, "client-1", kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeClient(app.id, "nope", kT0 + 1), StatusCode::kNotFound);
  EXPECT_OK(store().GetClient(app.id, "client-1"));

  ASSERT_OK(store().RevokeClient(app.id, "client-1", kT0 + kMinute));
  EXPECT_CODE(store().GetClient(app.id, "client-1"), StatusCode::kNotFound);
  auto listed = store().ListClients(app.id);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].client_id, "client-2");
  EXPECT_CODE(store().RevokeClient(app.id, "client-1", kT0 + kHour), StatusCode::kNotFound);
  auto rows =
      Query("SELECT revoked_at FROM oauth_clients WHERE client_id = $1", {std::string("client-1")});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), kT0 + kMinute);  // the first revocation's time stays
  // The id stays taken.
  EXPECT_CLASH(store().CreateClient(MakeClient(app, "client-1")), "client_id");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace tessera::store
