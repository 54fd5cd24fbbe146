// File: console_layout.h
// What every console page has: the top bar (the developer console or the operators'), an
// app's header and tabs, the console's own 404 and 503 pages, and the 303 back to a page
// with a notice (?done=…).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "http/message.h"
#include "web/console_visitor.h"
#include "web/page_kit.h"

namespace tessera::web {

class ConsoleLayout {
 public:
  explicit ConsoleLayout(const PageKit& kit) : kit_(kit) {}

  const PageUrls& urls() const { return kit_.urls; }

  // The top bar's data (set into `d`, over what the caller put there); `admin` for the
  // operators' console.
  void Base(PageData& d, const ConsoleVisitor& v, std::string title, bool admin = false) const;
  // Base, then the app's header and its tabs with `section` current.
  void AppBase(PageData& d, const AppVisitor& a, std::string title, std::string_view section) const;
  http::Response Render(const http::Request& req, const ConsoleVisitor& v, std::string_view page,
                        PageData data, unsigned status = 200) const;

  // 404 "Not found": also what someone else's app, user or client looks like.
  http::Response NotFound(const http::Request& req, const ConsoleVisitor& v) const;
  // 503 "Something went wrong".
  http::Response Unavailable(const http::Request& req, const ConsoleVisitor& v) const;
  // The page of a failed lookup: NotFound for kNotFound, Unavailable for anything else.
  http::Response Failure(const http::Request& req, const ConsoleVisitor& v,
                         const Status& status) const;

  // 303 to a console path with ?done=<what> (a notice chosen from a fixed list).
  http::Response Done(const std::string& path, std::string_view what) const;
  // {path}/console/apps/{slug}{rest}.
  std::string AppPath(const store::App& app, std::string_view rest = "") const;

 private:
  const PageKit& kit_;
};

}  // namespace tessera::web
