// The console's small text rules of issue 13: the audit log's details and times in words,
// and the one-time reveal of a new secret (POST/redirect/GET).
#include <gtest/gtest.h>

#include <string>

#include "web/audit_table.h"
#include "crypto/random.h"
#include "http/message.h"
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

// The browser's next request, carrying what `r` set (the reveal cookie, if any).
http::Request NextRequest(const http::Response& r) {
  http::Request req;
  for (const auto& [name, value] : r.headers) {
    if (name != "Set-Cookie") continue;
    req.raw.set(http::beast_http::field::cookie, value.substr(0, value.find(';')));
  }
  return req;
}

const std::string* SetCookieOf(const http::Response& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Set-Cookie") return &value;
  }
  return nullptr;
}

TEST(SecretRevealsTest, ShownToItsOwnerOnAnyNodeAndNowhereElse) {
  ManualClock clock(1'800'000'000'000);
  const std::string master = crypto::RandomBytes(32);
  SecretReveals node1(master, clock, true), node2(master, clock, true);
  http::Response redirect;
  std::string id = node1.Put(redirect, "session-1|app|key|k1", "tsk_secret");
  const std::string* cookie = SetCookieOf(redirect);
  ASSERT_NE(cookie, nullptr);
  EXPECT_EQ(cookie->find("tsk_secret"), std::string::npos) << "the cookie is sealed";
  EXPECT_EQ(id.find("tsk_secret"), std::string::npos) << "the id is not the secret";
  EXPECT_NE(cookie->find("__Host-tessera_reveal="), std::string::npos);
  EXPECT_NE(cookie->find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie->find("Secure"), std::string::npos);

  http::Request next = NextRequest(redirect);
  EXPECT_EQ(node2.Take(next, id, "session-1|app|key|k1"), "tsk_secret") << "another node";
  EXPECT_EQ(node2.Take(next, id, "session-2|app|key|k1"), std::nullopt) << "another session";
  EXPECT_EQ(node2.Take(next, id, "session-1|app|key|k2"), std::nullopt) << "another key";
  EXPECT_EQ(node2.Take(next, "rv_other", "session-1|app|key|k1"), std::nullopt) << "another id";
  SecretReveals other_server(crypto::RandomBytes(32), clock, true);
  EXPECT_EQ(other_server.Take(next, id, "session-1|app|key|k1"), std::nullopt);
  EXPECT_EQ(node1.Take(http::Request{}, id, "session-1|app|key|k1"), std::nullopt) << "no cookie";

  // A forged cookie (one bit flipped) opens nowhere.
  http::Request forged = next;
  std::string value(forged.raw[http::beast_http::field::cookie]);
  value[value.size() - 3] = value[value.size() - 3] == 'A' ? 'B' : 'A';
  forged.raw.set(http::beast_http::field::cookie, value);
  EXPECT_EQ(node1.Take(forged, id, "session-1|app|key|k1"), std::nullopt);

  // The page that showed it deletes the cookie: a reload has nothing to show.
  http::Response page;
  node2.Forget(page);
  ASSERT_NE(SetCookieOf(page), nullptr);
  EXPECT_NE(SetCookieOf(page)->find("Max-Age=0"), std::string::npos);

  // Expired after its lifetime even if the browser kept it.
  clock.Advance(std::chrono::milliseconds(SecretReveals::kLifetime).count());
  EXPECT_EQ(node1.Take(next, id, "session-1|app|key|k1"), std::nullopt);
}

}  // namespace
}  // namespace tessera::web
