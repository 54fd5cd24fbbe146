// File: mfa_events.h
// What the second-factor services tell others: audit events, and the notice mailed to the
// user on every change to their factors (and on every recovery code used), so that a change
// they did not make does not go unnoticed.
#pragma once

#include "i18n/message_catalog.h"

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "accounts/user_records.h"
#include "audit/audit_log.h"
#include "email_flows/mail_flow.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// An event about `user_id`, done by them (or, when `actor` is given, by the app).
store::AuditEvent MfaEvent(const store::App& app, store::AuditAction action,
                           std::string_view user_id, boost::json::object details,
                           const Actor* actor = nullptr, bool ok = true);

// Mails `user` the "security_notice" with the change: the catalogue's message `change_key`
// ("mail.change_totp_added": "An authenticator app (\"{label}\") was added to your account.")
// with `args`, in the user's language. Best effort: a failure is logged, never returned (the
// change stands).
void MailSecurityNotice(std::optional<MailFlowContext>& mail, const store::App& app,
                        const store::User& user, std::string_view change_key,
                        const i18n::MessageArgs& args = {});

}  // namespace tessera::services
