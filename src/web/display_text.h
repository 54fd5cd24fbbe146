// File: display_text.h
// How times and devices read on the pages (the account page and the consoles alike).
#pragma once

#include <cstdint>
#include <string>

namespace tessera::web {

// "2026-11-22 01:57 UTC".
std::string FormatTime(int64_t ms);
// A short name for a browser from its User-Agent, for people rather than parsers.
std::string DescribeAgent(const std::string& user_agent);

}  // namespace tessera::web
