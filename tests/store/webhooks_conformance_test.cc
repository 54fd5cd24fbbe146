// WebhookStore conformance, and the webhook deliveries an audit event carries
// (AuditStore::AppendAuditEvent): queued in the event's own transaction, or not at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

WebhookEndpoint Endpoint(const App& app, const std::string& id, UnixMillis at = kT0) {
  WebhookEndpoint e;
  e.id = id;
  e.app_id = app.id;
  e.url = "https://api.example.com/hooks/" + id;
  e.description = "Customers ' \"; DROP TABLE users; --";
  e.event_types = {"mfa.*", "user.created", "user.deleted"};
  e.secret_sealed = "sealed-" + id;
  e.created_at = e.updated_at = at;
  return e;
}

Delivery WebhookDelivery(const App& app, const std::string& id, const std::string& endpoint,
                         UnixMillis at = kT0) {
  Delivery d;
  d.id = id;
  d.app_id = app.id;
  d.kind = DeliveryKind::kWebhook;
  d.endpoint_id = endpoint;
  d.event_id = "msg_" + id;
  d.event_type = "user.created";
  d.payload = R"({"type":"user.created","data":{"user":{"email":"zoë@example.com"}}})";
  d.created_at = d.next_attempt_at = at;
  return d;
}

AuditEvent SignupEvent(const App& app, const std::string& id) {
  AuditEvent e;
  e.id = id;
  e.app_id = app.id;
  e.at = kT0;
  e.action = AuditAction::kUserSignup;
  e.details_json = "{}";
  return e;
}

class WebhooksTest : public StoreConformanceTest {
 protected:
  void SetUp() override {
    StoreConformanceTest::SetUp();
    app_ = AddApp("default");
    other_ = AddApp("other");
  }
  App app_, other_;
};

TEST_P(WebhooksTest, EndpointsAreKeptPerAppWithTheirSubscriptionsAndSecrets) {
  ASSERT_OK(store().CreateWebhookEndpoint(Endpoint(app_, "whe_1", kT0)));
  ASSERT_OK(store().CreateWebhookEndpoint(Endpoint(app_, "whe_2", kT0 + 1)));
  ASSERT_OK(store().CreateWebhookEndpoint(Endpoint(other_, "whe_3")));

  auto got = store().GetWebhookEndpoint(app_.id, "whe_1");
  ASSERT_OK(got);
  EXPECT_EQ(got->url, "https://api.example.com/hooks/whe_1");
  EXPECT_EQ(got->description, "Customers ' \"; DROP TABLE users; --");
  EXPECT_THAT(got->event_types, ElementsAre("mfa.*", "user.created", "user.deleted"));
  EXPECT_TRUE(got->enabled);
  EXPECT_EQ(got->secret_sealed, "sealed-whe_1");
  EXPECT_EQ(got->previous_secret_sealed, "");

  auto list = store().ListWebhookEndpoints(app_.id);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "whe_1");  // oldest first
  EXPECT_EQ((*list)[1].id, "whe_2");
  // Another app's endpoint is not found through this app.
  EXPECT_TRUE(store().GetWebhookEndpoint(app_.id, "whe_3").status().IsNotFound());
  EXPECT_TRUE(store().DeleteWebhookEndpoint(app_.id, "whe_3").IsNotFound());

  WebhookEndpoint changed = *got;
  changed.url = "https://api.example.com/v2";
  changed.event_types = {"*"};
  changed.enabled = false;
  changed.secret_sealed = "sealed-new";
  changed.previous_secret_sealed = "sealed-whe_1";
  changed.previous_secret_expires_at = kT0 + kDay;
  changed.updated_at = kT0 + 5;
  ASSERT_OK(store().UpdateWebhookEndpoint(changed));
  got = store().GetWebhookEndpoint(app_.id, "whe_1");
  ASSERT_OK(got);
  EXPECT_EQ(got->url, "https://api.example.com/v2");
  EXPECT_THAT(got->event_types, ElementsAre("*"));
  EXPECT_FALSE(got->enabled);
  EXPECT_EQ(got->previous_secret_sealed, "sealed-whe_1");
  EXPECT_EQ(got->previous_secret_expires_at, kT0 + kDay);
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->updated_at, kT0 + 5);

  changed.app_id = other_.id;  // an update never crosses apps
  EXPECT_TRUE(store().UpdateWebhookEndpoint(changed).IsNotFound());
  EXPECT_CLASH(store().CreateWebhookEndpoint(Endpoint(app_, "whe_1")),
               WebhookEndpointUniqueKey::kId);

  ASSERT_OK(store().DeleteWebhookEndpoint(app_.id, "whe_1"));
  EXPECT_TRUE(store().GetWebhookEndpoint(app_.id, "whe_1").status().IsNotFound());
  EXPECT_EQ(store().ListWebhookEndpoints(app_.id)->size(), 1u);
}

TEST_P(WebhooksTest, AnAuditEventQueuesItsDeliveriesInTheSameTransaction) {
  ASSERT_OK(store().CreateWebhookEndpoint(Endpoint(app_, "whe_1")));
  std::vector<Delivery> deliveries = {WebhookDelivery(app_, "d1", "whe_1"),
                                      WebhookDelivery(app_, "d2", "whe_2")};
  ASSERT_OK(store().AppendAuditEvent(SignupEvent(app_, "ev1"), deliveries));

  auto events = store().ListAuditEvents(AuditFilter{.app_id = app_.id});
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), 1u);
  auto d1 = store().GetDelivery(app_.id, "d1");
  ASSERT_OK(d1);
  EXPECT_EQ(d1->kind, DeliveryKind::kWebhook);
  EXPECT_EQ(d1->endpoint_id, "whe_1");
  EXPECT_EQ(d1->event_id, "msg_d1");
  EXPECT_EQ(d1->event_type, "user.created");
  EXPECT_EQ(d1->payload, deliveries[0].payload);  // unicode kept byte for byte
  EXPECT_EQ(d1->state, DeliveryState::kPending);
  EXPECT_TRUE(store().GetDelivery(other_.id, "d1").status().IsNotFound());

  // A delivery that cannot be queued takes its event with it: no event without its webhooks.
  std::vector<Delivery> clash = {WebhookDelivery(app_, "d3", "whe_1"),
                                 WebhookDelivery(app_, "d1", "whe_1")};
  EXPECT_FALSE(store().AppendAuditEvent(SignupEvent(app_, "ev2"), clash).ok());
  EXPECT_EQ(store().ListAuditEvents(AuditFilter{.app_id = app_.id})->size(), 1u);
  EXPECT_TRUE(store().GetDelivery(app_.id, "d3").status().IsNotFound());
}

TEST_P(WebhooksTest, AnEndpointsLogListsItsOwnDeliveriesNewestFirst) {
  ASSERT_OK(store().QueueDelivery(WebhookDelivery(app_, "a", "whe_1", kT0)));
  ASSERT_OK(store().QueueDelivery(WebhookDelivery(app_, "b", "whe_1", kT0 + 10)));
  ASSERT_OK(store().QueueDelivery(WebhookDelivery(app_, "c", "whe_2", kT0 + 20)));
  ASSERT_OK(store().QueueDelivery(WebhookDelivery(other_, "d", "whe_1", kT0 + 30)));
  EXPECT_CLASH(store().QueueDelivery(WebhookDelivery(app_, "a", "whe_1")), DeliveryUniqueKey::kId);

  auto log = store().ListEndpointDeliveries(app_.id, "whe_1", 10);
  ASSERT_OK(log);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].id, "b");
  EXPECT_EQ((*log)[1].id, "a");
  EXPECT_EQ(store().ListEndpointDeliveries(app_.id, "whe_1", 1)->size(), 1u);
  EXPECT_THAT(*store().ListEndpointDeliveries(app_.id, "nope", 10), IsEmpty());

  // The worker leases and finishes them like any delivery.
  auto due = store().LeaseDueDeliveries(kT0 + 100, 10, 60'000);
  ASSERT_OK(due);
  EXPECT_EQ(due->size(), 4u);
  ASSERT_OK(store().FinishAttempt(
      "a", {.state = DeliveryState::kDelivered, .status = 204}, kT0 + 200));
  auto a = store().GetDelivery(app_.id, "a");
  ASSERT_OK(a);
  EXPECT_EQ(a->state, DeliveryState::kDelivered);
  EXPECT_EQ(a->last_status, 204);
  EXPECT_EQ(a->attempts, 1);
  EXPECT_EQ(a->finished_at, kT0 + 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhooksTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace tessera::store::test
