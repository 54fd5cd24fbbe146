#include "oauth/endpoints/scope_list.h"

#include "oauth/oidc_claims.h"

namespace tessera::oauth {

void SetScopeList(web::PageData& page, const std::vector<std::string>& scopes) {
  web::PageData rows(web::PageData::type::list);
  for (const auto& s : scopes) {
    auto desc = services::DescribeScope(s);
    web::PageData row;
    row.set("title", desc.title);
    row.set("description", desc.description);
    rows.push_back(row);
  }
  page.set("has_scopes", !scopes.empty());
  page.set("scopes", rows);
}

}  // namespace tessera::oauth
