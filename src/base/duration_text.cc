#include "base/duration_text.h"

namespace tessera {
namespace {

std::string Count(int64_t n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

}  // namespace

std::string DurationText(int64_t seconds) {
  const int64_t minutes = seconds < 60 ? 1 : (seconds + 30) / 60;  // rounded: 59 min 50 s is 60
  if (minutes < 60 || minutes % 60 != 0) return Count(minutes, "minute");
  const int64_t hours = minutes / 60;
  // "24 hours" reads better than "1 day" for a link's lifetime; days from two on.
  if (hours < 48 || hours % 24 != 0) return Count(hours, "hour");
  return Count(hours / 24, "day");
}

}  // namespace tessera
