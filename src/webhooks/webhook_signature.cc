#include "webhooks/webhook_signature.h"

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {
constexpr std::string_view kSecretPrefix = "whsec_";
constexpr size_t kSecretBytes = 24;
}  // namespace

std::string NewWebhookSecret() {
  return std::string(kSecretPrefix) + crypto::Base64Encode(crypto::RandomBytes(kSecretBytes));
}

std::optional<std::string> WebhookSignature(std::string_view secret, std::string_view event_id,
                                            int64_t timestamp_s, std::string_view body) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  std::optional<std::string> key = crypto::Base64Decode(secret.substr(kSecretPrefix.size()));
  if (!key || key->empty()) return std::nullopt;
  std::string signed_content;
  signed_content.reserve(event_id.size() + body.size() + 24);
  signed_content.append(event_id).append(".").append(std::to_string(timestamp_s)).append(".");
  signed_content.append(body);
  return "v1," + crypto::Base64Encode(crypto::HmacSha256(*key, signed_content));
}

}  // namespace tessera::services
