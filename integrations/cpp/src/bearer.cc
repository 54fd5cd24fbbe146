#include "tessera/resource_server/bearer.h"

#include <cctype>

namespace tessera::resource_server {
namespace {

bool Token68Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/';
}

// A quoted-string's content without the characters that could break out of it.
std::string Quoted(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || u < 0x20 || u == 0x7F) continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::optional<std::string_view> BearerToken(std::string_view h) {
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (h.size() <= kScheme.size() + 1) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(h[i])) != kScheme[i]) return std::nullopt;
  }
  if (h[kScheme.size()] != ' ') return std::nullopt;
  std::string_view token = h.substr(kScheme.size() + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  // token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  size_t i = 0;
  while (i < token.size() && Token68Char(token[i])) ++i;
  if (i == 0) return std::nullopt;
  while (i < token.size() && token[i] == '=') ++i;
  if (i != token.size()) return std::nullopt;
  return token;
}

std::string WwwAuthenticate(std::string_view realm, const VerifyError* error) {
  std::string out = "Bearer realm=\"" + Quoted(realm) + "\"";
  if (error && !error->unavailable()) {
    out += ", error=\"invalid_token\", error_description=\"" + Quoted(error->reason) + "\"";
  }
  return out;
}

std::string WwwAuthenticateInsufficientScope(std::string_view realm, std::string_view scope) {
  return "Bearer realm=\"" + Quoted(realm) + "\", error=\"insufficient_scope\", scope=\"" +
         Quoted(scope) + "\"";
}

}  // namespace tessera::resource_server
