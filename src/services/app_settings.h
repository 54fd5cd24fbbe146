// File: app_settings.h
// Per-app settings, stored as the app's settings_json: who may sign up, whether signing in
// needs a verified email, passwordless options, the mail sender, and where API-initiated
// magic links may send the user. Unknown members are kept out; missing ones take defaults.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace tessera::services {

struct AppSettings {
  bool allow_signup = true;             // signup page/API, and magic links for new addresses
  bool require_verified_email = false;  // password sign-in needs email_verified
  bool email_code_login = true;         // one-time codes by mail as a sign-in method
  std::string mail_from;                // "" = the server's --mail-from
  std::vector<std::string> redirect_uris;  // allowed targets of API magic links (exact)
};

AppSettings ParseAppSettings(const std::string& settings_json);
std::string SerializeAppSettings(const AppSettings& settings);

}  // namespace tessera::services
