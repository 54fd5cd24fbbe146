// File: embedded_assets.h
// The hosted pages' templates and static files, compiled into the binary by
// cmake/embed_web_assets.cmake from src/web/templates and src/web/static.
//   EmbeddedWebAssets().at("templates/login.mustache"), ….at("static/tessera.css")
#pragma once

#include <string_view>
#include <unordered_map>

namespace tessera::web {

// Every embedded file, keyed "<templates|static>/<file name>"; the views live for the program.
const std::unordered_map<std::string_view, std::string_view>& EmbeddedWebAssets();

}  // namespace tessera::web
