// Stored times as text: the three forms Tessera writes.
#include "base/time_format.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(TimeFormat, TheThreeFormsInUtc) {
  constexpr UnixMillis kT = 1'750'000'000'999;  // Sun, 15 Jun 2025 15:06:40.999 UTC
  EXPECT_EQ(FormatUtc(kT, kRfc3339Utc), "2025-06-15T15:06:40Z");
  EXPECT_EQ(FormatUtc(kT, kReadableUtc), "2025-06-15 15:06 UTC");
  EXPECT_EQ(FormatUtc(kT, kCompactUtc), "20250615T150640Z");
  EXPECT_EQ(FormatUtc(0, kRfc3339Utc), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(951'782'400'000, kReadableUtc), "2000-02-29 00:00 UTC");  // leap day
}

}  // namespace
}  // namespace tessera
