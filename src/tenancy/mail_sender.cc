#include "tenancy/mail_sender.h"

#include <algorithm>

#include "mail/mime_message.h"

namespace tessera::services {
namespace {

constexpr size_t kMaxDisplayName = 100;

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), AsciiLower);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Cuts at most `max` bytes without splitting a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// "\"Name\" <addr>" as ParseMailbox reads it back (the MIME writer encodes the name later;
// encoding it here would encode it twice).
std::string QuotedMailbox(std::string_view name, std::string_view address) {
  if (name.empty()) return std::string(address);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\" <" + std::string(address) + ">";
}

}  // namespace

std::string VerificationRecordName(std::string_view domain) {
  return std::string(kMailVerificationLabel) + "." + std::string(domain);
}

std::string VerificationRecordValue(std::string_view token) {
  return std::string(kMailVerificationPrefix) + std::string(token);
}

bool TxtProvesToken(const std::vector<std::string>& records, std::string_view token) {
  if (token.empty()) return false;
  for (const std::string& record : records) {
    std::string_view r = Trim(record);
    if (r.size() != kMailVerificationPrefix.size() + token.size()) continue;
    if (Lower(r.substr(0, kMailVerificationPrefix.size())) != kMailVerificationPrefix) continue;
    // The token is public once published: no secret to compare in constant time.
    if (r.substr(kMailVerificationPrefix.size()) == token) return true;
  }
  return false;
}

std::string DomainOfAddress(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? "" : Lower(address.substr(at + 1));
}

bool DomainListed(const std::vector<std::string>& allowed, std::string_view domain) {
  if (domain.empty()) return false;
  const std::string want = Lower(domain);
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& d) { return Lower(Trim(d)) == want; });
}

std::string SafeDisplayName(std::string_view name) {
  std::string out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view word = name.substr(start, end - start);
    start = end + 1;
    if (word.empty() || word.find('@') != std::string_view::npos) continue;
    std::string clean;
    for (char c : word) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') continue;
      clean += c;
    }
    if (clean.empty()) continue;
    if (!out.empty()) out += ' ';
    out += clean;
  }
  return std::string(Trim(Utf8Prefix(out, kMaxDisplayName)));
}

RequestedSender RequestedSenderOf(const store::AppSettings& settings) {
  RequestedSender out;
  if (!settings.mail_from.empty()) {
    if (auto box = mail::ParseMailbox(settings.mail_from); box.ok()) {
      out.address = box->address;
      out.display_name = box->display_name;
    }
  }
  if (!settings.mail_sender_name.empty()) out.display_name = settings.mail_sender_name;
  return out;
}

MailSender ChooseSender(const RequestedSender& wanted, std::string_view server_from,
                        bool domain_allowed) {
  // The same clean name either way: a display name never reads as an address.
  std::string name = SafeDisplayName(wanted.display_name);
  if (wanted.address && domain_allowed) return {QuotedMailbox(name, *wanted.address), ""};
  MailSender out;
  if (wanted.address) out.reply_to = *wanted.address;
  if (name.empty()) return out;  // the server's sender as configured
  auto server = mail::ParseMailbox(server_from);
  if (!server.ok()) return out;
  out.from = QuotedMailbox(name, server->address);
  return out;
}

}  // namespace tessera::services
