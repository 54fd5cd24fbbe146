// File: docs_api.h
// The API documentation: GET /api/openapi.json (the OpenAPI 3.1 document, src/api/openapi.json),
// GET /api/docs (Swagger UI) and GET /api/docs/{file} (its assets, from npm's swagger-ui-dist).
// Everything is embedded in the binary at build time (cmake/embed_api_docs.cmake).
#pragma once

#include "http/router.h"

namespace tessera::api {

class DocsApi {
 public:
  void Mount(http::Router& router);
  // The OpenAPI document as served (for tests).
  static std::string_view OpenApiDocument();
};

}  // namespace tessera::api
