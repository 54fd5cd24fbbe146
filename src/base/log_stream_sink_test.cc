// The log sink: every line leaves while the server idles, and lines still queued when the
// process shuts its logging down are written, without the pool's thread tearing itself down.
#include "base/log_stream_sink.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/async.h>

namespace tessera {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct TempLog {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("log_stream_sink_" + std::to_string(::getpid()) + ".log");
  std::FILE* file = std::fopen(path.c_str(), "w");
  ~TempLog() {
    std::fclose(file);
    std::filesystem::remove(path);
  }
};

std::shared_ptr<spdlog::async_logger> MakeLogger(std::FILE* file,
                                                 std::shared_ptr<spdlog::details::thread_pool> pool) {
  auto sink = std::make_shared<LogStreamSink>(file, pool.get());
  auto logger = std::make_shared<spdlog::async_logger>("sink_test", sink, pool,
                                                       spdlog::async_overflow_policy::block);
  logger->set_pattern("%v");
  return logger;
}

TEST(LogStreamSink, AnIdleLineReachesTheFileWithoutAnExplicitFlush) {
  TempLog log;
  auto pool = std::make_shared<spdlog::details::thread_pool>(64, 1);
  auto logger = MakeLogger(log.file, pool);
  logger->info("first line");
  // Read through another descriptor: only bytes flushed out of the FILE buffer show up.
  std::string text;
  for (int i = 0; i < 500 && text.find("first line") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    text = ReadAll(log.path);
  }
  EXPECT_EQ(text, "first line\n");
}

// The way `tessera serve` ends on a bad flag: an error logged, then logging shut at once.
// The pool's thread may hold the last reference to the logger when it writes that line.
TEST(LogStreamSink, LinesQueuedAtShutdownAreWrittenAndNothingAborts) {
  TempLog log;
  for (int round = 0; round < 200; ++round) {
    auto pool = std::make_shared<spdlog::details::thread_pool>(64, 1);
    auto logger = MakeLogger(log.file, pool);
    logger->error("round {}", round);
    logger.reset();  // the queued line now holds the only reference to the logger
    pool.reset();    // joins the pool's thread after it wrote the line
  }
  std::fflush(log.file);
  std::string text = ReadAll(log.path);
  EXPECT_NE(text.find("round 0\n"), std::string::npos);
  EXPECT_NE(text.find("round 199\n"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 200);
}

}  // namespace
}  // namespace tessera
