#include "web/return_to.h"

#include "tenancy/app_service.h"

namespace tessera::web {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Under `root` itself: the root, or a path or query below it.
bool Under(std::string_view r, const std::string& root) {
  return r.rfind(root, 0) == 0 &&
         (r.size() == root.size() || r[root.size()] == '/' || r[root.size()] == '?');
}

}  // namespace

std::string SafeReturnTo(const PageUrls& urls, const store::App& app, std::string_view r) {
  if (r.size() > 4096) return "";
  bool inside = r.rfind(urls.PagePath(app, ""), 0) == 0;
  if (!inside && app.slug == services::kConsoleAppSlug) {
    // The console's sign-in also leads back to the console's own pages, and only to them.
    inside = Under(r, urls.ConsolePath()) || Under(r, urls.AdminPath());
  }
  if (!inside) return "";
  for (char c : r) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '\\') return "";  // no CR/LF, spaces or backslashes
  }
  if (r.find("/..") != std::string_view::npos || r.find("//") != std::string_view::npos) return "";
  // Browsers treat %2e as a dot in a path segment: no "/%2e%2e/" climbing out either.
  std::string_view path = r.substr(0, r.find('?'));
  for (size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] == '%' && path[i + 1] == '2' && Lower(path[i + 2]) == 'e') return "";
  }
  return std::string(r);
}

}  // namespace tessera::web
