#include "web/display_text.h"

#include <ctime>

#include "base/time_format.h"

namespace tessera::web {

std::string FormatTime(int64_t ms) { return FormatUtc(ms, kReadableUtc); }

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

}  // namespace tessera::web
