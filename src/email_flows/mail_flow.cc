#include "email_flows/mail_flow.h"

#include "accounts/identity_rules.h"
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

Result<std::optional<store::User>> MailRecipient(MailFlowContext& ctx, const store::App& app,
                                                 std::string_view email, std::string_view ip) {
  auto valid = ValidEmail(email);
  if (!valid) return ValidationError({{"email", "must be a valid email address"}});
  std::string normalized = NormalizeEmail(*valid);
  TESSERA_RETURN_IF_ERROR(ctx.limiter.Acquire(app, normalized, ip));
  auto user = ctx.users.GetUserByEmail(app.id, normalized);
  if (user.status().IsNotFound() || (user.ok() && user->disabled)) {
    return std::optional<store::User>();
  }
  TESSERA_RETURN_IF_ERROR(user.status());
  return std::optional<store::User>(std::move(*user));
}

}  // namespace tessera::services
