// File: qr_svg.h
// A QR code as an inline SVG image (libqrencode), for pages that show one without any script.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera::services {

// `<svg …>` of `text` (error correction M, with the 4-module quiet zone), dark modules as one
// path; `title` is its accessible name. kInvalidArgument when the text does not fit a code.
Result<std::string> QrSvg(std::string_view text, std::string_view title);

}  // namespace tessera::services
