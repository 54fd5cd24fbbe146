// File: console_visitor.h
// Who is on a console page, as the console gates (console_gates.h) resolved them.
#pragma once

#include "accounts/user_records.h"
#include "audit/audit_log.h"
#include "sessions/session_records.h"
#include "tenancy/developer_console_service.h"
#include "tenancy/tenancy_records.h"

namespace tessera::web {

// A signed-in console user: the console app, their browser session, who they are and the
// actor their actions are recorded as.
struct ConsoleVisitor {
  store::App console;
  store::Session session;
  store::User user;
  bool is_operator = false;
  services::Actor actor;
};

// …on the pages of one app they may open (a member of it, or an operator).
struct AppVisitor {
  ConsoleVisitor visitor;
  services::AppAccess access;
  const store::App& app() const { return access.app; }
};

}  // namespace tessera::web
