// hash_rate: how many argon2id hashes per second this machine does with the server's default
// cost (Argon2Params{}: 19 MiB, t = 2, p = 1), with 1 thread and with one thread per core.
// A login is one verification, which costs the same as one hash, so this is the ceiling of
// the login (and signup) throughput. Prints one JSON object on stdout.
//
//   build/tessera_bench_hash [--seconds S] [--threads N]
//     --seconds  measuring time per configuration (default 5)
//     --threads  threads of the parallel run (default: std::thread::hardware_concurrency())
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "crypto/password_hash.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  int threads = 0;
  long hashes = 0;
  double seconds = 0;
  long failures = 0;
  double PerSecond() const { return seconds > 0 ? hashes / seconds : 0; }
};

// Every thread hashes until the deadline; the last hash started before the deadline counts,
// and the elapsed time is measured until the last thread finishes.
Run Measure(int threads, double seconds) {
  const tessera::crypto::Argon2Params params{};
  std::atomic<long> hashes{0}, failures{0};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::string password = "bench-password-" + std::to_string(t);
      while (Clock::now() < deadline) {
        auto h = tessera::crypto::HashPassword(password, params);
        (h.ok() ? hashes : failures).fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& th : pool) th.join();
  Run r;
  r.threads = threads;
  r.hashes = hashes.load();
  r.failures = failures.load();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

void PrintRun(const char* name, const Run& r, bool last) {
  std::printf("  \"%s\": {\"threads\": %d, \"hashes\": %ld, \"failures\": %ld, \"seconds\": %.3f, "
              "\"hashes_per_s\": %.2f, \"ms_per_hash\": %.2f}%s\n",
              name, r.threads, r.hashes, r.failures, r.seconds, r.PerSecond(),
              r.hashes > 0 ? 1000.0 * r.seconds * r.threads / r.hashes : 0.0, last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--threads N]\n", argv[0]);
      return 2;
    }
  }
  const tessera::crypto::Argon2Params params{};
  // One warm-up hash: libsodium initialisation and the first 19 MiB allocation.
  if (!tessera::crypto::HashPassword("warm-up", params).ok()) {
    std::fprintf(stderr, "argon2id hashing failed\n");
    return 1;
  }
  Run single = Measure(1, seconds);
  Run multi = Measure(threads, seconds);
  std::printf("{\n  \"algorithm\": \"argon2id\", \"mem_kib\": %zu, \"ops_limit\": %llu, "
              "\"cores\": %u,\n",
              params.mem_limit_bytes / 1024, static_cast<unsigned long long>(params.ops_limit),
              std::thread::hardware_concurrency());
  PrintRun("single", single, false);
  PrintRun("multi", multi, true);
  std::printf("}\n");
  return (single.failures || multi.failures) ? 1 : 0;
}
