#include "base/template_partials.h"

#include "base/strings.h"

namespace tessera {
namespace {

constexpr int kMaxDepth = 4;

Result<std::string> Expand(std::string_view file, std::string_view text,
                           const PartialLookup& lookup, int depth) {
  if (depth > kMaxDepth) return InternalError(StrCat({file, ": includes nest too deeply"}));
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{>", pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open);
    if (close == std::string_view::npos) return InternalError(StrCat({file, ": unclosed {{>"}));
    std::string_view name = TrimBlanks(text.substr(open + 3, close - open - 3));
    std::optional<TemplatePartial> partial = lookup(name);
    if (!partial) return InternalError(StrCat({file, ": no partial ", name}));
    out.append(text.substr(pos, open - pos));
    TESSERA_ASSIGN_OR_RETURN(std::string inner, Expand(partial->key, partial->text, lookup, depth + 1));
    out += inner;
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

Result<std::string> ExpandPartials(std::string_view file, std::string_view text,
                                   const PartialLookup& lookup) {
  return Expand(file, text, lookup, 0);
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace tessera
