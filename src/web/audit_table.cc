#include "web/audit_table.h"

#include <cctype>

#include <boost/json.hpp>

#include "base/time_format.h"
#include "base/time_zone.h"
#include "web/display_text.h"
#include "web/console_common.h"

namespace tessera::web {
namespace {

using namespace console;
namespace json = boost::json;

constexpr int kAuditPerPage = 50;
// With an outcome filter (which the log's query does not take) the page scans at most this
// many batches of 200 events for its 50 rows; "Older" goes on from where it stopped.
constexpr int kOutcomeScanBatches = 5;
constexpr int kScanBatch = 200;

struct Period {
  std::string_view key;
  std::string_view label;
  int64_t ms;
};
constexpr Period kPeriods[] = {{"1h", "Last hour", 3600LL * 1000},
                               {"24h", "Last 24 hours", 24LL * 3600 * 1000},
                               {"7d", "Last 7 days", 7LL * 24 * 3600 * 1000},
                               {"30d", "Last 30 days", 30LL * 24 * 3600 * 1000}};

std::string_view ActorKind(const store::AuditEvent& e) {
  switch (e.actor_type) {
    case store::AuditActorType::kSystem: return "Tessera";
    case store::AuditActorType::kUser: return "User";
    case store::AuditActorType::kAnonymous: return "Not signed in";
    case store::AuditActorType::kClient: return "OAuth client";
    case store::AuditActorType::kDeveloper: return "Developer";
    case store::AuditActorType::kAdmin: return e.actor_id == "cli" ? "Command line" : "Operator";
    case store::AuditActorType::kApiKey: return "API key";
  }
  return "";
}

std::string_view SubjectKind(store::AuditSubjectType t) {
  switch (t) {
    case store::AuditSubjectType::kNone: return "";
    case store::AuditSubjectType::kUser: return "User";
    case store::AuditSubjectType::kSession: return "Session";
    case store::AuditSubjectType::kApiToken: return "Personal token";
    case store::AuditSubjectType::kOAuthClient: return "OAuth client";
    case store::AuditSubjectType::kApp: return "App";
    case store::AuditSubjectType::kAppApiKey: return "API key";
    case store::AuditSubjectType::kDeveloper: return "Member";
    case store::AuditSubjectType::kSigningKey: return "Signing key";
    case store::AuditSubjectType::kIdentityProvider: return "Sign-in provider";
    case store::AuditSubjectType::kInitialAccessToken: return "Registration token";
    case store::AuditSubjectType::kWebhookEndpoint: return "Webhook endpoint";
  }
  return "";
}

// A code such as "unknown_account" or "display_name" in words; other text as it is.
std::string CodeInWords(std::string_view text) {
  const bool code = !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") ==
                                         std::string_view::npos;
  std::string out(text);
  if (code) {
    for (char& c : out) {
      if (c == '_') c = ' ';
    }
  }
  return out;
}

std::string ValueText(const json::value& v) {
  if (v.is_string()) return CodeInWords(std::string_view(v.get_string()));
  if (v.is_bool()) return v.get_bool() ? "yes" : "no";
  if (v.is_null()) return "none";
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const auto& item : v.get_array()) items.push_back(ValueText(item));
    return Join(items, ", ");
  }
  if (v.is_object()) return "…";
  return json::serialize(v);
}

// An id too long to read, cut for display (the whole id is in the title).
std::string ShortId(const std::string& id) {
  return id.size() > 12 ? id.substr(0, 8) + "…" : id;
}

// The string member `key` of an event's details; "" when it has none.
std::string DetailsString(const std::string& details_json, std::string_view key) {
  boost::system::error_code ec;
  json::value v = json::parse(details_json, ec);
  if (ec || !v.is_object()) return "";
  const json::value* member = v.get_object().if_contains(key);
  return member && member->is_string() ? std::string(member->get_string()) : "";
}

}  // namespace

std::string AuditDetailsText(const std::string& details_json) {
  if (details_json.empty() || details_json == "{}") return "";
  boost::system::error_code ec;
  json::value v = json::parse(details_json, ec);
  if (ec || !v.is_object()) return details_json.substr(0, 300);
  std::vector<std::string> parts;
  for (const auto& [key, value] : v.get_object()) {
    std::string k = CodeInWords(std::string_view(key));
    if (!k.empty()) k[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(k[0])));
    // Ids are for the record, not for reading: shortened (the JSON API has them whole).
    const bool id = key.ends_with("_id") && value.is_string();
    parts.push_back(k + ": " + (id ? ShortId(std::string(value.get_string())) : ValueText(value)));
  }
  std::string text = Join(parts, "; ");
  if (text.size() > 300) {
    size_t cut = 297;  // on a character's first byte, never inside one
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "…";
  }
  return text;
}

std::string AgoText(UnixMillis now, UnixMillis at) {
  const int64_t s = (now - at) / 1000;
  if (s < 60) return "just now";
  if (s < 3600) return std::to_string(s / 60) + " min ago";
  if (s < 48 * 3600) return std::to_string(s / 3600) + " h ago";
  return std::to_string(s / 86400) + " days ago";
}

void AuditTable::Fill(const ConsoleVisitor& v, store::AuditFilter filter, PageData& d,
                      const std::string& base_path, const http::QueryParams& query,
                      const std::vector<store::App>& apps, bool with_app) const {
  std::string action = QueryText(query, "action", 100).value_or("");
  std::string actor = QueryText(query, "actor", 100).value_or("");
  std::string subject = QueryText(query, "subject", 100).value_or("");
  std::string outcome = QueryText(query, "outcome", 16).value_or("");
  std::string period = QueryText(query, "period", 8).value_or("");
  std::optional<std::string> cursor = QueryText(query, "cursor", 100);
  if (outcome != "success" && outcome != "failure") outcome.clear();
  const UnixMillis now = s_.clock.NowMillis();
  const Period* chosen = nullptr;
  for (const auto& p : kPeriods) {
    if (p.key == period) chosen = &p;
  }
  if (!chosen) period.clear();
  if (!action.empty()) filter.action = action;
  if (!actor.empty()) filter.actor_id = actor;
  if (!subject.empty()) filter.subject_id = subject;
  if (chosen) filter.since = now - chosen->ms;
  filter.cursor = cursor;
  d.set("filter_action", action);
  d.set("filter_actor", actor);
  d.set("filter_subject", subject);
  d.set("outcome_any", outcome.empty());
  d.set("outcome_success", outcome == "success");
  d.set("outcome_failure", outcome == "failure");
  PageData periods = List();
  for (const auto& p : kPeriods) {
    PageData o;
    o.set("value", std::string(p.key));
    o.set("label", std::string(p.label));
    o.set("selected", chosen == &p);
    periods.push_back(o);
  }
  d.set("periods", periods);
  d.set("period_any", !chosen);
  d.set("filter_url", base_path);
  d.set("filtering", !action.empty() || !actor.empty() || !subject.empty() ||
                         !outcome.empty() || chosen);
  d.set("with_app", with_app);

  // The page's events: the log's query, then (with an outcome) the matching ones.
  std::vector<store::AuditEvent> events;
  std::optional<std::string> older;  // the cursor of the next page
  const auto matches = [&](const store::AuditEvent& e) {
    return outcome.empty() || (outcome == "success") == (e.outcome == store::AuditOutcome::kSuccess);
  };
  for (int batch = 0; batch < (outcome.empty() ? 1 : kOutcomeScanBatches); ++batch) {
    filter.limit = outcome.empty() ? kAuditPerPage + 1 : kScanBatch;
    auto got = s_.audit.List(filter);
    if (!got.ok()) {
      d.set("events", List());
      d.set("error", "The audit log could not be read just now. Please try again in a moment.");
      return;
    }
    bool full = false;
    for (auto& e : *got) {
      if (!matches(e)) continue;
      if (static_cast<int>(events.size()) == kAuditPerPage) {
        full = true;
        break;
      }
      events.push_back(std::move(e));
    }
    if (full) {
      older = events.back().id;
      break;
    }
    if (static_cast<int>(got->size()) < filter.limit) break;  // the end of the log
    filter.cursor = got->back().id;
    if (batch + 1 == (outcome.empty() ? 1 : kOutcomeScanBatches)) older = filter.cursor;
  }

  // Names for ids, looked up once a page.
  std::map<std::string, const store::App*> app_by_id;
  for (const auto& app : apps) app_by_id.emplace(app.id, &app);
  std::map<std::string, std::string> names;  // "<kind>|<app>|<id>" → name ("" = unknown)
  std::map<std::string, std::map<std::string, std::string>> key_names;  // app id → key id → name
  const auto cached = [&](const std::string& k, const auto& look) -> const std::string& {
    auto it = names.find(k);
    if (it == names.end()) it = names.emplace(k, look()).first;
    return it->second;
  };
  const auto console_email = [&](const std::string& id) -> std::string {
    return cached("console|" + id, [&] {
      auto u = s_.accounts.GetUser(v.console, id);
      return u.ok() ? u->email : std::string();
    });
  };
  const auto user_email = [&](const store::App& app, const std::string& id) -> std::string {
    return cached("user|" + app.id + "|" + id, [&] {
      auto u = s_.accounts.GetUser(app, id);
      return u.ok() ? u->email : std::string();
    });
  };
  const auto client_name = [&](const store::App& app, const std::string& id) -> std::string {
    return cached("client|" + app.id + "|" + id, [&] {
      auto c = s_.clients.Find(app, id);
      return c.ok() ? c->name : std::string();
    });
  };
  const auto provider_name = [&](const store::App& app, const std::string& id) -> std::string {
    return cached("provider|" + app.id + "|" + id, [&] {
      auto p = s_.providers.Get(app, id);
      return p.ok() ? p->display_name : std::string();
    });
  };
  const auto key_name = [&](const store::App& app, const std::string& id) -> std::string {
    auto it = key_names.find(app.id);
    if (it == key_names.end()) {
      std::map<std::string, std::string> m;
      if (auto keys = s_.keys.List(app); keys.ok()) {
        for (const auto& k : *keys) m.emplace(k.id, k.name);
      }
      it = key_names.emplace(app.id, std::move(m)).first;
    }
    auto k = it->second.find(id);
    return k == it->second.end() ? std::string() : k->second;
  };
  const auto app_path = [&](const store::App& app, const std::string& rest) {
    return s_.urls.ConsolePath("/apps/" + app.slug + rest);
  };

  // Times in the viewer's own zone when their profile names one; UTC otherwise.
  const std::string zone = ProfileTimeZone(v.user.profile_json);
  d.set("time_zone", zone);
  d.set("account_url", s_.urls.PagePath(v.console, "account"));
  PageData rows = List();
  for (const auto& e : events) {
    PageData row;
    row.set("time_ago", AgoText(now, e.at));
    row.set("time_local", FormatInZone(e.at, zone));
    row.set("time_exact", FormatUtc(e.at, "%Y-%m-%d %H:%M:%S UTC"));
    row.set("time_iso", FormatUtc(e.at, kRfc3339Utc));
    row.set("action", std::string(ToText(e.action)));
    if (std::string details = AuditDetailsText(e.details_json); !details.empty()) {
      row.set("details", details);
    }
    const store::App* app = nullptr;
    if (e.app_id) {
      auto it = app_by_id.find(*e.app_id);
      if (it != app_by_id.end()) app = it->second;
    }
    // Who: by name, linked to their page when the console has one.
    std::string actor_label, actor_url;
    switch (e.actor_type) {
      case store::AuditActorType::kDeveloper:
      case store::AuditActorType::kAdmin:
        if (e.actor_id != "cli") actor_label = console_email(e.actor_id);
        break;
      case store::AuditActorType::kUser:
        if (app) {
          actor_label = user_email(*app, e.actor_id);
          if (!actor_label.empty()) actor_url = app_path(*app, "/users/" + e.actor_id);
        }
        break;
      case store::AuditActorType::kClient:
        if (app) {
          actor_label = client_name(*app, e.actor_id);
          if (!actor_label.empty()) {
            actor_url = app_path(*app, "/clients/" + http::FormEncode(e.actor_id));
          }
        }
        break;
      case store::AuditActorType::kApiKey:
        if (app) {
          actor_label = key_name(*app, e.actor_id);
          if (!actor_label.empty()) actor_url = app_path(*app, "/api-keys");
        }
        break;
      default:
        break;
    }
    if (actor_label.empty() && e.actor_id != "cli") actor_label = ShortId(e.actor_id);
    row.set("actor_kind", std::string(ActorKind(e)));
    row.set("actor_label", actor_label);
    row.set("actor_url", actor_url);
    row.set("actor_id", e.actor_id);
    // What it was done to, likewise.
    std::string subject_label, subject_url;
    if (app && !e.subject_id.empty()) {
      switch (e.subject_type) {
        case store::AuditSubjectType::kUser:
          subject_label = user_email(*app, e.subject_id);
          if (!subject_label.empty()) subject_url = app_path(*app, "/users/" + e.subject_id);
          break;
        case store::AuditSubjectType::kOAuthClient:
          subject_label = client_name(*app, e.subject_id);
          if (!subject_label.empty()) {
            subject_url = app_path(*app, "/clients/" + http::FormEncode(e.subject_id));
          }
          break;
        case store::AuditSubjectType::kAppApiKey:
          subject_label = key_name(*app, e.subject_id);
          if (!subject_label.empty()) subject_url = app_path(*app, "/api-keys");
          break;
        case store::AuditSubjectType::kApp:
          subject_label = app->name;
          subject_url = app_path(*app, "");
          break;
        case store::AuditSubjectType::kDeveloper:
          subject_label = console_email(e.subject_id);
          break;
        case store::AuditSubjectType::kIdentityProvider:
          subject_label = provider_name(*app, e.subject_id);
          if (!subject_label.empty()) {
            subject_url = app_path(*app, "/sign-in-providers/" + http::FormEncode(e.subject_id));
          }
          break;
        case store::AuditSubjectType::kInitialAccessToken:
          // Named by the event itself (a token's name never changes, and a revoked one is
          // listed nowhere); the list is below the app's clients.
          subject_label = DetailsString(e.details_json, "name");
          subject_url = app_path(*app, "/clients#registration-tokens");
          break;
        default:
          break;
      }
    }
    if (subject_label.empty()) subject_label = ShortId(e.subject_id);
    row.set("subject_kind", std::string(SubjectKind(e.subject_type)));
    row.set("subject_label", subject_label);
    row.set("subject_url", subject_url);
    row.set("subject_id", e.subject_id);
    row.set("ip", e.ip);
    row.set("failed", e.outcome != store::AuditOutcome::kSuccess);
    row.set("outcome", std::string(e.outcome == store::AuditOutcome::kSuccess ? "Success"
                                                                                : "Failure"));
    if (with_app) {
      row.set("app", app ? app->slug : (e.app_id ? ShortId(*e.app_id) : std::string("—")));
      if (app) row.set("app_url", app_path(*app, ""));
    }
    rows.push_back(row);
  }
  d.set("events", rows);
  std::string app_filter = http::FormValue(query, "app");
  const auto page_url = [&](const std::optional<std::string>& from) {
    return base_path + QueryString({{"app", app_filter},
                                    {"action", action},
                                    {"actor", actor},
                                    {"subject", subject},
                                    {"outcome", outcome},
                                    {"period", period},
                                    {"cursor", from.value_or("")}});
  };
  if (older) d.set("older_url", page_url(older));
  d.set("pager", older.has_value() || cursor.has_value());
  if (cursor) d.set("newest_url", page_url(std::nullopt));
}

}  // namespace tessera::web
