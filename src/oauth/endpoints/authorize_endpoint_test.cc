// GET/POST /oauth/authorize and POST /oauth/authorize/decision through their handlers: which
// refusals are pages and which go back to the client, what an answer by redirect carries
// (state exactly as sent, iss), and the way through sign-in and consent (RFC 6749 §4.1.2,
// OIDC Core §3.1.2). The rules themselves: authorize_checks_test.cc and
// authorization_validate_test.cc.
#include <gtest/gtest.h>

#include <regex>

#include "tests/support/oauth_endpoint_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;

class AuthorizeEndpointTest : public OAuthEndpointFixture {
 protected:
  http::Response Authorize(const Params& p, const std::string& cookie = "") {
    Headers h;
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return Send(verb::verb::get, Path("authorize") + "?" + Query(p), "", h);
  }

  // An error page: HTML with the status, and no redirect anywhere.
  static void ExpectErrorPage(const http::Response& r, unsigned status) {
    EXPECT_EQ(r.status, status) << HeaderOf(r, "Location");
    EXPECT_EQ(HeaderOf(r, "Location"), "");
    EXPECT_EQ(r.content_type.rfind("text/html", 0), 0u) << r.content_type;
  }

  // "name=value" of the cookie whose name holds `name_part`, as a response sets it.
  static std::string SetCookiePair(const http::Response& r, std::string_view name_part) {
    for (const auto& [k, v] : r.headers) {
      std::string pair = v.substr(0, v.find(';'));
      if (boost::beast::iequals(k, "Set-Cookie") && pair.find(name_part) != std::string::npos) {
        return pair;
      }
    }
    return "";
  }
};

TEST_F(AuthorizeEndpointTest, RepeatedOrMalformedParametersGetAnErrorPage) {
  store::OAuthClient c = Confidential();
  std::string base = Path("authorize") + "?" + Query(BaseParams(c));
  // Which state (or redirect_uri) would be the real one? Neither: no redirect at all.
  ExpectErrorPage(Send(verb::verb::get, base + "&state=again"), 400);
  ExpectErrorPage(Send(verb::verb::get, base + "&redirect_uri=" + http::FormEncode(kConfidentialRedirect)), 400);
  ExpectErrorPage(Send(verb::verb::get, base + "&nonce=%zz"), 400);
  // The POSTed form of OIDC Core §3.1.2.1 must be a form.
  ExpectErrorPage(Send(verb::verb::post, Path("authorize"), Query(BaseParams(c)),
                       {{"Content-Type", "application/json"}}),
                  400);
  ExpectErrorPage(PostForm(Path("authorize"), Query(BaseParams(c)) + "&scope=openid"), 400);
}

TEST_F(AuthorizeEndpointTest, UntilTheClientAndRedirectUriAreKnownErrorsAreShown) {
  store::OAuthClient c = Confidential();
  store::OAuthClient two = Public();  // two registered redirect URIs
  Params no_client = BaseParams(c);
  no_client.erase("client_id");
  Params unknown = BaseParams(c);
  unknown["client_id"] = "no-such-client";
  Params huge = BaseParams(c);
  huge["client_id"] = std::string(5000, 'c');
  Params evil = BaseParams(c);
  evil["redirect_uri"] = "https://evil.example/cb";
  evil["response_type"] = "token";  // would be redirected, if the URI were good
  Params omitted = BaseParams(two);
  omitted.erase("redirect_uri");
  for (const Params& p : {no_client, unknown, huge, evil, omitted}) {
    http::Response r = Authorize(p);
    ExpectErrorPage(r, 400);
    EXPECT_EQ(r.body.find("evil.example"), std::string::npos) << "the page does not link to it";
  }
  EXPECT_NE(Authorize(unknown).body.find("This application is not registered here."), std::string::npos);
  // And the same for a POSTed request.
  ExpectErrorPage(PostForm(Path("authorize"), Query(evil)), 400);
}

TEST_F(AuthorizeEndpointTest, LaterErrorsGoBackToTheClientWithStateAndIss) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["response_type"] = "token";
  http::Response r = Authorize(p);
  EXPECT_EQ(HeaderOf(r, "Location").rfind(std::string(kConfidentialRedirect) + "?", 0), 0u);
  auto q = RedirectQuery(r);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (Params{{"error", "unsupported_response_type"},
                        {"error_description", "only response_type=code is supported"},
                        {"state", "st-123"},
                        {"iss", issuer_}}));
  // A POSTed request is answered the same way.
  EXPECT_EQ(RedirectQuery(PostForm(Path("authorize"), Query(p))), q);
  // Without a state, none is made up.
  p.erase("state");
  EXPECT_FALSE(RedirectQuery(Authorize(p))->contains("state"));
}

// The fields of a form_post answer, unescaped: what the browser posts.
Params FormPostFields(const http::Response& r) {
  auto unescape = [](std::string v) {
    const std::pair<std::string, std::string> entities[] = {
        {"&quot;", "\""}, {"&apos;", "'"}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
    for (const auto& [e, c] : entities) {
      for (size_t at = v.find(e); at != std::string::npos; at = v.find(e, at + c.size())) {
        v.replace(at, e.size(), c);
      }
    }
    return v;
  };
  Params out;
  static const std::regex input(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re");
  for (std::sregex_iterator it(r.body.begin(), r.body.end(), input), end; it != end; ++it) {
    out[unescape((*it)[1])] = unescape((*it)[2]);
  }
  return out;
}

TEST_F(AuthorizeEndpointTest, FormPostAnswersWithAFormPostedToTheRedirectUri) {
  store::User u = SignUp("ada@example.com");
  std::string cookie = SessionCookie(SignIn(u));
  store::OAuthClient own = Confidential("Own app", /*first_party=*/true);
  Params p = BaseParams(own);
  p["response_mode"] = "form_post";
  p["state"] = "\"><script>alert('x')</script>&amp;";
  http::Response r = Authorize(p, cookie);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(HeaderOf(r, "Location"), "");  // the code is not in any URL
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  std::string csp = HeaderOf(r, "Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(r.body.find("<form id=\"form-post\" method=\"post\" action=\"" +
                        std::string(kConfidentialRedirect) + "\">"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("/form_post.js?v="), std::string::npos);
  EXPECT_EQ(r.body.find("<script>alert"), std::string::npos) << "the state is escaped";
  Params fields = FormPostFields(r);
  EXPECT_EQ(fields.size(), 3u);
  EXPECT_TRUE(fields.contains("code"));
  EXPECT_EQ(fields["state"], p["state"]);
  EXPECT_EQ(fields["iss"], issuer_);

  // Errors after the redirect URI is known go the same way…
  p["response_type"] = "token";
  http::Response error = Authorize(p, cookie);
  ASSERT_EQ(error.status, 200u);
  EXPECT_EQ(FormPostFields(error)["error"], "unsupported_response_type");
  // …but an unknown mode's own error goes by query, and other modes are refused.
  Params fragment = BaseParams(own);
  fragment["response_mode"] = "fragment";
  auto q = RedirectQuery(Authorize(fragment, cookie));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("error"), "invalid_request");
  EXPECT_EQ(q->at("error_description"), "response_mode must be query or form_post");
}

TEST_F(AuthorizeEndpointTest, StateComesBackExactlyAsSent) {
  store::User u = SignUp("ada@example.com");
  std::string cookie = SessionCookie(SignIn(u));
  store::OAuthClient own = Confidential("Own app", /*first_party=*/true);
  for (const std::string& state : std::vector<std::string>{
           "\"><script>alert('x')</script>&amp;<b>+%2B ?#=&x=1",
           "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",  // été ✓ 😀
           "a+b c%20d", std::string(2048, 's')}) {
    SCOPED_TRACE(state.substr(0, 40));
    Params p = BaseParams(own);
    p["state"] = state;
    http::Response code = Authorize(p, cookie);
    auto q = RedirectQuery(code);
    ASSERT_TRUE(q) << code.status;
    EXPECT_TRUE(q->contains("code"));
    EXPECT_EQ(q->at("state"), state);
    // Every byte that means something in a URL is escaped: nothing becomes a fragment.
    std::string location = HeaderOf(code, "Location");
    EXPECT_EQ(location.find_first_of("#<>\" '"), std::string::npos) << location;

    p["response_type"] = "token";
    auto error = RedirectQuery(Authorize(p, cookie));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->at("state"), state);
  }
}

TEST_F(AuthorizeEndpointTest, OversizedParameters) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["state"] = std::string(2049, 's');
  auto q = RedirectQuery(Authorize(p));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("error"), "invalid_request");
  EXPECT_EQ(q->at("error_description"), "state is too long");
  EXPECT_FALSE(q->contains("state"));  // never echoed back

  Params n = BaseParams(c);
  n["nonce"] = std::string(513, 'n');
  q = RedirectQuery(Authorize(n));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("error_description"), "nonce is too long");
  EXPECT_EQ(q->at("state"), "st-123");

  Params s = BaseParams(c, std::string(5000, 'x'));
  q = RedirectQuery(Authorize(s));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("error"), "invalid_scope");
}

TEST_F(AuthorizeEndpointTest, ARegisteredQueryIsKeptAndALoopbackPortHonoured) {
  ClientRegistration r;
  r.name = "Tenanted";
  r.first_party = true;
  r.redirect_uris = {"https://client.example/cb?tenant=7"};
  store::OAuthClient c = Register(std::move(r));
  std::string cookie = SessionCookie(SignIn(SignUp("ada@example.com")));
  http::Response code = Authorize(BaseParams(c), cookie);
  EXPECT_EQ(HeaderOf(code, "Location").rfind("https://client.example/cb?tenant=7&", 0), 0u);
  EXPECT_EQ(RedirectQuery(code)->at("tenant"), "7");

  store::OAuthClient pub = Public();  // registered http://127.0.0.1/cb
  Params p = BaseParams(pub);
  p["redirect_uri"] = "http://127.0.0.1:50123/cb";
  p["response_type"] = "token";
  EXPECT_EQ(HeaderOf(Authorize(p), "Location").rfind("http://127.0.0.1:50123/cb?error=", 0), 0u);
}

TEST_F(AuthorizeEndpointTest, WithoutASessionTheUserSignsInFirst) {
  store::OAuthClient c = Confidential();
  Params p = BaseParams(c);
  p["prompt"] = "login consent";
  p["max_age"] = "0";
  http::Response r = Authorize(p);
  EXPECT_EQ(r.status, 303u);
  std::string location = HeaderOf(r, "Location");
  ASSERT_EQ(location.rfind(issuer_ + "/login?return_to=", 0), 0u) << location;
  auto back = http::FormDecode(location.substr(location.find('=') + 1));
  ASSERT_TRUE(back);
  // Coming back must not demand a sign-in again: prompt=login and max_age are dropped.
  EXPECT_NE(back->find("prompt=consent"), std::string::npos) << *back;
  EXPECT_EQ(back->find("max_age"), std::string::npos) << *back;
  EXPECT_EQ(back->find("login"), std::string::npos) << *back;

  Params none = BaseParams(c);
  none["prompt"] = "none";
  auto q = RedirectQuery(Authorize(none));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("error"), "login_required");
  EXPECT_EQ(q->at("state"), "st-123");
}

TEST_F(AuthorizeEndpointTest, ConsentPageThenDecision) {
  store::User u = SignUp("ada@example.com");
  std::string session = SessionCookie(SignIn(u));
  store::OAuthClient c = Confidential("Photos");
  Params p = BaseParams(c, "openid email");
  p["state"] = "<b>st</b>";

  Params none = p;
  none["prompt"] = "none";
  EXPECT_EQ(RedirectQuery(Authorize(none, session))->at("error"), "consent_required");

  http::Response page = Authorize(p, session);
  ASSERT_EQ(page.status, 200u);
  EXPECT_EQ(page.body.find("<b>st</b>"), std::string::npos) << "the state is escaped on the page";
  std::string csrf_cookie = SetCookiePair(page, "csrf");
  ASSERT_FALSE(csrf_cookie.empty());
  std::string csrf = csrf_cookie.substr(csrf_cookie.find('=') + 1);
  std::string cookies = session + "; " + csrf_cookie;
  auto decide = [&](Params form, std::string decision, bool with_csrf = true) {
    form["decision"] = std::move(decision);
    if (with_csrf) form["csrf_token"] = csrf;
    return PostForm(Path("authorize/decision"), Query(form), {{"Cookie", cookies}});
  };

  EXPECT_EQ(decide(p, "allow", /*with_csrf=*/false).status, 403u);
  // The re-posted form is validated again: a swapped redirect URI is shown, not followed.
  Params swapped = p;
  swapped["redirect_uri"] = "https://evil.example/cb";
  ExpectErrorPage(decide(swapped, "allow"), 400);

  auto denied = RedirectQuery(decide(p, "deny"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->at("error"), "access_denied");
  EXPECT_EQ(denied->at("state"), "<b>st</b>");

  auto allowed = RedirectQuery(decide(p, "allow"));
  ASSERT_TRUE(allowed);
  EXPECT_TRUE(allowed->contains("code"));
  EXPECT_EQ(allowed->at("state"), "<b>st</b>");
  EXPECT_EQ(allowed->at("iss"), issuer_);
  // Remembered: the next request goes straight to the code.
  EXPECT_TRUE(RedirectQuery(Authorize(p, session))->contains("code"));
}

}  // namespace
}  // namespace tessera::services
