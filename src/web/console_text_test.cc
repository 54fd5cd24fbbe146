// The console's small text rules of issue 13: the audit log's details and times in words,
// and the one-time reveal of a new secret (POST/redirect/GET).
#include <gtest/gtest.h>

#include <string>

#include "web/audit_table.h"
#include "web/secret_reveals.h"

namespace tessera::web {
namespace {

TEST(AuditDetailsTextTest, JsonBecomesASentence) {
  EXPECT_EQ(AuditDetailsText("{}"), "");
  EXPECT_EQ(AuditDetailsText(""), "");
  EXPECT_EQ(AuditDetailsText(R"({"reason":"unknown_account"})"), "Reason: unknown account");
  EXPECT_EQ(AuditDetailsText(R"({"changed":["name","display_name"]})"),
            "Changed: name, display name");
  EXPECT_EQ(AuditDetailsText(R"({"role":"owner","verified":true,"count":3})"),
            "Role: owner; Verified: yes; Count: 3");
  // Text that is not a code keeps its underscores (an address, a URL).
  EXPECT_EQ(AuditDetailsText(R"({"email":"a_b@example.com"})"), "Email: a_b@example.com");
  EXPECT_EQ(AuditDetailsText("not json"), "not json");
  EXPECT_LE(AuditDetailsText(R"({"x":")" + std::string(1000, 'a') + R"("})").size(), 300u);
}

TEST(AgoTextTest, RoughAndShort) {
  const UnixMillis now = 1'800'000'000'000;
  EXPECT_EQ(AgoText(now, now - 5'000), "just now");
  EXPECT_EQ(AgoText(now, now - 5 * 60'000), "5 min ago");
  EXPECT_EQ(AgoText(now, now - 3 * 3'600'000), "3 h ago");
  EXPECT_EQ(AgoText(now, now - 3 * 86'400'000LL), "3 days ago");
}

TEST(SecretRevealsTest, ShownOnceAndOnlyToItsOwner) {
  SecretReveals reveals;
  std::string id = reveals.Put("session-1|app|key|k1", "tsk_secret");
  EXPECT_EQ(id.find("tsk_secret"), std::string::npos) << "the id is not the secret";
  EXPECT_EQ(reveals.Take(id, "session-2|app|key|k1"), std::nullopt) << "another session";
  EXPECT_EQ(reveals.Take(id, "session-1|app|key|k1"), "tsk_secret");
  EXPECT_EQ(reveals.Take(id, "session-1|app|key|k1"), std::nullopt) << "only once";
  EXPECT_EQ(reveals.Take("rv_unknown", "session-1|app|key|k1"), std::nullopt);
}

TEST(SecretRevealsTest, BoundedNumberHeld) {
  SecretReveals reveals;
  std::string first = reveals.Put("o", "s0");
  for (size_t i = 1; i <= SecretReveals::kMaxHeld; ++i) reveals.Put("o", "s" + std::to_string(i));
  EXPECT_EQ(reveals.Take(first, "o"), std::nullopt) << "the oldest made room";
}

}  // namespace
}  // namespace tessera::web
