// SessionStore conformance: browser sessions (a cookie, an idle timeout, an absolute lifetime).
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

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
  EXPECT_EQ(got->kind, SessionKind::kBrowser);
  auto by_id = store().GetSession(app.id, s.id);
  ASSERT_OK(by_id);
  ExpectSameSession(*by_id, s);
  // Listed with the other kinds.
  AddSession(u, "rt-api");
  EXPECT_EQ(ActiveSessionIds(app.id, u.id, kT0 + kMinute).size(), 2u);

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
  ASSERT_OK(store().RevokeSession(app.id, u.id, s2.id, RevokeReason::kLogout, kT0 + kMinute));
  EXPECT_CODE(store().GetBrowserSession(app.id, "cookie-3", kT0 + 2 * kMinute, kIdle),
              StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, BrowserSessionIsAlwaysKindBrowser) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + kDay);  // kind kApi by default
  ASSERT_OK(store().CreateBrowserSession(s, "cookie-1"));
  auto got = store().GetBrowserSession(app.id, "cookie-1", kT0 + 1, kHour);
  ASSERT_OK(got);
  EXPECT_EQ(got->kind, SessionKind::kBrowser);
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
  EXPECT_CLASH(store().CreateBrowserSession(s2, "cookie-1"), SessionUniqueKey::kCookieHash);
  EXPECT_CODE(store().GetSession(app.id, s2.id), StatusCode::kNotFound);
  Session dup = MakeBrowserSession(u, kT0, kT0 + kDay);
  dup.id = s.id;
  EXPECT_CLASH(store().CreateBrowserSession(dup, "cookie-2"), SessionUniqueKey::kId);
  // Sessions without a cookie never clash with each other.
  ASSERT_OK(store().CreateSession(MakeSession(u, kT0, kT0 + kDay), std::nullopt));
  ASSERT_OK(store().CreateSession(MakeSession(u, kT0, kT0 + kDay), std::nullopt));
}

}  // namespace
}  // namespace tessera::store::test
