// File: unique_keys.h
// The schema's unique keys (migrations/<dialect>/) in one table: for each, how each engine
// names it when a statement violates it, and the typed key (store interfaces' *UniqueKey
// enums) the store reports in the kAlreadyExists. The engines call UniqueViolation with the
// name the database gives — PostgreSQL the constraint or unique index
// (PG_DIAG_CONSTRAINT_NAME), SQLite the columns of its "UNIQUE constraint failed: <columns>"
// message — so nothing above the engines looks at an error's text.
// tests/store/unique_keys_conformance_test.cc checks the table against the live schema of
// both engines, and that each key is reported for a clash on it.
#pragma once

#include <span>
#include <string_view>

#include "base/status.h"

namespace tessera::store::sql {

struct UniqueKeyName {
  std::string_view postgres;  // constraint or unique index, e.g. "users_email_uq"
  std::string_view sqlite;    // the columns, e.g. "users.app_id, users.email_normalized"
  UniqueKey key;              // e.g. UserUniqueKey::kEmail
  std::string_view field;     // the kAlreadyExists message, e.g. "email"
};

std::span<const UniqueKeyName> UniqueKeyNames();

// Unique keys no statement can violate, so they have no typed key: the consents and the
// throttle counters are upserted, the migration log is written under a lock, the audit
// rollups are written with ON CONFLICT DO NOTHING (a day counted once, by any node).
inline constexpr std::string_view kKeysNeverViolated[] = {
    "consents", "login_throttle", "schema_migrations", "audit_rollup_days", "audit_daily_counts",
    "audit_active_users"};

// The kAlreadyExists for a violation of the key `dialect` ("sqlite" | "postgres") names
// `name`; kInternal for a key the table lacks (a migration added a key without a row here).
Status UniqueViolation(std::string_view dialect, std::string_view name);

}  // namespace tessera::store::sql
