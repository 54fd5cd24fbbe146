#include "federation/oidc_connector.h"

#include <boost/json.hpp>
#include <algorithm>
#include <cctype>

#include "base/json_util.h"
#include "base/log.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "federation/connector_support.h"

namespace tessera::services {
namespace {
namespace json = boost::json;

constexpr std::string_view kDefaultScopes = "openid email profile";
// Upstream clocks drift; a minute either way is the usual tolerance for ID tokens.
constexpr int64_t kLeewaySeconds = 60;
constexpr size_t kMaxCodeBytes = 4096;
constexpr size_t kMaxSubjectBytes = 255;  // OpenID Connect Core §2: at most 255 ASCII characters
constexpr size_t kMaxEmailBytes = 320;
constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxPictureBytes = 2048;
constexpr size_t kMaxClaimNameBytes = 64;

// Which claim fills each identity field (CheckClaimMapping in connector.h).
struct ClaimNames {
  std::string email = "email";
  std::string email_verified = "email_verified";
  std::string name = "name";
  std::string picture = "picture";
  std::string username = "preferred_username";
};

Result<ClaimNames> ParseClaimMapping(std::string_view text) {
  if (text.empty()) return ClaimNames{};
  auto mapping = ParseJsonObject(text);
  if (!mapping.ok()) return InvalidArgumentError("the claim mapping is not a JSON object");
  ClaimNames names;
  for (const auto& [field, claim] : *mapping) {
    if (!claim.is_string() || claim.as_string().empty() ||
        claim.as_string().size() > kMaxClaimNameBytes ||
        ProviderText(claim.as_string(), kMaxClaimNameBytes) != claim.as_string()) {
      return InvalidArgumentError("the claim mapping's " + ProviderText(field, 32) +
                                  " must name a claim (1-64 printable characters)");
    }
    std::string value(claim.as_string());
    if (field == "email") {
      names.email = value;
    } else if (field == "email_verified") {
      names.email_verified = value;
    } else if (field == "name") {
      names.name = value;
    } else if (field == "picture") {
      names.picture = value;
    } else if (field == "username") {
      names.username = value;
    } else {
      return InvalidArgumentError("the claim mapping has an unknown field " +
                                  ProviderText(field, 32) +
                                  " (known: email, email_verified, name, picture, username)");
    }
  }
  return names;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// email_verified is a JSON boolean (OpenID Connect Core §5.1); some providers send "true".
bool ClaimIsTrue(const json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  if (it == claims.end()) return false;
  if (it->value().is_bool()) return it->value().as_bool();
  return it->value().is_string() && it->value().as_string() == "true";
}

// The identity fields the claims give (through the mapping). Values a provider sends that
// Tessera could not store or show safely are dropped; an email dropped is not verified.
void FillFromClaims(const json::object& claims, const ClaimNames& names, UpstreamIdentity& id) {
  id.email = StorableClaim(StringMember(claims, names.email), kMaxEmailBytes);
  id.email_verified = !id.email.empty() && ClaimIsTrue(claims, names.email_verified);
  if (std::string name = StorableClaim(StringMember(claims, names.name), kMaxNameBytes);
      !name.empty()) {
    id.name = std::move(name);
  }
  std::string_view picture = StringMember(claims, names.picture);
  if (picture.size() <= kMaxPictureBytes && IsUpstreamEndpoint(picture)) {
    id.picture = std::string(picture);
  }
  if (std::string username = StorableClaim(StringMember(claims, names.username), kMaxNameBytes);
      !username.empty()) {
    id.username = std::move(username);
  }
}

// The JSON object of one part of a compact JWS, unverified: only to find the key (kid) and
// the issuer spelling to check the token against, before the signature is.
json::object UnverifiedPart(std::string_view token, int index) {
  size_t begin = 0;
  for (int i = 0; i < index; ++i) {
    begin = token.find('.', begin);
    if (begin == std::string_view::npos) return {};
    ++begin;
  }
  size_t end = token.find('.', begin);
  auto bytes = crypto::Base64UrlDecode(token.substr(begin, end == std::string_view::npos
                                                              ? std::string_view::npos
                                                              : end - begin));
  if (!bytes) return {};
  auto object = ParseJsonObject(*bytes);
  return object.ok() ? std::move(*object) : json::object{};
}

struct TokenAnswer {
  std::string id_token;
  std::string access_token;
};

class OidcConnector final : public Connector {
 public:
  OidcConnector(store::IdentityProvider provider, std::string client_secret, OutboundHttp& http,
                ProviderMetadataCache& cache, const Clock& clock, OidcPreset preset)
      : provider_(std::move(provider)),
        client_secret_(std::move(client_secret)),
        http_(http),
        cache_(cache),
        clock_(clock),
        preset_(std::move(preset)),
        issuer_(provider_.issuer.empty() ? preset_.defaults.issuer : provider_.issuer),
        label_(!provider_.display_name.empty() ? provider_.display_name
               : !preset_.defaults.display_name.empty() ? preset_.defaults.display_name
                                                          : provider_.slug),
        claim_names_(ParseClaimMapping(provider_.claim_mapping_json)) {}

  Result<std::string> LoginUrl(const UpstreamLogin& login) override;
  Result<UpstreamIdentity> Finish(const UpstreamLogin& login,
                                  const UpstreamCallback& callback) override;

 private:
  Result<ProviderMetadata> Metadata();
  std::string Scopes() const;
  Status CheckIss(const ProviderMetadata& metadata, const UpstreamCallback& callback) const;
  bool UsePostAuthentication(const ProviderMetadata& metadata) const;
  Result<TokenAnswer> RedeemCode(const ProviderMetadata& metadata, const UpstreamLogin& login,
                                 const std::string& code);
  Result<json::object> VerifyIdToken(const ProviderMetadata& metadata, std::string_view id_token,
                                     const UpstreamLogin& login);
  void FillFromUserinfo(const ProviderMetadata& metadata, const std::string& access_token,
                        UpstreamIdentity& identity);
  Status Refused(std::string_view why) const {
    return UnauthenticatedError(label_ + "'s answer is refused: " + std::string(why));
  }

  const store::IdentityProvider provider_;
  const std::string client_secret_;
  OutboundHttp& http_;
  ProviderMetadataCache& cache_;
  const Clock& clock_;
  const OidcPreset preset_;
  const std::string issuer_;
  const std::string label_;  // for messages: the button's name
  const Result<ClaimNames> claim_names_;
};

// The discovery document with the record's overrides on top. A record that names every
// endpoint the flow needs works without discovery (a provider that publishes none).
Result<ProviderMetadata> OidcConnector::Metadata() {
  if (issuer_.empty()) return FailedPreconditionError(label_ + " has no issuer configured");
  ProviderMetadata m;
  if (provider_.authorization_endpoint.empty() || provider_.token_endpoint.empty() ||
      provider_.jwks_uri.empty()) {
    TESSERA_ASSIGN_OR_RETURN(auto discovered, cache_.Discover(issuer_));
    m = *discovered;
  } else {
    m.issuer = issuer_;
  }
  if (!provider_.authorization_endpoint.empty()) {
    m.authorization_endpoint = provider_.authorization_endpoint;
  }
  if (!provider_.token_endpoint.empty()) m.token_endpoint = provider_.token_endpoint;
  if (!provider_.userinfo_endpoint.empty()) m.userinfo_endpoint = provider_.userinfo_endpoint;
  if (!provider_.jwks_uri.empty()) m.jwks_uri = provider_.jwks_uri;
  return m;
}

// The record's scopes (or the preset's), always with openid: without it there is no ID token.
std::string OidcConnector::Scopes() const {
  std::string scopes = !provider_.scopes.empty()          ? provider_.scopes
                       : !preset_.defaults.scopes.empty() ? preset_.defaults.scopes
                                                          : std::string(kDefaultScopes);
  std::string padded = " " + scopes + " ";
  if (padded.find(" openid ") == std::string::npos) scopes = "openid " + scopes;
  return scopes;
}

Result<std::string> OidcConnector::LoginUrl(const UpstreamLogin& login) {
  if (!claim_names_.ok()) return FailedPreconditionError(claim_names_.status().message());
  TESSERA_ASSIGN_OR_RETURN(ProviderMetadata metadata, Metadata());
  return UrlWithQuery(metadata.authorization_endpoint,
                      {{"response_type", "code"},
                       {"client_id", provider_.client_id},
                       {"redirect_uri", login.redirect_uri},
                       {"scope", Scopes()},
                       {"state", login.state},
                       {"nonce", login.nonce},
                       {"code_challenge", PkceS256Challenge(login.code_verifier)},
                       {"code_challenge_method", "S256"}});
}

// RFC 9207 §2.4: the `iss` of the answer, when sent, names the issuer we sent the person to
// (else a mix-up: another provider's code would reach this one's token endpoint); a provider
// that promises it must send it.
Status OidcConnector::CheckIss(const ProviderMetadata& metadata,
                               const UpstreamCallback& callback) const {
  if (!callback.iss.empty() && callback.iss != issuer_) {
    return Refused("the callback's iss names another issuer");
  }
  if (callback.iss.empty() && metadata.authorization_response_iss_parameter_supported) {
    return Refused("the callback lacks the iss parameter the provider promises (RFC 9207)");
  }
  return OkStatus();
}

// client_secret_basic unless the provider lists client_secret_post without it (OpenID
// Connect Discovery §3: basic is the default when nothing is said).
bool OidcConnector::UsePostAuthentication(const ProviderMetadata& metadata) const {
  const auto& methods = metadata.token_endpoint_auth_methods_supported;
  auto has = [&](std::string_view m) {
    return std::find(methods.begin(), methods.end(), m) != methods.end();
  };
  return !has("client_secret_basic") && has("client_secret_post");
}

Result<TokenAnswer> OidcConnector::RedeemCode(const ProviderMetadata& metadata,
                                              const UpstreamLogin& login,
                                              const std::string& code) {
  if (!IsUpstreamEndpoint(metadata.token_endpoint)) {
    return UnavailableError(label_ + "'s token endpoint is not an https URL");
  }
  Params form = {{"grant_type", "authorization_code"},
                 {"code", code},
                 {"redirect_uri", login.redirect_uri},
                 {"code_verifier", login.code_verifier}};
  OutboundRequest request;
  request.method = "POST";
  request.url = metadata.token_endpoint;
  request.headers = {{"Accept", "application/json"},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  if (client_secret_.empty()) {
    form.emplace_back("client_id", provider_.client_id);  // a public client (RFC 6749 §3.2.1)
  } else if (UsePostAuthentication(metadata)) {
    form.emplace_back("client_id", provider_.client_id);
    form.emplace_back("client_secret", client_secret_);
  } else {
    request.headers.emplace_back("Authorization",
                                 BasicAuthorization(provider_.client_id, client_secret_));
  }
  request.body = FormEncode(form);
  TESSERA_ASSIGN_OR_RETURN(OutboundResponse response, http_.Send(request));
  if (response.status == 400 || response.status == 401) {
    // RFC 6749 §5.2: invalid_grant (code used, expired, another verifier), invalid_client …
    auto error = ParseJsonObject(response.body);
    std::string code_text = error.ok() ? ProviderText(StringMember(*error, "error"), 64) : "";
    return UnauthenticatedError(label_ + " refused the code: " +
                                (code_text.empty() ? "HTTP " + std::to_string(response.status)
                                                   : code_text));
  }
  TESSERA_ASSIGN_OR_RETURN(json::object answer, JsonAnswer(response, label_, "token endpoint"));
  TokenAnswer tokens{std::string(StringMember(answer, "id_token")),
                     std::string(StringMember(answer, "access_token"))};
  if (!EqualsIgnoreCase(StringMember(answer, "token_type"), "Bearer")) {
    return UnavailableError(label_ + "'s token endpoint answered a token_type other than Bearer");
  }
  if (!IsBearerTokenShaped(tokens.access_token)) {
    return UnavailableError(label_ + "'s token endpoint answered no usable access_token");
  }
  if (tokens.id_token.empty()) {
    return UnavailableError(label_ + "'s token endpoint answered no id_token");
  }
  return tokens;
}

// OpenID Connect Core §3.1.3.7: signature by a key of the issuer's JWKS (RS256, ES256 or
// EdDSA only), iss, aud (and azp), exp and iat, and the nonce of this sign-in.
Result<json::object> OidcConnector::VerifyIdToken(const ProviderMetadata& metadata,
                                                  std::string_view id_token,
                                                  const UpstreamLogin& login) {
  if (id_token.size() > crypto::kMaxJwtSize) return Refused("the ID token is too large");
  std::string kid(StringMember(UnverifiedPart(id_token, 0), "kid"));
  auto found = cache_.FindKey(issuer_, metadata.jwks_uri, kid);
  if (!found.ok()) {
    if (found.status().code() != StatusCode::kUnauthenticated) return found.status();
    return Refused(found.status().message());
  }
  const crypto::SigningKey key = std::move(*found);

  crypto::JwtVerifyOptions options;
  options.allowed_algs = {crypto::JwsAlg::kRS256, crypto::JwsAlg::kES256, crypto::JwsAlg::kEdDSA};
  options.issuer = issuer_;
  // A preset's other spelling of its issuer, when the token uses it (checked, with the
  // signature, by VerifyJwt like the main one).
  const json::object unverified_claims = UnverifiedPart(id_token, 1);
  std::string_view claimed_iss = StringMember(unverified_claims, "iss");
  for (const std::string& other : preset_.other_token_issuers) {
    if (claimed_iss == other) options.issuer = other;
  }
  options.audience = provider_.client_id;
  options.now_seconds = clock_.NowSeconds();
  options.leeway_seconds = kLeewaySeconds;
  auto lookup = [&key](std::string_view k) { return k == key.kid() ? &key : nullptr; };
  auto claims = crypto::VerifyJwt(id_token, lookup, options);
  if (!claims.ok()) return Refused("ID token: " + claims.status().message());

  if (auto iat = claims->find("iat"); iat == claims->end() || !iat->value().is_number()) {
    return Refused("the ID token has no iat");
  }
  // §3.1.3.7 items 4 and 5: with several audiences, azp names us; an azp present names us.
  auto aud = claims->find("aud");
  bool several = aud != claims->end() && aud->value().is_array() && aud->value().as_array().size() > 1;
  auto azp = claims->find("azp");
  if ((several || azp != claims->end()) && StringMember(*claims, "azp") != provider_.client_id) {
    return Refused("the ID token's azp is not this client");
  }
  std::string_view nonce = StringMember(*claims, "nonce");
  if (nonce.empty() || login.nonce.empty() || !crypto::ConstantTimeEquals(nonce, login.nonce)) {
    return Refused("the ID token's nonce is not this sign-in's");
  }
  return std::move(*claims);
}

// Only for an identity still without email: the userinfo answer counts only when its `sub`
// is the ID token's (OpenID Connect Core §5.3.2: else it may be another person's). A failure
// here is logged and leaves the email empty; the sign-in itself stands.
void OidcConnector::FillFromUserinfo(const ProviderMetadata& metadata,
                                     const std::string& access_token,
                                     UpstreamIdentity& identity) {
  if (!identity.email.empty() || metadata.userinfo_endpoint.empty()) return;
  auto skip = [&](std::string_view why) {
    LogJson(spdlog::level::warn, "federation_userinfo_ignored",
            {{"provider", provider_.slug}, {"app_id", provider_.app_id}, {"reason", why}});
  };
  if (!IsUpstreamEndpoint(metadata.userinfo_endpoint)) return skip("not an https URL");
  OutboundRequest request;
  request.url = metadata.userinfo_endpoint;
  request.headers = {{"Authorization", "Bearer " + access_token}, {"Accept", "application/json"}};
  auto response = http_.Send(request);
  if (!response.ok()) return skip(response.status().message());
  auto info = JsonAnswer(*response, label_, "userinfo endpoint");
  if (!info.ok()) return skip(info.status().message());
  if (StringMember(*info, "sub") != identity.subject) return skip("its sub is another subject");
  UpstreamIdentity from_userinfo;
  FillFromClaims(*info, *claim_names_, from_userinfo);
  identity.email = from_userinfo.email;
  identity.email_verified = from_userinfo.email_verified;
  if (identity.name.empty()) identity.name = from_userinfo.name;
}

Result<UpstreamIdentity> OidcConnector::Finish(const UpstreamLogin& login,
                                               const UpstreamCallback& callback) {
  if (!claim_names_.ok()) return FailedPreconditionError(claim_names_.status().message());
  TESSERA_ASSIGN_OR_RETURN(ProviderMetadata metadata, Metadata());
  // iss first: an error answer is checked too (RFC 9207 §2.4), so a mix-up cannot pass as
  // another provider's refusal.
  TESSERA_RETURN_IF_ERROR(CheckIss(metadata, callback));
  if (!callback.error.empty()) return CallbackError(label_, callback);
  if (callback.code.empty() || callback.code.size() > kMaxCodeBytes) {
    return Refused("the callback has no usable code");
  }
  TESSERA_ASSIGN_OR_RETURN(TokenAnswer tokens, RedeemCode(metadata, login, callback.code));
  TESSERA_ASSIGN_OR_RETURN(json::object claims, VerifyIdToken(metadata, tokens.id_token, login));

  UpstreamIdentity identity;
  identity.subject = StorableClaim(StringMember(claims, "sub"), kMaxSubjectBytes);
  if (identity.subject.empty()) return Refused("the ID token has no usable sub");
  FillFromClaims(claims, *claim_names_, identity);
  FillFromUserinfo(metadata, tokens.access_token, identity);
  return identity;
}

}  // namespace

OidcPreset GenericOidcPreset() {
  return OidcPreset{ConnectorDefaults{"", "", std::string(kDefaultScopes), ""}, {}};
}

OidcPreset GooglePreset() {
  return OidcPreset{
      ConnectorDefaults{"https://accounts.google.com", "", std::string(kDefaultScopes), "Google"},
      {"accounts.google.com"}};
}

Status CheckClaimMapping(std::string_view claim_mapping_json) {
  auto names = ParseClaimMapping(claim_mapping_json);
  return names.ok() ? OkStatus() : names.status();
}

std::unique_ptr<Connector> MakeOidcConnector(const store::IdentityProvider& provider,
                                             std::string client_secret, OutboundHttp& http,
                                             ProviderMetadataCache& metadata, const Clock& clock,
                                             OidcPreset preset) {
  return std::make_unique<OidcConnector>(provider, std::move(client_secret), http, metadata, clock,
                                         std::move(preset));
}

}  // namespace tessera::services
