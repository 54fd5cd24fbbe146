// File: soft_authenticator.h
// A software WebAuthn authenticator for unit tests, built with OpenSSL and libcbor: one key
// pair (ES256 or Ed25519), one credential id, a counter and flags — the bytes a browser
// hands over for registration (attestation "none") and for assertions.
#pragma once

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace tessera::testing_support {

inline std::string BnParam(EVP_PKEY* k, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(k, name, &bn);
  std::string out(32, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_free(bn);
  return out;
}

// A software authenticator: one key pair, one credential id, a counter.
class SoftAuthenticator {
 public:
  explicit SoftAuthenticator(bool ed25519 = false) : ed25519_(ed25519) {
    key_.reset(ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  }

  std::string credential_id = "cred-0123456789abcdef";
  uint32_t counter = 0;
  uint8_t flags = 0x01 | 0x04;  // UP, UV

  std::string CoseKey() const {
    cbor_item_t* map = cbor_new_definite_map(5);
    auto put = [&](int64_t label, cbor_item_t* value) {
      cbor_item_t* k = label >= 0 ? cbor_build_uint8(static_cast<uint8_t>(label))
                                  : cbor_build_negint8(static_cast<uint8_t>(-1 - label));
      cbor_map_add(map, {cbor_move(k), cbor_move(value)});
    };
    auto bytes = [](const std::string& b) {
      return cbor_build_bytestring(reinterpret_cast<const unsigned char*>(b.data()), b.size());
    };
    if (ed25519_) {
      std::string x(32, '\0');
      size_t len = 32;
      EVP_PKEY_get_raw_public_key(key_.get(), reinterpret_cast<unsigned char*>(x.data()), &len);
      put(1, cbor_build_uint8(1));
      put(3, cbor_build_negint8(7));  // -8
      put(-1, cbor_build_uint8(6));
      put(-2, bytes(x));
    } else {
      put(1, cbor_build_uint8(2));
      put(3, cbor_build_negint8(6));  // -7
      put(-1, cbor_build_uint8(1));
      put(-2, bytes(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X)));
      put(-3, bytes(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y)));
    }
    return Serialize(map);
  }

  std::string AuthData(std::string_view rp_id, bool with_credential) const {
    std::string a = crypto::Sha256(rp_id);
    a.push_back(static_cast<char>(flags | (with_credential ? 0x40 : 0)));
    for (int shift = 24; shift >= 0; shift -= 8) a.push_back(static_cast<char>(counter >> shift));
    if (with_credential) {
      a += std::string(16, '\0');  // aaguid
      a.push_back(static_cast<char>(credential_id.size() >> 8));
      a.push_back(static_cast<char>(credential_id.size() & 0xff));
      a += credential_id + CoseKey();
    }
    return a;
  }

  std::string AttestationObject(std::string_view rp_id) const {
    std::string auth = AuthData(rp_id, true);
    cbor_item_t* map = cbor_new_definite_map(3);
    cbor_map_add(map, {cbor_move(cbor_build_string("fmt")), cbor_move(cbor_build_string("none"))});
    cbor_map_add(map, {cbor_move(cbor_build_string("attStmt")), cbor_move(cbor_new_definite_map(0))});
    cbor_map_add(map, {cbor_move(cbor_build_string("authData")),
                       cbor_move(cbor_build_bytestring(
                           reinterpret_cast<const unsigned char*>(auth.data()), auth.size()))});
    return Serialize(map);
  }

  std::string Sign(const std::string& data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, ed25519_ ? nullptr : EVP_sha256(), nullptr, key_.get());
    size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    sig.resize(len);
    return sig;
  }

 private:
  static std::string Serialize(cbor_item_t* item) {
    unsigned char* buffer = nullptr;
    size_t size = 0;
    size_t n = cbor_serialize_alloc(item, &buffer, &size);
    std::string out(reinterpret_cast<char*>(buffer), n);
    free(buffer);
    cbor_decref(&item);
    return out;
  }

  bool ed25519_;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_{nullptr, EVP_PKEY_free};
};


// clientDataJSON as a browser writes it.
inline std::string ClientDataJson(std::string_view type, std::string_view challenge,
                                  std::string_view origin) {
  return boost::json::serialize(boost::json::object{
      {"type", type}, {"challenge", challenge}, {"origin", origin}, {"crossOrigin", false}});
}

}  // namespace tessera::testing_support
