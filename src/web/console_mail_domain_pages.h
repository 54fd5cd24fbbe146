// File: console_mail_domain_pages.h
// The developer console's page of who an app's mail is from (issue 11, item 8):
//   GET  /console/apps/{slug}/mail-domain          the sender as it stands, the TXT record
//                                                   that verifies the domain, a Verify button
//   POST /console/apps/{slug}/mail-domain/verify   looks the record up (a worker thread, with
//                                                   the resolver's timeout), back with a notice
#pragma once

#include "http/router.h"
#include "tenancy/mail_domain_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleMailDomainPages {
 public:
  ConsoleMailDomainPages(const ConsoleLayout& layout, services::MailDomainService& domains)
      : layout_(layout), domains_(domains) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  http::Response Show(http::Request& req, const AppVisitor& a);
  http::Response Verify(http::Request& req, const AppVisitor& a, const http::FormParams& form);

  const ConsoleLayout& layout_;
  services::MailDomainService& domains_;
};

}  // namespace tessera::web
