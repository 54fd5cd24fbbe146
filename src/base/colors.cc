#include "base/colors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tessera {
namespace {

double Luminance(const Rgb& c) {
  double l[3];
  for (int i = 0; i < 3; ++i) {
    double s = c[i] / 255.0;
    l[i] = s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

}  // namespace

bool IsHexColor(std::string_view c) {
  return c.size() == 7 && c[0] == '#' &&
         c.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string_view::npos;
}

Rgb ParseHexColor(std::string_view hex) {
  Rgb c{};
  for (int i = 0; i < 3; ++i) {
    c[i] = static_cast<double>(std::stoi(std::string(hex.substr(1 + 2 * i, 2)), nullptr, 16));
  }
  return c;
}

std::string HexColor(const Rgb& c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(c[0])),
                static_cast<int>(std::lround(c[1])), static_cast<int>(std::lround(c[2])));
  return buf;
}

double Contrast(const Rgb& a, const Rgb& b) {
  double la = Luminance(a), lb = Luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

bool WhiteTextOn(const Rgb& c) {
  return Contrast(c, kWhite) >= 4.5 || Contrast(c, kWhite) >= Contrast(c, kBlack);
}

}  // namespace tessera
