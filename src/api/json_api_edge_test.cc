// The JSON APIs' HTTP edge cases, through the router and the handlers' Response(Request&)
// with the real services (tests/support/handler_harness.h): what a malformed, mistyped,
// oversized or hostile request is answered, in RFC 9457 problems.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/handler_harness.h"

namespace tessera::testing_support {
namespace {

std::string TypeOf(const http::Response& res) {
  auto body = JsonOf(res);
  return body.contains("type") ? std::string(body.at("type").as_string()) : "";
}

class JsonApiEdgeTest : public HandlerHarness {
 protected:
  void SetUp() override {
    HandlerHarness::SetUp();
    ada_ = MakeUser(app_, "ada@example.com");
  }
  store::User ada_;
};

TEST_F(JsonApiEdgeTest, MalformedJsonIsA400) {
  for (std::string body : {"{\"login\": ", "{'login': 'ada'}", "nul", "{\"a\":1,}"}) {
    http::Response res = Json(bh::verb::post, "/apps/default/api/login", body);
    EXPECT_EQ(res.status, 400u) << body;
    EXPECT_EQ(res.content_type, "application/problem+json");
    EXPECT_EQ(TypeOf(res), "urn:tessera:problem:malformed-request") << body;
    EXPECT_TRUE(std::string(JsonOf(res).at("detail").as_string()).starts_with("malformed JSON"));
  }
  http::Response array = Json(bh::verb::post, "/apps/default/api/login", "[1, 2]");
  EXPECT_EQ(array.status, 400u);
  EXPECT_EQ(JsonOf(array).at("detail").as_string(), "the JSON body must be an object");
}

TEST_F(JsonApiEdgeTest, NestingBeyondTheLimitIsMalformed) {
  // 32 levels at most: a deep document must not exhaust the stack.
  std::string deep = "{\"profile\":" + std::string(40, '[') + std::string(40, ']') + "}";
  http::Response res = Json(bh::verb::post, "/apps/default/api/signup", deep);
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(TypeOf(res), "urn:tessera:problem:malformed-request");
}

TEST_F(JsonApiEdgeTest, AnotherMediaTypeIs415) {
  const std::string body = R"({"login": "ada@example.com", "password": "x"})";
  for (std::string type :
       {"text/plain", "application/x-www-form-urlencoded", "application/jsonp", ""}) {
    http::Response res =
        Json(bh::verb::post, "/apps/default/api/login", body, {{"Content-Type", type}});
    EXPECT_EQ(res.status, 415u) << type;
    EXPECT_EQ(TypeOf(res), "urn:tessera:problem:unsupported-media-type") << type;
    EXPECT_EQ(JsonOf(res).at("detail").as_string(), "the body must be application/json");
  }
  // Parameters and case do not matter.
  for (std::string type : {"application/json; charset=utf-8", "Application/JSON"}) {
    http::Response res = Json(bh::verb::post, "/apps/default/api/login",
                              R"({"login": "ada@example.com", "password": "a sturdy passphrase"})",
                              {{"Content-Type", type}});
    EXPECT_EQ(res.status, 200u) << type << ": " << res.body;
  }
}

TEST_F(JsonApiEdgeTest, EveryFieldProblemIsListedAtOnce) {
  http::Response res = Json(bh::verb::post, "/apps/default/api/signup",
                            R"({"email": 5, "username": ["ada"], "admin": true, "profile": "x"})");
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(TypeOf(res), "urn:tessera:problem:validation-error");
  EXPECT_EQ(ProblemFields(res),
            (std::vector<std::string>{"email", "password", "username", "profile", "admin"}));
  auto errors = JsonOf(res).at("errors").as_array();
  EXPECT_EQ(errors[0].as_object().at("message").as_string(), "must be a string");
  EXPECT_EQ(errors[1].as_object().at("message").as_string(), "is required");
  EXPECT_EQ(errors[3].as_object().at("message").as_string(), "must be an object");
  EXPECT_EQ(errors[4].as_object().at("message").as_string(), "unknown field");
  EXPECT_EQ(users_->Count(app_).value(), 1);  // only ada: nothing was created
}

TEST_F(JsonApiEdgeTest, NestedMembersAreNamedByTheirPath) {
  store::User dev = MakeUser(console_app_, "dev@example.com");
  std::string bearer = BearerFor(console_app_, dev);
  http::Response created = Json(bh::verb::post, "/api/console/apps",
                                R"({"slug": "shop", "name": "Shop"})", {{"Authorization", bearer}});
  ASSERT_EQ(created.status, 201u) << created.body;
  http::Response res = Json(bh::verb::patch, "/api/console/apps/shop",
                            R"({"settings": {"allow_signup": "yes", "colour": "red"}, "nme": 1})",
                            {{"Authorization", bearer}});
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(ProblemFields(res),
            (std::vector<std::string>{"settings.allow_signup", "settings.colour", "nme"}));
}

TEST_F(JsonApiEdgeTest, NulIsRefusedWhereTheDatabaseWouldStoreIt) {
  store::User dev = MakeUser(console_app_, "dev@example.com");
  http::Response res =
      Json(bh::verb::post, "/api/console/apps", "{\"slug\": \"shop\", \"name\": \"a\\u0000b\"}",
           {{"Authorization", BearerFor(console_app_, dev)}});
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(ProblemFields(res), std::vector<std::string>{"name"});
  EXPECT_NE(res.body.find("must not contain NUL characters"), std::string::npos);
  // A password is only hashed, never stored as text: the end users' API passes it on.
  http::Response signup = Json(bh::verb::post, "/apps/default/api/signup",
                               "{\"email\": \"nul@example.com\", "
                               "\"password\": \"long pass\\u0000phrase here\"}");
  EXPECT_EQ(signup.status, 201u) << signup.body;
}

TEST_F(JsonApiEdgeTest, UnicodeAndMetacharactersRoundTripAsData) {
  const std::string hostile = "Zoë 😀 <script>alert(1)</script> \"'; DROP TABLE users; --";
  std::string bearer = BearerFor(app_, ada_);
  boost::json::object patch{{"profile", boost::json::object{{"name", hostile}}}};
  http::Response res = Json(bh::verb::patch, "/apps/default/api/me", boost::json::serialize(patch),
                            {{"Authorization", bearer}});
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(res.content_type, "application/json");  // never rendered as HTML
  EXPECT_EQ(JsonOf(res).at("profile").as_object().at("name").as_string(), hostile);
  http::Response me =
      Serve(MakeRequest(bh::verb::get, "/apps/default/api/me", "", {{"Authorization", bearer}}));
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(JsonOf(me).at("profile").as_object().at("name").as_string(), hostile);
  EXPECT_TRUE(accounts_->GetUser(app_, ada_.id).ok());  // the users table is still there
}

TEST_F(JsonApiEdgeTest, QueriesTakeOnlyKnownBoundedParameters) {
  store::User dev = MakeUser(console_app_, "dev@example.com");
  std::string bearer = BearerFor(console_app_, dev);
  ASSERT_EQ(Json(bh::verb::post, "/api/console/apps", R"({"slug": "shop", "name": "Shop"})",
                 {{"Authorization", bearer}})
                .status,
            201u);
  auto list = [&](const std::string& query) {
    return Serve(MakeRequest(bh::verb::get, "/api/console/apps/shop/users" + query, "",
                             {{"Authorization", bearer}}));
  };
  EXPECT_EQ(list("").status, 200u);
  EXPECT_EQ(list("?limit=5&search=a%2Bb").status, 200u);
  http::Response unknown = list("?sort=email");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_EQ(ProblemFields(unknown), std::vector<std::string>{"sort"});
  EXPECT_EQ(ProblemFields(list("?limit=0")), std::vector<std::string>{"limit"});
  EXPECT_EQ(ProblemFields(list("?search=" + std::string(513, 'a'))),
            std::vector<std::string>{"search"});
  EXPECT_EQ(ProblemFields(list("?search=%FF")), std::vector<std::string>{"search"});
  http::Response repeated = list("?limit=1&limit=2");
  EXPECT_EQ(repeated.status, 400u);
  EXPECT_EQ(TypeOf(repeated), "urn:tessera:problem:malformed-request");
}

TEST_F(JsonApiEdgeTest, TheConsoleApiRefusesANonMemberAsIfTheAppDidNotExist) {
  store::User owner = MakeUser(console_app_, "owner@example.com");
  store::User other = MakeUser(console_app_, "other@example.com");
  ASSERT_EQ(Json(bh::verb::post, "/api/console/apps", R"({"slug": "shop", "name": "Shop"})",
                 {{"Authorization", BearerFor(console_app_, owner)}})
                .status,
            201u);
  std::string bearer = BearerFor(console_app_, other);
  http::Response theirs =
      Serve(MakeRequest(bh::verb::get, "/api/console/apps/shop", "", {{"Authorization", bearer}}));
  http::Response none =
      Serve(MakeRequest(bh::verb::get, "/api/console/apps/nope", "", {{"Authorization", bearer}}));
  EXPECT_EQ(theirs.status, 404u);
  EXPECT_EQ(theirs.body, none.body);
  http::Response anonymous = Serve(MakeRequest(bh::verb::get, "/api/console/apps/shop"));
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_TRUE(HeaderOf(anonymous, "WWW-Authenticate").has_value());
}

TEST_F(JsonApiEdgeTest, AnOptionalBodyMayBeEmpty) {
  // Logout without a body falls back to the Bearer token: none here, so 401 — not 415.
  http::Response res = Serve(MakeRequest(bh::verb::post, "/apps/default/api/logout"));
  EXPECT_EQ(res.status, 401u) << res.body;
  http::Response typed =
      Json(bh::verb::post, "/apps/default/api/logout", "{}", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(typed.status, 415u);
}

}  // namespace
}  // namespace tessera::testing_support
