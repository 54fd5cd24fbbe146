#include "base/time_zone.h"

#include <memory>

#include <unicode/locid.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include "base/time_format.h"

namespace tessera {
namespace {

// The zone named `id`, or null when ICU does not know it (it then hands back "Etc/Unknown").
std::unique_ptr<icu::TimeZone> ZoneNamed(std::string_view id) {
  if (id.empty() || id.size() > 64) return nullptr;
  icu::UnicodeString name = icu::UnicodeString::fromUTF8(icu::StringPiece(id.data(), id.size()));
  UErrorCode status = U_ZERO_ERROR;
  UBool is_system = false;
  icu::UnicodeString canonical;
  icu::TimeZone::getCanonicalID(name, canonical, is_system, status);
  // Only IANA names: custom ids such as "GMT+01:00" are canonical but not system zones.
  if (U_FAILURE(status) || !is_system) return nullptr;
  return std::unique_ptr<icu::TimeZone>(icu::TimeZone::createTimeZone(name));
}

}  // namespace

bool IsTimeZoneName(std::string_view id) { return ZoneNamed(id) != nullptr; }

std::string FormatInZone(UnixMillis ms, std::string_view id) {
  std::unique_ptr<icu::TimeZone> zone = ZoneNamed(id);
  if (!zone) return FormatUtc(ms, kReadableUtc);
  UErrorCode status = U_ZERO_ERROR;
  // Numeric fields and an English zone abbreviation: the same on every machine.
  icu::SimpleDateFormat format(icu::UnicodeString("yyyy-MM-dd HH:mm z"), icu::Locale::getEnglish(),
                               status);
  if (U_FAILURE(status)) return FormatUtc(ms, kReadableUtc);
  format.adoptTimeZone(zone.release());
  icu::UnicodeString text;
  format.format(static_cast<UDate>(ms), text);
  std::string out;
  text.toUTF8String(out);
  return out;
}

}  // namespace tessera
