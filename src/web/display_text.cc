#include "web/display_text.h"

#include <ctime>

#include <boost/json.hpp>

#include "base/time_format.h"
#include "base/time_zone.h"

namespace tessera::web {

std::string FormatTime(int64_t ms) { return FormatUtc(ms, kReadableUtc); }

std::string ProfileTimeZone(const std::string& profile_json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(profile_json, ec);
  if (ec || !v.is_object()) return "";
  const boost::json::value* zone = v.get_object().if_contains("zoneinfo");
  if (!zone || !zone->is_string()) return "";
  std::string name(zone->get_string());
  return IsTimeZoneName(name) ? name : "";
}

std::string DescribeAgent(const std::string& ua) {
  if (ua.empty()) return "Unknown device";
  std::string browser = ua.find("Edg/") != std::string::npos       ? "Edge"
                        : ua.find("Chrome/") != std::string::npos  ? "Chrome"
                        : ua.find("Firefox/") != std::string::npos ? "Firefox"
                        : ua.find("Safari/") != std::string::npos  ? "Safari"
                                                                   : "";
  std::string os = ua.find("Android") != std::string::npos   ? "Android"
                   : ua.find("iPhone") != std::string::npos  ? "iPhone"
                   : ua.find("Windows") != std::string::npos ? "Windows"
                   : ua.find("Mac OS") != std::string::npos  ? "macOS"
                   : ua.find("Linux") != std::string::npos   ? "Linux"
                                                             : "";
  if (!browser.empty() && !os.empty()) return browser + " on " + os;
  if (!browser.empty()) return browser;
  return ua.substr(0, 60);
}

std::string Sentence(std::string_view message) {
  std::string out(message);
  if (out.empty()) return out;
  if (out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  if (out.back() != '.' && out.back() != '!' && out.back() != '?') out += '.';
  return out;
}

std::string FieldSentence(std::string_view label, std::string_view message) {
  std::string out = std::string(label) + " " + std::string(message);
  if (!out.empty() && out.back() != '.' && out.back() != '!' && out.back() != '?') out += '.';
  return out;
}

}  // namespace tessera::web
