// File: page_samples.h
// Shared plumbing of the page template tests (src/web/*_templates_test.cc,
// page_renderer_test.cc): one renderer, a sample view model per page with every variable the
// handlers fill in, and small readers of the rendered HTML (tags, attributes, counts).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/page_renderer.h"

namespace tessera::web::page_samples {

using kainjow::mustache::data;
using kainjow::mustache::list;

// The renderer every test shares (parsing the templates once).
const PageRenderer& Renderer();

// English, as the pages speak by default.
const i18n::Texts& English();

// The fields every page has (title, app name, asset base, CSRF token).
data Base(std::string title);
// An object of two string members.
data Pair(std::string k1, std::string v1, std::string k2, std::string v2);
// Sample view models, one per page (login, signup, consent, error, account, logout,
// logged_out, then the email flows' pages), with every variable the handlers fill in.
std::vector<std::pair<std::string, data>> SamplePages();
data SamplePage(std::string_view page);

// The page's HTML; a failed render fails the test (and gives "").
std::string MustRender(std::string_view page, data d);
// How often `needle` occurs in `haystack`.
size_t Count(std::string_view haystack, std::string_view needle);
// Every <name …> start tag of the page.
std::vector<std::string> Tags(std::string_view html, std::string_view name);
// The value of attribute `name` in a tag, or "".
std::string Attribute(std::string_view tag, std::string_view name);
// The start tag of the element with this id, or "".
std::string TagWithId(std::string_view html, std::string_view id);

}  // namespace tessera::web::page_samples
