#include "tenancy/mail_domain_service.h"

#include "base/log.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "mail/dns_txt.h"

namespace tessera::services {

MailDomainService::MailDomainService(store::MailDomainStore& store, const Clock& clock,
                                     MailDomainOptions options, TxtLookup lookup)
    : store_(store), clock_(clock), options_(std::move(options)), lookup_(std::move(lookup)) {
  if (!lookup_) {
    lookup_ = [timeout = options_.dns_timeout](std::string_view name) {
      return mail::LookupTxt(name, timeout);
    };
  }
}

// The app's claim on `domain`, made with a fresh 128-bit token when it has none. Two racing
// first requests: one creates it, the other reads it.
Result<store::MailDomain> MailDomainService::Claim(const store::App& app,
                                                   const std::string& domain) {
  auto claim = store_.GetMailDomain(app.id, domain);
  if (!claim.status().IsNotFound()) return claim;
  store::MailDomain fresh{app.id, domain, crypto::Base64UrlEncode(crypto::RandomBytes(16)),
                          clock_.NowMillis(), std::nullopt};
  Status created = store_.CreateMailDomain(fresh);
  if (created.ClashedOn(store::MailDomainUniqueKey::kAppDomain)) {
    return store_.GetMailDomain(app.id, domain);
  }
  TESSERA_RETURN_IF_ERROR(created);
  return fresh;
}

MailDomainStanding MailDomainService::StandingOf(const store::MailDomain& claim) const {
  MailDomainStanding s;
  s.domain = claim.domain;
  s.allowed_by_operator = DomainListed(options_.allowed_domains, claim.domain);
  s.verified = claim.verified_at.has_value();
  s.record_name = VerificationRecordName(claim.domain);
  s.record_value = VerificationRecordValue(claim.token);
  return s;
}

Result<std::optional<MailDomainStanding>> MailDomainService::Standing(const store::App& app) {
  RequestedSender wanted = RequestedSenderOf(app.settings);
  if (!wanted.address) return std::optional<MailDomainStanding>();
  TESSERA_ASSIGN_OR_RETURN(store::MailDomain claim, Claim(app, DomainOfAddress(*wanted.address)));
  return std::optional<MailDomainStanding>(StandingOf(claim));
}

Result<MailDomainStanding> MailDomainService::Verify(const store::App& app) {
  TESSERA_ASSIGN_OR_RETURN(std::optional<MailDomainStanding> standing, Standing(app));
  if (!standing) return NotFoundError("the app sets no mail_from address");
  if (standing->verified) return *standing;
  auto records = lookup_(standing->record_name);
  const std::string token =
      standing->record_value.substr(kMailVerificationPrefix.size());
  if (!records.ok() || !TxtProvesToken(*records, token)) {
    LogJson(spdlog::level::info, "mail_domain_not_verified",
            {{"app", app.slug},
             {"domain", standing->domain},
             {"reason", records.ok() ? "no matching TXT record" : records.status().ToString()}});
    return *standing;
  }
  TESSERA_RETURN_IF_ERROR(
      store_.MarkMailDomainVerified(app.id, standing->domain, clock_.NowMillis()));
  LogJson(spdlog::level::info, "mail_domain_verified",
          {{"app", app.slug}, {"domain", standing->domain}});
  standing->verified = true;
  return *standing;
}

bool MailDomainService::MaySendFrom(const store::App& app, std::string_view domain) {
  if (domain.empty()) return false;
  if (DomainListed(options_.allowed_domains, domain)) return true;
  auto claim = store_.GetMailDomain(app.id, domain);  // lower-case, as DomainOfAddress gives it
  return claim.ok() && claim->verified_at.has_value();
}

}  // namespace tessera::services
