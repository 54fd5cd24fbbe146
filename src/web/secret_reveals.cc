#include "web/secret_reveals.h"

#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "http/cookie.h"

namespace tessera::web {
namespace {

constexpr size_t kExpiryBytes = 8;

// What the seal binds besides the secret: a cookie opens only for its id and owner.
std::string AssociatedData(std::string_view id, std::string_view owner) {
  std::string ad = "tessera console reveal v1\n";
  ad += id;
  ad += '\n';
  ad += owner;
  return ad;
}

std::string BigEndian(int64_t v) {
  std::string out(kExpiryBytes, '\0');
  for (size_t i = 0; i < kExpiryBytes; ++i) {
    out[kExpiryBytes - 1 - i] = static_cast<char>(static_cast<uint64_t>(v) >> (8 * i) & 0xff);
  }
  return out;
}

int64_t FromBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < kExpiryBytes; ++i) v = v << 8 | static_cast<unsigned char>(bytes[i]);
  return static_cast<int64_t>(v);
}

}  // namespace

SecretReveals::SecretReveals(std::string_view master_key, const Clock& clock, bool secure_cookies)
    : key_(crypto::HmacSha256(master_key, "tessera console secret reveal v1")),
      clock_(clock),
      secure_(secure_cookies) {}

std::string SecretReveals::CookieName() const {
  return secure_ ? "__Host-tessera_reveal" : "tessera_reveal";
}

std::string SecretReveals::Put(http::Response& redirect, std::string_view owner,
                               std::string_view secret) {
  std::string id = crypto::Base64UrlEncode(crypto::RandomBytes(16));
  int64_t expires = clock_.NowMillis() + std::chrono::milliseconds(kLifetime).count();
  std::string plain = BigEndian(expires);
  plain += secret;
  auto sealed = crypto::AeadSeal(key_, plain, AssociatedData(id, owner));
  // Without a seal the page says the secret cannot be shown: never shown wrong, never leaked.
  if (sealed.ok()) {
    http::SetCookie(redirect, CookieName(), crypto::Base64UrlEncode(*sealed),
                    {secure_, true, "Lax", "/",
                     std::chrono::duration_cast<std::chrono::seconds>(kLifetime).count()});
  }
  return id;
}

std::optional<std::string> SecretReveals::Take(const http::Request& request, std::string_view id,
                                               std::string_view owner) const {
  auto cookie = http::GetCookie(request, CookieName());
  if (!cookie || id.empty()) return std::nullopt;
  auto sealed = crypto::Base64UrlDecode(*cookie);
  if (!sealed) return std::nullopt;
  auto plain = crypto::AeadOpen(key_, *sealed, AssociatedData(id, owner));
  if (!plain.ok() || plain->size() < kExpiryBytes) return std::nullopt;
  if (FromBigEndian(*plain) <= clock_.NowMillis()) return std::nullopt;
  return plain->substr(kExpiryBytes);
}

void SecretReveals::Forget(http::Response& page) const {
  http::SetCookie(page, CookieName(), "", {secure_, true, "Lax", "/", 0});
}

}  // namespace tessera::web
