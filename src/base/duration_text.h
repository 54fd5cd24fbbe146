// File: duration_text.h
// A lifetime as words for people ("expires in 24 hours", not "1440 minutes"): the one
// formatter the mails and pages use.
#pragma once

#include <cstdint>
#include <string>

namespace tessera {

// `seconds` in the largest unit that says it exactly: minutes under an hour (or when the
// hours are not whole), hours under two days (or when the days are not whole), else days.
// "1 minute", "30 minutes", "90 minutes", "1 hour", "24 hours", "36 hours", "2 days",
// "7 days". Below a minute: "1 minute" (a link never lives less).
std::string DurationText(int64_t seconds);

}  // namespace tessera
