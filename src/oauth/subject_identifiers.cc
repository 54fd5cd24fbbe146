#include "oauth/subject_identifiers.h"

#include <boost/url/parse.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace tessera::services {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string SectorOfUri(std::string_view uri) {
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed) return Lower(uri);  // registered URIs parse; this keeps the rule total
  if (parsed->has_authority() && !parsed->encoded_host().empty()) {
    return Lower(parsed->encoded_host());
  }
  return Lower(parsed->scheme());
}

}  // namespace

std::string SubjectIdentifiers::SectorOf(const store::OAuthClient& client) {
  if (client.redirect_uris.empty()) return client.client_id;
  return SectorOfUri(client.redirect_uris.front());
}

bool SubjectIdentifiers::HasOneSector(const store::OAuthClient& client) {
  for (const std::string& uri : client.redirect_uris) {
    if (SectorOfUri(uri) != SectorOf(client)) return false;
  }
  return true;
}

std::string SubjectIdentifiers::For(const store::OAuthClient& client,
                                    std::string_view user_id) const {
  if (!client.pairwise_subject) return std::string(user_id);
  // Newlines separate the parts: none of them holds one (ids, a host name, a scheme).
  std::string input = client.app_id + "\n" + SectorOf(client) + "\n" + std::string(user_id);
  return crypto::Base64UrlEncode(crypto::HmacSha256(key_, input));
}

}  // namespace tessera::services
