#include "oauth/backchannel_logout.h"

namespace tessera::services {
namespace {
// Nothing to send any more: the delivery is dropped.
Result<std::optional<OutboundRequest>> Nothing() { return std::optional<OutboundRequest>(); }
}  // namespace

Result<std::optional<OutboundRequest>> BackchannelLogout::Prepare(const store::Delivery& d) {
  Result<store::App> app = apps_.GetAppById(d.app_id);
  if (app.status().IsNotFound()) return Nothing();
  if (!app.ok()) return app.status();
  if (!app->settings.backchannel_logout) return Nothing();
  Result<store::OAuthClient> client = clients_.GetClient(d.app_id, d.client_id);
  if (client.status().IsNotFound()) return Nothing();
  if (!client.ok()) return client.status();
  if (client->backchannel_logout_uri.empty()) return Nothing();
  TESSERA_ASSIGN_OR_RETURN(std::string token,
                           tokens_.LogoutToken(*app, *client, d.user_id, d.session_id));
  OutboundRequest request;
  request.method = "POST";
  request.url = client->backchannel_logout_uri;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  // A JWS is base64url and dots: nothing in it needs percent-encoding in a form.
  request.body = "logout_token=" + token;
  return std::optional<OutboundRequest>(std::move(request));
}

}  // namespace tessera::services
