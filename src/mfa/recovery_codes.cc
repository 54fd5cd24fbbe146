#include "mfa/recovery_codes.h"

#include "crypto/digest.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {

// 31 symbols without the look-alikes 0/o and 1/l/i: 16 of them carry 79 bits.
constexpr std::string_view kAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
constexpr size_t kSymbols = 16;

}  // namespace

std::vector<std::string> NewRecoveryCodes() {
  std::vector<std::string> codes;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    std::string code;
    for (size_t j = 0; j < kSymbols; ++j) {
      if (j > 0 && j % 4 == 0) code.push_back('-');
      code.push_back(kAlphabet[crypto::RandomUniform(static_cast<uint32_t>(kAlphabet.size()))]);
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

std::optional<std::string> NormalizeRecoveryCode(std::string_view typed) {
  if (typed.size() > 64) return std::nullopt;
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (kAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    out.push_back(c);
  }
  if (out.size() != kSymbols) return std::nullopt;
  return out;
}

std::string RecoveryCodeHash(std::string_view normalized) {
  return crypto::Sha256Hex(normalized);
}

}  // namespace tessera::services
