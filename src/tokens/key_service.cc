#include "tokens/key_service.h"

#include <boost/json.hpp>

#include <algorithm>

#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {

const crypto::SigningKey* KeySet::Find(std::string_view kid) const {
  for (const auto& k : keys) {
    if (k.kid() == kid) return &k;
  }
  return nullptr;
}

const crypto::SigningKey* KeySet::Active(crypto::JwsAlg alg) const {
  for (size_t i = 0; i < active_count; ++i) {
    if (keys[i].alg() == alg) return &keys[i];
  }
  return nullptr;
}

namespace {

void AddOnce(std::vector<crypto::JwsAlg>& algs, crypto::JwsAlg alg) {
  if (std::find(algs.begin(), algs.end(), alg) == algs.end()) algs.push_back(alg);
}

}  // namespace

Result<std::unique_ptr<KeyService>> KeyService::Create(store::KeyStore& store, const Clock& clock,
                                                       KeyServiceOptions options) {
  AddOnce(options.algs, options.alg);
  AddOnce(options.algs, crypto::JwsAlg::kRS256);
  std::unique_ptr<KeyService> svc(new KeyService(store, clock, std::move(options)));
  TESSERA_ASSIGN_OR_RETURN(auto records, store.ListSigningKeys());
  // An algorithm added to the configuration (or an upgrade from one key) gets its first key.
  for (crypto::JwsAlg alg : svc->options_.algs) {
    bool has_active = std::any_of(records.begin(), records.end(), [alg](const auto& r) {
      return !r.retired_at && r.alg == crypto::JwsAlgName(alg);
    });
    if (!has_active) TESSERA_RETURN_IF_ERROR(svc->CreateKey(alg));
  }
  TESSERA_RETURN_IF_ERROR(svc->Reload());
  return svc;
}

Status KeyService::CreateKey(crypto::JwsAlg alg) {
  std::string kid = crypto::Base64UrlEncode(crypto::RandomBytes(12));
  TESSERA_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::Generate(alg, kid));
  TESSERA_ASSIGN_OR_RETURN(std::string sealed,
                           crypto::AeadSeal(options_.master_key, key.PrivatePem(), kid));
  // The new key must sort after the one it replaces (keys are ordered by creation time, then
  // kid), even when both fall in one millisecond.
  int64_t created_at = clock_.NowMillis();
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListSigningKeys());
  for (const auto& r : existing) {
    if (r.alg == crypto::JwsAlgName(alg)) created_at = std::max(created_at, r.created_at + 1);
  }
  store::SigningKeyRecord rec{kid, std::string(crypto::JwsAlgName(alg)),
                              crypto::Base64Encode(sealed),
                              boost::json::serialize(key.PublicJwk()), created_at, std::nullopt};
  TESSERA_RETURN_IF_ERROR(store_.InsertSigningKey(rec));
  return store_.RetireSigningKeysExcept(kid, clock_.NowMillis());
}

Status KeyService::Reload() {
  TESSERA_ASSIGN_OR_RETURN(auto records, store_.ListSigningKeys());
  auto set = std::make_shared<KeySet>();
  int64_t now = clock_.NowMillis();
  boost::json::array published;
  std::vector<crypto::SigningKey> retired;
  for (const auto& rec : records) {  // newest first
    bool active = !rec.retired_at;
    if (!active && now - *rec.retired_at > options_.publish_retired_for_ms) continue;
    auto alg = crypto::ParseJwsAlg(rec.alg);
    auto sealed = crypto::Base64Decode(rec.private_key_sealed);
    if (!alg || !sealed) return InternalError("signing key " + rec.kid + " is corrupt");
    auto pem = crypto::AeadOpen(options_.master_key, *sealed, rec.kid);
    if (!pem.ok()) {
      return FailedPreconditionError("cannot unseal signing key " + rec.kid +
                                     ": is this the master key the keys were created with?");
    }
    TESSERA_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::FromPrivatePem(*alg, rec.kid, *pem));
    published.push_back(key.PublicJwk());
    // Newest first, so of two active keys of one algorithm (two nodes' first start at once)
    // the newer signs; the older stays published and verifies.
    if (active && !set->Active(key.alg())) {
      set->keys.push_back(std::move(key));
      set->active_count++;
      set->active_algs.push_back(set->keys.back().alg());
    } else {
      retired.push_back(std::move(key));
    }
  }
  // The access-token algorithm's key goes first: it is the one that signs access tokens.
  auto first = std::find_if(set->keys.begin(), set->keys.end(),
                            [this](const auto& k) { return k.alg() == options_.alg; });
  if (first == set->keys.end()) {
    return FailedPreconditionError("no active signing key; run `tessera keys rotate`");
  }
  std::rotate(set->keys.begin(), first, first + 1);
  for (auto& k : retired) set->keys.push_back(std::move(k));
  set->jwks["keys"] = std::move(published);
  set->loaded_at_ms = now;
  std::lock_guard lock(mu_);
  current_ = std::move(set);
  return OkStatus();
}

// Single-flight refresh: one caller reloads while the others keep the current snapshot.
std::shared_ptr<const KeySet> KeyService::Current() {
  {
    std::lock_guard lock(mu_);
    bool stale = clock_.NowMillis() - current_->loaded_at_ms > options_.refresh_interval_ms;
    if (!stale || reloading_) return current_;
    reloading_ = true;
  }
  (void)Reload();  // on failure the old snapshot stays; the next call tries again
  std::lock_guard lock(mu_);
  reloading_ = false;
  return current_;
}

std::shared_ptr<const KeySet> KeyService::ForKid(std::string_view kid) {
  auto set = Current();
  if (set->Find(kid)) return set;
  {
    std::lock_guard lock(mu_);
    int64_t now = clock_.NowMillis();
    if (now - last_forced_reload_ms_ < 1000) return set;  // a forged kid must not hammer the DB
    last_forced_reload_ms_ = now;
  }
  (void)Reload();
  std::lock_guard lock(mu_);
  return current_;
}

Result<std::vector<std::string>> KeyService::Rotate(std::optional<crypto::JwsAlg> alg) {
  std::vector<crypto::JwsAlg> algs = alg ? std::vector{*alg} : options_.algs;
  for (crypto::JwsAlg a : algs) TESSERA_RETURN_IF_ERROR(CreateKey(a));
  TESSERA_RETURN_IF_ERROR(Reload());
  auto set = Current();
  std::vector<std::string> kids;
  for (crypto::JwsAlg a : algs) {
    if (const auto* k = set->Active(a)) kids.push_back(k->kid());
  }
  return kids;
}

}  // namespace tessera::services
