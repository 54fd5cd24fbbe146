// UTF-8 validation and repair (base/utf8.h): the edge check of every form, query, JSON string
// and path, and the repair of text shown rather than trusted. ICU is the oracle: its strict
// conversion agrees with Utf8Length on what is well-formed and how many code points it holds,
// and its substituting conversion replaces the same maximal subparts with U+FFFD as ToValidUtf8.
#include <unicode/ustring.h>

#include <string>

#include "base/utf8.h"
#include "fuzz_support.h"

namespace {

// ICU's count of UTF-16 units and of code points, strict (nullopt when ill-formed) or with
// every ill-formed subsequence replaced by U+FFFD.
struct Icu {
  bool ok = false;
  std::u16string text;
};

Icu IcuDecode(std::string_view utf8, bool substitute) {
  Icu r;
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = 0;
  int32_t subs = 0;
  r.text.resize(utf8.size() + 1);
  if (substitute) {
    u_strFromUTF8WithSub(r.text.data(), static_cast<int32_t>(r.text.size()), &len, utf8.data(),
                         static_cast<int32_t>(utf8.size()), 0xFFFD, &subs, &err);
  } else {
    u_strFromUTF8(r.text.data(), static_cast<int32_t>(r.text.size()), &len, utf8.data(),
                  static_cast<int32_t>(utf8.size()), &err);
  }
  r.ok = U_SUCCESS(err);
  if (r.ok) r.text.resize(static_cast<size_t>(len));
  return r;
}

size_t CodePoints(const std::u16string& s) {
  size_t n = 0;
  for (char16_t c : s) n += (c < 0xDC00 || c > 0xDFFF);  // trail surrogates do not count
  return n;
}

bool HasControl(std::string_view valid_utf8) {
  for (size_t i = 0; i < valid_utf8.size(); ++i) {
    auto c = static_cast<unsigned char>(valid_utf8[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xC2 && i + 1 < valid_utf8.size() &&
        static_cast<unsigned char>(valid_utf8[i + 1]) < 0xA0) {
      return true;  // C1
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view text = fuzz::AsText(data, size);

  auto length = Utf8Length(text);
  Icu strict = IcuDecode(text, false);
  FUZZ_CHECK(length.has_value() == strict.ok, "Utf8Length and ICU disagree on validity");
  if (length) FUZZ_CHECK(*length == CodePoints(strict.text), "code point count differs from ICU");
  FUZZ_CHECK(IsStorableText(text) == (length.has_value() && text.find('\0') == text.npos),
             "IsStorableText is valid UTF-8 without NUL");

  std::string repaired = ToValidUtf8(text);
  FUZZ_CHECK(IsValidUtf8(repaired), "ToValidUtf8 gives valid UTF-8");
  if (length) FUZZ_CHECK(repaired == text, "valid text is left as it is");
  Icu substituted = IcuDecode(text, true);
  FUZZ_CHECK(substituted.ok, "ICU substitutes");
  Icu back = IcuDecode(repaired, false);
  FUZZ_CHECK(back.ok && back.text == substituted.text,
             "ToValidUtf8 replaces the maximal subparts ICU replaces");

  size_t max_bytes = size == 0 ? 0 : data[0] % 64;
  std::string shown = DisplayText(text, max_bytes);
  FUZZ_CHECK(IsValidUtf8(shown), "DisplayText gives valid UTF-8");
  FUZZ_CHECK(shown.size() <= max_bytes, "DisplayText stays within max_bytes");
  FUZZ_CHECK(!HasControl(shown), "DisplayText drops control characters");
  return 0;
}
