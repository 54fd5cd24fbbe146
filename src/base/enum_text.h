// File: enum_text.h
// A closed set of strings (a session's kind, an email token's purpose, an audit action …) is an
// enum with ONE table that gives each value its text. The store engines write and read the
// column through it, and the JSON and HTML writers print it, so the text cannot drift.
//
//   enum class SessionKind { kApi, kBrowser, kOAuth };
//   inline constexpr EnumText<SessionKind> kSessionKindTexts[] = {
//       {SessionKind::kApi, "api"}, {SessionKind::kBrowser, "browser"},
//       {SessionKind::kOAuth, "oauth"}};
//   constexpr std::span<const EnumText<SessionKind>> TextsOf(SessionKind) {
//     return kSessionKindTexts;
//   }
//
//   ToText(SessionKind::kApi) == "api";  FromText<SessionKind>("oauth") == SessionKind::kOAuth
//
// TextsOf is found by argument-dependent lookup, so it sits beside its enum. A value renamed
// keeps its former text as a later row of the same value: read (FromText), never written
// (ToText takes the first row).
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace tessera {

template <typename E>
struct EnumText {
  E value;
  std::string_view text;
};

template <typename E>
concept TextEnum = std::is_enum_v<E> && requires(E e) {
  { TextsOf(e) } -> std::convertible_to<std::span<const EnumText<E>>>;
};

// The text of `value`: the first row that has it ("" for a value the table lacks, which the
// tables' unit tests rule out).
template <TextEnum E>
constexpr std::string_view ToText(E value) {
  for (const EnumText<E>& row : TextsOf(value)) {
    if (row.value == value) return row.text;
  }
  return {};
}

// The value whose text (current or former) is `text`; nullopt for any other text.
template <TextEnum E>
constexpr std::optional<E> FromText(std::string_view text) {
  for (const EnumText<E>& row : TextsOf(E{})) {
    if (row.text == text) return row.value;
  }
  return std::nullopt;
}

}  // namespace tessera
