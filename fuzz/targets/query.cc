// Query strings (http/query.h): the lenient reader of the hosted pages and the OAuth endpoints,
// the strict one of the JSON APIs (known, bounded parameters), `limit`, and the authorization
// request read from them (oauth/authorize_request.h: scopes and prompt split on spaces).
// Properties: what the strict reader lets through is known, storable text of at most 512
// bytes; a limit is within its bounds; scopes are non-empty, space-free and each once.
#include <algorithm>
#include <set>

#include "base/utf8.h"
#include "fuzz_support.h"
#include "http/query.h"
#include "oauth/authorize_request.h"
#include "oauth/oidc_claims.h"

namespace {

void CheckScopes(const std::vector<std::string>& scopes) {
  std::set<std::string> seen;
  for (const auto& s : scopes) {
    FUZZ_CHECK(!s.empty() && s.find(' ') == std::string::npos, "a scope is one non-empty word");
    FUZZ_CHECK(seen.insert(s).second, "each scope once");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view query = fuzz::AsText(data, size);
  http::Request req = fuzz::RequestAt("/apps/default/oauth/authorize?" + std::string(query));

  auto lenient = http::ReadQuery(req);
  if (lenient.ok()) {
    for (const auto& [name, value] : *lenient) {
      FUZZ_CHECK(IsValidUtf8(name) && IsValidUtf8(value), "query parameters are UTF-8");
    }
    auto areq = services::AuthorizeRequest::Parse(*lenient);
    CheckScopes(areq.scopes);
    CheckScopes(areq.prompt);
    FUZZ_CHECK(areq.redirect_uri.has_value() == lenient->contains("redirect_uri"),
               "an absent redirect_uri is told from an empty one");
    CheckScopes(services::SplitScopes(services::JoinScopes(areq.scopes)));
  }

  static const std::vector<std::string_view> kKnown = {"limit", "cursor", "action", "q"};
  auto strict = http::ReadKnownQuery(req, kKnown);
  if (strict.ok()) {
    for (const auto& [name, value] : *strict) {
      FUZZ_CHECK(std::find(kKnown.begin(), kKnown.end(), name) != kKnown.end(), "known only");
      FUZZ_CHECK(IsStorableText(value) && value.size() <= 512, "storable, bounded text");
    }
    auto limit = http::LimitOf(*strict, 50, 200);
    if (limit.ok()) FUZZ_CHECK(*limit >= 1 && *limit <= 200, "limit within 1..max");
  } else {
    FUZZ_CHECK(strict.status().code() == StatusCode::kInvalidArgument, "a bad query is invalid");
  }

  auto n = http::ParseInt64(query);
  if (n) {
    std::string_view digits = query.substr(query.starts_with('-') ? 1 : 0);
    FUZZ_CHECK(!digits.empty() && digits.find_first_not_of("0123456789") == digits.npos,
               "ParseInt64 takes a whole decimal number only");
  }
  return 0;
}
