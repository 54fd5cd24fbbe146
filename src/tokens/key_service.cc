#include "tokens/key_service.h"

#include <boost/json.hpp>

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

Result<std::unique_ptr<KeyService>> KeyService::Create(store::KeyStore& store, const Clock& clock,
                                                       KeyServiceOptions options) {
  std::unique_ptr<KeyService> svc(new KeyService(store, clock, std::move(options)));
  TESSERA_ASSIGN_OR_RETURN(auto records, store.ListSigningKeys());
  if (records.empty()) TESSERA_RETURN_IF_ERROR(svc->CreateKey());
  TESSERA_RETURN_IF_ERROR(svc->Reload());
  return svc;
}

Status KeyService::CreateKey() {
  std::string kid = crypto::Base64UrlEncode(crypto::RandomBytes(12));
  TESSERA_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::Generate(options_.alg, kid));
  TESSERA_ASSIGN_OR_RETURN(std::string sealed,
                           crypto::AeadSeal(options_.master_key, key.PrivatePem(), kid));
  store::SigningKeyRecord rec{kid, std::string(crypto::JwsAlgName(options_.alg)),
                              crypto::Base64Encode(sealed),
                              boost::json::serialize(key.PublicJwk()), clock_.NowMillis(),
                              std::nullopt};
  TESSERA_RETURN_IF_ERROR(store_.InsertSigningKey(rec));
  return store_.RetireSigningKeysExcept(kid, clock_.NowMillis());
}

Status KeyService::Reload() {
  TESSERA_ASSIGN_OR_RETURN(auto records, store_.ListSigningKeys());
  auto set = std::make_shared<KeySet>();
  int64_t now = clock_.NowMillis();
  boost::json::array published;
  for (const auto& rec : records) {
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
    // The active key goes first: it is the one that signs.
    if (active && !set->keys.empty()) {
      set->keys.insert(set->keys.begin(), std::move(key));
    } else {
      set->keys.push_back(std::move(key));
    }
  }
  if (set->keys.empty()) return FailedPreconditionError("no signing key; run `tessera keys rotate`");
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

Result<std::string> KeyService::Rotate() {
  TESSERA_RETURN_IF_ERROR(CreateKey());
  TESSERA_RETURN_IF_ERROR(Reload());
  return Current()->keys.front().kid();
}

}  // namespace tessera::services
