#include "accounts/identity_rules.h"

#include <idn2.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <memory>

#include "base/utf8.h"

namespace tessera::services {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool IsSpaceOrControl(unsigned char c) { return c <= 0x20 || c == 0x7f; }

// ICU works in UTF-16: each step below preflights (a first call with no room tells the
// length) and then converts, so no buffer size is guessed.
using U16 = std::u16string;

std::optional<U16> ToU16(std::string_view utf8) {
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = 0;
  u_strFromUTF8(nullptr, 0, &len, utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return std::nullopt;
  U16 out(static_cast<size_t>(len), u'\0');
  err = U_ZERO_ERROR;
  u_strFromUTF8(out.data(), len, &len, utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  if (U_FAILURE(err)) return std::nullopt;
  return out;
}

std::optional<std::string> ToUtf8(const U16& s) {
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = 0;
  u_strToUTF8(nullptr, 0, &len, s.data(), static_cast<int32_t>(s.size()), &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return std::nullopt;
  std::string out(static_cast<size_t>(len), '\0');
  err = U_ZERO_ERROR;
  u_strToUTF8(out.data(), len, &len, s.data(), static_cast<int32_t>(s.size()), &err);
  if (U_FAILURE(err)) return std::nullopt;
  return out;
}

std::optional<U16> Nfc(const U16& s) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* nfc = unorm2_getNFCInstance(&err);
  if (U_FAILURE(err)) return std::nullopt;
  int32_t len = unorm2_normalize(nfc, s.data(), static_cast<int32_t>(s.size()), nullptr, 0, &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return std::nullopt;
  U16 out(static_cast<size_t>(len), u'\0');
  err = U_ZERO_ERROR;
  unorm2_normalize(nfc, s.data(), static_cast<int32_t>(s.size()), out.data(), len, &err);
  if (U_FAILURE(err)) return std::nullopt;
  return out;
}

// Full Unicode lower-casing in the root locale (no Turkish dotless-i surprises).
std::optional<U16> Lower(const U16& s) {
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = u_strToLower(nullptr, 0, s.data(), static_cast<int32_t>(s.size()), "", &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return std::nullopt;
  U16 out(static_cast<size_t>(len), u'\0');
  err = U_ZERO_ERROR;
  u_strToLower(out.data(), len, s.data(), static_cast<int32_t>(s.size()), "", &err);
  if (U_FAILURE(err)) return std::nullopt;
  return out;
}

// The local part's key: NFC, lower-cased, NFC again (lower-casing may leave a string that is
// not in NFC). ASCII takes the old path and gives the same key as before.
std::optional<std::string> LocalKey(std::string_view local) {
  if (IsAscii(local)) return AsciiLower(local);
  auto u16 = ToU16(local);
  if (!u16) return std::nullopt;
  auto nfc = Nfc(*u16);
  auto lower = nfc ? Lower(*nfc) : std::nullopt;
  auto again = lower ? Nfc(*lower) : std::nullopt;
  return again ? ToUtf8(*again) : std::nullopt;
}

// The domain's key: IDNA2008 with UTS 46 non-transitional mapping (which lower-cases and
// keeps ß), as A-labels. An ASCII domain libidn2 refuses (an underscore, a label of 64+) keeps
// the old ASCII lower-casing, so no existing account becomes unreachable; a non-ASCII one it
// refuses is not an address.
std::optional<std::string> DomainKey(std::string_view domain) {
  std::string input(domain);
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, decltype(&idn2_free)> owned(out, &idn2_free);
  if (rc == IDN2_OK && out) return AsciiLower(out);
  if (IsAscii(domain)) return AsciiLower(domain);
  return std::nullopt;
}

// The key of a trimmed address of the shape ValidEmail checks; nullopt when a part cannot be
// normalised.
std::optional<std::string> EmailKey(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  auto local = LocalKey(email.substr(0, at));
  auto domain = DomainKey(email.substr(at + 1));
  if (!local || !domain) return std::nullopt;
  return *local + "@" + *domain;
}

}  // namespace

std::optional<std::string> ValidEmail(std::string_view input) {
  while (!input.empty() && std::isspace(static_cast<unsigned char>(input.front()))) input.remove_prefix(1);
  while (!input.empty() && std::isspace(static_cast<unsigned char>(input.back()))) input.remove_suffix(1);
  if (input.size() > 254 || !IsValidUtf8(input)) return std::nullopt;
  size_t at = input.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 ||
      input.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view domain = input.substr(at + 1);
  size_t dot = domain.find('.');
  if (domain.empty() || dot == 0 || dot == std::string_view::npos || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return std::nullopt;
  }
  if (std::any_of(input.begin(), input.end(),
                  [](char c) { return IsSpaceOrControl(static_cast<unsigned char>(c)); }) ||
      input.find_first_of("<>()[],;:\\\"") != std::string_view::npos) {
    return std::nullopt;
  }
  // The identity key must exist and fit too (A-labels are longer than the Unicode they encode).
  auto key = EmailKey(input);
  if (!key || key->size() > 254) return std::nullopt;
  return std::string(input);
}

std::string NormalizeEmail(std::string_view email) {
  auto key = EmailKey(email);
  return key ? *key : AsciiLower(email);
}

std::optional<std::string> CheckUsername(std::string_view username) {
  if (username.size() < 3 || username.size() > 64) return "must be 3-64 characters";
  std::string lower = AsciiLower(username);
  if (!std::isalnum(static_cast<unsigned char>(lower.front()))) {
    return "must start with a letter or digit";
  }
  bool ok = std::all_of(lower.begin(), lower.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
  if (!ok) return "may contain only letters, digits, '.', '_' and '-'";
  return std::nullopt;
}

std::string NormalizeUsername(std::string_view username) { return AsciiLower(username); }

}  // namespace tessera::services
