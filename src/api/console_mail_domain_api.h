// File: console_mail_domain_api.h
// Who an app's mail is from (issue 11, item 8), under /api/console/apps/{slug}/mail-domain:
//   GET                 the app's sender as it stands: from its own mail_from (its domain is
//                       allowed by the operator or verified) or from the server's sender
//                       with Reply-To its address; the TXT record that would verify it
//   POST …/verify       looks the TXT record up (the system resolver, on a worker thread,
//                       with a timeout) and answers the same view after the check
#pragma once

#include <boost/json/object.hpp>

#include "api/console_caller.h"
#include "http/router.h"
#include "tenancy/mail_domain_service.h"

namespace tessera::api {

class ConsoleMailDomainApi {
 public:
  ConsoleMailDomainApi(const ConsoleCaller& caller, services::MailDomainService& domains)
      : caller_(caller), domains_(domains) {}
  void Mount(http::Router& router);

 private:
  http::Response Get(http::Request& req);
  http::Response Verify(http::Request& req);

  const ConsoleCaller& caller_;
  services::MailDomainService& domains_;
};

// {mail_from, sender: "app"|"server", domain, allowed_by_operator, verified,
//  txt_record: {name, value}} — the domain members absent without a mail_from.
boost::json::object MailDomainView(const store::App& app,
                                   const std::optional<services::MailDomainStanding>& standing);

}  // namespace tessera::api
