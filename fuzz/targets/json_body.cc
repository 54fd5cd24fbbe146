// The strict JSON reader of every JSON API (http/json_body.h), on a body of fuzzed bytes, read
// the way the endpoints read theirs: strings, nullable strings, booleans, integers, arrays of
// strings, a nested settings object and a profile patch (accounts/profile.h). Properties: a body
// that parses holds only UTF-8 text; the 4xx answer is always well-formed UTF-8 JSON; the
// parsed object survives ToJsonText and a parse back unchanged.
#include <boost/json.hpp>

#include <cmath>

#include "accounts/profile.h"
#include "base/json_util.h"
#include "base/utf8.h"
#include "fuzz_support.h"
#include "http/json_body.h"

namespace {
namespace json = boost::json;
using tessera::IsValidUtf8;

bool AllUtf8(const json::value& v) {
  if (v.is_string()) return IsValidUtf8(std::string_view(v.get_string()));
  if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      if (!AllUtf8(e)) return false;
    }
  }
  if (v.is_object()) {
    for (const auto& [k, m] : v.get_object()) {
      if (!IsValidUtf8(std::string_view(k)) || !AllUtf8(m)) return false;
    }
  }
  return true;
}

// Equal, but a double only to its last bits: Boost.JSON 1.81 does not round decimal numbers
// correctly (a 72-digit integer reads 1 ulp off what its own output reads back as).
bool SameJson(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    double x = a.get_double(), y = b.get_double();
    return x == y || std::fabs(x - y) <= 1e-12 * std::fmax(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &p = a.get_array(), &q = b.get_array();
    if (p.size() != q.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      if (!SameJson(p[i], q[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto &p = a.get_object(), &q = b.get_object();
    if (p.size() != q.size()) return false;
    for (const auto& [k, m] : p) {
      auto it = q.find(k);
      if (it == q.end() || !SameJson(m, it->value())) return false;
    }
    return true;
  }
  return a == b;
}

bool HasNonFinite(const json::value& v) {
  if (v.is_double()) return !std::isfinite(v.get_double());
  if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      if (HasNonFinite(e)) return true;
    }
  }
  if (v.is_object()) {
    for (const auto& [k, m] : v.get_object()) {
      if (HasNonFinite(m)) return true;
    }
  }
  return false;
}

void ReadLikeAnEndpoint(tessera::http::JsonBody& b) {
  auto email = b.String("email", /*required=*/true);
  if (email) FUZZ_CHECK(email->find('\0') == std::string::npos, "NUL refused by default");
  b.String("password");
  b.NullableString("name");
  b.Bool("remember");
  b.Integer("limit");
  auto scopes = b.StringArray("scopes");
  if (scopes) {
    for (const auto& s : *scopes) FUZZ_CHECK(IsValidUtf8(s), "array element is UTF-8");
  }
  if (auto settings = b.Nested("settings")) {
    settings->Bool("allow_signup");
    settings->Integer("access_token_ttl_s");
    settings->String("logo_url");
    if (auto branding = settings->Nested("branding")) {
      branding->String("accent_color");
      settings->Absorb(*branding);
    }
    b.Absorb(*settings);
  }
  if (auto patch = b.Object("profile")) {
    json::object profile{{"name", "Zoë"}};
    std::vector<tessera::FieldError> errors;
    tessera::services::ApplyProfilePatch(*patch, profile, errors);
    FUZZ_CHECK(AllUtf8(profile), "profile holds UTF-8 text");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view body = fuzz::AsText(data, size);
  http::Request req = fuzz::RequestWithBody("application/json; charset=utf-8", body);

  auto parsed = http::JsonBody::Parse(req);
  if (parsed.ok()) {
    // The object a handler reads: text only, and it serializes back to itself — except a
    // number Boost.JSON 1.81 reads as non-finite (1e400 as infinity, 0e400 as NaN), which it
    // writes as `Infinity` or `NaN`, not JSON. No handler echoes a number it was sent (only
    // JsonBody::Integer reads numbers, as int64), so no answer holds one.
    json::value v = ParseJsonObject(body, JsonUtf8::kKeep).value();
    FUZZ_CHECK(AllUtf8(v), "a body that parses holds only UTF-8 text");
    boost::system::error_code ec;
    json::value again = json::parse(ToJsonText(v), ec);
    FUZZ_CHECK(ec ? HasNonFinite(v) : SameJson(again, v), "ToJsonText round trip");
  }

  auto answer = http::ReadJson(req, ReadLikeAnEndpoint);
  if (answer) {
    FUZZ_CHECK(answer->status == 400 || answer->status == 415, "a bad body is a 4xx");
    FUZZ_CHECK(IsValidUtf8(answer->body), "the problem document is UTF-8");
    boost::system::error_code ec;
    json::value problem = json::parse(answer->body, ec);
    FUZZ_CHECK(!ec && problem.is_object(), "the problem document is JSON");
  }
  return 0;
}
