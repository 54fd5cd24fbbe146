// Reading requests (http/json_body, query, form): the one strict JSON reader, the query
// readers and the form body, on requests built without a network.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/form.h"
#include "http/json_body.h"
#include "http/query.h"

namespace tessera::http {
namespace {

Request WithBody(std::string content_type, std::string body) {
  Request r;
  r.raw.method(beast_http::verb::post);
  r.raw.target("/x");
  if (!content_type.empty()) r.raw.set(beast_http::field::content_type, content_type);
  r.raw.body() = std::move(body);
  return r;
}

Request At(std::string target) {
  Request r;
  r.raw.method(beast_http::verb::get);
  r.raw.target(target);
  return r;
}

std::vector<std::string> Fields(const Status& s) {
  std::vector<std::string> out;
  for (const auto& e : s.field_errors()) out.push_back(e.field + ": " + e.message);
  return out;
}

TEST(JsonBody, ReadsEachTypeAndReportsEveryProblem) {
  auto body = JsonBody::Parse(
      WithBody("application/json",
               R"({"s": "x", "n": 7, "b": true, "a": ["p", "q"], "o": {"k": 1}, "z": null,
          "zn": null, "nn": 3, "bad_n": 1.5, "bad_nn": "4", "bad_a": [1], "extra": 0})"));
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(body->String("s"), "x");
  EXPECT_EQ(body->Integer("n"), 7);
  EXPECT_EQ(body->Bool("b"), true);
  EXPECT_EQ(body->StringArray("a"), (std::vector<std::string>{"p", "q"}));
  EXPECT_TRUE(body->Object("o").has_value());
  auto z = body->NullableString("z");
  ASSERT_TRUE(z.has_value());
  EXPECT_FALSE(z->has_value());  // present and null
  auto zn = body->NullableInteger("zn");
  ASSERT_TRUE(zn.has_value());
  EXPECT_FALSE(zn->has_value());  // present and null
  auto nn = body->NullableInteger("nn");
  ASSERT_TRUE(nn.has_value());
  EXPECT_EQ(nn->value_or(0), 3);
  EXPECT_FALSE(body->NullableInteger("absent_n").has_value());
  EXPECT_FALSE(body->Integer("bad_n").has_value());
  EXPECT_FALSE(body->NullableInteger("bad_nn").has_value());
  EXPECT_FALSE(body->StringArray("bad_a").has_value());
  EXPECT_FALSE(body->String("missing", /*required=*/true).has_value());
  EXPECT_FALSE(body->String("absent").has_value());
  Status s = body->Finish();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(s), (std::vector<std::string>{"bad_n: must be an integer",
                                                 "bad_nn: must be an integer or null",
                                                 "bad_a: must be an array of strings",
                                                 "missing: is required", "extra: unknown field"}));
}

TEST(JsonBody, NestedObjectsNameTheirMembersByPath) {
  auto body = JsonBody::Parse(WithBody("application/json", R"({"settings": {"on": 1, "x": 2}})"));
  ASSERT_TRUE(body.ok());
  auto nested = body->Nested("settings");
  ASSERT_TRUE(nested.has_value());
  EXPECT_FALSE(nested->Bool("on").has_value());
  body->Absorb(*nested);
  EXPECT_EQ(Fields(body->Finish()), (std::vector<std::string>{"settings.on: must be true or false",
                                                              "settings.x: unknown field"}));
}

TEST(JsonBody, ValueIsTheMemberAsSentForTheEndpointToJudge) {
  auto body = JsonBody::Parse(WithBody("application/json", R"({"o": {"k": [1]}, "z": null, "n": 2})"));
  ASSERT_TRUE(body.ok());
  const boost::json::value* o = body->Value("o");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(*o, (boost::json::object{{"k", boost::json::array{1}}}));
  ASSERT_NE(body->Value("z"), nullptr);
  EXPECT_TRUE(body->Value("z")->is_null());
  EXPECT_EQ(body->Value("absent"), nullptr);
  ASSERT_NE(body->Value("n"), nullptr);
  body->Fail("n", "must be an object");  // the endpoint's own judgement
  EXPECT_EQ(Fields(body->Finish()), (std::vector<std::string>{"n: must be an object"}));
}

TEST(JsonBody, NulIsAFieldErrorUnlessTheRulesPassTextOn) {
  const std::string json = "{\"s\": \"a\\u0000b\", \"a\": [\"\\u0000\"]}";
  auto strict = JsonBody::Parse(WithBody("application/json", json));
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->String("s").has_value());
  EXPECT_FALSE(strict->StringArray("a").has_value());
  EXPECT_EQ(strict->Finish().field_errors().size(), 2u);
  auto lenient = JsonBody::Parse(WithBody("application/json", json), {.refuse_nul = false});
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->String("s"), std::string("a\0b", 3));
  EXPECT_TRUE(lenient->StringArray("a").has_value());
  EXPECT_TRUE(lenient->Finish().ok());
}

TEST(JsonBody, MediaTypeShapeAndEmptyBodies) {
  EXPECT_TRUE(IsUnsupportedMediaType(JsonBody::Parse(WithBody("text/json", "{}")).status()));
  EXPECT_TRUE(IsUnsupportedMediaType(JsonBody::Parse(WithBody("", "{}")).status()));
  EXPECT_TRUE(JsonBody::Parse(WithBody("application/JSON ; charset=utf-8", "{}")).ok());
  auto array = JsonBody::Parse(WithBody("application/json", "[]"));
  EXPECT_EQ(array.status().message(), "the JSON body must be an object");
  EXPECT_FALSE(IsUnsupportedMediaType(array.status()));
  EXPECT_FALSE(JsonBody::Parse(WithBody("application/json", "")).ok());
  // An optional body may be empty whatever its media type; a non-empty one is still checked.
  EXPECT_TRUE(JsonBody::Parse(WithBody("", ""), {.allow_empty = true}).ok());
  EXPECT_FALSE(JsonBody::Parse(WithBody("text/plain", "{}"), {.allow_empty = true}).ok());
}

TEST(JsonBody, ReadJsonAnswersProblems) {
  auto read = [](const Request& req) {
    return ReadJson(req, [](JsonBody& b) { b.String("name", true); });
  };
  EXPECT_FALSE(read(WithBody("application/json", R"({"name": "ok"})")).has_value());
  auto wrong_type = read(WithBody("text/plain", "{}"));
  ASSERT_TRUE(wrong_type.has_value());
  EXPECT_EQ(wrong_type->status, 415u);
  EXPECT_EQ(wrong_type->content_type, "application/problem+json");
  auto malformed = read(WithBody("application/json", "{"));
  ASSERT_TRUE(malformed.has_value());
  EXPECT_EQ(malformed->status, 400u);
  EXPECT_NE(malformed->body.find("malformed-request"), std::string::npos);
  auto invalid = read(WithBody("application/json", R"({"nam": "typo"})"));
  ASSERT_TRUE(invalid.has_value());
  EXPECT_NE(invalid->body.find("validation-error"), std::string::npos);
  EXPECT_NE(invalid->body.find("\"field\":\"nam\""), std::string::npos);
}

TEST(Query, LenientReaderTakesEveryParameterOnce) {
  EXPECT_TRUE(ReadQuery(At("/p"))->empty());
  auto q = ReadQuery(At("/p?a=1&b=x+y&c=%C3%A9&d"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(FormValue(*q, "b"), "x y");
  EXPECT_EQ(FormValue(*q, "c"), "é");
  EXPECT_TRUE(q->contains("d"));
  EXPECT_FALSE(ReadQuery(At("/p?a=1&a=2")).ok());  // RFC 6749 §3.1
  EXPECT_FALSE(ReadQuery(At("/p?a=%ZZ")).ok());
}

TEST(Query, StrictReaderNamesEachBadParameter) {
  auto ok = ReadKnownQuery(At("/p?limit=5"), {"limit", "search"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(LimitOf(*ok, 50, 200).value(), 5);
  EXPECT_EQ(LimitOf({}, 50, 200).value(), 50);
  for (std::string limit : {"0", "201", "x", "+1", "", "99999999999999999999"}) {
    EXPECT_FALSE(LimitOf({{"limit", limit}}, 50, 200).ok()) << limit;
  }
  auto bad = ReadKnownQuery(At("/p?sort=1&search=%00&limit=" + std::string(600, '9')),
                            {"limit", "search"});
  EXPECT_EQ(Fields(bad.status()),
            (std::vector<std::string>{"limit: is too long",
                                      "search: must be UTF-8 text without NUL characters",
                                      "sort: unknown query parameter"}));
  auto repeated = ReadKnownQuery(At("/p?limit=1&limit=2"), {"limit"});
  EXPECT_EQ(repeated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(repeated.status().field_errors().empty());
}

TEST(Form, TheBodyMustBeAForm) {
  auto form =
      ReadFormBody(WithBody("application/x-www-form-urlencoded; charset=UTF-8", "a=1&b=%20"));
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(FormValue(*form, "b"), " ");
  EXPECT_EQ(ReadFormBody(WithBody("application/json", "a=1")).status().message(),
            "the body must be application/x-www-form-urlencoded");
  EXPECT_FALSE(ReadFormBody(WithBody("application/x-www-form-urlencoded", "a=1&a=2")).ok());
}

}  // namespace
}  // namespace tessera::http
