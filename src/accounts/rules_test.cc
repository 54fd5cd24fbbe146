// Input rules: passwords (NIST SP 800-63B), emails, usernames, profile fields, slugs.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tenancy/app_service.h"
#include "accounts/identity_rules.h"
#include "accounts/password_policy.h"
#include "accounts/profile.h"
#include "base/strings.h"

namespace tessera::services {
namespace {

TEST(PasswordPolicy, LengthCountsCodePointsNotBytes) {
  PasswordPolicy p;
  EXPECT_TRUE(CheckPassword("ééééééé", p, "", "").has_value());     // 7 chars, 14 bytes
  EXPECT_FALSE(CheckPassword("éééééééx", p, "", "").has_value());   // 8 chars
  EXPECT_FALSE(CheckPassword("🔐🔑🗝️🚪🏠🔒🔓🧷", p, "", "").has_value());
  EXPECT_TRUE(CheckPassword(StrCat({std::string(257, 'a'), "b"}), p, "", "").has_value());
  EXPECT_FALSE(CheckPassword(StrCat({std::string(200, 'a'), "bcd"}), p, "", "").has_value());
}

TEST(PasswordPolicy, NoCompositionRulesButCommonAndPersonalPasswordsFail) {
  PasswordPolicy p;
  EXPECT_FALSE(CheckPassword("alllowercaseletters", p, "", "").has_value());
  EXPECT_EQ(CheckPassword("Password123", p, "", "").value(),
            "is too common; choose a less predictable password");
  EXPECT_TRUE(CheckPassword("12345678", p, "", "").has_value());
  EXPECT_EQ(CheckPassword("Mary.Jones@example.com", p, "mary.jones@example.com", "").value(),
            "must not be your email address");
  EXPECT_TRUE(CheckPassword("maryjones42", p, "a@b.co", "MaryJones42").has_value());
  EXPECT_TRUE(CheckPassword("zzzzzzzzzz", p, "", "").has_value());
  EXPECT_EQ(CheckPassword("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", p, "", "").value(),
            "must be valid UTF-8");
}

TEST(IdentityRules, Email) {
  EXPECT_EQ(ValidEmail("  Ada@Example.COM ").value(), "Ada@Example.COM");
  EXPECT_EQ(NormalizeEmail("Ada@Example.COM"), "ada@example.com");
  for (std::string bad : {"", "ada", "@example.com", "ada@", "ada@example", "ada@@example.com",
                          "a da@example.com", "ada@example..com", "ada@.example.com",
                          "<script>@example.com", "ada@example.com.", "ada\n@example.com"}) {
    EXPECT_FALSE(ValidEmail(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ValidEmail(StrCat({std::string(250, 'a'), "@example.com"})).has_value());
  EXPECT_TRUE(ValidEmail("zoë@exämple.de").has_value());  // internationalised addresses pass
}

// Issue 11, item 11: one mailbox, one key. The domain becomes IDNA A-labels (UTS 46
// non-transitional, lower-cased), the local part NFC and lower-cased (Unicode, root locale).
TEST(IdentityRules, EmailKeyIsOneForEveryUnicodeSpelling) {
  const std::string key = "ana@xn--bcher-kva.de";
  EXPECT_EQ(NormalizeEmail("ana@bücher.de"), key);
  EXPECT_EQ(NormalizeEmail("ana@BÜCHER.de"), key);
  EXPECT_EQ(NormalizeEmail("ana@xn--bcher-kva.de"), key);
  EXPECT_EQ(NormalizeEmail("ANA@XN--BCHER-KVA.DE"), key);
  EXPECT_EQ(NormalizeEmail("ana@bu\xcc\x88" "cher.de"), key);  // u + combining diaeresis
  // Local part: NFC and Unicode lower-case; ß is kept (not folded to ss: another mailbox).
  EXPECT_EQ(NormalizeEmail("ZOË@x.de"), "zoë@x.de");
  EXPECT_EQ(NormalizeEmail("zoe\xcc\x88@x.de"), "zoë@x.de");
  EXPECT_EQ(NormalizeEmail("Straße@x.de"), "straße@x.de");
  EXPECT_EQ(NormalizeEmail("a@faß.de"), "a@xn--fa-hia.de");  // non-transitional: ß stays
  // ASCII keeps its key of before, even a domain IDNA refuses (no account lost).
  EXPECT_EQ(NormalizeEmail("Ada@Example.COM"), "ada@example.com");
  EXPECT_EQ(NormalizeEmail("a@Foo_Bar.com"), "a@foo_bar.com");
}

TEST(IdentityRules, EmailMustBeUtf8WithAnIdnaDomain) {
  EXPECT_FALSE(ValidEmail("bad\xff\xfeuser@example.com").has_value());
  EXPECT_FALSE(ValidEmail("ana@b\xc3.de").has_value());      // a cut sequence
  EXPECT_FALSE(ValidEmail("ana@\xc3\x84\xc3\x96--x.de").has_value());  // ÄÖ--x: not IDNA2008
  EXPECT_TRUE(ValidEmail("ana@BÜCHER.de").has_value());
}

TEST(IdentityRules, Username) {
  EXPECT_FALSE(CheckUsername("Ada_Lovelace-1.0").has_value());
  EXPECT_EQ(NormalizeUsername("Ada_Lovelace"), "ada_lovelace");
  for (std::string bad : std::vector<std::string>{"ab", "_ada", "ada@home", "ada lovelace", "ada;drop", "ädä",
                          std::string(65, 'a')}) {
    EXPECT_TRUE(CheckUsername(bad).has_value()) << bad;
  }
}

TEST(Profile, MergesRemovesAndRejectsAtomically) {
  boost::json::object profile{{"name", "Ada"}, {"locale", "en-GB"}};
  std::vector<FieldError> errors;
  ApplyProfilePatch(boost::json::parse(R"({"name":null,"nickname":"<b>Countess</b>",
      "address":{"locality":"London","country":"UK"},"birthdate":"1815-12-10"})").as_object(),
                    profile, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_FALSE(profile.contains("name"));
  EXPECT_EQ(profile["nickname"].as_string(), "<b>Countess</b>");  // stored verbatim, escaped on output
  EXPECT_EQ(profile["address"].as_object()["locality"].as_string(), "London");

  boost::json::object before = profile;
  ApplyProfilePatch(boost::json::parse(R"({"locale":"fr","birthdate":"1815-13-10",
      "picture":"ftp://x","phone_number":"call me","address":{"planet":"Mars"},"name":7})").as_object(),
                    profile, errors);
  EXPECT_EQ(errors.size(), 5u);
  EXPECT_EQ(profile, before);  // nothing applied when anything is wrong
}

TEST(Profile, ZoneinfoIsAnIanaTimeZoneName) {
  boost::json::object profile;
  std::vector<FieldError> errors;
  ApplyProfilePatch(boost::json::parse(R"({"zoneinfo":"America/Los_Angeles"})").as_object(),
                    profile, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(profile["zoneinfo"].as_string(), "America/Los_Angeles");
  for (const char* bad : {"Pacific Time", "GMT+01:00", "Europe/Paris'--", "<b>UTC</b>"}) {
    errors.clear();
    boost::json::object patch{{"zoneinfo", bad}};
    ApplyProfilePatch(patch, profile, errors);
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0].field, "profile.zoneinfo");
    EXPECT_EQ(errors[0].message, "must be a time zone name such as Europe/Paris");
    EXPECT_EQ(profile["zoneinfo"].as_string(), "America/Los_Angeles") << bad;
  }
}

TEST(AppSlug, Rules) {
  EXPECT_TRUE(IsValidSlug("default"));
  EXPECT_TRUE(IsValidSlug("my-app-2"));
  for (std::string bad : std::vector<std::string>{"", "-x", "My", "a/b", "a b", "..", std::string(64, 'a')}) {
    EXPECT_FALSE(IsValidSlug(bad)) << bad;
  }
}

}  // namespace
}  // namespace tessera::services
