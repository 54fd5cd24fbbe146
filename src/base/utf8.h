// File: utf8.h
// UTF-8 validity, checked wherever text from outside must be text (paths, names, passwords,
// form and JSON fields), and the repairs for text shown rather than trusted: headers recorded
// for display, and old stored bytes on their way out as JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tessera {

// The number of code points of well-formed UTF-8 (Unicode §3.9, table 3-7: no overlong forms,
// no surrogates, nothing above U+10FFFF); nullopt for malformed input.
std::optional<size_t> Utf8Length(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return Utf8Length(text).has_value(); }

// Text the database can hold: well-formed UTF-8 without NUL (PostgreSQL refuses both).
bool IsStorableText(std::string_view text);

// `text` with every maximal ill-formed subsequence replaced by U+FFFD (the W3C/WHATWG
// practice); `text` itself when it is well-formed.
std::string ToValidUtf8(std::string_view text);

// A header value kept for display (User-Agent in sessions and audit events): ill-formed
// sequences become U+FFFD, control characters (C0, DEL, C1) are dropped, and the result is cut
// at a character boundary to at most `max_bytes`. Never refused: a strange browser still signs in.
std::string DisplayText(std::string_view text, size_t max_bytes);

}  // namespace tessera
