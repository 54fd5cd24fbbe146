#include "mfa/webauthn.h"

#include <cbor.h>

#include <boost/json.hpp>
#include <memory>

#include "base/utf8.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/signing_key.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr uint8_t kFlagUserPresent = 0x01;
constexpr uint8_t kFlagUserVerified = 0x04;
constexpr uint8_t kFlagBackedUp = 0x10;
constexpr uint8_t kFlagAttestedData = 0x40;
constexpr size_t kMaxCredentialId = 1023;  // WebAuthn L3 §5.8.3: at most 1023 bytes

Status Refuse(std::string why) { return InvalidArgumentError("WebAuthn: " + why); }

struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Cbor = std::unique_ptr<cbor_item_t, CborDeleter>;

// cbor_load (libcbor 0.8) allocates and zeroes a definite array's or map's storage when it
// reads the header, before any element: 5 bytes declaring 2^26 elements cost 512 MiB. In
// well-formed CBOR every element is an item of at least one byte of its own, so all the
// elements the containers declare together never outnumber the bytes; checked here, header by
// header, before cbor_load is given untrusted bytes (fuzz target webauthn). Bytes after the
// first item are scanned too: a COSE key is followed only by CBOR extensions.
bool CborSizesPlausible(std::string_view bytes) {
  struct Scan {
    uint64_t budget = 0;
    bool plausible = true;
  } scan;
  scan.budget = bytes.size();
  cbor_callbacks callbacks = cbor_empty_callbacks;
  callbacks.array_start = [](void* context, size_t n) {
    auto* s = static_cast<Scan*>(context);
    s->plausible = s->plausible && n <= s->budget;
    if (s->plausible) s->budget -= n;
  };
  callbacks.map_start = [](void* context, size_t n) {
    auto* s = static_cast<Scan*>(context);
    s->plausible = s->plausible && n <= s->budget / 2;
    if (s->plausible) s->budget -= 2 * n;
  };
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t at = 0; at < bytes.size() && scan.plausible;) {
    cbor_decoder_result r = cbor_stream_decode(p + at, bytes.size() - at, &callbacks, &scan);
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) break;  // malformed: cbor_load says so
    at += r.read;
  }
  return scan.plausible;
}

// The value of `key` (text or integer) in a CBOR map; null when absent.
cbor_item_t* MapGet(cbor_item_t* map, std::string_view text_key, int64_t int_key, bool by_text) {
  if (!cbor_isa_map(map)) return nullptr;
  cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    cbor_item_t* k = pairs[i].key;
    if (by_text) {
      if (cbor_isa_string(k) && cbor_string_is_definite(k) &&
          std::string_view(reinterpret_cast<const char*>(cbor_string_handle(k)),
                           cbor_string_length(k)) == text_key) {
        return pairs[i].value;
      }
    } else if (cbor_isa_uint(k) && int_key >= 0 && cbor_get_int(k) == uint64_t(int_key)) {
      return pairs[i].value;
    } else if (cbor_isa_negint(k) && int_key < 0 && cbor_get_int(k) == uint64_t(-1 - int_key)) {
      return pairs[i].value;
    }
  }
  return nullptr;
}

std::optional<std::string> Bytes(cbor_item_t* item) {
  if (!item || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(item)),
                     cbor_bytestring_length(item));
}

// An integer within int64; none beyond it (2^64 - 7 is not -7, nor is -2^64 + 1 the 1 it
// would wrap round to).
std::optional<int64_t> Int(cbor_item_t* item) {
  if (!item || !(cbor_isa_uint(item) || cbor_isa_negint(item))) return std::nullopt;
  const uint64_t v = cbor_get_int(item);
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return cbor_isa_uint(item) ? static_cast<int64_t>(v) : -1 - static_cast<int64_t>(v);
}

// The COSE_Key (RFC 9053) as a public JWK, for crypto::SigningKey::FromPublicJwk's checks.
Result<json::object> CoseToJwk(cbor_item_t* key, int64_t* alg_out) {
  auto kty = Int(MapGet(key, "", 1, false));
  auto alg = Int(MapGet(key, "", 3, false));
  if (!kty || !alg) return Refuse("the credential's key has no kty or alg");
  auto b64 = [&](int64_t label) -> std::optional<std::string> {
    auto b = Bytes(MapGet(key, "", label, false));
    if (!b) return std::nullopt;
    return crypto::Base64UrlEncode(*b);
  };
  json::object jwk;
  if (*kty == 2 && *alg == kCoseEs256) {
    auto crv = Int(MapGet(key, "", -1, false));
    auto x = b64(-2), y = b64(-3);
    if (crv != 1 || !x || !y) return Refuse("an ES256 key must be P-256 with x and y");
    jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", *x}, {"y", *y}, {"alg", "ES256"}};
  } else if (*kty == 1 && *alg == kCoseEdDsa) {
    auto crv = Int(MapGet(key, "", -1, false));
    auto x = b64(-2);
    if (crv != 6 || !x) return Refuse("an EdDSA key must be Ed25519 with x");
    jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", *x}, {"alg", "EdDSA"}};
  } else if (*kty == 3 && *alg == kCoseRs256) {
    auto n = b64(-1), e = b64(-2);
    if (!n || !e) return Refuse("an RS256 key needs n and e");
    jwk = {{"kty", "RSA"}, {"n", *n}, {"e", *e}, {"alg", "RS256"}};
  } else {
    return Refuse("the credential's algorithm is not one of ES256, EdDSA, RS256");
  }
  *alg_out = *alg;
  return jwk;
}

// authenticatorData (§6.1): rpIdHash(32) flags(1) signCount(4) [attestedCredentialData] [ext].
struct AuthData {
  std::string rp_id_hash;
  uint8_t flags = 0;
  int64_t sign_count = 0;
  std::string credential_id;
  std::string cose_key;  // the CBOR bytes of the credential public key
};

Result<AuthData> ParseAuthData(std::string_view data, bool expect_credential) {
  if (data.size() < 37) return Refuse("authenticator data is too short");
  AuthData a;
  a.rp_id_hash = std::string(data.substr(0, 32));
  a.flags = static_cast<uint8_t>(data[32]);
  for (int i = 0; i < 4; ++i) a.sign_count = (a.sign_count << 8) | static_cast<uint8_t>(data[33 + i]);
  if (!expect_credential) return a;
  if (!(a.flags & kFlagAttestedData)) return Refuse("no attested credential data");
  size_t at = 37 + 16;  // aaguid
  if (data.size() < at + 2) return Refuse("attested credential data is truncated");
  size_t id_len = (static_cast<uint8_t>(data[at]) << 8) | static_cast<uint8_t>(data[at + 1]);
  at += 2;
  if (id_len == 0 || id_len > kMaxCredentialId || data.size() < at + id_len) {
    return Refuse("the credential id is missing or too long");
  }
  a.credential_id = std::string(data.substr(at, id_len));
  at += id_len;
  if (!CborSizesPlausible(data.substr(at))) return Refuse("the credential key is not CBOR");
  cbor_load_result loaded;
  Cbor key(cbor_load(reinterpret_cast<const unsigned char*>(data.data() + at), data.size() - at,
                     &loaded));
  if (!key || loaded.error.code != CBOR_ERR_NONE) return Refuse("the credential key is not CBOR");
  a.cose_key = std::string(data.substr(at, loaded.read));
  return a;
}

// clientDataJSON (§5.8.1): type, challenge, origin; never a cross-origin frame.
Status CheckClientData(std::string_view client_data_json, std::string_view type,
                       const WebAuthnExpectation& expected) {
  if (client_data_json.size() > 4096) return Refuse("clientDataJSON is too long");
  boost::system::error_code ec;
  json::value v = json::parse(client_data_json, ec);
  if (ec || !v.is_object()) return Refuse("clientDataJSON is not a JSON object");
  const json::object& o = v.as_object();
  auto text = [&o](std::string_view k) -> std::string {
    auto* m = o.if_contains(k);
    return m && m->is_string() ? std::string(m->as_string()) : std::string();
  };
  if (text("type") != type) return Refuse("clientDataJSON.type is not " + std::string(type));
  if (expected.challenge.empty() ||
      !crypto::ConstantTimeEquals(text("challenge"), expected.challenge)) {
    return Refuse("the challenge is not the one this server sent");
  }
  const std::string origin = text("origin");
  bool allowed = false;
  for (const auto& o2 : expected.origins) allowed = allowed || origin == o2;
  if (!allowed) return Refuse("the origin " + DisplayText(origin, 200) + " is not allowed here");
  if (auto* cross = o.if_contains("crossOrigin"); cross && cross->is_bool() && cross->as_bool()) {
    return Refuse("a ceremony in a cross-origin frame is refused");
  }
  return OkStatus();
}

Status CheckFlags(const AuthData& a, const WebAuthnExpectation& expected) {
  if (!crypto::ConstantTimeEquals(a.rp_id_hash, crypto::Sha256(expected.rp_id))) {
    return Refuse("the RP ID hash is not this server's");
  }
  if (!(a.flags & kFlagUserPresent)) return Refuse("the user was not present");
  if (expected.require_user_verification && !(a.flags & kFlagUserVerified)) {
    return Refuse("the user was not verified");
  }
  return OkStatus();
}

}  // namespace

bool SignCountAcceptable(int64_t stored, int64_t presented) {
  if (stored == 0 && presented == 0) return true;
  return presented > stored;
}

Result<NewCredential> VerifyRegistration(std::string_view client_data_json,
                                         std::string_view attestation_object,
                                         const WebAuthnExpectation& expected) {
  TESSERA_RETURN_IF_ERROR(CheckClientData(client_data_json, "webauthn.create", expected));
  if (attestation_object.size() > 64 * 1024) return Refuse("the attestation object is too long");
  if (!CborSizesPlausible(attestation_object)) {
    return Refuse("the attestation object is not a CBOR map");
  }
  cbor_load_result loaded;
  Cbor att(cbor_load(reinterpret_cast<const unsigned char*>(attestation_object.data()),
                     attestation_object.size(), &loaded));
  if (!att || loaded.error.code != CBOR_ERR_NONE || !cbor_isa_map(att.get())) {
    return Refuse("the attestation object is not a CBOR map");
  }
  auto auth_data = Bytes(MapGet(att.get(), "authData", 0, true));
  if (!auth_data) return Refuse("the attestation object has no authData");
  TESSERA_ASSIGN_OR_RETURN(AuthData a, ParseAuthData(*auth_data, true));
  TESSERA_RETURN_IF_ERROR(CheckFlags(a, expected));
  cbor_load_result key_loaded;
  Cbor key(cbor_load(reinterpret_cast<const unsigned char*>(a.cose_key.data()), a.cose_key.size(),
                     &key_loaded));
  if (!key || !cbor_isa_map(key.get())) return Refuse("the credential key is not a COSE map");
  NewCredential out;
  TESSERA_ASSIGN_OR_RETURN(json::object jwk, CoseToJwk(key.get(), &out.algorithm));
  auto checked = crypto::SigningKey::FromPublicJwk(jwk);
  if (!checked.ok()) return Refuse("the credential key is unusable: " + checked.status().message());
  out.credential_id = crypto::Base64UrlEncode(a.credential_id);
  out.public_jwk = json::serialize(jwk);
  out.sign_count = a.sign_count;
  out.user_verified = (a.flags & kFlagUserVerified) != 0;
  out.backed_up = (a.flags & kFlagBackedUp) != 0;
  return out;
}

Result<VerifiedAssertion> VerifyAssertion(std::string_view client_data_json,
                                          std::string_view authenticator_data,
                                          std::string_view signature,
                                          std::string_view public_jwk, int64_t stored_sign_count,
                                          const WebAuthnExpectation& expected) {
  TESSERA_RETURN_IF_ERROR(CheckClientData(client_data_json, "webauthn.get", expected));
  if (authenticator_data.size() > 64 * 1024) return Refuse("authenticator data is too long");
  TESSERA_ASSIGN_OR_RETURN(AuthData a, ParseAuthData(authenticator_data, false));
  TESSERA_RETURN_IF_ERROR(CheckFlags(a, expected));
  boost::system::error_code ec;
  json::value jwk = json::parse(public_jwk, ec);
  if (ec || !jwk.is_object()) return InternalError("a stored credential key is unreadable");
  TESSERA_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::SigningKey::FromPublicJwk(jwk.as_object()));
  std::string signed_bytes = std::string(authenticator_data) + crypto::Sha256(client_data_json);
  if (!key.VerifyDer(signed_bytes, signature)) {
    return UnauthenticatedError("the passkey's signature is not valid");
  }
  if (!SignCountAcceptable(stored_sign_count, a.sign_count)) {
    return FailedPreconditionError("the passkey's sign counter went back: it may have been cloned");
  }
  return VerifiedAssertion{a.sign_count, (a.flags & kFlagUserVerified) != 0,
                           (a.flags & kFlagBackedUp) != 0};
}

}  // namespace tessera::services
