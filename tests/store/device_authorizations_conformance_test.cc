// DeviceAuthorizationStore conformance (RFC 8628 device authorizations): created, found by
// either code's hash within their app only, updated atomically, collected a day past expiry.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

using Kind = DeviceAuthorizationStore::CodeKind;

DeviceAuthorization MakeDevice(const App& app, const std::string& name, UnixMillis created,
                               UnixMillis expires) {
  DeviceAuthorization d;
  d.device_code_hash = "device-" + name;
  d.user_code_hash = "user-" + name;
  d.app_id = app.id;
  d.client_id = "tv-client";
  d.scope = "openid offline_access";
  d.interval_s = 5;
  d.created_at = created;
  d.expires_at = expires;
  return d;
}

void ExpectSameDevice(const DeviceAuthorization& got, const DeviceAuthorization& want) {
  using D = DeviceAuthorization;
  ExpectSameFields(got, want, FIELD(D, device_code_hash), FIELD(D, user_code_hash),
                   FIELD(D, app_id), FIELD(D, client_id), FIELD(D, scope), FIELD(D, status),
                   FIELD(D, interval_s), FIELD(D, last_polled_at), FIELD(D, created_at),
                   FIELD(D, expires_at), FIELD(D, decided_at), FIELD(D, user_id),
                   FIELD(D, session_id), FIELD(D, browser_session_id), FIELD(D, auth_time),
                   FIELD(D, amr), FIELD(D, idp));
}

TEST_P(StoreConformanceTest, DeviceAuthorizationIsFoundByEitherCodeInItsAppOnly) {
  App app = AddApp("default");
  App other = AddApp("other");
  DeviceAuthorization d = MakeDevice(app, "a", kT0, kT0 + 10 * kMinute);
  ASSERT_OK(store().CreateDeviceAuthorization(d));
  auto by_device = store().GetDeviceAuthorization(app.id, Kind::kDeviceCode, "device-a");
  ASSERT_OK(by_device);
  ExpectSameDevice(*by_device, d);
  auto by_user = store().GetDeviceAuthorization(app.id, Kind::kUserCode, "user-a");
  ASSERT_OK(by_user);
  ExpectSameDevice(*by_user, d);
  // The kinds do not mix, and another app sees nothing.
  EXPECT_CODE(store().GetDeviceAuthorization(app.id, Kind::kUserCode, "device-a"),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetDeviceAuthorization(other.id, Kind::kDeviceCode, "device-a"),
              StatusCode::kNotFound);
  EXPECT_CODE(store().UpdateDeviceAuthorization(other.id, Kind::kDeviceCode, "device-a",
                                                [](DeviceAuthorization&) { return OkStatus(); }),
              StatusCode::kNotFound);

  // A user code is unique across apps (the domain draws another); so is a device code.
  DeviceAuthorization same_user_code = MakeDevice(other, "b", kT0, kT0 + kMinute);
  same_user_code.user_code_hash = "user-a";
  EXPECT_CLASH(store().CreateDeviceAuthorization(same_user_code),
               DeviceAuthorizationUniqueKey::kUserCodeHash);
  DeviceAuthorization same_device_code = MakeDevice(app, "c", kT0, kT0 + kMinute);
  same_device_code.device_code_hash = "device-a";
  EXPECT_CLASH(store().CreateDeviceAuthorization(same_device_code),
               DeviceAuthorizationUniqueKey::kDeviceCodeHash);
}

TEST_P(StoreConformanceTest, DeviceAuthorizationUpdateKeepsItsIdentityAndStoresOnlyOnOk) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  DeviceAuthorization d = MakeDevice(app, "a", kT0, kT0 + 10 * kMinute);
  ASSERT_OK(store().CreateDeviceAuthorization(d));

  auto approved = store().UpdateDeviceAuthorization(
      app.id, Kind::kUserCode, "user-a", [&](DeviceAuthorization& r) {
        r.status = DeviceAuthorizationStatus::kApproved;
        r.decided_at = kT0 + kMinute;
        r.user_id = u.id;
        r.session_id = "session-1";
        r.browser_session_id = "browser-1";
        r.auth_time = kT0 - kHour;
        r.amr = "[\"pwd\",\"otp\"]";
        r.idp = "github";
        r.last_polled_at = kT0 + 30 * kSecond;
        r.interval_s = 10;
        r.scope = "changed";          // kept as created
        r.client_id = "someone-else";  // kept as created
        return OkStatus();
      });
  ASSERT_OK(approved);
  DeviceAuthorization want = d;
  want.status = DeviceAuthorizationStatus::kApproved;
  want.decided_at = kT0 + kMinute;
  want.user_id = u.id;
  want.session_id = "session-1";
  want.browser_session_id = "browser-1";
  want.auth_time = kT0 - kHour;
  want.amr = "[\"pwd\",\"otp\"]";
  want.idp = "github";
  want.last_polled_at = kT0 + 30 * kSecond;
  want.interval_s = 10;
  ExpectSameDevice(*approved, want);
  auto read = store().GetDeviceAuthorization(app.id, Kind::kDeviceCode, "device-a");
  ASSERT_OK(read);
  ExpectSameDevice(*read, want);

  // A mutation that fails stores nothing.
  auto refused = store().UpdateDeviceAuthorization(
      app.id, Kind::kDeviceCode, "device-a", [](DeviceAuthorization& r) {
        r.status = DeviceAuthorizationStatus::kRedeemed;
        return FailedPreconditionError("no");
      });
  EXPECT_CODE(refused, StatusCode::kFailedPrecondition);
  read = store().GetDeviceAuthorization(app.id, Kind::kDeviceCode, "device-a");
  ASSERT_OK(read);
  EXPECT_EQ(read->status, DeviceAuthorizationStatus::kApproved);
  EXPECT_THAT(QueryTexts("SELECT status FROM device_authorizations"), ElementsAre("approved"));
}

// Of concurrent redemptions of one approved authorization exactly one sees it approved.
TEST_P(StoreConformanceTest, DeviceAuthorizationIsRedeemedOnceUnderConcurrency) {
  App app = AddApp("default");
  DeviceAuthorization d = MakeDevice(app, "a", kT0, kT0 + 10 * kMinute);
  d.status = DeviceAuthorizationStatus::kApproved;
  ASSERT_OK(store().CreateDeviceAuthorization(d));
  auto results = ConcurrentResults(6, [&](int) {
    bool redeemed = false;
    auto r = store().UpdateDeviceAuthorization(
        app.id, Kind::kDeviceCode, "device-a", [&](DeviceAuthorization& r) {
          redeemed = r.status == DeviceAuthorizationStatus::kApproved;
          r.status = DeviceAuthorizationStatus::kRedeemed;
          return OkStatus();
        });
    return r.ok() && redeemed;
  });
  int winners = 0;
  for (const auto& won : results) winners += won.value_or(false) ? 1 : 0;
  EXPECT_EQ(winners, 1);
}

TEST_P(StoreConformanceTest, CollectGarbageRemovesDeviceAuthorizationsADayPastExpiry) {
  App app = AddApp("default");
  const UnixMillis now = kT0 + 100 * kDay;
  ASSERT_OK(store().CreateDeviceAuthorization(MakeDevice(app, "old", now - 3 * kDay, now - 2 * kDay)));
  ASSERT_OK(store().CreateDeviceAuthorization(MakeDevice(app, "recent", now - kHour, now - kMinute)));
  ASSERT_OK(store().CreateDeviceAuthorization(MakeDevice(app, "live", now, now + kMinute)));
  ExpectCollected(now, {.device_authorizations = 1});
  EXPECT_THAT(QueryTexts("SELECT device_code_hash FROM device_authorizations ORDER BY 1"),
              ElementsAre("device-live", "device-recent"));
}

}  // namespace
}  // namespace tessera::store::test
