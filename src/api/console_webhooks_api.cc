#include "api/console_webhooks_api.h"

#include <boost/json.hpp>

#include "api/user_management_handlers.h"
#include "api/webhook_views.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/query.h"
#include "webhooks/webhook_records.h"

namespace tessera::api {
namespace json = boost::json;
using http::Request;
using http::Response;
using http::beast_http::verb;

namespace {

// GET …/deliveries?limit=: the page size of the delivery log.
constexpr int kDefaultDeliveries = 50;
constexpr int kMaxDeliveries = 200;

// A POST whose every member is optional and that has none: no body, or {}.
constexpr http::JsonBodyRules kNoBody{.allow_empty = true};

// The members a developer may send; on add, url and event_types are required.
services::WebhookInput ReadWebhookInput(http::JsonBody& b, bool adding) {
  services::WebhookInput in;
  in.url = b.String("url", adding);
  if (adding && !b.Has("event_types")) b.Fail("event_types", "is required");
  in.event_types = b.StringArray("event_types");
  in.description = b.String("description");
  in.enabled = b.Bool("enabled");
  return in;
}

Response NoSuchWebhook() { return http::ProblemResponse(NotFoundError("no such webhook")); }

// {"webhook": view, "secret": "whsec_…"}: the only answers that show the secret.
json::object WithSecret(const services::WebhookEndpointWithSecret& made, UnixMillis now) {
  return json::object{{"webhook", WebhookEndpointView(made.endpoint, now)},
                      {"secret", made.secret}};
}

}  // namespace

void ConsoleWebhooksApi::Mount(http::Router& r) {
  auto bind = [this](Response (ConsoleWebhooksApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  const std::string base = "/api/console/apps/{slug}/webhooks";
  const std::string one = base + "/{id}";
  r.Add(verb::get, base, bind(&ConsoleWebhooksApi::List));
  r.Add(verb::post, base, bind(&ConsoleWebhooksApi::Create));
  r.Add(verb::get, one, bind(&ConsoleWebhooksApi::Get));
  r.Add(verb::patch, one, bind(&ConsoleWebhooksApi::Patch));
  r.Add(verb::delete_, one, bind(&ConsoleWebhooksApi::Delete));
  r.Add(verb::post, one + "/rotate-secret", bind(&ConsoleWebhooksApi::RotateSecret));
  r.Add(verb::post, one + "/test", bind(&ConsoleWebhooksApi::SendTest));
  r.Add(verb::get, one + "/deliveries", bind(&ConsoleWebhooksApi::Deliveries));
  r.Add(verb::post, one + "/deliveries/{delivery_id}/redeliver",
        bind(&ConsoleWebhooksApi::Redeliver));
}

Response ConsoleWebhooksApi::List(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto list = webhooks_.List(a.app);
    if (!list.ok()) return http::ProblemResponse(list.status());
    const UnixMillis now = clock_.NowMillis();
    json::array webhooks;
    for (const auto& e : *list) webhooks.push_back(WebhookEndpointView(e, now));
    json::array types;
    for (const store::WebhookEventType& t : store::WebhookEventTypes()) {
      types.push_back(json::object{{"name", t.name}, {"description", t.description}});
    }
    return http::JsonResponse(
        200, json::object{{"webhooks", std::move(webhooks)}, {"event_types", std::move(types)}});
  });
}

Response ConsoleWebhooksApi::Create(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    services::WebhookInput in;
    if (auto bad =
            http::ReadJson(req, [&](http::JsonBody& b) { in = ReadWebhookInput(b, true); })) {
      return *bad;
    }
    auto made = webhooks_.Create(a.app, in, actor);
    if (!made.ok()) return http::ProblemResponse(made.status());
    return http::JsonResponse(201, WithSecret(*made, clock_.NowMillis()));
  });
}

Response ConsoleWebhooksApi::Get(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return NoSuchWebhook();
    auto e = webhooks_.Get(a.app, id);
    if (!e.ok()) return http::ProblemResponse(e.status());
    return http::JsonResponse(200, WebhookEndpointView(*e, clock_.NowMillis()));
  });
}

Response ConsoleWebhooksApi::Patch(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    services::WebhookInput in;
    if (auto bad =
            http::ReadJson(req, [&](http::JsonBody& b) { in = ReadWebhookInput(b, false); })) {
      return *bad;
    }
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return NoSuchWebhook();
    auto e = webhooks_.Update(a.app, id, in, actor);
    if (!e.ok()) return http::ProblemResponse(e.status());
    return http::JsonResponse(200, WebhookEndpointView(*e, clock_.NowMillis()));
  });
}

Response ConsoleWebhooksApi::Delete(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return NoSuchWebhook();
    Status s = webhooks_.Delete(a.app, id, actor);
    return s.ok() ? http::NoContent() : http::ProblemResponse(s);
  });
}

Response ConsoleWebhooksApi::RotateSecret(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, kNoBody)) return *bad;
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return NoSuchWebhook();
    auto made = webhooks_.RotateSecret(a.app, id, actor);
    if (!made.ok()) return http::ProblemResponse(made.status());
    return http::JsonResponse(200, WithSecret(*made, clock_.NowMillis()));
  });
}

Response ConsoleWebhooksApi::SendTest(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, kNoBody)) return *bad;
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return NoSuchWebhook();
    auto d = webhooks_.SendTestEvent(a.app, id, actor);
    if (!d.ok()) return http::ProblemResponse(d.status());
    return http::JsonResponse(202, json::object{{"delivery", WebhookDeliveryView(*d)}});
  });
}

Response ConsoleWebhooksApi::Deliveries(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a, const services::Actor&) {
    auto query = http::ReadKnownQuery(req, {"limit"});
    if (!query.ok()) return http::ProblemResponse(query.status());
    auto limit = http::LimitOf(*query, kDefaultDeliveries, kMaxDeliveries);
    if (!limit.ok()) return http::ProblemResponse(limit.status());
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return NoSuchWebhook();
    auto list = webhooks_.Deliveries(a.app, id, *limit);
    if (!list.ok()) return http::ProblemResponse(list.status());
    json::array out;
    for (const auto& d : *list) out.push_back(WebhookDeliveryView(d));
    return http::JsonResponse(200, json::object{{"deliveries", std::move(out)}});
  });
}

Response ConsoleWebhooksApi::Redeliver(Request& req) {
  return caller_.InAccessibleApp(req, [&](const services::AppAccess& a,
                                          const services::Actor& actor) {
    if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, kNoBody)) return *bad;
    const std::string& id = req.Param("id");
    if (!IsPlausibleId(id)) return NoSuchWebhook();
    const std::string& delivery_id = req.Param("delivery_id");
    if (!IsPlausibleId(delivery_id)) {
      return http::ProblemResponse(NotFoundError("no such delivery"));
    }
    auto d = webhooks_.Redeliver(a.app, id, delivery_id, actor);
    if (!d.ok()) return http::ProblemResponse(d.status());
    return http::JsonResponse(202, json::object{{"delivery", WebhookDeliveryView(*d)}});
  });
}

}  // namespace tessera::api
