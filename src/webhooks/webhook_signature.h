// File: webhook_signature.h
// Standard Webhooks (https://www.standardwebhooks.com) signing: a secret "whsec_" + base64 of
// random bytes; a signature "v1," + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) where
// the key is the base64-decoded part after "whsec_". Receivers' standard libraries verify it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::services {

// A new secret: "whsec_" + base64 of 24 random bytes (libsodium).
std::string NewWebhookSecret();
// "v1,<base64 signature>"; nullopt for a secret that is not whsec_ + base64.
std::optional<std::string> WebhookSignature(std::string_view secret, std::string_view event_id,
                                            int64_t timestamp_s, std::string_view body);

}  // namespace tessera::services
