#include "base/utf8.h"

#include <algorithm>

namespace tessera {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the well-formed sequence at `i`, or 0 when it is ill-formed; `*bad` is then the
// length of the maximal ill-formed subsequence to replace by one U+FFFD (at least 1).
size_t SequenceAt(std::string_view s, size_t i, size_t* bad) {
  auto c = static_cast<unsigned char>(s[i]);
  *bad = 1;
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte (table 3-7)
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return 0;
    auto b = static_cast<unsigned char>(s[i + k]);
    bool ok = k == 1 ? (b >= lo && b <= hi) : IsContinuation(b);
    if (!ok) return 0;
    *bad = k + 1;  // the well-formed prefix so far: replaced as one if the sequence breaks
  }
  return len;
}

bool IsControl(std::string_view ch) {
  auto c = static_cast<unsigned char>(ch[0]);
  if (ch.size() == 1) return c < 0x20 || c == 0x7F;
  return ch.size() == 2 && c == 0xC2 && static_cast<unsigned char>(ch[1]) < 0xA0;  // C1
}

}  // namespace

std::optional<size_t> Utf8Length(std::string_view text) {
  // Every JSON answer is checked (ToJsonText) and nearly all are ASCII: one plain scan first.
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return text.size();
  }
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    size_t bad = 0;
    size_t len = SequenceAt(text, i, &bad);
    if (len == 0) return std::nullopt;
    i += len;
  }
  return count;
}

bool IsStorableText(std::string_view text) {
  return text.find('\0') == std::string_view::npos && IsValidUtf8(text);
}

std::string ToValidUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    size_t bad = 0;
    size_t len = SequenceAt(text, i, &bad);
    if (len == 0) {
      // The prefix of a sequence that breaks off is one ill-formed subsequence, and the byte
      // that broke it starts afresh (Unicode §3.9, "U+FFFD Substitution of Maximal Subparts").
      out += kReplacement;
      i += bad;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string DisplayText(std::string_view text, size_t max_bytes) {
  std::string valid = ToValidUtf8(text);
  std::string out;
  out.reserve(std::min(valid.size(), max_bytes));
  for (size_t i = 0; i < valid.size();) {
    size_t bad = 0;
    size_t len = SequenceAt(valid, i, &bad);
    std::string_view ch = std::string_view(valid).substr(i, len);
    i += len;
    if (IsControl(ch)) continue;
    if (out.size() + len > max_bytes) break;
    out.append(ch);
  }
  return out;
}

}  // namespace tessera
