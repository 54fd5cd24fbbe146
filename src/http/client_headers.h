// File: client_headers.h
// Request headers recorded for display (sessions, audit events), read once here so every edge
// records them alike: repaired and bounded, never refused (base/utf8.h DisplayText).
#pragma once

#include <cstddef>
#include <string>

#include "http/message.h"

namespace tessera::http {

// The sessions' limit; the audit log keeps fewer (services::kAuditMaxUserAgent).
inline constexpr size_t kMaxDisplayUserAgent = 512;

// The User-Agent header as valid UTF-8 (ill-formed sequences → U+FFFD), without control
// characters, at most kMaxDisplayUserAgent bytes.
std::string DisplayUserAgent(const Request& req);

}  // namespace tessera::http
