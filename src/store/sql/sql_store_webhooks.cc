#include "base/strings.h"
#include "store/sql/sql_store.h"

namespace tessera::store::sql {
namespace {

constexpr std::string_view kEndpointColumns =
    "id, app_id, url, description, event_types, enabled, secret_sealed, previous_secret_sealed,"
    " previous_secret_expires_at, created_at, updated_at";

// The patterns are stored space-separated: none holds a space (IsWebhookEventPattern).
std::string JoinPatterns(const std::vector<std::string>& patterns) {
  std::string out;
  for (const std::string& p : patterns) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::vector<std::string> SplitPatterns(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (end > i) out.emplace_back(text.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

WebhookEndpoint ReadEndpoint(const SqlRow& r) {
  WebhookEndpoint e;
  e.id = Text(r, 0);
  e.app_id = Text(r, 1);
  e.url = Text(r, 2);
  e.description = Text(r, 3);
  e.event_types = SplitPatterns(Text(r, 4));
  e.enabled = Int(r, 5) != 0;
  e.secret_sealed = Text(r, 6);
  e.previous_secret_sealed = Text(r, 7);
  e.previous_secret_expires_at = Int(r, 8);
  e.created_at = Int(r, 9);
  e.updated_at = Int(r, 10);
  return e;
}

}  // namespace

Status SqlStore::CreateWebhookEndpoint(const WebhookEndpoint& e) {
  return WriteOne(StrCat({"INSERT INTO webhook_endpoints (", kEndpointColumns,
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"}),
                  {e.id, e.app_id, e.url, e.description, JoinPatterns(e.event_types),
                   int64_t{e.enabled}, e.secret_sealed, e.previous_secret_sealed,
                   e.previous_secret_expires_at, e.created_at, e.updated_at})
      .status();
}

Status SqlStore::UpdateWebhookEndpoint(const WebhookEndpoint& e) {
  TESSERA_ASSIGN_OR_RETURN(
      int64_t n,
      WriteOne("UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5,"
               " enabled = $6, secret_sealed = $7, previous_secret_sealed = $8,"
               " previous_secret_expires_at = $9, updated_at = $10"
               " WHERE app_id = $1 AND id = $2",
               {e.app_id, e.id, e.url, e.description, JoinPatterns(e.event_types),
                int64_t{e.enabled}, e.secret_sealed, e.previous_secret_sealed,
                e.previous_secret_expires_at, e.updated_at}));
  return n == 1 ? OkStatus() : NotFoundError("webhook endpoint");
}

Result<WebhookEndpoint> SqlStore::GetWebhookEndpoint(std::string_view app_id,
                                                     std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows, ReadRows(StrCat({"SELECT ", kEndpointColumns,
                                     " FROM webhook_endpoints WHERE app_id = $1 AND id = $2"}),
                             {std::string(app_id), std::string(id)}));
  if (rows.empty()) return NotFoundError("webhook endpoint");
  return ReadEndpoint(rows[0]);
}

Result<std::vector<WebhookEndpoint>> SqlStore::ListWebhookEndpoints(std::string_view app_id) {
  TESSERA_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadRows(StrCat({"SELECT ", kEndpointColumns,
                       " FROM webhook_endpoints WHERE app_id = $1 ORDER BY created_at, id"}),
               {std::string(app_id)}));
  std::vector<WebhookEndpoint> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) out.push_back(ReadEndpoint(r));
  return out;
}

Status SqlStore::DeleteWebhookEndpoint(std::string_view app_id, std::string_view id) {
  TESSERA_ASSIGN_OR_RETURN(int64_t n,
                           WriteOne("DELETE FROM webhook_endpoints WHERE app_id = $1 AND id = $2",
                                    {std::string(app_id), std::string(id)}));
  return n == 1 ? OkStatus() : NotFoundError("webhook endpoint");
}

}  // namespace tessera::store::sql
