#include "web/console_common.h"

namespace tessera::web::console {

std::string FormatTime(const std::optional<int64_t>& ms, std::string_view none) {
  return ms && *ms > 0 ? FormatTime(*ms) : std::string(none);
}

std::string Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line = Trim(text.substr(pos, end - pos));
    if (!line.empty()) out.push_back(std::move(line));
    pos = end + 1;
  }
  return out;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '\n' || c == '\r' || c == '\t') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string Field(const Form& form, const std::string& name, size_t max) {
  std::string v = Trim(http::FormValue(form, name));
  if (v.size() > max) v.resize(max);
  return v;
}

bool Checked(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it != form.end() && !it->second.empty();
}

std::optional<int64_t> WholeNumber(std::string_view text) {
  std::string t = Trim(text);
  if (t.empty()) return 0;
  if (t.size() > 12 || t.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(t);
}

namespace {

// An API field path as a page names it: "profile.website" → "Website", "grant_types" →
// "Grant types" (pages never show field paths).
std::string FieldInWords(std::string_view field) {
  std::string_view last = field.substr(field.find_last_of('.') + 1);
  if (auto bracket = last.find('['); bracket != std::string_view::npos) last = last.substr(0, bracket);
  std::string out(last);
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace

std::vector<std::string> SetFieldErrors(PageData& d, const std::vector<FieldError>& errors,
                                        const std::vector<std::string_view>& fields) {
  std::map<std::string, std::string> by_field;
  std::vector<std::string> others;
  for (const auto& e : errors) {
    bool known = false;
    for (auto f : fields) known = known || e.field == f;
    if (!known) {
      others.push_back(e.field.empty() ? e.message : FieldInWords(e.field) + ": " + e.message);
      continue;
    }
    std::string& m = by_field[e.field];
    m += (m.empty() ? "" : "; ") + e.message;
  }
  for (auto& [field, message] : by_field) {
    std::string text = message;
    if (!text.empty())
      text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    d.set(field + "_error", text);
  }
  return others;
}

std::vector<std::string> SetFieldErrors(PageData& d, const Status& s,
                                        const std::vector<std::string_view>& fields) {
  return SetFieldErrors(d, s.field_errors(), fields);
}

namespace {

struct Notice {
  std::string_view key;
  std::string_view text;
  bool error = false;
};

constexpr Notice kNotices[] = {
    {"created",
     "Your app is ready. Next: create an API key for your backend, or an OAuth client for "
     "sign-in."},
    {"settings", "Settings saved. The hosted pages show them within a few seconds."},
    {"texts", "Texts saved. The hosted pages and emails use them within a few seconds."},
    {"key-revoked", "The API key was revoked: requests made with it now fail."},
    {"key-missing", "That API key was already revoked.", true},
    {"client-saved", "The client was saved."},
    {"client-created", "The client was created."},
    {"client-revoked", "The client was revoked: it can no longer sign users in or get tokens."},
    {"registration-token-revoked",
     "The registration token was revoked: it can no longer register clients. Clients it "
     "registered keep working."},
    {"registration-token-missing", "That registration token was already revoked.", true},
    {"provider-deleted",
     "The sign-in provider was deleted, with every user’s link to it: its button is gone from "
     "the sign-in page."},
    {"user-disabled", "The user was disabled and signed out everywhere."},
    {"user-enabled", "The user was enabled: they can sign in again."},
    {"user-signed-out", "The user was signed out of every session."},
    {"mfa-reset", "Two-step verification was reset: the user signs in with their first factor and may set it up again."},
    {"reset-sent", "A password-reset link is on its way to the user."},
    {"user-deleted", "The user and everything of theirs were deleted."},
    {"invitation-sent", "The invitation was sent: they become a member when they accept it."},
    {"invitation-revoked", "The invitation was revoked."},
    {"invitation-accepted", "Welcome: you are a member of this app now."},
    {"invitation-declined", "The invitation was declined."},
    {"already-member", "You are a member of that app already.", true},
    {"member-removed", "The member was removed."},
    {"member-left", "You left the app."},
    {"app-disabled", "The app was disabled: its pages and APIs answer 404 now."},
    {"app-enabled", "The app was enabled again."},
    {"console-app", "The console app itself cannot be disabled here.", true},
};

}  // namespace

std::optional<std::string> QueryText(const http::QueryParams& query, const std::string& name,
                                     size_t max) {
  std::string v = Trim(http::FormValue(query, name));
  if (v.empty()) return std::nullopt;
  if (v.size() > max) v.resize(max);
  return v;
}

void SetNotice(PageData& d, const http::QueryParams& query) {
  std::string done = http::FormValue(query, "done");
  for (const auto& n : kNotices) {
    if (n.key == done) d.set(n.error ? "error" : "notice", std::string(n.text));
  }
}

std::string QueryString(std::initializer_list<std::pair<std::string_view, std::string>> params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out += (out.empty() ? "?" : "&") + std::string(k) + "=" + http::FormEncode(v);
  }
  return out;
}

PageData List() { return PageData(PageData::type::list); }

}  // namespace tessera::web::console
