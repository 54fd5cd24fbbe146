// File: embedded_templates.h
// The mail templates, compiled into the binary by cmake/embed_mail_templates.cmake from
// src/email_flows/templates: EmbeddedMailTemplates().at("verify_email.html.mustache").
// services/mail_templates.h renders them.
#pragma once

#include <string_view>
#include <unordered_map>

namespace tessera::mail {

// Every template file, keyed by its file name; the views live for the program.
const std::unordered_map<std::string_view, std::string_view>& EmbeddedMailTemplates();

}  // namespace tessera::mail
