#include "web/console_webhook_pages.h"

#include <algorithm>

#include "base/strings.h"
#include "base/utf8.h"
#include "web/console_common.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

using namespace console;

// The fields of the add form and of an endpoint's settings; a field error of another member
// is said in the banner.
const std::vector<std::string_view> kFields = {"url", "description", "event_types"};

// Longer than the service takes, so that it refuses rather than the page cutting silently.
constexpr size_t kMaxUrlField = 2 * services::kMaxWebhookUrlBytes;
constexpr size_t kMaxDescriptionField = 8 * services::kMaxWebhookDescriptionChars;

// The delivery log: the newest of the endpoint's deliveries.
constexpr int kLogSize = 50;

// The "All events" checkbox; each event type has its own, "event_" + its name (one field a
// type: a form gives a parameter once).
constexpr char kAllEventsField[] = "all_events";
constexpr std::string_view kAllEvents = "*";

std::string EventField(std::string_view type) { return "event_" + std::string(type); }

// An element id for an event type's checkbox: "user.password_changed" → "w-event-user-password-changed".
std::string EventInputId(std::string_view type) {
  std::string id = "w-event-" + std::string(type);
  std::replace(id.begin(), id.end(), '.', '-');
  std::replace(id.begin(), id.end(), '_', '-');
  return id;
}

// What the form's ticks subscribe to: {"*"} when "All events" is ticked, else the ticked
// types in the order of kWebhookEventTypes ({} when none is).
std::vector<std::string> EventsOf(const Form& form) {
  if (Checked(form, kAllEventsField)) return {std::string(kAllEvents)};
  std::vector<std::string> out;
  for (const store::WebhookEventType& t : store::kWebhookEventTypes) {
    if (Checked(form, EventField(t.name))) out.emplace_back(t.name);
  }
  return out;
}

// The event types of kWebhookEventTypes that `patterns` hear, in its order.
std::vector<std::string> TypesHeard(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const store::WebhookEventType& t : store::kWebhookEventTypes) {
    if (store::WebhookHears(patterns, t.name)) out.emplace_back(t.name);
  }
  return out;
}

// What a saved form subscribes to. The form has a tick per type and one for "*", not the
// families ("user.*") the API and the command line take: ticks left as they were keep the
// endpoint's own patterns, so a family keeps hearing its types added later.
std::vector<std::string> PatternsToSave(const std::vector<std::string>& stored,
                                        const std::vector<std::string>& ticked) {
  if (Contains(ticked, kAllEvents) || Contains(stored, kAllEvents)) return ticked;
  return TypesHeard(stored) == ticked ? stored : ticked;
}

// The checkboxes of the events: a type is ticked when `patterns` hear it, unless they are
// "*" (then only "All events" is).
void SetEventChoices(PageData& d, const std::vector<std::string>& patterns) {
  const bool all = Contains(patterns, kAllEvents);
  PageData rows = List();
  for (const store::WebhookEventType& t : store::kWebhookEventTypes) {
    PageData row;
    row.set("name", std::string(t.name));
    row.set("hint", std::string(t.description));
    row.set("field", EventField(t.name));
    row.set("input_id", EventInputId(t.name));
    row.set("checked", !all && store::WebhookHears(patterns, t.name));
    rows.push_back(row);
  }
  d.set("event_choices", rows);
  d.set("events_all", all);
}

// An endpoint's patterns, "" for "*" (the page says "All events").
std::string EventsText(const std::vector<std::string>& patterns) {
  if (Contains(patterns, kAllEvents)) return "";
  return Join(patterns, ", ");
}

// The service's field errors, each event_types[…] said by the events' fieldset.
std::vector<FieldError> FieldErrorsOf(const Status& s) {
  std::vector<FieldError> errors = s.field_errors();
  for (FieldError& e : errors) {
    if (e.field.starts_with("event_types")) e.field = "event_types";
  }
  return errors;
}

struct StateBadge {
  const char* label;
  const char* css;
};

StateBadge BadgeOf(store::DeliveryState state) {
  switch (state) {
    case store::DeliveryState::kPending: return {"Pending", "badge-accent"};
    case store::DeliveryState::kDelivered: return {"Delivered", "badge-success"};
    case store::DeliveryState::kFailed: return {"Failed", "badge-danger"};
    case store::DeliveryState::kDropped: return {"Dropped", "badge-muted"};
  }
  return {"Pending", "badge-accent"};
}

// "24 hours": how long a rotated-out secret keeps signing.
std::string OverlapText() {
  const int64_t hours = services::kWebhookSecretOverlapMs / (3600 * 1000);
  return std::to_string(hours) + (hours == 1 ? " hour" : " hours");
}

bool PlausibleId(const std::string& id) {
  return !id.empty() && id.size() <= 128 && IsStorableText(id);
}

constexpr char kEventsMissing[] = "Choose at least one event, or all events";

}  // namespace

void ConsoleWebhookPages::Mount(http::Router& r, const ConsoleGates& gates) {
  namespace bh = http::beast_http;
  using P = ConsoleWebhookPages;
  const std::string base = "/console/apps/{slug}/webhooks";
  r.Add(bh::verb::get, base, gates.WithAppVisitor(Bind(this, &P::Endpoints)));
  r.Add(bh::verb::post, base, gates.WithAppVisitor(Bind(this, &P::CreateEndpoint)));
  r.Add(bh::verb::get, base + "/{id}", gates.WithAppVisitor(Bind(this, &P::ShowEndpoint)));
  r.Add(bh::verb::post, base + "/{id}", gates.WithAppVisitor(Bind(this, &P::UpdateEndpoint)));
  r.Add(bh::verb::post, base + "/{id}/delete",
        gates.WithAppVisitor(Bind(this, &P::DeleteEndpoint)));
  r.Add(bh::verb::post, base + "/{id}/rotate-secret",
        gates.WithAppVisitor(Bind(this, &P::RotateSecret)));
  r.Add(bh::verb::post, base + "/{id}/test", gates.WithAppVisitor(Bind(this, &P::SendTestEvent)));
  r.Add(bh::verb::post, base + "/{id}/deliveries/{delivery_id}/redeliver",
        gates.WithAppVisitor(Bind(this, &P::Redeliver)));
}

std::string ConsoleWebhookPages::EndpointPath(const store::App& app, const std::string& id) const {
  return layout_.AppPath(app, "/webhooks/" + http::FormEncode(id));
}

Result<store::WebhookEndpoint> ConsoleWebhookPages::Find(const http::Request& req,
                                                         const AppVisitor& a) {
  const std::string& id = req.Param("id");
  if (!PlausibleId(id)) return NotFoundError("no such webhook endpoint");
  return webhooks_.Get(a.app(), id);
}

// ---- One-time reveals ----------------------------------------------------------------------

std::string ConsoleWebhookPages::RevealOwner(const AppVisitor& a, std::string_view endpoint_id) {
  return a.visitor.session.id + "|" + a.app().id + "|webhook|" + std::string(endpoint_id);
}

http::Response ConsoleWebhookPages::RedirectWithReveal(const AppVisitor& a,
                                                       const std::string& endpoint_id,
                                                       const std::string& secret,
                                                       std::string_view done) {
  http::Response carrier;
  std::string reveal = reveals_.Put(carrier, RevealOwner(a, endpoint_id), secret);
  http::Response r = Redirect(layout_.urls().Absolute(
      EndpointPath(a.app(), endpoint_id) +
      QueryString({{"done", std::string(done)}, {"reveal", reveal}})));
  for (auto& header : carrier.headers) r.headers.push_back(std::move(header));
  return r;
}

// ---- The list and the add form -------------------------------------------------------------

http::Response ConsoleWebhookPages::Endpoints(http::Request& req, const AppVisitor& a) {
  PageData d;
  if (http::FormValue(PageQuery(req), "done") == "deleted") {
    d.set("notice", "The endpoint was deleted: no more events are sent to it.");
  }
  return RenderEndpoints(req, a, std::move(d), 200);
}

http::Response ConsoleWebhookPages::RenderEndpoints(const http::Request& req,
                                                    const AppVisitor& a, PageData d,
                                                    unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, "Webhooks", "webhooks");
  d.set("heading", "Webhooks");
  auto endpoints = webhooks_.List(app);
  if (!endpoints.ok()) return layout_.Unavailable(req, a.visitor);
  PageData rows = List();
  for (const auto& e : *endpoints) {
    PageData row;
    row.set("page_url", EndpointPath(app, e.id));
    row.set("url", e.url);
    row.set("description", e.description);
    row.set("events", EventsText(e.event_types));
    row.set("events_all", Contains(e.event_types, kAllEvents));
    row.set("on", e.enabled);
    row.set("created", FormatTime(e.created_at));
    rows.push_back(row);
  }
  d.set("endpoints", rows);
  d.set("at_limit", endpoints->size() >= services::kMaxWebhookEndpointsPerApp);
  d.set("max_endpoints", std::to_string(services::kMaxWebhookEndpointsPerApp));
  d.set("create_action", layout_.AppPath(app, "/webhooks"));
  if (!d.get("from_form")) {
    d.set("form_url", "");
    d.set("form_description", "");
    SetEventChoices(d, {});
  }
  return layout_.Render(req, a.visitor, "console_webhooks", std::move(d), status);
}

http::Response ConsoleWebhookPages::CreateEndpoint(http::Request& req, const AppVisitor& a,
                                                   const Form& form) {
  const std::string url = Field(form, "url", kMaxUrlField);
  const std::string description = Field(form, "description", kMaxDescriptionField);
  const std::vector<std::string> events = EventsOf(form);
  PageData d;
  unsigned status = 400;
  if (events.empty()) {
    // Not sent to the service: an endpoint that hears nothing is no use.
    SetFieldErrors(d, std::vector<FieldError>{{"event_types", kEventsMissing}}, kFields);
    d.set("error", "The endpoint was not added: please check the highlighted fields.");
  } else {
    services::WebhookInput in;
    in.url = url;
    in.description = description;
    in.event_types = events;
    in.enabled = true;
    auto created = webhooks_.Create(a.app(), in, a.visitor.actor);
    if (created.ok()) {
      return RedirectWithReveal(a, created->endpoint.id, created->secret, "created");
    }
    const Status& s = created.status();
    const PageFailure failure = PageFailureOf(s, EnglishTexts());
    if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
    auto others = SetFieldErrors(d, FieldErrorsOf(s), kFields);
    d.set("error", RefusalSentence(EnglishTexts(), "The endpoint was not added", s, others));
    status = failure.status;
  }
  d.set("from_form", true);
  d.set("form_url", url);
  d.set("form_description", description);
  SetEventChoices(d, events);
  return RenderEndpoints(req, a, std::move(d), status);
}

// ---- One endpoint --------------------------------------------------------------------------

http::Response ConsoleWebhookPages::ShowEndpoint(http::Request& req, const AppVisitor& a) {
  auto e = Find(req, a);
  if (!e.ok()) return layout_.Failure(req, a.visitor, e.status());
  PageData d;
  const http::QueryParams query = PageQuery(req);
  const std::string done = http::FormValue(query, "done");
  const std::string reveal = http::FormValue(query, "reveal");
  const bool revealing = (done == "created" || done == "secret-rotated") && !reveal.empty();
  if (revealing) {
    auto secret = reveals_.Take(req, reveal, RevealOwner(a, e->id));
    if (secret) {
      d.set("notice",
            done == "created"
                ? "The endpoint was added. Copy its signing secret now: it is not shown again."
                : "A new signing secret was made. The previous one keeps signing for " +
                      OverlapText() +
                      " as well, so your receiver can switch without missing an event. Copy "
                      "the new one now: it is not shown again.");
      d.set("new_secret", *secret);
    } else {
      d.set("error",
            "This secret can no longer be shown: a secret is shown only once. If you did not "
            "copy it, rotate the secret below to get a new one.");
    }
  } else if (done == "saved") {
    d.set("notice", e->enabled ? "The endpoint was saved."
                               : "The endpoint was saved. It is off: no events are sent to it.");
  } else if (done == "test-sent") {
    d.set("notice",
          "A test event (webhook.test) was queued: it is in the log below, and is sent within "
          "a few seconds.");
  } else if (done == "redelivered") {
    d.set("notice",
          "The event was queued again: a new delivery with the same event id, in the log "
          "below.");
  } else if (done == "delivery-missing") {
    d.set("error", "That delivery is not in this endpoint’s log.");
  }
  http::Response page = RenderEndpoint(req, a, *e, std::move(d), 200);
  if (revealing) reveals_.Forget(page);  // shown once: a reload has nothing to show
  return page;
}

http::Response ConsoleWebhookPages::RenderEndpoint(const http::Request& req, const AppVisitor& a,
                                                   const store::WebhookEndpoint& e, PageData d,
                                                   unsigned status) {
  const store::App& app = a.app();
  layout_.AppBase(d, a, "Webhook endpoint", "webhooks");
  d.set("heading", e.description.empty() ? e.url : e.description);
  d.set("endpoint_id", e.id);
  d.set("endpoint_url", e.url);
  d.set("on", e.enabled);
  d.set("events_text", EventsText(e.event_types));
  d.set("created_at", FormatTime(e.created_at));
  d.set("updated_at", FormatTime(e.updated_at));
  if (!e.previous_secret_sealed.empty() && e.previous_secret_expires_at > clock_.NowMillis()) {
    d.set("previous_secret_until", FormatTime(e.previous_secret_expires_at));
  }
  d.set("overlap", OverlapText());
  d.set("webhooks_url", layout_.AppPath(app, "/webhooks"));
  const std::string path = EndpointPath(app, e.id);
  d.set("update_action", path);
  d.set("delete_action", path + "/delete");
  d.set("rotate_action", path + "/rotate-secret");
  d.set("test_action", path + "/test");

  auto log = webhooks_.Deliveries(app, e.id, kLogSize);
  if (!log.ok()) return layout_.Unavailable(req, a.visitor);
  PageData rows = List();
  for (const store::Delivery& del : *log) {
    const StateBadge badge = BadgeOf(del.state);
    const bool pending = del.state == store::DeliveryState::kPending;
    PageData row;
    row.set("event_type", del.event_type);
    row.set("event_id", del.event_id);
    row.set("state", std::string(badge.label));
    row.set("state_class", std::string(badge.css));
    row.set("attempts", std::to_string(del.attempts));
    row.set("response", del.last_status > 0 ? std::to_string(del.last_status) : "—");
    row.set("last_error", del.last_error.empty() ? "—" : del.last_error);
    row.set("created", FormatTime(del.created_at));
    row.set("next_attempt", pending ? FormatTime(del.next_attempt_at) : "");
    row.set("redeliver_action",
            path + "/deliveries/" + http::FormEncode(del.id) + "/redeliver");
    rows.push_back(row);
  }
  d.set("deliveries", rows);
  d.set("log_size", std::to_string(kLogSize));

  if (!d.get("from_form")) {
    d.set("form_url", e.url);
    d.set("form_description", e.description);
    d.set("enabled", e.enabled);
    SetEventChoices(d, e.event_types);
  }
  // Families ("user.*", set through the API or the command line) are kept while the ticks
  // stay as they are.
  const bool families = std::ranges::any_of(e.event_types, [](const std::string& p) {
    return p.size() > 2 && p.ends_with(".*");
  });
  if (families) d.set("patterns_text", Join(e.event_types, ", "));
  return layout_.Render(req, a.visitor, "console_webhook", std::move(d), status);
}

http::Response ConsoleWebhookPages::UpdateEndpoint(http::Request& req, const AppVisitor& a,
                                                   const Form& form) {
  auto e = Find(req, a);
  if (!e.ok()) return layout_.Failure(req, a.visitor, e.status());
  const std::string url = Field(form, "url", kMaxUrlField);
  const std::string description = Field(form, "description", kMaxDescriptionField);
  const std::vector<std::string> events = EventsOf(form);
  const bool enabled = Checked(form, "enabled");
  PageData d;
  unsigned status = 400;
  if (events.empty()) {
    SetFieldErrors(d, std::vector<FieldError>{{"event_types", kEventsMissing}}, kFields);
    d.set("error", "Nothing was saved: please check the highlighted fields.");
  } else {
    services::WebhookInput in;
    in.url = url;
    in.description = description;
    in.event_types = PatternsToSave(e->event_types, events);
    in.enabled = enabled;
    auto saved = webhooks_.Update(a.app(), e->id, in, a.visitor.actor);
    if (saved.ok()) return layout_.Done(EndpointPath(a.app(), e->id), "saved");
    const Status& s = saved.status();
    const PageFailure failure = PageFailureOf(s, EnglishTexts());
    if (failure.unavailable() || s.IsNotFound()) return layout_.Failure(req, a.visitor, s);
    auto others = SetFieldErrors(d, FieldErrorsOf(s), kFields);
    d.set("error", RefusalSentence(EnglishTexts(), "Nothing was saved", s, others));
    status = failure.status;
  }
  d.set("from_form", true);
  d.set("form_url", url);
  d.set("form_description", description);
  d.set("enabled", enabled);
  SetEventChoices(d, events);
  return RenderEndpoint(req, a, *e, std::move(d), status);
}

http::Response ConsoleWebhookPages::DeleteEndpoint(http::Request& req, const AppVisitor& a,
                                                   const Form& form) {
  auto e = Find(req, a);
  if (!e.ok()) return layout_.Failure(req, a.visitor, e.status());
  if (!Checked(form, "confirm")) {
    PageData d;
    d.set("delete_error", "Tick the box to confirm that this endpoint should be deleted.");
    return RenderEndpoint(req, a, *e, std::move(d), 400);
  }
  Status s = webhooks_.Delete(a.app(), e->id, a.visitor.actor);
  if (s.ok() || s.IsNotFound()) {
    return layout_.Done(layout_.AppPath(a.app(), "/webhooks"), "deleted");
  }
  return layout_.Unavailable(req, a.visitor);
}

http::Response ConsoleWebhookPages::RotateSecret(http::Request& req, const AppVisitor& a,
                                                 const Form&) {
  auto e = Find(req, a);
  if (!e.ok()) return layout_.Failure(req, a.visitor, e.status());
  auto rotated = webhooks_.RotateSecret(a.app(), e->id, a.visitor.actor);
  if (rotated.ok()) return RedirectWithReveal(a, e->id, rotated->secret, "secret-rotated");
  return layout_.Failure(req, a.visitor, rotated.status());
}

http::Response ConsoleWebhookPages::SendTestEvent(http::Request& req, const AppVisitor& a,
                                                  const Form&) {
  auto e = Find(req, a);
  if (!e.ok()) return layout_.Failure(req, a.visitor, e.status());
  PageData d;
  if (!e->enabled) {
    d.set("error", "No test event was sent: the endpoint is off. Turn it on below first.");
    return RenderEndpoint(req, a, *e, std::move(d), 409);
  }
  auto sent = webhooks_.SendTestEvent(a.app(), e->id, a.visitor.actor);
  if (sent.ok()) return layout_.Done(EndpointPath(a.app(), e->id), "test-sent");
  const Status& s = sent.status();
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable() || s.IsNotFound()) return layout_.Failure(req, a.visitor, s);
  d.set("error", RefusalSentence(EnglishTexts(), "No test event was sent", s, {}));
  return RenderEndpoint(req, a, *e, std::move(d), failure.status);
}

http::Response ConsoleWebhookPages::Redeliver(http::Request& req, const AppVisitor& a,
                                              const Form&) {
  auto e = Find(req, a);
  if (!e.ok()) return layout_.Failure(req, a.visitor, e.status());
  const std::string path = EndpointPath(a.app(), e->id);
  const std::string& delivery_id = req.Param("delivery_id");
  if (!PlausibleId(delivery_id)) return layout_.Done(path, "delivery-missing");
  auto queued = webhooks_.Redeliver(a.app(), e->id, delivery_id, a.visitor.actor);
  if (queued.ok()) return layout_.Done(path, "redelivered");
  const Status& s = queued.status();
  if (s.IsNotFound()) return layout_.Done(path, "delivery-missing");
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  if (failure.unavailable()) return layout_.Unavailable(req, a.visitor);
  PageData d;
  d.set("error", RefusalSentence(EnglishTexts(), "The event was not queued again", s, {}));
  return RenderEndpoint(req, a, *e, std::move(d), failure.status);
}

}  // namespace tessera::web
