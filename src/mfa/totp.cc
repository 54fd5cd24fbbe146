#include "mfa/totp.h"

#include <liboath/oath.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "crypto/digest.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {

void EnsureOath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) throw std::runtime_error("liboath failed to initialise");
  });
}

// RFC 3986 unreserved characters stay; everything else is percent-encoded (a label may hold
// ':' only as the issuer separator, so it is encoded inside the parts).
std::string PercentEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string NewTotpSecret() { return crypto::RandomBytes(kTotpSecretBytes); }

std::string TotpSecretBase32(std::string_view secret) {
  EnsureOath();
  char* out = nullptr;
  size_t len = 0;
  if (oath_base32_encode(secret.data(), secret.size(), &out, &len) != OATH_OK) {
    throw std::runtime_error("base32 encoding failed");
  }
  std::string text(out, len);
  std::free(out);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

int64_t TotpStepAt(UnixMillis now) { return now / 1000 / kTotpStepSeconds; }

std::string TotpCode(std::string_view secret, int64_t step, int digits) {
  EnsureOath();
  char otp[16] = {};
  if (oath_hotp_generate(secret.data(), secret.size(), static_cast<uint64_t>(step),
                         static_cast<unsigned>(digits), false, OATH_HOTP_DYNAMIC_TRUNCATION,
                         otp) != OATH_OK) {
    throw std::runtime_error("HOTP generation failed");
  }
  return std::string(otp);
}

std::optional<int64_t> MatchTotp(std::string_view secret, std::string_view code, UnixMillis now,
                                 int64_t last_used_step) {
  std::string digits;
  for (char c : code.substr(0, 32)) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() != kTotpDigits) return std::nullopt;
  const int64_t current = TotpStepAt(now);
  std::optional<int64_t> found;
  // Every candidate is compared (no early exit): the time taken says nothing of which matched.
  for (int64_t step = current - 1; step <= current + 1; ++step) {
    bool same = crypto::ConstantTimeEquals(TotpCode(secret, step), digits);
    if (same && step > last_used_step && !found) found = step;
  }
  return found;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret) {
  std::string label = PercentEncode(issuer) + ":" + PercentEncode(account);
  return "otpauth://totp/" + label + "?secret=" + TotpSecretBase32(secret) +
         "&issuer=" + PercentEncode(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace tessera::services
