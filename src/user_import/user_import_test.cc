// The import domain: the streaming record reader, Django's fixture records and mapping, and
// the rules of UserImportService over a real SQLite store (the engines' side: tests/store/
// user_import_conformance_test.cc). The end-to-end import of a real Django dump:
// tests/e2e/django_import.test.mjs. The first_user_admin setting's sign-up rule is here too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "crypto/password_hash.h"
#include "tests/support/service_stack.h"
#include "user_import/django_fixture.h"
#include "user_import/generic_import.h"
#include "user_import/json_record_reader.h"
#include "user_import/user_import_service.h"

namespace tessera::services {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<JsonRecord> ReadAll(const std::string& text, std::optional<std::string>* failure = nullptr) {
  std::istringstream in(text);
  JsonRecordReader reader(in);
  std::vector<JsonRecord> out;
  while (auto r = reader.Next()) out.push_back(std::move(*r));
  if (failure) *failure = reader.Failure();
  return out;
}

TEST(JsonRecordReader, ReadsAnArrayRecordByRecordWithTheirLines) {
  std::optional<std::string> failure;
  auto records = ReadAll("\xEF\xBB\xBF[\n{\"a\": \"}{[\\\"\"},\n\n  {\"b\": {\"c\": [1, {}]}}\n]\n", &failure);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(failure);
  EXPECT_EQ(records[0].line, 2);
  EXPECT_EQ(records[0].object->at("a").as_string(), "}{[\"");  // braces in strings are text
  EXPECT_EQ(records[1].line, 4);
  EXPECT_TRUE(records[1].object->contains("b"));
}

TEST(JsonRecordReader, ReadsJsonLinesAndEmptyInputs) {
  EXPECT_EQ(ReadAll("{\"a\":1}\n{\"a\":2}\n").size(), 2u);
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("[]").empty());
}

TEST(JsonRecordReader, ABadRecordIsReportedAndTheNextOneRead) {
  auto records = ReadAll("[{\"a\": 1}, {\"a\": }, {\"a\": 3}]");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_FALSE(records[1].object);
  EXPECT_THAT(records[1].error, HasSubstr("not valid JSON"));
  EXPECT_EQ(records[2].object->at("a").as_int64(), 3);
}

TEST(JsonRecordReader, ABrokenStructureStopsWithWhereItBroke) {
  std::optional<std::string> failure;
  auto records = ReadAll("[{\"a\": 1}\n{\"a\": 2}]", &failure);
  EXPECT_EQ(records.size(), 1u);
  ASSERT_TRUE(failure);
  EXPECT_THAT(*failure, HasSubstr("line 2: expected ',' or ']'"));
  ReadAll("[{\"a\": 1},\n{\"a\": \"trunc", &failure);
  ASSERT_TRUE(failure);
  EXPECT_THAT(*failure, HasSubstr("ends inside the record that starts on line 2"));
  ReadAll("[{\"a\": 1}", &failure);
  EXPECT_THAT(*failure, HasSubstr("not closed"));
  ReadAll("[1, 2]", &failure);
  EXPECT_THAT(*failure, HasSubstr("expected a record"));
}

TEST(JsonRecordReader, ARecordOverTheLimitIsSkippedNotHeld) {
  std::string big = "[{\"a\": \"" + std::string(JsonRecordReader::kMaxRecordBytes + 10, 'x') +
                    "\"}, {\"b\": 1}]";
  auto records = ReadAll(big);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].error, HasSubstr("larger than 1 MiB"));
  EXPECT_TRUE(records[1].object);
}

TEST(DjangoFixture, DateTimesAsDjangoSerializesThem) {
  EXPECT_EQ(ParseDjangoDateTime("2020-01-02T03:04:05.678Z"), 1577934245678);
  EXPECT_EQ(ParseDjangoDateTime("2020-01-02T03:04:05.678901"), 1577934245678);  // naive = UTC
  EXPECT_EQ(ParseDjangoDateTime("2020-01-02T05:04:05+02:00"), 1577934245000);
  EXPECT_EQ(ParseDjangoDateTime("2020-01-02"), 1577923200000);
  EXPECT_FALSE(ParseDjangoDateTime("2020-13-02T03:04:05Z"));
  EXPECT_FALSE(ParseDjangoDateTime("yesterday"));
  EXPECT_FALSE(ParseDjangoDateTime("2020-01-02T03:04:05Zjunk"));
}

TEST(DjangoFixture, TheMappingIsStrict) {
  auto m = DjangoImportMapping::FromJson(
      R"({"user_model": "accounts.user", "roles": {"is_staff": "editor"},
          "profiles": {"api.customer": {"user": "owner", "fields": {"bio": "about"}}},
          "media_url": "https://cdn.example/"})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->user_model, "accounts.user");
  EXPECT_EQ(m->roles.size(), 1u);
  EXPECT_EQ(m->profiles.at("api.customer").user_field, "owner");
  EXPECT_FALSE(DjangoImportMapping::FromJson(R"({"user_modle": "x"})").ok());
  EXPECT_FALSE(DjangoImportMapping::FromJson(R"({"roles": {"is_staff": 1}})").ok());
  EXPECT_FALSE(
      DjangoImportMapping::FromJson(R"({"profiles": {"a.b": {"fields": {"x": "email"}}}})").ok());
  EXPECT_FALSE(DjangoImportMapping::FromJson("[]").ok());
}

class UserImportTest : public testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    Build();
    service_ = std::make_unique<UserImportService>(*store_, clock_);
  }

  ImportSummary Import(const std::string& fixture, bool dry_run = false, size_t batch = 500) {
    std::istringstream in(fixture);
    ImportOptions options;
    options.dry_run = dry_run;
    options.batch_size = batch;
    auto s = ImportDjangoFixtures(*service_, app_, mapping_, {&in}, options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : ImportSummary{};
  }

  static std::string UserRecord(int pk, const std::string& email, const std::string& hash,
                                const std::string& extra = "") {
    return R"({"model": "auth.user", "pk": )" + std::to_string(pk) +
           R"(, "fields": {"email": ")" + email + R"(", "username": "user)" + std::to_string(pk) +
           R"(", "password": ")" + hash + R"(", "is_active": true)" + extra + "}}";
  }

  store::User UserByEmail(const std::string& email) {
    return store_->GetUserByEmail(app_.id, email).value();
  }

  DjangoImportMapping mapping_;
  std::unique_ptr<UserImportService> service_;
  const std::string kHash =
      "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=";  // "lètmein"
};

TEST_F(UserImportTest, ImportedUsersSignInWithTheirDjangoPasswordWhichIsThenUpgraded) {
  auto s = Import("[" + UserRecord(1, "ann@example.com", kHash) + "]");
  EXPECT_EQ(s.users_created, 1);
  EXPECT_EQ(s.hash_kinds["pbkdf2_sha256"], 1);
  auto user = accounts_->Authenticate(app_, "ann@example.com", "lètmein", {});
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(crypto::KindOfPasswordHash(*UserByEmail("ann@example.com").password_hash),
            crypto::PasswordHashKind::kArgon2id);
  EXPECT_TRUE(accounts_->Authenticate(app_, "ann@example.com", "lètmein", {}).ok());
  EXPECT_FALSE(accounts_->Authenticate(app_, "ann@example.com", "letmein", {}).ok());
}

TEST_F(UserImportTest, ReRunningUpdatesNeverDuplicatesAndKeepsAPasswordMadeHere) {
  std::string fixture = "[" + UserRecord(1, "ann@example.com", kHash, R"(, "is_staff": true)") +
                        R"(, {"model": "authtoken.token", "pk": "0123456789abcdef0123456789abcdef01234567", "fields": {"user": 1}}])";
  auto first = Import(fixture);
  EXPECT_EQ(first.users_created, 1);
  EXPECT_EQ(first.tokens_imported, 1);
  ASSERT_TRUE(accounts_->Authenticate(app_, "ann@example.com", "lètmein", {}).ok());  // upgraded
  // The app gives Ann a role of its own; the re-run keeps it and follows is_staff.
  auto ann = store_->UpdateUser(app_.id, UserByEmail("ann@example.com").id, [](store::User& u) {
    u.roles.push_back("beta-tester");
    return OkStatus();
  });
  ASSERT_TRUE(ann.ok());
  std::string again = fixture;
  again.replace(again.find(R"("is_staff": true)"), 16, R"("is_staff": false)");
  auto second = Import(again);
  EXPECT_EQ(second.users_created, 0);
  EXPECT_EQ(second.users_updated, 1);
  EXPECT_EQ(second.tokens_unchanged, 1);
  store::User now = UserByEmail("ann@example.com");
  EXPECT_THAT(now.roles, ElementsAre("beta-tester"));
  EXPECT_EQ(crypto::KindOfPasswordHash(*now.password_hash), crypto::PasswordHashKind::kArgon2id);
  EXPECT_EQ(store_->CountUsers(app_.id).value(), 1);
}

TEST_F(UserImportTest, AUserWhoSignedUpAlreadyIsLinkedOnlyOnceTheirAddressIsVerified) {
  SignupInput in;
  in.email = "Bea@example.com";
  in.password = "a sturdy passphrase";
  auto bea = accounts_->Signup(app_, in);
  ASSERT_TRUE(bea.ok());
  // Unverified, she may be anyone who typed that address: the imported staff member's roles
  // and tokens must not become hers.
  auto refused = Import("[" + UserRecord(2, "bea@example.com", kHash, R"(, "is_staff": true)") + "]");
  EXPECT_EQ(refused.users_updated, 0);
  ASSERT_EQ(refused.skipped.size(), 1u);
  EXPECT_THAT(refused.skipped[0].reason, HasSubstr("has not verified the address"));
  EXPECT_TRUE(store_->GetUser(app_.id, bea->id)->roles.empty());
  ASSERT_TRUE(store_->UpdateUser(app_.id, bea->id, [](store::User& u) {
                      u.email_verified = true;
                      return OkStatus();
                    }).ok());
  auto s = Import("[" + UserRecord(2, "bea@example.com", kHash) + "]");
  EXPECT_EQ(s.users_created, 0);
  EXPECT_EQ(s.users_updated, 1);
  EXPECT_EQ(store_->CountUsers(app_.id).value(), 1);
  // Her password made here stays; the Django one does not come in over it.
  EXPECT_TRUE(accounts_->Authenticate(app_, "bea@example.com", "a sturdy passphrase", {}).ok());
  EXPECT_FALSE(accounts_->Authenticate(app_, "bea@example.com", "lètmein", {}).ok());
  // Two Django users with one address: the second is skipped, not merged into the first.
  auto dup = Import("[" + UserRecord(3, "BEA@example.com", kHash) + "]");
  EXPECT_EQ(dup.skipped_count, 1);
  EXPECT_THAT(dup.skipped[0].reason, HasSubstr("user imported from django:auth.user:2"));
}

TEST_F(UserImportTest, ImportedTokenKeysAuthenticateTheirUserAndOnlyThem) {
  const std::string key = "0123456789abcdef0123456789abcdef01234567";
  Import("[" + UserRecord(1, "ann@example.com", kHash) +
         R"(, {"model": "authtoken.token", "pk": ")" + key + R"(", "fields": {"user": 1, "created": "2021-05-06T07:08:09Z"}}])");
  auto p = auth_->Authenticate(app_, "Token " + key);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user.email, "ann@example.com");
  EXPECT_TRUE(auth_->Authenticate(app_, "Bearer " + key).ok());
  std::string forged = key;
  forged.back() = '8';
  EXPECT_EQ(auth_->Authenticate(app_, "Token " + forged).status().code(),
            StatusCode::kUnauthenticated);
  auto listed = api_tokens_->List(app_, p->user.id).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, kImportedTokenName);
  EXPECT_EQ(listed[0].created_at, 1620284889000);
  EXPECT_NE(listed[0].token_hash, key);  // stored hashed
}

TEST_F(UserImportTest, AnAppsOwnTokenModelComesWithItsExpiryAndExpiredKeysStayBehind) {
  // The seeds' blog: 64-hex keys as primary keys, valid 12 hours.
  auto m = DjangoImportMapping::FromJson(
      R"({"tokens": {"blog.authtoken": {"user": "author", "expires": "expires_at"}}})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  mapping_ = *m;
  ASSERT_TRUE(mapping_.tokens.contains("authtoken.token"));  // DRF's stays known
  const std::string live(64, 'a'), expired(64, 'b');
  auto iso = [](UnixMillis t) {
    std::time_t s = t / 1000;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&s));
    return std::string(buf);
  };
  const UnixMillis now = clock_.NowMillis();
  auto token = [&](const std::string& key, UnixMillis expires) {
    return R"(, {"model": "blog.authtoken", "pk": ")" + key +
           R"(", "fields": {"author": 1, "created": "2026-01-02T03:04:05Z", "expires_at": ")" +
           iso(expires) + R"("}})";
  };
  auto s = Import("[" + UserRecord(1, "ann@example.com", kHash) + token(live, now + 3'600'000) +
                  token(expired, now - 1000) +
                  R"(, {"model": "blog.authtoken", "pk": "short", "fields": {"author": 1}}])");
  EXPECT_EQ(s.tokens_imported, 1);
  EXPECT_EQ(s.tokens_expired, 1);
  ASSERT_EQ(s.skipped.size(), 1u);
  EXPECT_THAT(s.skipped[0].reason, HasSubstr("32-128 characters"));
  EXPECT_THAT(s.skipped[0].record, testing::Not(HasSubstr("short")));  // keys stay out of reports
  auto p = auth_->Authenticate(app_, "Bearer " + live);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user.email, "ann@example.com");
  EXPECT_FALSE(auth_->Authenticate(app_, "Token " + expired).ok());
  auto listed = api_tokens_->List(app_, p->user.id).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "Imported from blog.authtoken");
  ASSERT_TRUE(listed[0].expires_at);
  EXPECT_EQ(*listed[0].expires_at, (now + 3'600'000) / 1000 * 1000);
  // It ends when the source said it would.
  clock_.Advance(3'600'000);
  EXPECT_EQ(auth_->Authenticate(app_, "Bearer " + live).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_FALSE(DjangoImportMapping::FromJson(R"({"tokens": {"a.b": {"expiry": "x"}}})").ok());
  EXPECT_FALSE(DjangoImportMapping::FromJson(R"({"tokens": {"a.b": {"key": ""}}})").ok());
}

// A batch looks its records' users and tokens up all at once, then each record sees what
// the ones before it in the same batch wrote: an address or username one record gives up is
// free for the next, one a record took is taken; a user made a few records before has their
// token and their address record; a key imported twice is there once.
TEST_F(UserImportTest, RecordsOfOneBatchSeeWhatTheRecordsBeforeThemWrote) {
  auto user = [](int pk, const std::string& email, const std::string& username) {
    return R"({"model": "auth.user", "pk": )" + std::to_string(pk) + R"(, "fields": {"email": ")" +
           email + R"(", "username": ")" + username + R"(", "password": "!", "is_active": true}})";
  };
  auto token = [](const std::string& key, int user) {
    return R"({"model": "authtoken.token", "pk": ")" + key + R"(", "fields": {"user": )" +
           std::to_string(user) + "}}";
  };
  auto address = [](int pk, int user, const std::string& email) {
    return R"({"model": "account.emailaddress", "pk": )" + std::to_string(pk) +
           R"(, "fields": {"user": )" + std::to_string(user) + R"(, "email": ")" + email +
           R"(", "verified": true, "primary": true}})";
  };
  const std::string k1(40, '1'), k2(40, '2');
  auto first = Import("[" + user(1, "ann@example.com", "ann") + "," +
                      user(2, "bob@example.com", "bob") + "," + token(k2, 1) + "]");
  ASSERT_EQ(first.users_created, 2);
  auto s = Import("[" +
                  user(1, "ann@new.example", "anna") + "," +  // gives up her address and name
                  user(3, "ann@example.com", "ann") + "," +   // …which are free then
                  user(4, "ANN@new.example", "x4") + "," +    // Ann's new one: skipped
                  user(5, "eve@example.com", "bob") + "," +   // Bob's name: dropped
                  user(6, "fay@example.com", "anna") + "," +  // taken 5 records before: dropped
                  user(7, "gus@example.com", "gus") + "," +
                  user(8, "GUS@example.com", "gus8") + "," +  // Gus's, made in this batch
                  address(1, 7, "bob@example.com") + "," +   // Bob's: skipped
                  address(2, 3, "carl@example.com") + "," +  // user 3, made in this batch
                  token(k1, 7) + "," + token(k1, 7) + "," +  // Gus's, once
                  token(k1, 3) + "," +                       // Gus's already: skipped
                  token(k2, 1) + "]");                       // there since the first import
  EXPECT_EQ(s.users_created, 4);
  EXPECT_EQ(s.users_updated, 1);
  EXPECT_EQ(s.patches_applied, 1);
  EXPECT_EQ(s.tokens_imported, 1);
  EXPECT_EQ(s.tokens_unchanged, 2);
  ASSERT_EQ(s.skipped.size(), 4u);
  EXPECT_THAT(s.skipped[0].reason, HasSubstr("user imported from django:auth.user:1's"));
  EXPECT_THAT(s.skipped[1].reason, HasSubstr("user imported from django:auth.user:7's"));
  EXPECT_THAT(s.skipped[2].reason, HasSubstr("\"bob@example.com\" is another user's"));
  EXPECT_THAT(s.skipped[3].reason, HasSubstr("already another user's token"));
  ASSERT_EQ(s.warnings.size(), 2u);
  EXPECT_THAT(s.warnings[0], HasSubstr("username \"bob\" is another user's"));
  EXPECT_THAT(s.warnings[1], HasSubstr("username \"anna\" is another user's"));
  EXPECT_EQ(store_->CountUsers(app_.id).value(), 6);
  EXPECT_EQ(UserByEmail("ann@new.example").username, std::optional<std::string>("anna"));
  store::User carl = UserByEmail("carl@example.com");  // user 3
  EXPECT_EQ(carl.username, std::optional<std::string>("ann"));
  EXPECT_TRUE(carl.email_verified);
  EXPECT_FALSE(UserByEmail("eve@example.com").username);
  EXPECT_FALSE(UserByEmail("fay@example.com").username);
  auto gus = auth_->Authenticate(app_, "Token " + k1);
  ASSERT_TRUE(gus.ok()) << gus.status().ToString();
  EXPECT_EQ(gus->user.email, "gus@example.com");
}

// A batch larger than what one lookup asks for (the records left for the end of the input
// are one batch, however many): looked up a part at a time, with the same outcome.
TEST_F(UserImportTest, ABatchOfThousandsOfRecordsIsLookedUpPartByPart) {
  std::string fixture = "[";
  for (int i = 1; i <= 1200; ++i) {
    fixture += UserRecord(i, "u" + std::to_string(i) + "@example.com", "!") + ",";
  }
  fixture += UserRecord(1201, "U1@example.com", "!");  // user 1's address, 1200 records later
  for (int i = 1; i <= 1200; ++i) {
    char key[41];
    std::snprintf(key, sizeof key, "%040x", i);
    fixture += R"(, {"model": "authtoken.token", "pk": ")" + std::string(key) +
               R"(", "fields": {"user": )" + std::to_string(i) + "}}";
  }
  fixture += "]";
  auto s = Import(fixture, false, /*batch=*/5000);
  EXPECT_EQ(s.users_created, 1200);
  EXPECT_EQ(s.tokens_imported, 1200);
  ASSERT_EQ(s.skipped.size(), 1u);
  EXPECT_THAT(s.skipped[0].reason, HasSubstr("user imported from django:auth.user:1's"));
  auto again = Import(fixture, false, 5000);
  EXPECT_EQ(again.users_created, 0);
  EXPECT_EQ(again.users_updated, 1200);
  EXPECT_EQ(again.tokens_unchanged, 1200);
  EXPECT_EQ(again.skipped_count, 1);
  auto dry = Import(fixture, /*dry_run=*/true, 5000);
  EXPECT_EQ(dry.users_updated, 1200);
  EXPECT_EQ(dry.tokens_unchanged, 1200);
  EXPECT_EQ(store_->CountUsers(app_.id).value(), 1200);
}

TEST_F(UserImportTest, RecordsBeforeTheirUserWaitForItAndADryRunWritesNothing) {
  mapping_.profiles["api.customer"] = {.user_field = "user", .fields = {{"phone", "phone_number"}}};
  std::string fixture =
      R"([{"model": "api.customer", "pk": 9, "fields": {"user": 1, "phone": "+4930123"}},
          {"model": "account.emailaddress", "pk": 4, "fields": {"user": 1, "email": "ann@example.com", "verified": true, "primary": true}},
          {"model": "api.company", "pk": 1, "fields": {"name": "Acme"}},)" +
      UserRecord(1, "ann@example.com", kHash) + "]";
  auto dry = Import(fixture, /*dry_run=*/true, /*batch=*/1);
  EXPECT_TRUE(dry.dry_run);
  EXPECT_EQ(dry.users_created, 1);
  EXPECT_EQ(dry.patches_applied, 2);
  EXPECT_EQ(dry.ignored_models["api.company"], 1);
  EXPECT_EQ(store_->CountUsers(app_.id).value(), 0);

  auto s = Import(fixture, false, 1);
  EXPECT_EQ(s.patches_applied, 2);
  store::User ann = UserByEmail("ann@example.com");
  EXPECT_TRUE(ann.email_verified);
  EXPECT_THAT(ann.profile_json, HasSubstr(R"("phone_number":"+4930123")"));
}

TEST_F(UserImportTest, InactiveUnusableAndUnsupportedUsersComeInAsTheyWere) {
  auto s = Import("[" + UserRecord(1, "off@example.com", kHash, R"(, "is_active": false)") + "," +
                  UserRecord(2, "social@example.com", "!abcdefghijklmnopqrstuvwxyz0123456789ABCD") +
                  "," + UserRecord(3, "old@example.com", "md5$salt$0123456789abcdef") + "]");
  EXPECT_EQ(s.users_created, 3);
  EXPECT_TRUE(UserByEmail("off@example.com").disabled);
  EXPECT_FALSE(UserByEmail("social@example.com").password_hash);
  EXPECT_EQ(s.hash_kinds["unsupported"], 1);
  EXPECT_EQ(s.warning_count, 1);
  EXPECT_FALSE(accounts_->Authenticate(app_, "off@example.com", "lètmein", {}).ok());
}

// The first_user_admin setting: the app's first account is its admin, later ones are not.
TEST_F(UserImportTest, FirstUserAdminMakesOnlyTheFirstAccountAnAdmin) {
  store::App app = apps_->Create("blog", "Blog").value();
  app.settings.first_user_admin = true;
  SignupInput a, b;
  a.email = "first@example.com";
  b.email = "second@example.com";
  a.password = b.password = "a sturdy passphrase";
  auto first = accounts_->Signup(app, a);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_THAT(first->roles, ElementsAre("admin"));
  auto second = accounts_->Signup(app, b);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->roles.empty());
  // Off (the default): nobody is made an admin.
  SignupInput c = a;
  EXPECT_TRUE(accounts_->Signup(app_, c)->roles.empty());
}

// The generic format, JSON and CSV: the same users, the same rules.
class GenericImportTest : public UserImportTest {
 protected:
  ImportSummary ImportGeneric(const std::string& text, GenericFormat format) {
    std::istringstream in(text);
    auto s = ImportGenericUsers(*service_, app_, format, {&in}, ImportOptions{});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : ImportSummary{};
  }
};

TEST_F(GenericImportTest, JsonLinesWithEveryField) {
  auto s = ImportGeneric(
      R"({"id": 7, "email": "ann@example.com", "username": "ann", "password_hash": ")" + kHash +
          R"(", "email_verified": true, "roles": ["editor"], "profile": {"name": "Ann", "address": {"locality": "Berlin"}}, "created_at": "2019-01-01T00:00:00Z"}
{"email": "bob@example.com", "disabled": true}
{"email": "eve@example.com", "is_admin": true}
{"email": "joe@example.com", "roles": "admin"}
)",
      GenericFormat::kJson);
  EXPECT_EQ(s.records, 4);
  EXPECT_EQ(s.users_created, 2);
  ASSERT_EQ(s.skipped.size(), 2u);
  EXPECT_EQ(s.skipped[0].line, 3);
  EXPECT_THAT(s.skipped[0].reason, HasSubstr("unknown field \"is_admin\""));
  EXPECT_THAT(s.skipped[1].reason, HasSubstr("roles must be an array"));
  store::User ann = UserByEmail("ann@example.com");
  EXPECT_TRUE(ann.email_verified);
  EXPECT_THAT(ann.roles, ElementsAre("editor"));
  EXPECT_EQ(ann.created_at, 1546300800000);
  EXPECT_THAT(ann.profile_json, HasSubstr("Berlin"));
  EXPECT_TRUE(accounts_->Authenticate(app_, "ann", "lètmein", {}).ok());
  EXPECT_TRUE(UserByEmail("bob@example.com").disabled);
  // Again, with Ann's address changed: found by her id, updated; what the record leaves out
  // (username, password, disabled) stays as it was.
  auto again = ImportGeneric(R"([{"id": "7", "email": "ann@new.example"}])", GenericFormat::kJson);
  EXPECT_EQ(again.users_updated, 1);
  EXPECT_EQ(store_->CountUsers(app_.id).value(), 2);
  store::User moved = UserByEmail("ann@new.example");
  EXPECT_EQ(moved.username, std::optional<std::string>("ann"));
  EXPECT_TRUE(accounts_->Authenticate(app_, "ann@new.example", "lètmein", {}).ok());
  EXPECT_FALSE(moved.disabled);
}

TEST_F(GenericImportTest, CsvWithQuotedFieldsAndProfileColumns) {
  auto s = ImportGeneric(
      "\xEF\xBB\xBF"
      "email,password_hash,email_verified,roles,profile.name,profile.address\r\n"
      "ann@example.com," + kHash + ",yes,editor;admin,\"Smith, Ann \"\"Annie\"\"\",\"1 Main St\nBerlin\"\r\n"
      "\r\n"
      "bob@example.com,,maybe,,,\n"
      "eve@example.com,,true\n"
      "\"joe@example.com\",,0,,'; DROP TABLE users; --,\n",
      GenericFormat::kCsv);
  EXPECT_EQ(s.users_created, 2);
  ASSERT_EQ(s.skipped.size(), 2u);
  EXPECT_EQ(s.skipped[0].line, 5);
  EXPECT_THAT(s.skipped[0].reason, HasSubstr("email_verified must be true or false"));
  EXPECT_EQ(s.skipped[1].line, 6);
  EXPECT_THAT(s.skipped[1].reason, HasSubstr("3 fields, the header 6"));
  store::User ann = UserByEmail("ann@example.com");
  EXPECT_TRUE(ann.email_verified);
  EXPECT_THAT(ann.roles, ElementsAre("editor", "admin"));
  EXPECT_THAT(ann.profile_json, HasSubstr(R"("name":"Smith, Ann \"Annie\"")"));
  EXPECT_THAT(ann.profile_json, HasSubstr(R"("formatted":"1 Main St\nBerlin")"));
  EXPECT_THAT(UserByEmail("joe@example.com").profile_json, HasSubstr("DROP TABLE users"));
}

TEST_F(GenericImportTest, ACsvRowOverTheLimitIsSkippedAndTheNextOneRead) {
  std::string big = "email,profile.about\n" "ann@example.com,\"" +
                    std::string(JsonRecordReader::kMaxRecordBytes + 10, 'x') + ",\n,\"\n" +
                    "bob@example.com,hi\n";
  auto s = ImportGeneric(big, GenericFormat::kCsv);
  EXPECT_EQ(s.users_created, 1);
  ASSERT_EQ(s.skipped.size(), 1u);
  EXPECT_EQ(s.skipped[0].line, 2);
  EXPECT_THAT(s.skipped[0].reason, HasSubstr("larger than 1 MiB"));
  EXPECT_EQ(UserByEmail("bob@example.com").email, "bob@example.com");
}

TEST_F(GenericImportTest, ACsvHeaderWithAnUnknownColumnStopsBeforeAnyRow) {
  auto s = ImportGeneric("email,password\nann@example.com,secret\n", GenericFormat::kCsv);
  ASSERT_TRUE(s.stopped);
  EXPECT_THAT(*s.stopped, HasSubstr("unknown column \"password\""));
  EXPECT_EQ(s.users_created, 0);
  auto t = ImportGeneric("username\nann\n", GenericFormat::kCsv);
  ASSERT_TRUE(t.stopped);
  EXPECT_THAT(*t.stopped, HasSubstr("no email column"));
}

}  // namespace
}  // namespace tessera::services
