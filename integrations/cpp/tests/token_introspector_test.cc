// TokenIntrospector over real HTTP: a loopback server plays Tessera's introspection endpoint
// (it checks the client's Basic credentials and the form body the way Tessera does), with
// clocks the tests move on.
#include "tessera/resource_server/token_introspector.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "jwks_server.h"
#include "tessera/resource_server/bearer.h"

namespace tessera::resource_server {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::JwksServer;
using testing::ReceivedRequest;
using testing::Reply;
using C = VerifyErrorCode;

constexpr char kIssuer[] = "https://id.example.test/apps/blog";
constexpr std::int64_t kNow = 1'800'000'000;
// An id and a secret with characters RFC 6749 §2.3.1's form-encoding must protect.
constexpr char kClientId[] = "pocket api:1";
constexpr char kClientSecret[] = "s3cr:t/+%&é";

// application/x-www-form-urlencoded, decoded the way a server does.
std::string FormDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> Form(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    std::string_view pair = body.substr(0, body.find('&'));
    size_t eq = pair.find('=');
    out[FormDecode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1));
    body.remove_prefix(std::min(body.size(), pair.size() + 1));
  }
  return out;
}

std::string Base64Decode(std::string_view b64) {
  std::string out(b64.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return {};
  size_t len = static_cast<size_t>(n);
  for (size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) --len;
  out.resize(len);
  return out;
}

class IntrospectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Tessera's side: only POST, only our client (Basic), only a form with a token.
    server_.Handle([this](const ReceivedRequest& r) -> Reply {
      std::lock_guard<std::mutex> lock(mu_);
      last_ = r;
      if (r.method != "POST" || r.target != "/apps/blog/oauth/introspect") return {404, "{}"};
      auto auth = r.headers.find("authorization");
      if (auth == r.headers.end() || auth->second.rfind("Basic ", 0) != 0) {
        return {401, R"({"error":"invalid_client"})"};
      }
      std::string pair = Base64Decode(auth->second.substr(6));
      size_t colon = pair.find(':');
      if (colon == std::string::npos || FormDecode(pair.substr(0, colon)) != kClientId ||
          FormDecode(pair.substr(colon + 1)) != kClientSecret) {
        return {401, R"({"error":"invalid_client"})"};
      }
      auto type = r.headers.find("content-type");
      if (type == r.headers.end() || type->second != "application/x-www-form-urlencoded") {
        return {400, R"({"error":"invalid_request"})"};
      }
      auto form = Form(r.body);
      if (!form.count("token")) return {400, R"({"error":"invalid_request"})"};
      auto it = answers_.find(form["token"]);
      return {200, it == answers_.end() ? R"({"active":false})" : it->second};
    });
  }

  std::unique_ptr<TokenIntrospector> Introspector(std::function<void(IntrospectorOptions&)> edit = nullptr) {
    IntrospectorOptions o;
    o.issuer = kIssuer;
    o.introspection_url = Url();
    o.client_id = kClientId;
    o.client_secret = kClientSecret;
    o.clock = [this] { return steady_.load(); };
    o.now = [this] { return unix_.load(); };
    if (edit) edit(o);
    return std::make_unique<TokenIntrospector>(o);
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/apps/blog/oauth/introspect";
  }
  void Answer(const std::string& token, const json::object& answer) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[token] = json::serialize(answer);
  }
  void AnswerRaw(const std::string& token, std::string raw) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[token] = std::move(raw);
  }
  ReceivedRequest Last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }
  void Advance(std::chrono::seconds s) {
    steady_.store(steady_.load() + s);
    unix_ += s.count();
  }
  // What Tessera says about an imported API token of the blog's editor.
  static json::object ApiToken(std::function<void(json::object&)> edit = nullptr) {
    json::object a{{"active", true},
                   {"token_type", "api_token"},
                   {"sub", "user-editor"},
                   {"scope", "account"},
                   {"iss", kIssuer},
                   {"iat", kNow - 3600},
                   {"exp", kNow + 8 * 3600},
                   {"email", "editor@pocket.example"},
                   {"email_verified", true},
                   {"username", "editor"},
                   {"roles", json::array{"admin"}}};
    if (edit) edit(a);
    return a;
  }
  VerifyErrorCode CodeOf(TokenIntrospector& in, const std::string& token) {
    IntrospectionResult r = in.Introspect(token);
    EXPECT_FALSE(r.ok()) << "accepted: " << token;
    return r.ok() ? C::kMalformed : r.error().code;
  }

  std::mutex mu_;
  std::map<std::string, std::string> answers_;
  ReceivedRequest last_;
  std::atomic<std::chrono::steady_clock::time_point> steady_{std::chrono::steady_clock::time_point{} + 1000h};
  std::atomic<std::int64_t> unix_{kNow};
  JwksServer server_;  // last: stopped first, before what its handler uses
};

const std::string kKey = "3f5e0c1a9b7d4e2f8a6c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f1a2c4e6b8d0f";  // 64 hex

TEST_F(IntrospectorTest, AnActiveTokenOfTheIssuerIsAccepted) {
  Answer(kKey, ApiToken());
  auto in = Introspector();
  IntrospectionResult r = in->Introspect(kKey);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r->issuer, kIssuer);
  EXPECT_EQ(r->subject, "user-editor");
  EXPECT_EQ(r->token_type, "api_token");
  EXPECT_EQ(r->email, "editor@pocket.example");
  EXPECT_EQ(r->username, "editor");
  EXPECT_EQ(r->issued_at, kNow - 3600);
  ASSERT_TRUE(r->expires_at.has_value());
  EXPECT_EQ(*r->expires_at, kNow + 8 * 3600);
  EXPECT_TRUE(r->HasRole("admin"));
  EXPECT_TRUE(HasScope(r.value(), "account"));
  EXPECT_EQ(r->claims.at("email_verified"), true);
  EXPECT_TRUE(r->client_id.empty());
  // What went over the wire: a POST of the form, the client's Basic credentials.
  ReceivedRequest sent = Last();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.body, "token=" + kKey);
  EXPECT_EQ(sent.headers["content-type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(sent.headers["accept"], "application/json");
  EXPECT_EQ(sent.headers.count("expect"), 0u);
  EXPECT_EQ(Base64Decode(sent.headers["authorization"].substr(6)), "pocket+api%3A1:s3cr%3At%2F%2B%25%26%C3%A9");
}

TEST_F(IntrospectorTest, ATokenWithoutExpiryAndWithoutRolesIsAcceptedToo) {
  Answer("tpat_abc", ApiToken([](json::object& a) {
    a.erase("exp");
    a["roles"] = json::array{};
  }));
  IntrospectionResult r = Introspector()->Introspect("tpat_abc");
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_FALSE(r->expires_at.has_value());
  EXPECT_TRUE(r->roles.empty());
}

TEST_F(IntrospectorTest, TheTokenIsFormEncoded) {
  const std::string token = "a+b/c==";  // token68 characters a form must encode
  Answer(token, ApiToken());
  ASSERT_TRUE(Introspector()->Introspect(token).ok());
  EXPECT_EQ(Last().body, "token=a%2Bb%2Fc%3D%3D");
}

TEST_F(IntrospectorTest, BasicCredentialsAsRfc6749Says) {
  // RFC 6749 §2.3.1's example.
  EXPECT_EQ(TokenIntrospector::BasicCredentials("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"),
            "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3");
  EXPECT_EQ(Base64Decode(TokenIntrospector::BasicCredentials("a b", "c:d").substr(6)), "a+b:c%3Ad");
}

TEST_F(IntrospectorTest, AnInactiveTokenIs401AndRememberedBriefly) {
  auto in = Introspector();
  IntrospectionResult r = in->Introspect(kKey);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, C::kInactive);
  EXPECT_EQ(r.error().http_status(), 401);
  EXPECT_EQ(ErrorCodeName(r.error().code), "inactive");
  EXPECT_EQ(CodeOf(*in, kKey), C::kInactive);
  EXPECT_EQ(server_.requests(), 1);
  Advance(6s);  // past inactive_cache_ttl (5 s)
  Answer(kKey, ApiToken());  // e.g. imported meanwhile
  EXPECT_TRUE(in->Introspect(kKey).ok());
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(IntrospectorTest, AnotherIssuerIsRefused) {
  Answer("other-app", ApiToken([](json::object& a) { a["iss"] = "https://id.example.test/apps/other"; }));
  Answer("no-iss", ApiToken([](json::object& a) { a.erase("iss"); }));
  Answer("prefix", ApiToken([](json::object& a) { a["iss"] = std::string(kIssuer) + "x"; }));
  Answer("no-sub", ApiToken([](json::object& a) { a.erase("sub"); }));
  auto in = Introspector();
  EXPECT_EQ(CodeOf(*in, "other-app"), C::kWrongIssuer);
  EXPECT_EQ(CodeOf(*in, "prefix"), C::kWrongIssuer);
  EXPECT_EQ(CodeOf(*in, "no-iss"), C::kMissingClaim);
  EXPECT_EQ(CodeOf(*in, "no-sub"), C::kMissingClaim);
  EXPECT_EQ(in->Introspect("other-app").error().http_status(), 401);
}

TEST_F(IntrospectorTest, TokenTypesCanBeNarrowed) {
  Answer("jwt-ish", ApiToken([](json::object& a) { a["token_type"] = "Bearer"; }));
  Answer(kKey, ApiToken());
  auto in = Introspector([](IntrospectorOptions& o) { o.allowed_token_types = {"api_token"}; });
  EXPECT_EQ(CodeOf(*in, "jwt-ish"), C::kWrongType);
  EXPECT_TRUE(in->Introspect(kKey).ok());
  EXPECT_TRUE(Introspector()->Introspect("jwt-ish").ok()) << "any type by default";
}

TEST_F(IntrospectorTest, AnActiveAnswerWithAPastExpIsExpired) {
  Answer(kKey, ApiToken([](json::object& a) { a["exp"] = kNow - 1; }));
  EXPECT_EQ(CodeOf(*Introspector(), kKey), C::kExpired);
}

TEST_F(IntrospectorTest, AnswersThatAreNotIntrospectionAnswersAreUnavailableNotInactive) {
  AnswerRaw("html", "<html>proxy error</html>");
  AnswerRaw("array", "[true]");
  AnswerRaw("no-active", R"({"sub":"x"})");
  AnswerRaw("string-active", R"({"active":"true","sub":"x","iss":"https://id.example.test/apps/blog"})");
  Answer("bad-roles", ApiToken([](json::object& a) { a["roles"] = "admin"; }));
  Answer("bad-exp", ApiToken([](json::object& a) { a["exp"] = "tomorrow"; }));
  Answer("bad-sub", ApiToken([](json::object& a) { a["sub"] = 42; }));
  auto in = Introspector();
  for (const char* token : {"html", "array", "no-active", "string-active", "bad-roles", "bad-exp", "bad-sub"}) {
    IntrospectionResult r = in->Introspect(token);
    ASSERT_FALSE(r.ok()) << token;
    EXPECT_EQ(r.error().code, C::kIntrospectionUnavailable) << token << ": " << r.error().reason;
    EXPECT_EQ(r.error().http_status(), 503) << token;
  }
  // Not remembered: the next request asks again.
  int before = server_.requests();
  EXPECT_EQ(CodeOf(*in, "html"), C::kIntrospectionUnavailable);
  EXPECT_EQ(server_.requests(), before + 1);
  EXPECT_EQ(in->stats().failures, 8u);
}

TEST_F(IntrospectorTest, AnHttpErrorIsUnavailableAndNotRemembered) {
  Answer(kKey, ApiToken());
  server_.Handle([](const ReceivedRequest&) { return Reply{500, R"({"error":"server_error"})"}; });
  auto in = Introspector();
  IntrospectionResult r = in->Introspect(kKey);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, C::kIntrospectionUnavailable);
  EXPECT_EQ(r.error().http_status(), 503);
  EXPECT_NE(r.error().reason.find("HTTP 500"), std::string::npos) << r.error().reason;
  EXPECT_EQ(ErrorCodeName(r.error().code), "introspection_unavailable");
  // No invalid_token in the challenge: the token was not judged.
  EXPECT_EQ(WwwAuthenticate("pocket", &r.error()), "Bearer realm=\"pocket\"");
  EXPECT_NE(in->stats().last_error.find("HTTP 500"), std::string::npos);
  SetUp();  // Tessera is back
  EXPECT_TRUE(in->Introspect(kKey).ok());
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(IntrospectorTest, WrongClientCredentialsAreUnavailableWithAHint) {
  Answer(kKey, ApiToken());
  auto in = Introspector([](IntrospectorOptions& o) { o.client_secret = "wrong"; });
  IntrospectionResult r = in->Introspect(kKey);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, C::kIntrospectionUnavailable);
  EXPECT_NE(r.error().reason.find("HTTP 401"), std::string::npos) << r.error().reason;
  EXPECT_NE(r.error().reason.find("client id and secret"), std::string::npos) << r.error().reason;
}

TEST_F(IntrospectorTest, ASlowServerTimesOut) {
  Answer(kKey, ApiToken());
  server_.SetDelay(3000ms);
  auto in = Introspector([](IntrospectorOptions& o) { o.request_timeout = 300ms; });
  auto start = std::chrono::steady_clock::now();
  IntrospectionResult r = in->Introspect(kKey);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, C::kIntrospectionUnavailable);
  EXPECT_LT(took, 2000ms);
  server_.SetDelay(0ms);
}

TEST_F(IntrospectorTest, NobodyListeningIsUnavailable) {
  std::string url;
  {
    JwksServer gone;  // a port that was just free, and is closed again
    url = "http://127.0.0.1:" + std::to_string(gone.port()) + "/apps/blog/oauth/introspect";
  }
  auto in = Introspector([&](IntrospectorOptions& o) { o.introspection_url = url; });
  EXPECT_EQ(CodeOf(*in, kKey), C::kIntrospectionUnavailable);
}

TEST_F(IntrospectorTest, AnAcceptedTokenIsRememberedForTheTtl) {
  Answer(kKey, ApiToken());
  auto in = Introspector();
  ASSERT_TRUE(in->Introspect(kKey).ok());
  Advance(29s);
  ASSERT_TRUE(in->Introspect(kKey).ok());
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_EQ(in->stats().cache_hits, 1u);
  // Revoked in Tessera: seen once the cached answer is 30 s old.
  {
    std::lock_guard<std::mutex> lock(mu_);
    answers_.erase(kKey);
  }
  Advance(2s);
  EXPECT_EQ(CodeOf(*in, kKey), C::kInactive);
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(IntrospectorTest, NeverRememberedPastTheTokensExp) {
  Answer(kKey, ApiToken([](json::object& a) { a["exp"] = kNow + 10; }));
  auto in = Introspector();
  ASSERT_TRUE(in->Introspect(kKey).ok());
  Advance(9s);
  ASSERT_TRUE(in->Introspect(kKey).ok());
  EXPECT_EQ(server_.requests(), 1);
  Advance(2s);  // 11 s: past exp, though within the 30 s ttl
  EXPECT_EQ(CodeOf(*in, kKey), C::kExpired);
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(IntrospectorTest, CachingCanBeTurnedOff) {
  Answer(kKey, ApiToken());
  auto in = Introspector([](IntrospectorOptions& o) { o.cache_ttl = 0s; });
  ASSERT_TRUE(in->Introspect(kKey).ok());
  ASSERT_TRUE(in->Introspect(kKey).ok());
  EXPECT_EQ(CodeOf(*in, "unknown"), C::kInactive);
  EXPECT_EQ(CodeOf(*in, "unknown"), C::kInactive);
  EXPECT_EQ(server_.requests(), 4);
}

TEST_F(IntrospectorTest, TheCacheIsBoundedAndKeepsTokensApart) {
  for (int i = 0; i < 20; ++i) {
    if (i % 2 == 0) Answer("token-" + std::to_string(i), ApiToken([i](json::object& a) { a["sub"] = "u" + std::to_string(i); }));
  }
  auto in = Introspector([](IntrospectorOptions& o) { o.max_cache_entries = 4; });
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 20; ++i) {
      IntrospectionResult r = in->Introspect("token-" + std::to_string(i));
      EXPECT_EQ(r.ok(), i % 2 == 0) << i;
      if (r.ok()) {
        EXPECT_EQ(r->subject, "u" + std::to_string(i));
      }
      EXPECT_LE(in->stats().cached, 4u);
    }
  }
  EXPECT_GT(in->stats().cached, 0u);
}

TEST_F(IntrospectorTest, ConcurrentLookupsAreSafe) {
  for (int i = 0; i < 4; ++i) Answer("t" + std::to_string(i), ApiToken());
  auto in = Introspector([](IntrospectorOptions& o) { o.max_cache_entries = 3; });
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        int n = (t + i) % 6;  // t4, t5: unknown
        IntrospectionResult r = in->Introspect("t" + std::to_string(n));
        if (r.ok() && n < 4) ++accepted;
        if (!r.ok() && n >= 4 && r.error().code == C::kInactive) ++refused;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load() + refused.load(), 180);
  EXPECT_LE(in->stats().cached, 3u);
}

TEST_F(IntrospectorTest, TokensNoServerWouldIssueAreRefusedWithoutACall) {
  auto in = Introspector();
  EXPECT_EQ(CodeOf(*in, ""), C::kMalformed);
  EXPECT_EQ(CodeOf(*in, "two words"), C::kMalformed);
  EXPECT_EQ(CodeOf(*in, std::string("nul\0byte", 8)), C::kMalformed);
  EXPECT_EQ(CodeOf(*in, "caf\xC3\xA9"), C::kMalformed);
  EXPECT_EQ(CodeOf(*in, std::string(17 * 1024, 'a')), C::kMalformed);
  EXPECT_EQ(server_.requests(), 0);
}

TEST(IntrospectorOptionsTest, NeedsIssuerClientAndASafeUrl) {
  auto make = [](std::function<void(IntrospectorOptions&)> edit) {
    IntrospectorOptions o;
    o.issuer = "https://id.example.com/apps/blog/";
    o.client_id = "api";
    o.client_secret = "secret";
    edit(o);
    return std::make_unique<TokenIntrospector>(o);
  };
  EXPECT_NO_THROW(make([](IntrospectorOptions&) {}));
  EXPECT_THROW(make([](IntrospectorOptions& o) { o.issuer.clear(); }), std::invalid_argument);
  EXPECT_THROW(make([](IntrospectorOptions& o) { o.client_id.clear(); }), std::invalid_argument);
  EXPECT_THROW(make([](IntrospectorOptions& o) { o.client_secret.clear(); }), std::invalid_argument);
  EXPECT_THROW(make([](IntrospectorOptions& o) { o.issuer = "http://id.example.com/apps/blog"; }),
               std::invalid_argument);
  EXPECT_NO_THROW(make([](IntrospectorOptions& o) { o.issuer = "http://127.0.0.1:8080/apps/blog"; }));
  EXPECT_NO_THROW(make([](IntrospectorOptions& o) {
    o.issuer = "http://tessera:8080/apps/blog";
    o.allow_insecure_http = true;
  }));
  EXPECT_THROW(make([](IntrospectorOptions& o) { o.introspection_url = "file:///etc/passwd"; }),
               std::invalid_argument);
  EXPECT_EQ(TokenIntrospector::UrlForIssuer("https://id.example.com/apps/blog/"),
            "https://id.example.com/apps/blog/oauth/introspect");
}

}  // namespace
}  // namespace tessera::resource_server
