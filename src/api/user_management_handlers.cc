#include "api/user_management_handlers.h"

#include "api/mfa_api.h"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <ctime>

#include "api/api_support.h"
#include "api/views.h"
#include "base/utf8.h"
#include "http/json_body.h"
#include "http/query.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

Response Error(const Status& s) { return http::ProblemResponse(s); }

// A body that may be empty, or {} (the POSTs that take no members).
constexpr http::JsonBodyRules kEmptyBody{.allow_empty = true};
constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;

Response UnknownUser() { return Error(NotFoundError("no such user")); }

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
    return http::ParseInt64(s);
  }
  return ParseRfc3339(s);
}


// The `tokens` member of a create answer: a grant without its user.
json::object GrantTokens(const services::TokenGrant& g) {
  return TokensView(g.access_token, g.expires_in, g.refresh_token);
}

}  // namespace

Result<store::AuditFilter> AuditFilterOf(const http::QueryParams& query) {
  store::AuditFilter f;
  std::vector<FieldError> errors;
  auto limit = http::LimitOf(query, kDefaultPage, kMaxPage);
  if (limit.ok()) {
    f.limit = *limit;
  } else {
    errors.push_back({"limit", limit.status().field_errors().at(0).message});
  }
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto v = http::QueryValue(query, name);
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
  if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
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
  auto query = http::ReadKnownQuery(req, {"search", "cursor", "limit"});
  if (!query.ok()) return Error(query.status());
  auto limit = http::LimitOf(*query, kDefaultPage, kMaxPage);
  if (!limit.ok()) return Error(limit.status());
  std::string search = http::QueryValue(*query, "search").value_or("");  // the service bounds it
  std::optional<std::string> cursor = http::QueryValue(*query, "cursor");
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
  if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
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
  if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, kEmptyBody)) return *bad;
  if (!IsPlausibleId(id)) return UnknownUser();
  auto grant = users_.IssueTokens(app, id, actor);
  if (!grant.ok()) return Error(grant.status());
  return TokenGrantResponse(app, *grant);
}

Response UserManagementHandlers::SignOutEverywhere(const Request& req, const store::App& app,
                                                   const services::Actor& actor) {
  const std::string& id = req.Param("id");
  if (!IsPlausibleId(id)) return UnknownUser();
  auto ended = users_.SignOutEverywhere(app, id, actor);
  if (!ended.ok()) return Error(ended.status());
  return http::JsonResponse(200, json::object{{"sessions_ended", ended->sessions},
                                              {"api_tokens_revoked", ended->api_tokens},
                                              {"revoked", ended->sessions}});
}

Response UserManagementHandlers::Factors(const Request& req, const store::App& app) {
  const std::string& id = req.Param("id");
  if (!factors_ || !IsPlausibleId(id)) return UnknownUser();
  auto detail = users_.Get(app, id);
  if (!detail.ok()) return Error(detail.status());
  auto factors = factors_->ListFactors(app, id);
  if (!factors.ok()) return Error(factors.status());
  auto left = factors_->RecoveryCodesLeft(app, id);
  if (!left.ok()) return Error(left.status());
  json::array list;
  for (const auto& f : *factors) list.push_back(FactorView(f));
  return http::JsonResponse(200, json::object{{"factors", std::move(list)},
                                              {"recovery_codes_left", *left}});
}

Response UserManagementHandlers::ResetFactors(const Request& req, const store::App& app,
                                              const services::Actor& actor) {
  const std::string& id = req.Param("id");
  if (!factors_ || !IsPlausibleId(id)) return UnknownUser();
  auto detail = users_.Get(app, id);
  if (!detail.ok()) return Error(detail.status());
  auto removed = factors_->Reset(app, detail->user, actor);
  if (!removed.ok()) return Error(removed.status());
  return http::JsonResponse(200, json::object{{"factors_removed", *removed}});
}

Response UserManagementHandlers::SendPasswordReset(const Request& req, const store::App& app,
                                                   const services::Actor& actor) {
  const std::string& id = req.Param("id");
  if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, kEmptyBody)) return *bad;
  if (!IsPlausibleId(id)) return UnknownUser();
  Status s = users_.SendPasswordReset(app, id, actor);
  if (!s.ok()) return Error(s);
  return http::JsonResponse(202, json::object{{"status", "accepted"}});
}

}  // namespace tessera::api
