#include "app/descriptor_budget.h"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace tessera::app {
namespace {

// Opened while serving: SMTP and DNS sockets, PostgreSQL reconnects, temporary files,
// listeners, timers; and a margin for the database's own growth (SQLite's journal files).
constexpr size_t kServingReserve = 64;
// Below this the server would be useless; an operator with such a limit sets the flag.
constexpr size_t kFewestConnections = 16;
// The assumed descriptors in use when /proc cannot say.
constexpr size_t kUnknownInUse = 192;

}  // namespace

size_t RaiseDescriptorLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur != RLIM_INFINITY && (lim.rlim_max == RLIM_INFINITY || lim.rlim_cur < lim.rlim_max)) {
    rlimit raised = lim;
    // Bounded: an "unlimited" hard limit would size tables we never need.
    raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20
                                                     : std::min<rlim_t>(lim.rlim_max, rlim_t{1} << 20);
    if (raised.rlim_cur > lim.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? size_t{1} << 20 : static_cast<size_t>(lim.rlim_cur);
}

size_t OpenDescriptors() {
  std::error_code ec;
  size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return ec ? 0 : n;
}

size_t DefaultMaxConnections(size_t limit, size_t in_use) {
  if (in_use == 0) in_use = kUnknownInUse;
  size_t reserved = in_use + kServingReserve;
  return limit > reserved + kFewestConnections ? limit - reserved : kFewestConnections;
}

}  // namespace tessera::app
