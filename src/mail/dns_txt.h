// File: dns_txt.h
// TXT records of a DNS name through the system resolver (libresolv's res_nquery, so
// /etc/resolv.conf decides the servers): used to verify an app's sender domain
// (tenancy/mail_domain_service.h). Blocks for up to about `timeout` per server: call it from
// a worker thread, never from a network thread.
//
//   auto txt = mail::LookupTxt("_tessera.example.org", std::chrono::seconds(3));
//   // OK: each record's character-strings joined; kNotFound: no such name or no TXT;
//   // kUnavailable: no answer in time, or the resolver failed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tessera::mail {

Result<std::vector<std::string>> LookupTxt(std::string_view name,
                                           std::chrono::milliseconds timeout);

// The TXT records of a DNS answer (a whole message, as res_nquery returns it); each record's
// character-strings joined (RFC 7208 §3.3). kInvalidArgument for a message that does not parse.
Result<std::vector<std::string>> TxtRecordsOf(const unsigned char* answer, size_t size);

}  // namespace tessera::mail
