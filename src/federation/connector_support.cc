#include "federation/connector_support.h"

#include <boost/url/parse.hpp>

#include "base/json_util.h"
#include "base/percent_encoding.h"
#include "base/uri_rules.h"
#include "base/utf8.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace tessera::services {
namespace {

constexpr size_t kMaxEndpointLength = 2048;
constexpr size_t kMaxErrorCodeBytes = 64;
constexpr size_t kMaxErrorDescriptionBytes = 120;
constexpr size_t kMaxBearerTokenBytes = 4096;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

}  // namespace

bool IsUpstreamEndpoint(std::string_view url) {
  if (url.empty() || url.size() > kMaxEndpointLength) return false;
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->has_userinfo() || parsed->has_fragment() ||
      parsed->encoded_host().empty()) {
    return false;
  }
  std::string scheme = LowerAscii(parsed->scheme());
  if (scheme == "https") return true;
  return scheme == "http" && IsLoopbackHost(LowerAscii(parsed->encoded_host()));
}

std::string PkceS256Challenge(std::string_view code_verifier) {
  return crypto::Base64UrlEncode(crypto::Sha256(code_verifier));
}

Result<std::string> UrlWithQuery(std::string_view endpoint, const Params& params) {
  if (!IsUpstreamEndpoint(endpoint)) {
    return UnavailableError("a provider endpoint is not a usable https URL");
  }
  std::string url(endpoint);
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  if (url.back() == '?' || url.back() == '&') separator = '\0';
  for (const auto& [name, value] : params) {
    if (separator != '\0') url += separator;
    url += PercentEncode(name);
    url += '=';
    url += PercentEncode(value);
    separator = '&';
  }
  return url;
}

std::string FormEncode(const Params& params) {
  std::string body;
  for (const auto& [name, value] : params) {
    if (!body.empty()) body += '&';
    body += PercentEncode(name);
    body += '=';
    body += PercentEncode(value);
  }
  return body;
}

std::string BasicAuthorization(std::string_view client_id, std::string_view secret) {
  return "Basic " + crypto::Base64Encode(PercentEncode(client_id) + ":" + PercentEncode(secret));
}

std::string ProviderText(std::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max_bytes) break;
    if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') out += c;
  }
  return out;
}

Status CallbackError(std::string_view provider, const UpstreamCallback& callback) {
  std::string code = ProviderText(callback.error, kMaxErrorCodeBytes);
  std::string message = std::string(provider) + " answered the sign-in with error " + code;
  std::string description = ProviderText(callback.error_description, kMaxErrorDescriptionBytes);
  if (!description.empty()) message += " (\"" + description + "\")";
  if (code == "access_denied") return PermissionDeniedError(std::move(message));
  if (code == "server_error" || code == "temporarily_unavailable") {
    return UnavailableError(std::move(message));
  }
  return UnauthenticatedError(std::move(message));
}

Result<boost::json::object> JsonAnswer(const OutboundResponse& response, std::string_view provider,
                                       std::string_view what) {
  std::string who = std::string(provider) + "'s " + std::string(what);
  if (response.status != 200) {
    return UnavailableError(who + " answered HTTP " + std::to_string(response.status));
  }
  auto object = ParseJsonObject(response.body);
  if (!object.ok()) return UnavailableError(who + " did not answer a JSON object");
  return std::move(*object);
}

std::string_view StringMember(const boost::json::object& object, std::string_view name) {
  auto it = object.find(name);
  if (it == object.end() || !it->value().is_string()) return {};
  return it->value().as_string();
}

std::string StorableClaim(std::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes || !IsStorableText(value)) return {};
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return {};
  }
  return std::string(value);
}

bool IsBearerTokenShaped(std::string_view token) {
  if (token.empty() || token.size() > kMaxBearerTokenBytes) return false;
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

}  // namespace tessera::services
