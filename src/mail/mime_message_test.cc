// The MIME builder: RFC 5322 structure, RFC 2045 base64 parts, RFC 2047 encoded words,
// header injection refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "crypto/encoding.h"
#include "mail/mime_message.h"
#include "tests/support/sample_mail.h"

namespace tessera::mail {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing_support::SampleMail;
constexpr UnixMillis kT0 = testing_support::kMailT0;

// Header block and body of a message (split at the first empty line).
std::pair<std::string, std::string> Split(const std::string& msg) {
  size_t blank = msg.find("\r\n\r\n");
  EXPECT_NE(blank, std::string::npos);
  return {msg.substr(0, blank + 2), msg.substr(blank + 4)};
}

// The value of header `name` (unfolded), or "".
std::string Header(const std::string& headers, const std::string& name) {
  std::string unfolded = std::regex_replace(headers, std::regex("\r\n[ \t]"), " ");
  std::istringstream in(unfolded);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        line[name.size()] == ':') {
      return line.substr(name.size() + 2);
    }
  }
  return "";
}

// Decodes every RFC 2047 B-word of a header value (words joined by folding whitespace).
std::string DecodeWords(const std::string& value) {
  std::regex word("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");
  std::string out;
  for (auto it = std::sregex_iterator(value.begin(), value.end(), word);
       it != std::sregex_iterator(); ++it) {
    auto decoded = crypto::Base64Decode((*it)[1].str());
    EXPECT_TRUE(decoded.has_value()) << (*it)[1].str();
    out += decoded.value_or("?");
  }
  return out;
}

void ExpectOnlyCrlf(const std::string& msg) {
  for (size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      ASSERT_TRUE(i > 0 && msg[i - 1] == '\r') << "bare LF at " << i;
    }
    if (msg[i] == '\r') {
      ASSERT_TRUE(i + 1 < msg.size() && msg[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  std::istringstream in(msg);
  std::string line;
  while (std::getline(in, line)) EXPECT_LE(line.size(), 78u + 1) << line;
}

// The decoded body of the part whose Content-Type starts with `type`.
std::string PartBody(const std::string& body, const std::string& boundary,
                     const std::string& type) {
  size_t pos = 0;
  const std::string delim = "--" + boundary + "\r\n";
  while ((pos = body.find(delim, pos)) != std::string::npos) {
    pos += delim.size();
    auto [headers, rest] = Split(body.substr(pos));
    if (Header(headers, "Content-Type").rfind(type, 0) != 0) continue;
    EXPECT_EQ(Header(headers, "Content-Transfer-Encoding"), "base64");
    EXPECT_THAT(Header(headers, "Content-Type"), HasSubstr("charset=UTF-8"));
    std::string b64 = rest.substr(0, rest.find("--" + boundary));
    b64 = std::regex_replace(b64, std::regex("\r\n"), "");
    auto decoded = crypto::Base64Decode(b64);
    EXPECT_TRUE(decoded.has_value());
    return decoded.value_or("");
  }
  ADD_FAILURE() << "no " << type << " part";
  return "";
}

TEST(MimeMessage, BuildsAWellFormedMultipartMessage) {
  store::OutgoingMail m = SampleMail();
  auto msg = BuildMimeMessage(m, "Example <no-reply@mail.example.com>");
  ASSERT_TRUE(msg.ok()) << msg.status().ToString();
  ExpectOnlyCrlf(*msg);
  auto [headers, body] = Split(*msg);
  EXPECT_EQ(Header(headers, "Date"), "Sun, 15 Jun 2025 15:06:40 +0000");
  EXPECT_EQ(Header(headers, "From"), "Example <no-reply@mail.example.com>");
  EXPECT_EQ(Header(headers, "To"), "ann@example.com");
  EXPECT_EQ(Header(headers, "Subject"), "Confirm your email address");
  EXPECT_EQ(Header(headers, "Message-ID"), "<" + m.id + "@mail.example.com>");
  EXPECT_EQ(Header(headers, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(headers, "Auto-Submitted"), "auto-generated");
  std::smatch match;
  std::string type = Header(headers, "Content-Type");
  ASSERT_TRUE(std::regex_match(type, match,
                               std::regex("multipart/alternative; boundary=\"([^\"]+)\"")))
      << type;
  const std::string boundary = match[1];
  EXPECT_THAT(body, HasSubstr("--" + boundary + "--\r\n"));
  // Text first, then HTML (the last part is the preferred one); CRLF in the text.
  EXPECT_LT(body.find("text/plain"), body.find("text/html"));
  EXPECT_EQ(PartBody(body, boundary, "text/plain"),
            "Hello Ann,\r\nopen https://id.example.com/apps/a/verify?token=abc\r\n");
  EXPECT_EQ(PartBody(body, boundary, "text/html"), m.html_body);
  // Each attempt of one mail keeps its Message-ID; the boundary is random.
  auto again = BuildMimeMessage(m, "Example <no-reply@mail.example.com>");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Header(Split(*again).first, "Message-ID"), Header(headers, "Message-ID"));
  EXPECT_NE(Header(Split(*again).first, "Content-Type"), type);
}

TEST(MimeMessage, TextOnlyWhenThereIsNoHtml) {
  store::OutgoingMail m = SampleMail();
  m.html_body.clear();
  m.text_body = "line one\rline two\r\nline three\nü ✓";
  auto msg = BuildMimeMessage(m, "no-reply@example.com");
  ASSERT_TRUE(msg.ok());
  ExpectOnlyCrlf(*msg);
  auto [headers, body] = Split(*msg);
  EXPECT_EQ(Header(headers, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(Header(headers, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(Header(headers, "From"), "no-reply@example.com");
  auto decoded = crypto::Base64Decode(std::regex_replace(body, std::regex("\r\n"), ""));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, "line one\r\nline two\r\nline three\r\nü ✓");
}

TEST(MimeMessage, NonAsciiSubjectIsEncodedWordsThatDecodeBack) {
  store::OutgoingMail m = SampleMail();
  m.subject = "Bestätigen Sie Ihre E-Mail-Adresse für Zürich ✓ — 日本語のテキストも長く長く長く";
  auto msg = BuildMimeMessage(m, "no-reply@example.com");
  ASSERT_TRUE(msg.ok());
  ExpectOnlyCrlf(*msg);
  auto [headers, body] = Split(*msg);
  std::string raw = headers.substr(headers.find("Subject: "));
  raw = raw.substr(0, raw.find("\r\nMessage-ID"));
  // Several words, each at most 75 characters, folded onto continuation lines (no line of
  // the header over 76 characters: ExpectOnlyCrlf checks 78 for every line).
  std::regex word("=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]*\\?=");
  int words = 0;
  for (auto it = std::sregex_iterator(raw.begin(), raw.end(), word);
       it != std::sregex_iterator(); ++it) {
    EXPECT_LE(it->str().size(), 75u);
    ++words;
  }
  std::istringstream lines(raw);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 76u + 1) << line;
  EXPECT_GE(words, 2);
  EXPECT_THAT(raw, HasSubstr("?=\r\n =?UTF-8?B?"));
  for (unsigned char c : raw) EXPECT_LT(c, 0x80) << "raw 8-bit in a header";
  // Each word holds whole UTF-8 sequences, so they decode back to the subject.
  EXPECT_EQ(DecodeWords(Header(headers, "Subject")), m.subject);
  EXPECT_EQ(EncodeHeaderText("é"), "=?UTF-8?B?w6k=?=");
  // ASCII stays readable; ASCII that looks like an encoded word is encoded.
  EXPECT_EQ(EncodeHeaderText("Reset your Acme password"), "Reset your Acme password");
  EXPECT_THAT(EncodeHeaderText("=?UTF-8?B?aGk=?="), StartsWith("=?UTF-8?B?"));
  EXPECT_EQ(DecodeWords(EncodeHeaderText("=?UTF-8?B?aGk=?=")), "=?UTF-8?B?aGk=?=");
}

TEST(MimeMessage, DisplayNamesAreQuotedOrEncoded) {
  EXPECT_EQ(FormatMailbox({"Acme", "a@example.com"}), "Acme <a@example.com>");
  EXPECT_EQ(FormatMailbox({"Acme, Inc. \"R&D\"", "a@example.com"}),
            "\"Acme, Inc. \\\"R&D\\\"\" <a@example.com>");
  std::string encoded = FormatMailbox({"Zürich Bank", "a@example.com"});
  EXPECT_THAT(encoded, StartsWith("=?UTF-8?B?"));
  EXPECT_EQ(DecodeWords(encoded), "Zürich Bank");
  EXPECT_THAT(encoded, HasSubstr("?= <a@example.com>"));
  EXPECT_EQ(FormatMailbox({"", "a@example.com"}), "a@example.com");
  // A quoted name with a space at an end keeps it: unquoted, the space would be trimmed away.
  EXPECT_EQ(FormatMailbox({"c ", "a@example.com"}), "\"c \" <a@example.com>");
  // A name too long for one header line is encoded, and so folded (fuzz/mime found a quoted
  // 1000-byte name making a 1100-byte To: line).
  std::string long_name = "zoe@e" + std::string(1050, 'x');
  std::string folded = FormatMailbox({long_name, "no-reply@example.com"});
  for (size_t start = 0; start < folded.size();) {
    size_t end = folded.find("\r\n", start);
    if (end == std::string::npos) end = folded.size();
    EXPECT_LE(end - start + 10, 998u) << "a line of the mailbox (with \"Reply-To: \")";
    start = end + 2;
  }
  EXPECT_EQ(DecodeWords(folded.substr(0, folded.rfind(" <"))), long_name);
  auto spaced = ParseMailbox(FormatMailbox({" c ", "a@example.com"}));
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->display_name, " c ");

  auto parsed = ParseMailbox("  \"Acme, Inc.\" <no-reply@acme.example>  ");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->display_name, "Acme, Inc.");
  EXPECT_EQ(parsed->address, "no-reply@acme.example");
  parsed = ParseMailbox("<bare@example.com>");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->display_name, "");
  EXPECT_EQ(parsed->address, "bare@example.com");
  parsed = ParseMailbox("Tessera <no-reply@localhost>");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->address, "no-reply@localhost");
}

TEST(MimeMessage, HeaderInjectionIsRefused) {
  const std::vector<std::string> bad_addresses = {
      "ann@example.com\r\nBcc: eve@evil.example",
      "ann@example.com\nBcc: eve@evil.example",
      "ann@example.com\rBcc: eve@evil.example",
      std::string("ann@example.com\0eve@evil.example", 33),
      "ann@example.com, eve@evil.example",
      "ann@example.com eve@evil.example",
      "Ann <ann@example.com>, Eve <eve@evil.example>",
      "Ann <ann@example.com",
      "Ann\r\n <ann@example.com>",
      "no-at-sign",
      "@example.com",
      "ann@",
      "",
  };
  for (const auto& to : bad_addresses) {
    store::OutgoingMail m = SampleMail();
    m.to_address = to;
    auto msg = BuildMimeMessage(m, "no-reply@example.com");
    EXPECT_EQ(msg.status().code(), StatusCode::kInvalidArgument) << "to: " << to;
    auto from = BuildMimeMessage(SampleMail(), to);
    EXPECT_EQ(from.status().code(), StatusCode::kInvalidArgument) << "from: " << to;
  }
  for (const std::string& subject :
       std::vector<std::string>{"Hello\r\nBcc: eve@evil.example", "Hello\nBcc: x", "Hello\rX",
                                std::string("a\0b", 3)}) {
    store::OutgoingMail m = SampleMail();
    m.subject = subject;
    EXPECT_EQ(BuildMimeMessage(m, "no-reply@example.com").status().code(),
              StatusCode::kInvalidArgument);
  }
  store::OutgoingMail m = SampleMail();
  m.id = "x>\r\nBcc: eve@evil.example";
  EXPECT_EQ(BuildMimeMessage(m, "no-reply@example.com").status().code(),
            StatusCode::kInvalidArgument);
}

// Issue 11, item 8: the app's own address, when its mail goes out from the server's.
TEST(MimeMessage, ReplyToWhenTheMailHasOne) {
  store::OutgoingMail m = SampleMail();
  auto none = BuildMimeMessage(m, "no-reply@example.com");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(Header(Split(*none).first, "Reply-To"), "");
  m.reply_to = "service@paypal.com";
  auto msg = BuildMimeMessage(m, "\"PayPal\" <no-reply@example.com>");
  ASSERT_TRUE(msg.ok()) << msg.status().ToString();
  ExpectOnlyCrlf(*msg);
  auto headers = Split(*msg).first;
  EXPECT_EQ(Header(headers, "Reply-To"), "service@paypal.com");
  EXPECT_EQ(Header(headers, "From"), "PayPal <no-reply@example.com>");
  m.reply_to = "service@paypal.com\r\nBcc: eve@evil.example";
  EXPECT_EQ(BuildMimeMessage(m, "no-reply@example.com").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MimeMessage, RfcDate) {
  EXPECT_EQ(RfcDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(RfcDate(kT0 + 999), "Sun, 15 Jun 2025 15:06:40 +0000");
  EXPECT_EQ(RfcDate(951782400000), "Tue, 29 Feb 2000 00:00:00 +0000");
}

}  // namespace
}  // namespace tessera::mail
