#include "api/docs_api.h"

#include <openssl/sha.h>

#include "api/embedded_api_docs.h"

namespace tessera::api {
using http::beast_http::verb;

namespace {

// Swagger UI needs its inline styles and data: images; scripts only from files of ours.
constexpr std::string_view kDocsCsp =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

std::string_view ContentType(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".json")) return "application/json";
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

// A strong validator per file, computed once: the bytes never change while the binary runs.
std::string ETagOf(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int i = 0; i < 12; ++i) {
    tag += kHex[digest[i] >> 4];
    tag += kHex[digest[i] & 15];
  }
  return tag + "\"";
}

const std::string& CachedETag(std::string_view name, std::string_view bytes) {
  static const auto* tags = [] {
    auto* m = new std::unordered_map<std::string_view, std::string>;
    for (const auto& [n, b] : EmbeddedApiDocs()) m->emplace(n, ETagOf(b));
    return m;
  }();
  return tags->at(name);
}

// Serves one embedded file: ETag/304, revalidated on each use (no-cache) so a new binary's
// document or assets show at once, cheaply.
http::Response Serve(http::Request& req, std::string_view name) {
  const auto& files = EmbeddedApiDocs();
  auto it = files.find(name);
  if (it == files.end()) return http::TextResponse(404, "text/plain; charset=utf-8", "not found");
  const std::string& etag = CachedETag(it->first, it->second);
  http::Response r;
  if (req.Header(http::beast_http::field::if_none_match) == etag) {
    r.status = 304;
  } else {
    r = http::TextResponse(200, std::string(ContentType(name)), std::string(it->second));
  }
  r.WithHeader("ETag", etag);
  r.WithHeader("Cache-Control", "public, max-age=0, must-revalidate");
  return r;
}

}  // namespace

std::string_view DocsApi::OpenApiDocument() { return EmbeddedApiDocs().at("openapi.json"); }

void DocsApi::Mount(http::Router& r) {
  r.Add(verb::get, "/api/openapi.json",
        [](http::Request& req) {
          http::Response res = Serve(req, "openapi.json");
          res.WithHeader("Access-Control-Allow-Origin", "*");  // public; other tools may read it
          return res;
        },
        http::Dispatch::kInline);
  r.Add(verb::get, "/api/docs",
        [](http::Request& req) {
          http::Response res = Serve(req, "index.html");
          res.WithHeader("Content-Security-Policy", std::string(kDocsCsp));
          res.WithHeader("Referrer-Policy", "no-referrer");
          return res;
        },
        http::Dispatch::kInline);
  r.Add(verb::get, "/api/docs/{file}",
        [](http::Request& req) {
          const std::string& file = req.Param("file");
          // Only the page's assets, not the document or page under a second name.
          if (file == "openapi.json" || file == "index.html") {
            return http::TextResponse(404, "text/plain; charset=utf-8", "not found");
          }
          return Serve(req, file);
        },
        http::Dispatch::kInline);
}

}  // namespace tessera::api
