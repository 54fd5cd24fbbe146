// Per-app settings: the settings_json column's one parser and serializer
// (tenancy/app_settings.h) and the limits checked before they are saved
// (tenancy/app_settings_validation.h). Their effect on the services:
// app_settings_in_effect_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "i18n/message_catalog.h"
#include "tenancy/app_settings.h"
#include "tenancy/app_settings_validation.h"

namespace tessera::services {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
namespace json = boost::json;

store::AppSettings EveryMemberSet() {
  store::AppSettings s;
  s.allow_signup = false;
  s.require_verified_email = true;
  s.email_code_login = false;
  s.magic_link_login = false;
  s.password_min_length = 12;
  s.access_token_ttl_s = 120;
  s.refresh_token_ttl_s = 7200;
  s.mail_from = "Acme <acme@example.com>";
  s.mail_sender_name = "Acme Support";
  s.redirect_uris = {"https://acme.example/cb", "com.acme.app:/cb"};
  s.display_name = "Acme Inc.";
  s.logo_url = "https://cdn.example/logo.png";
  s.accent_color = "#1a73e8";
  s.mfa = store::MfaPolicy::kRequired;
  s.mfa_totp = false;
  s.mfa_passkeys = false;
  s.passkey_origins = {"https://app.acme.example", "android:apk-key-hash:" + std::string(43, 'A')};
  s.device_flow = true;
  s.par = true;
  s.token_exchange = true;
  s.dpop = true;
  s.dpop_nonce = true;
  s.dynamic_registration = true;
  s.backchannel_logout = true;
  s.signed_request_objects = true;
  s.pairwise_subjects = true;
  return s;
}

TEST(AppSettingsTest, SerializeThenParseKeepsEveryMember) {
  store::AppSettings in = EveryMemberSet();
  ASSERT_TRUE(ValidateAppSettings(in).ok());
  store::AppSettings out = store::ParseAppSettings(store::SerializeAppSettings(in));
  EXPECT_EQ(out.allow_signup, false);
  EXPECT_EQ(out.require_verified_email, true);
  EXPECT_EQ(out.email_code_login, false);
  EXPECT_EQ(out.magic_link_login, false);
  EXPECT_EQ(out.password_min_length, 12);
  EXPECT_EQ(out.access_token_ttl_s, 120);
  EXPECT_EQ(out.refresh_token_ttl_s, 7200);
  EXPECT_EQ(out.mail_from, "Acme <acme@example.com>");
  EXPECT_EQ(out.mail_sender_name, "Acme Support");
  EXPECT_THAT(out.redirect_uris, ElementsAre("https://acme.example/cb", "com.acme.app:/cb"));
  EXPECT_EQ(out.display_name, "Acme Inc.");
  EXPECT_EQ(out.logo_url, "https://cdn.example/logo.png");
  EXPECT_EQ(out.accent_color, "#1a73e8");
  EXPECT_EQ(out.mfa, store::MfaPolicy::kRequired);
  EXPECT_FALSE(out.mfa_totp);
  EXPECT_FALSE(out.mfa_passkeys);
  EXPECT_EQ(out.passkey_origins, in.passkey_origins);
  EXPECT_TRUE(out.device_flow);
  EXPECT_TRUE(out.par);
  EXPECT_TRUE(out.token_exchange);
  EXPECT_TRUE(out.dpop);
  EXPECT_TRUE(out.dpop_nonce);
  EXPECT_TRUE(out.dynamic_registration);
  EXPECT_TRUE(out.backchannel_logout);
  EXPECT_TRUE(out.signed_request_objects);
  EXPECT_TRUE(out.pairwise_subjects);
  // Stable: a second round gives the same text.
  EXPECT_EQ(store::SerializeAppSettings(out), store::SerializeAppSettings(in));
}

TEST(AppSettingsTest, DefaultsRoundTripAndBadInputGivesDefaults) {
  store::AppSettings d = store::ParseAppSettings(store::SerializeAppSettings(store::AppSettings{}));
  EXPECT_TRUE(d.allow_signup);
  EXPECT_FALSE(d.require_verified_email);
  EXPECT_TRUE(d.email_code_login);
  EXPECT_TRUE(d.magic_link_login);
  EXPECT_EQ(d.password_min_length, 0);
  EXPECT_EQ(d.access_token_ttl_s, 0);
  EXPECT_EQ(d.refresh_token_ttl_s, 0);
  EXPECT_THAT(d.redirect_uris, IsEmpty());
  EXPECT_EQ(d.mail_from, "");
  EXPECT_EQ(d.mfa, store::MfaPolicy::kOptional);
  EXPECT_TRUE(d.mfa_totp);
  EXPECT_TRUE(d.mfa_passkeys);
  EXPECT_FALSE(d.device_flow);
  EXPECT_FALSE(d.par);
  EXPECT_FALSE(d.token_exchange);
  EXPECT_FALSE(d.dpop);
  EXPECT_FALSE(d.dpop_nonce);
  EXPECT_FALSE(d.dynamic_registration);
  EXPECT_FALSE(d.backchannel_logout);
  EXPECT_FALSE(d.signed_request_objects);
  EXPECT_FALSE(d.pairwise_subjects);
  // An unknown policy reads as the default, never as "off".
  EXPECT_EQ(store::ParseAppSettings("{\"mfa\":\"none\"}").mfa, store::MfaPolicy::kOptional);
  EXPECT_EQ(store::ParseAppSettings("{\"mfa\":\"off\"}").mfa, store::MfaPolicy::kOff);
  // Zero and empty members are left out of the JSON.
  json::object o = json::parse(store::SerializeAppSettings(store::AppSettings{})).as_object();
  EXPECT_FALSE(o.contains("password_min_length"));
  EXPECT_FALSE(o.contains("mail_from"));
  EXPECT_FALSE(o.contains("logo_url"));

  for (const std::string& text :
       {std::string("not json"), std::string("[1,2]"), std::string(""),
        std::string("{\"allow_signup\":\"no\",\"password_min_length\":"
                    "\"12\",\"redirect_uris\":[1,\"https://a.example/\"]}")}) {
    store::AppSettings s = store::ParseAppSettings(text);
    EXPECT_TRUE(s.allow_signup) << text;
    EXPECT_EQ(s.password_min_length, 0) << text;
  }
  // Wrongly typed entries of the list are skipped, the rest kept.
  store::AppSettings partial =
      store::ParseAppSettings("{\"redirect_uris\":[1,\"https://a.example/\"],\"accent_color\":7}");
  EXPECT_THAT(partial.redirect_uris, ElementsAre("https://a.example/"));
  EXPECT_EQ(partial.accent_color, "");
}

// The one field a single bad member is reported under.
std::vector<std::string> FieldsOf(const store::AppSettings& s) {
  Status st = ValidateAppSettings(s);
  if (st.ok()) return {};
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  std::vector<std::string> out;
  for (const auto& f : st.field_errors()) out.push_back(f.field);
  return out;
}

TEST(AppSettingsTest, ValidateNamesTheFieldOfEachRangeError) {
  store::AppSettings s;
  EXPECT_TRUE(ValidateAppSettings(s).ok());
  EXPECT_TRUE(ValidateAppSettings(EveryMemberSet()).ok());

  for (int len : {0, 8, 64, 128}) {
    s = {};
    s.password_min_length = len;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << len;
  }
  for (int len : {7, 129, -1}) {
    s = {};
    s.password_min_length = len;
    EXPECT_THAT(FieldsOf(s), ElementsAre("password_min_length")) << len;
  }
  for (int64_t ttl : {0, 60, 86400}) {
    s = {};
    s.access_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << ttl;
  }
  for (int64_t ttl : {59, 86401}) {
    s = {};
    s.access_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), ElementsAre("access_token_ttl_s")) << ttl;
  }
  for (int64_t ttl : {0, 3600, 31536000}) {
    s = {};
    s.refresh_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << ttl;
  }
  for (int64_t ttl : {3599, 31536001}) {
    s = {};
    s.refresh_token_ttl_s = ttl;
    EXPECT_THAT(FieldsOf(s), ElementsAre("refresh_token_ttl_s")) << ttl;
  }
}

TEST(AppSettingsTest, PasskeyOriginsAreExactOriginsOrAndroidKeyHashes) {
  const std::string hash = "xT5kq_2mVbN4cR8tY1wZ6hJ5gF0dS2aL9eU4iO7kM-A";
  ASSERT_EQ(hash.size(), 43u);
  for (const std::string& ok :
       {std::string("https://app.example.com"), std::string("https://app.example.com:8443"),
        std::string("http://localhost:3000"), std::string("http://127.0.0.1:5173"),
        "android:apk-key-hash:" + hash}) {
    EXPECT_TRUE(IsValidPasskeyOrigin(ok)) << ok;
  }
  // What a browser never sends as an origin: a path or trailing slash, a default port, upper
  // case, user info, plain http off localhost, another scheme; a hash of the wrong length or
  // alphabet.
  for (const std::string& bad :
       {std::string("https://app.example.com/"), std::string("https://app.example.com/login"),
        std::string("https://app.example.com:443"), std::string("https://App.example.com"),
        std::string("https://u@app.example.com"), std::string("http://app.example.com"),
        std::string("http://localhost:80"), std::string("ftp://app.example.com"),
        std::string("https://app.example.com?x=1"), std::string("https://app.example.com:"),
        std::string("app.example.com"), std::string(""), std::string("https://"),
        "android:apk-key-hash:" + hash.substr(1), "android:apk-key-hash:" + hash + "A",
        "android:apk-key-hash:" + hash.substr(1) + "=", "android:apk-key-hash:" + hash.substr(1) + "+"}) {
    EXPECT_FALSE(IsValidPasskeyOrigin(bad)) << bad;
  }
  store::AppSettings s;
  s.passkey_origins = {"https://app.example.com", "https://app.example.com/"};
  EXPECT_THAT(FieldsOf(s), ElementsAre("passkey_origins"));
  s.passkey_origins.assign(11, "https://app.example.com");
  EXPECT_THAT(FieldsOf(s), ElementsAre("passkey_origins"));
  s.passkey_origins.resize(10);
  EXPECT_THAT(FieldsOf(s), IsEmpty());
}

TEST(AppSettingsTest, ValidateNamesTheFieldOfEachFormatError) {
  store::AppSettings s;
  for (const char* c : {"#12345g", "red", "#1234567", "123456", "#12345"}) {
    s = {};
    s.accent_color = c;
    EXPECT_THAT(FieldsOf(s), ElementsAre("accent_color")) << c;
  }
  for (const char* c : {"#1a73e8", "#ABCDEF"}) {
    s = {};
    s.accent_color = c;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << c;
  }

  for (const char* url : {"javascript:alert(1)", "http://evil.example/x.png",
                          "data:image/png;base64,AAAA", "//cdn.example/x.png", "https://"}) {
    s = {};
    s.logo_url = url;
    EXPECT_THAT(FieldsOf(s), ElementsAre("logo_url")) << url;
  }
  for (const char* url : {"https://cdn.example/logo.png", "http://127.0.0.1:9/x.png"}) {
    s = {};
    s.logo_url = url;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << url;
  }

  for (const char* from : {"not an address", "Name <no-at-sign>", "@example.com", "a@"}) {
    s = {};
    s.mail_from = from;
    EXPECT_THAT(FieldsOf(s), ElementsAre("mail_from")) << from;
  }
  for (const char* from : {"acme@example.com", "Acme <acme@example.com>"}) {
    s = {};
    s.mail_from = from;
    EXPECT_THAT(FieldsOf(s), IsEmpty()) << from;
  }

  for (const std::string& name :
       {std::string("Acme\nBcc: x@evil.example"), std::string("Acme\r"),
        std::string("Acme <x@evil.example>"), std::string("A \"q\""), std::string(101, 'a')}) {
    s = {};
    s.mail_sender_name = name;
    EXPECT_THAT(FieldsOf(s), ElementsAre("mail_sender_name")) << name;
  }
  s = {};
  s.mail_sender_name = "Acme Support";
  EXPECT_THAT(FieldsOf(s), IsEmpty());

  s = {};
  s.display_name = std::string(101, 'x');
  EXPECT_THAT(FieldsOf(s), ElementsAre("display_name"));

  for (const char* uri : {"http://example.com/cb", "https://example.com/cb#frag", "not a uri"}) {
    s = {};
    s.redirect_uris = {"https://ok.example/cb", uri};
    EXPECT_THAT(FieldsOf(s), ElementsAre("redirect_uris")) << uri;
  }
  s = {};
  for (int i = 0; i < 21; ++i) s.redirect_uris.push_back("https://a.example/" + std::to_string(i));
  EXPECT_THAT(FieldsOf(s), ElementsAre("redirect_uris"));
  s.redirect_uris.pop_back();
  EXPECT_THAT(FieldsOf(s), IsEmpty());

  // Several bad members at once: each is named.
  s = {};
  s.password_min_length = 7;
  s.accent_color = "red";
  s.logo_url = "javascript:alert(1)";
  EXPECT_THAT(FieldsOf(s), UnorderedElementsAre("password_min_length", "accent_color", "logo_url"));
}

}  // namespace
}  // namespace tessera::services

namespace tessera::services {
namespace {

// The language settings (i18n/): the default language, and the app's own wording, kept
// through the settings_json column and checked against the catalogue before they are saved.
TEST(AppSettingsTest, LanguagesRoundTripAndAreCheckedAgainstTheCatalogue) {
  const auto& catalog = i18n::MessageCatalog::Embedded();
  const std::string key = catalog.Keys().front();
  store::AppSettings in;
  in.default_locale = "ar";
  in.messages["de"][key] = "Unser eigener Text";
  in.messages["es"][key] = "Nuestro texto";
  ASSERT_TRUE(ValidateAppSettings(in).ok()) << ValidateAppSettings(in).ToString();
  store::AppSettings out = store::ParseAppSettings(store::SerializeAppSettings(in));
  EXPECT_EQ(out.default_locale, "ar");
  EXPECT_EQ(out.messages, in.messages);
  EXPECT_EQ(out, in);

  auto field_of = [](const store::AppSettings& s) {
    Status st = ValidateAppSettings(s);
    return st.field_errors().empty() ? std::string() : st.field_errors().front().field;
  };
  store::AppSettings bad;
  bad.default_locale = "fr";
  EXPECT_EQ(field_of(bad), "default_locale");
  bad = {};
  bad.messages["xx"][key] = "x";
  EXPECT_EQ(field_of(bad), "messages.xx");
  bad = {};
  bad.messages["de"]["nope.nothing"] = "x";
  EXPECT_EQ(field_of(bad), "messages.de.nope.nothing");
  bad = {};
  bad.messages["de"][key] = "{unbalanced";
  EXPECT_EQ(field_of(bad), "messages.de." + key);
  bad = {};
  bad.messages["de"][key] = "{not_an_argument_of_it}";
  EXPECT_EQ(field_of(bad), "messages.de." + key);
  bad = {};
  for (const auto& k : catalog.Keys()) {
    for (const char* l : {"en", "de", "es", "ar"}) bad.messages[l][k] = "x";
    if (bad.messages["en"].size() * 4 > kMaxMessageOverrides) break;
  }
  EXPECT_EQ(field_of(bad), "messages");
}

}  // namespace
}  // namespace tessera::services
