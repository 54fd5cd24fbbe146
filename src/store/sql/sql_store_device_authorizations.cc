#include "store/sql/sql_store.h"
#include "base/strings.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kDeviceColumns =
    "device_code_hash, user_code_hash, app_id, client_id, scope, status, interval_s,"
    " last_polled_at, created_at, expires_at, decided_at, user_id, session_id,"
    " browser_session_id, auth_time, amr, idp";

Result<DeviceAuthorization> ReadDevice(const SqlRow& r) {
  DeviceAuthorization d;
  d.device_code_hash = Text(r, 0);
  d.user_code_hash = Text(r, 1);
  d.app_id = Text(r, 2);
  d.client_id = Text(r, 3);
  d.scope = Text(r, 4);
  TESSERA_ASSIGN_OR_RETURN(d.status,
                           EnumColumn<DeviceAuthorizationStatus>(r, 5, "device_authorizations.status"));
  d.interval_s = Int(r, 6);
  d.last_polled_at = Int(r, 7);
  d.created_at = Int(r, 8);
  d.expires_at = Int(r, 9);
  d.decided_at = OptInt(r, 10);
  d.user_id = Text(r, 11);
  d.session_id = Text(r, 12);
  d.browser_session_id = Text(r, 13);
  d.auth_time = Int(r, 14);
  d.amr = Text(r, 15);
  d.idp = Text(r, 16);
  return d;
}

// The column a code kind is found by (never user input: one of two constants).
std::string_view CodeColumn(DeviceAuthorizationStore::CodeKind kind) {
  return kind == DeviceAuthorizationStore::CodeKind::kDeviceCode ? "device_code_hash"
                                                                  : "user_code_hash";
}

Result<DeviceAuthorization> OneDevice(const SqlRows& rows) {
  if (rows.empty()) return NotFoundError("device authorization");
  return ReadDevice(rows[0]);
}

}  // namespace

Status SqlStore::CreateDeviceAuthorization(const DeviceAuthorization& d) {
  return WriteOne(StrCat({"INSERT INTO device_authorizations (", kDeviceColumns,
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
                          " $15, $16, $17)"}),
                  {d.device_code_hash, d.user_code_hash, d.app_id, d.client_id, d.scope,
                   EnumValue(d.status), d.interval_s, d.last_polled_at, d.created_at, d.expires_at,
                   Opt(d.decided_at), d.user_id, d.session_id, d.browser_session_id, d.auth_time,
                   d.amr, d.idp})
      .status();
}

Result<DeviceAuthorization> SqlStore::GetDeviceAuthorization(std::string_view app_id, CodeKind kind,
                                                             std::string_view code_hash) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kDeviceColumns, " FROM device_authorizations WHERE ",
                                     CodeColumn(kind), " = $1 AND app_id = $2"}),
                             {std::string(code_hash), std::string(app_id)}));
  return OneDevice(rows);
}

// The no-op UPDATE takes the row's write lock first (PostgreSQL: a concurrent update waits,
// then reads this one's result; SQLite has one writer anyway).
Result<DeviceAuthorization> SqlStore::UpdateDeviceAuthorization(
    std::string_view app_id, CodeKind kind, std::string_view code_hash,
    const std::function<Status(DeviceAuthorization&)>& mutate) {
  DeviceAuthorization d;
  TESSERA_RETURN_IF_ERROR(db_->Write([&](SqlConnection& c) -> Status {
    std::string where = StrCat({" WHERE ", CodeColumn(kind), " = $1 AND app_id = $2"});
    TESSERA_ASSIGN_OR_RETURN(
        int64_t locked, c.Exec("UPDATE device_authorizations SET status = status" + where,
                               {std::string(code_hash), std::string(app_id)}));
    if (locked != 1) return NotFoundError("device authorization");
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows, c.Query(StrCat({"SELECT ", kDeviceColumns, " FROM device_authorizations", where}),
                              {std::string(code_hash), std::string(app_id)}));
    TESSERA_ASSIGN_OR_RETURN(d, OneDevice(rows));
    const DeviceAuthorization before = d;
    TESSERA_RETURN_IF_ERROR(mutate(d));
    // Not changeable here: the returned record is what is stored.
    d.device_code_hash = before.device_code_hash;
    d.user_code_hash = before.user_code_hash;
    d.app_id = before.app_id;
    d.client_id = before.client_id;
    d.scope = before.scope;
    d.created_at = before.created_at;
    return c
        .Exec("UPDATE device_authorizations SET status = $2, interval_s = $3,"
              " last_polled_at = $4, expires_at = $5, decided_at = $6, user_id = $7,"
              " session_id = $8, browser_session_id = $9, auth_time = $10, amr = $11, idp = $12"
              " WHERE device_code_hash = $1",
              {d.device_code_hash, EnumValue(d.status), d.interval_s, d.last_polled_at,
               d.expires_at, Opt(d.decided_at), d.user_id, d.session_id, d.browser_session_id,
               d.auth_time, d.amr, d.idp})
        .status();
  }));
  return d;
}

}  // namespace tessera::store::sql
