// File: user_json.h
// A user as JSON, written once: the APIs' user view (api/views.h adds the app) and the user
// in a webhook event's data (webhooks/webhook_events.h). Never a password hash.
#pragma once

#include <boost/json/object.hpp>

#include "accounts/user_records.h"

namespace tessera::services {

// id, email, email_verified, username (null when none), roles, disabled, profile,
// created_at, updated_at, last_login_at (RFC 3339; null when never).
boost::json::object UserJson(const store::User& user);

}  // namespace tessera::services
