#include "mail/dns_txt.h"

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace tessera::mail {
namespace {

// A DNS name is at most 253 characters; refuse anything that is not a plain host name
// before it reaches the resolver.
bool PlausibleName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_';
  });
}

// res_state is large and not thread-safe: one per call, closed on every path.
struct ResolverState {
  struct __res_state state;
  bool open = false;
  ResolverState() { std::memset(&state, 0, sizeof state); }
  ~ResolverState() {
    if (open) res_nclose(&state);
  }
};

}  // namespace

Result<std::vector<std::string>> TxtRecordsOf(const unsigned char* answer, size_t size) {
  ns_msg msg;
  if (ns_initparse(answer, static_cast<int>(size), &msg) < 0) {
    return InvalidArgumentError("dns: the answer does not parse");
  }
  std::vector<std::string> out;
  const int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
      return InvalidArgumentError("dns: an answer record does not parse");
    }
    if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in) continue;
    const unsigned char* p = ns_rr_rdata(rr);
    const unsigned char* end = p + ns_rr_rdlen(rr);
    std::string text;
    while (p < end) {  // <length><bytes>, repeated
      size_t n = *p++;
      if (n > static_cast<size_t>(end - p)) return InvalidArgumentError("dns: a TXT string overruns");
      text.append(reinterpret_cast<const char*>(p), n);
      p += n;
    }
    out.push_back(std::move(text));
  }
  return out;
}

Result<std::vector<std::string>> LookupTxt(std::string_view name,
                                           std::chrono::milliseconds timeout) {
  if (!PlausibleName(name)) return InvalidArgumentError("dns: not a host name");
  ResolverState r;
  if (res_ninit(&r.state) != 0) return UnavailableError("dns: the resolver cannot start");
  r.open = true;
  // One try per server within the timeout (whole seconds, at least one).
  r.state.retrans = std::max(1, static_cast<int>(timeout.count() / 1000));
  r.state.retry = 1;
  std::array<unsigned char, NS_MAXMSG> answer{};
  const std::string query(name);
  int n = res_nquery(&r.state, query.c_str(), ns_c_in, ns_t_txt, answer.data(),
                     static_cast<int>(answer.size()));
  if (n < 0) {
    // h_errno of this state: no such name / no data, versus no answer at all.
    if (r.state.res_h_errno == HOST_NOT_FOUND || r.state.res_h_errno == NO_DATA) {
      return NotFoundError("dns: no TXT record at " + query);
    }
    return UnavailableError("dns: no answer for " + query);
  }
  return TxtRecordsOf(answer.data(), static_cast<size_t>(n));
}

}  // namespace tessera::mail
