// File: scope_list.h
// What a user is asked to grant, as the consent and the device confirmation pages list it:
// one row per scope (title and description, oidc_claims' DescribeScope), under `scopes`, and
// `has_scopes` so the template shows the list only when there is one.
#pragma once

#include <string>
#include <vector>

#include "web/page_writer.h"

namespace tessera::oauth {

void SetScopeList(web::PageData& page, const std::vector<std::string>& scopes);

}  // namespace tessera::oauth
