// File: log.h
// Structured logging: one JSON object per line through spdlog. Never pass a secret (token,
// password, key) as a field; ids and hashes' prefixes are fine.
#pragma once

#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>
#include <string_view>

namespace tessera {

void LogJson(spdlog::level::level_enum level, std::string_view msg, boost::json::object fields = {});

}  // namespace tessera
