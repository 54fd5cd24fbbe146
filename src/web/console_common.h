// File: console_common.h
// Small helpers shared by the console pages (console_*_pages.cc, admin_pages.cc): times and
// devices for people, form fields (lines, words, whole numbers, checkboxes), field errors
// into page data, and the notices a 303 back to a page may name (?done=…: a fixed list,
// nothing of the request is echoed).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "http/form.h"
#include "http/query.h"
#include "web/display_text.h"
#include "web/page_writer.h"

namespace tessera::web::console {

using Form = http::FormParams;

using web::DescribeAgent;  // web/display_text.h
using web::FormatTime;
// A time, or `none` when there is none.
std::string FormatTime(const std::optional<int64_t>& ms, std::string_view none);

std::string Trim(std::string_view text);
// The non-empty lines of a textarea, trimmed.
std::vector<std::string> Lines(std::string_view text);
// Words separated by spaces, commas or line breaks.
std::vector<std::string> Words(std::string_view text);
std::string Join(const std::vector<std::string>& items, std::string_view separator);
std::string Lowercase(std::string_view text);
// A form field, trimmed and cut to `max` bytes.
std::string Field(const Form& form, const std::string& name, size_t max = 2048);
bool Checked(const Form& form, const std::string& name);
// "" → 0; digits only (at most 12) → the number; anything else → nullopt.
std::optional<int64_t> WholeNumber(std::string_view text);

// Sets "<field>_error" in `d` for every field error of `s` whose field is in `fields` (several
// messages of one field are joined) and returns the messages of the others ("field: message").
std::vector<std::string> SetFieldErrors(PageData& d, const Status& s,
                                        const std::vector<std::string_view>& fields);
// The same for errors collected by the page itself.
std::vector<std::string> SetFieldErrors(PageData& d, const std::vector<FieldError>& errors,
                                        const std::vector<std::string_view>& fields);

// A query parameter, trimmed and cut to `max` bytes; nullopt when absent or empty.
std::optional<std::string> QueryText(const http::QueryParams& query, const std::string& name,
                                     size_t max);
// The notice of ?done=<what>: sets "notice" or "error" in `d`.
void SetNotice(PageData& d, const http::QueryParams& query);

// A query string "?a=1&b=2" of the non-empty values, in the order given; "" when all are empty.
std::string QueryString(std::initializer_list<std::pair<std::string_view, std::string>> params);

PageData List();

}  // namespace tessera::web::console
