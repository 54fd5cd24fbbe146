// AppStore conformance: creating, finding, listing and updating apps.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

// Settings with members away from their defaults.
AppSettings SomeSettings() {
  AppSettings s;
  s.allow_signup = false;
  s.require_verified_email = true;
  s.access_token_ttl_s = 900;
  s.mail_from = "Ünïcode Co <no-reply@example.com>";
  s.redirect_uris = {"https://app.example/done"};
  return s;
}

// ---------------------------------------------------------------------------------------
// Create, get, list

TEST_P(StoreConformanceTest, CreateAndGetApp) {
  App a = MakeApp("default");
  a.disabled = true;
  a.settings = SomeSettings();
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
  EXPECT_CLASH(store().CreateApp(MakeApp("default")), AppUniqueKey::kSlug);
  auto apps = store().ListApps();
  ASSERT_OK(apps);
  EXPECT_EQ(apps->size(), 1u);
}

TEST_P(StoreConformanceTest, AppIdClashNamesId) {
  App a = AddApp("one");
  App dup = MakeApp("two");
  dup.id = a.id;
  EXPECT_CLASH(store().CreateApp(dup), AppUniqueKey::kId);
  EXPECT_CODE(store().GetAppBySlug("two"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, GetAppById) {
  App a = MakeApp("default");
  a.disabled = true;
  a.settings.allow_signup = false;
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

// ---------------------------------------------------------------------------------------
// Updates

TEST_P(StoreConformanceTest, UpdateAppSettingsRoundTrip) {
  App app = AddApp("default");
  App other = AddApp("other");
  ASSERT_OK(store().UpdateAppSettings(app.id, SomeSettings()));
  auto got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  App want = app;
  want.settings = SomeSettings();
  ExpectSameApp(*got, want);
  auto untouched = store().GetAppBySlug("other");
  ASSERT_OK(untouched);
  ExpectSameApp(*untouched, other);
  // Replaced, not merged; the same value again is fine.
  ASSERT_OK(store().UpdateAppSettings(app.id, AppSettings{}));
  ASSERT_OK(store().UpdateAppSettings(app.id, AppSettings{}));
  got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  EXPECT_EQ(got->settings, AppSettings{});
  EXPECT_CODE(store().UpdateAppSettings(NewId(), AppSettings{}), StatusCode::kNotFound);
}

// The column holds the settings' JSON (tenancy/app_settings.h), written by the one serializer
// and parsed when the app is read: members it does not know are left out, a mistyped one
// takes its default, and a row written before any settings existed ('{}') reads as the
// defaults.
TEST_P(StoreConformanceTest, AppSettingsAreTheSettingsJsonColumn) {
  App app = AddApp("default");
  ASSERT_OK(store().UpdateAppSettings(app.id, SomeSettings()));
  EXPECT_THAT(QueryTexts("SELECT settings_json FROM apps WHERE slug = 'default'"),
              ElementsAre(SerializeAppSettings(SomeSettings())));

  ASSERT_OK(ExecSql(
      "UPDATE apps SET settings_json = $1 WHERE id = $2",
      {R"({"allow_signup":false,"registration":"closed","password_min_length":"x"})", app.id}));
  auto got = store().GetAppById(app.id);
  ASSERT_OK(got);
  AppSettings want;
  want.allow_signup = false;
  EXPECT_EQ(got->settings, want);
  ASSERT_OK(ExecSql("UPDATE apps SET settings_json = '{}' WHERE id = $1", {app.id}));
  got = store().GetAppBySlug("default");
  ASSERT_OK(got);
  EXPECT_EQ(got->settings, AppSettings{});
}

TEST_P(StoreConformanceTest, UpdateAppChangesOnlyNameDisabledAndSettings) {
  App app = AddApp("default");
  App other = AddApp("other");
  App want = app;
  want.name = "Renamed <'\"&> ünïcode";
  want.disabled = true;
  want.settings.mail_from = "no-reply@example.com";

  auto updated = store().UpdateApp(app.id, [&](App& cur) {
    ExpectSameApp(cur, app);  // sees the current row
    cur.name = want.name;
    cur.disabled = want.disabled;
    cur.settings = want.settings;
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
    cur.settings.magic_link_login = false;
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
  std::atomic<int> failures{0};
  RunConcurrently(kThreads, [&](int i) {
    for (int round = 0; round < kRounds; ++round) {
      auto r = store().UpdateApp(app.id, [&](App& cur) {
        cur.name += static_cast<char>('a' + i);
        return OkStatus();
      });
      if (!r.ok()) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  auto got = store().GetAppById(app.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->name.size(), static_cast<size_t>(kThreads * kRounds)) << got->name;
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(std::count(got->name.begin(), got->name.end(), static_cast<char>('a' + i)), kRounds)
        << got->name;
  }
}

}  // namespace
}  // namespace tessera::store::test
