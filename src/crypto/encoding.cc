#include "crypto/encoding.h"

#include <sodium.h>

namespace tessera::crypto {
namespace {

std::string Encode(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the NUL libsodium writes
  return out;
}

std::optional<std::string> Decode(std::string_view text, int variant) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  return Encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
// Canonical text only: one whose unused trailing bits are zero, as the encoder writes them
// (RFC 4648 §3.5). Otherwise "Zh" and "Zg" would both be "f", and a token changed in its last
// character could still carry the same signature bytes (JWS malleability).
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::optional<std::string> bytes = Decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (bytes && Encode(*bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != text) return std::nullopt;
  return bytes;
}
std::string Base64Encode(std::string_view bytes) {
  return Encode(bytes, sodium_base64_VARIANT_ORIGINAL);
}
std::optional<std::string> Base64Decode(std::string_view text) {
  return Decode(text, sodium_base64_VARIANT_ORIGINAL);
}

std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

}  // namespace tessera::crypto
