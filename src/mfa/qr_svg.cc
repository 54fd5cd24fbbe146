#include "mfa/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace tessera::services {
namespace {

std::string EscapeXml(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<std::string> QrSvg(std::string_view text, std::string_view title) {
  if (text.size() > 1024) return InvalidArgumentError("too long for a QR code");
  std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!qr) return InvalidArgumentError("the text does not fit a QR code");
  constexpr int kQuiet = 4;
  const int width = qr->width;
  const int size = width + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (qr->data[y * width + x] & 1) {  // bit 0: a dark module
        path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
      }
    }
  }
  std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s +
         "\" width=\"220\" height=\"220\" role=\"img\" aria-labelledby=\"qr-title\""
         " shape-rendering=\"crispEdges\"><title id=\"qr-title\">" +
         EscapeXml(title) + "</title><rect width=\"" + s + "\" height=\"" + s +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace tessera::services
