// File: time_zone.h
// Named time zones of the IANA database ("Europe/Paris"), as a profile's `zoneinfo` claim
// holds them (OIDC Core §5.1), and stored times (UTC milliseconds) shown in one. The zone
// rules come from ICU (libicu, already linked for Unicode case folding): libstdc++ 12 has no
// std::chrono time zones.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"

namespace tessera {

// True when `id` names a zone of the IANA database ("Europe/Paris", "UTC",
// "America/Argentina/Buenos_Aires"); false for "Mars/Olympus", "+01:00" or "".
bool IsTimeZoneName(std::string_view id);

// `ms` as wall-clock time in zone `id`: "2025-06-15 17:06 CEST" (or "… GMT+2" where the zone
// has no common abbreviation). An unknown zone gives the UTC form "2025-06-15 15:06 UTC".
std::string FormatInZone(UnixMillis ms, std::string_view id);

}  // namespace tessera
