#include "tokens/key_service.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>

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
                                                       KeyServiceOptions options,
                                                       ChangeNotices* notices, AuditLog* audit) {
  AddOnce(options.algs, options.alg);
  AddOnce(options.algs, crypto::JwsAlg::kRS256);
  std::unique_ptr<KeyService> svc(new KeyService(store, clock, std::move(options)));
  svc->notices_ = notices;
  svc->audit_ = audit;
  if (notices) {
    notices->Subscribe(ChangeTopic::kSigningKeys,
                       [raw = svc.get()](std::string_view) { raw->Invalidate(); });
  }
  TESSERA_ASSIGN_OR_RETURN(auto records, store.ListSigningKeys());
  // An algorithm added to the configuration (or an upgrade from one key) gets its first key.
  for (crypto::JwsAlg alg : svc->options_.algs) {
    bool has_active = std::any_of(records.begin(), records.end(), [alg](const auto& r) {
      return !r.retired_at && r.alg == crypto::JwsAlgName(alg);
    });
    if (!has_active) TESSERA_RETURN_IF_ERROR(svc->CreateFirstKey(alg).status());
  }
  TESSERA_RETURN_IF_ERROR(svc->Reload());
  return svc;
}

Result<store::SigningKeyRecord> KeyService::NewKeyRecord(crypto::JwsAlg alg,
                                                         int64_t not_before_ms) {
  std::string kid = crypto::Base64UrlEncode(crypto::RandomBytes(12));
  TESSERA_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::Generate(alg, kid));
  TESSERA_ASSIGN_OR_RETURN(std::string sealed,
                           crypto::AeadSeal(options_.master_key, key.PrivatePem(), kid));
  // The new key must sort after the one it replaces (keys are ordered by creation time, then
  // kid), even when both fall in one millisecond.
  int64_t created_at = std::max(clock_.NowMillis(), not_before_ms);
  store::SigningKeyRecord rec{kid,        std::string(crypto::JwsAlgName(alg)),
                              crypto::Base64Encode(sealed),
                              boost::json::serialize(key.PublicJwk()),
                              created_at, std::nullopt, clock_.NowMillis()};
  return rec;
}

// A first key signs at once: nothing signed before it, so no cache can miss it.
Result<store::SigningKeyRecord> KeyService::CreateFirstKey(crypto::JwsAlg alg) {
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListSigningKeys());
  int64_t not_before = 0;
  for (const auto& r : existing) {
    if (r.alg == crypto::JwsAlgName(alg)) not_before = std::max(not_before, r.created_at + 1);
  }
  TESSERA_ASSIGN_OR_RETURN(auto rec, NewKeyRecord(alg, not_before));
  TESSERA_RETURN_IF_ERROR(store_.InsertSigningKey(rec));
  // Two nodes' first starts at once: the newer key stays, whichever retires last.
  TESSERA_RETURN_IF_ERROR(store_.RetireSigningKeysExcept(rec.kid, clock_.NowMillis()));
  return rec;
}

Status KeyService::Reload() {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  TESSERA_ASSIGN_OR_RETURN(auto records, store_.ListSigningKeys());
  auto set = std::make_shared<KeySet>();
  int64_t now = clock_.NowMillis();
  set->next_change_ms = INT64_MAX;
  auto due_later = [&](int64_t at) {
    if (at > now) set->next_change_ms = std::min(set->next_change_ms, at);
  };
  boost::json::array published;
  std::vector<crypto::SigningKey> others;
  for (const auto& rec : records) {  // newest first
    if (rec.retired_at && now - *rec.retired_at > options_.publish_retired_for_ms) continue;
    bool signs = rec.sign_from <= now && (!rec.retired_at || now < *rec.retired_at);
    due_later(rec.sign_from);
    if (rec.retired_at) due_later(*rec.retired_at);
    auto alg = crypto::ParseJwsAlg(rec.alg);
    auto sealed = crypto::Base64Decode(rec.private_key_sealed);
    if (!alg || !sealed) return InternalError("signing key " + rec.kid + " is corrupt");
    auto pem = crypto::AeadOpen(options_.master_key, *sealed, rec.kid);
    if (!pem.ok()) {
      return FailedPreconditionError("cannot unseal signing key " + rec.kid +
                                     ": is this the master key the keys were created with?");
    }
    TESSERA_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::FromPrivatePem(*alg, rec.kid, *pem));
    // Published from its creation: a staged key is in the JWKS before it signs.
    published.push_back(key.PublicJwk());
    // Newest first, so of two signing keys of one algorithm (two nodes' first start at once,
    // or a rotation with no stage while another was staged) the newer signs; the older stays
    // published and verifies.
    if (signs && !set->Active(key.alg())) {
      set->keys.push_back(std::move(key));
      set->active_count++;
      set->active_algs.push_back(set->keys.back().alg());
    } else {
      others.push_back(std::move(key));
    }
  }
  // The access-token algorithm's key goes first: it is the one that signs access tokens.
  auto first = std::find_if(set->keys.begin(), set->keys.begin() + set->active_count,
                            [this](const auto& k) { return k.alg() == options_.alg; });
  if (first == set->keys.begin() + set->active_count) {
    return FailedPreconditionError("no active signing key; run `tessera keys rotate`");
  }
  std::rotate(set->keys.begin(), first, first + 1);
  for (auto& k : others) set->keys.push_back(std::move(k));
  set->jwks["keys"] = std::move(published);
  set->loaded_at_ms = now;
  std::lock_guard lock(mu_);
  current_ = std::move(set);
  current_generation_ = generation;
  return OkStatus();
}

void KeyService::Invalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
}

// Single-flight refresh: one caller reloads while the others keep the current snapshot.
std::shared_ptr<const KeySet> KeyService::Current() {
  {
    std::lock_guard lock(mu_);
    int64_t now = clock_.NowMillis();
    bool stale = now - current_->loaded_at_ms > options_.refresh_interval_ms ||
                 now >= current_->next_change_ms || current_generation_ != generation_;
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

Result<KeyService::Rotated> KeyService::RotateOne(crypto::JwsAlg alg, int64_t stage_ms,
                                                  const std::optional<std::string>& due_kid) {
  TESSERA_ASSIGN_OR_RETURN(auto records, store_.ListSigningKeys());
  // The key to replace: the newest of the algorithm not replaced yet (a staged one, if a
  // rotation is under way: it is replaced before it ever signs).
  const store::SigningKeyRecord* current = nullptr;
  int64_t not_before = 0;
  for (const auto& r : records) {  // newest first
    if (r.alg != crypto::JwsAlgName(alg)) continue;
    not_before = std::max(not_before, r.created_at + 1);
    if (!current && !r.retired_at) current = &r;
  }
  // Found due, but replaced since (by another node): its replacement is not due.
  if (due_kid && (!current || current->kid != *due_kid)) {
    return AbortedError("the key was rotated meanwhile");
  }
  if (!current) {  // no key of the algorithm signs: nothing to wait for
    TESSERA_ASSIGN_OR_RETURN(auto first, CreateFirstKey(alg));
    return Rotated{first.kid, alg, first.sign_from};
  }
  TESSERA_ASSIGN_OR_RETURN(auto next, NewKeyRecord(alg, not_before));
  // From the clock, not created_at (which may be bumped past a key made this millisecond).
  next.sign_from = clock_.NowMillis() + std::max<int64_t>(0, stage_ms);
  TESSERA_RETURN_IF_ERROR(store_.ReplaceSigningKey(next, current->kid));
  return Rotated{next.kid, alg, next.sign_from};
}

Result<std::vector<KeyService::Rotated>> KeyService::RotateReplacing(
    std::optional<crypto::JwsAlg> alg, std::optional<int64_t> stage_ms, const Actor& actor,
    const std::optional<std::string>& due_kid) {
  std::vector<crypto::JwsAlg> algs = alg ? std::vector{*alg} : options_.algs;
  std::vector<Rotated> out;
  Status failed = OkStatus();
  for (crypto::JwsAlg a : algs) {
    auto one = RotateOne(a, stage_ms.value_or(options_.stage_ms), due_kid);
    if (!one.ok()) {
      failed = one.status();
      break;
    }
    out.push_back(*one);
    store::AuditEvent e = ActorEvent(actor, store::AuditAction::kSigningKeyRotated);
    e.subject_type = store::AuditSubjectType::kSigningKey;
    e.subject_id = one->kid;
    e.details_json = boost::json::serialize(
        boost::json::object{{"alg", crypto::JwsAlgName(a)}, {"sign_from", one->sign_from_ms}});
    Audit(audit_, std::move(e));
  }
  // Every node, this one included, reloads (also after a partial rotation).
  if (!out.empty()) {
    if (notices_) {
      notices_->Publish(ChangeTopic::kSigningKeys, "");
    } else {
      Invalidate();
    }
  }
  TESSERA_RETURN_IF_ERROR(failed);
  Current();
  return out;
}

Result<std::vector<KeyService::Rotated>> KeyService::RotateIfDue() {
  std::vector<Rotated> out;
  if (options_.rotate_after_ms <= 0) return out;
  TESSERA_ASSIGN_OR_RETURN(auto records, store_.ListSigningKeys());
  int64_t now = clock_.NowMillis();
  for (crypto::JwsAlg alg : options_.algs) {
    auto newest = std::find_if(records.begin(), records.end(), [alg](const auto& r) {
      return r.alg == crypto::JwsAlgName(alg);
    });
    if (newest == records.end() || now - newest->created_at < options_.rotate_after_ms) continue;
    Actor scheduler{.type = store::AuditActorType::kSystem, .id = "key-rotation"};
    auto one = RotateReplacing(alg, std::nullopt, scheduler, newest->kid);
    if (one.status().code() == StatusCode::kAborted) continue;  // another node rotated it
    TESSERA_RETURN_IF_ERROR(one.status());
    out.insert(out.end(), one->begin(), one->end());
  }
  return out;
}

int64_t KeyService::rotation_check_interval_ms() const {
  return std::clamp<int64_t>(options_.rotate_after_ms / 10, 1000, 60'000);
}

}  // namespace tessera::services
