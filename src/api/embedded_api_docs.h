// File: embedded_api_docs.h
// The API documentation's files, embedded at build time by cmake/embed_api_docs.cmake:
// "openapi.json" (src/api/openapi.json), the Swagger UI page and initializer (src/api/docs/)
// and the Swagger UI assets from npm's swagger-ui-dist (docs/swagger-ui/node_modules).
#pragma once

#include <string_view>
#include <unordered_map>

namespace tessera::api {

// File name → bytes (read-only, lives for the whole program).
const std::unordered_map<std::string_view, std::string_view>& EmbeddedApiDocs();

}  // namespace tessera::api
