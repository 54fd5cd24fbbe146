// Lifetimes in words: the largest unit that says them exactly.
#include "base/duration_text.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(DurationText, MinutesHoursAndDays) {
  EXPECT_EQ(DurationText(0), "1 minute");
  EXPECT_EQ(DurationText(60), "1 minute");
  EXPECT_EQ(DurationText(10 * 60), "10 minutes");
  EXPECT_EQ(DurationText(59 * 60), "59 minutes");
  EXPECT_EQ(DurationText(60 * 60), "1 hour");
  EXPECT_EQ(DurationText(90 * 60), "90 minutes");
  EXPECT_EQ(DurationText(2 * 3600), "2 hours");
  EXPECT_EQ(DurationText(1440 * 60), "24 hours");
  EXPECT_EQ(DurationText(36 * 3600), "36 hours");
  EXPECT_EQ(DurationText(48 * 3600), "2 days");
  EXPECT_EQ(DurationText(7 * 86400), "7 days");
  EXPECT_EQ(DurationText(50 * 3600), "50 hours");
}

}  // namespace
}  // namespace tessera
