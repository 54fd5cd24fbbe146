// The developer console's sign-in providers pages through the router, the console gates and
// the real services (tests/support/handler_harness.h): add GitHub and land on its page with
// the callback URL; refused forms show each error by its field; the client secret never comes
// back into a page; turning a provider off, keeping or replacing its secret; delete only once
// confirmed; someone else's app or provider is the same 404 as none.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "crypto/random.h"
#include "federation/identity_provider_service.h"
#include "http/form.h"
#include "tests/support/handler_harness.h"
#include "tests/support/page_samples.h"
#include "web/console_audit_pages.h"
#include "web/console_provider_pages.h"

namespace tessera::testing_support {
namespace {

using web::page_samples::Attribute;
using web::page_samples::Count;
using web::page_samples::Tags;

constexpr char kList[] = "/console/apps/shop/sign-in-providers";
constexpr char kGithubSecret[] = "gh-secret-5f1e2d3c4b5a69788796a5b4";

bool Shows(const http::Response& res, std::string_view text) {
  return res.body.find(text) != std::string::npos;
}

// The page's markup keeps the console's rules (page_renderer_test.cc checks the hosted pages
// the same way): no inline style or script, every form posts its CSRF token, every visible
// input has a label and an autocomplete attribute, ids are unique.
void ExpectWellFormed(const std::string& html) {
  EXPECT_EQ(html.find("style="), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("{{"), std::string::npos) << "an unexpanded tag";
  EXPECT_EQ(Count(html, "<form "), Count(html, "method=\"post\""));
  EXPECT_EQ(Count(html, "method=\"post\""), Count(html, "name=\"csrf_token\" value=\""));
  for (const std::string& tag : Tags(html, "input")) {
    if (tag.find(" type=\"hidden\"") != std::string::npos) continue;
    std::string id = Attribute(tag, "id");
    EXPECT_FALSE(id.empty()) << tag;
    EXPECT_EQ(Count(html, "<label for=\"" + id + "\""), 1u) << tag;
    EXPECT_NE(tag.find(" autocomplete=\""), std::string::npos) << tag;
  }
  for (size_t pos = 0; (pos = html.find(" id=\"", pos)) != std::string::npos; pos += 5) {
    std::string id = Attribute(html.substr(pos, html.find('>', pos) - pos), "id");
    EXPECT_EQ(Count(html, " id=\"" + id + "\""), 1u) << "duplicate id " << id;
  }
  for (size_t pos = 0; (pos = html.find(" aria-describedby=\"", pos)) != std::string::npos;
       ++pos) {
    std::string ids = Attribute(html.substr(pos, html.find('>', pos) - pos), "aria-describedby");
    for (size_t b = 0, e; b < ids.size(); b = e + 1) {
      e = ids.find(' ', b);
      if (e == std::string::npos) e = ids.size();
      EXPECT_NE(html.find(" id=\"" + ids.substr(b, e - b) + "\""), std::string::npos) << ids;
    }
  }
}

class ConsoleProviderPagesTest : public HandlerHarness {
 protected:
  void SetUp() override {
    HandlerHarness::SetUp();
    pages_ = std::make_unique<web::ConsoleProviderPages>(*layout_, *providers_);
    pages_->Mount(*router_, *console_gates_);
    audit_pages_ = std::make_unique<web::ConsoleAuditPages>(*layout_, *audit_table_);
    audit_pages_->Mount(*router_, *console_gates_);
    owner_ = MakeUser(console_app_, "owner@example.com");
    other_ = MakeUser(console_app_, "other@example.com");
    auto shop = console_->CreateApp(owner_, "shop", "Shop", services::CliActor());
    ASSERT_TRUE(shop.ok()) << shop.status().ToString();
    shop_ = shop->app;
    jar_ = SignedIn(console_app_, owner_);
  }

  store::IdentityProvider AddGithub(const store::App& app) {
    services::ProviderInput in;
    in.kind = "github";
    in.client_id = "Iv1.0123456789abcdef";
    in.client_secret = kGithubSecret;
    auto p = providers_->Add(app, in, services::CliActor());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : store::IdentityProvider{};
  }

  http::Response Get(std::string_view target) { return Browse(jar_, bh::verb::get, target); }
  http::Response Post(std::string_view target, const std::string& fields) {
    return Browse(jar_, bh::verb::post, target, "csrf_token=" + CsrfToken(jar_) + "&" + fields);
  }
  static std::string PageOf(const store::IdentityProvider& p) {
    return std::string(kList) + "/" + p.id;
  }
  // The path of a 303's Location on this server.
  static std::string Followed(const http::Response& res) {
    std::string location = HeaderOf(res, "Location").value_or("");
    EXPECT_TRUE(location.starts_with(kOrigin)) << location;
    return location.substr(std::string_view(kOrigin).size());
  }

  std::unique_ptr<web::ConsoleProviderPages> pages_;
  std::unique_ptr<web::ConsoleAuditPages> audit_pages_;
  store::User owner_, other_;
  store::App shop_;
  CookieJar jar_;
};

TEST_F(ConsoleProviderPagesTest, TheListHasItsTabTheAddFormAndEachProvidersCallbackUrl) {
  http::Response empty = Get(kList);
  ASSERT_EQ(empty.status, 200u) << empty.body;
  EXPECT_TRUE(Shows(empty, "<a href=\"/console/apps/shop/sign-in-providers\" aria-current=\"page\">"
                           "Sign-in providers</a>"));
  EXPECT_TRUE(Shows(empty, "No sign-in providers yet"));
  EXPECT_TRUE(Shows(empty, "Add a provider"));
  EXPECT_TRUE(Shows(empty, "Settings → Developer settings → OAuth Apps"));
  EXPECT_TRUE(Shows(empty, "Google Cloud console"));
  EXPECT_TRUE(Shows(empty, "https://id.example/apps/shop/federation/github/callback"));
  EXPECT_TRUE(Shows(empty, "id=\"p-kind-github\" name=\"kind\" type=\"radio\" value=\"github\" "
                           "autocomplete=\"off\" aria-describedby=\"p-kind-github-hint\" checked"));
  EXPECT_TRUE(Shows(empty, "id=\"p-client-secret\" name=\"client_secret\" type=\"password\" "
                           "value=\"\" autocomplete=\"off\""));
  ExpectWellFormed(empty.body);

  AddGithub(shop_);
  services::ProviderInput corp;
  corp.kind = "oidc";
  corp.slug = "corp-sso";
  corp.display_name = "Corp SSO";
  corp.issuer = "https://sso.example.com";
  corp.client_id = "tessera";
  corp.enabled = false;
  ASSERT_TRUE(providers_->Add(shop_, corp, services::CliActor()).ok());
  http::Response listed = Get(kList);
  ASSERT_EQ(listed.status, 200u);
  EXPECT_FALSE(Shows(listed, "No sign-in providers yet"));
  EXPECT_TRUE(Shows(listed, "<td data-label=\"Kind\">GitHub</td>"));
  EXPECT_TRUE(Shows(listed, "<td data-label=\"Kind\">OpenID Connect</td>"));
  EXPECT_TRUE(Shows(listed, "<code class=\"copy-all\">https://id.example/apps/shop/federation/"
                            "corp-sso/callback</code>"));
  EXPECT_EQ(Count(listed.body, ">On</span>"), 1u);
  EXPECT_EQ(Count(listed.body, ">Off</span>"), 1u);
  EXPECT_FALSE(Shows(listed, kGithubSecret));
  ExpectWellFormed(listed.body);
}

TEST_F(ConsoleProviderPagesTest, AddingGithubLandsOnItsPageWithTheCallbackUrlAndNoSecret) {
  http::Response added = Post(kList, "kind=github&client_id=Iv1.0123456789abcdef&client_secret=" +
                                         std::string(kGithubSecret));
  ASSERT_EQ(added.status, 303u) << added.body;
  const std::string page = Followed(added);
  EXPECT_TRUE(page.starts_with(std::string(kList) + "/")) << page;
  EXPECT_TRUE(page.ends_with("?done=created")) << page;

  auto all = providers_->List(shop_);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  const store::IdentityProvider& p = all->front();
  EXPECT_EQ(p.slug, "github");
  EXPECT_EQ(p.display_name, "GitHub");
  EXPECT_EQ(p.client_id, "Iv1.0123456789abcdef");
  EXPECT_EQ(providers_->ClientSecret(p).value(), kGithubSecret);
  EXPECT_EQ(page, PageOf(p) + "?done=created");

  http::Response shown = Get(page);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_TRUE(Shows(shown, "Register this callback URL with GitHub"));
  EXPECT_TRUE(Shows(shown, "<code id=\"callback-url\">https://id.example/apps/shop/federation/"
                           "github/callback</code>"));
  EXPECT_TRUE(Shows(shown, "GitHub was added."));
  EXPECT_TRUE(Shows(shown, "A secret is set. Leave this blank to keep it."));
  EXPECT_TRUE(Shows(shown, "<h1>GitHub</h1>"));
  EXPECT_FALSE(Shows(shown, kGithubSecret));
  EXPECT_FALSE(Shows(shown, p.client_secret_sealed));
  EXPECT_FALSE(Shows(shown, "id=\"p-issuer\"")) << "the OpenID fields are for OpenID only";
  ExpectWellFormed(shown.body);
  // Nor does the audit log keep it.
  store::AuditFilter f;
  f.app_id = shop_.id;
  for (const auto& e : audit_->List(f).value()) {
    EXPECT_EQ(e.details_json.find(kGithubSecret), std::string::npos) << e.details_json;
  }
}

TEST_F(ConsoleProviderPagesTest, ARefusedFormShowsEachErrorByItsFieldAndNeverTheSecret) {
  http::Response bad = Post(kList,
                            "kind=oidc&display_name=Corp+SSO&issuer=http%3A%2F%2Fidp.example.com"
                            "&client_id=tessera&client_secret=typed-secret-0a1b2c3d");
  ASSERT_EQ(bad.status, 400u) << bad.body;
  EXPECT_TRUE(Shows(bad, "id=\"p-issuer-error\""));
  EXPECT_TRUE(Shows(bad, "Must be an https URL (http only on localhost)"));
  EXPECT_TRUE(Shows(bad, "aria-describedby=\"p-issuer-hint p-issuer-error\" aria-invalid=\"true\""));
  EXPECT_TRUE(Shows(bad, "The provider was not added: please check the highlighted fields."));
  // What was typed stays, the kind too; the secret is asked for again.
  EXPECT_TRUE(Shows(bad, "value=\"http://idp.example.com\""));
  EXPECT_TRUE(Shows(bad, "value=\"Corp SSO\""));
  EXPECT_TRUE(Shows(bad, "value=\"oidc\" autocomplete=\"off\" "
                         "aria-describedby=\"p-kind-oidc-hint\" checked"));
  EXPECT_FALSE(Shows(bad, "typed-secret-0a1b2c3d"));
  EXPECT_TRUE(Shows(bad, "Enter it again"));
  ExpectWellFormed(bad.body);
  EXPECT_TRUE(providers_->List(shop_)->empty());

  // A blank slug is made from the display name.
  http::Response ok = Post(kList, "kind=oidc&display_name=Corp+SSO&issuer=https%3A%2F%2Fsso."
                                  "example.com&client_id=tessera");
  ASSERT_EQ(ok.status, 303u) << ok.body;
  EXPECT_EQ(providers_->GetBySlug(shop_, "corp-sso")->display_name, "Corp SSO");

  // GitHub without a secret; then GitHub twice.
  http::Response no_secret = Post(kList, "kind=github&client_id=Iv1.x");
  ASSERT_EQ(no_secret.status, 400u);
  EXPECT_TRUE(Shows(no_secret, "id=\"p-client-secret-error\""));
  AddGithub(shop_);
  http::Response twice = Post(kList, "kind=github&client_id=Iv1.y&client_secret=another-one");
  ASSERT_EQ(twice.status, 409u) << twice.body;
  EXPECT_TRUE(Shows(twice, "id=\"p-kind-error\""));
  EXPECT_TRUE(Shows(twice, "This app has GitHub already"));
  EXPECT_FALSE(Shows(twice, "another-one"));
  ExpectWellFormed(twice.body);
}

TEST_F(ConsoleProviderPagesTest, TurningItOffKeepsTheSecretUnlessANewOneIsGiven) {
  store::IdentityProvider p = AddGithub(shop_);
  http::Response saved =
      Post(PageOf(p), "display_name=GitHub&client_id=Iv1.new&client_secret=&allow_signup=on");
  ASSERT_EQ(saved.status, 303u) << saved.body;
  EXPECT_EQ(Followed(saved), PageOf(p) + "?done=saved");
  store::IdentityProvider off = providers_->Get(shop_, p.id).value();
  EXPECT_FALSE(off.enabled);
  EXPECT_TRUE(off.allow_signup);
  EXPECT_FALSE(off.trust_email);
  EXPECT_EQ(off.client_id, "Iv1.new");
  EXPECT_EQ(providers_->ClientSecret(off).value(), kGithubSecret) << "blank keeps the secret";

  http::Response shown = Get(PageOf(p) + "?done=saved");
  ASSERT_EQ(shown.status, 200u);
  EXPECT_TRUE(Shows(shown, "<span class=\"badge badge-muted\">Off</span>"));
  EXPECT_TRUE(Shows(shown, "It is off"));
  EXPECT_TRUE(Shows(shown, "id=\"p-enabled\" name=\"enabled\" type=\"checkbox\" value=\"on\" "
                           "autocomplete=\"off\" aria-describedby=\"p-enabled-hint\">"));
  EXPECT_TRUE(Shows(Get(kList), ">Off</span>"));

  ASSERT_EQ(Post(PageOf(p), "display_name=GitHub&client_id=Iv1.new&client_secret=rotated-secret"
                            "&enabled=on&allow_signup=on&trust_email=on")
                .status,
            303u);
  store::IdentityProvider on = providers_->Get(shop_, p.id).value();
  EXPECT_TRUE(on.enabled && on.trust_email);
  EXPECT_EQ(providers_->ClientSecret(on).value(), "rotated-secret");
  EXPECT_FALSE(Shows(Get(PageOf(p)), "rotated-secret"));

  // A refused change saves nothing and says why by the field.
  http::Response bad = Post(PageOf(p), "display_name=&client_id=Iv1.new&client_secret=typed-again"
                                       "&enabled=on");
  ASSERT_EQ(bad.status, 400u) << bad.body;
  EXPECT_TRUE(Shows(bad, "id=\"p-display-name-error\""));
  EXPECT_FALSE(Shows(bad, "typed-again"));
  EXPECT_TRUE(Shows(bad, "Enter it again"));
  ExpectWellFormed(bad.body);
  EXPECT_EQ(providers_->Get(shop_, p.id)->display_name, "GitHub");
  EXPECT_EQ(providers_->ClientSecret(providers_->Get(shop_, p.id).value()).value(),
            "rotated-secret");
}

TEST_F(ConsoleProviderPagesTest, AnOpenIdProvidersPageHasItsIssuerEndpointsAndScopes) {
  services::ProviderInput corp;
  corp.kind = "oidc";
  corp.slug = "corp-sso";
  corp.display_name = "Corp SSO";
  corp.issuer = "https://sso.example.com";
  corp.client_id = "tessera";
  store::IdentityProvider p = providers_->Add(shop_, corp, services::CliActor()).value();
  http::Response shown = Get(PageOf(p));
  ASSERT_EQ(shown.status, 200u);
  EXPECT_TRUE(Shows(shown, "value=\"https://sso.example.com\""));
  EXPECT_TRUE(Shows(shown, "id=\"p-token-endpoint\""));
  EXPECT_TRUE(Shows(shown, "No secret is set"));
  ExpectWellFormed(shown.body);
  http::Response bad = Post(PageOf(p), "display_name=Corp+SSO&client_id=tessera&issuer=https%3A%2F"
                                       "%2Fsso.example.com&token_endpoint=ftp%3A%2F%2Fx&enabled=on");
  ASSERT_EQ(bad.status, 400u);
  EXPECT_TRUE(Shows(bad, "id=\"p-token-endpoint-error\""));
  EXPECT_TRUE(Shows(bad, "value=\"ftp://x\""));
  ExpectWellFormed(bad.body);
  ASSERT_EQ(Post(PageOf(p), "display_name=Corp+SSO&client_id=tessera&issuer=https%3A%2F%2Fsso."
                            "example.com&scopes=openid+email&enabled=on")
                .status,
            303u);
  EXPECT_EQ(providers_->Get(shop_, p.id)->scopes, "openid email");
}

TEST_F(ConsoleProviderPagesTest, DeletingTakesTheTick) {
  store::IdentityProvider p = AddGithub(shop_);
  http::Response unticked = Post(PageOf(p) + "/delete", "");
  ASSERT_EQ(unticked.status, 400u);
  EXPECT_TRUE(Shows(unticked, "id=\"p-delete-error\""));
  EXPECT_TRUE(Shows(unticked, "aria-invalid=\"true\" aria-describedby=\"p-delete-error\""));
  EXPECT_TRUE(providers_->Get(shop_, p.id).ok());

  http::Response deleted = Post(PageOf(p) + "/delete", "confirm=on");
  ASSERT_EQ(deleted.status, 303u);
  EXPECT_EQ(Followed(deleted), std::string(kList) + "?done=provider-deleted");
  EXPECT_TRUE(providers_->Get(shop_, p.id).status().IsNotFound());
  http::Response list = Get(Followed(deleted));
  EXPECT_TRUE(Shows(list, "The sign-in provider was deleted"));
  EXPECT_TRUE(Shows(list, "No sign-in providers yet"));
  EXPECT_EQ(Get(PageOf(p)).status, 404u);
}

TEST_F(ConsoleProviderPagesTest, SomeoneElsesAppOrProviderIsTheSameNotFound) {
  store::IdentityProvider p = AddGithub(shop_);
  CookieJar other = SignedIn(console_app_, other_);
  EXPECT_EQ(Browse(other, bh::verb::get, kList).status, 404u);
  EXPECT_EQ(Browse(other, bh::verb::get, PageOf(p)).status, 404u);
  http::Response change = Browse(other, bh::verb::post, PageOf(p),
                                 "csrf_token=" + CsrfToken(other) + "&display_name=Mine&client_id=x");
  EXPECT_EQ(change.status, 404u);
  http::Response gone = Browse(other, bh::verb::post, PageOf(p) + "/delete",
                               "csrf_token=" + CsrfToken(other) + "&confirm=on");
  EXPECT_EQ(gone.status, 404u);
  EXPECT_EQ(providers_->Get(shop_, p.id)->display_name, "GitHub");

  // The owner's forms without their CSRF token: refused before anything else.
  EXPECT_EQ(Browse(jar_, bh::verb::post, kList, "kind=github&client_id=a&client_secret=b").status,
            403u);
  EXPECT_EQ(Browse(jar_, bh::verb::post, PageOf(p) + "/delete", "confirm=on").status, 403u);
  EXPECT_TRUE(providers_->Get(shop_, p.id).ok());

  // A provider of another app of the same owner is not found under this one.
  auto mine = console_->CreateApp(owner_, "mine", "Mine", services::CliActor());
  ASSERT_TRUE(mine.ok());
  store::IdentityProvider theirs = AddGithub(mine->app);
  EXPECT_EQ(Get(std::string(kList) + "/" + theirs.id).status, 404u);
  EXPECT_EQ(Post(std::string(kList) + "/" + theirs.id + "/delete", "confirm=on").status, 404u);
  EXPECT_TRUE(providers_->Get(mine->app, theirs.id).ok());
  EXPECT_EQ(Get(std::string(kList) + "/no-such-id").status, 404u);
  EXPECT_EQ(Get(std::string(kList) + "/%FF%FE").status, 404u);
}

// The app's audit log names a provider by its display name, linked to its page; once the
// provider is deleted the row keeps its short id (there is no page to link to).
TEST_F(ConsoleProviderPagesTest, TheAuditLogNamesTheProviderAndLinksToItsPage) {
  store::IdentityProvider p = AddGithub(shop_);
  http::Response audit = Get("/console/apps/shop/audit?action=identity_provider.created");
  ASSERT_EQ(audit.status, 200u);
  EXPECT_TRUE(Shows(audit, "Sign-in provider"));
  EXPECT_TRUE(Shows(audit, "href=\"" + PageOf(p) + "\">GitHub</a>")) << audit.body;
  EXPECT_FALSE(Shows(audit, ">" + p.id.substr(0, 8) + "<"));

  ASSERT_EQ(Post(PageOf(p) + "/delete", "confirm=on").status, 303u);
  http::Response after = Get("/console/apps/shop/audit?action=identity_provider.deleted");
  ASSERT_EQ(after.status, 200u);
  EXPECT_FALSE(Shows(after, "href=\"" + PageOf(p) + "\"")) << "no link to a deleted provider";
  EXPECT_TRUE(Shows(after, p.id.substr(0, 8)));
}

}  // namespace
}  // namespace tessera::testing_support
