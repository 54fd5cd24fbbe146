#include "email_flows/email_token_service.h"

#include <algorithm>
#include <cstdio>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {

store::EmailToken Record(const store::App& app, std::optional<std::string> user_id,
                         std::string email, store::EmailTokenPurpose purpose, int64_t now,
                         int64_t ttl_s) {
  store::EmailToken t;
  t.app_id = app.id;
  t.user_id = std::move(user_id);
  t.email = std::move(email);
  t.purpose = purpose;
  t.created_at = now;
  t.expires_at = now + ttl_s * 1000;
  return t;
}

// Not ::isdigit: a UTF-8 byte is a negative char, undefined behaviour there.
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

std::string CodeHash(std::string_view salt, std::string_view code) {
  return crypto::Sha256Hex(std::string(salt) + ":" + std::string(code));
}

}  // namespace

Result<IssuedToken> EmailTokenService::IssueLink(const store::App& app,
                                                 std::optional<std::string> user_id,
                                                 std::string email,
                                                 store::EmailTokenPurpose purpose, int64_t ttl_s,
                                                 std::string new_email, std::string redirect_uri) {
  IssuedToken out;
  out.secret = crypto::NewSecretToken(kEmailTokenPrefix);
  out.record = Record(app, std::move(user_id), std::move(email), purpose, clock_.NowMillis(), ttl_s);
  out.record.token_hash = crypto::TokenHash(out.secret);
  out.record.new_email = std::move(new_email);
  out.record.redirect_uri = std::move(redirect_uri);
  TESSERA_RETURN_IF_ERROR(store_.CreateEmailToken(out.record));
  return out;
}

Result<store::EmailTokenRedemption> EmailTokenService::RedeemLink(
    const store::App& app, std::string_view token, store::EmailTokenPurpose purpose) {
  if (token.size() > 128 || token.rfind(kEmailTokenPrefix, 0) != 0) {
    return store::EmailTokenRedemption{};
  }
  return store_.ConsumeEmailToken(app.id, crypto::TokenHash(token), purpose, clock_.NowMillis());
}

Result<IssuedToken> EmailTokenService::IssueCode(const store::App& app,
                                                 std::optional<std::string> user_id,
                                                 std::string email,
                                                 store::EmailTokenPurpose purpose, int64_t ttl_s) {
  IssuedToken out;
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06u", crypto::RandomUniform(1'000'000));
  out.secret = digits;
  out.record = Record(app, std::move(user_id), std::move(email), purpose, clock_.NowMillis(), ttl_s);
  out.record.salt = crypto::Base64UrlEncode(crypto::RandomBytes(16));
  out.record.token_hash = CodeHash(out.record.salt, out.secret);
  TESSERA_RETURN_IF_ERROR(store_.CreateEmailToken(out.record));
  return out;
}

Result<store::EmailTokenRedemption> EmailTokenService::RedeemCode(const store::App& app,
                                                                  std::string_view email,
                                                                  store::EmailTokenPurpose purpose,
                                                                  std::string_view code) {
  int64_t now = clock_.NowMillis();
  auto live = store_.GetLiveEmailToken(app.id, email, purpose, now);
  if (live.status().IsNotFound()) return store::EmailTokenRedemption{store::EmailTokenOutcome::kUsed, {}};
  TESSERA_RETURN_IF_ERROR(live.status());
  if (live->attempts >= max_code_attempts_) {
    return store::EmailTokenRedemption{store::EmailTokenOutcome::kUsed, *live};
  }
  bool well_formed = code.size() == 6 && std::all_of(code.begin(), code.end(), IsAsciiDigit);
  if (!well_formed || !crypto::ConstantTimeEquals(CodeHash(live->salt, code), live->token_hash)) {
    TESSERA_ASSIGN_OR_RETURN(int64_t attempts, store_.AddEmailTokenAttempt(live->token_hash));
    if (attempts >= max_code_attempts_) {
      // Spent: void it, so that even the right code no longer works.
      (void)store_.ConsumeEmailToken(app.id, live->token_hash, purpose, now);
      return store::EmailTokenRedemption{store::EmailTokenOutcome::kUsed, *live};
    }
    return store::EmailTokenRedemption{store::EmailTokenOutcome::kInvalid, {}};
  }
  return store_.ConsumeEmailToken(app.id, live->token_hash, purpose, now, max_code_attempts_);
}

Result<store::EmailToken> EmailTokenService::PeekLink(const store::App& app, std::string_view token,
                                                      store::EmailTokenPurpose purpose) {
  if (token.size() > 128 || token.rfind(kEmailTokenPrefix, 0) != 0) return NotFoundError("token");
  return store_.GetEmailToken(app.id, crypto::TokenHash(token), purpose);
}

}  // namespace tessera::services
