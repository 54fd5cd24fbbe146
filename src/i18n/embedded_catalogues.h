// File: embedded_catalogues.h
// The message catalogues (src/i18n/locales/<locale>/<group>.json), embedded into the binary by
// cmake/embed_catalogues.cmake; read through MessageCatalog::Embedded().
#pragma once

#include <span>
#include <string_view>

namespace tessera::i18n {

struct EmbeddedCatalogueFile {
  std::string_view locale;
  std::string_view file;  // "<group>.json"
  std::string_view text;
};

std::span<const EmbeddedCatalogueFile> EmbeddedCatalogueFiles();

}  // namespace tessera::i18n
