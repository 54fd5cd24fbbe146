#include "api/user_management_handlers.h"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <ctime>

#include "api/api_support.h"
#include "api/views.h"
#include "base/json_util.h"
#include "http/form.h"
#include "services/password_policy.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

Response Error(const Status& s) { return http::ProblemResponse(s); }

constexpr size_t kMaxQueryValueBytes = 512;
constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;

// Text the database can hold: valid UTF-8 without NUL (PostgreSQL refuses both).
bool IsStorableText(std::string_view s) {
  return s.find('\0') == std::string_view::npos && services::Utf8Length(s).has_value();
}

Response UnknownUser() { return Error(NotFoundError("no such user")); }

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM), to epoch milliseconds.
std::optional<UnixMillis> ParseRfc3339(std::string_view s) {
  if (s.size() < 20 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2) || s[13] != ':' ||
      !Digits(s, 14, 2) || s[16] != ':' || !Digits(s, 17, 2)) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = Num(s, 0, 4) - 1900;
  tm.tm_mon = Num(s, 5, 2) - 1;
  tm.tm_mday = Num(s, 8, 2);
  tm.tm_hour = Num(s, 11, 2);
  tm.tm_min = Num(s, 14, 2);
  tm.tm_sec = Num(s, 17, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t millis = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 9) return std::nullopt;
    std::string frac(s.substr(start, std::min<size_t>(3, i - start)));
    while (frac.size() < 3) frac += '0';
    millis = Num(frac, 0, 3);
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (!Digits(s, i + 1, 2) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2)) {
      return std::nullopt;
    }
    int h = Num(s, i + 1, 2), m = Num(s, i + 4, 2);
    if (h > 23 || m > 59) return std::nullopt;
    offset_s = (s[i] == '+' ? 1 : -1) * (h * 3600 + m * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::time_t secs = timegm(&tm);
  return (static_cast<int64_t>(secs) - offset_s) * 1000 + millis;
}

// `since`/`until`: epoch milliseconds (digits) or an RFC 3339 date-time.
std::optional<UnixMillis> ParseTime(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ParseInt64(s);
  }
  return ParseRfc3339(s);
}

std::optional<std::string> QueryValue(const QueryParams& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end()) return std::nullopt;
  return it->second;
}

// The `tokens` member of a create answer: a grant without its user.
json::object GrantTokens(const services::TokenGrant& g) {
  return TokensView(g.access_token, g.expires_in, g.refresh_token);
}

}  // namespace

// ---------------------------------------------------------------- StrictObject

const json::value* StrictObject::Take(std::string_view name, bool required) {
  seen_.emplace_back(name);
  auto it = obj_.find(name);
  if (it == obj_.end()) {
    if (required) errors_.push_back({Field(name), "is required"});
    return nullptr;
  }
  return &it->value();
}

void StrictObject::Fail(std::string_view name, std::string message) {
  errors_.push_back({Field(name), std::move(message)});
}

std::optional<std::string> StrictObject::String(std::string_view name, bool required) {
  const json::value* v = Take(name, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Fail(name, "must be a string");
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (s.find('\0') != std::string::npos) {
    Fail(name, "must not contain NUL characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::optional<std::string>> StrictObject::NullableString(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    Fail(name, "must be a string or null");
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (s.find('\0') != std::string::npos) {
    Fail(name, "must not contain NUL characters");
    return std::nullopt;
  }
  return std::optional<std::string>(std::move(s));
}

std::optional<bool> StrictObject::Bool(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    Fail(name, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<int64_t> StrictObject::Integer(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
  Fail(name, "must be an integer");
  return std::nullopt;
}

std::optional<json::object> StrictObject::Object(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    Fail(name, "must be an object");
    return std::nullopt;
  }
  return v->as_object();
}

std::optional<std::vector<std::string>> StrictObject::StringArray(std::string_view name) {
  const json::value* v = Take(name, false);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    Fail(name, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) {
      Fail(name, "must be an array of strings");
      return std::nullopt;
    }
    std::string s(e.as_string());
    if (s.find('\0') != std::string::npos) {
      Fail(name, "must not contain NUL characters");
      return std::nullopt;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<StrictObject> StrictObject::Nested(std::string_view name) {
  auto obj = Object(name);
  if (!obj) return std::nullopt;
  return StrictObject(std::move(*obj), Field(name) + ".");
}

std::vector<FieldError> StrictObject::TakeErrors() {
  for (const auto& [key, value] : obj_) {
    if (std::find(seen_.begin(), seen_.end(), std::string_view(key)) == seen_.end()) {
      errors_.push_back({Field(key), "unknown field"});
    }
  }
  seen_.clear();
  for (const auto& [key, value] : obj_) seen_.emplace_back(key);  // reported once
  return std::move(errors_);
}

void StrictObject::Absorb(StrictObject& nested) {
  for (auto& e : nested.TakeErrors()) errors_.push_back(std::move(e));
}

Status StrictObject::Finish() {
  auto errors = TakeErrors();
  if (errors.empty()) return OkStatus();
  return ValidationError(std::move(errors));
}

std::optional<Response> ReadStrict(const Request& req, const std::function<void(StrictObject&)>& read,
                                   bool allow_empty) {
  // JsonBody decides the media type and the shape, so every API answers them alike.
  auto body = JsonBody::Parse(req, allow_empty);
  if (!body.ok()) {
    return IsUnsupportedMediaType(body.status()) ? UnsupportedMediaType() : Error(body.status());
  }
  json::object obj;
  if (!(allow_empty && req.body().empty())) {
    auto parsed = ParseJsonObject(req.body());
    if (!parsed.ok()) return Error(parsed.status());
    obj = std::move(*parsed);
  }
  StrictObject reader(std::move(obj));
  read(reader);
  Status s = reader.Finish();
  if (!s.ok()) return Error(s);
  return std::nullopt;
}

// ---------------------------------------------------------------- queries

std::optional<Response> ReadQuery(const Request& req, const std::vector<std::string_view>& known,
                                  QueryParams& out) {
  std::string_view target = req.raw.target();
  size_t q = target.find('?');
  out.clear();
  if (q == std::string_view::npos) return std::nullopt;
  auto parsed = http::ParseForm(target.substr(q + 1));
  if (!parsed.ok()) {
    return Error(InvalidArgumentError("malformed query string (a bad escape or a repeated parameter)"));
  }
  std::vector<FieldError> errors;
  for (const auto& [name, value] : *parsed) {
    if (std::find(known.begin(), known.end(), std::string_view(name)) == known.end()) {
      errors.push_back({name, "unknown query parameter"});
    } else if (!IsStorableText(value)) {
      errors.push_back({name, "must be UTF-8 text without NUL characters"});
    } else if (value.size() > kMaxQueryValueBytes) {
      errors.push_back({name, "is too long"});
    }
  }
  if (!errors.empty()) return Error(ValidationError(std::move(errors)));
  out = std::move(*parsed);
  return std::nullopt;
}

Result<int> LimitOf(const QueryParams& query, int default_limit, int max_limit) {
  auto v = QueryValue(query, "limit");
  if (!v) return default_limit;
  auto n = ParseInt64(*v);
  if (!n || *n < 1 || *n > max_limit) {
    return ValidationError(
        {{"limit", "must be an integer from 1 to " + std::to_string(max_limit)}});
  }
  return static_cast<int>(*n);
}

Result<store::AuditFilter> AuditFilterOf(const QueryParams& query) {
  store::AuditFilter f;
  std::vector<FieldError> errors;
  auto limit = LimitOf(query, kDefaultPage, kMaxPage);
  if (limit.ok()) {
    f.limit = *limit;
  } else {
    errors.push_back({"limit", limit.status().field_errors().at(0).message});
  }
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto v = QueryValue(query, name);
    if (v && v->empty()) return std::nullopt;  // `?action=` filters nothing
    return v;
  };
  f.action = text("action");
  f.actor_id = text("actor_id");
  f.subject_id = text("subject_id");
  f.cursor = text("cursor");
  for (const char* name : {"since", "until"}) {
    auto v = text(name);
    if (!v) continue;
    auto at = ParseTime(*v);
    if (!at) {
      errors.push_back({name, "must be epoch milliseconds or an RFC 3339 date-time"});
      continue;
    }
    (std::string_view(name) == "since" ? f.since : f.until) = *at;
  }
  if (f.since && f.until && *f.since > *f.until) {
    errors.push_back({"until", "must not be before since"});
  }
  if (!errors.empty()) return ValidationError(std::move(errors));
  return f;
}

Response AuditEventsResponse(services::AuditLog& audit, const store::AuditFilter& filter) {
  auto events = audit.List(filter);
  if (!events.ok()) return Error(events.status());
  json::array out;
  for (const auto& e : *events) out.push_back(AuditEventView(e));
  json::value next = nullptr;
  if (!events->empty() && events->size() == static_cast<size_t>(filter.limit)) {
    next = json::string(events->back().id);
  }
  return http::JsonResponse(200, json::object{{"events", std::move(out)}, {"next_cursor", next}});
}

bool IsPlausibleId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && IsStorableText(id);
}

Response AuthenticationFailed(const Status& status, std::string_view authorization,
                              const std::string& realm) {
  Response r = Error(status);
  if (status.code() != StatusCode::kUnauthenticated) return r;
  r.headers.clear();
  std::string challenge = "Bearer realm=\"" + realm + "\"";
  // RFC 6750 §3.1: a presented credential that failed is "invalid_token".
  if (!authorization.empty()) challenge += ", error=\"invalid_token\"";
  r.WithHeader("WWW-Authenticate", std::move(challenge));
  return r;
}

// ---------------------------------------------------------------- users

Response UserManagementHandlers::Create(const Request& req, const store::App& app,
                                        const services::Actor& actor) {
  services::SignupInput in;
  bool issue_tokens = false;
  if (auto bad = ReadStrict(req, [&](StrictObject& b) {
        in.email = b.String("email", true).value_or("");
        in.password = b.String("password").value_or("");
        in.username = b.String("username");
        in.email_verified = b.Bool("email_verified").value_or(false);
        in.profile = b.Object("profile").value_or(json::object());
        in.roles = b.StringArray("roles").value_or(std::vector<std::string>{});
        issue_tokens = b.Bool("issue_tokens").value_or(false);
      })) {
    return *bad;
  }
  auto user = users_.Create(app, std::move(in), actor);
  if (!user.ok()) return Error(user.status());
  json::object out{{"user", ManagedUserView(*user, app)}};
  if (issue_tokens) {
    // The user exists now whatever happens next; POST /users/{id}/tokens can be retried.
    auto grant = users_.IssueTokens(app, user->id, actor);
    if (!grant.ok()) return Error(grant.status());
    out["tokens"] = GrantTokens(*grant);
  }
  return http::JsonResponse(201, out);
}

Response UserManagementHandlers::List(const Request& req, const store::App& app) {
  QueryParams query;
  if (auto bad = ReadQuery(req, {"search", "cursor", "limit"}, query)) return *bad;
  auto limit = LimitOf(query, kDefaultPage, kMaxPage);
  if (!limit.ok()) return Error(limit.status());
  std::string search = QueryValue(query, "search").value_or("");  // the service bounds it
  std::optional<std::string> cursor = QueryValue(query, "cursor");
  if (cursor && cursor->empty()) cursor.reset();
  auto page = users_.List(app, search, cursor, *limit);
  if (!page.ok()) return Error(page.status());
  auto total = users_.Count(app);
  if (!total.ok()) return Error(total.status());
  json::array users;
  for (const auto& u : page->users) users.push_back(ManagedUserView(u, app));
  return http::JsonResponse(
      200, json::object{{"users", std::move(users)},
                        {"next_cursor", page->next_cursor ? json::value(*page->next_cursor)
                                                          : json::value(nullptr)},
                        {"total", *total}});
}

Response UserManagementHandlers::Get(const Request& req, const store::App& app) {
  const std::string& id = req.Param("id");
  if (!IsPlausibleId(id)) return UnknownUser();
  auto detail = users_.Get(app, id);
  if (!detail.ok()) return Error(detail.status());
  json::array sessions;
  for (const auto& s : detail->sessions) sessions.push_back(SessionView(s, false));
  return http::JsonResponse(200, json::object{{"user", ManagedUserView(detail->user, app)},
                                              {"sessions", std::move(sessions)}});
}

Response UserManagementHandlers::Update(const Request& req, const store::App& app,
                                        const services::Actor& actor) {
  const std::string& id = req.Param("id");
  services::UserPatch patch;
  if (auto bad = ReadStrict(req, [&](StrictObject& b) {
        patch.email = b.String("email");
        patch.username = b.NullableString("username");
        patch.email_verified = b.Bool("email_verified");
        patch.disabled = b.Bool("disabled");
        patch.roles = b.StringArray("roles");
        patch.profile_patch = b.Object("profile");
      })) {
    return *bad;
  }
  if (!IsPlausibleId(id)) return UnknownUser();
  auto user = users_.Update(app, id, patch, actor);
  if (!user.ok()) return Error(user.status());
  return http::JsonResponse(200, ManagedUserView(*user, app));
}

Response UserManagementHandlers::Delete(const Request& req, const store::App& app,
                                        const services::Actor& actor) {
  const std::string& id = req.Param("id");
  if (!IsPlausibleId(id)) return UnknownUser();
  Status s = users_.Delete(app, id, actor);
  return s.ok() ? http::NoContent() : Error(s);
}

Response UserManagementHandlers::IssueTokens(const Request& req, const store::App& app,
                                             const services::Actor& actor) {
  const std::string& id = req.Param("id");
  if (auto bad = ReadStrict(req, [](StrictObject&) {}, /*allow_empty=*/true)) return *bad;
  if (!IsPlausibleId(id)) return UnknownUser();
  auto grant = users_.IssueTokens(app, id, actor);
  if (!grant.ok()) return Error(grant.status());
  return TokenGrantResponse(app, *grant);
}

Response UserManagementHandlers::SignOutEverywhere(const Request& req, const store::App& app,
                                                   const services::Actor& actor) {
  const std::string& id = req.Param("id");
  if (!IsPlausibleId(id)) return UnknownUser();
  auto n = users_.SignOutEverywhere(app, id, actor);
  if (!n.ok()) return Error(n.status());
  return http::JsonResponse(200, json::object{{"revoked", *n}});
}

Response UserManagementHandlers::SendPasswordReset(const Request& req, const store::App& app,
                                                   const services::Actor& actor) {
  const std::string& id = req.Param("id");
  if (auto bad = ReadStrict(req, [](StrictObject&) {}, /*allow_empty=*/true)) return *bad;
  if (!IsPlausibleId(id)) return UnknownUser();
  Status s = users_.SendPasswordReset(app, id, actor);
  if (!s.ok()) return Error(s);
  return http::JsonResponse(202, json::object{{"status", "accepted"}});
}

}  // namespace tessera::api
