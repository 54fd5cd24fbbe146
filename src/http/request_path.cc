#include "http/request_path.h"

#include <boost/url/pct_string_view.hpp>

#include "base/utf8.h"

namespace tessera::http {

bool DecodeRequestPath(std::string_view target, std::string* out) {
  std::string_view path = target.substr(0, target.find('?'));
  auto decoded = boost::urls::make_pct_string_view(path);
  if (decoded.has_error()) return false;
  *out = std::string(decoded->decode());
  return out->find('\0') == std::string::npos && !out->empty() && out->front() == '/' &&
         Utf8Length(*out).has_value();
}

}  // namespace tessera::http
