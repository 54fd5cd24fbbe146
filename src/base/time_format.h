// File: time_format.h
// Stored times (UTC milliseconds) as text, written once: RFC 3339 for the APIs, a short form
// for pages and mails, a compact sortable form for file names.
#pragma once

#include <string>

#include "base/clock.h"

namespace tessera {

inline constexpr const char* kRfc3339Utc = "%Y-%m-%dT%H:%M:%SZ";  // 2025-06-15T15:06:40Z
inline constexpr const char* kReadableUtc = "%Y-%m-%d %H:%M UTC";  // 2025-06-15 15:06 UTC
inline constexpr const char* kCompactUtc = "%Y%m%dT%H%M%SZ";      // 20250615T150640Z

// `ms` in UTC by a strftime `format` that uses only numeric fields (locale-independent).
std::string FormatUtc(UnixMillis ms, const char* format);

}  // namespace tessera
