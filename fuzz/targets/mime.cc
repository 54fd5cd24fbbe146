// MIME messages (mail/mime_message.h): the sender, recipient and reply-to mailboxes, the
// subject (an RFC 2047 encoded word when not ASCII) and the bodies of a mail, from the input's
// NUL-separated fields. Properties: a message built is only CRLF-terminated lines of at most
// 998 characters whose header section holds no control character, with one of each header and no
// other (nothing injected); encoded words decode back to the subject; a mailbox formatted
// and parsed again is the same mailbox.
#include <set>
#include <vector>

#include "crypto/encoding.h"
#include "fuzz_support.h"
#include "mail/mime_message.h"

namespace {
using namespace tessera;

std::vector<std::string_view> Fields(std::string_view s, size_t n) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i + 1 < n; ++i) {
    size_t z = s.find('\0');
    out.push_back(s.substr(0, z));
    s = z == s.npos ? std::string_view() : s.substr(z + 1);
  }
  out.push_back(s);
  return out;
}

// The subject's encoded words ("=?UTF-8?B?…?=", folded with CRLF SP) decoded and joined.
std::optional<std::string> DecodeWords(std::string_view v) {
  std::string out;
  while (!v.empty()) {
    if (v.starts_with("\r\n ")) v.remove_prefix(3);
    if (!v.starts_with("=?UTF-8?B?")) return std::nullopt;
    size_t end = v.find("?=", 10);
    if (end == v.npos) return std::nullopt;
    auto bytes = crypto::Base64Decode(v.substr(10, end - 10));
    if (!bytes) return std::nullopt;
    out += *bytes;
    v.remove_prefix(end + 2);
  }
  return out;
}

void CheckMessage(std::string_view msg, const store::OutgoingMail& mail) {
  static const std::set<std::string_view> kHeaders = {
      "Date", "From", "To", "Reply-To", "Subject", "Message-ID", "MIME-Version",
      "Auto-Submitted", "Content-Type", "Content-Transfer-Encoding"};
  std::set<std::string_view> seen;
  bool in_header = true;
  std::string subject;
  bool in_subject = false;
  for (size_t pos = 0; pos < msg.size();) {
    size_t end = msg.find("\r\n", pos);
    FUZZ_CHECK(end != msg.npos, "every line ends in CRLF");
    std::string_view line = msg.substr(pos, end - pos);
    pos = end + 2;
    FUZZ_CHECK(line.find_first_of("\r\n") == line.npos, "no bare CR or LF");
    FUZZ_CHECK(line.size() <= 998, "RFC 5322 line length");
    if (!in_header) continue;
    if (line.empty()) {
      in_header = false;
      continue;
    }
    // Printable: ASCII, or the UTF-8 of an internationalized address (RFC 6532); never a
    // control character that could end or fold a header.
    for (unsigned char c : line) FUZZ_CHECK(c >= 0x20 && c != 0x7f, "a header has no control character");
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_subject) subject += "\r\n" + std::string(line);
      continue;  // a folded continuation
    }
    std::string_view name = line.substr(0, line.find(':'));
    FUZZ_CHECK(kHeaders.contains(name), "only our headers");
    FUZZ_CHECK(seen.insert(name).second, "each header once");
    in_subject = name == "Subject";
    if (in_subject) subject = std::string(line.substr(9));
  }
  FUZZ_CHECK(seen.contains("From") && seen.contains("To") && seen.contains("Subject"), "headers");
  FUZZ_CHECK(seen.contains("Reply-To") == !mail.reply_to.empty(), "Reply-To when asked");
  if (subject != mail.subject) {
    auto decoded = DecodeWords(subject);
    FUZZ_CHECK(decoded && *decoded == mail.subject, "encoded words decode to the subject");
  }
}

void CheckMailboxRoundTrip(std::string_view text) {
  auto m = mail::ParseMailbox(text);
  if (!m.ok()) return;
  std::string formatted = mail::FormatMailbox(*m);
  // Long encoded names fold (CRLF SP), and nothing else breaks the line.
  std::string unfolded;
  for (size_t i = 0; i < formatted.size(); ++i) {
    if (formatted.compare(i, 3, "\r\n ") == 0) {
      i += 2;
    } else {
      unfolded += formatted[i];
    }
  }
  FUZZ_CHECK(unfolded.find_first_of("\r\n") == std::string::npos, "a mailbox is one line");
  auto again = mail::ParseMailbox(formatted);
  if (again.ok()) {
    FUZZ_CHECK(again->address == m->address, "the address survives formatting");
    if (formatted.find("=?") == std::string::npos) {
      FUZZ_CHECK(again->display_name == m->display_name, "the name survives formatting");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = Fields(fuzz::AsText(data, size), 6);
  store::OutgoingMail mail;
  mail.id = "m1";
  mail.to_address = std::string(f[1]);
  mail.reply_to = std::string(f[2]);
  mail.subject = std::string(f[3]);
  mail.text_body = std::string(f[4]);
  mail.html_body = std::string(f[5]);
  mail.created_at = 1'750'000'000'000;
  auto msg = mail::BuildMimeMessage(mail, f[0]);
  if (msg.ok()) CheckMessage(*msg, mail);
  for (size_t i = 0; i < 3; ++i) CheckMailboxRoundTrip(f[i]);
  return 0;
}
