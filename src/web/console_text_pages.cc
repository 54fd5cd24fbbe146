#include "web/console_text_pages.h"

#include <set>

#include "i18n/message_catalog.h"
#include "web/console_common.h"

namespace tessera::web {
using namespace console;
namespace {

// The groups of the catalogue ("login", "mail" …), in order.
std::vector<std::string> Groups(const i18n::MessageCatalog& catalog) {
  std::set<std::string> groups;
  for (const auto& key : catalog.Keys()) groups.insert(key.substr(0, key.find('.')));
  return {groups.begin(), groups.end()};
}

std::vector<std::string> KeysOf(const i18n::MessageCatalog& catalog, std::string_view group) {
  std::vector<std::string> keys;
  for (const auto& key : catalog.Keys()) {
    if (key.size() > group.size() && key.starts_with(group) && key[group.size()] == '.') keys.push_back(key);
  }
  return keys;
}

// A message's form field: "m." + its key.
std::string FieldOf(std::string_view key) { return "m." + std::string(key); }

std::string ArgumentsText(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "{" : ", {") + n + "}";
  return out;
}

}  // namespace

void ConsoleTextPages::Mount(http::Router& r, const ConsoleGates& gates) {
  const std::string base = "/console/apps/{slug}/texts";
  r.Add(http::beast_http::verb::get, base, gates.WithAppVisitor(Bind(this, &ConsoleTextPages::Show)));
  r.Add(http::beast_http::verb::post, base, gates.WithAppVisitor(Bind(this, &ConsoleTextPages::Save)));
}

http::Response ConsoleTextPages::Show(http::Request& req, const AppVisitor& a) {
  const auto query = PageQuery(req);
  return Render(req, a, http::FormValue(query, "locale"), http::FormValue(query, "group"), nullptr, {}, 200);
}

http::Response ConsoleTextPages::Render(http::Request& req, const AppVisitor& a,
                                        const std::string& wanted_locale,
                                        const std::string& wanted_group,
                                        const http::FormParams* form,
                                        const std::vector<FieldError>& errors, unsigned status) {
  const auto& catalog = i18n::MessageCatalog::Embedded();
  const store::App& app = a.app();
  const std::vector<std::string> groups = Groups(catalog);
  const std::string locale = i18n::IsSupportedLocale(wanted_locale) ? wanted_locale
                             : !app.settings.default_locale.empty() ? app.settings.default_locale
                                                                    : "en";
  std::string group = groups.empty() ? "" : groups.front();
  for (const auto& g : groups) {
    if (g == wanted_group) group = g;
  }
  PageData d;
  layout_.AppBase(d, a, "Texts", "settings");
  d.set("heading", "Texts of the hosted pages and emails");
  d.set("settings_url", layout_.AppPath(app, "/settings"));
  d.set("action", layout_.AppPath(app, "/texts"));
  d.set("locale", locale);
  d.set("locale_name", std::string(i18n::LocaleDisplayName(locale)));
  d.set("group", group);
  d.set("preview_url", layout_.urls().Issuer(app) + "/login?lang=" + locale);
  PageData locales = console::List();
  for (std::string_view code : i18n::SupportedLocales()) {
    PageData l;
    l.set("name", std::string(i18n::LocaleDisplayName(code)));
    l.set("url", layout_.AppPath(app, "/texts") + QueryString({{"locale", std::string(code)}, {"group", group}}));
    l.set("current", code == locale);
    locales.push_back(l);
  }
  d.set("locales", locales);
  PageData group_links = console::List();
  for (const auto& g : groups) {
    PageData l;
    l.set("name", g);
    l.set("url", layout_.AppPath(app, "/texts") + QueryString({{"locale", locale}, {"group", g}}));
    l.set("current", g == group);
    group_links.push_back(l);
  }
  d.set("groups", group_links);
  const auto overrides = app.settings.messages.find(locale);
  PageData rows = console::List();
  size_t changed = 0;
  for (const auto& key : KeysOf(catalog, group)) {
    PageData row;
    row.set("key", key);
    row.set("field", FieldOf(key));
    row.set("id", "m-" + key.substr(group.size() + 1));
    row.set("catalogue_text", std::string(catalog.Source(locale, key)));
    row.set("arguments", ArgumentsText(catalog.ArgumentNames(key)));
    std::string mine;
    if (form) {
      mine = http::FormValue(*form, FieldOf(key));
    } else if (overrides != app.settings.messages.end()) {
      if (auto it = overrides->second.find(key); it != overrides->second.end()) mine = it->second;
    }
    if (!mine.empty()) ++changed;
    row.set("text", mine);
    for (const auto& e : errors) {
      if (e.field == "messages." + locale + "." + key) row.set("error", e.message);
    }
    rows.push_back(row);
  }
  d.set("rows", rows);
  d.set("changed", std::to_string(changed));
  if (!errors.empty()) d.set("error", "Nothing was saved: please check the highlighted messages.");
  SetNotice(d, PageQuery(req));
  return layout_.Render(req, a.visitor, "console_texts", std::move(d), status);
}

http::Response ConsoleTextPages::Save(http::Request& req, const AppVisitor& a,
                                      const http::FormParams& form) {
  const auto& catalog = i18n::MessageCatalog::Embedded();
  const std::string locale = http::FormValue(form, "locale");
  const std::string group = http::FormValue(form, "group");
  const std::vector<std::string> keys = KeysOf(catalog, group);
  if (!i18n::IsSupportedLocale(locale) || keys.empty()) {
    return Render(req, a, locale, group, nullptr, {{"locale", "no such language or group"}}, 400);
  }
  // Blank, or the catalogue's own words: the catalogue's (so later fixes to it show).
  std::map<std::string, std::string> wanted;
  for (const auto& key : keys) {
    std::string text = http::FormValue(form, FieldOf(key));
    if (text.size() > 4096) text.resize(4096);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (!text.empty() && text != catalog.Source(locale, key)) wanted[key] = text;
  }
  auto edit = [&](store::AppSettings& s) {
    auto& mine = s.messages[locale];
    for (const auto& key : keys) {
      if (auto it = wanted.find(key); it != wanted.end()) mine[key] = it->second;
      else mine.erase(key);
    }
    if (mine.empty()) s.messages.erase(locale);
  };
  auto updated = apps_.Edit(a.app().slug, std::nullopt, edit, a.visitor.actor);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kInvalidArgument && !updated.status().field_errors().empty()) {
      return Render(req, a, locale, group, &form, updated.status().field_errors(), 400);
    }
    return layout_.Failure(req, a.visitor, updated.status());
  }
  return layout_.Done(layout_.AppPath(a.app(), "/texts") + QueryString({{"locale", locale}, {"group", group}}),
                      "texts");
}

}  // namespace tessera::web
