#include "web/accent_colors.h"

#include <cmath>
#include <cstdio>

#include "base/colors.h"

namespace tessera::web {
namespace {

Rgb Mix(const Rgb& a, const Rgb& b, double t) {
  return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

std::string Rgba(const Rgb& c, double alpha) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "rgba(%d, %d, %d, %.2f)", static_cast<int>(std::lround(c[0])),
                static_cast<int>(std::lround(c[1])), static_cast<int>(std::lround(c[2])), alpha);
  return buf;
}

}  // namespace

std::string AccentStylesheet(std::string_view accent) {
  const Rgb c = ParseHexColor(accent);
  const Rgb white = kWhite, black = kBlack;
  const bool white_text = WhiteTextOn(c);  // the rule the mails' buttons follow too
  const Rgb toward = white_text ? black : white;  // hover/active move away from the text colour
  std::string css = "/* The app's accent colour, from its settings in the console. */\n:root {\n";
  css += "  --brand: " + HexColor(c) + ";\n";
  css += "  --primary: " + HexColor(c) + ";\n";
  css += "  --primary-hover: " + HexColor(Mix(c, toward, 0.14)) + ";\n";
  css += "  --primary-active: " + HexColor(Mix(c, toward, 0.26)) + ";\n";
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
    if (Contrast(c, s.card) >= 4.5) css += "    --link: " + HexColor(c) + ";\n";
    if (Contrast(c, s.card) >= 3.0) {
      css += "    --ring: " + HexColor(c) + ";\n";
      css += "    --ring-halo: " + Rgba(c, 0.2) + ";\n";
    }
    css += "  }\n}\n";
  }
  return css;
}

}  // namespace tessera::web
