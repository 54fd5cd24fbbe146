#include "base/time_zone.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

// 2025-06-15T15:06:40Z (summer in the north) and 2025-01-15T15:06:40Z (winter).
constexpr UnixMillis kJune = 1'750'000'000'000;
constexpr UnixMillis kJanuary = 1'736'953'600'000;

TEST(TimeZone, KnowsTheIanaNamesAndNothingElse) {
  EXPECT_TRUE(IsTimeZoneName("Europe/Paris"));
  EXPECT_TRUE(IsTimeZoneName("America/Argentina/Buenos_Aires"));
  EXPECT_TRUE(IsTimeZoneName("UTC"));
  EXPECT_TRUE(IsTimeZoneName("Asia/Kolkata"));
  EXPECT_FALSE(IsTimeZoneName(""));
  EXPECT_FALSE(IsTimeZoneName("Mars/Olympus_Mons"));
  EXPECT_FALSE(IsTimeZoneName("GMT+01:00"));
  EXPECT_FALSE(IsTimeZoneName("europe/paris "));
  EXPECT_FALSE(IsTimeZoneName("Europe/Paris\n"));
  EXPECT_FALSE(IsTimeZoneName("<script>"));
  EXPECT_FALSE(IsTimeZoneName(std::string(200, 'A')));
}

TEST(TimeZone, ShowsWallClockTimeWithTheZonesSummerRules) {
  EXPECT_EQ(FormatInZone(kJune, "Europe/Paris"), "2025-06-15 17:06 GMT+2");
  EXPECT_EQ(FormatInZone(kJanuary, "Europe/Paris"), "2025-01-15 16:06 GMT+1");
  EXPECT_EQ(FormatInZone(kJune, "America/New_York"), "2025-06-15 11:06 EDT");
  EXPECT_EQ(FormatInZone(kJanuary, "America/New_York"), "2025-01-15 10:06 EST");
  EXPECT_EQ(FormatInZone(kJune, "Asia/Kolkata"), "2025-06-15 20:36 GMT+5:30");
}

TEST(TimeZone, AnUnknownZoneShowsUtc) {
  EXPECT_EQ(FormatInZone(kJune, ""), "2025-06-15 15:06 UTC");
  EXPECT_EQ(FormatInZone(kJune, "Nowhere/Special"), "2025-06-15 15:06 UTC");
}

}  // namespace
}  // namespace tessera
