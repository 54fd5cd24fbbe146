// Webhooks from an audited change to a receiver: the service's endpoints and secrets, the
// events the audit log's changes give (WebhookEvents), and the signed request the delivery
// worker sends through libcurl to a real HTTP server on loopback (WebhookSender).
#include "webhooks/webhook_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "outbound/delivery_worker.h"
#include "outbound/outbound_http.h"
#include "tests/support/console_fixture.h"
#include "tests/support/loopback_http_server.h"
#include "webhooks/webhook_events.h"
#include "webhooks/webhook_sender.h"
#include "webhooks/webhook_signature.h"

namespace tessera::services {
namespace {

using namespace testing_console;
using ::tessera::testing_support::LoopbackHttpServer;
using ::tessera::testing_support::LoopbackRequest;
using ::tessera::testing_support::LoopbackResponse;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
namespace json = boost::json;

// The Standard Webhooks specification's own example (its libraries' test vector).
TEST(WebhookSignatureTest, MatchesTheStandardWebhooksVector) {
  EXPECT_EQ(WebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                             "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_EQ(WebhookSignature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "{}"), std::nullopt);
  EXPECT_EQ(WebhookSignature("whsec_!!!", "m", 1, "{}"), std::nullopt);
  std::string secret = NewWebhookSecret();
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_EQ(crypto::Base64Decode(secret.substr(6))->size(), 24u);
  EXPECT_NE(secret, NewWebhookSecret());
}

class WebhooksTest : public ConsoleFixture {
 protected:
  void SetUp() override {
    ConsoleFixture::SetUp();
    events_ = std::make_unique<WebhookEvents>(*store_, *store_, clock_);
    audit_->SetFollower(events_.get());
    webhooks_ = std::make_unique<WebhookService>(*store_, *store_, keys_->master_key(), clock_,
                                                 audit_.get());
    other_ = apps_->Create("other", "Other").value();
  }

  WebhookEndpointWithSecret Add(const store::App& app, std::vector<std::string> types,
                                std::string url = "https://api.example.com/hooks") {
    WebhookInput in;
    in.url = std::move(url);
    in.event_types = std::move(types);
    auto made = webhooks_->Create(app, in, dev_);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : WebhookEndpointWithSecret{};
  }

  std::vector<store::Delivery> Log(const store::WebhookEndpoint& e) {
    auto log = webhooks_->Deliveries(e.app_id == app_.id ? app_ : other_, e.id, 200);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? *log : std::vector<store::Delivery>{};
  }
  std::vector<std::string> Types(const store::WebhookEndpoint& e) {
    std::vector<std::string> out;
    for (const auto& d : Log(e)) out.push_back(d.event_type);
    return out;
  }

  Actor dev_ = MakeActor(store::AuditActorType::kDeveloper, "dev-1");
  std::unique_ptr<WebhookEvents> events_;
  std::unique_ptr<WebhookService> webhooks_;
  store::App other_;
};

TEST_F(WebhooksTest, AnEndpointIsCheckedAndItsSecretIsShownOnceAndKeptSealed) {
  WebhookInput bad;
  bad.url = "http://api.example.com/hooks";  // http off loopback
  bad.event_types = std::vector<std::string>{"user.created", "user.exploded"};
  bad.description = "line one\nline two";
  auto refused = webhooks_->Create(app_, bad, dev_);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.status()), UnorderedElementsAre("url", "description", "event_types"));
  for (auto [url, types] : {std::pair<std::string, std::vector<std::string>>{"", {"*"}},
                            {"https://x.example/#frag", {"*"}},
                            {"https://user:pw@x.example/", {"*"}},
                            {"javascript:alert(1)", {"*"}},
                            {"https://x.example/", {}},
                            {"https://x.example/", {"<script>"}},
                            {"https://x.example/", {"webhook.test"}},
                            {"https://x.example/", {"user.created' OR 1=1 --"}}}) {
    WebhookInput in;
    in.url = url;
    in.event_types = types;
    EXPECT_EQ(webhooks_->Create(app_, in, dev_).status().code(), StatusCode::kInvalidArgument)
        << url;
  }
  WebhookInput long_text;
  long_text.url = "https://x.example/";
  long_text.event_types = std::vector<std::string>{"*"};
  long_text.description = std::string(201, 'a');
  EXPECT_THAT(Fields(webhooks_->Create(app_, long_text, dev_).status()), ElementsAre("description"));
  EXPECT_THAT(*webhooks_->List(app_), IsEmpty());  // nothing kept from refusals

  WebhookInput in;
  in.url = "  http://127.0.0.1:9000/hooks?tenant=%C3%BC  ";  // loopback: http allowed
  in.event_types = std::vector<std::string>{"user.deleted", "user.created", "user.created"};
  in.description = "Créer un client — Customer rows";
  auto made = webhooks_->Create(app_, in, dev_);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(made->secret.starts_with("whsec_"));
  EXPECT_EQ(made->endpoint.url, "http://127.0.0.1:9000/hooks?tenant=%C3%BC");
  EXPECT_THAT(made->endpoint.event_types, ElementsAre("user.created", "user.deleted"));
  store::WebhookEndpoint stored = *store_->GetWebhookEndpoint(app_.id, made->endpoint.id);
  EXPECT_EQ(stored.description, "Créer un client — Customer rows");
  EXPECT_EQ(stored.secret_sealed.find(made->secret.substr(6)), std::string::npos);
  EXPECT_THAT(*webhooks_->SigningSecrets(stored, clock_.NowMillis()), ElementsAre(made->secret));
  // Another app cannot see or change it.
  EXPECT_TRUE(webhooks_->Get(other_, stored.id).status().IsNotFound());
  EXPECT_TRUE(webhooks_->Delete(other_, stored.id, dev_).IsNotFound());

  auto events = audit_->List({.app_id = app_.id, .action = "webhook.created"});
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].subject_id, stored.id);
  EXPECT_EQ((*events)[0].details_json.find("whsec_"), std::string::npos);

  for (int i = 1; i < 20; ++i) Add(app_, {"*"});
  WebhookInput one_more;
  one_more.url = "https://x.example/";
  one_more.event_types = std::vector<std::string>{"*"};
  EXPECT_EQ(webhooks_->Create(app_, one_more, dev_).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(WebhooksTest, AuditedChangesQueueOneEventForEachEndpointThatHearsIt) {
  auto created = Add(app_, {"user.created", "user.deleted"}).endpoint;
  auto every = Add(app_, {"*"}).endpoint;
  auto mfa = Add(app_, {"mfa.*"}).endpoint;
  auto off = Add(app_, {"*"}).endpoint;
  WebhookInput disable;
  disable.enabled = false;
  ASSERT_TRUE(webhooks_->Update(app_, off.id, disable, dev_).ok());
  auto elsewhere = Add(other_, {"*"}).endpoint;

  store::User ada = MakeUser(app_, "ada@example.com");
  ASSERT_TRUE(accounts_->Authenticate(app_, "ada@example.com", kPassword, {}).ok());
  EXPECT_FALSE(accounts_->Authenticate(app_, "ada@example.com", "wrong password", {}).ok());
  ASSERT_TRUE(users_->Delete(app_, ada.id, dev_).ok());

  EXPECT_THAT(Types(created), ElementsAre("user.deleted", "user.created"));
  // A failed sign-in is no event; deleting a user ends their sessions (none here).
  EXPECT_THAT(Types(every), ElementsAre("user.deleted", "user.login", "user.created"));
  EXPECT_THAT(Types(mfa), IsEmpty());
  EXPECT_THAT(Types(off), IsEmpty());
  EXPECT_THAT(Types(elsewhere), IsEmpty());

  // The same event reaches both endpoints under one id; its body is the user as they were.
  store::Delivery a = Log(created).back(), b = Log(every).back();
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_TRUE(a.event_id.starts_with("msg_"));
  EXPECT_EQ(a.payload, b.payload);
  json::object body = json::parse(a.payload).as_object();
  EXPECT_EQ(body.at("type").as_string(), "user.created");
  EXPECT_EQ(body.at("timestamp").as_string(), "2027-01-15T08:00:00.000Z");
  json::object user = body.at("data").at("user").as_object();
  EXPECT_EQ(user.at("id").as_string(), ada.id);
  EXPECT_EQ(user.at("email").as_string(), "ada@example.com");
  EXPECT_FALSE(user.contains("password_hash"));
  EXPECT_EQ(a.payload.find("argon2"), std::string::npos);
  // A deleted user is named by id alone.
  json::object gone = json::parse(Log(created).front().payload).as_object();
  EXPECT_EQ(gone.at("data").at("user"), (json::object{{"id", ada.id}}));
  EXPECT_EQ(gone.at("data").at("actor"), (json::object{{"type", "developer"}, {"id", "dev-1"}}));
}

TEST_F(WebhooksTest, ARotatedSecretKeepsSigningBesideTheNewOneForADay) {
  auto made = Add(app_, {"*"});
  clock_.Advance(1000);
  auto rotated = webhooks_->RotateSecret(app_, made.endpoint.id, dev_);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_NE(rotated->secret, made.secret);
  store::WebhookEndpoint e = *webhooks_->Get(app_, made.endpoint.id);
  EXPECT_THAT(*webhooks_->SigningSecrets(e, clock_.NowMillis()),
              ElementsAre(rotated->secret, made.secret));
  clock_.Advance(kWebhookSecretOverlapMs);
  EXPECT_THAT(*webhooks_->SigningSecrets(e, clock_.NowMillis()), ElementsAre(rotated->secret));
  EXPECT_EQ(audit_->List({.app_id = app_.id, .action = "webhook.secret_rotated"})->size(), 1u);
}

TEST_F(WebhooksTest, ATestEventAndARedeliveryAreQueuedForThatEndpointAlone) {
  auto hooks = Add(app_, {"user.created"}).endpoint;
  auto other_hooks = Add(app_, {"user.created"}).endpoint;
  auto test = webhooks_->SendTestEvent(app_, hooks.id, dev_);
  ASSERT_TRUE(test.ok()) << test.status().ToString();
  EXPECT_EQ(test->event_type, "webhook.test");
  EXPECT_THAT(Types(hooks), ElementsAre("webhook.test"));
  EXPECT_THAT(Types(other_hooks), IsEmpty());

  MakeUser(app_, "bo@example.com");
  store::Delivery original = Log(hooks).front();
  clock_.Advance(5000);
  auto again = webhooks_->Redeliver(app_, hooks.id, original.id, dev_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_NE(again->id, original.id);
  EXPECT_EQ(again->event_id, original.event_id);  // receivers can tell it is the same event
  EXPECT_EQ(again->payload, original.payload);
  EXPECT_EQ(again->next_attempt_at, clock_.NowMillis());
  // Another endpoint's delivery, another app's, an unknown one: not found.
  store::Delivery theirs = Log(other_hooks).front();
  EXPECT_TRUE(webhooks_->Redeliver(app_, hooks.id, theirs.id, dev_).status().IsNotFound());
  EXPECT_TRUE(webhooks_->Redeliver(other_, hooks.id, original.id, dev_).status().IsNotFound());
  EXPECT_TRUE(webhooks_->Redeliver(app_, hooks.id, "nope", dev_).status().IsNotFound());

  WebhookInput disable;
  disable.enabled = false;
  ASSERT_TRUE(webhooks_->Update(app_, hooks.id, disable, dev_).ok());
  EXPECT_EQ(webhooks_->SendTestEvent(app_, hooks.id, dev_).status().code(),
            StatusCode::kFailedPrecondition);
}

// The worker, libcurl and a receiver that checks each request as a Standard Webhooks
// library would: the signature over id.timestamp.body with the secret it was given.
class WebhookDeliveryTest : public WebhooksTest {
 protected:
  void SetUp() override {
    WebhooksTest::SetUp();
    receiver_.Route("POST", "/hooks", [this](const LoopbackRequest&) {
      return LoopbackResponse::Text("", status_);
    });
    CurlOutboundHttpOptions o;
    o.allow_private_addresses = true;  // the receiver is on 127.0.0.1
    o.total_timeout_ms = 2000;
    http_ = std::make_unique<CurlOutboundHttp>(o);
    sender_ = std::make_unique<WebhookSender>(*store_, *webhooks_, clock_);
    worker_ = std::make_unique<DeliveryWorker>(*store_, *http_, clock_, metrics_);
    worker_->SetPreparer(store::DeliveryKind::kWebhook, *sender_);
  }

  int RunWorker() {
    auto tried = worker_->RunOnce();
    EXPECT_TRUE(tried.ok()) << tried.status().ToString();
    return tried.ok() ? *tried : -1;
  }

  // Whether one of the request's signatures is `secret`'s, computed here from the spec.
  static bool SignedWith(const LoopbackRequest& r, const std::string& secret) {
    std::string key = *crypto::Base64Decode(secret.substr(6));
    std::string expected =
        "v1," + crypto::Base64Encode(crypto::HmacSha256(
                    key, r.Header("webhook-id") + "." + r.Header("webhook-timestamp") + "." + r.body));
    std::string header = r.Header("webhook-signature");
    size_t i = 0;
    while (i <= header.size()) {
      size_t end = header.find(' ', i);
      if (end == std::string::npos) end = header.size();
      if (header.substr(i, end - i) == expected) return true;
      i = end + 1;
    }
    return false;
  }

  LoopbackHttpServer receiver_;
  int status_ = 204;
  std::unique_ptr<CurlOutboundHttp> http_;
  std::unique_ptr<WebhookSender> sender_;
  std::unique_ptr<DeliveryWorker> worker_;
};

TEST_F(WebhookDeliveryTest, TheReceiverGetsTheEventSignedAndARefusalIsRetriedUntilItIsTaken) {
  auto made = Add(app_, {"user.created"}, receiver_.url() + "/hooks");
  status_ = 500;
  store::User zoe = MakeUser(app_, "zoë@example.com");
  EXPECT_EQ(RunWorker(), 1);
  store::Delivery d = Log(made.endpoint).front();
  EXPECT_EQ(d.state, store::DeliveryState::kPending);
  EXPECT_EQ(d.last_status, 500);
  EXPECT_EQ(d.next_attempt_at, clock_.NowMillis() + 10'000);  // the first back-off
  EXPECT_EQ(RunWorker(), 0);                                   // not due yet

  status_ = 204;
  clock_.Advance(10'000);
  EXPECT_EQ(RunWorker(), 1);
  d = Log(made.endpoint).front();
  EXPECT_EQ(d.state, store::DeliveryState::kDelivered);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.last_status, 204);

  auto requests = receiver_.RequestsTo("/hooks");
  ASSERT_EQ(requests.size(), 2u);
  for (const LoopbackRequest& r : requests) {
    EXPECT_EQ(r.Header("Content-Type"), "application/json");
    EXPECT_EQ(r.Header("webhook-id"), d.event_id);
    EXPECT_TRUE(SignedWith(r, made.secret)) << r.Header("webhook-signature");
    EXPECT_EQ(json::parse(r.body).at("data").at("user").at("email").as_string(), "zoë@example.com");
  }
  // Each attempt is signed at its own time (receivers refuse stale timestamps).
  EXPECT_EQ(std::stoll(requests[1].Header("webhook-timestamp")) -
                std::stoll(requests[0].Header("webhook-timestamp")),
            10);
  (void)zoe;
}

TEST_F(WebhookDeliveryTest, DuringARotationBothSecretsSignAndAGoneOrDisabledEndpointIsDropped) {
  auto made = Add(app_, {"*"}, receiver_.url() + "/hooks");
  auto rotated = webhooks_->RotateSecret(app_, made.endpoint.id, dev_).value();
  ASSERT_TRUE(webhooks_->SendTestEvent(app_, made.endpoint.id, dev_).ok());
  EXPECT_EQ(RunWorker(), 1);
  auto requests = receiver_.RequestsTo("/hooks");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(SignedWith(requests[0], made.secret));
  EXPECT_TRUE(SignedWith(requests[0], rotated.secret));
  EXPECT_FALSE(SignedWith(requests[0], NewWebhookSecret()));
  EXPECT_EQ(json::parse(requests[0].body).at("type").as_string(), "webhook.test");

  MakeUser(app_, "late@example.com");  // queued, then the endpoint is turned off
  WebhookInput disable;
  disable.enabled = false;
  ASSERT_TRUE(webhooks_->Update(app_, made.endpoint.id, disable, dev_).ok());
  auto gone = Add(app_, {"*"}, receiver_.url() + "/hooks");
  MakeUser(app_, "later@example.com");
  ASSERT_TRUE(webhooks_->Delete(app_, gone.endpoint.id, dev_).ok());
  EXPECT_EQ(RunWorker(), 2);
  EXPECT_EQ(receiver_.CountTo("/hooks"), 1u);  // nothing more was sent
  EXPECT_EQ(Log(made.endpoint).front().state, store::DeliveryState::kDropped);
  auto log = store_->ListEndpointDeliveries(app_.id, gone.endpoint.id, 10).value();
  ASSERT_EQ(log.size(), 1u);  // a deleted endpoint's log stays until it is collected
  EXPECT_EQ(log[0].state, store::DeliveryState::kDropped);
}

}  // namespace
}  // namespace tessera::services
