#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kAppColumns = "id, slug, name, disabled, settings_json, created_at";

// The settings are parsed here, once per read (AppService caches the result).
App ReadApp(const SqlRow& r) {
  return App{Text(r, 0), Text(r, 1), Text(r, 2), Int(r, 3) != 0, ParseAppSettings(Text(r, 4)),
             Int(r, 5)};
}

constexpr std::string_view kInsertApp =
    "INSERT INTO apps (id, slug, name, disabled, settings_json, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

Status InsertApp(SqlConnection& c, const App& app) {
  return c
      .Exec(kInsertApp, {app.id, app.slug, app.name, int64_t{app.disabled},
                         SerializeAppSettings(app.settings), app.created_at})
      .status();
}

}  // namespace

Status SqlStore::CreateApp(const App& app) {
  return db_->Write([&](SqlConnection& c) { return InsertApp(c, app); });
}

// One transaction: a failed owner (a clash, a console user deleted meanwhile) rolls the app
// back, so no app is ever stored, or its slug taken, without an owner.
Status SqlStore::CreateAppWithOwner(const App& app, const AppMember& owner) {
  return db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_RETURN_IF_ERROR(InsertApp(c, app));
    return c
        .Exec("INSERT INTO app_members (app_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
              {owner.app_id, owner.user_id, EnumValue(owner.role), owner.created_at})
        .status();
  });
}

Result<App> SqlStore::GetAppBySlug(std::string_view slug) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(StrCat({"SELECT ", kAppColumns, " FROM apps WHERE slug = $1"}),
                                    {std::string(slug)}));
  if (rows.empty()) return NotFoundError("app");
  return ReadApp(rows[0]);
}

Result<App> SqlStore::GetAppById(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadRows(StrCat({"SELECT ", kAppColumns, " FROM apps WHERE id = $1"}),
                                    {std::string(app_id)}));
  if (rows.empty()) return NotFoundError("app");
  return ReadApp(rows[0]);
}

Result<std::vector<App>> SqlStore::ListApps() {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kAppColumns, " FROM apps ORDER BY slug"}), {}));
  std::vector<App> apps;
  for (const auto& r : rows) apps.push_back(ReadApp(r));
  return apps;
}

Status SqlStore::UpdateAppSettings(std::string_view app_id, const AppSettings& settings) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("UPDATE apps SET settings_json = $2 WHERE id = $1",
                                    {std::string(app_id), SerializeAppSettings(settings)}));
  return n == 1 ? OkStatus() : NotFoundError("app");
}

// Read-modify-write in one transaction. The no-op UPDATE first takes the row's write lock, so
// on PostgreSQL (READ COMMITTED) a concurrent UpdateApp waits and then reads this one's result
// instead of overwriting it; SQLite has one writer anyway.
Result<App> SqlStore::UpdateApp(std::string_view app_id,
                                const std::function<Status(App&)>& mutate) {
  App app;
  Status s = db_->Write([&](SqlConnection& c) -> Status {
    TESSERA_ASSIGN_OR_RETURN(
        int64_t locked, c.Exec("UPDATE apps SET name = name WHERE id = $1", {std::string(app_id)}));
    if (locked != 1) return NotFoundError("app");
    TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                             c.Query(StrCat({"SELECT ", kAppColumns, " FROM apps WHERE id = $1"}),
                                     {std::string(app_id)}));
    if (rows.empty()) return NotFoundError("app");
    app = ReadApp(rows[0]);
    const App before = app;
    TESSERA_RETURN_IF_ERROR(mutate(app));
    // Not changeable here: the returned app is what is stored.
    app.id = before.id;
    app.slug = before.slug;
    app.created_at = before.created_at;
    return c
        .Exec("UPDATE apps SET name = $2, disabled = $3, settings_json = $4 WHERE id = $1",
              {app.id, app.name, int64_t{app.disabled}, SerializeAppSettings(app.settings)})
        .status();
  });
  if (!s.ok()) return s;
  return app;
}

}  // namespace tessera::store::sql
