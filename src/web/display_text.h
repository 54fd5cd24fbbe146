// File: display_text.h
// How times, devices and service messages read on the pages (the account page and the
// consoles alike).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::web {

// "2026-11-22 01:57 UTC".
std::string FormatTime(int64_t ms);
// The person's time zone from their profile's `zoneinfo` ("Europe/Paris"), or "" when they
// set none (or one that is no longer a zone name).
std::string ProfileTimeZone(const std::string& profile_json);
// A short name for a browser from its User-Agent, for people rather than parsers.
std::string DescribeAgent(const std::string& user_agent);

// A service's message as a page says it: a capital first letter and a full stop
// ("invalid or expired code" → "Invalid or expired code.").
std::string Sentence(std::string_view message);
// A field's rule as a sentence next to the field: "Email" + "is already registered" →
// "Email is already registered."
std::string FieldSentence(std::string_view label, std::string_view message);

}  // namespace tessera::web
