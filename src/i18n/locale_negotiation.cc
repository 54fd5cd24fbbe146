#include "i18n/locale_negotiation.h"

#include <algorithm>
#include <vector>

#include "i18n/message_catalog.h"

namespace tessera::i18n {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §12.4.2 qvalue: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ], as thousandths;
// -1 when malformed (the range is then passed over).
int QValue(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return -1;
  int value = (q[0] - '0') * 1000;
  if (q.size() == 1) return value;
  if (q[1] != '.' || q.size() > 5) return -1;
  int scale = 100;
  for (size_t i = 2; i < q.size(); ++i, scale /= 10) {
    if (q[i] < '0' || q[i] > '9') return -1;
    value += (q[i] - '0') * scale;
  }
  return value > 1000 ? -1 : value;
}

// The first supported locale of a space-separated list (ui_locales).
std::optional<std::string> FirstOfList(std::string_view list) {
  while (!list.empty()) {
    size_t end = list.find(' ');
    std::string_view tag = list.substr(0, end);
    if (auto match = MatchLocale(tag)) return match;
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return std::nullopt;
}

// The supported locale the browser prefers most (ties: the order it listed them).
std::optional<std::string> FromAcceptLanguage(std::string_view header) {
  struct Range {
    std::string locale;
    int q;
    size_t order;
  };
  std::vector<Range> ranges;
  size_t order = 0;
  // A header is short; one that is not is read no further than its first 40 ranges.
  while (!header.empty() && order < 40) {
    size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    ++order;
    size_t semi = item.find(';');
    std::string_view tag = Trim(item.substr(0, semi));
    int q = 1000;
    if (semi != std::string_view::npos) {
      std::string_view param = Trim(item.substr(semi + 1));
      if (param.size() < 2 || Lower(param[0]) != 'q' || param[1] != '=') continue;
      q = QValue(param.substr(2));
    }
    if (q <= 0) continue;  // q=0: "not acceptable"
    if (auto match = MatchLocale(tag)) ranges.push_back({*match, q, order});
  }
  if (ranges.empty()) return std::nullopt;
  return std::min_element(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
           return a.q != b.q ? a.q > b.q : a.order < b.order;
         })->locale;
}

}  // namespace

std::optional<std::string> MatchLocale(std::string_view tag) {
  tag = Trim(tag);
  if (tag.empty() || tag.size() > 35) return std::nullopt;  // RFC 5646 §4.4.1: 35 is plenty
  size_t end = tag.find_first_of("-_");
  std::string_view primary = tag.substr(0, end);
  if (primary.size() < 2 || primary.size() > 3) return std::nullopt;
  std::string language;
  for (char c : primary) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return std::nullopt;
    language += Lower(c);
  }
  if (!IsSupportedLocale(language)) return std::nullopt;
  return language;
}

std::string PreferredLocale(std::string_view accept_language) {
  return FromAcceptLanguage(accept_language).value_or("");
}

std::string NegotiateLocale(const LocaleInputs& in) {
  if (auto l = FirstOfList(in.ui_locales)) return *l;
  if (auto l = MatchLocale(in.user_locale)) return *l;
  if (auto l = FromAcceptLanguage(in.accept_language)) return *l;
  if (auto l = MatchLocale(in.app_default)) return *l;
  return std::string(SupportedLocales().front());
}

}  // namespace tessera::i18n
