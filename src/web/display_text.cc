#include "web/display_text.h"

#include <ctime>

#include <boost/json.hpp>

#include "base/time_format.h"
#include "base/time_zone.h"
#include "web/service_messages.h"

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

namespace {

// The browser and the system a User-Agent names ("" for one it does not).
struct Agent {
  std::string browser;
  std::string os;
};

Agent AgentOf(const std::string& ua) {
  Agent a;
  a.browser = ua.find("Edg/") != std::string::npos       ? "Edge"
              : ua.find("Chrome/") != std::string::npos  ? "Chrome"
              : ua.find("Firefox/") != std::string::npos ? "Firefox"
              : ua.find("Safari/") != std::string::npos  ? "Safari"
                                                         : "";
  a.os = ua.find("Android") != std::string::npos   ? "Android"
         : ua.find("iPhone") != std::string::npos  ? "iPhone"
         : ua.find("Windows") != std::string::npos ? "Windows"
         : ua.find("Mac OS") != std::string::npos  ? "macOS"
         : ua.find("Linux") != std::string::npos   ? "Linux"
                                                   : "";
  return a;
}

std::string WithFullStop(std::string text) {
  if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') {
    text += '.';
  }
  return text;
}

}  // namespace

std::string DescribeAgent(const std::string& ua) {
  if (ua.empty()) return "Unknown device";
  const Agent a = AgentOf(ua);
  if (!a.browser.empty() && !a.os.empty()) return a.browser + " on " + a.os;
  if (!a.browser.empty()) return a.browser;
  return ua.substr(0, 60);
}

std::string DescribeAgent(const i18n::Texts& t, const std::string& ua) {
  if (ua.empty()) return t("pages.unknown_device");
  const Agent a = AgentOf(ua);
  if (!a.browser.empty() && !a.os.empty()) {
    return t("pages.agent_on_os", {{"browser", a.browser}, {"os", a.os}});
  }
  if (!a.browser.empty()) return a.browser;
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
  return WithFullStop(std::string(label) + " " + std::string(message));
}

std::string FieldSentence(const i18n::Texts& t, std::string_view label, std::string_view message) {
  return WithFullStop(t("errors.field_sentence", {{"label", std::string(label)},
                                                  {"message", ServiceText(t, message)}}));
}

namespace {
// Only a scope of [a-z0-9_] can name a message (a scope name is any [!-~]+).
std::string ScopeKey(const i18n::Texts& t, std::string_view scope, std::string_view part) {
  std::string key = "consent.scope_" + std::string(scope) + std::string(part);
  return t.catalog().Has(key) ? key : std::string();
}
}  // namespace

std::string ScopeTitle(const i18n::Texts& t, std::string_view scope) {
  std::string key = ScopeKey(t, scope, "_title");
  return key.empty() ? std::string(scope) : t(key);
}

std::string ScopeDescription(const i18n::Texts& t, std::string_view scope) {
  std::string key = ScopeKey(t, scope, "_description");
  return key.empty() ? t("consent.scope_other_description", {{"scope", std::string(scope)}}) : t(key);
}

}  // namespace tessera::web
