#include "web/page_renderer.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <vector>

#include "base/strings.h"
#include "base/template_partials.h"
#include "crypto/digest.h"
#include "web/embedded_assets.h"

namespace tessera::web {
namespace {

using Mustache = kainjow::mustache::mustache;

constexpr std::string_view kTemplatesDir = "templates/";
constexpr std::string_view kStaticDir = "static/";
constexpr std::string_view kExtension = ".mustache";

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "tessera: broken embedded web asset: %s\n", message.c_str());
  std::abort();
}

// `text` with its partials (templates/_name.mustache) inlined.
std::string ExpandIncludes(std::string_view file, std::string_view text) {
  const auto& assets = EmbeddedWebAssets();
  auto expanded = ExpandPartials(file, text, [&](std::string_view name) {
    std::string key = StrCat({kTemplatesDir, "_", name, kExtension});
    auto it = assets.find(key);
    if (it == assets.end()) return std::optional<TemplatePartial>();
    return std::optional<TemplatePartial>(TemplatePartial{key, it->second});
  });
  if (!expanded.ok()) Die(expanded.status().message());
  return std::move(*expanded);
}

// The names of the sections ({{#name}}, {{^name}}) of an expanded template.
std::set<std::string> SectionNames(std::string_view text) {
  std::set<std::string> names;
  for (size_t pos = 0; (pos = text.find("{{", pos)) != std::string_view::npos; pos += 2) {
    if (pos + 2 >= text.size() || (text[pos + 2] != '#' && text[pos + 2] != '^')) continue;
    size_t close = text.find("}}", pos);
    if (close == std::string_view::npos) break;
    names.emplace(TrimBlanks(text.substr(pos + 3, close - pos - 3)));
  }
  return names;
}

// "" values of section names become false, so {{#signup_url}} hides an empty link: at the top
// level and in the objects of top-level lists. Each top-level list `x` also gets `has_x` (unless
// set), so a template can wrap a list ({{#has_x}}<ul>{{#x}}…{{/x}}</ul>{{/has_x}}).
void NormalizeSections(kainjow::mustache::data& data, const std::vector<std::string>& sections,
                       bool top_level = true) {
  for (const auto& name : sections) {
    const auto* value = data.get(name);
    if (!value) continue;
    if (value->is_string() && value->string_value().empty()) {
      data.set(name, false);
    } else if (top_level && value->is_list()) {
      kainjow::mustache::list items = value->list_value();
      for (auto& item : items) {
        if (item.is_object()) NormalizeSections(item, sections, false);
      }
      const bool empty = items.empty();
      data.set(name, items);
      if (!data.get("has_" + name)) data.set("has_" + name, !empty);
    }
  }
}

// The message keys a template mentions: {{t.<group>.<name>}} (or with three braces).
std::set<std::string> MessageKeysIn(std::string_view text) {
  std::set<std::string> keys;
  for (size_t pos = 0; (pos = text.find("{{", pos)) != std::string_view::npos; pos += 2) {
    size_t start = pos + 2;
    if (start < text.size() && text[start] == '{') ++start;
    size_t close = text.find("}}", start);
    if (close == std::string_view::npos) break;
    std::string_view name = TrimBlanks(text.substr(start, close - start));
    if (name.starts_with("t.")) keys.emplace(name.substr(2));
  }
  return keys;
}

// The `t` object of a render: group → name → the message, each formatted with the top-level
// strings of `data` its English text names.
kainjow::mustache::data MessagesFor(const std::vector<std::string>& keys,
                                    const kainjow::mustache::data& data, const i18n::Texts& texts) {
  std::map<std::string, kainjow::mustache::data, std::less<>> groups;
  for (const auto& key : keys) {
    size_t dot = key.find('.');
    if (dot == std::string::npos) continue;
    i18n::MessageArgs args;
    for (const auto& name : texts.catalog().ArgumentNames(key)) {
      const auto* value = data.get(name);
      args.emplace_back(name, value && value->is_string() ? value->string_value() : std::string());
    }
    auto [it, _] = groups.try_emplace(key.substr(0, dot), kainjow::mustache::data::type::object);
    it->second.set(key.substr(dot + 1), texts(key, args));
  }
  kainjow::mustache::data t(kainjow::mustache::data::type::object);
  for (auto& [group, messages] : groups) t.set(group, std::move(messages));
  return t;
}

}  // namespace

// A template, parsed on its first render. kainjow's parser makes a node of every word and
// every blank, so the ~50 pages parsed are ~9 MiB: an API-only deployment (and the idle
// server) should not carry the console's pages. Each template is still parsed once at start,
// and dropped, so a broken one stops the server then, not at its first visitor.
// kainjow's render() is non-const, so the parsed original is only ever copied; renders use
// copies kept in a pool (at most one per concurrent renderer).
class PageRenderer::Template {
 public:
  Template(std::string_view key, std::string text)
      : text_(std::move(text)), sections_(SectionNames(text_)), message_keys_(MessageKeysIn(text_)) {
    Mustache check(text_);
    if (!check.is_valid()) Die(std::string(key) + ": " + check.error_message());
  }

  const std::set<std::string>& sections() const { return sections_; }
  const std::set<std::string>& message_keys() const { return message_keys_; }

  Result<std::string> Render(const kainjow::mustache::data& data) const {
    std::unique_ptr<Mustache> copy;
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        copy = std::move(idle_.back());
        idle_.pop_back();
      } else if (!parsed_) {
        parsed_ = std::make_unique<const Mustache>(text_);
      }
      if (!copy) copy = std::make_unique<Mustache>(*parsed_);
    }
    std::string html = copy->render(data);
    // A lambda in the data that failed leaves its error in the copy: drop that copy.
    if (!copy->is_valid()) return InternalError("template: " + copy->error_message());
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(copy));
    return html;
  }

 private:
  const std::string text_;  // partials expanded
  const std::set<std::string> sections_;
  const std::set<std::string> message_keys_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<const Mustache> parsed_;  // guarded by mu_
  mutable std::vector<std::unique_ptr<Mustache>> idle_;
};

PageRenderer::PageRenderer() {
  std::map<std::string, std::set<std::string>> page_sections;
  for (const auto& [key, text] : EmbeddedWebAssets()) {
    if (!key.starts_with(kTemplatesDir) || !key.ends_with(kExtension)) continue;
    std::string name(key.substr(kTemplatesDir.size(),
                                key.size() - kTemplatesDir.size() - kExtension.size()));
    if (name.starts_with("_")) continue;  // a partial, included by others
    auto parsed = std::make_unique<Template>(key, ExpandIncludes(key, text));
    if (name == "layout") {
      layout_ = std::move(parsed);
    } else {
      pages_.emplace(std::move(name), std::move(parsed));
    }
  }
  if (!layout_) Die("templates/layout.mustache is missing");
  // The layout is rendered with the same data: normalize for its sections too.
  for (const auto& [name, page] : pages_) {
    std::set<std::string> all = page->sections();
    all.insert(layout_->sections().begin(), layout_->sections().end());
    sections_.emplace(name, std::vector<std::string>(all.begin(), all.end()));
    std::set<std::string> keys = page->message_keys();
    keys.insert(layout_->message_keys().begin(), layout_->message_keys().end());
    message_keys_.emplace(name, std::vector<std::string>(keys.begin(), keys.end()));
  }
  auto css = Static("tessera.css");
  if (!css) Die("static/tessera.css is missing");
  css_etag_ = crypto::Sha256Hex(*css).substr(0, 16);
}

PageRenderer::~PageRenderer() = default;

Result<std::string> PageRenderer::Render(std::string_view page, kainjow::mustache::data data,
                                         const i18n::Texts& texts) const {
  auto it = pages_.find(page);
  if (it == pages_.end()) return NotFoundError("no page \"" + std::string(page) + "\"");
  data.set("t", MessagesFor(message_keys_.find(page)->second, data, texts));
  data.set("lang", texts.locale());
  data.set("dir", texts.right_to_left() ? "rtl" : "ltr");
  NormalizeSections(data, sections_.find(page)->second);
  Result<std::string> content = it->second->Render(data);
  if (!content.ok()) return content;
  data.set("content", std::move(content).value());
  data.set("page", std::string(page));
  data.set("asset_version", css_etag_);  // the stylesheet's URL changes with its content
  return layout_->Render(data);
}

std::vector<std::string> PageRenderer::MessageKeys(std::string_view page) const {
  auto it = message_keys_.find(page);
  return it == message_keys_.end() ? std::vector<std::string>() : it->second;
}

std::optional<std::string_view> PageRenderer::Static(std::string_view name) const {
  const auto& assets = EmbeddedWebAssets();
  auto it = assets.find(std::string(kStaticDir) + std::string(name));
  if (it == assets.end()) return std::nullopt;
  return it->second;
}

std::string_view PageRenderer::ContentType(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".ico")) return "image/x-icon";
  if (name.ends_with(".txt")) return "text/plain; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace tessera::web
