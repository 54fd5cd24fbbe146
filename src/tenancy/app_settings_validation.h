// File: app_settings_validation.h
// The limits of an app's settings (store::AppSettings, tenancy/app_settings.h), checked before
// they are saved.
#pragma once

#include <cstddef>

#include "base/status.h"
#include "tenancy/app_settings.h"

namespace tessera::services {

inline constexpr int kMinPasswordLength = 8;  // NIST SP 800-63B §5.1.1.2
inline constexpr int kMaxPasswordMinLength = 128;
inline constexpr size_t kMaxAppRedirectUris = 20;
inline constexpr size_t kMaxPasskeyOrigins = 10;
// An app's own wording: at most this many messages over all languages (i18n/).
inline constexpr size_t kMaxMessageOverrides = 500;

// An origin a passkey ceremony may come from besides PUBLIC_URL's: "https://host[:port]"
// (lower case, nothing after the port), "http://localhost[:port]" for development, or an
// Android app's "android:apk-key-hash:<43 base64url characters>" (SHA-256 of its signing
// certificate).
bool IsValidPasskeyOrigin(std::string_view origin);

// Field errors (kInvalidArgument) name the member that is out of range or malformed.
Status ValidateAppSettings(const store::AppSettings& settings);

}  // namespace tessera::services
