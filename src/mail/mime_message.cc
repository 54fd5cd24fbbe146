#include "mail/mime_message.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::mail {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kBase64LineLength = 76;
// An encoded-word is at most 75 characters and a line holding one at most 76 (RFC 2047 §2):
// 39 bytes of text (a multiple of 3, so no padding inside a word) make a 64-character word,
// which fits after "Subject: " too.
constexpr size_t kEncodedWordBytes = 39;

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool IsAsciiPrintable(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status CheckAddress(std::string_view addr) {
  size_t at = addr.rfind('@');
  if (addr.empty() || at == std::string_view::npos || at == 0 || at + 1 == addr.size()) {
    return InvalidArgumentError("mail address must be local@domain");
  }
  // RFC 5321 §4.5.3.1: a path holds at most 256 octets, so an address at most 254. Longer, a
  // To or Reply-To header line would pass RFC 5322's 998 (found by the mime fuzz target).
  if (addr.size() > 254) return InvalidArgumentError("mail address is longer than 254 bytes");
  for (unsigned char c : addr) {
    if (c <= 0x20 || c == 0x7f) return InvalidArgumentError("mail address contains a space or control character");
  }
  if (addr.find_first_of("<>,;\"()\\") != std::string_view::npos) {
    return InvalidArgumentError("mail address contains a forbidden character");
  }
  return OkStatus();
}

// Splits UTF-8 text into pieces of at most `max` bytes without cutting a sequence.
std::vector<std::string_view> Utf8Chunks(std::string_view s, size_t max) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t n = std::min(max, s.size());
    // Step back while the byte after the cut is a continuation byte (10xxxxxx).
    while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    if (n == 0) n = std::min(max, s.size());  // not UTF-8: cut anyway
    out.push_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

std::string EncodedWords(std::string_view text) {
  std::string out;
  for (std::string_view chunk : Utf8Chunks(text, kEncodedWordBytes)) {
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += crypto::Base64Encode(chunk);
    out += "?=";
  }
  return out;
}

// Any mix of CRLF, CR and LF becomes CRLF (the canonical form of text parts).
std::string CanonicalLineEnds(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 32);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += kCrlf;
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (s[i] == '\n') {
      out += kCrlf;
    } else {
      out += s[i];
    }
  }
  return out;
}

void AppendBase64Body(std::string& out, std::string_view body) {
  std::string b64 = crypto::Base64Encode(CanonicalLineEnds(body));
  for (size_t i = 0; i < b64.size(); i += kBase64LineLength) {
    out.append(b64, i, kBase64LineLength);
    out += kCrlf;
  }
}

void AppendPart(std::string& out, std::string_view type, std::string_view body) {
  out += "Content-Type: ";
  out += type;
  out += "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  AppendBase64Body(out, body);
}

}  // namespace

Status CheckHeaderText(std::string_view field, std::string_view value) {
  if (HasLineBreakOrNul(value)) {
    return InvalidArgumentError(std::string(field) + " must not contain a line break");
  }
  return OkStatus();
}

Result<Mailbox> ParseMailbox(std::string_view text) {
  TESSERA_RETURN_IF_ERROR(CheckHeaderText("mail address", text));
  text = TrimSpaces(text);
  Mailbox m;
  size_t open = text.find('<');
  if (open == std::string_view::npos) {
    m.address = std::string(text);
  } else {
    if (text.back() != '>' || text.find('<', open + 1) != std::string_view::npos) {
      return InvalidArgumentError("mail address must be \"Name <local@domain>\" or local@domain");
    }
    m.address = std::string(text.substr(open + 1, text.size() - open - 2));
    std::string_view name = TrimSpaces(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;
        m.display_name += name[i];
      }
    } else {
      m.display_name = std::string(name);
    }
    for (unsigned char c : m.display_name) {
      if (c < 0x20 || c == 0x7f) return InvalidArgumentError("mail display name contains a control character");
    }
  }
  TESSERA_RETURN_IF_ERROR(CheckAddress(m.address));
  return m;
}

std::string EncodeHeaderText(std::string_view text) {
  if (IsAsciiPrintable(text) && text.find("=?") == std::string_view::npos && text.size() <= 900) {
    return std::string(text);
  }
  return EncodedWords(text);
}

// Longer display names are encoded (and so folded): with "Reply-To: ", the quotes and escapes
// of a quoted string and a 254-byte address, the line stays under 998 bytes.
constexpr size_t kLongestPlainName = 300;

std::string FormatMailbox(const Mailbox& m) {
  if (m.display_name.empty()) return m.address;
  std::string name;
  // A long name goes as encoded words too: they fold over lines, where a quoted string could
  // not, and a header line must stay within 998 bytes (RFC 5322 §2.1.1; found by fuzz/mime).
  if (!IsAsciiPrintable(m.display_name) || m.display_name.find("=?") != std::string::npos ||
      m.display_name.size() > kLongestPlainName) {
    name = EncodedWords(m.display_name);
  } else if (m.display_name.find_first_of("()<>[]:;@\\,.\"") != std::string::npos ||
             m.display_name.front() == ' ' || m.display_name.back() == ' ') {
    // Spaces at either end survive only inside quotes: a parser trims an unquoted name.
    name = "\"";
    for (char c : m.display_name) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    name += "\"";
  } else {
    name = m.display_name;
  }
  return name + " <" + m.address + ">";
}

std::string RfcDate(UnixMillis t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

Result<std::string> BuildMimeMessage(const store::OutgoingMail& mail, std::string_view from) {
  TESSERA_ASSIGN_OR_RETURN(Mailbox sender, ParseMailbox(from));
  TESSERA_ASSIGN_OR_RETURN(Mailbox recipient, ParseMailbox(mail.to_address));
  TESSERA_RETURN_IF_ERROR(CheckHeaderText("subject", mail.subject));
  std::optional<Mailbox> reply_to;
  if (!mail.reply_to.empty()) {
    TESSERA_ASSIGN_OR_RETURN(reply_to, ParseMailbox(mail.reply_to));
  }
  std::string id = mail.id.empty() ? crypto::NewUuid() : mail.id;
  if (!IsAsciiPrintable(id) || id.find_first_of("<>@ ") != std::string::npos) {
    return InvalidArgumentError("mail id is not usable in a Message-ID");
  }
  std::string domain = sender.address.substr(sender.address.rfind('@') + 1);

  std::string out;
  out.reserve(256 + (mail.text_body.size() + mail.html_body.size()) * 4 / 3 + 64);
  out += "Date: " + RfcDate(mail.created_at) + "\r\n";
  out += "From: " + FormatMailbox(sender) + "\r\n";
  out += "To: " + FormatMailbox(recipient) + "\r\n";
  if (reply_to) out += "Reply-To: " + FormatMailbox(*reply_to) + "\r\n";
  out += "Subject: " + EncodeHeaderText(mail.subject) + "\r\n";
  out += "Message-ID: <" + id + "@" + domain + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no auto-replies, please
  if (mail.html_body.empty()) {
    AppendPart(out, "text/plain", mail.text_body);
    return out;
  }
  // Base64 never contains '-', so the boundary cannot occur inside a part.
  const std::string boundary = "tessera-" + crypto::HexEncode(crypto::RandomBytes(12));
  out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  AppendPart(out, "text/plain", mail.text_body);
  out += "--" + boundary + "\r\n";
  AppendPart(out, "text/html", mail.html_body);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace tessera::mail
