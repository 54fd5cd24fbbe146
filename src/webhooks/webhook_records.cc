#include "webhooks/webhook_records.h"

namespace tessera::store {
namespace {

// "user.*" covers "user.created"; "*" covers everything.
bool Matches(std::string_view pattern, std::string_view type) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.ends_with(".*")) {
    std::string_view family = pattern.substr(0, pattern.size() - 1);  // "user."
    return type.starts_with(family);
  }
  return pattern == type;
}

}  // namespace

bool IsWebhookEventPattern(std::string_view pattern) {
  for (const WebhookEventType& t : kWebhookEventTypes) {
    if (Matches(pattern, t.name)) return true;
  }
  return false;
}

bool WebhookHears(std::span<const std::string> patterns, std::string_view type) {
  for (const std::string& p : patterns) {
    if (Matches(p, type)) return true;
  }
  return false;
}

}  // namespace tessera::store
