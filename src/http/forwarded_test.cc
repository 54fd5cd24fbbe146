// The client address behind trusted proxies (issue 12, item 1): X-Forwarded-For and RFC 7239
// Forwarded, read only from trusted peers, from the right; spoofed, malformed and odd input.
#include <gtest/gtest.h>

#include "http/forwarded.h"

namespace tessera::http {
namespace {

namespace ip = boost::asio::ip;

ForwardingRules Rules(std::vector<std::string> cidrs,
                      ForwardedHeader header = ForwardedHeader::kXForwardedFor) {
  auto proxies = TrustedProxies::Parse(cidrs);
  EXPECT_TRUE(proxies.ok()) << proxies.status().ToString();
  return {*proxies, header};
}

RawRequest With(std::vector<std::pair<std::string, std::string>> headers) {
  RawRequest r;
  for (auto& [name, value] : headers) r.insert(name, value);
  return r;
}

std::string Client(const char* peer, const RawRequest& req, const ForwardingRules& rules) {
  return ResolveClient(ip::make_address(peer), req, rules).ip;
}

const ForwardingRules kNginx = Rules({"10.0.0.0/8"});

TEST(TrustedProxies, ParsesAddressesAndNetworksOfBothFamilies) {
  auto set = TrustedProxies::Parse({"10.1.0.0/16", " 192.168.7.7 ", "fd00::/8", "::1", ""});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Contains(ip::make_address("10.1.255.3")));
  EXPECT_FALSE(set->Contains(ip::make_address("10.2.0.1")));
  EXPECT_TRUE(set->Contains(ip::make_address("192.168.7.7")));
  EXPECT_FALSE(set->Contains(ip::make_address("192.168.7.8")));
  EXPECT_TRUE(set->Contains(ip::make_address("fd12:3456::1")));
  EXPECT_TRUE(set->Contains(ip::make_address("::1")));
  EXPECT_FALSE(set->Contains(ip::make_address("fe80::1")));
  // A dual-stack socket's view of an IPv4 peer.
  EXPECT_TRUE(set->Contains(ip::make_address("::ffff:10.1.2.3")));
  // The host bits of a network are ignored, as routers do.
  EXPECT_TRUE(TrustedProxies::Parse({"10.1.2.3/8"})->Contains(ip::make_address("10.9.9.9")));
}

TEST(TrustedProxies, RefusesWhatIsNotANetwork) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "nginx",
                          "10.0.0.300", "10.0.0.0/8/8", "fe80::1%eth0", "10.0.0.0/-1"}) {
    EXPECT_FALSE(TrustedProxies::Parse({bad}).ok()) << bad;
  }
  EXPECT_TRUE(TrustedProxies::Parse({})->empty());
}

TEST(ForwardedNode, ReadsAddressesWithAndWithoutPorts) {
  auto text = [](std::string_view node) {
    auto a = ParseForwardedNode(node);
    return a ? a->to_string() : std::string("none");
  };
  EXPECT_EQ(text("192.0.2.43"), "192.0.2.43");
  EXPECT_EQ(text(" 192.0.2.43:47011 "), "192.0.2.43");
  EXPECT_EQ(text("2001:db8:cafe::17"), "2001:db8:cafe::17");
  EXPECT_EQ(text("[2001:db8:cafe::17]"), "2001:db8:cafe::17");
  EXPECT_EQ(text("[2001:db8:cafe::17]:4711"), "2001:db8:cafe::17");
  EXPECT_EQ(text("[2001:db8::1]:_hidden"), "2001:db8::1");
  EXPECT_EQ(text("::ffff:198.51.100.7"), "198.51.100.7");
  for (const char* junk : {"", "unknown", "_hidden", "[2001:db8::1", "[192.0.2.1]",
                           "192.0.2.1:99999", "192.0.2.1:", "192.0.2.1:80:80", "2001:db8::1]:80",
                           "[2001:db8::1]x", "999.1.1.1", "1.2.3.4.5", "a.b.c.d", "fe80::1%eth0",
                           "\"192.0.2.1\"", "192.0.2.1 , 10.0.0.1",
                           "0123456789012345678901234567890123456789012345678901234567890123456789"}) {
    EXPECT_EQ(text(junk), "none") << junk;
  }
}

TEST(ResolveClient, AnUntrustedPeerIsTheClientWhateverItSends) {
  RawRequest spoof = With({{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-Proto", "https"},
                           {"Forwarded", "for=203.0.113.9;proto=https"}});
  auto c = ResolveClient(ip::make_address("198.51.100.20"), spoof, kNginx);
  EXPECT_EQ(c.ip, "198.51.100.20");
  EXPECT_EQ(c.scheme, "http");
  // No proxies configured (the default): nobody's headers count.
  EXPECT_EQ(Client("10.0.0.5", spoof, ForwardingRules{}), "10.0.0.5");
}

TEST(ResolveClient, ATrustedPeerForwardsTheRightmostUntrustedHop) {
  // nginx appends the address it saw to whatever the client sent: the left part is forged.
  RawRequest req = With({{"X-Forwarded-For", "1.1.1.1, 6.6.6.6, 203.0.113.9"}});
  EXPECT_EQ(Client("10.0.0.5", req, kNginx), "203.0.113.9");
  // Two proxies (edge 10.0.0.7 → inner 10.0.0.5): the edge's own hop is skipped.
  RawRequest chain = With({{"X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.0.0.7"}});
  EXPECT_EQ(Client("10.0.0.5", chain, kNginx), "203.0.113.9");
  // Several header lines are one list, in order.
  RawRequest lines = With({{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "203.0.113.9"}});
  EXPECT_EQ(Client("10.0.0.5", lines, kNginx), "203.0.113.9");
  // Every hop trusted (an internal caller): the leftmost.
  RawRequest inside = With({{"X-Forwarded-For", "10.9.9.9, 10.0.0.7"}});
  EXPECT_EQ(Client("10.0.0.5", inside, kNginx), "10.9.9.9");
  // No header from a trusted peer: the peer itself.
  EXPECT_EQ(Client("10.0.0.5", With({}), kNginx), "10.0.0.5");
  // A dual-stack listener sees IPv4 peers as mapped IPv6.
  EXPECT_EQ(Client("::ffff:10.0.0.5", req, kNginx), "203.0.113.9");
  EXPECT_EQ(Client("::ffff:198.51.100.20", req, kNginx), "198.51.100.20");
}

TEST(ResolveClient, AnUnreadableHopEndsTheWalkAtTheLastTrustedAddress) {
  // Whatever is left of a hop we cannot read was written by someone we cannot vouch for.
  EXPECT_EQ(Client("10.0.0.5", With({{"X-Forwarded-For", "203.0.113.9, garbage"}}), kNginx),
            "10.0.0.5");
  EXPECT_EQ(Client("10.0.0.5", With({{"X-Forwarded-For", "203.0.113.9, unknown, 10.0.0.7"}}),
                   kNginx),
            "10.0.0.7");
  EXPECT_EQ(Client("10.0.0.5", With({{"X-Forwarded-For", "203.0.113.9,"}}), kNginx), "10.0.0.5");
  EXPECT_EQ(Client("10.0.0.5", With({{"X-Forwarded-For", ""}}), kNginx), "10.0.0.5");
  EXPECT_EQ(Client("10.0.0.5", With({{"X-Forwarded-For", std::string(3000, ',')}}), kNginx),
            "10.0.0.5");
  // Ports and brackets are read; the client is the address alone.
  EXPECT_EQ(Client("10.0.0.5", With({{"X-Forwarded-For", "[2001:db8::7]:5555"}}), kNginx),
            "2001:db8::7");
  EXPECT_EQ(Client("10.0.0.5", With({{"X-Forwarded-For", "203.0.113.9:5555"}}), kNginx),
            "203.0.113.9");
}

TEST(ResolveClient, SchemeComesOnlyFromTrustedPeers) {
  RawRequest req = With({{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-Proto", "HTTPS"}});
  EXPECT_EQ(ResolveClient(ip::make_address("10.0.0.5"), req, kNginx).scheme, "https");
  EXPECT_EQ(ResolveClient(ip::make_address("192.0.2.1"), req, kNginx).scheme, "http");
  // The nearest proxy's value counts; anything but https is http.
  RawRequest two = With({{"X-Forwarded-Proto", "https, http"}});
  EXPECT_EQ(ResolveClient(ip::make_address("10.0.0.5"), two, kNginx).scheme, "http");
  RawRequest odd = With({{"X-Forwarded-Proto", "gopher"}});
  EXPECT_EQ(ResolveClient(ip::make_address("10.0.0.5"), odd, kNginx).scheme, "http");
}

TEST(ResolveClient, ReadsRfc7239Forwarded) {
  ForwardingRules rules = Rules({"10.0.0.0/8", "fd00::/8"}, ForwardedHeader::kForwarded);
  RawRequest req = With({{"Forwarded",
                          "for=6.6.6.6;proto=http, For=\"[2001:db8:cafe::17]:4711\";proto=https;"
                          "by=10.0.0.5, for=10.0.0.7"}});
  ClientEndpoint c = ResolveClient(ip::make_address("fd00::5"), req, rules);
  EXPECT_EQ(c.ip, "2001:db8:cafe::17");
  EXPECT_EQ(c.scheme, "https");  // the proto of the client's own hop
  // Quoted strings may hold commas and semicolons; an element without for= is unreadable.
  RawRequest quoted = With({{"Forwarded", "for=203.0.113.9;host=\"a,b;c\""}});
  EXPECT_EQ(Client("10.0.0.5", quoted, rules), "203.0.113.9");
  EXPECT_EQ(Client("10.0.0.5", With({{"Forwarded", "for=203.0.113.9, proto=https"}}), rules),
            "10.0.0.5");
  EXPECT_EQ(Client("10.0.0.5", With({{"Forwarded", "for=\"unterminated"}}), rules), "10.0.0.5");
  EXPECT_EQ(Client("10.0.0.5", With({{"Forwarded", "for=_hidden"}}), rules), "10.0.0.5");
  // In Forwarded mode X-Forwarded-For is the client's own text, and is ignored — and the
  // other way round.
  RawRequest xff = With({{"X-Forwarded-For", "6.6.6.6"}});
  EXPECT_EQ(Client("10.0.0.5", xff, rules), "10.0.0.5");
  RawRequest fwd = With({{"Forwarded", "for=6.6.6.6"}});
  EXPECT_EQ(Client("10.0.0.5", fwd, kNginx), "10.0.0.5");
}

}  // namespace
}  // namespace tessera::http
