#include "accounts/user_json.h"

#include <boost/json.hpp>

#include "base/time_format.h"

namespace tessera::services {
namespace json = boost::json;

json::object UserJson(const store::User& u) {
  json::array roles;
  for (const auto& r : u.roles) roles.emplace_back(r);
  boost::system::error_code ec;
  json::value profile = json::parse(u.profile_json, ec);
  if (ec || !profile.is_object()) profile = json::object();
  return json::object{
      {"id", u.id},
      {"email", u.email},
      {"email_verified", u.email_verified},
      {"username", u.username ? json::value(*u.username) : json::value(nullptr)},
      {"roles", std::move(roles)},
      {"disabled", u.disabled},
      {"profile", std::move(profile)},
      {"created_at", FormatUtc(u.created_at, kRfc3339Utc)},
      {"updated_at", FormatUtc(u.updated_at, kRfc3339Utc)},
      {"last_login_at", u.last_login_at ? json::value(FormatUtc(*u.last_login_at, kRfc3339Utc))
                                        : json::value(nullptr)},
  };
}

}  // namespace tessera::services
