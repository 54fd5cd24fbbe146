// File: return_to.h
// The guard of `return_to`, where a sign-in page sends the browser afterwards: only ever a
// page of the same app (no open redirector).
#pragma once

#include <string>
#include <string_view>

#include "tenancy/tenancy_records.h"
#include "web/page_urls.h"

namespace tessera::web {

// `return_to` when it stays inside this app's pages, "" otherwise. For the console app the
// console's own pages (/console…, /admin…) are allowed too. No control characters, spaces,
// backslashes, "//" or dot segments (also percent-encoded) get through.
std::string SafeReturnTo(const PageUrls& urls, const store::App& app, std::string_view return_to);

}  // namespace tessera::web
