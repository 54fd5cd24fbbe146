// Services log JSON lines through spdlog; in unit tests that is noise, unless TESSERA_TEST_LOGS=1.
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace {
const bool kQuiet = [] {
  if (!std::getenv("TESSERA_TEST_LOGS")) spdlog::set_level(spdlog::level::off);
  return true;
}();
}  // namespace
