#include "email_flows/mail_templates.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "base/colors.h"
#include "base/strings.h"
#include "base/template_partials.h"
#include "email_flows/embedded_templates.h"

namespace tessera::services {
namespace {

using Mustache = kainjow::mustache::mustache;
using Data = kainjow::mustache::data;

constexpr std::string_view kExtension = ".mustache";

struct KindSpec {
  std::string_view kind;
  std::vector<std::string> variables;
  std::string_view button_key;  // the HTML button's text (a catalogue key), for kinds with a link
  bool expires = false;         // says how long its link or code lives: needs expires_in_s
};

const std::vector<KindSpec>& Specs() {
  static const std::vector<KindSpec> kSpecs = {
      {"verify_email", {"app_name", "link"}, "mail.verify_email_button", true},
      {"password_reset", {"app_name", "link"}, "mail.password_reset_button", true},
      {"password_changed", {"app_name", "time_utc"}, ""},
      {"magic_link", {"app_name", "link"}, "mail.magic_link_button", true},
      {"email_code", {"app_name", "code"}, "", true},
      {"change_email", {"app_name", "link", "new_email"}, "mail.change_email_button", true},
      {"email_changed", {"app_name", "new_email"}, ""},
      {"account_secured", {"app_name", "forgot_url"}, ""},
      {"test", {"app_name"}, "mail.test_button"},  // `link` optional
      {"console_invitation", {"app_name", "link", "invited_app", "role"},
       "mail.console_invitation_button", true},
      {"link_identity", {"app_name", "link", "provider_name", "account_email"},
       "mail.link_identity_button", true},  // `upstream_label` optional
      {"security_notice", {"app_name", "change", "time_utc"}, ""},
  };
  return kSpecs;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "tessera: broken embedded mail template: %s\n", message.c_str());
  std::abort();
}

// `text` with its partials (_name.mustache) inlined.
std::string ExpandIncludes(std::string_view file, std::string_view text) {
  const auto& files = mail::EmbeddedMailTemplates();
  auto expanded = ExpandPartials(file, text, [&](std::string_view name) {
    std::string key = StrCat({"_", name, kExtension});
    auto it = files.find(key);
    if (it == files.end()) return std::optional<TemplatePartial>();
    return std::optional<TemplatePartial>(TemplatePartial{key, it->second});
  });
  if (!expanded.ok()) Die(expanded.status().message());
  return std::move(*expanded);
}

bool IsKeyChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// "<group>.<name>", each [a-z0-9_]+.
bool IsMessageKey(std::string_view key) {
  const size_t dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == key.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i != dot && !IsKeyChar(key[i])) return false;
  }
  return true;
}

// Adds the catalogue keys `text` (a template, its partials expanded) mentions — {{t.<key>}},
// {{{t.<key>}}}, {{& t.<key>}} — to `keys`; each must be in the catalogue.
void CollectMessageKeys(const std::string& file, std::string_view text, std::set<std::string>& keys) {
  for (size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at + 2)) {
    size_t start = at + 2;
    while (start < text.size() && (text[start] == '{' || text[start] == '&' || text[start] == ' ')) {
      ++start;
    }
    if (text.substr(start, 2) != "t.") continue;
    const size_t end = text.find("}}", start);
    if (end == std::string_view::npos) Die(file + ": an unclosed {{t.…}}");
    std::string key(TrimBlanks(text.substr(start + 2, end - start - 2)));
    if (!IsMessageKey(key)) Die(file + ": \"" + key + "\" is no message key");
    if (!i18n::MessageCatalog::Embedded().Has(key)) Die(file + ": no message \"" + key + "\"");
    keys.insert(std::move(key));
  }
}

struct Parsed {
  Mustache subject, text, html;
  const KindSpec* spec;
  std::vector<std::string> keys;  // the catalogue keys its three templates mention
};

Mustache Parse(const std::string& key, std::set<std::string>& message_keys) {
  const auto& files = mail::EmbeddedMailTemplates();
  auto it = files.find(key);
  if (it == files.end()) Die(key + " is missing");
  const std::string expanded = ExpandIncludes(key, it->second);
  CollectMessageKeys(key, expanded, message_keys);
  Mustache m(expanded);
  if (!m.is_valid()) Die(key + ": " + m.error_message());
  return m;
}

// Parsed once; renders work on copies (kainjow's render() is not const).
const std::map<std::string, Parsed, std::less<>>& Templates() {
  static const auto* kTemplates = [] {
    auto* out = new std::map<std::string, Parsed, std::less<>>();
    for (const auto& spec : Specs()) {
      std::string k(spec.kind);
      std::set<std::string> keys;
      Mustache subject = Parse(k + ".subject.mustache", keys);
      Mustache text = Parse(k + ".txt.mustache", keys);
      Mustache html = Parse(k + ".html.mustache", keys);
      if (!spec.button_key.empty() && !i18n::MessageCatalog::Embedded().Has(spec.button_key)) {
        Die(k + ": no message \"" + std::string(spec.button_key) + "\"");
      }
      out->emplace(k, Parsed{std::move(subject), std::move(text), std::move(html), &spec,
                             std::vector<std::string>(keys.begin(), keys.end())});
    }
    return out;
  }();
  return *kTemplates;
}

Result<std::string> RenderCopy(const Mustache& parsed, const Data& data, bool html) {
  Mustache copy(parsed);
  if (!html) copy.set_custom_escape([](const std::string& s) { return s; });
  std::string out = copy.render(data);
  if (!copy.is_valid()) return InternalError("mail template: " + copy.error_message());
  return out;
}

std::string OneLine(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The HTML button and link colours: the app's accent (optional variable `accent_color`) with
// the text colour the hosted pages' buttons take on it (base/colors.h, one rule); the link
// under the button takes the accent only where it reads on white (4.5:1). Only a valid
// #rrggbb reaches a style attribute.
void SetButtonColors(Data& data) {
  constexpr std::string_view kDefault = "#2563eb";
  const auto* accent = data.get("accent_color");
  std::string color(kDefault);
  if (accent && accent->is_string() && IsHexColor(accent->string_value())) {
    color = HexColor(ParseHexColor(accent->string_value()));
  }
  const Rgb c = ParseHexColor(color);
  data.set("button_color", color);
  data.set("button_text_color", WhiteTextOn(c) ? "#ffffff" : "#000000");
  data.set("link_color", Contrast(c, kWhite) >= 4.5 ? color : std::string(kDefault));
}

// A lifetime in the unit base/duration_text.h says it in (its rule, kept in step: the tests
// compare the English with DurationText): minutes under an hour or when the hours are not
// whole, hours under two days or when the days are not whole, else days; at least 1 minute.
struct Lifetime {
  int64_t count;
  std::string_view unit;  // "minute", "hour", "day": the select of "mail.expires_in"
};

Lifetime LifetimeOf(int64_t seconds) {
  const int64_t minutes = seconds < 60 ? 1 : (seconds + 30) / 60;
  if (minutes < 60 || minutes % 60 != 0) return {minutes, "minute"};
  const int64_t hours = minutes / 60;
  if (hours < 48 || hours % 24 != 0) return {hours, "hour"};
  return {hours / 24, "day"};
}

std::optional<int64_t> Digits(std::string_view s) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

std::string ExpiresIn(const i18n::Texts& t, const Lifetime& l) {
  return t("mail.expires_in",
           {{"expires_count", std::to_string(l.count)}, {"expires_unit", std::string(l.unit)}});
}

const std::string* StringVar(const Data& data, const std::string& name) {
  const auto* v = data.get(name);
  return v && v->is_string() ? &v->string_value() : nullptr;
}

// `key` in t's language, with the arguments its English message uses taken from the mail's
// top-level string variables (one missing reads as "").
std::string Message(const i18n::Texts& t, const std::string& key, const Data& data) {
  i18n::MessageArgs args;
  for (const auto& name : t.catalog().ArgumentNames(key)) {
    if (const std::string* value = StringVar(data, name)) args.emplace_back(name, *value);
  }
  return t(key, args);
}

// `t` for the templates: group → name → message. The HTML part's messages have their line
// breaks (the text part's wrapping) as spaces.
void SetMessages(const std::vector<std::string>& keys, const i18n::Texts& t, const Data& data,
                 Data& plain, Data& html) {
  std::map<std::string, std::pair<Data, Data>> groups;
  for (const auto& key : keys) {
    const size_t dot = key.find('.');
    std::string text = Message(t, key, data);
    std::string spaced = text;
    for (char& c : spaced) {
      if (c == '\n') c = ' ';
    }
    auto& [p, h] = groups[key.substr(0, dot)];
    p.set(key.substr(dot + 1), text);
    h.set(key.substr(dot + 1), spaced);
  }
  for (const auto& [group, parts] : groups) {
    plain.set(group, parts.first);
    html.set(group, parts.second);
  }
}

}  // namespace

std::vector<std::string> MailKinds() {
  std::vector<std::string> kinds;
  for (const auto& [kind, parsed] : Templates()) kinds.push_back(kind);
  return kinds;
}

std::string ExpiresInText(const i18n::Texts& t, int64_t seconds) {
  return ExpiresIn(t, LifetimeOf(seconds));
}

Result<MailContent> RenderMail(std::string_view kind, const kainjow::mustache::data& vars,
                               const i18n::Texts& t) {
  const auto& templates = Templates();
  auto it = templates.find(kind);
  if (it == templates.end()) return NotFoundError("no mail template \"" + std::string(kind) + "\"");
  const Parsed& parsed = it->second;
  const KindSpec& spec = *parsed.spec;
  Data data(vars);
  auto missing = [&](std::string_view name) {
    return InvalidArgumentError("mail \"" + std::string(kind) + "\" needs the string variable " +
                                std::string(name));
  };
  for (const auto& name : spec.variables) {
    if (!StringVar(data, name)) return missing(name);
  }
  if (spec.expires) {
    std::optional<Lifetime> lifetime;
    if (const std::string* s = StringVar(data, "expires_in_s")) {
      if (auto seconds = Digits(*s)) lifetime = LifetimeOf(*seconds);
    }
    if (!lifetime) return missing("expires_in_s (a number of seconds)");
    data.set("expires_in", ExpiresIn(t, *lifetime));
  }
  data.set("lang", t.locale());
  data.set("dir", t.right_to_left() ? "rtl" : "ltr");
  if (!spec.button_key.empty()) {
    data.set("button_label", Message(t, std::string(spec.button_key), data));
  }
  SetButtonColors(data);
  Data plain, html;
  SetMessages(parsed.keys, t, data, plain, html);
  MailContent out;
  data.set("t", plain);
  TESSERA_ASSIGN_OR_RETURN(std::string subject, RenderCopy(parsed.subject, data, /*html=*/false));
  out.subject = OneLine(subject);
  TESSERA_ASSIGN_OR_RETURN(out.text, RenderCopy(parsed.text, data, /*html=*/false));
  data.set("t", html);
  TESSERA_ASSIGN_OR_RETURN(out.html, RenderCopy(parsed.html, data, /*html=*/true));
  return out;
}

}  // namespace tessera::services
