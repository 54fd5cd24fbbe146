// File: service_messages.h
// The domain services speak English (Status::message(), FieldError::message: the JSON API and
// the logs keep those words); a hosted page shows them in its reader's language. ServiceText
// knows the sentences a page can show — wrong credentials, a disabled account, the rules of
// emails, usernames, passwords and profile fields, rate limits, used or expired links and
// codes, second factors, sign-in with another provider — each an "errors.*" message of the
// catalogue:
//
//   d.set("error", ServiceText(t, status.message()));      // "Dieser Link ist abgelaufen. …"
//   FieldSentence(t, t("signup.password_label"), e.message) // web/display_text.h: the same, as
//                                                           // a sentence next to a field
//
// A sentence with a number or a name in it ("must be at least 10 characters", "sign-in with
// GitHub has been turned off for this app") matches by its fixed parts, and the number or name
// is the message's argument. A message of several sentences ("This link has expired. Ask for
// a new password reset link.") is translated sentence by sentence. Anything unknown (a rule
// only developers meet, an upstream provider's own words) comes back as it is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "i18n/message_catalog.h"

namespace tessera::web {

// A domain service's English sentence (Status::message(), FieldError::message) in t's
// language when the catalogue knows it (group "errors"), else as it is.
std::string ServiceText(const i18n::Texts& t, std::string_view english);

// Every "errors.*" key ServiceText may use (for a test: each must be in the catalogue).
std::vector<std::string_view> ServiceTextKeys();

}  // namespace tessera::web
