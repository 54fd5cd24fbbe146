// Issue 11, item 8: who an app's mail is from. The pure rules (mail_sender.h) — the TXT
// match, the display-name sanitiser, the decision — and MailDomainService over a real store
// with a table for DNS: the claim, the check, the operator's list.
#include <gtest/gtest.h>

#include <map>

#include "tenancy/mail_domain_service.h"
#include "tenancy/mail_sender.h"
#include "tests/support/service_stack.h"

namespace tessera::services {
namespace {

constexpr char kServer[] = "Tessera <no-reply@id.example>";

TEST(MailSenderRules, TxtRecordMatchesOnlyTheExactValue) {
  EXPECT_EQ(VerificationRecordName("acme.example"), "_tessera.acme.example");
  EXPECT_EQ(VerificationRecordValue("tok123"), "tessera-verification=tok123");
  EXPECT_TRUE(TxtProvesToken({"v=spf1 -all", "tessera-verification=tok123"}, "tok123"));
  EXPECT_TRUE(TxtProvesToken({"  tessera-verification=tok123 "}, "tok123"));
  EXPECT_TRUE(TxtProvesToken({"Tessera-Verification=tok123"}, "tok123"));  // the prefix's case
  EXPECT_FALSE(TxtProvesToken({"tessera-verification=TOK123"}, "tok123"));  // the token's is not
  EXPECT_FALSE(TxtProvesToken({"tessera-verification=tok1234"}, "tok123"));
  EXPECT_FALSE(TxtProvesToken({"tessera-verification=tok12"}, "tok123"));
  EXPECT_FALSE(TxtProvesToken({"xtessera-verification=tok123"}, "tok123"));
  EXPECT_FALSE(TxtProvesToken({"tok123"}, "tok123"));
  EXPECT_FALSE(TxtProvesToken({}, "tok123"));
  EXPECT_FALSE(TxtProvesToken({"tessera-verification="}, ""));  // no token: never proven
}

TEST(MailSenderRules, DomainsAndTheOperatorsList) {
  EXPECT_EQ(DomainOfAddress("Service@PayPal.COM"), "paypal.com");
  EXPECT_EQ(DomainOfAddress("no-at"), "");
  const std::vector<std::string> allowed = {"acme.example", " Mail.Example.Org "};
  EXPECT_TRUE(DomainListed(allowed, "acme.example"));
  EXPECT_TRUE(DomainListed(allowed, "ACME.example"));
  EXPECT_TRUE(DomainListed(allowed, "mail.example.org"));
  EXPECT_FALSE(DomainListed(allowed, "sub.acme.example"));  // a subdomain is another domain
  EXPECT_FALSE(DomainListed(allowed, "example.org"));
  EXPECT_FALSE(DomainListed(allowed, ""));
  EXPECT_FALSE(DomainListed({}, "acme.example"));
}

TEST(MailSenderRules, DisplayNamesNeverReadAsAnAddress) {
  EXPECT_EQ(SafeDisplayName("Acme Support"), "Acme Support");
  EXPECT_EQ(SafeDisplayName("PayPal <service@paypal.com>"), "PayPal");
  EXPECT_EQ(SafeDisplayName("service@paypal.com"), "");
  EXPECT_EQ(SafeDisplayName("\"PayPal\" Security <>"), "PayPal Security");
  EXPECT_EQ(SafeDisplayName("  Acme \t  Support  "), "Acme Support");
  EXPECT_EQ(SafeDisplayName("Acme\r\nBcc: eve"), "AcmeBcc: eve");  // control characters go
  EXPECT_EQ(SafeDisplayName("Zoë Café"), "Zoë Café");
  std::string longer(120, 'a');
  EXPECT_EQ(SafeDisplayName(longer).size(), 100u);
  std::string accents;
  for (int i = 0; i < 60; ++i) accents += "é";  // 2 bytes each: cut between sequences
  EXPECT_EQ(SafeDisplayName(accents), std::string(accents, 0, 100));
}

TEST(MailSenderRules, AnUnprovenAddressBecomesTheReplyTo) {
  store::AppSettings s;
  s.mail_from = "PayPal Security Team <service@paypal.com>";
  RequestedSender wanted = RequestedSenderOf(s);
  ASSERT_TRUE(wanted.address);
  EXPECT_EQ(*wanted.address, "service@paypal.com");
  EXPECT_EQ(wanted.display_name, "PayPal Security Team");

  MailSender fallback = ChooseSender(wanted, kServer, /*domain_allowed=*/false);
  EXPECT_EQ(fallback.from, "\"PayPal Security Team\" <no-reply@id.example>");
  EXPECT_EQ(fallback.reply_to, "service@paypal.com");
  MailSender own = ChooseSender(wanted, kServer, /*domain_allowed=*/true);
  EXPECT_EQ(own.from, "\"PayPal Security Team\" <service@paypal.com>");
  EXPECT_EQ(own.reply_to, "");

  // A name that is all address: the server's sender as configured ("" = the worker's).
  RequestedSender spoof{std::string("service@paypal.com"), "service@paypal.com"};
  MailSender plain = ChooseSender(spoof, kServer, false);
  EXPECT_EQ(plain.from, "");
  EXPECT_EQ(plain.reply_to, "service@paypal.com");
  // The sender name setting wins over mail_from's own name, and is cleaned too.
  s.mail_sender_name = "Acme Support";
  EXPECT_EQ(ChooseSender(RequestedSenderOf(s), kServer, false).from,
            "\"Acme Support\" <no-reply@id.example>");
  // No address of the app's: its name over the server's address, no Reply-To.
  store::AppSettings named;
  named.mail_sender_name = "Acme";
  MailSender name_only = ChooseSender(RequestedSenderOf(named), kServer, true);
  EXPECT_EQ(name_only.from, "\"Acme\" <no-reply@id.example>");
  EXPECT_EQ(name_only.reply_to, "");
  // Nothing set: the server's default.
  MailSender none = ChooseSender(RequestedSenderOf(store::AppSettings{}), kServer, true);
  EXPECT_EQ(none.from, "");
  EXPECT_EQ(none.reply_to, "");
  // An invalid mail_from counts as none.
  store::AppSettings bad;
  bad.mail_from = "x\r\nBcc: y@z";
  EXPECT_FALSE(RequestedSenderOf(bad).address);
}

class MailDomainServiceTest : public ::testing::Test,
                              protected testing_support::ServiceStack {
 protected:
  void SetUp() override { Build(); }

  MailDomainService Service(std::vector<std::string> allowed = {}) {
    return MailDomainService(*store_, clock_, MailDomainOptions{std::move(allowed)},
                             [this](std::string_view name) -> Result<std::vector<std::string>> {
                               looked_up_.emplace_back(name);
                               auto it = dns_.find(std::string(name));
                               if (it == dns_.end()) return NotFoundError("no TXT");
                               return it->second;
                             });
  }
  store::App WithMailFrom(const std::string& from) {
    store::App app = app_;
    app.settings.mail_from = from;
    return app;
  }

  std::map<std::string, std::vector<std::string>> dns_;
  std::vector<std::string> looked_up_;
};

TEST_F(MailDomainServiceTest, TheTxtRecordVerifiesTheDomainForThisAppOnly) {
  MailDomainService domains = Service();
  store::App app = WithMailFrom("Acme <hello@Acme.Example>");
  EXPECT_FALSE(domains.MaySendFrom(app, "acme.example"));

  auto standing = domains.Standing(app);
  ASSERT_TRUE(standing.ok()) << standing.status().ToString();
  ASSERT_TRUE(standing->has_value());
  EXPECT_EQ((*standing)->domain, "acme.example");
  EXPECT_EQ((*standing)->record_name, "_tessera.acme.example");
  ASSERT_EQ((*standing)->record_value.rfind("tessera-verification=", 0), 0u);
  EXPECT_GE((*standing)->record_value.size(), std::string("tessera-verification=").size() + 22);
  EXPECT_FALSE((*standing)->may_send_from());
  // Asking again shows the same value (the claim is stored once).
  EXPECT_EQ(domains.Standing(app).value()->record_value, (*standing)->record_value);

  // No record yet (or the resolver fails): not verified, not an error.
  auto unverified = domains.Verify(app);
  ASSERT_TRUE(unverified.ok()) << unverified.status().ToString();
  EXPECT_FALSE(unverified->verified);
  EXPECT_EQ(looked_up_, std::vector<std::string>{"_tessera.acme.example"});
  // Someone else's value: still not.
  dns_["_tessera.acme.example"] = {"tessera-verification=someone-elses"};
  EXPECT_FALSE(domains.Verify(app).value().verified);
  EXPECT_FALSE(domains.MaySendFrom(app, "acme.example"));

  dns_["_tessera.acme.example"].push_back((*standing)->record_value);
  auto verified = domains.Verify(app);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->verified);
  EXPECT_TRUE(verified->may_send_from());
  EXPECT_TRUE(domains.MaySendFrom(app, "acme.example"));
  EXPECT_FALSE(domains.MaySendFrom(app, "other.example"));
  // Another app with the same mail_from has its own claim, unproven.
  store::App other = apps_->Create("other", "Other", Actor{}).value();
  other.settings.mail_from = "hello@acme.example";
  EXPECT_FALSE(domains.MaySendFrom(other, "acme.example"));
  EXPECT_NE(domains.Standing(other).value()->record_value, (*standing)->record_value);
}

TEST_F(MailDomainServiceTest, TheOperatorsListNeedsNoDns) {
  MailDomainService domains = Service({"acme.example"});
  store::App app = WithMailFrom("hello@acme.example");
  EXPECT_TRUE(domains.MaySendFrom(app, "acme.example"));
  auto standing = domains.Standing(app).value();
  ASSERT_TRUE(standing);
  EXPECT_TRUE(standing->allowed_by_operator);
  EXPECT_FALSE(standing->verified);
  EXPECT_TRUE(standing->may_send_from());
  EXPECT_TRUE(looked_up_.empty());
}

TEST_F(MailDomainServiceTest, NoMailFromNothingToVerify) {
  MailDomainService domains = Service();
  auto standing = domains.Standing(app_);
  ASSERT_TRUE(standing.ok());
  EXPECT_FALSE(standing->has_value());
  EXPECT_EQ(domains.Verify(app_).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(looked_up_.empty());
}

}  // namespace
}  // namespace tessera::services
