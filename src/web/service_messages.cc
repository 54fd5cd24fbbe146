#include "web/service_messages.h"

#include <optional>
#include <unordered_map>

namespace tessera::web {
namespace {

// A service's sentence, word for word as the service writes it, and its message.
struct Exact {
  std::string_view english;
  std::string_view key;
};

constexpr Exact kExact[] = {
    // accounts/account_service.cc, sign_in_rules.{h,cc}, login_throttle.cc
    {"invalid credentials", "errors.invalid_credentials"},
    {"this account is disabled", "errors.account_disabled"},
    {"signup is closed for this app", "errors.signup_closed"},
    {"must be a valid email address", "errors.email_invalid"},
    {"is already registered", "errors.email_registered"},
    {"is already taken", "errors.already_taken"},
    {"an account with this email exists", "errors.account_email_exists"},
    {"an account with this username exists", "errors.account_username_exists"},
    {"this username is taken", "errors.username_is_taken"},
    {"is incorrect", "errors.is_incorrect"},
    {"too many wrong attempts, try again later", "errors.too_many_wrong_attempts"},
    {"Too many wrong passwords.", "errors.too_many_wrong_passwords"},
    {"Too many failed sign-in attempts.", "errors.too_many_sign_in_attempts"},
    {"Too many failed code entries.", "errors.too_many_code_entries"},
    {"Too many failed device authorizations.", "errors.too_many_device_authorizations"},
    {"Verify your email address first: use the link we sent you, or ask for a new one.",
     "errors.verify_address_first"},
    // accounts/identity_rules.cc (usernames)
    {"must be 3-64 characters", "errors.username_length"},
    {"must start with a letter or digit", "errors.username_start"},
    {"may contain only letters, digits, '.', '_' and '-'", "errors.username_characters"},
    // accounts/password_policy.cc, accounts/profile.cc, mfa/factor_service.cc (names)
    {"must be valid UTF-8", "errors.valid_utf8"},
    {"is too common; choose a less predictable password", "errors.password_too_common"},
    {"must not be your email address", "errors.password_is_email"},
    {"must not be your username", "errors.password_is_username"},
    {"must not be one repeated character", "errors.password_one_character"},
    {"must not contain control characters", "errors.control_characters"},
    {"must be an http(s) URL", "errors.http_url"},
    {"must be a phone number (digits, spaces, + - ( ) .)", "errors.phone_number"},
    {"must be YYYY-MM-DD, YYYY or 0000-MM-DD", "errors.birthdate"},
    {"must be a time zone name such as Europe/Paris", "errors.time_zone"},
    {"must be an object or null", "errors.object_or_null"},
    {"unknown field", "errors.unknown_field"},
    {"must be a string or null", "errors.string_or_null"},
    {"must be valid text", "errors.valid_text"},
    {"must not be empty", "errors.not_empty"},
    // email_flows/: links, codes, address changes, the mail rate limit
    {"This link has already been used (or a newer one was sent).", "errors.link_used"},
    {"This link has expired.", "errors.link_expired"},
    {"This link is not valid.", "errors.link_invalid"},
    {"Sign in and ask for a new verification email.", "errors.link_again_verification"},
    {"Ask for the change again from your account.", "errors.link_again_change"},
    {"Ask for a new password reset link.", "errors.link_again_reset"},
    {"Ask for a new sign-in link.", "errors.link_again_sign_in"},
    {"address changed", "errors.address_changed"},
    {"is already your email address", "errors.already_your_email"},
    {"This address is now used by another account.", "errors.address_used_by_another"},
    {"sign-in links are not enabled for this app", "errors.sign_in_links_disabled"},
    {"sign-in codes are not enabled for this app", "errors.sign_in_codes_disabled"},
    {"This link is not valid anymore.", "errors.link_not_valid_anymore"},
    {"Ask for a new one.", "errors.ask_for_new_one"},
    {"invalid or expired code", "errors.invalid_or_expired_code"},
    {"That code is not right.", "errors.code_not_right"},
    {"Check the latest email and try again.", "errors.check_latest_email"},
    {"This code can no longer be used.", "errors.code_no_longer_usable"},
    {"Too many emails requested.", "errors.too_many_emails"},
    // mfa/: second factors and passkeys
    {"Try the current code again.", "errors.try_current_code"},
    {"That recovery code is not right.", "errors.recovery_code_not_right"},
    {"That recovery code is not right, or was used already.",
     "errors.recovery_code_not_right_or_used"},
    {"this sign-in has expired: start again", "errors.sign_in_expired_start_again"},
    {"passkeys are not available", "errors.passkeys_not_available"},
    {"a passkey was your first step: verify it with your screen lock, or use another way",
     "errors.passkey_was_first_step"},
    {"no enrolment is asked for", "errors.no_enrolment_asked"},
    {"this app does not offer authenticator apps", "errors.totp_not_offered"},
    {"an account may have at most 20 second factors", "errors.too_many_factors"},
    {"no such enrolment", "errors.no_such_enrolment"},
    {"no such enrolment: start again", "errors.no_such_enrolment_start_again"},
    {"does not match: check the time on your device and type the current code",
     "errors.totp_mismatch"},
    {"no such factor", "errors.no_such_factor"},
    {"sign in again first: changing your second factors needs a sign-in within the last 15 "
     "minutes",
     "errors.recent_sign_in_needed"},
    {"add a second factor first", "errors.add_second_factor_first"},
    {"this passkey request has expired: try again", "errors.passkey_request_expired"},
    {"this app does not offer passkeys", "errors.passkeys_not_offered"},
    {"this passkey request is not yours", "errors.passkey_request_not_yours"},
    {"this passkey is registered already", "errors.passkey_registered_already"},
    {"that passkey could not sign you in here", "errors.passkey_refused"},
    {"this passkey's sign counter went back (a copied authenticator?): use another way to sign "
     "in",
     "errors.passkey_counter_copied"},
    {"the passkey's signature is not valid", "errors.passkey_signature_invalid"},
    {"the passkey's sign counter went back: it may have been cloned",
     "errors.passkey_counter_cloned"},
    // oauth/device_authorization_service.cc (the device page)
    {"That code is not valid.", "errors.device_code_not_valid"},
    {"Check the code on your device and try again.", "errors.device_code_check"},
    {"This code was already used or has expired.", "errors.device_code_used"},
    // federation/federated_sign_in.cc
    {"no such sign-in provider", "errors.no_such_provider"},
    {"this sign-in has expired or was already used; please start again",
     "errors.federation_expired"},
    {"this sign-in was started in another browser or with another provider; please start again",
     "errors.federation_other_browser"},
    {"no such link", "errors.no_such_link"},
    {"this link has expired; please sign in again", "errors.link_expired_sign_in_again"},
    {"is not this account's password", "errors.not_this_accounts_password"},
    {"this server sends no mail", "errors.no_mail"},
    {"this link has expired or was used; please sign in again", "errors.link_expired_or_used"},
    {"this link works only in the browser where you asked for it; open it there",
     "errors.link_other_browser"},
    {"invalid, expired or used code", "errors.invalid_expired_or_used_code"},
    {"no such linked identity", "errors.no_such_linked_identity"},
    {"this is your only way to sign in; set a password first, then unlink it",
     "errors.only_way_in"},
};

// A sentence with one variable part: `prefix` <value> `suffix`; the value is the message's
// argument `arg` (decimal digits only when `digits`).
struct Pattern {
  std::string_view prefix;
  std::string_view suffix;
  std::string_view key;
  std::string_view arg;
  bool digits;
};

constexpr Pattern kPatterns[] = {
    // accounts/login_throttle.cc TryAgainIn, email_flows/mail_rate_limiter.cc
    {"Try again in ", " minute.", "errors.try_again_in_minutes", "count", true},
    {"Try again in ", " minutes.", "errors.try_again_in_minutes", "count", true},
    // accounts/password_policy.cc, accounts/profile.cc, mfa/factor_service.cc
    {"must be at least ", " characters", "errors.at_least_chars", "count", true},
    {"must be at most ", " characters", "errors.at_most_chars", "count", true},
    // federation/federated_sign_in.cc: the provider's display name
    {"sign-in with ", " has been turned off for this app", "errors.provider_turned_off",
     "provider", false},
    {"this ", " account is already linked to another account",
     "errors.provider_account_linked_elsewhere", "provider", false},
    {"an account with this email address exists, but its address is not confirmed, so ",
     " cannot be linked to it; sign in with its password instead",
     "errors.provider_unconfirmed_account", "provider", false},
    {"there is no account for this ", " account, and signing up with it is not open",
     "errors.provider_no_account", "provider", false},
    {"", " did not share a usable email address; add a verified address there, or sign up with "
         "your email address",
     "errors.provider_no_email", "provider", false},
    {"this account is already linked to another ", " account; unlink that one first",
     "errors.account_linked_other_provider", "provider", false},
};

const std::unordered_map<std::string_view, std::string_view>& ExactTable() {
  static const auto* const table = [] {
    auto* map = new std::unordered_map<std::string_view, std::string_view>();
    map->reserve(std::size(kExact));
    for (const Exact& e : kExact) map->emplace(e.english, e.key);
    return map;
  }();
  return *table;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         s.find_first_not_of("0123456789") == std::string_view::npos;
}

// One sentence (or field rule) in t's language, when it is a known one.
std::optional<std::string> Known(const i18n::Texts& t, std::string_view english) {
  const auto& table = ExactTable();
  if (auto it = table.find(english); it != table.end()) return t(it->second);
  for (const Pattern& p : kPatterns) {
    if (english.size() <= p.prefix.size() + p.suffix.size() || !english.starts_with(p.prefix) ||
        !english.ends_with(p.suffix)) {
      continue;
    }
    std::string_view value =
        english.substr(p.prefix.size(), english.size() - p.prefix.size() - p.suffix.size());
    if (p.digits && !AllDigits(value)) continue;
    return t(p.key, {{std::string(p.arg), std::string(value)}});
  }
  return std::nullopt;
}

}  // namespace

std::string ServiceText(const i18n::Texts& t, std::string_view english) {
  if (english.empty()) return "";
  if (auto known = Known(t, english)) return std::move(*known);
  // Several sentences ("This link has expired. Ask for a new password reset link."): each a
  // known one, or the whole stays as it is.
  std::string out;
  size_t start = 0;
  bool several = false;
  while (start < english.size()) {
    size_t stop = english.find(". ", start);
    std::string_view sentence =
        english.substr(start, stop == std::string_view::npos ? std::string_view::npos
                                                             : stop + 1 - start);
    if (stop != std::string_view::npos) several = true;
    if (!several) break;  // one sentence, and not a known one
    auto known = Known(t, sentence);
    if (!known) return std::string(english);
    if (!out.empty()) out += ' ';
    out += *known;
    if (stop == std::string_view::npos) break;
    start = stop + 2;
  }
  return several ? out : std::string(english);
}

std::vector<std::string_view> ServiceTextKeys() {
  std::vector<std::string_view> keys;
  for (const Exact& e : kExact) keys.push_back(e.key);
  for (const Pattern& p : kPatterns) keys.push_back(p.key);
  return keys;
}

}  // namespace tessera::web
