// File: grant_types.h
// The grants the token endpoint offers, one row per grant_type, and the rule that picks
// one for a client (RFC 6749 §5.2): a grant_type Tessera (or the client's app) does not offer
// is unsupported_grant_type; one the client was not registered for is unauthorized_client.
// The rows are the composition root's (app/core_services.cc): a new grant is a new row there.
#pragma once

#include <string_view>
#include <vector>

#include "oauth/grant.h"
#include "oauth/oauth_error.h"
#include "oauth/oauth_records.h"

namespace tessera::services {

class GrantTypes {
 public:
  // Not owned; each must outlive this table.
  explicit GrantTypes(std::vector<Grant*> grants) : grants_(std::move(grants)) {}

  OAuthResult<Grant*> For(const store::App& app, const store::OAuthClient& client,
                          std::string_view grant_type) const;
  // The grant_type of every row the app offers, in order (discovery's grant_types_supported).
  std::vector<std::string_view> Names(const store::App& app) const;

 private:
  std::vector<Grant*> grants_;
};

}  // namespace tessera::services
