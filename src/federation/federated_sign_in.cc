#include "federation/federated_sign_in.h"

#include <algorithm>

#include <boost/json.hpp>

#include "accounts/identity_rules.h"
#include "base/duration_text.h"
#include "base/log.h"
#include "base/percent_encoding.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr std::string_view kPurposeText[] = {"sign_in", "link", "api"};

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string RandomValue() { return crypto::Base64UrlEncode(crypto::RandomBytes(32)); }

FederationPurpose PurposeOf(const json::object& login) {
  const std::string p = Text(login, "purpose");
  if (p == kPurposeText[1]) return FederationPurpose::kLink;
  if (p == kPurposeText[2]) return FederationPurpose::kApi;
  return FederationPurpose::kSignIn;
}

// A PKCE S256 challenge: 43 base64url characters (RFC 7636 §4.2).
bool IsS256Challenge(std::string_view c) {
  return c.size() == 43 && std::all_of(c.begin(), c.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
         });
}

json::object IdentityObject(const UpstreamIdentity& who) {
  return {{"subject", who.subject}, {"email", who.email},     {"email_verified", who.email_verified},
          {"name", who.name},       {"picture", who.picture}, {"username", who.username}};
}

UpstreamIdentity IdentityFrom(const json::object& o) {
  UpstreamIdentity who;
  who.subject = Text(o, "subject");
  who.email = Text(o, "email");
  const json::value* v = o.if_contains("email_verified");
  who.email_verified = v && v->is_bool() && v->get_bool();
  who.name = Text(o, "name");
  who.picture = Text(o, "picture");
  who.username = Text(o, "username");
  return who;
}

// The ways a user can still sign in once `leaving` is unlinked.
bool HasAnotherWayIn(const store::App& app, const store::User& user, size_t other_identities) {
  if (user.password_hash) return true;
  if (other_identities > 0) return true;
  return user.email_verified && (app.settings.magic_link_login || app.settings.email_code_login);
}

}  // namespace

Result<std::vector<store::IdentityProvider>> FederatedSignIn::EnabledProviders(
    const store::App& app) {
  TESSERA_ASSIGN_OR_RETURN(auto all, store_.ListIdentityProviders(app.id));
  std::erase_if(all, [](const store::IdentityProvider& p) { return !p.enabled; });
  return all;
}

Result<StartedFederation> FederatedSignIn::Start(const store::App& app,
                                                 std::string_view provider_slug,
                                                 const FederationStart& start) {
  auto provider = providers_.GetBySlug(app, provider_slug);
  if (!provider.ok() || !provider->enabled) return NotFoundError("no such sign-in provider");
  if (start.purpose == FederationPurpose::kApi) {
    const auto& allowed = app.settings.redirect_uris;
    if (std::find(allowed.begin(), allowed.end(), start.redirect_uri) == allowed.end()) {
      return ValidationError({{"redirect_uri", "is not one of the app's allowed redirect URIs"}});
    }
    if (!start.code_challenge.empty() && !IsS256Challenge(start.code_challenge)) {
      return ValidationError({{"code_challenge", "must be an S256 challenge (43 base64url characters)"}});
    }
    if (start.client_state.size() > 500) {
      return ValidationError({{"state", "must be at most 500 characters"}});
    }
  }
  TESSERA_ASSIGN_OR_RETURN(std::string secret, providers_.ClientSecret(*provider));
  UpstreamLogin login{RandomValue(), RandomValue(), RandomValue(),
                      FederationCallbackUrl(apps_.IssuerFor(app.slug), provider->slug)};
  auto connector = MakeConnector(*provider, std::move(secret), http_, metadata_, clock_);
  auto url = connector->LoginUrl(login);
  if (!url.ok()) {
    // The API flow's request was valid, so its error goes back to the app, as the
    // callback's would (RFC 6749 §4.1.2.1): the app's backend can tell its user.
    if (start.purpose != FederationPurpose::kApi) return url.status();
    LogJson(spdlog::level::warn, "federation_start_failed",
            {{"app", app.slug}, {"provider", provider->slug}, {"error", url.status().ToString()}});
    json::object back{{"redirect_uri", start.redirect_uri}, {"client_state", start.client_state}};
    return StartedFederation{ApiRedirect(back, {{"error", "temporarily_unavailable"}}), ""};
  }

  StartedFederation started{std::move(*url), RandomValue()};
  json::object payload{
      {"provider_id", provider->id},
      {"purpose", kPurposeText[static_cast<int>(start.purpose)]},
      {"nonce", login.nonce},
      {"code_verifier", login.code_verifier},
      {"callback", login.redirect_uri},
      {"binding", crypto::Sha256Hex(started.browser_binding)},
      {"return_to", start.return_to},
      {"user_id", start.user_id},
      {"redirect_uri", start.redirect_uri},
      {"client_state", start.client_state},
      {"code_challenge", start.code_challenge}};
  const UnixMillis now = clock_.NowMillis();
  store::FederationTicket ticket{crypto::Sha256Hex(login.state), app.id,
                                 store::FederationTicketKind::kLogin, json::serialize(payload),
                                 now, now + options_.login_ttl_s * 1000, std::nullopt};
  TESSERA_RETURN_IF_ERROR(store_.CreateFederationTicket(ticket));
  return started;
}

std::string FederatedSignIn::ApiRedirect(
    const json::object& login,
    std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  std::string url = Text(login, "redirect_uri");
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    url += sep;
    url += name;
    url += '=';
    url += PercentEncode(value);
    sep = '&';
  }
  if (std::string state = Text(login, "client_state"); !state.empty()) {
    url += sep;
    url += "state=" + PercentEncode(state);
  }
  return url;
}

Result<FederationOutcome> FederatedSignIn::Finish(const store::App& app,
                                                  std::string_view provider_slug,
                                                  const UpstreamCallback& callback,
                                                  std::string_view browser_binding,
                                                  const ClientInfo& client) {
  auto provider = providers_.GetBySlug(app, provider_slug);
  if (!provider.ok()) return NotFoundError("no such sign-in provider");
  const auto expired = [] {
    return FailedPreconditionError(
        "this sign-in has expired or was already used; please start again");
  };
  if (callback.state.empty() || callback.state.size() > 200) return expired();
  auto ticket = store_.ConsumeFederationTicket(app.id, crypto::Sha256Hex(callback.state),
                                               store::FederationTicketKind::kLogin,
                                               clock_.NowMillis());
  if (!ticket.ok()) return ticket.status().IsNotFound() ? expired() : ticket.status();
  boost::system::error_code ec;
  json::value parsed = json::parse(ticket->payload_json, ec);
  if (ec || !parsed.is_object()) return InternalError("a federation ticket is corrupt");
  const json::object& login = parsed.get_object();
  // The state of another provider's sign-in, or of another browser: not this one's to finish.
  if (Text(login, "provider_id") != provider->id ||
      !crypto::ConstantTimeEquals(Text(login, "binding"), crypto::Sha256Hex(browser_binding))) {
    return FailedPreconditionError(
        "this sign-in was started in another browser or with another provider; please start again");
  }
  const bool api = PurposeOf(login) == FederationPurpose::kApi;
  const auto fail = [&](Status why, std::string_view oauth_error) -> Result<FederationOutcome> {
    if (!api) return why;
    FederationOutcome out;
    out.kind = FederationOutcome::Kind::kRedirect;
    out.redirect_url = ApiRedirect(login, {{"error", oauth_error}});
    return out;
  };
  if (!provider->enabled) {
    return fail(FailedPreconditionError("sign-in with " + provider->display_name +
                                        " has been turned off for this app"),
                "access_denied");
  }
  auto secret = providers_.ClientSecret(*provider);
  if (!secret.ok()) return fail(secret.status(), "server_error");
  UpstreamLogin upstream{callback.state, Text(login, "nonce"), Text(login, "code_verifier"),
                         Text(login, "callback")};
  auto connector = MakeConnector(*provider, std::move(*secret), http_, metadata_, clock_);
  auto who = connector->Finish(upstream, callback);
  if (!who.ok()) {
    LogJson(spdlog::level::warn, "federation_failed",
            {{"app", app.slug}, {"provider", provider->slug}, {"reason", who.status().message()}});
    const auto code = who.status().code();
    return fail(who.status(), code == StatusCode::kPermissionDenied ? "access_denied"
                              : code == StatusCode::kUnavailable    ? "temporarily_unavailable"
                                                                    : "server_error");
  }
  auto out = Resolve(app, *provider, *who, login, client);
  if (!out.ok() && api && out.status().code() == StatusCode::kFailedPrecondition) {
    return fail(out.status(), "access_denied");
  }
  return out;
}

Result<FederationOutcome> FederatedSignIn::Resolve(const store::App& app,
                                                   const store::IdentityProvider& provider,
                                                   const UpstreamIdentity& who,
                                                   const json::object& login,
                                                   const ClientInfo& client) {
  const FederationPurpose purpose = PurposeOf(login);
  auto linked = store_.FindLinkedIdentity(app.id, provider.id, who.subject);
  if (linked.ok()) {
    if (purpose == FederationPurpose::kLink && linked->user_id != Text(login, "user_id")) {
      return FailedPreconditionError("this " + provider.display_name +
                                     " account is already linked to another account");
    }
    TESSERA_RETURN_IF_ERROR(store_.TouchLinkedIdentity(app.id, linked->id, who.email,
                                                       who.username, clock_.NowMillis()));
    TESSERA_ASSIGN_OR_RETURN(store::User user, accounts_.GetUser(app, linked->user_id));
    return Complete(app, provider, std::move(user), false, login, client);
  }
  if (!linked.status().IsNotFound()) return linked.status();

  if (purpose == FederationPurpose::kLink) {  // a signed-in user: their session is the proof
    TESSERA_ASSIGN_OR_RETURN(store::User user, accounts_.GetUser(app, Text(login, "user_id")));
    TESSERA_RETURN_IF_ERROR(Link(app, provider, user, who, client));
    FederationOutcome out;
    out.kind = FederationOutcome::Kind::kLinked;
    out.user = std::move(user);
    out.provider_name = provider.display_name;
    out.provider_slug = provider.slug;
    out.return_to = Text(login, "return_to");
    return out;
  }

  const bool email_trusted = !who.email.empty() && who.email_verified && provider.trust_email;
  std::optional<store::User> existing;
  if (ValidEmail(who.email)) {
    auto found = accounts_.FindByEmail(app, who.email);
    if (found.ok()) {
      existing = std::move(*found);
    } else if (!found.status().IsNotFound()) {
      return found.status();
    }
  }
  if (existing) {
    if (!existing->email_verified) {
      return FailedPreconditionError(
          "an account with this email address exists, but its address is not confirmed, so " +
          provider.display_name + " cannot be linked to it; sign in with its password instead");
    }
    if (email_trusted) {  // the provider vouches for the address, the app trusts it: linked
      TESSERA_RETURN_IF_ERROR(Link(app, provider, *existing, who, client));
      return Complete(app, provider, std::move(*existing), false, login, client);
    }
    // Proof first: a pending link the account's owner completes with its password.
    std::string value = RandomValue();
    json::object payload{{"provider_id", provider.id},
                         {"user_id", existing->id},
                         {"identity", IdentityObject(who)},
                         {"login", login}};
    const UnixMillis now = clock_.NowMillis();
    TESSERA_RETURN_IF_ERROR(store_.CreateFederationTicket(
        {crypto::Sha256Hex(value), app.id, store::FederationTicketKind::kPendingLink,
         json::serialize(payload), now, now + options_.proof_ttl_s * 1000, std::nullopt}));
    FederationOutcome out;
    out.kind = FederationOutcome::Kind::kNeedsProof;
    out.user = std::move(*existing);
    out.provider_name = provider.display_name;
    out.provider_slug = provider.slug;
    out.proof_ticket = std::move(value);
    return out;
  }

  if (!provider.allow_signup || !app.settings.allow_signup) {
    return FailedPreconditionError("there is no account for this " + provider.display_name +
                                   " account, and signing up with it is not open");
  }
  if (!ValidEmail(who.email)) {
    return FailedPreconditionError(provider.display_name +
                                   " did not share a usable email address; add a verified "
                                   "address there, or sign up with your email address");
  }
  auto created = accounts_.CreateFederatedUser(app, who.email, email_trusted, who.name,
                                               who.picture, provider.slug, client);
  if (!created.ok()) return created.status();
  TESSERA_RETURN_IF_ERROR(Link(app, provider, *created, who, client));
  return Complete(app, provider, std::move(*created), true, login, client);
}

Result<FederationOutcome> FederatedSignIn::Complete(const store::App& app,
                                                    const store::IdentityProvider& provider,
                                                    store::User user, bool created,
                                                    const json::object& login,
                                                    const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::User signed_in,
                           accounts_.RecordVerifiedSignIn(app, std::move(user), client, nullptr,
                                                          provider.slug));
  FederationOutcome out;
  out.user = std::move(signed_in);
  out.created = created;
  out.provider_name = provider.display_name;
  out.provider_slug = provider.slug;
  out.provider_issuer = provider.issuer;
  if (PurposeOf(login) != FederationPurpose::kApi) {
    out.kind = FederationOutcome::Kind::kSignedIn;
    out.return_to = Text(login, "return_to");
    return out;
  }
  std::string code = crypto::NewSecretToken("tfc_");
  json::object payload{{"user_id", out.user.id},
                       {"redirect_uri", Text(login, "redirect_uri")},
                       {"code_challenge", Text(login, "code_challenge")},
                       {"provider", provider.slug}};
  const UnixMillis now = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(store_.CreateFederationTicket(
      {crypto::Sha256Hex(code), app.id, store::FederationTicketKind::kApiCode,
       json::serialize(payload), now, now + options_.api_code_ttl_s * 1000, std::nullopt}));
  out.kind = FederationOutcome::Kind::kRedirect;
  out.redirect_url = ApiRedirect(login, {{"code", code}});
  return out;
}

Status FederatedSignIn::Link(const store::App& app, const store::IdentityProvider& provider,
                             const store::User& user, const UpstreamIdentity& who,
                             const ClientInfo& client) {
  const UnixMillis now = clock_.NowMillis();
  store::LinkedIdentity identity{crypto::NewUuid(), app.id,       user.id, provider.id,
                                 who.subject,       who.email,    who.username, now, now};
  Status created = store_.CreateLinkedIdentity(identity);
  if (created.ClashedOn(store::LinkedIdentityUniqueKey::kUserProvider)) {
    return FailedPreconditionError("this account is already linked to another " +
                                   provider.display_name + " account; unlink that one first");
  }
  if (created.ClashedOn(store::LinkedIdentityUniqueKey::kProviderSubject)) {
    return FailedPreconditionError("this " + provider.display_name +
                                   " account is already linked to another account");
  }
  TESSERA_RETURN_IF_ERROR(created);
  store::AuditEvent e;
  e.app_id = app.id;
  e.action = store::AuditAction::kIdentityLinked;
  e.actor_type = store::AuditActorType::kUser;
  e.actor_id = user.id;
  e.subject_type = store::AuditSubjectType::kUser;
  e.subject_id = user.id;
  e.ip = client.ip;
  e.user_agent = client.user_agent;
  e.details_json = json::serialize(json::object{{"provider", provider.slug}});
  Audit(audit_, std::move(e));
  return OkStatus();
}

Result<PendingLinkView> FederatedSignIn::PendingLink(const store::App& app,
                                                     std::string_view proof_ticket) {
  if (proof_ticket.empty() || proof_ticket.size() > 100) return NotFoundError("no such link");
  return PendingLinkOf(app, crypto::Sha256Hex(proof_ticket));
}

Result<PendingLinkView> FederatedSignIn::PendingLinkOf(const store::App& app,
                                                       const std::string& proof_hash) {
  TESSERA_ASSIGN_OR_RETURN(
      store::FederationTicket t,
      store_.GetLiveFederationTicket(app.id, proof_hash, store::FederationTicketKind::kPendingLink,
                                     clock_.NowMillis()));
  json::value parsed = json::parse(t.payload_json);
  const json::object& p = parsed.as_object();
  TESSERA_ASSIGN_OR_RETURN(store::IdentityProvider provider,
                           providers_.Get(app, Text(p, "provider_id")));
  TESSERA_ASSIGN_OR_RETURN(store::User user, accounts_.GetUser(app, Text(p, "user_id")));
  UpstreamIdentity who = IdentityFrom(p.at("identity").as_object());
  return PendingLinkView{provider.display_name, user.email, who.email, who.username,
                         user.password_hash.has_value(), mail_.has_value()};
}

Result<FederationOutcome> FederatedSignIn::ProveWithPassword(const store::App& app,
                                                             std::string_view proof_ticket,
                                                             std::string_view password,
                                                             const ClientInfo& client) {
  if (proof_ticket.empty() || proof_ticket.size() > 100) {
    return FailedPreconditionError("this link has expired; please sign in again");
  }
  const std::string hash = crypto::Sha256Hex(proof_ticket);
  auto live = store_.GetLiveFederationTicket(app.id, hash, store::FederationTicketKind::kPendingLink,
                                             clock_.NowMillis());
  if (!live.ok()) return FailedPreconditionError("this link has expired; please sign in again");
  json::value parsed = json::parse(live->payload_json);
  const json::object& p = parsed.as_object();
  TESSERA_ASSIGN_OR_RETURN(store::User account, accounts_.GetUser(app, Text(p, "user_id")));
  // The account's own password, throttled per account and IP like any sign-in.
  auto proven = accounts_.Authenticate(app, account.email, password, client);
  if (!proven.ok()) {
    if (proven.status().code() == StatusCode::kUnauthenticated) {
      return ValidationError({{"password", "is not this account's password"}});
    }
    return proven.status();
  }
  if (proven->id != account.id) return ValidationError({{"password", "is not this account's password"}});
  // Consumed only now: a wrong password leaves the link waiting for the right one.
  auto consumed = store_.ConsumeFederationTicket(app.id, hash, store::FederationTicketKind::kPendingLink,
                                                 clock_.NowMillis());
  if (!consumed.ok()) return FailedPreconditionError("this link has expired; please sign in again");
  return LinkProven(app, p, std::move(*proven), client);
}

Result<FederationOutcome> FederatedSignIn::LinkProven(const store::App& app, const json::object& p,
                                                      store::User user, const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::IdentityProvider provider,
                           providers_.Get(app, Text(p, "provider_id")));
  if (!provider.enabled) {
    return FailedPreconditionError("sign-in with " + provider.display_name +
                                   " has been turned off for this app");
  }
  UpstreamIdentity who = IdentityFrom(p.at("identity").as_object());
  TESSERA_RETURN_IF_ERROR(Link(app, provider, user, who, client));
  return Complete(app, provider, std::move(user), false, p.at("login").as_object(), client);
}

Result<MailedProof> FederatedSignIn::MailProofLink(const store::App& app,
                                                   std::string_view proof_ticket,
                                                   const ClientInfo& client) {
  const auto expired = [] { return FailedPreconditionError("this link has expired; please sign in again"); };
  if (!mail_) return FailedPreconditionError("this server sends no mail");
  if (proof_ticket.empty() || proof_ticket.size() > 100) return expired();
  const std::string proof_hash = crypto::Sha256Hex(proof_ticket);
  auto live = store_.GetLiveFederationTicket(app.id, proof_hash,
                                             store::FederationTicketKind::kPendingLink,
                                             clock_.NowMillis());
  if (!live.ok()) return live.status().IsNotFound() ? expired() : live.status();
  json::value parsed = json::parse(live->payload_json);
  const json::object& p = parsed.as_object();
  TESSERA_ASSIGN_OR_RETURN(store::User account, accounts_.GetUser(app, Text(p, "user_id")));
  if (account.disabled) return expired();
  TESSERA_ASSIGN_OR_RETURN(store::IdentityProvider provider,
                           providers_.Get(app, Text(p, "provider_id")));
  // Per address and per IP, like every mail: the page cannot be made a mail cannon.
  TESSERA_RETURN_IF_ERROR(mail_->limiter.Acquire(app, account.email, client.ip));

  // The link lives as long as the pending link, and only the browser that asked holds the
  // binding: whoever else opens it (the owner of a targeted account, say) links nothing.
  MailedProof out;
  out.browser_binding = RandomValue();
  out.address = account.email;
  const std::string token = crypto::NewSecretToken("tfl_");
  json::object payload{{"proof", proof_hash},
                       {"binding", crypto::Sha256Hex(out.browser_binding)},
                       {"address", account.email}};
  const UnixMillis now = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(store_.CreateFederationTicket(
      {crypto::Sha256Hex(token), app.id, store::FederationTicketKind::kMailedProof,
       json::serialize(payload), now, live->expires_at, std::nullopt}));

  UpstreamIdentity who = IdentityFrom(p.at("identity").as_object());
  kainjow::mustache::data vars;
  vars.set("provider_name", provider.display_name);
  vars.set("account_email", account.email);
  vars.set("upstream_label", !who.username.empty() ? who.username : who.email);
  vars.set("link", TokenLink(*mail_, app, "federation/link/confirm", token));
  vars.set("expires_in_s", std::to_string(std::max<int64_t>(60, (live->expires_at - now) / 1000)));
  TESSERA_RETURN_IF_ERROR(
      SendTemplatedMail(*mail_, app, "link_identity", account.email, vars, &account));
  return out;
}

Result<store::FederationTicket> FederatedSignIn::LiveMailedProof(const store::App& app,
                                                                 std::string_view token) {
  if (!crypto::IsSecretTokenShaped(token, "tfl_")) return NotFoundError("no such link");
  return store_.GetLiveFederationTicket(app.id, crypto::Sha256Hex(token),
                                        store::FederationTicketKind::kMailedProof,
                                        clock_.NowMillis());
}

Result<PendingLinkView> FederatedSignIn::MailedLink(const store::App& app, std::string_view token) {
  TESSERA_ASSIGN_OR_RETURN(store::FederationTicket mailed, LiveMailedProof(app, token));
  json::value parsed = json::parse(mailed.payload_json);
  return PendingLinkOf(app, Text(parsed.as_object(), "proof"));
}

Result<FederationOutcome> FederatedSignIn::ProveWithMailedLink(const store::App& app,
                                                               std::string_view token,
                                                               std::string_view browser_binding,
                                                               const ClientInfo& client) {
  const auto expired = [] {
    return FailedPreconditionError("this link has expired or was used; please sign in again");
  };
  auto mailed = LiveMailedProof(app, token);
  if (!mailed.ok()) return mailed.status().IsNotFound() ? expired() : mailed.status();
  json::value parsed = json::parse(mailed->payload_json);
  const json::object& m = parsed.as_object();
  // Checked before anything is used up: the right browser can still use the link after a
  // wrong one tried.
  if (browser_binding.empty() || browser_binding.size() > 100 ||
      !crypto::ConstantTimeEquals(crypto::Sha256Hex(browser_binding), Text(m, "binding"))) {
    return FailedPreconditionError(
        "this link works only in the browser where you asked for it; open it there");
  }
  const UnixMillis now = clock_.NowMillis();
  auto used = store_.ConsumeFederationTicket(app.id, mailed->hash,
                                             store::FederationTicketKind::kMailedProof, now);
  if (!used.ok()) return used.status().IsNotFound() ? expired() : used.status();
  auto pending = store_.ConsumeFederationTicket(app.id, Text(m, "proof"),
                                                store::FederationTicketKind::kPendingLink, now);
  if (!pending.ok()) return pending.status().IsNotFound() ? expired() : pending.status();
  json::value pending_parsed = json::parse(pending->payload_json);
  const json::object& p = pending_parsed.as_object();
  TESSERA_ASSIGN_OR_RETURN(store::User account, accounts_.GetUser(app, Text(p, "user_id")));
  // The mail proved the mailbox it went to: an account whose address changed since, or
  // that was disabled, is not what was proven.
  if (account.disabled || account.email != Text(m, "address")) return expired();
  return LinkProven(app, p, std::move(account), client);
}

Result<TokenGrant> FederatedSignIn::RedeemApiCode(const store::App& app, std::string_view code,
                                                  std::string_view redirect_uri,
                                                  std::string_view code_verifier,
                                                  const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(RedeemedCode redeemed,
                           RedeemApiCodeUser(app, code, redirect_uri, code_verifier));
  return sessions_.SignInVerifiedUser(app, std::move(redeemed.user), client, nullptr,
                                      redeemed.provider);
}

Result<FederatedSignIn::RedeemedCode> FederatedSignIn::RedeemApiCodeUser(
    const store::App& app, std::string_view code, std::string_view redirect_uri,
    std::string_view code_verifier) {
  const auto invalid = [] { return UnauthenticatedError("invalid, expired or used code"); };
  if (!crypto::IsSecretTokenShaped(code, "tfc_")) return invalid();
  auto ticket = store_.ConsumeFederationTicket(app.id, crypto::Sha256Hex(code),
                                               store::FederationTicketKind::kApiCode,
                                               clock_.NowMillis());
  if (!ticket.ok()) return ticket.status().IsNotFound() ? invalid() : ticket.status();
  json::value parsed = json::parse(ticket->payload_json);
  const json::object& p = parsed.as_object();
  if (Text(p, "redirect_uri") != redirect_uri) return invalid();
  if (std::string challenge = Text(p, "code_challenge"); !challenge.empty()) {
    if (code_verifier.size() < 43 || code_verifier.size() > 128) return invalid();
    std::string computed = crypto::Base64UrlEncode(crypto::Sha256(code_verifier));
    if (!crypto::ConstantTimeEquals(computed, challenge)) return invalid();
  }
  TESSERA_ASSIGN_OR_RETURN(store::User user, accounts_.GetUser(app, Text(p, "user_id")));
  return RedeemedCode{std::move(user), Text(p, "provider")};
}

Result<std::vector<LinkedIdentityView>> FederatedSignIn::LinkedIdentities(
    const store::App& app, std::string_view user_id) {
  TESSERA_ASSIGN_OR_RETURN(auto identities, store_.ListLinkedIdentities(app.id, user_id));
  TESSERA_ASSIGN_OR_RETURN(auto providers, store_.ListIdentityProviders(app.id));
  std::vector<LinkedIdentityView> out;
  for (auto& identity : identities) {
    LinkedIdentityView view{std::move(identity), "", ""};
    for (const auto& p : providers) {
      if (p.id == view.identity.provider_id) {
        view.provider_name = p.display_name;
        view.provider_slug = p.slug;
      }
    }
    out.push_back(std::move(view));
  }
  return out;
}

Status FederatedSignIn::Unlink(const store::App& app, std::string_view user_id,
                               std::string_view identity_id, const ClientInfo& client) {
  TESSERA_ASSIGN_OR_RETURN(store::User user, accounts_.GetUser(app, user_id));
  TESSERA_ASSIGN_OR_RETURN(auto identities, store_.ListLinkedIdentities(app.id, user_id));
  auto it = std::find_if(identities.begin(), identities.end(),
                         [&](const store::LinkedIdentity& i) { return i.id == identity_id; });
  if (it == identities.end()) return NotFoundError("no such linked identity");
  if (!HasAnotherWayIn(app, user, identities.size() - 1)) {
    return FailedPreconditionError(
        "this is your only way to sign in; set a password first, then unlink it");
  }
  TESSERA_RETURN_IF_ERROR(store_.DeleteLinkedIdentity(app.id, user_id, identity_id));
  store::AuditEvent e;
  e.app_id = app.id;
  e.action = store::AuditAction::kIdentityUnlinked;
  e.actor_type = store::AuditActorType::kUser;
  e.actor_id = std::string(user_id);
  e.subject_type = store::AuditSubjectType::kUser;
  e.subject_id = std::string(user_id);
  e.ip = client.ip;
  e.user_agent = client.user_agent;
  Audit(audit_, std::move(e));
  return OkStatus();
}

void FederatedSignIn::UnlinkAllAfterAddressProof(const store::App& app, const store::User& user) {
  auto identities = store_.ListLinkedIdentities(app.id, user.id);
  if (!identities.ok()) {
    LogJson(spdlog::level::err, "federation_unlink_failed",
            {{"app", app.slug}, {"user_id", user.id}, {"error", identities.status().message()}});
    return;
  }
  for (const auto& identity : *identities) {
    if (!store_.DeleteLinkedIdentity(app.id, user.id, identity.id).ok()) continue;
    store::AuditEvent e;
    e.app_id = app.id;
    e.action = store::AuditAction::kIdentityUnlinked;
    e.subject_type = store::AuditSubjectType::kUser;
    e.subject_id = user.id;
    e.details_json = R"({"reason":"address_proven"})";
    Audit(audit_, std::move(e));
  }
}

}  // namespace tessera::services
