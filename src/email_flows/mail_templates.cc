#include "email_flows/mail_templates.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "base/colors.h"
#include "base/strings.h"
#include "base/template_partials.h"
#include "email_flows/embedded_templates.h"

namespace tessera::services {
namespace {

using Mustache = kainjow::mustache::mustache;

constexpr std::string_view kExtension = ".mustache";

struct KindSpec {
  std::string_view kind;
  std::vector<std::string> variables;
  std::string_view button_label;  // the HTML button's text, for kinds with a link
};

const std::vector<KindSpec>& Specs() {
  static const std::vector<KindSpec> kSpecs = {
      {"verify_email", {"app_name", "link", "expires_in"}, "Confirm email address"},
      {"password_reset", {"app_name", "link", "expires_in"}, "Choose a new password"},
      {"password_changed", {"app_name", "time_utc"}, ""},
      {"magic_link", {"app_name", "link", "expires_in"}, "Sign in"},
      {"email_code", {"app_name", "code", "expires_in"}, ""},
      {"change_email", {"app_name", "link", "new_email", "expires_in"}, "Confirm new address"},
      {"email_changed", {"app_name", "new_email"}, ""},
      {"account_secured", {"app_name", "forgot_url"}, ""},
      {"test", {"app_name"}, "Open the sign-in page"},  // `link` optional
      {"console_invitation", {"app_name", "link", "invited_app", "role", "expires_days"},
       "See the invitation"},
      {"link_identity", {"app_name", "link", "provider_name", "account_email", "expires_in"},
       "Link and sign in"},  // `upstream_label` optional
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

struct Parsed {
  Mustache subject, text, html;
  const KindSpec* spec;
};

Mustache Parse(const std::string& key) {
  const auto& files = mail::EmbeddedMailTemplates();
  auto it = files.find(key);
  if (it == files.end()) Die(key + " is missing");
  Mustache m(ExpandIncludes(key, it->second));
  if (!m.is_valid()) Die(key + ": " + m.error_message());
  return m;
}

// Parsed once; renders work on copies (kainjow's render() is not const).
const std::map<std::string, Parsed, std::less<>>& Templates() {
  static const auto* kTemplates = [] {
    auto* out = new std::map<std::string, Parsed, std::less<>>();
    for (const auto& spec : Specs()) {
      std::string k(spec.kind);
      out->emplace(k, Parsed{Parse(k + ".subject.mustache"), Parse(k + ".txt.mustache"),
                             Parse(k + ".html.mustache"), &spec});
    }
    return out;
  }();
  return *kTemplates;
}

Result<std::string> RenderCopy(const Mustache& parsed, const kainjow::mustache::data& data,
                               bool html) {
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
void SetButtonColors(kainjow::mustache::data& data) {
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

}  // namespace

std::vector<std::string> MailKinds() {
  std::vector<std::string> kinds;
  for (const auto& [kind, parsed] : Templates()) kinds.push_back(kind);
  return kinds;
}

Result<MailContent> RenderMail(std::string_view kind, const kainjow::mustache::data& vars) {
  const auto& templates = Templates();
  auto it = templates.find(kind);
  if (it == templates.end()) return NotFoundError("no mail template \"" + std::string(kind) + "\"");
  const Parsed& t = it->second;
  kainjow::mustache::data data(vars);
  for (const auto& name : t.spec->variables) {
    const auto* v = data.get(name);
    if (!v || !v->is_string()) {
      return InvalidArgumentError("mail \"" + std::string(kind) + "\" needs the string variable " +
                                  name);
    }
  }
  if (!t.spec->button_label.empty()) data.set("button_label", std::string(t.spec->button_label));
  SetButtonColors(data);
  MailContent out;
  TESSERA_ASSIGN_OR_RETURN(std::string subject, RenderCopy(t.subject, data, /*html=*/false));
  out.subject = OneLine(subject);
  TESSERA_ASSIGN_OR_RETURN(out.text, RenderCopy(t.text, data, /*html=*/false));
  TESSERA_ASSIGN_OR_RETURN(out.html, RenderCopy(t.html, data, /*html=*/true));
  return out;
}

}  // namespace tessera::services
