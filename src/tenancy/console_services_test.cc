// The developer console's services over a real (SQLite) store and a manual clock:
// per-app settings (parse, serialize, validate), apps (AppService: create, update, disable)
// and the console's membership rules (DeveloperConsoleService), with the audit events each
// records. API keys and OAuth clients: console_credentials_test.cc; users and the per-app
// settings in effect: console_users_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/console_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_console;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
namespace json = boost::json;

// ---------------------------------------------------------------------------------------
// AppSettings

AppSettings EveryMemberSet() {
  AppSettings s;
  s.allow_signup = false;
  s.require_verified_email = true;
  s.email_code_login = false;
  s.magic_link_login = false;
  s.password_min_length = 12;
  s.access_token_ttl_s = 120;
  s.refresh_token_ttl_s = 7200;
  s.mail_from = "Acme <acme@example.com>";
  s.mail_sender_name = "Acme Support";
  s.redirect_uris = {"https://acme.example/cb", "com.acme.app:/cb"};
  s.display_name = "Acme Inc.";
  s.logo_url = "https://cdn.example/logo.png";
  s.accent_color = "#1a73e8";
  return s;
}

TEST(AppSettingsTest, SerializeThenParseKeepsEveryMember) {
  AppSettings in = EveryMemberSet();
  ASSERT_TRUE(ValidateAppSettings(in).ok());
  AppSettings out = ParseAppSettings(SerializeAppSettings(in));
  EXPECT_EQ(out.allow_signup, false);
  EXPECT_EQ(out.require_verified_email, true);
  EXPECT_EQ(out.email_code_login, false);
  EXPECT_EQ(out.magic_link_login, false);
  EXPECT_EQ(out.password_min_length, 12);
  EXPECT_EQ(out.access_token_ttl_s, 120);
  EXPECT_EQ(out.refresh_token_ttl_s, 7200);
  EXPECT_EQ(out.mail_from, "Acme <acme@example.com>");
  EXPECT_EQ(out.mail_sender_name, "Acme Support");
  EXPECT_THAT(out.redirect_uris, ElementsAre("https://acme.example/cb", "com.acme.app:/cb"));
  EXPECT_EQ(out.display_name, "Acme Inc.");
  EXPECT_EQ(out.logo_url, "https://cdn.example/logo.png");
  EXPECT_EQ(out.accent_color, "#1a73e8");
  // Stable: a second round gives the same text.
  EXPECT_EQ(SerializeAppSettings(out), SerializeAppSettings(in));
}

TEST(AppSettingsTest, DefaultsRoundTripAndBadInputGivesDefaults) {
  AppSettings d = ParseAppSettings(SerializeAppSettings(AppSettings{}));
  EXPECT_TRUE(d.allow_signup);
  EXPECT_FALSE(d.require_verified_email);
  EXPECT_TRUE(d.email_code_login);
  EXPECT_TRUE(d.magic_link_login);
  EXPECT_EQ(d.password_min_length, 0);
  EXPECT_EQ(d.access_token_ttl_s, 0);
  EXPECT_EQ(d.refresh_token_ttl_s, 0);
  EXPECT_THAT(d.redirect_uris, IsEmpty());
  EXPECT_EQ(d.mail_from, "");
  // Zero and empty members are left out of the JSON.
  json::object o = json::parse(SerializeAppSettings(AppSettings{})).as_object();
  EXPECT_FALSE(o.contains("password_min_length"));
  EXPECT_FALSE(o.contains("mail_from"));
  EXPECT_FALSE(o.contains("logo_url"));

  for (const std::string& text : {std::string("not json"), std::string("[1,2]"), std::string(""),
                                  std::string("{\"allow_signup\":\"no\",\"password_min_length\":"
                                              "\"12\",\"redirect_uris\":[1,\"https://a.example/\"]}")}) {
    AppSettings s = ParseAppSettings(text);
    EXPECT_TRUE(s.allow_signup) << text;
    EXPECT_EQ(s.password_min_length, 0) << text;
  }
  // Wrongly typed entries of the list are skipped, the rest kept.
  AppSettings partial =
      ParseAppSettings("{\"redirect_uris\":[1,\"https://a.example/\"],\"accent_color\":7}");
  EXPECT_THAT(partial.redirect_uris, ElementsAre("https://a.example/"));
  EXPECT_EQ(partial.accent_color, "");
}

// The one field a single bad member is reported under.
std::vector<std::string> FieldsOf(const AppSettings& s) {
  Status st = ValidateAppSettings(s);
  if (st.ok()) return {};
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  return Fields(st);
}

TEST(AppSettingsTest, ValidateNamesTheFieldOfEachRangeError) {
  AppSettings s;
  EXPECT_TRUE(ValidateAppSettings(s).ok());
  EXPECT_TRUE(ValidateAppSettings(EveryMemberSet()).ok());

  for (int len : {0, 8, 64, 128}) {
    s = {};
    s.password_min_length = len;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << len;
  }
  for (int len : {7, 129, -1}) {
    s = {};
    s.password_min_length = len;
    EXPECT_THAT(FieldsOf(s), ElementsAre("password_min_length")) << len;
  }
  for (int64_t ttl : {0, 60, 86400}) {
    s = {};
    s.access_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << ttl;
  }
  for (int64_t ttl : {59, 86401}) {
    s = {};
    s.access_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), ElementsAre("access_token_ttl_s")) << ttl;
  }
  for (int64_t ttl : {0, 3600, 31536000}) {
    s = {};
    s.refresh_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << ttl;
  }
  for (int64_t ttl : {3599, 31536001}) {
    s = {};
    s.refresh_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), ElementsAre("refresh_token_ttl_s")) << ttl;
  }
}

TEST(AppSettingsTest, ValidateNamesTheFieldOfEachFormatError) {
  AppSettings s;
  for (const char* c : {"#12345g", "red", "#1234567", "123456", "#12345"}) {
    s = {};
    s.accent_color = c;
    EXPECT_THAT(FieldsOf(s), ElementsAre("accent_color")) << c;
  }
  for (const char* c : {"#1a73e8", "#ABCDEF"}) {
    s = {};
    s.accent_color = c;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << c;
  }

  for (const char* url : {"javascript:alert(1)", "http://evil.example/x.png",
                          "data:image/png;base64,AAAA", "//cdn.example/x.png", "https://"}) {
    s = {};
    s.logo_url = url;
    EXPECT_THAT(FieldsOf(s), ElementsAre("logo_url")) << url;
  }
  for (const char* url : {"https://cdn.example/logo.png", "http://127.0.0.1:9/x.png"}) {
    s = {};
    s.logo_url = url;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << url;
  }

  for (const char* from : {"not an address", "Name <no-at-sign>", "@example.com", "a@"}) {
    s = {};
    s.mail_from = from;
    EXPECT_THAT(FieldsOf(s), ElementsAre("mail_from")) << from;
  }
  for (const char* from : {"acme@example.com", "Acme <acme@example.com>"}) {
    s = {};
    s.mail_from = from;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << from;
  }

  for (const std::string& name : {std::string("Acme\nBcc: x@evil.example"), std::string("Acme\r"),
                                  std::string("Acme <x@evil.example>"), std::string("A \"q\""),
                                  std::string(101, 'a')}) {
    s = {};
    s.mail_sender_name = name;
    EXPECT_THAT(FieldsOf(s), ElementsAre("mail_sender_name")) << name;
  }
  s = {};
  s.mail_sender_name = "Acme Support";
  EXPECT_THAT(FieldsOf(s), IsEmpty());

  s = {};
  s.display_name = std::string(101, 'x');
  EXPECT_THAT(FieldsOf(s), ElementsAre("display_name"));

  for (const char* uri : {"http://example.com/cb", "https://example.com/cb#frag", "not a uri"}) {
    s = {};
    s.redirect_uris = {"https://ok.example/cb", uri};
    EXPECT_THAT(FieldsOf(s), ElementsAre("redirect_uris")) << uri;
  }
  s = {};
  for (int i = 0; i < 21; ++i) s.redirect_uris.push_back("https://a.example/" + std::to_string(i));
  EXPECT_THAT(FieldsOf(s), ElementsAre("redirect_uris"));
  s.redirect_uris.pop_back();
  EXPECT_THAT(FieldsOf(s), IsEmpty());

  // Several bad members at once: each is named.
  s = {};
  s.password_min_length = 7;
  s.accent_color = "red";
  s.logo_url = "javascript:alert(1)";
  EXPECT_THAT(FieldsOf(s), UnorderedElementsAre("password_min_length", "accent_color", "logo_url"));
}

// ---------------------------------------------------------------------------------------
// AppService

class ConsoleAppServiceTest : public ConsoleFixture {};

TEST_F(ConsoleAppServiceTest, CreateFindAndListAll) {
  Actor actor{"developer", "dev-1", "203.0.113.7", "Console/1.0"};
  store::App a = apps_->Create("acme", "Acme", actor).value();
  EXPECT_EQ(a.slug, "acme");
  EXPECT_EQ(a.name, "Acme");
  EXPECT_FALSE(a.disabled);
  EXPECT_EQ(a.created_at, kStart);

  store::App found = apps_->Find("acme").value();
  EXPECT_EQ(found.id, a.id);
  EXPECT_EQ(apps_->Find("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(apps_->Find("Bad Slug").status().code(), StatusCode::kNotFound);

  auto taken = apps_->Create("acme", "Again", actor);
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Fields(taken.status()), ElementsAre("slug"));
  EXPECT_THAT(Fields(apps_->Create("-bad", "X", actor).status()), ElementsAre("slug"));
  EXPECT_THAT(Fields(apps_->Create("ok-slug", "", actor).status()), ElementsAre("name"));
  EXPECT_THAT(Fields(apps_->Create("ok-slug", "two\nlines", actor).status()), ElementsAre("name"));

  std::vector<std::string> slugs;
  for (const auto& x : apps_->ListAll().value()) slugs.push_back(x.slug);
  EXPECT_THAT(slugs, UnorderedElementsAre("default", "console", "acme"));

  auto created = Events(a.id, "app.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].actor_type, "developer");
  EXPECT_EQ(created[0].actor_id, "dev-1");
  EXPECT_EQ(created[0].subject_id, a.id);
  EXPECT_EQ(created[0].ip, "203.0.113.7");
}

TEST_F(ConsoleAppServiceTest, UpdateChangesNameAndSettingsAndAuditsNamesOnly) {
  store::App a = NewApp("acme", "Acme");
  Actor actor = MakeActor("developer", "dev-1");
  AppSettings s;
  s.password_min_length = 12;
  s.mail_sender_name = "Acme Support";
  clock_.Advance(1000);
  store::App updated = apps_->Update("acme", std::string("Acme Corp"), s, actor).value();
  EXPECT_EQ(updated.name, "Acme Corp");
  AppSettings stored = ParseAppSettings(apps_->Find("acme").value().settings_json);
  EXPECT_EQ(stored.password_min_length, 12);
  EXPECT_EQ(stored.mail_sender_name, "Acme Support");
  EXPECT_EQ(apps_->Find("acme").value().name, "Acme Corp");
  // The cache is dropped: Resolve sees the change at once.
  EXPECT_EQ(ParseAppSettings(apps_->Resolve("acme").value().settings_json).password_min_length, 12);

  // A second change: only what differs is named.
  clock_.Advance(1000);
  s.accent_color = "#1a73e8";
  s.password_min_length = 10;
  ASSERT_TRUE(apps_->Update("acme", std::nullopt, s, actor).ok());

  auto events = Events(a.id, "app.settings_changed");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].actor_type, "developer");
  EXPECT_EQ(events[1].actor_id, "dev-1");
  EXPECT_EQ(events[1].subject_type, "app");
  EXPECT_EQ(events[1].subject_id, a.id);
  EXPECT_THAT(ChangedNames(events[1]), UnorderedElementsAre("accent_color", "password_min_length"));
  // Never the values.
  for (const auto& e : events) {
    EXPECT_THAT(e.details_json, Not(HasSubstr("Acme Support")));
    EXPECT_THAT(e.details_json, Not(HasSubstr("#1a73e8")));
    EXPECT_THAT(e.details_json, Not(HasSubstr("12")));
    EXPECT_THAT(e.details_json, Not(HasSubstr("Acme Corp")));
  }
  EXPECT_THAT(ChangedNames(events[0]),
              UnorderedElementsAre("name", "password_min_length", "mail_sender_name"));
}

TEST_F(ConsoleAppServiceTest, FirstUpdateOfAFreshAppNamesOnlyRealChanges) {
  store::App a = NewApp("acme", "Acme");  // settings_json "{}": every member at its default
  AppSettings s;
  s.password_min_length = 12;
  ASSERT_TRUE(apps_->Update("acme", std::nullopt, s, MakeActor("developer", "dev-1")).ok());
  auto events = Events(a.id, "app.settings_changed");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("password_min_length"));
}

TEST_F(ConsoleAppServiceTest, InvalidUpdateLeavesTheAppUnchanged) {
  store::App a = NewApp("acme", "Acme");
  AppSettings good;
  good.accent_color = "#000000";
  ASSERT_TRUE(apps_->Update("acme", std::nullopt, good, MakeActor("developer", "dev-1")).ok());
  std::string before = apps_->Find("acme").value().settings_json;
  size_t events_before = Events(a.id).size();

  AppSettings bad = good;
  bad.password_min_length = 7;
  bad.display_name = "New name";
  auto r = apps_->Update("acme", std::string("Renamed"), bad, MakeActor("developer", "dev-1"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(r.status()), ElementsAre("password_min_length"));
  // A bad name with good settings is refused too.
  r = apps_->Update("acme", std::string(""), good, MakeActor("developer", "dev-1"));
  EXPECT_THAT(Fields(r.status()), ElementsAre("name"));

  store::App after = apps_->Find("acme").value();
  EXPECT_EQ(after.name, "Acme");
  EXPECT_EQ(after.settings_json, before);
  EXPECT_EQ(Events(a.id).size(), events_before);  // nothing recorded
  EXPECT_EQ(apps_->Update("nope", std::nullopt, good, Actor{}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ConsoleAppServiceTest, DisabledAppIsNotFoundUntilEnabledAgain) {
  store::App a = NewApp("acme", "Acme");
  ASSERT_TRUE(apps_->Resolve("acme").ok());  // cached now
  Actor op{"admin", "op-1", "192.0.2.1", "Admin/1.0"};

  store::App off = apps_->SetDisabled("acme", true, op).value();
  EXPECT_TRUE(off.disabled);
  EXPECT_EQ(apps_->Resolve("acme").status().code(), StatusCode::kNotFound);
  // The consoles still see it, marked.
  EXPECT_TRUE(apps_->Find("acme").value().disabled);

  clock_.Advance(1000);
  store::App on = apps_->SetDisabled("acme", false, op).value();
  EXPECT_FALSE(on.disabled);
  EXPECT_EQ(apps_->Resolve("acme").value().id, a.id);

  EXPECT_EQ(apps_->SetDisabled("nope", true, op).status().code(), StatusCode::kNotFound);
  // Nobody could sign in to undo it: the console app cannot be disabled.
  EXPECT_EQ(apps_->SetDisabled("console", true, op).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(apps_->Find("console").value().disabled);
  EXPECT_TRUE(apps_->Resolve("console").ok());

  auto disabled = Events(a.id, "app.disabled");
  auto enabled = Events(a.id, "app.enabled");
  ASSERT_EQ(disabled.size(), 1u);
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(disabled[0].actor_type, "admin");
  EXPECT_EQ(disabled[0].actor_id, "op-1");
  EXPECT_EQ(disabled[0].subject_id, a.id);
  EXPECT_EQ(disabled[0].at, kStart);
  EXPECT_EQ(enabled[0].actor_id, "op-1");
  EXPECT_EQ(enabled[0].at, kStart + 1000);
}

// ---------------------------------------------------------------------------------------
// DeveloperConsoleService

class ConsoleDeveloperTest : public ConsoleFixture {};

TEST_F(ConsoleDeveloperTest, EnsureConsoleAppIsIdempotent) {
  std::string id = console_app_.id;
  ASSERT_TRUE(console_->EnsureConsoleApp().ok());
  ASSERT_TRUE(console_->EnsureConsoleApp().ok());
  EXPECT_EQ(apps_->Find("console").value().id, id);
  int consoles = 0;
  for (const auto& a : apps_->ListAll().value()) consoles += a.slug == "console";
  EXPECT_EQ(consoles, 1);
  EXPECT_EQ(Events(id, "app.created").size(), 1u);
}

TEST_F(ConsoleDeveloperTest, CreateAppMakesTheCreatorOwnerAndListAppsShowsOnlyMine) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  AppAccess a1 = console_->CreateApp(ada, "ada-one", "Ada One", DeveloperActor(ada)).value();
  clock_.Advance(1000);
  AppAccess a2 = console_->CreateApp(ada, "ada-two", "Ada Two", DeveloperActor(ada)).value();
  AppAccess b1 = console_->CreateApp(bob, "bob-one", "Bob One", DeveloperActor(bob)).value();
  EXPECT_EQ(a1.role, "owner");
  EXPECT_TRUE(a1.may_manage_members());
  EXPECT_EQ(store_->GetAppMember(a1.app.id, ada.id).value().role, "owner");

  std::vector<std::string> mine;
  for (const auto& x : console_->ListApps(ada).value()) {
    mine.push_back(x.app.slug);
    EXPECT_EQ(x.role, "owner");
  }
  EXPECT_THAT(mine, ElementsAre("ada-one", "ada-two"));  // oldest first
  std::vector<std::string> bobs;
  for (const auto& x : console_->ListApps(bob).value()) bobs.push_back(x.app.slug);
  EXPECT_THAT(bobs, ElementsAre("bob-one"));

  // A taken slug: nothing created, no membership.
  auto dup = console_->CreateApp(bob, "ada-one", "Mine now", DeveloperActor(bob));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetAppMember(a1.app.id, bob.id).status().code(), StatusCode::kNotFound);
  auto console_slug = console_->CreateApp(bob, "console", "Console", DeveloperActor(bob));
  EXPECT_EQ(console_slug.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(console_->ListApps(bob).value().size(), 1u);

  auto created = Events(a2.app.id, "app.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].actor_type, "developer");
  EXPECT_EQ(created[0].actor_id, ada.id);
  (void)b1;
}

TEST_F(ConsoleDeveloperTest, AccessByMembershipRoleOrOperator) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  store::User eve = Developer("eve@example.com");
  store::User op = Operator("op@example.com");
  ASSERT_TRUE(DeveloperConsoleService::IsOperator(op));
  ASSERT_FALSE(DeveloperConsoleService::IsOperator(ada));
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  ASSERT_TRUE(console_->AddMember(owner, "bob@example.com", "member", DeveloperActor(ada)).ok());

  EXPECT_EQ(console_->Access(ada, "acme").value().role, "owner");
  AppAccess member = console_->Access(bob, "acme").value();
  EXPECT_EQ(member.role, "member");
  EXPECT_FALSE(member.may_manage_members());
  EXPECT_EQ(member.app.id, owner.app.id);
  // A non-member gets exactly what an unknown app gets.
  auto none = console_->Access(eve, "acme");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(eve, "no-such-app").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(), console_->Access(eve, "no-such-app").status().message());

  // Operators see every app, the console app included; nobody else sees the console app.
  EXPECT_EQ(console_->Access(op, "acme").value().role, "operator");
  EXPECT_EQ(console_->Access(op, "default").value().role, "operator");
  AppAccess console_access = console_->Access(op, "console").value();
  EXPECT_EQ(console_access.role, "operator");
  EXPECT_EQ(console_access.app.id, console_app_.id);
  EXPECT_TRUE(console_access.may_manage_members());
  EXPECT_EQ(console_->Access(ada, "console").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(eve, "console").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(ada, "default").status().code(), StatusCode::kNotFound);

  // A disabled app stays visible to its members (marked).
  ASSERT_TRUE(apps_->SetDisabled("acme", true, MakeActor("admin", op.id)).ok());
  AppAccess disabled = console_->Access(ada, "acme").value();
  EXPECT_TRUE(disabled.app.disabled);
  // A disabled operator is no operator.
  store::User stale_op = op;
  stale_op.disabled = true;
  EXPECT_FALSE(DeveloperConsoleService::IsOperator(stale_op));
  EXPECT_EQ(console_->Access(stale_op, "acme").status().code(), StatusCode::kNotFound);
}

TEST_F(ConsoleDeveloperTest, AddMemberRules) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  Developer("carol@example.com");
  MakeUser(app_, "enduser@example.com");  // a user of another app, not a developer
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();

  MemberView added =
      console_->AddMember(owner, "  BOB@Example.com ", "member", DeveloperActor(ada)).value();
  EXPECT_EQ(added.member.user_id, bob.id);
  EXPECT_EQ(added.member.role, "member");
  EXPECT_EQ(added.email, "bob@example.com");

  // A member cannot manage members.
  AppAccess as_bob = console_->Access(bob, "acme").value();
  auto denied = console_->AddMember(as_bob, "carol@example.com", "member", DeveloperActor(bob));
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);

  auto unknown = console_->AddMember(owner, "nobody@example.com", "member", DeveloperActor(ada));
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(unknown.status()), ElementsAre("email"));
  auto not_dev = console_->AddMember(owner, "enduser@example.com", "member", DeveloperActor(ada));
  EXPECT_EQ(not_dev.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(not_dev.status()), ElementsAre("email"));
  auto malformed = console_->AddMember(owner, "not an address", "member", DeveloperActor(ada));
  EXPECT_THAT(Fields(malformed.status()), ElementsAre("email"));

  auto dup = console_->AddMember(owner, "bob@example.com", "owner", DeveloperActor(ada));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetAppMember(owner.app.id, bob.id).value().role, "member");  // unchanged

  for (const char* role : {"admin", "operator", "", "Owner"}) {
    auto bad = console_->AddMember(owner, "carol@example.com", role, DeveloperActor(ada));
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << role;
    EXPECT_THAT(Fields(bad.status()), ElementsAre("role")) << role;
  }

  std::vector<std::string> emails;
  for (const auto& m : console_->ListMembers(owner).value()) emails.push_back(m.email);
  EXPECT_THAT(emails, ElementsAre("ada@example.com", "bob@example.com"));

  auto events = Events(owner.app.id, "app.member_added");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_type, "developer");
  EXPECT_EQ(events[0].actor_id, ada.id);
  EXPECT_EQ(events[0].subject_type, "developer");
  EXPECT_EQ(events[0].subject_id, bob.id);
  EXPECT_EQ(json::parse(events[0].details_json).at("role").as_string(), "member");
}

TEST_F(ConsoleDeveloperTest, OperatorManagesMembersOfAnyApp) {
  store::User ada = Developer("ada@example.com");
  Developer("bob@example.com");
  store::User op = Operator("op@example.com");
  console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  AppAccess as_op = console_->Access(op, "acme").value();
  MemberView m = console_->AddMember(as_op, "bob@example.com", "owner", MakeActor("admin", op.id)).value();
  EXPECT_EQ(m.member.role, "owner");
}

TEST_F(ConsoleDeveloperTest, RemoveMemberKeepsTheLastOwner) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  store::User carol = Developer("carol@example.com");
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  ASSERT_TRUE(console_->AddMember(owner, "carol@example.com", "member", DeveloperActor(ada)).ok());

  Status last = console_->RemoveMember(owner, ada.id, DeveloperActor(ada));
  EXPECT_EQ(last.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->GetAppMember(owner.app.id, ada.id).ok());

  // A member cannot remove anyone.
  AppAccess as_carol = console_->Access(carol, "acme").value();
  EXPECT_EQ(console_->RemoveMember(as_carol, ada.id, DeveloperActor(carol)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(console_->RemoveMember(owner, "not-a-member", DeveloperActor(ada)).code(),
            StatusCode::kNotFound);

  ASSERT_TRUE(console_->AddMember(owner, "bob@example.com", "owner", DeveloperActor(ada)).ok());
  // With two owners either may go; then the other is the last one.
  clock_.Advance(1000);
  EXPECT_TRUE(console_->RemoveMember(owner, bob.id, DeveloperActor(ada)).ok());
  EXPECT_EQ(store_->GetAppMember(owner.app.id, bob.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(bob, "acme").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->RemoveMember(owner, ada.id, DeveloperActor(ada)).code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(1000);
  EXPECT_TRUE(console_->RemoveMember(owner, carol.id, DeveloperActor(ada)).ok());

  auto removed = Events(owner.app.id, "app.member_removed");
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].subject_id, bob.id);
  EXPECT_EQ(removed[0].actor_id, ada.id);
  EXPECT_EQ(json::parse(removed[0].details_json).at("role").as_string(), "owner");
  EXPECT_EQ(removed[1].subject_id, carol.id);
  EXPECT_EQ(json::parse(removed[1].details_json).at("role").as_string(), "member");
}

// The console app is nobody's app: an operator cannot add members to it, and a developer's
// list never shows it.
TEST_F(ConsoleDeveloperTest, ConsoleAppHasNoMembersAndIsInNoList) {
  store::User op = Operator("op@example.com");
  store::User dev = Developer("dev@example.com");
  AppAccess console_access = console_->Access(op, "console").value();
  Status added =
      console_->AddMember(console_access, "dev@example.com", "member", MakeActor("admin", op.id))
          .status();
  EXPECT_EQ(added.code(), StatusCode::kFailedPrecondition);
  std::vector<std::string> slugs;
  for (const auto& x : console_->ListApps(dev).value()) slugs.push_back(x.app.slug);
  EXPECT_THAT(slugs, Not(::testing::Contains("console")));
  EXPECT_TRUE(console_->Access(dev, "console").status().IsNotFound());
}

}  // namespace
}  // namespace tessera::services
