#include "mfa/mfa_events.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "base/time_format.h"

namespace tessera::services {

store::AuditEvent MfaEvent(const store::App& app, store::AuditAction action,
                           std::string_view user_id, boost::json::object details,
                           const Actor* actor, bool ok) {
  store::AuditEvent e = actor ? ActorEvent(*actor, action) : store::AuditEvent{};
  e.app_id = app.id;
  e.action = action;
  if (!actor) {
    e.actor_type = store::AuditActorType::kUser;
    e.actor_id = user_id;
  }
  e.subject_type = store::AuditSubjectType::kUser;
  e.subject_id = user_id;
  e.outcome = ok ? store::AuditOutcome::kSuccess : store::AuditOutcome::kFailure;
  e.details_json = boost::json::serialize(details);
  return e;
}

void MailSecurityNotice(std::optional<MailFlowContext>& mail, const store::App& app,
                        const store::User& user, std::string_view change_key,
                        const i18n::MessageArgs& args) {
  if (!mail || user.email.empty()) return;
  kainjow::mustache::data vars;
  vars.set("change", MailTexts(app, &user)(change_key, args));
  vars.set("time_utc", FormatUtc(mail->clock.NowMillis(), kReadableUtc));
  Status sent = SendTemplatedMail(*mail, app, "security_notice", user.email, std::move(vars), &user);
  if (!sent.ok()) {
    LogJson(spdlog::level::warn, "security_notice_not_sent",
            {{"app", app.slug}, {"user_id", user.id}, {"error", sent.message()}});
  }
}

}  // namespace tessera::services
