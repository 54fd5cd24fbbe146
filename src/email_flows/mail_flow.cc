#include "email_flows/mail_flow.h"

#include "email_flows/mail_templates.h"
#include "tenancy/app_settings.h"

namespace tessera::services {

Status SendTemplatedMail(MailFlowContext& ctx, const store::App& app, std::string_view kind,
                         std::string_view to, kainjow::mustache::data vars) {
  // The name people know the app by (its display name), as on its pages and the From line.
  vars.set("app_name", store::DisplayName(app.settings, app.name));
  vars.set("accent_color", app.settings.accent_color);
  TESSERA_ASSIGN_OR_RETURN(MailContent content, RenderMail(kind, vars));
  return ctx.mailer.Send(app, kind, to, content);
}

std::string TokenLink(MailFlowContext& ctx, const store::App& app, std::string_view page,
                      std::string_view token) {
  return ctx.apps.IssuerFor(app.slug) + "/" + std::string(page) + "?token=" + std::string(token);
}

}  // namespace tessera::services
