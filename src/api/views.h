// File: views.h
// JSON views of records for API answers. Views are explicit allow-lists of members, so a
// new column (a hash, say) never leaks by accident.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "base/clock.h"
#include "store/records.h"

namespace tessera::api {

std::string Rfc3339(UnixMillis ms);
boost::json::value OptionalTime(const std::optional<UnixMillis>& ms);

boost::json::object UserView(const store::User& user, const store::App& app);
boost::json::object SessionView(const store::Session& session, bool current);
boost::json::object ApiTokenView(const store::ApiToken& token);

}  // namespace tessera::api
