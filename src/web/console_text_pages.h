// File: console_text_pages.h
// The developer console's page of an app's own wording of the hosted pages and mails (i18n/):
//   GET  /console/apps/{slug}/texts?locale=de&group=login   the messages of one group in one
//                                                           language: the catalogue's text and
//                                                           the app's, editable
//   POST /console/apps/{slug}/texts                         saves that group's texts (blank =
//                                                           the catalogue's), checked as ICU
//                                                           messages with the original's
//                                                           arguments only
// The same settings as `messages` of the console API (PATCH /api/console/apps/{slug}).
#pragma once

#include "http/router.h"
#include "tenancy/app_service.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleTextPages {
 public:
  ConsoleTextPages(const ConsoleLayout& layout, services::AppService& apps)
      : layout_(layout), apps_(apps) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  http::Response Show(http::Request& req, const AppVisitor& a);
  http::Response Save(http::Request& req, const AppVisitor& a, const http::FormParams& form);
  // The page for `locale` and `group`; `form` (after a refused save) keeps what was typed.
  http::Response Render(http::Request& req, const AppVisitor& a, const std::string& locale,
                        const std::string& group, const http::FormParams* form,
                        const std::vector<FieldError>& errors, unsigned status);

  const ConsoleLayout& layout_;
  services::AppService& apps_;
};

}  // namespace tessera::web
