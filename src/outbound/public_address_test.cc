#include "outbound/public_address.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <string>

namespace tessera::services {
namespace {

// The literal as libcurl hands it over: a sockaddr_in or sockaddr_in6 (with a port).
bool Public(const std::string& literal) {
  if (literal.find(':') == std::string::npos) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(443);
    EXPECT_EQ(inet_pton(AF_INET, literal.c_str(), &v4.sin_addr), 1) << literal;
    return IsPublicAddress(reinterpret_cast<const sockaddr*>(&v4));
  }
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(443);
  EXPECT_EQ(inet_pton(AF_INET6, literal.c_str(), &v6.sin6_addr), 1) << literal;
  return IsPublicAddress(reinterpret_cast<const sockaddr*>(&v6));
}

void ExpectNotPublic(std::initializer_list<const char*> literals) {
  for (const char* literal : literals) EXPECT_FALSE(Public(literal)) << literal;
}

void ExpectPublic(std::initializer_list<const char*> literals) {
  for (const char* literal : literals) EXPECT_TRUE(Public(literal)) << literal;
}

TEST(IsPublicAddress, PublicAddressesPass) {
  ExpectPublic({"8.8.8.8", "1.1.1.1", "140.82.112.3", "142.250.74.110"});
  ExpectPublic({"2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"});
  // IPv4 carried in IPv6: judged by that IPv4 address.
  ExpectPublic({"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"});
}

// Each refused range ends where it should: the addresses just outside it pass.
TEST(IsPublicAddress, TheNeighboursOfEachRangePass) {
  ExpectPublic({"1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
                "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0",
                "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0", "192.167.255.255",
                "192.169.0.0", "198.17.255.255", "198.20.0.0", "198.51.99.255", "203.0.112.255",
                "223.255.255.255"});
  ExpectPublic({"::1:0:0:0", "fbff:ffff::1", "fe7f:ffff::1", "2001:db7:ffff::1", "2001:db9::1",
                "64:ff9a::1", "100:0:0:1::1", "2003::1"});
}

TEST(IsPublicAddress, LoopbackIsRefused) {
  ExpectNotPublic({"127.0.0.1", "127.0.0.0", "127.1.2.3", "127.255.255.255", "::1"});
}

TEST(IsPublicAddress, PrivateNetworksAreRefused) {
  ExpectNotPublic({"10.0.0.0", "10.1.2.3", "10.255.255.255"});
  ExpectNotPublic({"172.16.0.0", "172.20.1.1", "172.31.255.255"});
  ExpectNotPublic({"192.168.0.0", "192.168.1.1", "192.168.255.255"});
  ExpectNotPublic({"fc00::", "fc00::1", "fd00:ec2::254", "fdff:ffff:ffff::1"});  // unique local
}

TEST(IsPublicAddress, LinkLocalIsRefused) {
  ExpectNotPublic({"169.254.0.0", "169.254.169.254", "169.254.255.255"});
  ExpectNotPublic({"fe80::", "fe80::1", "febf:ffff::1"});
  ExpectNotPublic({"fec0::1", "feff::1"});  // the obsolete site-local fec0::/10 too
}

TEST(IsPublicAddress, CarrierGradeNatIsRefused) {
  ExpectNotPublic({"100.64.0.0", "100.100.100.200", "100.127.255.255"});
}

TEST(IsPublicAddress, UnspecifiedAndThisNetworkAreRefused) {
  ExpectNotPublic({"0.0.0.0", "0.1.2.3", "0.255.255.255", "::"});
}

TEST(IsPublicAddress, MulticastBroadcastAndReservedAreRefused) {
  ExpectNotPublic({"224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.254",
                   "255.255.255.255"});
  ExpectNotPublic({"ff02::1", "ff05::2", "ff0e::1"});
}

TEST(IsPublicAddress, SpecialPurposeRangesAreRefused) {
  ExpectNotPublic({"192.0.0.8", "192.0.0.170", "198.18.0.1", "198.19.255.255"});
  ExpectNotPublic({"192.0.2.1", "198.51.100.7", "203.0.113.9", "2001:db8::1"});  // documentation
  ExpectNotPublic({"100::1", "64:ff9b:1::a"});  // discard-only, local-use NAT64
}

// An IPv4 address carried in IPv6 is judged as that IPv4 address.
TEST(IsPublicAddress, IPv6FormsOfRefusedIPv4AddressesAreRefused) {
  ExpectNotPublic({"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                   "::ffff:192.168.1.1", "::ffff:100.64.0.1", "::ffff:0.0.0.0",
                   "::ffff:255.255.255.255", "::ffff:224.0.0.1"});
  ExpectNotPublic({"64:ff9b::127.0.0.1", "64:ff9b::169.254.169.254", "64:ff9b::10.0.0.1"});
  ExpectNotPublic({"2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101::1"});  // 6to4
  ExpectNotPublic({"::127.0.0.1", "::10.0.0.1", "::8.8.8.8"});  // IPv4-compatible: all of ::/96
}

TEST(IsPublicAddress, OtherFamiliesAndNullAreRefused) {
  sockaddr_un unix_socket{};
  unix_socket.sun_family = AF_UNIX;
  EXPECT_FALSE(IsPublicAddress(reinterpret_cast<const sockaddr*>(&unix_socket)));
  sockaddr_storage unspecified{};
  unspecified.ss_family = AF_UNSPEC;
  EXPECT_FALSE(IsPublicAddress(reinterpret_cast<const sockaddr*>(&unspecified)));
  EXPECT_FALSE(IsPublicAddress(nullptr));
}

}  // namespace
}  // namespace tessera::services
