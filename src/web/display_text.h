// File: display_text.h
// How times, devices and service messages read on the pages (the account page and the
// consoles alike). The functions taking a Texts speak the page's language (the end-user
// pages); the others are English (the consoles).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "i18n/message_catalog.h"

namespace tessera::web {

// "2026-11-22 01:57 UTC".
std::string FormatTime(int64_t ms);
// The person's time zone from their profile's `zoneinfo` ("Europe/Paris"), or "" when they
// set none (or one that is no longer a zone name).
std::string ProfileTimeZone(const std::string& profile_json);
// A short name for a browser from its User-Agent, for people rather than parsers: "Firefox
// on Linux", "Unknown device" (English, for the consoles) …
std::string DescribeAgent(const std::string& user_agent);
// … and in t's language ("Firefox unter Linux").
std::string DescribeAgent(const i18n::Texts& t, const std::string& user_agent);

// A service's message as a page says it: a capital first letter and a full stop
// ("invalid or expired code" → "Invalid or expired code.").
std::string Sentence(std::string_view message);
// A field's rule as a sentence next to the field: "Email" + "is already registered" →
// "Email is already registered."
std::string FieldSentence(std::string_view label, std::string_view message);
// The same in t's language: `label` already is (t("signup.email_label")), `message` is the
// service's English rule (FieldError::message), said through ServiceText (web/
// service_messages.h): "E-Mail-Adresse ist bereits registriert.", "Contraseña: debe tener al
// menos 10 caracteres."
std::string FieldSentence(const i18n::Texts& t, std::string_view label, std::string_view message);

// What a person is asked to allow, in t's language: a scope's title (and description) on the
// consent page and the account page's authorized apps. The catalogue's "consent.scope_<name>_…"
// for the scopes Tessera knows; another scope is shown by its name.
std::string ScopeTitle(const i18n::Texts& t, std::string_view scope);
std::string ScopeDescription(const i18n::Texts& t, std::string_view scope);

}  // namespace tessera::web
