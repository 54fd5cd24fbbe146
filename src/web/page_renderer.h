// File: page_renderer.h
// Server-rendered hosted pages (login, signup, consent, account, logout, logged_out, error, and
// the email flows: message, forgot_password, reset_password, magic_link, magic_continue,
// email_code):
// kainjow mustache templates embedded in the binary (src/web/templates, embedded_assets.h).
//
//   PageRenderer pages;                         // once, at start-up; shared by all workers
//   kainjow::mustache::data d;
//   d.set("title", "Sign in"); d.set("app_name", app.name); d.set("asset_base", "/apps/x/static");
//   d.set("csrf_token", csrf); d.set("action", "/apps/x/login"); …
//   Result<std::string> html = pages.Render("login", std::move(d), texts);  // kNotFound: no such page
//
// Every {{var}} is HTML-escaped; all data is plain text (strings, bools, lists, objects; no
// numbers: pass std::to_string). A page is rendered, then wrapped in templates/layout.mustache
// with the same data plus `content` (the page's HTML), `page` (its name) and `asset_version`
// (css_etag(): the stylesheet is linked as {{asset_base}}/tessera.css?v=<css_etag>, so it may
// be served `immutable`); those three are always the renderer's, never the caller's.
// Optional values may be left out or set to "": an empty string counts as unset in
// {{#sections}} (at the top level and in the objects of top-level lists), and every top-level
// list `x` also gets `has_x` unless the caller set it. `{{> name}}` in a template includes
// templates/_name.mustache (expanded once, when the renderer is built); `_`-files and the
// layout are not pages.
//
// Thread-safety: Render is const and may be called from any number of threads at once.
// kainjow's render() is not const (a lambda or partial error is recorded in the template and
// then breaks every later render), so a parsed template is never rendered itself: each render
// borrows a private copy from a small per-template pool (copying costs ~5-50 us, parsing
// ~0.05-1 ms) and gives it back unless the render failed.
#pragma once

#include <kainjow/mustache.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "i18n/message_catalog.h"

namespace tessera::web {

class PageRenderer {
 public:
  // Parses every embedded template; a broken one (a build-time asset) aborts with its error.
  PageRenderer();
  ~PageRenderer();
  PageRenderer(const PageRenderer&) = delete;
  PageRenderer& operator=(const PageRenderer&) = delete;

  // templates/<page>.mustache inside the layout, in `texts`' language; kNotFound for an
  // unknown page. Every {{t.<group>.<name>}} of the page and the layout is the message of
  // that key, formatted with the data's top-level strings as its arguments (before
  // rendering: a message cannot use a list item's fields); `lang` and `dir` are set.
  Result<std::string> Render(std::string_view page, kainjow::mustache::data data,
                             const i18n::Texts& texts) const;
  // The message keys page (with the layout) mentions, sorted: what a test checks exists.
  std::vector<std::string> MessageKeys(std::string_view page) const;

  // An embedded static file by name ("tessera.css"), or nullopt.
  std::optional<std::string_view> Static(std::string_view name) const;

  // 16 hex chars of the SHA-256 of static/tessera.css: an ETag (quote it) and the ?v= of the
  // stylesheet's URL in every page.
  std::string_view css_etag() const { return css_etag_; }

  // The Content-Type for a static file name, by its extension.
  static std::string_view ContentType(std::string_view name);

 private:
  class Template;  // a parsed template and its pool of copies (page_renderer.cc)

  std::map<std::string, std::unique_ptr<Template>, std::less<>> pages_;
  std::unique_ptr<Template> layout_;
  std::map<std::string, std::vector<std::string>, std::less<>> sections_;  // page's + layout's
  std::map<std::string, std::vector<std::string>, std::less<>> message_keys_;  // page's + layout's
  std::string css_etag_;
};

}  // namespace tessera::web
