// Email addresses and usernames (accounts/identity_rules.h): the shape check every signup,
// sign-in and invitation applies, and the identity key (IDNA2008/UTS 46 domains through
// libidn2, NFC and Unicode lower-casing of the local part through ICU) under which accounts
// are found. Properties: a valid address is trimmed UTF-8 of at most 254 bytes with one '@'
// and no space or control character; its key is UTF-8 with an ASCII domain and is its own key
// (normalizing twice changes nothing, so the doctor's re-keying is stable); a username
// accepted is 3-64 ASCII characters of the allowed set.
#include <algorithm>

#include "accounts/identity_rules.h"
#include "base/utf8.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view input = fuzz::AsText(data, size);

  if (auto email = services::ValidEmail(input)) {
    FUZZ_CHECK(IsValidUtf8(*email) && email->size() <= 254, "bounded UTF-8");
    FUZZ_CHECK(std::count(email->begin(), email->end(), '@') == 1, "one @");
    FUZZ_CHECK(std::none_of(email->begin(), email->end(),
                            [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }),
               "no space or control character");
    std::string key = services::NormalizeEmail(*email);
    FUZZ_CHECK(IsValidUtf8(key), "the key is UTF-8");
    std::string_view domain = std::string_view(key).substr(key.rfind('@') + 1);
    FUZZ_CHECK(std::all_of(domain.begin(), domain.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; }),
               "the key's domain is ASCII (A-labels)");
    FUZZ_CHECK(services::NormalizeEmail(key) == key, "the key is its own key");
  }
  (void)services::NormalizeEmail(input);  // also called on what sign-in forms send as is

  if (!services::CheckUsername(input)) {
    FUZZ_CHECK(input.size() >= 3 && input.size() <= 64, "3-64");
    std::string lower = services::NormalizeUsername(input);
    FUZZ_CHECK(lower.find('@') == std::string::npos, "never an @");
    FUZZ_CHECK(!services::CheckUsername(lower), "the lower-cased name is valid too");
  }
  return 0;
}
