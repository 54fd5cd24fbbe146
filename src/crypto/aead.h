// File: aead.h
// AES-256-GCM sealing (OpenSSL) for data at rest, e.g. private signing keys under the master key.
// Sealed layout: 12-byte random nonce | ciphertext | 16-byte tag. `associated` binds the
// ciphertext to its context (e.g. the key id) so a sealed blob cannot be moved to another row.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera::crypto {

inline constexpr size_t kAeadKeySize = 32;

Result<std::string> AeadSeal(std::string_view key, std::string_view plaintext,
                             std::string_view associated);
Result<std::string> AeadOpen(std::string_view key, std::string_view sealed,
                             std::string_view associated);

}  // namespace tessera::crypto
