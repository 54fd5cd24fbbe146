// Issue 11, item 11, the migration of stored email keys (accounts/email_identity_doctor.h) on
// each engine: rows keyed by the old rule (ASCII lower-casing only) that now share a key are
// reported and left alone; every other outdated row gets its new key; a second run finds
// nothing to do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accounts/email_identity_doctor.h"
#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

using services::EmailIdentityDoctor;

TEST_P(StoreConformanceTest, EmailDoctorReportsCollisionsAndNormalizesTheRest) {
  App app = AddApp("default");
  App other = AddApp("other");
  // Three spellings of one mailbox, stored under the old rule: three accounts.
  User u_label = AddUser(app, "ana@bücher.de");
  User upper = AddUser(app, "ana@BÜCHER.de");  // old key "ana@bÜcher.de": Ü was not lowered
  User a_label = AddUser(app, "ana@xn--bcher-kva.de");
  // Outdated, but alone with its key (also alone in its app: apps do not collide).
  User zoe = AddUser(app, "ZOË@Exämple.de");
  User zoe_other = AddUser(other, "zoë@exämple.de");
  User plain = AddUser(app, "Plain@Example.com");  // ASCII: the key of before is current

  EmailIdentityDoctor doctor(store(), store());
  auto dry = doctor.Run(/*apply=*/false);
  ASSERT_OK(dry);
  EXPECT_EQ(dry->checked, 6);
  EXPECT_EQ(dry->outdated, 4);  // two of the colliding (a_label's key is current), zoë twice
  EXPECT_EQ(dry->normalized, 0);
  ASSERT_EQ(dry->collisions.size(), 1u);
  EXPECT_EQ(dry->collisions[0].app_slug, "default");
  EXPECT_EQ(dry->collisions[0].key, "ana@xn--bcher-kva.de");
  EXPECT_THAT(dry->collisions[0].user_ids, UnorderedElementsAre(u_label.id, upper.id, a_label.id));
  auto unchanged = store().GetUser(app.id, zoe.id);
  ASSERT_OK(unchanged);
  EXPECT_EQ(unchanged->email_normalized, "zoË@exämple.de");  // a report writes nothing

  auto applied = doctor.Run(/*apply=*/true);
  ASSERT_OK(applied);
  EXPECT_EQ(applied->normalized, 2);
  ASSERT_EQ(applied->collisions.size(), 1u);
  auto by_key = store().GetUserByEmail(app.id, "zoë@xn--exmple-cua.de");
  ASSERT_OK(by_key);
  EXPECT_EQ(by_key->id, zoe.id);
  EXPECT_EQ(by_key->email, "zoë@xn--exmple-cua.de");
  auto in_other = store().GetUserByEmail(other.id, "zoë@xn--exmple-cua.de");
  ASSERT_OK(in_other);
  EXPECT_EQ(in_other->id, zoe_other.id);
  // The colliding accounts are all still there, each with its old key: nothing merged.
  for (const User& u : {u_label, upper, a_label, plain}) {
    auto still = store().GetUser(app.id, u.id);
    ASSERT_OK(still);
    EXPECT_EQ(still->email_normalized, u.email_normalized);
  }

  auto again = doctor.Run(/*apply=*/true);
  ASSERT_OK(again);
  EXPECT_EQ(again->normalized, 0);
  EXPECT_EQ(again->outdated, 2);  // only the collision is left, for the operator
}

}  // namespace
}  // namespace tessera::store::test
