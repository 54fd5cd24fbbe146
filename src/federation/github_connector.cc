#include "federation/github_connector.h"

#include <boost/json.hpp>

#include "base/json_util.h"
#include "federation/connector_support.h"

namespace tessera::services {
namespace {
namespace json = boost::json;

constexpr size_t kMaxCodeBytes = 4096;
constexpr size_t kMaxEmailBytes = 320;
constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxPictureBytes = 2048;
constexpr size_t kMaxEmailEntries = 100;  // GitHub allows far fewer per account

std::string WithoutTrailingSlash(std::string_view base) {
  while (base.ends_with('/')) base.remove_suffix(1);
  return std::string(base);
}

// The user's numeric id as decimal text: the one stable subject (a login can be renamed,
// and a freed login taken by someone else).
std::string SubjectOf(const json::object& user) {
  auto it = user.find("id");
  if (it == user.end()) return {};
  if (it->value().is_int64() && it->value().as_int64() > 0) {
    return std::to_string(it->value().as_int64());
  }
  if (it->value().is_uint64()) return std::to_string(it->value().as_uint64());
  return {};
}

class GithubConnector final : public Connector {
 public:
  GithubConnector(store::IdentityProvider provider, std::string client_secret, OutboundHttp& http)
      : provider_(std::move(provider)),
        client_secret_(std::move(client_secret)),
        http_(http),
        web_(WithoutTrailingSlash(provider_.issuer.empty() ? kGithubWebBase : provider_.issuer)),
        api_(WithoutTrailingSlash(provider_.userinfo_endpoint.empty() ? kGithubApiBase
                                                                      : provider_.userinfo_endpoint)),
        label_(provider_.display_name.empty() ? "GitHub" : provider_.display_name) {}

  Result<std::string> LoginUrl(const UpstreamLogin& login) override;
  Result<UpstreamIdentity> Finish(const UpstreamLogin& login,
                                  const UpstreamCallback& callback) override;

 private:
  Result<std::string> RedeemCode(const UpstreamLogin& login, const std::string& code);
  Result<OutboundResponse> ApiGet(std::string_view path, const std::string& access_token);
  Result<UpstreamIdentity> User(const std::string& access_token);
  Status AddVerifiedPrimaryEmail(const std::string& access_token, UpstreamIdentity& identity);

  const store::IdentityProvider provider_;
  const std::string client_secret_;
  OutboundHttp& http_;
  const std::string web_;
  const std::string api_;
  const std::string label_;
};

Result<std::string> GithubConnector::LoginUrl(const UpstreamLogin& login) {
  std::string endpoint = provider_.authorization_endpoint.empty()
                             ? web_ + "/login/oauth/authorize"
                             : provider_.authorization_endpoint;
  return UrlWithQuery(endpoint,
                      {{"client_id", provider_.client_id},
                       {"redirect_uri", login.redirect_uri},
                       {"scope", provider_.scopes.empty() ? std::string(kGithubDefaultScopes)
                                                          : provider_.scopes},
                       {"state", login.state},
                       {"code_challenge", PkceS256Challenge(login.code_verifier)},
                       {"code_challenge_method", "S256"}});
}

// GitHub answers a refused code with 200 and {"error": "bad_verification_code", …}.
Result<std::string> GithubConnector::RedeemCode(const UpstreamLogin& login,
                                                const std::string& code) {
  OutboundRequest request;
  request.method = "POST";
  request.url = provider_.token_endpoint.empty() ? web_ + "/login/oauth/access_token"
                                                 : provider_.token_endpoint;
  if (!IsUpstreamEndpoint(request.url)) {
    return UnavailableError(label_ + "'s token endpoint is not an https URL");
  }
  request.headers = {{"Accept", "application/json"},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = FormEncode({{"client_id", provider_.client_id},
                             {"client_secret", client_secret_},
                             {"code", code},
                             {"redirect_uri", login.redirect_uri},
                             {"code_verifier", login.code_verifier}});
  TESSERA_ASSIGN_OR_RETURN(OutboundResponse response, http_.Send(request));
  if (response.status == 400 || response.status == 401) {
    return UnauthenticatedError(label_ + " refused the code: HTTP " +
                                std::to_string(response.status));
  }
  TESSERA_ASSIGN_OR_RETURN(json::object answer, JsonAnswer(response, label_, "token endpoint"));
  if (std::string error = ProviderText(StringMember(answer, "error"), 64); !error.empty()) {
    return UnauthenticatedError(label_ + " refused the code: " + error);
  }
  std::string token(StringMember(answer, "access_token"));
  if (!IsBearerTokenShaped(token)) {
    return UnavailableError(label_ + "'s token endpoint answered no usable access_token");
  }
  return token;
}

Result<OutboundResponse> GithubConnector::ApiGet(std::string_view path,
                                                 const std::string& access_token) {
  OutboundRequest request;
  request.url = api_ + std::string(path);
  if (!IsUpstreamEndpoint(request.url)) {
    return UnavailableError(label_ + "'s API base is not an https URL");
  }
  // The API refuses calls without a User-Agent; the transport always sends one.
  request.headers = {{"Authorization", "Bearer " + access_token},
                     {"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", "2022-11-28"}};
  return http_.Send(request);
}

Result<UpstreamIdentity> GithubConnector::User(const std::string& access_token) {
  TESSERA_ASSIGN_OR_RETURN(OutboundResponse response, ApiGet("/user", access_token));
  TESSERA_ASSIGN_OR_RETURN(json::object user, JsonAnswer(response, label_, "/user"));
  UpstreamIdentity identity;
  identity.subject = SubjectOf(user);
  if (identity.subject.empty()) return UnavailableError(label_ + "'s /user answered no id");
  identity.username = StorableClaim(StringMember(user, "login"), kMaxNameBytes);
  identity.name = StorableClaim(StringMember(user, "name"), kMaxNameBytes);
  std::string_view avatar = StringMember(user, "avatar_url");
  if (avatar.size() <= kMaxPictureBytes && IsUpstreamEndpoint(avatar)) {
    identity.picture = std::string(avatar);
  }
  // /user's own `email` is the public profile address, which GitHub does not vouch for: it is
  // never used; only /user/emails says which address is verified.
  return identity;
}

// The primary address, when GitHub has verified it; none otherwise (an unverified primary is
// no one's proof of anything). Without the user:email scope GitHub answers 403/404: no email.
Status GithubConnector::AddVerifiedPrimaryEmail(const std::string& access_token,
                                                UpstreamIdentity& identity) {
  TESSERA_ASSIGN_OR_RETURN(OutboundResponse response, ApiGet("/user/emails", access_token));
  if (response.status == 401 || response.status == 403 || response.status == 404) {
    return OkStatus();
  }
  if (response.status != 200) {
    return UnavailableError(label_ + "'s /user/emails answered HTTP " +
                            std::to_string(response.status));
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  json::value emails = json::parse(response.body, ec, {}, options);
  if (ec || !emails.is_array()) {
    return UnavailableError(label_ + "'s /user/emails did not answer a JSON array");
  }
  size_t seen = 0;
  for (const auto& entry : emails.as_array()) {
    if (++seen > kMaxEmailEntries) break;
    if (!entry.is_object()) continue;
    const json::object& e = entry.as_object();
    auto flag = [&e](std::string_view name) {
      auto it = e.find(name);
      return it != e.end() && it->value().is_bool() && it->value().as_bool();
    };
    if (!flag("primary") || !flag("verified")) continue;
    std::string email = StorableClaim(StringMember(e, "email"), kMaxEmailBytes);
    if (email.empty()) continue;
    identity.email = std::move(email);
    identity.email_verified = true;
    break;
  }
  return OkStatus();
}

Result<UpstreamIdentity> GithubConnector::Finish(const UpstreamLogin& login,
                                                 const UpstreamCallback& callback) {
  if (!callback.error.empty()) return CallbackError(label_, callback);
  if (callback.code.empty() || callback.code.size() > kMaxCodeBytes) {
    return UnauthenticatedError(label_ + "'s answer is refused: the callback has no usable code");
  }
  TESSERA_ASSIGN_OR_RETURN(std::string access_token, RedeemCode(login, callback.code));
  TESSERA_ASSIGN_OR_RETURN(UpstreamIdentity identity, User(access_token));
  TESSERA_RETURN_IF_ERROR(AddVerifiedPrimaryEmail(access_token, identity));
  return identity;
}

}  // namespace

std::unique_ptr<Connector> MakeGithubConnector(const store::IdentityProvider& provider,
                                               std::string client_secret, OutboundHttp& http) {
  return std::make_unique<GithubConnector>(provider, std::move(client_secret), http);
}

}  // namespace tessera::services
