#include "base/change_notices.h"

#include <optional>

namespace tessera {
namespace {

constexpr std::pair<ChangeTopic, std::string_view> kTopicNames[] = {
    {ChangeTopic::kApp, "app"},
    {ChangeTopic::kSigningKeys, "keys"},
};

std::string_view NameOf(ChangeTopic topic) {
  for (const auto& [t, name] : kTopicNames) {
    if (t == topic) return name;
  }
  return "";
}

std::optional<ChangeTopic> TopicNamed(std::string_view name) {
  for (const auto& [t, n] : kTopicNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

}  // namespace

void ChangeNotices::Subscribe(ChangeTopic topic, Handler handler) {
  handlers_.emplace_back(topic, std::move(handler));
}

std::string ChangeNotices::Payload(ChangeTopic topic, std::string_view key) {
  std::string out(NameOf(topic));
  out += ':';
  out += key;
  return out;
}

void ChangeNotices::Publish(ChangeTopic topic, std::string_view key) {
  DeliverLocally(topic, key);
  if (transport_) transport_(Payload(topic, key));
}

void ChangeNotices::Deliver(std::string_view payload) {
  size_t colon = payload.find(':');
  if (colon == std::string_view::npos) return;
  if (auto topic = TopicNamed(payload.substr(0, colon))) {
    DeliverLocally(*topic, payload.substr(colon + 1));
  }
}

void ChangeNotices::DeliverAll() {
  for (const auto& [topic, handler] : handlers_) handler("");
}

void ChangeNotices::DeliverLocally(ChangeTopic topic, std::string_view key) {
  for (const auto& [t, handler] : handlers_) {
    if (t == topic) handler(key);
  }
}

}  // namespace tessera
