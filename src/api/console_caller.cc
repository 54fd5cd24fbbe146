#include "api/console_caller.h"

#include "api/api_support.h"
#include "api/user_management_handlers.h"
#include "http/problem.h"

namespace tessera::api {
namespace {

// What the router answers for a path it does not know: the operators' API looks exactly like
// that to everyone else.
http::Response NoSuchEndpoint() {
  return http::Problem(404, "not-found", "Not found", "no such endpoint");
}

}  // namespace

http::Response ConsoleCaller::AsDeveloper(http::Request& req, const DeveloperHandler& fn) const {
  auto console = apps_.Resolve(services::kConsoleAppSlug);
  if (!console.ok()) return http::ProblemResponse(console.status());
  std::string_view header = req.Header(http::beast_http::field::authorization);
  auto principal = authenticator_.Authenticate(*console, header);
  if (!principal.ok()) {
    return AuthenticationFailed(principal.status(), header, apps_.IssuerFor(console->slug));
  }
  services::ClientInfo client = ClientOf(req);
  bool op = services::DeveloperConsoleService::IsOperator(principal->user);
  services::Actor actor{op ? store::AuditActorType::kAdmin : store::AuditActorType::kDeveloper,
                        principal->user.id, client.ip, client.user_agent};
  return fn(principal->user, actor);
}

http::Response ConsoleCaller::InAccessibleApp(http::Request& req, const AccessHandler& fn) const {
  return AsDeveloper(req, [&](const store::User& caller, const services::Actor& actor) {
    auto access = console_.Access(caller, req.Param("slug"));
    if (!access.ok()) return http::ProblemResponse(access.status());
    return fn(*access, actor);
  });
}

http::Response ConsoleCaller::AsOperator(http::Request& req, const DeveloperHandler& fn) const {
  auto console = apps_.Resolve(services::kConsoleAppSlug);
  if (!console.ok()) return http::ProblemResponse(console.status());
  std::string_view header = req.Header(http::beast_http::field::authorization);
  auto principal = authenticator_.Authenticate(*console, header);
  if (!principal.ok()) {
    // Only a database failure is worth telling; an unknown caller sees no such endpoint.
    return principal.status().code() == StatusCode::kUnauthenticated
               ? NoSuchEndpoint()
               : http::ProblemResponse(principal.status());
  }
  if (!services::DeveloperConsoleService::IsOperator(principal->user)) return NoSuchEndpoint();
  services::ClientInfo client = ClientOf(req);
  services::Actor actor{store::AuditActorType::kAdmin, principal->user.id, client.ip,
                        client.user_agent};
  return fn(principal->user, actor);
}

}  // namespace tessera::api
