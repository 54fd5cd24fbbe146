// Mustache rendering of user-supplied strings: the hosted pages (web/page_renderer.h, every
// embedded page inside the layout) and the mails (email_flows/mail_templates.h), with every
// variable a template names set to the fuzzed text (app names, display names, emails, error
// messages, return_to... all come from users or developers). The first byte picks the page
// or mail. Properties: the user's text adds no markup — a page or an HTML mail holds exactly
// as many <, >, " and ' as with a harmless value, so none of the text's own got through
// unescaped (and no {{tag}} in it was expanded); a mail's subject is one line.
#include <kainjow/mustache.hpp>

#include <array>
#include <map>
#include <set>

#include "email_flows/embedded_templates.h"
#include "email_flows/mail_templates.h"
#include "i18n/message_catalog.h"
#include "fuzz_support.h"
#include "web/embedded_assets.h"
#include "web/page_renderer.h"

namespace {
using namespace tessera;
using Data = kainjow::mustache::data;
using Markup = std::array<size_t, 4>;

// Every name a template uses in a tag ({{x}}, {{{x}}}, {{#x}}, {{^x}}), in any template.
void CollectNames(std::string_view text, std::set<std::string>& names) {
  for (size_t pos = 0; (pos = text.find("{{", pos)) != text.npos;) {
    size_t close = text.find("}}", pos);
    if (close == text.npos) return;
    std::string_view tag = text.substr(pos + 2, close - pos - 2);
    pos = close + 2;
    while (!tag.empty() && (tag.front() == '{' || tag.front() == '#' || tag.front() == '^' ||
                            tag.front() == '&' || tag.front() == ' ')) {
      tag.remove_prefix(1);
    }
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.empty() || tag.front() == '/' || tag.front() == '!' || tag.front() == '>' ||
        tag.front() == '=') {
      continue;
    }
    // A message ({{t.group.name}}) is the catalogue's, formatted with the variables its text
    // names: those are set to the fuzzed text.
    if (tag.starts_with("t.")) {
      for (const auto& arg : i18n::MessageCatalog::Embedded().ArgumentNames(tag.substr(2))) {
        names.emplace(arg);
      }
    } else {
      names.emplace(tag);
    }
  }
}

struct Templates {
  std::vector<std::string> pages;
  std::vector<std::string> mails;
  std::set<std::string> names;
  web::PageRenderer renderer;
  // German: messages with arguments (and plurals) get the fuzzed text too.
  i18n::Texts texts{i18n::MessageCatalog::Embedded(), "de"};
  std::map<std::string, Markup> baseline;  // page or mail → markup with a harmless value

  Templates() {
    for (const auto& [key, text] : web::EmbeddedWebAssets()) {
      if (!key.starts_with("templates/")) continue;
      CollectNames(text, names);
      std::string_view name = key.substr(10, key.size() - 10 - 9);  // templates/<name>.mustache
      if (!name.starts_with("_") && name != "layout") pages.emplace_back(name);
    }
    for (const auto& [key, text] : mail::EmbeddedMailTemplates()) CollectNames(text, names);
    // The renderer's own: the page's HTML and the stylesheet version; the QR code's inline
    // SVG and the Insights charts, which the server draws (mfa/qr_svg.cc, web/svg_charts.cc)
    // and which never hold anyone's text but escaped (svg_charts_test).
    for (const char* own : {"content", "page", "asset_version", "lang", "dir", "qr_svg", "signups_chart",
                            "signins_chart", "active_chart", "methods_chart", "status_chart"}) {
      names.erase(own);
    }
    std::sort(pages.begin(), pages.end());
    mails = services::MailKinds();
  }

  Data All(const std::string& value) const {
    Data d;
    for (const auto& n : names) d.set(n, value);
    // A mail's lifetime is a number of seconds the server computes, never anyone's text.
    d.set("expires_in_s", std::string("900"));
    return d;
  }
};

Markup Count(std::string_view html) {
  Markup m{};
  for (char c : html) {
    if (c == '<') ++m[0];
    if (c == '>') ++m[1];
    if (c == '"') ++m[2];
    if (c == '\'') ++m[3];
  }
  return m;
}

void Page(Templates& t, const std::string& page, const std::string& value) {
  auto html = t.renderer.Render(page, t.All(value), t.texts);
  FUZZ_CHECK(html.ok(), "a page renders with any text");
  auto [it, fresh] = t.baseline.try_emplace("page:" + page);
  if (fresh) it->second = Count(t.renderer.Render(page, t.All("x"), t.texts).value());
  FUZZ_CHECK(Count(*html) == it->second, "the user's text adds no markup to a page");
}

void Mail(Templates& t, const std::string& kind, const std::string& value) {
  auto mail = services::RenderMail(kind, t.All(value), t.texts);
  FUZZ_CHECK(mail.ok(), "a mail renders with any text");
  FUZZ_CHECK(mail->subject.find_first_of("\r\n") == std::string::npos, "the subject is one line");
  auto [it, fresh] = t.baseline.try_emplace("mail:" + kind);
  if (fresh) it->second = Count(services::RenderMail(kind, t.All("x"), t.texts).value().html);
  FUZZ_CHECK(Count(mail->html) == it->second, "the user's text adds no markup to a mail");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Templates* t = new Templates();
  if (size < 2) return 0;
  // A non-empty value: an empty one would hide {{#sections}} and change the page's shape.
  std::string value(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t pick = data[0] % (t->pages.size() + t->mails.size());
  if (pick < t->pages.size()) {
    Page(*t, t->pages[pick], value);
  } else {
    Mail(*t, t->mails[pick - t->pages.size()], value);
  }
  return 0;
}
