// File: public_address.h
// Whether an address Tessera is about to connect to is on the public internet. Upstream
// provider hosts are chosen by app developers (a multi-tenant server): without this check
// they could point Tessera at 169.254.169.254 (cloud metadata), 127.0.0.1 (admin ports) or
// the operator's private network — server-side request forgery. CurlOutboundHttp asks it of
// each address libcurl is about to connect to, after DNS, so a name that resolves (or
// rebinds) to a private address is refused too.
#pragma once

#include <sys/socket.h>

namespace tessera::services {

// False for what is not publicly routable:
//   IPv4  0.0.0.0/8 (unspecified), 10/8, 172.16/12, 192.168/16 (private), 127/8 (loopback),
//         169.254/16 (link-local, cloud metadata), 100.64/10 (CGNAT; Alibaba's metadata),
//         192.0.0/24 (IETF protocol assignments), 198.18/15 (benchmarking), the three
//         documentation nets, 224/4 (multicast), 240/4 (reserved, with 255.255.255.255).
//   IPv6  ::/96 (unspecified, loopback, IPv4-compatible), 100::/64 (discard), 2001:db8::/32
//         (documentation), 64:ff9b:1::/48 (local NAT64), fc00::/7 (unique local; AWS's
//         fd00:ec2::254), fe80::/10 (link-local), fec0::/10 (old site-local), ff00::/8
//         (multicast); and the forms that carry an IPv4 address — ::ffff:a.b.c.d (mapped),
//         64:ff9b::a.b.c.d (NAT64), 2002:AABB:CCDD::/48 (6to4) — when that address is not.
// False for any other family (a Unix socket) and for null.
bool IsPublicAddress(const sockaddr* address);

}  // namespace tessera::services
