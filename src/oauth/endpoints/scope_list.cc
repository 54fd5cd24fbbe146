#include "oauth/endpoints/scope_list.h"

#include "web/display_text.h"

namespace tessera::oauth {

void SetScopeList(web::PageData& page, const std::vector<std::string>& scopes,
                  const i18n::Texts& t) {
  web::PageData rows(web::PageData::type::list);
  for (const auto& s : scopes) {
    web::PageData row;
    row.set("title", web::ScopeTitle(t, s));
    row.set("description", web::ScopeDescription(t, s));
    rows.push_back(row);
  }
  page.set("has_scopes", !scopes.empty());
  page.set("scopes", rows);
}

}  // namespace tessera::oauth
