// File: console_provider_pages.h
// The developer console's sign-in providers of an app (GitHub, Google, any OpenID provider),
// under /console/apps/{slug}/sign-in-providers: the list with the callback URL of each and a
// form to add one; a provider's page with the callback URL to register upstream, its settings
// and a delete confirmed by a tick. The client secret is write-only: a form never shows it
// (blank keeps the stored one), not even after a refused submit.
#pragma once

#include "federation/identity_provider_service.h"
#include "http/router.h"
#include "web/console_gates.h"
#include "web/console_layout.h"

namespace tessera::web {

class ConsoleProviderPages {
 public:
  ConsoleProviderPages(const ConsoleLayout& layout, services::IdentityProviderService& providers)
      : layout_(layout), providers_(providers) {}
  void Mount(http::Router& router, const ConsoleGates& gates);

 private:
  using Form = http::FormParams;

  http::Response Providers(http::Request& req, const AppVisitor& a);
  http::Response CreateProvider(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderProviders(const http::Request& req, const AppVisitor& a, PageData d,
                                 unsigned status);
  http::Response ShowProvider(http::Request& req, const AppVisitor& a);
  http::Response UpdateProvider(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response DeleteProvider(http::Request& req, const AppVisitor& a, const Form& form);
  http::Response RenderProvider(const http::Request& req, const AppVisitor& a,
                                const store::IdentityProvider& p, PageData d, unsigned status);
  // The provider of the request's {id}, of this app (kNotFound for an id that cannot be one).
  Result<store::IdentityProvider> Find(const http::Request& req, const AppVisitor& a);
  std::string ProviderPath(const store::App& app, const std::string& id) const;

  const ConsoleLayout& layout_;
  services::IdentityProviderService& providers_;
};

}  // namespace tessera::web
