// File: scope_list.h
// What a user is asked to grant, as the consent and the device confirmation pages list it:
// one row per scope (title and description, in `t`'s language: the catalogue's
// consent.scope_<scope>_title/_description; an unknown scope by its name), under `scopes`,
// and `has_scopes` so the template shows the list only when there is one.
#pragma once

#include <string>
#include <vector>

#include "i18n/message_catalog.h"
#include "web/page_writer.h"

namespace tessera::oauth {

void SetScopeList(web::PageData& page, const std::vector<std::string>& scopes,
                  const i18n::Texts& t);

}  // namespace tessera::oauth
