// MailDomainStore conformance: an app's claims on sender domains and their verification
// (issue 11, item 8). The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gtest/gtest.h>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, MailDomainClaimsArePerAppAndVerifiedOnce) {
  App app = AddApp("default");
  App other = AddApp("other");
  EXPECT_CODE(store().GetMailDomain(app.id, "example.org"), StatusCode::kNotFound);
  EXPECT_CODE(store().MarkMailDomainVerified(app.id, "example.org", kT0), StatusCode::kNotFound);

  MailDomain claim{app.id, "example.org", "tok-1", kT0, std::nullopt};
  ASSERT_OK(store().CreateMailDomain(claim));
  EXPECT_CLASH(store().CreateMailDomain(MailDomain{app.id, "example.org", "tok-2", kT0 + 1, {}}),
               MailDomainUniqueKey::kAppDomain);
  // Another app claims the same domain with its own token; neither sees the other's.
  ASSERT_OK(store().CreateMailDomain(MailDomain{other.id, "example.org", "tok-o", kT0, {}}));

  auto got = store().GetMailDomain(app.id, "example.org");
  ASSERT_OK(got);
  EXPECT_EQ(got->app_id, app.id);
  EXPECT_EQ(got->domain, "example.org");
  EXPECT_EQ(got->token, "tok-1");
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->verified_at, std::nullopt);

  ASSERT_OK(store().MarkMailDomainVerified(app.id, "example.org", kT0 + kMinute));
  got = store().GetMailDomain(app.id, "example.org");
  ASSERT_OK(got);
  EXPECT_EQ(got->verified_at, kT0 + kMinute);
  EXPECT_EQ(got->token, "tok-1");
  auto others = store().GetMailDomain(other.id, "example.org");
  ASSERT_OK(others);
  EXPECT_EQ(others->token, "tok-o");
  EXPECT_EQ(others->verified_at, std::nullopt);
  EXPECT_CODE(store().GetMailDomain(app.id, "example.com"), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tessera::store::test
