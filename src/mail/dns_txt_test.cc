// Issue 11, item 8: reading TXT records out of a DNS answer (the verification of an app's
// sender domain). A real resolver is not reachable offline; the message parsing is.
#include "mail/dns_txt.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace tessera::mail {
namespace {

void Name(std::vector<unsigned char>& m, const std::vector<std::string>& labels) {
  for (const auto& l : labels) {
    m.push_back(static_cast<unsigned char>(l.size()));
    m.insert(m.end(), l.begin(), l.end());
  }
  m.push_back(0);
}

void U16(std::vector<unsigned char>& m, int v) {
  m.push_back(static_cast<unsigned char>(v >> 8));
  m.push_back(static_cast<unsigned char>(v & 0xff));
}

// One answer record with the name compressed to the question's (offset 12).
void Answer(std::vector<unsigned char>& m, int type, const std::vector<std::string>& strings) {
  U16(m, 0xC00C);
  U16(m, type);
  U16(m, 1);  // IN
  U16(m, 0);
  U16(m, 60);  // TTL
  std::vector<unsigned char> rdata;
  for (const auto& s : strings) {
    rdata.push_back(static_cast<unsigned char>(s.size()));
    rdata.insert(rdata.end(), s.begin(), s.end());
  }
  U16(m, static_cast<int>(rdata.size()));
  m.insert(m.end(), rdata.begin(), rdata.end());
}

std::vector<unsigned char> Message(int answers) {
  std::vector<unsigned char> m;
  U16(m, 0x1234);
  U16(m, 0x8180);  // a response, recursion available, no error
  U16(m, 1);
  U16(m, answers);
  U16(m, 0);
  U16(m, 0);
  Name(m, {"_tessera", "acme", "example"});
  U16(m, 16);  // TXT
  U16(m, 1);
  return m;
}

TEST(DnsTxt, EachRecordsStringsAreJoinedOtherTypesSkipped) {
  std::vector<unsigned char> m = Message(3);
  Answer(m, 16, {"tessera-verification=", "abc123"});
  Answer(m, 5, {"ignored"});  // a CNAME-typed record (its data is not TXT)
  Answer(m, 16, {"v=spf1 -all"});
  auto records = TxtRecordsOf(m.data(), m.size());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(*records, (std::vector<std::string>{"tessera-verification=abc123", "v=spf1 -all"}));
}

TEST(DnsTxt, NoAnswersIsNoRecords) {
  std::vector<unsigned char> m = Message(0);
  auto records = TxtRecordsOf(m.data(), m.size());
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

TEST(DnsTxt, BrokenMessagesAreRefused) {
  std::vector<unsigned char> m = Message(1);
  Answer(m, 16, {"tessera-verification=abc"});
  // Cut inside the answer.
  EXPECT_EQ(TxtRecordsOf(m.data(), m.size() - 5).status().code(), StatusCode::kInvalidArgument);
  // A character-string longer than its record.
  std::vector<unsigned char> bad = Message(1);
  Answer(bad, 16, {"abc"});
  bad[bad.size() - 4] = 200;
  EXPECT_EQ(TxtRecordsOf(bad.data(), bad.size()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TxtRecordsOf(m.data(), 5).status().code(), StatusCode::kInvalidArgument);
}

TEST(DnsTxt, OnlyHostNamesReachTheResolver) {
  for (const char* name : {"", "a b.example", "x\r\n.example", "a;rm.example"}) {
    EXPECT_EQ(LookupTxt(name, std::chrono::milliseconds(1000)).status().code(),
              StatusCode::kInvalidArgument)
        << name;
  }
}

}  // namespace
}  // namespace tessera::mail
