#include "outbound/public_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace tessera::services {
namespace {

struct Net4 {
  uint32_t base;
  int prefix;
};

constexpr uint32_t V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d;
}

constexpr std::array<Net4, 14> kNonPublicV4 = {{
    {V4(0, 0, 0, 0), 8},        // "this network", the unspecified address
    {V4(10, 0, 0, 0), 8},       // private
    {V4(100, 64, 0, 0), 10},    // shared address space (carrier-grade NAT)
    {V4(127, 0, 0, 0), 8},      // loopback
    {V4(169, 254, 0, 0), 16},   // link-local (cloud metadata services)
    {V4(172, 16, 0, 0), 12},    // private
    {V4(192, 0, 0, 0), 24},     // IETF protocol assignments
    {V4(192, 0, 2, 0), 24},     // documentation (TEST-NET-1)
    {V4(192, 168, 0, 0), 16},   // private
    {V4(198, 18, 0, 0), 15},    // benchmarking
    {V4(198, 51, 100, 0), 24},  // documentation (TEST-NET-2)
    {V4(203, 0, 113, 0), 24},   // documentation (TEST-NET-3)
    {V4(224, 0, 0, 0), 4},      // multicast
    {V4(240, 0, 0, 0), 4},      // reserved, and the limited broadcast 255.255.255.255
}};

bool IsPublicV4(uint32_t address) {
  for (const Net4& net : kNonPublicV4) {
    uint32_t mask = ~uint32_t{0} << (32 - net.prefix);
    if ((address & mask) == net.base) return false;
  }
  return true;
}

// Four bytes, network order, as a host-order number.
uint32_t ReadV4(const uint8_t* bytes) { return V4(bytes[0], bytes[1], bytes[2], bytes[3]); }

// Whether the first `bits` bits of `address` are those of `prefix` (written out to 16 bytes).
bool HasPrefix(const uint8_t* address, std::array<uint8_t, 16> prefix, int bits) {
  int whole = bits / 8;
  if (std::memcmp(address, prefix.data(), whole) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (address[whole] & mask) == (prefix[whole] & mask);
}

bool IsPublicV6(const uint8_t* a) {
  // Forms that carry an IPv4 address: judged by that address.
  if (HasPrefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96)) {  // ::ffff:a.b.c.d
    return IsPublicV4(ReadV4(a + 12));
  }
  if (HasPrefix(a, {0x00, 0x64, 0xff, 0x9b}, 96)) {  // 64:ff9b::a.b.c.d (NAT64)
    return IsPublicV4(ReadV4(a + 12));
  }
  if (HasPrefix(a, {0x20, 0x02}, 16)) {  // 2002:AABB:CCDD::/48 (6to4)
    return IsPublicV4(ReadV4(a + 2));
  }
  if (HasPrefix(a, {}, 96)) return false;  // ::, ::1, the deprecated IPv4-compatible ::a.b.c.d
  if (HasPrefix(a, {0x01, 0x00}, 64)) return false;              // 100::/64 discard-only
  if (HasPrefix(a, {0x20, 0x01, 0x0d, 0xb8}, 32)) return false;  // documentation
  if (HasPrefix(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)) return false;  // local NAT64
  if (HasPrefix(a, {0xfc}, 7)) return false;                                 // unique local
  if (HasPrefix(a, {0xfe, 0x80}, 10)) return false;                          // link-local
  if (HasPrefix(a, {0xfe, 0xc0}, 10)) return false;  // site-local (obsolete)
  if (HasPrefix(a, {0xff}, 8)) return false;         // multicast
  return true;
}

}  // namespace

bool IsPublicAddress(const sockaddr* address) {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof v4);
    return IsPublicV4(ntohl(v4.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof v6);
    return IsPublicV6(v6.sin6_addr.s6_addr);
  }
  return false;
}

}  // namespace tessera::services
