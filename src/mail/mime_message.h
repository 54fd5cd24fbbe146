// File: mime_message.h
// Builds the RFC 5322 text of a mail: Date, From, To, Reply-To (when the mail has one), Subject (an RFC 2047 encoded-word when
// not ASCII), Message-ID, MIME-Version, Auto-Submitted, then multipart/alternative with a
// text/plain and a text/html part (or text/plain alone when there is no HTML), both UTF-8 in
// base64 (76-character lines). Every line ends in CRLF.
//
//   auto text = mail::BuildMimeMessage(mail, "Example <no-reply@example.com>");
//
// Header injection is refused: a CR, LF or NUL in the sender, recipient or subject is
// kInvalidArgument, as is an address without '@' or with spaces or angle brackets.
// The Message-ID is <mail.id@sender-domain>: the same for every attempt at one mail, so a
// receiver (or a test) can tell a repeat from a second mail.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "mail/mail_records.h"

namespace tessera::mail {

struct Mailbox {
  std::string display_name;  // may be empty; any UTF-8
  std::string address;       // local@domain
};

// Parses "addr", "<addr>", "Name <addr>" or "\"Name\" <addr>". kInvalidArgument for anything
// that could smuggle a header or a second recipient.
Result<Mailbox> ParseMailbox(std::string_view text);

// kInvalidArgument when `subject` contains CR, LF or NUL.
Status CheckHeaderText(std::string_view field, std::string_view value);

// "Subject: " value: ASCII as is; otherwise RFC 2047 B-encoded UTF-8 words (whole UTF-8
// sequences per word, no line over 76 characters), folded with CRLF SP.
std::string EncodeHeaderText(std::string_view text);

// A mailbox as a header value: the display name quoted or encoded as needed.
std::string FormatMailbox(const Mailbox& m);

// RFC 5322 date-time, UTC: "Sun, 15 Jun 2025 15:06:40 +0000".
std::string RfcDate(UnixMillis t);

// The whole message (Date = mail.created_at).
Result<std::string> BuildMimeMessage(const store::OutgoingMail& mail, std::string_view from);

}  // namespace tessera::mail
