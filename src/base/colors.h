// File: colors.h
// "#rrggbb" colours and the WCAG 2.x contrast rule, written once: the hosted pages' accent
// stylesheet (web/accent_colors) and the mails' accent buttons (email_flows) both decide
// with it which text colour goes on an app's accent and where the accent may colour text.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace tessera {

using Rgb = std::array<double, 3>;  // 0..255 per channel

inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};

// "#rrggbb" (either case): the only colour form that ever reaches a stylesheet or a style.
bool IsHexColor(std::string_view color);

// The colour of an IsHexColor string.
Rgb ParseHexColor(std::string_view hex);
// "#rrggbb", lower case.
std::string HexColor(const Rgb& c);

// WCAG 2.x contrast ratio (1..21).
double Contrast(const Rgb& a, const Rgb& b);

// Whether text on `background` is white (else black): white when it reaches AA (4.5:1), else
// whichever contrasts more.
bool WhiteTextOn(const Rgb& background);

}  // namespace tessera
