// Issue 11, item 10: text that is not UTF-8 is refused at the edge, naming the field (forms,
// queries, JSON bodies), headers kept for display are repaired, and JSON output is always
// valid UTF-8 whatever bytes a stored string holds.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/json_util.h"
#include "base/utf8.h"
#include "http/client_headers.h"
#include "http/form.h"
#include "http/json_body.h"
#include "http/message.h"
#include "http/query.h"

namespace tessera::http {
namespace {

std::vector<std::string> Fields(const Status& s) {
  std::vector<std::string> out;
  for (const auto& e : s.field_errors()) out.push_back(e.field + ": " + e.message);
  return out;
}

TEST(Utf8, RefusesOverlongSurrogatesAndBeyondUnicode) {
  EXPECT_TRUE(IsValidUtf8("zoë 🔐 \xEF\xBF\xBD"));
  for (std::string bad : {"\xFF", "a\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\x80"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << ::testing::PrintToString(bad);
  }
}

TEST(Utf8, ReplacesEachMaximalIllFormedSubpartOnce) {
  EXPECT_EQ(ToValidUtf8("ok"), "ok");
  EXPECT_EQ(ToValidUtf8("a\xFF\xFE" "b"), "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
  EXPECT_EQ(ToValidUtf8("a\xE2\x82" "b"), "a\xEF\xBF\xBD" "b");  // a cut sequence: one U+FFFD
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ToValidUtf8("x\xC3"), "x\xEF\xBF\xBD");
}

TEST(Utf8, DisplayTextRepairsDropsControlsAndCutsAtACharacter) {
  EXPECT_EQ(DisplayText("Mozilla\xFF/5.0\r\n\x7F\xC2\x85", 100), "Mozilla\xEF\xBF\xBD/5.0");
  EXPECT_EQ(DisplayText("ab\xC3\xA9", 3), "ab");  // é does not fit: cut before it
  EXPECT_EQ(DisplayText(std::string(600, 'a'), 512).size(), 512u);
}

TEST(Utf8Edge, FormValueOrNameNotUtf8IsRefusedNamingTheField) {
  auto form = ParseForm("csrf_token=t&email=bad%FF%FEuser%40example.com");
  ASSERT_FALSE(form.ok());
  EXPECT_TRUE(IsNotUtf8Form(form.status()));
  EXPECT_EQ(form.status().message(), "parameter 'email' is not valid UTF-8 text");
  EXPECT_EQ(Fields(form.status()), std::vector<std::string>{"email: must be valid UTF-8 text"});
  auto name = ParseForm("e%FFmail=x");
  ASSERT_FALSE(name.ok());
  EXPECT_TRUE(IsNotUtf8Form(name.status()));
  EXPECT_TRUE(IsValidUtf8(name.status().message()));  // the name is shown repaired
  EXPECT_TRUE(ParseForm("email=z%C3%B6e%40example.com").ok());
  EXPECT_FALSE(IsNotUtf8Form(ParseForm("a=%Z1").status()));  // malformed, not a UTF-8 matter
}

TEST(Utf8Edge, QueryNotUtf8IsAFieldError) {
  Request r;
  r.raw.method(beast_http::verb::get);
  r.raw.target("/x?search=%FF");
  EXPECT_FALSE(ReadQuery(r).ok());
  auto known = ReadKnownQuery(r, {"search"});
  ASSERT_FALSE(known.ok());
  EXPECT_EQ(Fields(known.status()), std::vector<std::string>{"search: must be valid UTF-8 text"});
}

TEST(Utf8Edge, JsonStringNotUtf8IsAFieldErrorNamingIt) {
  Request r;
  r.raw.method(beast_http::verb::post);
  r.raw.target("/x");
  r.raw.set(beast_http::field::content_type, "application/json");
  r.raw.body() = "{\"email\":\"bad\xFF\",\"profile\":{\"name\":\"\xC0\xAF\"},\"ok\":\"zoë\"}";
  auto body = JsonBody::Parse(r);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(Fields(body.status()),
            (std::vector<std::string>{"email: must be valid UTF-8 text",
                                      "profile.name: must be valid UTF-8 text"}));
}

TEST(Utf8Edge, UserAgentIsRepairedNotRefused) {
  Request r;
  r.raw.set(beast_http::field::user_agent, "Mozilla\xFF/5.0");
  EXPECT_EQ(DisplayUserAgent(r), "Mozilla\xEF\xBF\xBD/5.0");
}

TEST(Utf8Edge, JsonOutputIsValidUtf8WhateverIsStored) {
  boost::json::object o{{"email", "old\xFFrow@example.com"}, {"ok", "zoë"}};
  Response res = JsonResponse(200, o);
  ASSERT_TRUE(IsValidUtf8(res.body));
  auto back = boost::json::parse(res.body).as_object();
  EXPECT_EQ(back["email"].as_string(), "old\xEF\xBF\xBDrow@example.com");
  EXPECT_EQ(back["ok"].as_string(), "zoë");
}

}  // namespace
}  // namespace tessera::http
