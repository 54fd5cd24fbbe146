// File: forwarded.h
// The client's address behind reverse proxies (issue 12). Behind a load balancer the socket
// peer is the balancer, so every client shared one IP: 100 failed sign-ins from anyone locked
// every user out. With --trusted-proxies the server believes `X-Forwarded-For` (or RFC 7239
// `Forwarded: for=`, with --forwarded-header=forwarded) — but only when the socket peer is
// one of those proxies, and then only as far as the chain stays within them: the list is
// walked from the right (the hop the nearest proxy appended) and the first address that is
// not a trusted proxy is the client. Everything left of it was written by that client and
// may be forged. Anyone else's forwarding headers are ignored. The scheme likewise comes from
// `X-Forwarded-Proto` (or `proto=`) of trusted peers only.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace tessera::http {

// Which header the trusted proxies write. One, not both: a proxy that manages one passes the
// other through from the client unchanged, so believing both would believe the client.
enum class ForwardedHeader { kXForwardedFor, kForwarded };

// A set of networks (CIDR); a bare address is a network of one.
class TrustedProxies {
 public:
  // "10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"; kInvalidArgument naming a bad entry.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& cidrs);
  bool Contains(const boost::asio::ip::address& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

struct ForwardingRules {
  TrustedProxies proxies;
  ForwardedHeader header = ForwardedHeader::kXForwardedFor;
};

struct ClientEndpoint {
  std::string ip;
  std::string scheme;  // "http" or "https"
};

// One hop of a forwarding list: "192.0.2.1", "192.0.2.1:8080", "2001:db8::1",
// "[2001:db8::1]:8080"; IPv4-mapped IPv6 as IPv4. nullopt for "unknown", obfuscated
// identifiers ("_hidden") and garbage.
std::optional<boost::asio::ip::address> ParseForwardedNode(std::string_view node);

// The client of a request that came from `peer` (see the file comment).
ClientEndpoint ResolveClient(const boost::asio::ip::address& peer, const RawRequest& request,
                             const ForwardingRules& rules);

}  // namespace tessera::http
