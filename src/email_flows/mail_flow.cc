#include "email_flows/mail_flow.h"

#include <boost/json.hpp>

#include "accounts/identity_rules.h"
#include "email_flows/mail_templates.h"
#include "i18n/locale_negotiation.h"
#include "tenancy/app_settings.h"

namespace tessera::services {
namespace {

// The profile's `locale` claim, or "" (none, or a profile that does not parse).
std::string SavedLocale(const store::User& user) {
  boost::system::error_code ec;
  boost::json::value profile = boost::json::parse(user.profile_json, ec);
  if (ec || !profile.is_object()) return "";
  const boost::json::value* locale = profile.as_object().if_contains("locale");
  return locale && locale->is_string() ? std::string(locale->as_string()) : "";
}

}  // namespace

i18n::Texts MailTexts(const store::App& app, const store::User* user,
                      std::string_view locale_hint) {
  const std::string saved = user ? SavedLocale(*user) : "";
  std::string locale = "en";
  for (std::string_view candidate : {std::string_view(saved), locale_hint,
                                     std::string_view(app.settings.default_locale)}) {
    if (auto match = i18n::MatchLocale(candidate)) {
      locale = std::move(*match);
      break;
    }
  }
  return i18n::Texts(i18n::MessageCatalog::Embedded(), std::move(locale), &app.settings.messages);
}

Status SendTemplatedMail(MailFlowContext& ctx, const store::App& app, std::string_view kind,
                         std::string_view to, kainjow::mustache::data vars,
                         const store::User* user, std::string_view locale_hint) {
  // The name people know the app by (its display name), as on its pages and the From line.
  vars.set("app_name", store::DisplayName(app.settings, app.name));
  vars.set("accent_color", app.settings.accent_color);
  TESSERA_ASSIGN_OR_RETURN(MailContent content,
                           RenderMail(kind, vars, MailTexts(app, user, locale_hint)));
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
