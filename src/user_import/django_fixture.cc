#include "user_import/django_fixture.h"

#include <boost/json.hpp>
#include <charconv>
#include <ctime>

#include "accounts/profile.h"

namespace tessera::services {
namespace json = boost::json;
namespace {


// A primary key as text: Django's are integers, UUIDs or strings.
std::optional<std::string> KeyText(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_string() && !v.as_string().empty()) return std::string(v.as_string());
  return std::nullopt;
}

std::string SourceKey(std::string_view model, std::string_view pk) {
  return "django:" + std::string(model) + ":" + std::string(pk);
}

std::optional<std::string> String(const json::object& f, std::string_view name) {
  auto it = f.find(name);
  if (it == f.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

std::optional<bool> Bool(const json::object& f, std::string_view name) {
  auto it = f.find(name);
  if (it == f.end() || !it->value().is_bool()) return std::nullopt;
  return it->value().as_bool();
}

// A model field's value as a claim's: strings as they are (a relative file path gets the
// media URL), numbers as text, an address as {"formatted": …}; "" and null say nothing.
std::optional<json::value> ClaimValue(const DjangoImportMapping& m, std::string_view claim,
                                      const json::value& v) {
  std::string text;
  if (v.is_string()) text = std::string(v.as_string());
  else if (v.is_int64()) text = std::to_string(v.as_int64());
  else if (v.is_double()) text = json::serialize(v);
  else return std::nullopt;
  if (text.empty()) return std::nullopt;
  if ((claim == "picture" || claim == "website") && text.find("://") == std::string::npos &&
      !m.media_url.empty()) {
    text = m.media_url + text;
  }
  if (claim == "address") return json::value(json::object{{"formatted", text}});
  return json::value(text);
}

void AddUser(const DjangoImportMapping& m, const JsonRecord& r, const std::string& pk,
             const json::object& f, ImportBatch& batch, ImportSummary& summary) {
  ImportedUser u;
  u.source_key = SourceKey(m.user_model, pk);
  u.line = r.line;
  u.email = String(f, "email").value_or("");
  u.username = String(f, "username");
  if (u.username && u.username->find('@') != std::string::npos &&
      u.username == u.email) {
    u.username.reset();  // USERNAME_FIELD = email stored twice: the email is the login
  }
  u.password_hash = String(f, "password");
  u.disabled = !Bool(f, "is_active").value_or(true);
  if (!u.username) u.username = "";  // a user model without one: no username
  if (!u.password_hash) u.password_hash = "";  // Django always has one; "" is unusable
  for (const auto& [field, role] : m.roles) {
    u.managed_roles.push_back(role);
    if (Bool(f, field).value_or(false)) u.roles.push_back(role);
  }
  auto first = String(f, "first_name").value_or(""), last = String(f, "last_name").value_or("");
  if (!first.empty()) u.profile["given_name"] = first;
  if (!last.empty()) u.profile["family_name"] = last;
  std::string name = first + (first.empty() || last.empty() ? "" : " ") + last;
  if (!name.empty()) u.profile["name"] = name;
  if (auto t = String(f, "date_joined")) u.created_at = ParseDjangoDateTime(*t);
  if (auto t = String(f, "last_login")) u.last_login_at = ParseDjangoDateTime(*t);
  (void)summary;
  batch.users.push_back(std::move(u));
}

// The user a dependent record names by its foreign key; nullopt (and a skip) when it names
// none or by a natural key.
std::optional<std::string> UserKeyOf(const DjangoImportMapping& m, const JsonRecord& r,
                                     const std::string& what, const json::object& f,
                                     std::string_view field, ImportSummary& summary) {
  auto it = f.find(field);
  if (it == f.end() || it->value().is_null()) {
    summary.Skip(r.line, what, "it has no " + std::string(field));
    return std::nullopt;
  }
  if (it->value().is_array()) {
    summary.Skip(r.line, what, "it names its user by a natural key: dump without --natural-foreign");
    return std::nullopt;
  }
  auto pk = KeyText(it->value());
  if (!pk) {
    summary.Skip(r.line, what, "its " + std::string(field) + " is not a key");
    return std::nullopt;
  }
  return SourceKey(m.user_model, *pk);
}

// A token model's record: its key (the primary key or a field), its user, created and expiry.
void AddToken(const DjangoImportMapping& m, const JsonRecord& r, const std::string& model,
              const std::optional<std::string>& pk, const json::object& f,
              const DjangoImportMapping::TokenModel& spec, ImportBatch& batch,
              ImportSummary& summary) {
  std::string what = model + (pk && spec.key_field != "pk" ? " pk " + *pk : "");
  auto user = UserKeyOf(m, r, what, f, spec.user_field, summary);
  if (!user) return;
  std::optional<std::string> key = spec.key_field == "pk" ? pk : String(f, spec.key_field);
  if (!key || key->empty()) return summary.Skip(r.line, what, "it has no key (" + spec.key_field + ")");
  ImportedToken t{.user_source_key = *user, .line = r.line, .source = model, .key = *key};
  if (auto c = String(f, spec.created_field)) t.created_at = ParseDjangoDateTime(*c);
  if (!spec.expires_field.empty()) {
    auto it = f.find(spec.expires_field);
    if (it != f.end() && !it->value().is_null()) {  // null: this one does not expire
      auto e = it->value().is_string() ? ParseDjangoDateTime(it->value().as_string())
                                       : std::nullopt;
      if (!e) return summary.Skip(r.line, what, "its " + spec.expires_field + " is not a datetime");
      t.expires_at = e;
    }
  }
  batch.tokens.push_back(std::move(t));
}

}  // namespace

void AddDjangoRecord(const DjangoImportMapping& m, const JsonRecord& r, ImportBatch& batch,
                     ImportSummary& summary) {
  summary.records++;
  if (!r.object) {
    summary.Skip(r.line, "record", r.error);
    return;
  }
  const json::object& o = *r.object;
  auto model_it = o.find("model");
  auto fields_it = o.find("fields");
  if (model_it == o.end() || !model_it->value().is_string() || fields_it == o.end() ||
      !fields_it->value().is_object()) {
    summary.Skip(r.line, "record", "not a Django fixture record (no \"model\" and \"fields\")");
    return;
  }
  std::string model(model_it->value().as_string());
  const json::object& f = fields_it->value().as_object();
  auto pk_it = o.find("pk");
  std::optional<std::string> pk = pk_it == o.end() ? std::nullopt : KeyText(pk_it->value());
  std::string what = model + (pk ? " pk " + *pk : "");
  if (model == m.user_model) {
    if (!pk) return summary.Skip(r.line, what, "it has no pk: dump without --natural-primary");
    return AddUser(m, r, *pk, f, batch, summary);
  }
  if (model == "account.emailaddress") {
    auto user = UserKeyOf(m, r, what, f, "user", summary);
    auto email = String(f, "email");
    if (!user || !email) return;
    ImportedUserPatch p{.user_source_key = *user, .line = r.line, .what = model};
    if (Bool(f, "primary").value_or(false)) {
      p.email = email;
      p.email_verified = Bool(f, "verified").value_or(false);
    } else if (Bool(f, "verified").value_or(false)) {
      p.verified_email = email;  // counts only if it is the user's address
    }
    batch.patches.push_back(std::move(p));
    return;
  }
  if (auto spec = m.tokens.find(model); spec != m.tokens.end()) {
    return AddToken(m, r, model, pk, f, spec->second, batch, summary);
  }
  if (auto profile = m.profiles.find(model); profile != m.profiles.end()) {
    auto user = UserKeyOf(m, r, what, f, profile->second.user_field, summary);
    if (!user) return;
    ImportedUserPatch p{.user_source_key = *user, .line = r.line, .what = model};
    for (const auto& [field, claim] : profile->second.fields) {
      auto it = f.find(field);
      if (it == f.end()) continue;
      if (auto v = ClaimValue(m, claim, it->value())) p.profile[claim] = std::move(*v);
    }
    batch.patches.push_back(std::move(p));
    return;
  }
  summary.ignored_models[model]++;
}

std::optional<UnixMillis> ParseDjangoDateTime(std::string_view s) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return ec == std::errc() && p == s.data() + pos + len;
  };
  if (!num(0, 4, y) || s.size() < 10 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' ||
      !num(8, 2, d)) {
    return std::nullopt;
  }
  size_t pos = 10;
  int64_t millis = 0, offset_s = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!num(pos + 1, 2, h) || s.size() < pos + 9 || s[pos + 3] != ':' || !num(pos + 4, 2, mi) ||
        s[pos + 6] != ':' || !num(pos + 7, 2, sec)) {
      return std::nullopt;
    }
    pos += 9;
    if (pos < s.size() && s[pos] == '.') {
      size_t digits = 0;
      for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos) {
        if (digits++ < 3) millis = millis * 10 + (s[pos] - '0');
      }
      for (; digits < 3; ++digits) millis *= 10;
    }
    if (pos < s.size() && s[pos] == 'Z') {
      ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      int oh = 0, om = 0;
      if (!num(pos + 1, 2, oh) || s.size() < pos + 6 || s[pos + 3] != ':' || !num(pos + 4, 2, om)) {
        return std::nullopt;
      }
      offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
      pos += 6;
    }
  }
  if (pos != s.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
  tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  int64_t t = timegm(&tm);
  return (t - offset_s) * 1000 + millis;
}

Result<DjangoImportMapping> DjangoImportMapping::FromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return InvalidArgumentError("the mapping file is not a JSON object");
  DjangoImportMapping m;
  auto bad = [](std::string what) { return InvalidArgumentError("mapping: " + what); };
  for (const auto& [key, value] : v.as_object()) {
    if (key == "user_model" && value.is_string()) {
      m.user_model = std::string(value.as_string());
    } else if (key == "media_url" && value.is_string()) {
      m.media_url = std::string(value.as_string());
    } else if (key == "roles" && value.is_object()) {
      m.roles.clear();
      for (const auto& [field, role] : value.as_object()) {
        if (!role.is_string() || role.as_string().empty()) return bad("roles." + std::string(field) + " must be a role name");
        m.roles[std::string(field)] = std::string(role.as_string());
      }
    } else if (key == "profiles" && value.is_object()) {
      for (const auto& [model, spec] : value.as_object()) {
        if (!spec.is_object()) return bad("profiles." + std::string(model) + " must be an object");
        Profile p;
        for (const auto& [k, pv] : spec.as_object()) {
          if (k == "user" && pv.is_string()) {
            p.user_field = std::string(pv.as_string());
          } else if (k == "fields" && pv.is_object()) {
            for (const auto& [field, claim] : pv.as_object()) {
              if (!claim.is_string() || !IsProfileField(claim.as_string())) {
                return bad("profiles." + std::string(model) + ".fields." + std::string(field) +
                           " must name a profile claim (name, given_name, family_name, "
                           "middle_name, nickname, picture, website, gender, birthdate, "
                           "zoneinfo, locale, phone_number, address, about)");
              }
              p.fields[std::string(field)] = std::string(claim.as_string());
            }
          } else {
            return bad("profiles." + std::string(model) + "." + std::string(k) + " is not known");
          }
        }
        m.profiles[std::string(model)] = std::move(p);
      }
    } else if (key == "tokens" && value.is_object()) {
      for (const auto& [model, spec] : value.as_object()) {
        if (!spec.is_object()) return bad("tokens." + std::string(model) + " must be an object");
        TokenModel t;
        for (const auto& [k, tv] : spec.as_object()) {
          if (!tv.is_string() || tv.as_string().empty()) {
            return bad("tokens." + std::string(model) + "." + std::string(k) + " must be a field name");
          }
          std::string field(tv.as_string());
          if (k == "user") t.user_field = field;
          else if (k == "key") t.key_field = field;
          else if (k == "created") t.created_field = field;
          else if (k == "expires") t.expires_field = field;
          else return bad("tokens." + std::string(model) + "." + std::string(k) + " is not known");
        }
        m.tokens[std::string(model)] = std::move(t);
      }
    } else {
      return bad("\"" + std::string(key) + "\" is not known or has the wrong type");
    }
  }
  return m;
}

}  // namespace tessera::services

namespace tessera::services {

Result<ImportSummary> ImportDjangoFixtures(UserImportService& service, const store::App& app,
                                           const DjangoImportMapping& mapping,
                                           const std::vector<std::istream*>& inputs,
                                           const ImportOptions& options) {
  ImportRun run(service, app, options);
  for (std::istream* in : inputs) {
    TESSERA_ASSIGN_OR_RETURN(bool read_to_end, run.ReadJsonRecords(*in, [&](const JsonRecord& r) {
      AddDjangoRecord(mapping, r, run.batch(), run.summary());
    }));
    if (!read_to_end) break;
  }
  return run.Finish();
}

}  // namespace tessera::services
