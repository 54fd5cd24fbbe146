// The access log's line: one JSON object per request, with the logger's own ts and level in
// front (the pattern set up in cli/command_support.cc), whatever bytes the request carried.
#include "app/access_log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace tessera::app {
namespace {

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("access-log-test", sink);
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v)",
                        spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  // The one line logged, parsed.
  boost::json::object Line() {
    std::string text = out_.str();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    EXPECT_FALSE(ec) << text;
    return v.is_object() ? v.as_object() : boost::json::object{};
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
  Metrics metrics_;
  http::Router router_{metrics_};
};

TEST_F(AccessLogTest, LogsOneJsonObjectWithTheRequestsFacts) {
  router_.Add(http::beast_http::verb::get, "/apps/{app}/api/me", [](http::Request&) { return http::Response{}; });
  http::Request req;
  req.raw.method(http::beast_http::verb::get);
  req.request_id = "req-1";
  req.remote_ip = "203.0.113.7";
  req.peer_ip = "10.0.0.2";
  req.scheme = "https";
  AccessLog log(router_);
  log.OnResponse(req, &router_.routes().front(), 200, 0.001234);
  boost::json::object line = Line();
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["msg"], "request");
  EXPECT_EQ(line["request_id"], "req-1");
  EXPECT_EQ(line["method"], "GET");
  EXPECT_EQ(line["route"], "/apps/{app}/api/me");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["latency_us"], 1234);
  EXPECT_EQ(line["remote"], "203.0.113.7");
  EXPECT_EQ(line["peer"], "10.0.0.2");  // behind a trusted proxy: which one, and the scheme
  EXPECT_EQ(line["scheme"], "https");
  EXPECT_EQ(log.requests_seen(), 1u);
}

TEST_F(AccessLogTest, QuotesControlCharactersAndBadUtf8StayValidJson) {
  http::Request req;
  req.raw.method(http::beast_http::verb::post);
  req.request_id = std::string("a\"b\\c\n\x01\xff", 8);
  req.remote_ip = req.peer_ip = "127.0.0.1";
  AccessLog log(router_);
  log.OnResponse(req, nullptr, 503, 0.5);
  boost::json::object line = Line();
  EXPECT_EQ(line["level"], "warning");  // 5xx lines are warnings
  EXPECT_EQ(line["route"], "unmatched");
  EXPECT_EQ(line["request_id"], "a\"b\\c\n\x01\xEF\xBF\xBD");  // 0xFF became U+FFFD
  EXPECT_FALSE(line.contains("peer"));
}

}  // namespace
}  // namespace tessera::app
