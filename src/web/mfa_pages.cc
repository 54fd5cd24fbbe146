#include "web/mfa_pages.h"

#include "base/strings.h"
#include "crypto/random.h"
#include "web/return_to.h"
#include "base/time_zone.h"
#include "http/cookie.h"
#include "mfa/recovery_codes.h"
#include "tenancy/app_settings.h"
#include "web/browser_sign_in.h"
#include "web/display_text.h"
#include "web/page_errors.h"
#include "web/service_messages.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
constexpr auto kSignIn = store::MfaChallengeKind::kSignIn;

// "JBSW Y3DP EHPK 3PXP …": the key in groups of four, as people type it.
std::string Grouped(const std::string& secret) {
  std::string out;
  for (size_t i = 0; i < secret.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(secret[i]);
  }
  return out;
}

std::string AccountName(const store::User& user) {
  return user.email.empty() ? user.username.value_or("") : user.email;
}

std::string KindLabel(const i18n::Texts& t, store::FactorKind kind) {
  return kind == store::FactorKind::kTotp ? t("mfa.kind_totp") : t("mfa.kind_passkey");
}

// The data of templates/_passkey_form.mustache.
void SetPasskeyForm(PageData& d, std::string_view mode, const std::string& options,
                    const std::string& action, std::string_view button, bool primary) {
  d.set("page_script", std::string("passkeys.js"));
  d.set("passkey_form", true);
  d.set("passkey_mode", std::string(mode));
  d.set("passkey_options", options);
  d.set("passkey_action", action);
  d.set("passkey_button", std::string(button));
  d.set("passkey_primary", primary);
}

}  // namespace

void MfaPages::Mount(http::Router& r, const PageGates& gates) {
  const auto back = AfterSignIn::kAccountPage;
  r.Add(bh::verb::get, "/apps/{app}/login/mfa", gates.WithApp(Bind(this, &MfaPages::ShowStep)));
  r.Add(bh::verb::post, "/apps/{app}/login/mfa",
        gates.WithCsrf(Bind(this, &MfaPages::SubmitStep), UnreadableForm::kBadRequest));
  r.Add(bh::verb::post, "/apps/{app}/login/mfa/enrol",
        gates.WithCsrf(Bind(this, &MfaPages::SubmitEnrolStep), UnreadableForm::kBadRequest));
  r.Add(bh::verb::post, "/apps/{app}/account/mfa/totp",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::BeginTotp)));
  r.Add(bh::verb::get, "/apps/{app}/account/mfa/totp",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::ShowTotp)));
  r.Add(bh::verb::post, "/apps/{app}/account/mfa/totp/confirm",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::ConfirmTotp)));
  r.Add(bh::verb::post, "/apps/{app}/account/mfa/factors/{id}/rename",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::Rename)));
  r.Add(bh::verb::post, "/apps/{app}/account/mfa/factors/{id}/remove",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::Remove)));
  r.Add(bh::verb::post, "/apps/{app}/account/mfa/recovery-codes",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::NewRecoveryCodes)));
  r.Add(bh::verb::post, "/apps/{app}/account/passkeys/new",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::ShowPasskeyRegistration)));
  r.Add(bh::verb::post, "/apps/{app}/account/passkeys",
        gates.WithBrowserSession(back, Bind(this, &MfaPages::RegisterPasskey)));
  r.Add(bh::verb::post, "/apps/{app}/login/mfa/passkey",
        gates.WithCsrf(Bind(this, &MfaPages::SubmitPasskeyStep), UnreadableForm::kBadRequest));
  r.Add(bh::verb::post, "/apps/{app}/login/mfa/enrol/passkey",
        gates.WithCsrf(Bind(this, &MfaPages::SubmitPasskeyEnrolStep), UnreadableForm::kBadRequest));
  r.Add(bh::verb::post, "/apps/{app}/login/passkey",
        gates.WithCsrf(Bind(this, &MfaPages::SignInWithPasskey), UnreadableForm::kBadRequest));
}

std::string MfaPages::Issuer(const store::App& app) const {
  return store::DisplayName(app.settings, app.name);
}

std::string MfaPages::ChallengeOf(const http::Request& req) const {
  return http::GetCookie(req, MfaCookieName(kit_)).value_or("");
}

http::Response MfaPages::Expired(const http::Request& req, const store::App& app) {
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  http::Response r = kit_.pages.Message(req, app, 400, t("mfa.expired_heading"),
                                        t("mfa.expired_message"), false,
                                        kit_.urls.PagePath(app, "login"), t("mfa.go_to_sign_in"));
  http::SetCookie(r, MfaCookieName(kit_), "", {kit_.urls.secure(), true, "Lax", "/", 0});
  return r;
}

http::Response MfaPages::VerifyForm(const http::Request& req, const store::App& app,
                                    const services::PendingSecondFactor& pending,
                                    bool use_recovery, const std::string& error,
                                    unsigned status) {
  auto has = [&](std::string_view m) {
    return std::find(pending.methods.begin(), pending.methods.end(), m) != pending.methods.end();
  };
  if (!has("totp")) use_recovery = true;  // recovery codes are all this account has left
  const std::string user_locale = ProfileLocale(pending.user);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, user_locale);
  PageData d;
  d.set("user_locale", user_locale);
  d.set("title", t("mfa.verify_heading"));
  d.set("action", kit_.urls.PagePath(app, "login/mfa"));
  d.set("account", AccountName(pending.user));
  d.set("use_recovery", use_recovery);
  if (!error.empty()) d.set("code_error", error);
  if (has("passkey") && sign_in_.passkeys()) {
    auto options = sign_in_.passkeys()->AssertionOptions(app, &pending.user, ChallengeOf(req));
    if (options.ok()) {
      SetPasskeyForm(d, "authenticate", *options, kit_.urls.PagePath(app, "login/mfa/passkey"),
                     t("mfa.use_passkey"), !has("totp"));
      // Passkeys first when there is no authenticator app: the code form is the way back.
      if (!has("totp")) d.set("passkey_first", true);
    }
  }
  if (use_recovery && has("totp")) {
    d.set("other_method_url", kit_.urls.PagePath(app, "login/mfa"));
    d.set("other_method_text", t("mfa.use_app_instead"));
  } else if (!use_recovery && has("recovery_code")) {
    d.set("other_method_url", kit_.urls.PagePath(app, "login/mfa") + "?method=recovery_code");
    d.set("other_method_text", t("mfa.use_recovery_code"));
  }
  d.set("cancel_url", kit_.urls.PagePath(app, "login"));
  return kit_.pages.Page(req, app, "mfa_verify", std::move(d), status);
}

http::Response MfaPages::EnrolForm(const http::Request& req, const store::App& app,
                                   const store::User& user,
                                   const services::TotpEnrolment& enrolment, bool at_sign_in,
                                   const Status& error, const std::string& name,
                                   unsigned status) {
  const std::string user_locale = ProfileLocale(user);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, user_locale);
  PageData d;
  d.set("user_locale", user_locale);
  d.set("title", t("mfa.enrol_heading"));
  d.set("required", at_sign_in);
  d.set("qr_svg", enrolment.qr_svg);
  d.set("secret_grouped", Grouped(enrolment.secret_base32));
  d.set("account", AccountName(user));
  d.set("factor_id", enrolment.factor.id);
  d.set("action", kit_.urls.PagePath(app, at_sign_in ? "login/mfa/enrol" : "account/mfa/totp/confirm"));
  d.set("ask_name", !at_sign_in);
  d.set("name", name);
  for (const auto& e : error.field_errors()) {
    std::string label = t(e.field == "code" ? "mfa.field_code" : "mfa.field_name");
    d.set(e.field + "_error", FieldSentence(t, label, e.message));
  }
  if (!error.ok() && error.field_errors().empty()) d.set("error", ServiceText(t, error.message()));
  d.set("cancel_url", kit_.urls.PagePath(app, at_sign_in ? "login" : "account"));
  d.set("cancel_text", t(at_sign_in ? "mfa.cancel_sign_in" : "mfa.back_to_account"));
  if (at_sign_in) AddPasskeyEnrolment(req, app, user, t("mfa.use_passkey_instead"), false, d);
  return kit_.pages.Page(req, app, "mfa_enrol", std::move(d), status);
}

http::Response MfaPages::RecoveryCodesPage(const http::Request& req, const store::App& app,
                                           const store::User& user,
                                           const std::vector<std::string>& codes,
                                           const std::string& continue_url, bool replaced) {
  const std::string user_locale = ProfileLocale(user);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, user_locale);
  PageData d;
  d.set("user_locale", user_locale);
  d.set("replaced", replaced);
  d.set("title", t("mfa.codes_heading"));
  PageData list(PageData::type::list);
  for (const auto& c : codes) list.push_back(PageData(c));
  d.set("codes", list);
  d.set("continue_url", continue_url);
  http::Response r = kit_.pages.Page(req, app, "mfa_recovery_codes", std::move(d));
  r.WithHeader("Cache-Control", "no-store");
  return r;
}

http::Response MfaPages::ShowStep(http::Request& req, const store::App& app) {
  std::string token = ChallengeOf(req);
  auto pending = sign_in_.Pending(app, token, kSignIn);
  if (!pending.ok()) {
    return pending.status().IsNotFound() ? Expired(req, app) : kit_.pages.Unavailable(req, &app);
  }
  http::QueryParams query = PageQuery(req);
  if (pending->step == services::SecondStep::kVerify) {
    return VerifyForm(req, app, *pending, http::FormValue(query, "method") == "recovery_code", "",
                      200);
  }
  if (!services::FactorService::MayEnrol(app, store::FactorKind::kTotp)) {
    // Passkeys are the only factor the app offers: the passkey page, for this sign-in.
    const std::string user_locale = ProfileLocale(pending->user);
    const i18n::Texts t = kit_.pages.TextsFor(req, &app, user_locale);
    PageData d;
    d.set("user_locale", user_locale);
    d.set("title", t("mfa.passkey_heading"));
    d.set("required", true);
    d.set("cancel_url", kit_.urls.PagePath(app, "login"));
    d.set("cancel_text", t("mfa.cancel_sign_in"));
    AddPasskeyEnrolment(req, app, pending->user, t("mfa.create_passkey"), true, d);
    return kit_.pages.Page(req, app, "passkey_register", std::move(d));
  }
  // An enrolment: one factor per visit, kept across reloads by its id in the URL.
  std::string factor_id = http::FormValue(query, "factor");
  if (!factor_id.empty()) {
    auto enrolment = factors_.PendingTotp(app, pending->user, factor_id, Issuer(app));
    if (enrolment.ok()) return EnrolForm(req, app, pending->user, *enrolment, true, OkStatus(), "", 200);
  }
  auto enrolment = sign_in_.BeginEnrolment(app, token, kSignIn, Issuer(app));
  if (!enrolment.ok()) return kit_.pages.Unavailable(req, &app);
  return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(app, "login/mfa") +
                                     "?factor=" + http::FormEncode(enrolment->factor.id)));
}

http::Response MfaPages::Finish(const http::Request& req, const store::App& app,
                                const services::CompletedSignIn& done) {
  http::Response signed_in = StartBrowserSession(kit_, req, app, done.user, done.first.return_to,
                                                 done.amr, done.first.idp);
  http::SetCookie(signed_in, MfaCookieName(kit_), "", {kit_.urls.secure(), true, "Lax", "/", 0});
  if (done.recovery_codes.empty() || signed_in.status != 303) return signed_in;
  // After an enrolment the codes come first; the session cookie rides on this page.
  std::string next;
  for (const auto& [name, value] : signed_in.headers) {
    if (name == "Location") next = value;
  }
  http::Response page = RecoveryCodesPage(req, app, done.user, done.recovery_codes, next);
  for (const auto& [name, value] : signed_in.headers) {
    if (name == "Set-Cookie") page.WithHeader(name, value);
  }
  return page;
}

http::Response MfaPages::SubmitStep(http::Request& req, const store::App& app, const Form& form) {
  std::string token = ChallengeOf(req);
  std::string method = http::FormValue(form, "method") == "recovery_code" ? "recovery_code" : "totp";
  auto done = sign_in_.Complete(app, token, kSignIn, method, http::FormValue(form, "code"),
                                ClientOf(req));
  if (done.ok()) return Finish(req, app, *done);
  const Status& s = done.status();
  if (s.IsNotFound()) return Expired(req, app);
  auto pending = sign_in_.Pending(app, token, kSignIn);
  if (!pending.ok()) return Expired(req, app);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, ProfileLocale(pending->user));
  PageFailure failure = PageFailureOf(s, t);
  if (failure.unavailable()) return kit_.pages.Unavailable(req, &app);
  return WithRetryAfter(VerifyForm(req, app, *pending, method == "recovery_code",
                                   ServiceText(t, s.message()), failure.status),
                        s);
}

http::Response MfaPages::SubmitEnrolStep(http::Request& req, const store::App& app,
                                         const Form& form) {
  std::string token = ChallengeOf(req);
  std::string factor_id = http::FormValue(form, "factor_id");
  auto done = sign_in_.CompleteEnrolment(app, token, kSignIn, factor_id,
                                         http::FormValue(form, "code"), ClientOf(req));
  if (done.ok()) return Finish(req, app, *done);
  const Status& s = done.status();
  auto pending = sign_in_.Pending(app, token, kSignIn);
  if (!pending.ok()) return Expired(req, app);
  auto enrolment = factors_.PendingTotp(app, pending->user, factor_id, Issuer(app));
  if (!enrolment.ok()) return Expired(req, app);
  PageFailure failure =
      PageFailureOf(s, kit_.pages.TextsFor(req, &app, ProfileLocale(pending->user)));
  if (failure.unavailable()) return kit_.pages.Unavailable(req, &app);
  return WithRetryAfter(
      EnrolForm(req, app, pending->user, *enrolment, true, s, "", failure.status), s);
}

http::Response MfaPages::NeedsRecentSignIn(const http::Request& req, const store::App& app) {
  std::string account = kit_.urls.PagePath(app, "account");
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  return kit_.pages.Message(req, app, 409, t("mfa.recent_heading"), t("mfa.recent_message"),
                            false,
                            kit_.urls.PagePath(app, "login") + "?return_to=" +
                                http::FormEncode(account),
                            t("mfa.sign_in_again"));
}

http::Response MfaPages::Done(const store::App& app, std::string_view what) {
  return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(app, "account") + "?done=" +
                                     std::string(what) + "#mfa-heading"));
}

http::Response MfaPages::BeginTotp(http::Request& req, const BrowserVisit& v, const Form&) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) return kit_.pages.Unavailable(req, &v.app);
  auto enrolment = factors_.BeginTotp(v.app, *user, Issuer(v.app));
  if (enrolment.status().code() == StatusCode::kPermissionDenied ||
      enrolment.status().code() == StatusCode::kFailedPrecondition) {
    const i18n::Texts t = kit_.pages.TextsFor(req, &v.app);
    return kit_.pages.Message(req, v.app, 409, t("mfa.not_added"),
                              ServiceText(t, enrolment.status().message()), false,
                              kit_.urls.PagePath(v.app, "account"), t("mfa.back_to_account"));
  }
  if (!enrolment.ok()) return kit_.pages.Unavailable(req, &v.app);
  return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(v.app, "account/mfa/totp") +
                                     "?factor=" + http::FormEncode(enrolment->factor.id)));
}

http::Response MfaPages::ShowTotp(http::Request& req, const BrowserVisit& v) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) return kit_.pages.Unavailable(req, &v.app);
  auto enrolment = factors_.PendingTotp(v.app, *user, http::FormValue(PageQuery(req), "factor"),
                                        Issuer(v.app));
  if (!enrolment.ok()) {
    const i18n::Texts t = kit_.pages.TextsFor(req, &v.app);
    return kit_.pages.Message(req, v.app, 404, t("mfa.setup_expired_heading"),
                              t("mfa.setup_expired_message"), false,
                              kit_.urls.PagePath(v.app, "account"), t("mfa.back_to_account"));
  }
  http::Response r = EnrolForm(req, v.app, *user, *enrolment, false, OkStatus(), "", 200);
  r.WithHeader("Cache-Control", "no-store");  // the page holds the secret
  return r;
}

http::Response MfaPages::ConfirmTotp(http::Request& req, const BrowserVisit& v, const Form& form) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) return kit_.pages.Unavailable(req, &v.app);
  std::string factor_id = http::FormValue(form, "factor_id");
  std::string name = Trim(http::FormValue(form, "name"));
  auto enrolled =
      factors_.ConfirmTotp(v.app, *user, factor_id, http::FormValue(form, "code"), name);
  if (enrolled.ok()) {
    if (enrolled->recovery_codes.empty()) return Done(v.app, "mfa-added");
    return RecoveryCodesPage(req, v.app, *user, enrolled->recovery_codes,
                             kit_.urls.PagePath(v.app, "account") + "?done=mfa-added#mfa-heading");
  }
  const Status& s = enrolled.status();
  auto enrolment = factors_.PendingTotp(v.app, *user, factor_id, Issuer(v.app));
  if (!enrolment.ok()) return Done(v.app, "mfa-expired");
  PageFailure failure = PageFailureOf(s, kit_.pages.TextsFor(req, &v.app, ProfileLocale(*user)));
  if (failure.unavailable()) return kit_.pages.Unavailable(req, &v.app);
  return EnrolForm(req, v.app, *user, *enrolment, false, s, name, failure.status);
}

http::Response MfaPages::Rename(http::Request& req, const BrowserVisit& v, const Form& form) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) return kit_.pages.Unavailable(req, &v.app);
  Status s = factors_.Rename(v.app, *user, req.Param("id"), Trim(http::FormValue(form, "name")));
  if (s.code() == StatusCode::kInvalidArgument) return Done(v.app, "mfa-bad-name");
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "mfa-renamed");
}

http::Response MfaPages::Remove(http::Request& req, const BrowserVisit& v, const Form&) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) return kit_.pages.Unavailable(req, &v.app);
  Status s = factors_.Remove(v.app, *user, req.Param("id"), store::AuthTimeOf(v.session));
  if (s.code() == StatusCode::kFailedPrecondition) return NeedsRecentSignIn(req, v.app);
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "mfa-removed");
}

http::Response MfaPages::NewRecoveryCodes(http::Request& req, const BrowserVisit& v, const Form&) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) return kit_.pages.Unavailable(req, &v.app);
  auto codes = factors_.RegenerateRecoveryCodes(v.app, *user, store::AuthTimeOf(v.session));
  if (codes.status().code() == StatusCode::kFailedPrecondition) {
    auto has = factors_.HasFactors(v.app, user->id);
    if (has.ok() && !*has) return Done(v.app, "mfa-none");
    return NeedsRecentSignIn(req, v.app);
  }
  if (!codes.ok()) return kit_.pages.Unavailable(req, &v.app);
  return RecoveryCodesPage(req, v.app, *user, *codes,
                           kit_.urls.PagePath(v.app, "account") + "?done=mfa-codes#mfa-heading",
                           /*replaced=*/true);
}

std::string MfaPages::PasskeyCookieName() const {
  return kit_.urls.secure() ? "__Host-tessera_passkey" : "tessera_passkey";
}

void MfaPages::AddPasskeySignIn(const http::Request& req, const store::App& app,
                                const std::string& return_to, PageData& d,
                                std::string* binding) const {
  services::PasskeyService* passkeys = sign_in_.passkeys();
  if (!passkeys || !services::FactorService::MayEnrol(app, store::FactorKind::kWebAuthn)) return;
  // One binding per browser: a second sign-in tab keeps the first tab's challenge usable.
  std::string value = http::GetCookie(req, PasskeyCookieName()).value_or("");
  if (!crypto::IsSecretTokenShaped(value, services::kPasskeyTokenPrefix) || value.size() < 40) {
    value = crypto::NewSecretToken(services::kPasskeyTokenPrefix);
  }
  auto options = passkeys->AssertionOptions(app, nullptr, value);
  if (!options.ok()) return;  // the password form still works
  // Not "Sign in …": one "Sign in" button per page. The sign-in page's language is the
  // request's (no user yet).
  SetPasskeyForm(d, "authenticate", *options, kit_.urls.PagePath(app, "login/passkey"),
                 kit_.pages.TextsFor(req, &app)("mfa.use_passkey"), false);
  d.set("passkey_conditional", true);
  d.set("passkey_return_to", return_to);
  *binding = std::move(value);
}

void MfaPages::SetPasskeyCookie(http::Response& page, const std::string& binding) const {
  if (binding.empty()) return;
  http::SetCookie(page, PasskeyCookieName(), binding,
                  {kit_.urls.secure(), true, "Lax", "/",
                   services::kPasskeyChallengeTtlMs / 1000});
}

http::Response MfaPages::ShowPasskeyRegistration(http::Request& req, const BrowserVisit& v,
                                                 const Form&) {
  services::PasskeyService* passkeys = sign_in_.passkeys();
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok() || !passkeys) return kit_.pages.Unavailable(req, &v.app);
  // Bound to this browser session: the answer counts only from the session that asked.
  auto options = passkeys->RegistrationOptions(v.app, *user, v.session.id);
  if (options.status().code() == StatusCode::kPermissionDenied) {
    const i18n::Texts t = kit_.pages.TextsFor(req, &v.app);
    return kit_.pages.Message(req, v.app, 409, t("mfa.not_added"),
                              ServiceText(t, options.status().message()), false,
                              kit_.urls.PagePath(v.app, "account"), t("mfa.back_to_account"));
  }
  if (!options.ok()) return kit_.pages.Unavailable(req, &v.app);
  const std::string user_locale = ProfileLocale(*user);
  const i18n::Texts t = kit_.pages.TextsFor(req, &v.app, user_locale);
  PageData d;
  d.set("user_locale", user_locale);
  d.set("title", t("mfa.passkey_heading"));
  SetPasskeyForm(d, "register", *options, kit_.urls.PagePath(v.app, "account/passkeys"),
                 t("mfa.create_passkey"), true);
  d.set("passkey_ask_name", true);
  d.set("cancel_url", kit_.urls.PagePath(v.app, "account"));
  d.set("cancel_text", t("mfa.back_to_account"));
  http::Response r = kit_.pages.Page(req, v.app, "passkey_register", std::move(d));
  r.WithHeader("Cache-Control", "no-store");
  return r;
}

http::Response MfaPages::RegisterPasskey(http::Request& req, const BrowserVisit& v,
                                         const Form& form) {
  services::PasskeyService* passkeys = sign_in_.passkeys();
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok() || !passkeys) return kit_.pages.Unavailable(req, &v.app);
  auto factor = passkeys->Register(v.app, *user, v.session.id, http::FormValue(form, "credential"),
                                   Trim(http::FormValue(form, "name")));
  if (!factor.ok()) {
    const i18n::Texts t = kit_.pages.TextsFor(req, &v.app);
    PageFailure failure = PageFailureOf(factor.status(), t);
    if (failure.unavailable()) return kit_.pages.Unavailable(req, &v.app);
    return kit_.pages.Message(req, v.app, failure.status, t("mfa.passkey_not_added"),
                              ServiceText(t, factor.status().message()), false,
                              kit_.urls.PagePath(v.app, "account"), t("mfa.back_to_account"));
  }
  auto codes = factors_.EnsureRecoveryCodes(v.app, user->id);
  if (codes.ok() && !codes->empty()) {
    return RecoveryCodesPage(req, v.app, *user, *codes,
                             kit_.urls.PagePath(v.app, "account") + "?done=passkey-added#mfa-heading");
  }
  return Done(v.app, "passkey-added");
}

http::Response MfaPages::SubmitPasskeyStep(http::Request& req, const store::App& app,
                                           const Form& form) {
  std::string token = ChallengeOf(req);
  auto done = sign_in_.CompleteWithPasskey(app, token, kSignIn,
                                           http::FormValue(form, "credential"), ClientOf(req));
  if (done.ok()) return Finish(req, app, *done);
  auto pending = sign_in_.Pending(app, token, kSignIn);
  if (!pending.ok()) return Expired(req, app);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app, ProfileLocale(pending->user));
  PageFailure failure = PageFailureOf(done.status(), t);
  if (failure.unavailable()) return kit_.pages.Unavailable(req, &app);
  return VerifyForm(req, app, *pending, false, t("mfa.passkey_failed"), failure.status);
}

void MfaPages::AddPasskeyEnrolment(const http::Request& req, const store::App& app,
                                   const store::User& user, std::string_view button,
                                   bool primary, PageData& d) {
  services::PasskeyService* passkeys = sign_in_.passkeys();
  if (!passkeys || !services::FactorService::MayEnrol(app, store::FactorKind::kWebAuthn)) return;
  // Bound to this browser's pending sign-in (its challenge cookie).
  auto options = passkeys->RegistrationOptions(app, user, ChallengeOf(req));
  if (!options.ok()) return;
  SetPasskeyForm(d, "register", *options, kit_.urls.PagePath(app, "login/mfa/enrol/passkey"),
                 button, primary);
}

http::Response MfaPages::SubmitPasskeyEnrolStep(http::Request& req, const store::App& app,
                                                const Form& form) {
  std::string token = ChallengeOf(req);
  auto done = sign_in_.CompleteEnrolmentWithPasskey(app, token, kSignIn,
                                                    http::FormValue(form, "credential"));
  if (done.ok()) return Finish(req, app, *done);
  if (done.status().IsNotFound()) return Expired(req, app);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  PageFailure failure = PageFailureOf(done.status(), t);
  if (failure.unavailable()) return kit_.pages.Unavailable(req, &app);
  return kit_.pages.Message(req, app, failure.status, t("mfa.passkey_not_added"),
                            ServiceText(t, done.status().message()), false,
                            kit_.urls.PagePath(app, "login/mfa"), t("mfa.try_again"));
}

http::Response MfaPages::SignInWithPasskey(http::Request& req, const store::App& app,
                                           const Form& form) {
  services::PasskeyService* passkeys = sign_in_.passkeys();
  std::string return_to = SafeReturnTo(kit_.urls, app, http::FormValue(form, "return_to"));
  std::string binding = http::GetCookie(req, PasskeyCookieName()).value_or("");
  if (!passkeys) return kit_.pages.Unavailable(req, &app);
  const i18n::Texts t = kit_.pages.TextsFor(req, &app);
  if (!services::FactorService::MayEnrol(app, store::FactorKind::kWebAuthn)) {
    return kit_.pages.Message(req, app, 403, t("mfa.not_signed_in"), t("mfa.passkeys_off"),
                              false, kit_.urls.PagePath(app, "login"), t("mfa.back_to_sign_in"));
  }
  auto proof = passkeys->Authenticate(app, binding, http::FormValue(form, "credential"), nullptr,
                                      ClientOf(req));
  if (!proof.ok()) {
    PageFailure failure = PageFailureOf(proof.status(), t);
    if (failure.unavailable()) return kit_.pages.Unavailable(req, &app);
    std::string login = kit_.urls.PagePath(app, "login");
    if (!return_to.empty()) login += "?return_to=" + http::FormEncode(return_to);
    return kit_.pages.Message(req, app, failure.status, t("mfa.not_signed_in"),
                              t("mfa.passkey_sign_in_failed"), false, login,
                              t("mfa.back_to_sign_in"));
  }
  auto recorded = accounts_.RecordVerifiedSignIn(app, proof->user, ClientOf(req), nullptr,
                                                 "passkey");
  if (!recorded.ok()) return kit_.pages.Unavailable(req, &app);
  // A passkey with user verification is two factors by itself; without, it is a first one
  // and the second step follows as for a password.
  http::Response r = proof->user_verified
                         ? StartBrowserSession(kit_, req, app, *recorded, return_to, proof->amr, "")
                         : SignInBrowser(kit_, req, app, *recorded, return_to, proof->amr, "");
  http::SetCookie(r, PasskeyCookieName(), "", {kit_.urls.secure(), true, "Lax", "/", 0});
  return r;
}

void SetSecondFactorSection(const PageKit& kit, const BrowserVisit& v, const std::string& zone,
                            PageData& d) {
  const i18n::Texts english(i18n::MessageCatalog::Embedded(), "en", &v.app.settings.messages);
  SetSecondFactorSection(kit, v, zone, english, d);
}

void SetSecondFactorSection(const PageKit& kit, const BrowserVisit& v, const std::string& zone,
                            const i18n::Texts& t, PageData& d) {
  if (!kit.factors) return;
  auto factors = kit.factors->ListFactors(v.app, v.session.user_id);
  auto left = kit.factors->RecoveryCodesLeft(v.app, v.session.user_id);
  if (!factors.ok() || !left.ok()) return;
  const bool may_add_totp =
      services::FactorService::MayEnrol(v.app, store::FactorKind::kTotp);
  const bool may_add_passkey = services::FactorService::MayEnrol(v.app, store::FactorKind::kWebAuthn);
  // An app with the policy off shows the section only to someone who has factors to manage.
  if (factors->empty() && !may_add_totp && !may_add_passkey) return;
  PageData rows(PageData::type::list);
  for (const auto& f : *factors) {
    PageData row;
    row.set("name", f.name);
    i18n::MessageArgs detail{{"kind", KindLabel(t, f.kind)},
                             {"added", FormatInZone(f.created_at, zone)}};
    if (f.last_used_at) {
      detail.emplace_back("last_used", FormatInZone(*f.last_used_at, zone));
      row.set("detail", t("mfa.factor_detail_used", detail));
    } else {
      row.set("detail", t("mfa.factor_detail", detail));
    }
    row.set("id", f.id);
    row.set("passkey", f.kind == store::FactorKind::kWebAuthn);
    row.set("rename_action", kit.urls.PagePath(v.app, "account/mfa/factors/" + f.id + "/rename"));
    row.set("remove_action", kit.urls.PagePath(v.app, "account/mfa/factors/" + f.id + "/remove"));
    rows.push_back(row);
  }
  d.set("mfa_section", true);
  d.set("mfa_on", !factors->empty());
  d.set("mfa_required", v.app.settings.mfa == store::MfaPolicy::kRequired);
  d.set("mfa_factors", rows);
  if (may_add_totp) d.set("mfa_add_totp_action", kit.urls.PagePath(v.app, "account/mfa/totp"));
  if (services::FactorService::MayEnrol(v.app, store::FactorKind::kWebAuthn) && kit.mfa &&
      kit.mfa->passkeys()) {
    d.set("mfa_add_passkey_action", kit.urls.PagePath(v.app, "account/passkeys/new"));
  }
  if (!factors->empty()) {
    const std::string total = std::to_string(services::kRecoveryCodeCount);
    d.set("mfa_codes_left", t("mfa.codes_left", {{"count", std::to_string(*left)},
                                                  {"total", total}}));
    d.set("mfa_codes_low", *left <= 3);
    d.set("mfa_codes_action", kit.urls.PagePath(v.app, "account/mfa/recovery-codes"));
  }
}

}  // namespace tessera::web
