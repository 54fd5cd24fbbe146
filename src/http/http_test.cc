// The HTTP layer without sockets: routing and the problem writer.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/problem.h"
#include "http/router.h"

namespace tessera::http {
namespace {

Request At(std::string path) {
  Request r;
  r.path = std::move(path);
  return r;
}

TEST(Router, MatchesTemplatesAndExtractsParams) {
  Metrics m;
  Router router(m);
  router.Add(beast_http::verb::get, "/apps/{app}/api/me", [](Request&) { return NoContent(); });
  router.Add(beast_http::verb::delete_, "/apps/{app}/api/me/tokens/{id}",
             [](Request&) { return NoContent(); });
  Request r = At("/apps/acme/api/me/tokens/t-1");
  RouteMatch match = router.Match(beast_http::verb::delete_, r);
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(r.Param("app"), "acme");
  EXPECT_EQ(r.Param("id"), "t-1");

  Request head = At("/apps/acme/api/me");
  EXPECT_NE(router.Match(beast_http::verb::head, head).route, nullptr);  // HEAD serves GET

  Request wrong = At("/apps/acme/api/me");
  RouteMatch m405 = router.Match(beast_http::verb::post, wrong);
  EXPECT_EQ(m405.route, nullptr);
  EXPECT_EQ(m405.status, 405u);
  EXPECT_EQ(m405.allow, "GET");

  for (std::string p : {"/apps/acme/api/me/", "/apps//api/me", "/apps/acme/api", "/x"}) {
    Request miss = At(p);
    RouteMatch none = router.Match(beast_http::verb::get, miss);
    EXPECT_EQ(none.route, nullptr) << p;
    EXPECT_EQ(none.status, 404u) << p;
  }
}

TEST(Problem, MapsStatusesAndHidesInternalDetail) {
  Response v = ProblemResponse(ValidationError({{"email", "is required"}}));
  EXPECT_EQ(v.status, 400u);
  EXPECT_EQ(v.content_type, "application/problem+json");
  auto body = boost::json::parse(v.body).as_object();
  EXPECT_EQ(body["type"].as_string(), "urn:tessera:problem:validation-error");
  EXPECT_EQ(body["errors"].as_array()[0].as_object()["field"].as_string(), "email");

  Response internal = ProblemResponse(InternalError("sqlite step: no such table users at /src/x.cc"));
  EXPECT_EQ(internal.status, 500u);
  EXPECT_EQ(internal.body.find("sqlite"), std::string::npos);
  EXPECT_EQ(internal.body.find("/src"), std::string::npos);

  Response busy = ProblemResponse(ResourceExhaustedError("queue full"));
  EXPECT_EQ(busy.status, 503u);
  bool retry_after = false;
  for (auto& [k, val] : busy.headers) retry_after |= (k == "Retry-After");
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(ProblemResponse(UnauthenticatedError("x")).status, 401u);
  EXPECT_EQ(ProblemResponse(AlreadyExistsError("email")).status, 409u);
  EXPECT_EQ(ProblemResponse(NotFoundError("x")).status, 404u);
}

}  // namespace
}  // namespace tessera::http
