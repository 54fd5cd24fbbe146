// File: template_partials.h
// The one expander of Mustache partials ({{> name}}) for the embedded templates of the hosted
// pages and of the mails. Partials are inlined before parsing, so a template is parsed once
// and a missing partial is found when the server starts, not when a page is first shown.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tessera {

// The text of the partial called `name` (as written between `{{>` and `}}`, trimmed), or
// nullopt when there is none; `key` names it in errors and nested expansions.
struct TemplatePartial {
  std::string key;
  std::string_view text;
};
using PartialLookup = std::function<std::optional<TemplatePartial>(std::string_view name)>;

// `text` with every {{> name}} replaced by its partial, itself expanded (to a depth of 4).
// Errors (kInternal) name `file`: an unclosed tag, a missing partial, too deep a nesting.
Result<std::string> ExpandPartials(std::string_view file, std::string_view text,
                                   const PartialLookup& lookup);

// `s` without leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view s);

}  // namespace tessera
