#include "api/views.h"

#include <boost/json.hpp>
#include <ctime>

namespace tessera::api {
namespace json = boost::json;

std::string Rfc3339(UnixMillis ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json::value OptionalTime(const std::optional<UnixMillis>& ms) {
  return ms ? json::value(Rfc3339(*ms)) : json::value(nullptr);
}

json::object UserView(const store::User& u, const store::App& app) {
  json::array roles;
  for (const auto& r : u.roles) roles.emplace_back(r);
  boost::system::error_code ec;
  json::value profile = json::parse(u.profile_json, ec);
  if (ec || !profile.is_object()) profile = json::object();
  return json::object{
      {"id", u.id},
      {"app", app.slug},
      {"email", u.email},
      {"email_verified", u.email_verified},
      {"username", u.username ? json::value(*u.username) : json::value(nullptr)},
      {"roles", std::move(roles)},
      {"disabled", u.disabled},
      {"profile", std::move(profile)},
      {"created_at", Rfc3339(u.created_at)},
      {"updated_at", Rfc3339(u.updated_at)},
      {"last_login_at", OptionalTime(u.last_login_at)},
  };
}

json::object SessionView(const store::Session& s, bool current) {
  json::object v{{"id", s.id},
                 {"kind", s.kind},  // "api", "browser" or "oauth" (an app's grant)
                      {"created_at", Rfc3339(s.created_at)},
                      {"last_used_at", Rfc3339(s.last_used_at)},
                      {"expires_at", Rfc3339(s.expires_at)},
                      {"user_agent", s.user_agent},
                      {"ip", s.ip},
                      {"current", current}};
  if (!s.client_id.empty()) v["client_id"] = s.client_id;
  if (!s.scope.empty()) v["scope"] = s.scope;
  return v;
}

json::object ApiTokenView(const store::ApiToken& t) {
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"prefix", t.prefix},
                      {"created_at", Rfc3339(t.created_at)},
                      {"expires_at", OptionalTime(t.expires_at)},
                      {"last_used_at", OptionalTime(t.last_used_at)}};
}

}  // namespace tessera::api
