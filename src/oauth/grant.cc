#include "oauth/grant.h"

namespace tessera::services {

std::string GrantRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::optional<std::string> GrantRequest::Optional(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::nullopt : std::optional<std::string>(it->second);
}

}  // namespace tessera::services
