// The WebAuthn ceremonies (mfa/webauthn.h) on what a browser's response brings: a registration
// (VerifyRegistration: clientDataJSON, the CBOR attestation object, its authenticator data and
// COSE key) and an assertion (VerifyAssertion: clientDataJSON, authenticator data, the
// signature — DER for ES256 — and the stored credential's public JWK). Both run on every input.
//
// Input: 5 bytes — flags (bit 0: the RP requires user verification) and the stored sign count
// (big-endian uint32) — then up to four parts separated by kSep ("\n--\n"):
//   clientDataJSON | attestation object (registration) = authenticator data (assertion)
//   | signature | the stored public JWK, as VerifyRegistration writes it (the rest of the input)
//
// The seeds (fuzz/corpus/webauthn) are real ceremonies of a software authenticator built here
// with the fixed keys of jwt_keys.h (ES256, EdDSA, RS256): valid registrations and assertions
// and ones that each check refuses. They are written (each run first: it must be accepted or
// refused as its name says) by this binary; the regression_* inputs are kept findings:
//   FUZZ_WEBAUTHN_WRITE_SEEDS=fuzz/corpus/webauthn build-fuzz/fuzz_webauthn -runs=0
//
// Properties: a registration is refused with kInvalidArgument, an assertion with
// kInvalidArgument, kUnauthenticated, kFailedPrecondition or (for a stored key that is no JSON
// object) kInternal. A registration accepted has client data of type webauthn.create with our
// challenge, one of our origins and no cross-origin frame; its authenticator data and COSE
// key, read here again on their own (libcbor, integers read strictly), carry our RP ID hash,
// UP and AT (UV when required), and exactly the credential id (1–1023 bytes), counter, flags,
// algorithm and key material reported; the JWK is public and reads back as a key of that
// algorithm. An assertion accepted has client data of type webauthn.get (same checks),
// authenticator data with our RP ID hash and UP (UV when required), reports its counter and
// flags, keeps the counter rule, and is a message (authenticatorData ‖
// SHA-256(clientDataJSON)) that one of the fixed keys signed, the stored JWK being that key:
// no mutation of what was signed, and no other key, gets through.
#include "mfa/webauthn.h"

#include <cbor.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <bit>
#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/signing_key.h"
#include "fuzz_support.h"
#include "jwt_keys.h"

namespace {
namespace json = boost::json;
using namespace tessera;
using services::NewCredential;
using services::VerifiedAssertion;
using services::WebAuthnExpectation;

constexpr std::string_view kSep = "\n--\n";
constexpr std::string_view kChallenge = "Zm5vcmQtY2hhbGxlbmdlLTAx";
constexpr std::string_view kOrigin = "https://id.example";
constexpr std::string_view kOtherOrigin = "https://login.example:8443";  // an app's own domain
constexpr std::string_view kRpId = "id.example";
constexpr uint8_t kUp = 0x01, kUv = 0x04, kBe = 0x08, kBs = 0x10, kAt = 0x40, kEd = 0x80;

WebAuthnExpectation Expect(bool uv) {
  return {std::string(kChallenge),
          {std::string(kOrigin), std::string(kOtherOrigin)},
          std::string(kRpId),
          uv};
}

// ---- A small CBOR writer for the seeds (definite lengths, shortest heads).
std::string Head(uint8_t major, uint64_t n) {
  const int bytes = n < 24 ? 0 : n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffff ? 4 : 8;
  const uint64_t info = bytes == 0 ? n : 24 + std::countr_zero(unsigned(bytes));  // 24..27
  std::string out(1, static_cast<char>((major << 5) | info));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(n >> (8 * i)));
  return out;
}
std::string CInt(int64_t v) { return v >= 0 ? Head(0, v) : Head(1, static_cast<uint64_t>(-1 - v)); }
std::string CBytes(std::string_view b) { return Head(2, b.size()) + std::string(b); }
std::string CText(std::string_view t) { return Head(3, t.size()) + std::string(t); }
std::string CMap(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out = Head(5, entries.size());
  for (const auto& [k, v] : entries) out += k + v;
  return out;
}

// A COSE_Key of type EC2 (kty 2), as an ES256 authenticator writes it with alg -7 and crv 1.
std::string Ec2Key(int64_t alg, int64_t crv, std::string_view x, std::string_view y) {
  return CMap({{CInt(1), CInt(2)},
               {CInt(3), CInt(alg)},
               {CInt(-1), CInt(crv)},
               {CInt(-2), CBytes(x)},
               {CInt(-3), CBytes(y)}});
}

// ---- The fixed keys: the server's view (SigningKey, its public JWK) and the authenticator's.
struct FixedKey {
  std::string kid;
  int64_t cose_alg;
  crypto::SigningKey key;
  std::shared_ptr<EVP_PKEY> pkey;  // for DER signatures, as an authenticator makes them

  json::object Material() const {
    json::object jwk = key.PublicJwk();
    jwk.erase("kid");
    return jwk;
  }
  std::string Member(std::string_view name) const {
    return *crypto::Base64UrlDecode(key.PublicJwk().at(name).as_string());
  }
  std::string CoseKey() const {
    if (cose_alg == services::kCoseEs256) return Ec2Key(-7, 1, Member("x"), Member("y"));
    if (cose_alg == services::kCoseEdDsa) {
      return CMap({{CInt(1), CInt(1)},
                   {CInt(3), CInt(-8)},
                   {CInt(-1), CInt(6)},
                   {CInt(-2), CBytes(Member("x"))}});
    }
    return CMap({{CInt(1), CInt(3)},
                 {CInt(3), CInt(-257)},
                 {CInt(-1), CBytes(Member("n"))},
                 {CInt(-2), CBytes(Member("e"))}});
  }
  std::string SignDer(std::string_view data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const EVP_MD* md = cose_alg == services::kCoseEdDsa ? nullptr : EVP_sha256();
    size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(data.data());
    FUZZ_CHECK(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey.get()) == 1 &&
                   EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) == 1,
               "the fixed key signs");
    std::string sig(len, '\0');
    FUZZ_CHECK(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                              data.size()) == 1,
               "the fixed key signs");
    sig.resize(len);
    return sig;
  }
};

FixedKey Load(crypto::JwsAlg alg, std::string kid, int64_t cose_alg, const char* pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem, -1), BIO_free);
  std::shared_ptr<EVP_PKEY> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                 EVP_PKEY_free);
  FUZZ_CHECK(pkey != nullptr, "the fixed key reads");
  return {kid, cose_alg, crypto::SigningKey::FromPrivatePem(alg, kid, pem).value(), pkey};
}

const std::vector<FixedKey>& Keys() {
  static const auto* keys = new std::vector<FixedKey>{
      Load(crypto::JwsAlg::kES256, "es", services::kCoseEs256, fuzz::kEs256Pem),
      Load(crypto::JwsAlg::kEdDSA, "ed", services::kCoseEdDsa, fuzz::kEd25519Pem),
      Load(crypto::JwsAlg::kRS256, "rs", services::kCoseRs256, fuzz::kRs256Pem)};
  return *keys;
}

// ---- What a browser and an authenticator send.
std::string ClientData(std::string_view type, std::string_view challenge = kChallenge,
                       std::string_view origin = kOrigin, bool cross_origin = false) {
  return json::serialize(json::object{
      {"type", type}, {"challenge", challenge}, {"origin", origin}, {"crossOrigin", cross_origin}});
}

std::string AuthData(uint8_t flags, uint32_t counter, std::string_view attested = {},
                     std::string_view rp_id = kRpId) {
  std::string a = crypto::Sha256(rp_id);
  a.push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) a.push_back(static_cast<char>(counter >> shift));
  return a + std::string(attested);
}

std::string Attested(std::string_view credential_id, std::string_view cose_key) {
  std::string a = "\x6f\x1d\x59\x6b\xc7\x4e\x4d\x8f\x90\x11\x2a\x3c\x55\xe0\x01\x7a";  // aaguid
  a.push_back(static_cast<char>(credential_id.size() >> 8));
  a.push_back(static_cast<char>(credential_id.size() & 0xff));
  return a + std::string(credential_id) + std::string(cose_key);
}

std::string AttestationObject(std::string_view auth_data, std::string_view fmt = "none",
                              std::string att_stmt = CMap({})) {
  return CMap({{CText("fmt"), CText(fmt)},
               {CText("attStmt"), att_stmt},
               {CText("authData"), CBytes(auth_data)}});
}

// The assertions signed by the fixed keys: the seeds, and all the fuzzer may get accepted.
struct Assertion {
  std::string name;
  size_t key;  // into Keys()
  std::string client_data, auth_data;
  uint8_t header_flags = 0;
  uint32_t stored = 0;
};

std::vector<Assertion> Assertions() {
  std::vector<Assertion> out;
  const std::string get = ClientData("webauthn.get");
  for (size_t k = 0; k < Keys().size(); ++k) {
    const std::string& kid = Keys()[k].kid;
    out.push_back({"assert_" + kid, k, get, AuthData(kUp | kUv, 7), 1, 6});
    out.push_back({"assert_" + kid + "_synced", k,
                   ClientData("webauthn.get", kChallenge, kOtherOrigin),
                   AuthData(kUp | kBe | kBs, 0)});
  }
  // ES256 only: with extensions, and signed but refused, one check each.
  std::string ext = CMap({{CText("credProps"), "\xf5"}});
  out.push_back({"assert_es_extensions", 0, get, AuthData(kUp | kEd, 9, ext), 0, 8});
  out.push_back({"refused_assert_challenge", 0,
                 ClientData("webauthn.get", "Zm5vcmQtY2hhbGxlbmdlLTAy"), AuthData(kUp, 0)});
  out.push_back({"refused_assert_type", 0, ClientData("webauthn.create"), AuthData(kUp, 0)});
  out.push_back({"refused_assert_origin", 0,
                 ClientData("webauthn.get", kChallenge, "https://id.example.evil"),
                 AuthData(kUp, 0)});
  out.push_back({"refused_assert_cross_origin", 0,
                 ClientData("webauthn.get", kChallenge, kOrigin, true), AuthData(kUp, 0)});
  out.push_back({"refused_assert_rp_id", 0, get, AuthData(kUp, 0, {}, "example")});
  out.push_back({"refused_assert_not_present", 0, get, AuthData(kUv, 0)});
  out.push_back({"refused_assert_not_verified", 0, get, AuthData(kUp, 3), 1, 2});
  out.push_back({"refused_assert_counter", 0, get, AuthData(kUp, 5), 0, 5});
  return out;
}

std::string SignedMessage(std::string_view kid, std::string_view auth_data,
                          std::string_view client_data) {
  return std::string(kid) + ":" + std::string(auth_data) + crypto::Sha256(client_data);
}

std::set<std::string> SignedMessages() {
  std::set<std::string> out;
  for (const Assertion& a : Assertions()) {
    out.insert(SignedMessage(Keys()[a.key].kid, a.auth_data, a.client_data));
  }
  return out;
}

// ---- The input format.
std::string Input(uint8_t flags, uint32_t stored, const std::vector<std::string>& parts) {
  std::string out(1, static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(stored >> shift));
  for (size_t i = 0; i < parts.size(); ++i) {
    FUZZ_CHECK(parts[i].find(kSep) == std::string::npos || i == 3,
               "a seed part holds the separator");
    out += (i ? std::string(kSep) : "") + parts[i];
  }
  return out;
}

// Both ceremonies on one input, with the properties checked: {registration, assertion}.
std::pair<Status, Status> Run(std::string_view input);

// Each seed is run before it is written: the ones named register_/assert_ are accepted, the
// refused_ ones refused by the ceremony their name says.
void WriteSeeds(const std::string& dir) {
  auto write = [&](const std::string& name, const std::string& input) {
    auto [registration, assertion] = Run(input);
    const Status& s = name.find("register") != name.npos ? registration : assertion;
    std::fprintf(stderr, "%-40s %s\n", name.c_str(), s.ok() ? "accepted" : s.ToString().c_str());
    FUZZ_CHECK(s.ok() == !name.starts_with("refused_"), "a seed is not what its name says");
    std::ofstream(dir + "/" + name, std::ios::binary) << input;
  };
  const std::string create = ClientData("webauthn.create");
  std::vector<std::string> jwks;  // the stored key of each fixed key, as registration wrote it
  for (const FixedKey& k : Keys()) {
    std::string id = "cred-" + k.kid + "-0123456789abcdef";
    std::string att = AttestationObject(AuthData(kUp | kUv | kAt, 0, Attested(id, k.CoseKey())));
    auto registered = services::VerifyRegistration(create, att, Expect(true));
    FUZZ_CHECK(registered.ok(), "the seed registration is accepted");
    jwks.push_back(registered->public_jwk);
    write("register_" + k.kid, Input(1, 0, {create, att}));
  }
  const FixedKey& es = Keys()[0];
  const std::string es_cose = es.CoseKey();
  auto reg = [&](const std::string& name, const std::string& client_data, const std::string& att,
                 uint8_t flags = 0) {
    write(name, Input(flags, 0, {client_data, att}));
  };
  reg("register_es_packed_backed_up_long_id",
      ClientData("webauthn.create", kChallenge, kOtherOrigin),
      AttestationObject(
          AuthData(kUp | kBe | kBs | kAt, 0, Attested(std::string(255, '\xa5'), es_cose)), "packed",
          CMap({{CText("alg"), CInt(-7)}, {CText("sig"), CBytes("\x30\x06")}})));
  reg("register_es_extensions", create,
      AttestationObject(AuthData(
          kUp | kAt | kEd, 1, Attested("ext", es_cose) + CMap({{CText("credProtect"), CInt(2)}}))));
  // Refused, one check each.
  const std::string good_auth = AuthData(kUp | kAt, 0, Attested("cred-x", es_cose));
  reg("refused_register_type", ClientData("webauthn.get"), AttestationObject(good_auth));
  reg("refused_register_rp_id", create,
      AttestationObject(AuthData(kUp | kAt, 0, Attested("x", es_cose), "example")));
  reg("refused_register_not_present", create,
      AttestationObject(AuthData(kUv | kAt, 0, Attested("x", es_cose))));
  reg("refused_register_not_verified", create, AttestationObject(good_auth), 1);
  reg("refused_register_no_attested_data", create, AttestationObject(AuthData(kUp, 0)));
  const std::string x = es.Member("x"), y = es.Member("y");
  std::string off_curve = y;
  off_curve.back() ^= 0x01;
  for (const auto& [name, cose] :
       {std::pair{"refused_register_curve", Ec2Key(-7, 2, x, y)},
        std::pair{"refused_register_alg", Ec2Key(-35, 1, x, y)},
        std::pair{"refused_register_off_curve", Ec2Key(-7, 1, x, off_curve)}}) {
    reg(name, create, AttestationObject(AuthData(kUp | kAt, 0, Attested("x", cose))));
  }

  for (const Assertion& a : Assertions()) {
    const FixedKey& k = Keys()[a.key];
    std::string signature = k.SignDer(a.auth_data + crypto::Sha256(a.client_data));
    write(a.name,
          Input(a.header_flags, a.stored, {a.client_data, a.auth_data, signature, jwks[a.key]}));
  }
  // Signed, presented with another key or in the wrong form.
  const Assertion good = Assertions()[0];
  std::string der = es.SignDer(good.auth_data + crypto::Sha256(good.client_data));
  write("refused_assert_other_key", Input(0, 0, {good.client_data, good.auth_data, der, jwks[1]}));
  std::string raw = es.key.Sign(good.auth_data + crypto::Sha256(good.client_data)).value();
  write("refused_assert_raw_es256", Input(0, 0, {good.client_data, good.auth_data, raw, jwks[0]}));
}

// ---- The checks.
std::string BigEndian(std::string_view b) {  // as an unsigned number
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return std::to_string(v);
}

// clientDataJSON as the ceremony requires it, read here on its own.
bool ClientDataAsRequired(std::string_view text, std::string_view type) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return false;
  const json::object& o = v.as_object();
  auto is = [&o](std::string_view k, std::string_view want) {
    const json::value* m = o.if_contains(k);
    return m && m->is_string() && m->as_string() == want;
  };
  const json::value* cross = o.if_contains("crossOrigin");
  return is("type", type) && is("challenge", kChallenge) &&
         (is("origin", kOrigin) || is("origin", kOtherOrigin)) &&
         !(cross && cross->is_bool() && cross->as_bool());
}

struct CborFree {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborFree>;

CborItem LoadCbor(std::string_view bytes, size_t* read = nullptr) {
  cbor_load_result result;
  CborItem item(
      cbor_load(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), &result));
  if (result.error.code != CBOR_ERR_NONE) item.reset();
  if (read) *read = result.read;
  return item;
}

// A map's value under a text key, or under a small integer (read strictly: no wrap-around).
cbor_item_t* Lookup(cbor_item_t* map, std::optional<std::string_view> text, int64_t number = 0) {
  if (!map || !cbor_isa_map(map)) return nullptr;
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    cbor_item_t* k = cbor_map_handle(map)[i].key;
    bool match = false;
    if (text) {
      match = cbor_isa_string(k) && cbor_string_is_definite(k) &&
              std::string_view(reinterpret_cast<const char*>(cbor_string_handle(k)),
                               cbor_string_length(k)) == *text;
    } else if (number >= 0) {
      match = cbor_isa_uint(k) && cbor_get_int(k) == static_cast<uint64_t>(number);
    } else {
      match = cbor_isa_negint(k) && cbor_get_int(k) == static_cast<uint64_t>(-1 - number);
    }
    if (match) return cbor_map_handle(map)[i].value;
  }
  return nullptr;
}

bool IsInt(cbor_item_t* item, int64_t want) {
  if (!item) return false;
  if (want >= 0) return cbor_isa_uint(item) && cbor_get_int(item) == static_cast<uint64_t>(want);
  return cbor_isa_negint(item) && cbor_get_int(item) == static_cast<uint64_t>(-1 - want);
}

std::optional<std::string> BytesOf(cbor_item_t* item) {
  if (!item || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
    return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(item)),
                     cbor_bytestring_length(item));
}

// A registration accepted, against the attestation object read here on its own.
void CheckRegistration(std::string_view client_data, std::string_view attestation_object,
                       const NewCredential& c, bool uv_required) {
  FUZZ_CHECK(ClientDataAsRequired(client_data, "webauthn.create"),
             "a registration was accepted with client data not of this ceremony");
  CborItem att = LoadCbor(attestation_object);
  auto auth = BytesOf(Lookup(att.get(), "authData"));
  FUZZ_CHECK(auth && auth->size() >= 55, "accepted without authenticator data");
  std::string_view a = *auth;
  const auto flags = static_cast<uint8_t>(a[32]);
  FUZZ_CHECK(a.substr(0, 32) == crypto::Sha256(kRpId), "another RP's authenticator data");
  FUZZ_CHECK((flags & kUp) && (flags & kAt), "accepted without UP or attested data");
  FUZZ_CHECK(!uv_required || (flags & kUv), "accepted without UV where it is required");
  FUZZ_CHECK(c.user_verified == ((flags & kUv) != 0) && c.backed_up == ((flags & kBs) != 0),
             "the flags reported are not the authenticator's");
  FUZZ_CHECK(std::to_string(c.sign_count) == BigEndian(a.substr(33, 4)), "the counter reported");
  const size_t id_len = std::stoul(BigEndian(a.substr(53, 2)));
  auto id = crypto::Base64UrlDecode(c.credential_id);
  FUZZ_CHECK(id && !id->empty() && id->size() <= 1023 && id->size() == id_len &&
                 a.substr(55, id_len) == *id,
             "the credential id reported is not the authenticator data's");
  size_t cose_len = 0;
  CborItem cose = LoadCbor(a.substr(55 + id_len), &cose_len);
  FUZZ_CHECK(cose && cbor_isa_map(cose.get()), "accepted without a COSE key");
  cbor_item_t* key = cose.get();

  boost::system::error_code ec;
  json::value v = json::parse(c.public_jwk, ec);
  FUZZ_CHECK(!ec && v.is_object(), "the JWK is JSON");
  const json::object& jwk = v.as_object();
  for (std::string_view m : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    FUZZ_CHECK(!jwk.contains(m), "a private member in the stored JWK");
  }
  auto back = crypto::SigningKey::FromPublicJwk(jwk);
  FUZZ_CHECK(back.ok(), "the stored JWK does not read back");
  auto member = [&jwk](std::string_view m) { return std::string(jwk.at(m).as_string()); };
  auto cose_b64 = [key](int64_t label) {
    auto b = BytesOf(Lookup(key, std::nullopt, label));
    return b ? crypto::Base64UrlEncode(*b) : std::string("<none>");
  };
  switch (c.algorithm) {
    case services::kCoseEs256:
      FUZZ_CHECK(back->alg() == crypto::JwsAlg::kES256 && IsInt(Lookup(key, std::nullopt, 1), 2) &&
                     IsInt(Lookup(key, std::nullopt, 3), -7) &&
                     IsInt(Lookup(key, std::nullopt, -1), 1),
                 "ES256 reported for another COSE key");
      FUZZ_CHECK(member("x") == cose_b64(-2) && member("y") == cose_b64(-3), "EC point copied");
      break;
    case services::kCoseEdDsa:
      FUZZ_CHECK(back->alg() == crypto::JwsAlg::kEdDSA && IsInt(Lookup(key, std::nullopt, 1), 1) &&
                     IsInt(Lookup(key, std::nullopt, 3), -8) &&
                     IsInt(Lookup(key, std::nullopt, -1), 6),
                 "EdDSA reported for another COSE key");
      FUZZ_CHECK(member("x") == cose_b64(-2), "Ed25519 key copied");
      break;
    case services::kCoseRs256:
      FUZZ_CHECK(back->alg() == crypto::JwsAlg::kRS256 && IsInt(Lookup(key, std::nullopt, 1), 3) &&
                     IsInt(Lookup(key, std::nullopt, 3), -257),
                 "RS256 reported for another COSE key");
      FUZZ_CHECK(member("n") == cose_b64(-1) && member("e") == cose_b64(-2), "RSA key copied");
      break;
    default:
      FUZZ_CHECK(false, "an algorithm other than ES256, EdDSA, RS256 was accepted");
  }
}

// An assertion accepted: what the authenticator data says, and that a fixed key signed it.
void CheckAssertion(std::string_view client_data, std::string_view auth_data,
                    std::string_view public_jwk, uint32_t stored, const VerifiedAssertion& v,
                    bool uv_required) {
  static const std::set<std::string> kSigned = SignedMessages();
  FUZZ_CHECK(ClientDataAsRequired(client_data, "webauthn.get"),
             "an assertion was accepted with client data not of this ceremony");
  FUZZ_CHECK(auth_data.size() >= 37 && auth_data.substr(0, 32) == crypto::Sha256(kRpId),
             "another RP's authenticator data");
  const auto flags = static_cast<uint8_t>(auth_data[32]);
  FUZZ_CHECK((flags & kUp) && (!uv_required || (flags & kUv)), "accepted without UP (or UV)");
  FUZZ_CHECK(v.user_verified == ((flags & kUv) != 0) && v.backed_up == ((flags & kBs) != 0),
             "the flags reported are not the authenticator's");
  FUZZ_CHECK(std::to_string(v.sign_count) == BigEndian(auth_data.substr(33, 4)),
             "the counter reported");
  FUZZ_CHECK((stored == 0 && v.sign_count == 0) || v.sign_count > stored,
             "a counter that went back");
  json::value jwk = json::parse(public_jwk);
  json::object material = crypto::SigningKey::FromPublicJwk(jwk.as_object()).value().PublicJwk();
  material.erase("kid");
  bool signed_by_us = false;
  for (const FixedKey& k : Keys()) {
    signed_by_us = signed_by_us || (material == k.Material() &&
                                    kSigned.contains(SignedMessage(k.kid, auth_data, client_data)));
  }
  FUZZ_CHECK(signed_by_us, "an assertion not signed by the stored key's owner was accepted");
}

std::pair<Status, Status> Run(std::string_view input) {
  const auto byte = [input](size_t i) { return static_cast<uint8_t>(input[i]); };
  const bool uv = (byte(0) & 1) != 0;
  const uint32_t stored = (uint32_t{byte(1)} << 24) | (uint32_t{byte(2)} << 16) |
                          (uint32_t{byte(3)} << 8) | uint32_t{byte(4)};
  std::string_view rest = input.substr(5);
  // Up to three separators; the last part runs to the end (a JWK may hold kSep).
  std::string_view parts[4];
  size_t n = 0;
  for (size_t at; n < 3 && (at = rest.find(kSep)) != rest.npos;
       rest.remove_prefix(at + kSep.size())) {
    parts[n++] = rest.substr(0, at);
  }
  parts[n] = rest;
  const std::string_view client_data = parts[0], second = parts[1], signature = parts[2],
                         public_jwk = parts[3];
  const WebAuthnExpectation expected = Expect(uv);

  auto registered = services::VerifyRegistration(client_data, second, expected);
  if (registered.ok()) {
    CheckRegistration(client_data, second, *registered, uv);
  } else {
    FUZZ_CHECK(registered.status().code() == StatusCode::kInvalidArgument,
               "a registration is refused with kInvalidArgument");
  }

  auto asserted =
      services::VerifyAssertion(client_data, second, signature, public_jwk, stored, expected);
  if (asserted.ok()) {
    CheckAssertion(client_data, second, public_jwk, stored, *asserted, uv);
  } else {
    const StatusCode code = asserted.status().code();
    FUZZ_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kUnauthenticated ||
                   code == StatusCode::kFailedPrecondition || code == StatusCode::kInternal,
               "an assertion is refused with a documented code");
    if (code == StatusCode::kInternal) {
      boost::system::error_code ec;
      FUZZ_CHECK(!json::parse(public_jwk, ec).is_object(),
                 "kInternal only for an unreadable stored key");
    }
  }
  return {registered.status(), asserted.status()};
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("FUZZ_WEBAUTHN_WRITE_SEEDS")) WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 5) Run(fuzz::AsText(data, size));
  return 0;
}
