#include "crypto/random.h"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "crypto/encoding.h"

namespace tessera::crypto {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

uint32_t RandomUniform(uint32_t upper_bound) {
  EnsureSodium();
  return randombytes_uniform(upper_bound);
}

std::string RandomBytes(size_t n) {
  EnsureSodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string NewSecretToken(std::string_view prefix) {
  std::string token(prefix);
  token += Base64UrlEncode(RandomBytes(32));
  return token;
}

std::string NewUuid() {
  using namespace std::chrono;
  uint64_t ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::string b = RandomBytes(16);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<char>((ms >> (40 - 8 * i)) & 0xff);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace tessera::crypto
