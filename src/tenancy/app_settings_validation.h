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

// Field errors (kInvalidArgument) name the member that is out of range or malformed.
Status ValidateAppSettings(const store::AppSettings& settings);

}  // namespace tessera::services
