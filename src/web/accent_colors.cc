#include "web/accent_colors.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace tessera::web {
namespace {

using Rgb = std::array<double, 3>;  // 0..255

Rgb ParseColor(std::string_view hex) {
  Rgb c{};
  for (int i = 0; i < 3; ++i) {
    c[i] = static_cast<double>(std::stoi(std::string(hex.substr(1 + 2 * i, 2)), nullptr, 16));
  }
  return c;
}

// WCAG 2.x relative luminance and contrast ratio.
double Luminance(const Rgb& c) {
  double l[3];
  for (int i = 0; i < 3; ++i) {
    double s = c[i] / 255.0;
    l[i] = s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

double Contrast(const Rgb& a, const Rgb& b) {
  double la = Luminance(a), lb = Luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Rgb Mix(const Rgb& a, const Rgb& b, double t) {
  return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

std::string Hex(const Rgb& c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(c[0])),
                static_cast<int>(std::lround(c[1])), static_cast<int>(std::lround(c[2])));
  return buf;
}

std::string Rgba(const Rgb& c, double alpha) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "rgba(%d, %d, %d, %.2f)", static_cast<int>(std::lround(c[0])),
                static_cast<int>(std::lround(c[1])), static_cast<int>(std::lround(c[2])), alpha);
  return buf;
}

}  // namespace

bool IsHexColor(std::string_view c) {
  return c.size() == 7 && c[0] == '#' &&
         c.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string_view::npos;
}

std::string AccentStylesheet(std::string_view accent) {
  const Rgb c = ParseColor(accent);
  const Rgb white{255, 255, 255}, black{0, 0, 0};
  const bool white_text = Contrast(c, white) >= 4.5 || Contrast(c, white) >= Contrast(c, black);
  const Rgb toward = white_text ? black : white;  // hover/active move away from the text colour
  std::string css = "/* The app's accent colour, from its settings in the console. */\n:root {\n";
  css += "  --brand: " + Hex(c) + ";\n";
  css += "  --primary: " + Hex(c) + ";\n";
  css += "  --primary-hover: " + Hex(Mix(c, toward, 0.14)) + ";\n";
  css += "  --primary-active: " + Hex(Mix(c, toward, 0.26)) + ";\n";
  css += "  --on-primary: " + std::string(white_text ? "#ffffff" : "#000000") + ";\n}\n";
  struct Scheme {
    const char* media;
    Rgb card;
    double glow;
  };
  for (const Scheme& s :
       {Scheme{"light", white, 0.07}, Scheme{"dark", Rgb{0x18, 0x18, 0x1b}, 0.12}}) {
    css += "@media (prefers-color-scheme: " + std::string(s.media) + ") {\n  :root {\n";
    css += "    --bg-glow: " + Rgba(c, s.glow) + ";\n";
    if (Contrast(c, s.card) >= 4.5) css += "    --link: " + Hex(c) + ";\n";
    if (Contrast(c, s.card) >= 3.0) {
      css += "    --ring: " + Hex(c) + ";\n";
      css += "    --ring-halo: " + Rgba(c, 0.2) + ";\n";
    }
    css += "  }\n}\n";
  }
  return css;
}

}  // namespace tessera::web
