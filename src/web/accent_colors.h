// File: accent_colors.h
// An app's accent colour as a stylesheet that keeps the pages readable: WCAG 2.x relative
// luminance and contrast decide which text colour goes on the colour and where the colour
// may stand for links and focus rings.
#pragma once

#include <string>
#include <string_view>

#include "base/colors.h"

namespace tessera::web {

// "#rrggbb" (either case): the only accent form that ever reaches a stylesheet.
using tessera::IsHexColor;

// The stylesheet of a validated, lower-case accent: buttons take it with whichever text
// colour (white or black) contrasts more; links, focus rings and emphasis take it only where
// it keeps WCAG AA against the card of the colour scheme (4.5:1 for text, 3:1 for the ring),
// else they keep Tessera's own.
std::string AccentStylesheet(std::string_view accent);

}  // namespace tessera::web
