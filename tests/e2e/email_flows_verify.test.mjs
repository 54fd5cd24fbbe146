// Email verification and password reset on the JSON API, end to end against a real SMTP server
// (Debian's aiosmtpd,
// lib/smtp.mjs): every test reads the mail Tessera really sent, takes the link's token or the
// code from it, and finishes the flow (server, SMTP and helpers: lib/mailflow.mjs).
// - verification: the mail after signup, verifying (twice), a bad link, "already verified",
//   the per-address and per-IP mail limits (429 + Retry-After), require_verified_email on login;
// - password reset: the same answer for every address (mail only to a real account), reset,
//   old password and refresh tokens dead, notice mail, single use, the policy (link kept), a
//   newer link voiding the older.
// Not testable here: expiry (no clock control in a black-box test; the TTLs are unit-tested).
// Each test runs in an app of its own (own settings, own rate-limit counters).
// Sign-in by mail, email change, mail safety: email_flows_signin.test.mjs.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, signup, login, uniqEmail, rand, show, assertStatus,
  assertProblem, assertUserShape,
} from './lib/server.mjs';
import {
  skipWithoutSmtp as skip, startMailStack, emailFlowHelpers, freshApp, SUBJECT, linkIn, tokenOf,
  nthMail, assertMailCount,
} from './lib/mailflow.mjs';

for (const backend of backends()) {
  describe(`email flows on the API [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    let api, post, mail, assertAccepted, signedUp;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'email-flows-verify'));
      ({ api, post, mail, assertAccepted, signedUp } = emailFlowHelpers(srv, smtp));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    // ---------------------------------------------------------------- verification
    test('signup mails a verification link; verifying it (twice) sets email_verified', async () => {
      const app = await freshApp(srv);
      const u = await signup(srv, { app });
      assert.equal(u.user.email_verified, false);
      const m = await mail(u.email, SUBJECT.verify);
      assert.equal(m.from, 'Tessera Tests <no-reply@tessera.test>');
      assert.deepEqual(m.envelopeTo, [u.email]);
      const link = linkIn(m, '/verify-email?token=');
      assert.ok(link.startsWith(`${srv.issuer(app)}/verify-email?token=tet_`), link);
      assert.ok(m.html.includes(`href="${link}"`), 'the html part links to the same URL');
      assert.match(m.text, /expires in 24 hours/);
      const token = tokenOf(link);

      const ok = await post(app, '/api/email/verify', { token });
      assertStatus(ok, 200);
      assertUserShape(ok.body, { email: u.email });
      assert.equal(ok.body.email_verified, true);
      assert.equal(ok.body.id, u.user.id);

      // A second click (or a mail scanner's first) must not look like a failure.
      const again = await post(app, '/api/email/verify', { token });
      assertStatus(again, 200);
      assert.equal(again.body.email_verified, true);

      const tokens = await login(srv, { email: u.email }, u.password, { app });
      const me = await api(app, 'GET', '/api/me', { token: tokens.access_token });
      assert.equal(me.body.email_verified, true, show(me));
      // Nothing more to send once verified.
      const resend = await post(app, '/api/me/email/verification', undefined, { token: tokens.access_token });
      assertStatus(resend, 200);
      assert.deepEqual(resend.body, { status: 'already_verified' });
    });

    test('a garbage or foreign verification token is a 404 problem saying what to do', async () => {
      const app = await freshApp(srv);
      for (const token of ['tet_' + 'A'.repeat(43), 'not-a-token', 'tet_']) {
        const res = await post(app, '/api/email/verify', { token });
        const p = assertProblem(res, 404, 'not-found');
        assert.match(p.detail, /This link is not valid\. Sign in and ask for a new verification email\./, show(res));
      }
      assertProblem(await post(app, '/api/email/verify', {}), 400, undefined);
      // A link of another app is not a link of this one.
      const other = await freshApp(srv);
      const u = await signedUp(other);
      assertProblem(await post(app, '/api/email/verify', { token: u.verifyToken }), 404, 'not-found');
      // …and was not spent by the attempt.
      assertStatus(await post(other, '/api/email/verify', { token: u.verifyToken }), 200);
    });

    test('expired verification links: not testable black-box (no clock control)', { skip: 'no clock control; TTLs are covered by unit tests' }, () => {});

    test('resending is limited: 5 mails per address per hour, then 429 with Retry-After', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);  // mail 1 of 5
      const { access_token: at } = await login(srv, { email: u.email }, u.password, { app });
      for (let i = 2; i <= 5; i++) {
        assertAccepted(await post(app, '/api/me/email/verification', undefined, { token: at }));
      }
      const limited = await post(app, '/api/me/email/verification', undefined, { token: at });
      const p = assertProblem(limited, 429, 'rate-limited');
      assert.match(p.detail, /^Too many emails requested\. Try again in \d+ minutes?\.$/, show(limited));
      const retry = Number(limited.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 3600, `Retry-After: ${retry}`);
      // The limit is per address, whatever the flow: a reset link for it is refused as well.
      assertProblem(await post(app, '/api/password/forgot', { email: u.email }), 429, 'rate-limited');

      const sentinel = uniqEmail('sentinel');
      await assertMailCount(smtp, u.email, 5, {
        sentinel: () => signup(srv, { app, email: sentinel }), sentinelTo: sentinel, sentinelSubject: SUBJECT.verify,
      });
      // Each resent link is a new one and voids the older ones: only the newest verifies.
      const all = smtp.find({ to: u.email, subject: SUBJECT.verify });
      const tokens = all.map((m) => tokenOf(linkIn(m, '/verify-email?token=')));
      assert.equal(new Set(tokens).size, 5, 'every mail has its own link');
      const old = await post(app, '/api/email/verify', { token: tokens[0] });
      assertProblem(old, 409, 'conflict');
      assert.match(old.body.detail, /already been used \(or a newer one was sent\)/);
      assertStatus(await post(app, '/api/email/verify', { token: tokens[4] }), 200);
    });

    test('the address limit applies the same to an address without an account', async () => {
      const app = await freshApp(srv);
      const ghost = uniqEmail('ghost');
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await post(app, '/api/password/forgot', { email: ghost })).status);
      assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
    });

    test('the IP limit: 30 mail requests per hour from one address, whatever the recipients', async () => {
      const app = await freshApp(srv);
      const statuses = [];
      for (let i = 0; i < 31; i++) {
        statuses.push((await post(app, '/api/password/forgot', { email: uniqEmail(`spray${i}`) })).status);
      }
      assert.deepEqual(statuses, [...Array(30).fill(202), 429]);
      const limited = await post(app, '/api/magic-link', { email: uniqEmail('spray') });
      assertProblem(limited, 429, 'rate-limited');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      // Another app has counters of its own.
      const other = await freshApp(srv);
      assertAccepted(await post(other, '/api/password/forgot', { email: uniqEmail('elsewhere') }));
    });

    test('require_verified_email: an unverified password login is 403 with a clear message, 200 once verified', async () => {
      const app = await freshApp(srv, { requireVerifiedEmail: true });
      const u = await signedUp(app);
      const denied = await post(app, '/api/login', { email: u.email, password: u.password });
      const p = assertProblem(denied, 403, 'forbidden');
      assert.match(p.detail, /Verify your email address first: use the link we sent you, or ask for a new one\./);
      // Only after the right password: a wrong one is the usual 401, revealing nothing.
      assertProblem(await post(app, '/api/login', { email: u.email, password: 'not the password' }), 401, 'unauthorized');

      assertStatus(await post(app, '/api/email/verify', { token: u.verifyToken }), 200);
      const ok = await post(app, '/api/login', { email: u.email, password: u.password });
      assertStatus(ok, 200);
      assert.equal(ok.body.user.email_verified, true);
    });

    // ---------------------------------------------------------------- password reset
    test('forgot password answers the same for any address; only a real account gets mail', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      const ghost = uniqEmail('nobody');
      const real = await post(app, '/api/password/forgot', { email: u.email });
      const none = await post(app, '/api/password/forgot', { email: ghost });
      assertAccepted(real);
      assertAccepted(none);
      assert.equal(real.text, none.text, 'identical bodies');
      assert.equal(real.headers.get('content-type'), none.headers.get('content-type'));
      // Address normalization: the mail goes to the account's address.
      assertAccepted(await post(app, '/api/password/forgot', { email: `  ${u.email.toUpperCase()} ` }));

      const m = await mail(u.email, SUBJECT.reset);
      const link = linkIn(m, '/reset-password?token=');
      assert.ok(link.startsWith(`${srv.issuer(app)}/reset-password?token=tet_`), link);
      assert.match(m.text, /expires in 30 minutes/);
      const other = uniqEmail('sentinel');
      await signup(srv, { app, email: other });
      await assertMailCount(smtp, ghost, 0, {
        sentinel: () => post(app, '/api/password/forgot', { email: other }), sentinelTo: other, sentinelSubject: SUBJECT.reset,
      });
      assert.equal(smtp.find({ to: u.email, subject: SUBJECT.reset }).length, 2, 'both requests for the real address sent a link');
      // Malformed addresses are a 400 field error (not a hint about accounts).
      assertProblem(await post(app, '/api/password/forgot', { email: 'not-an-address' }), 400, 'validation-error', { field: 'email' });
    });

    test('reset: new password works, old fails, every refresh token dies, a notice is mailed, the link is single use', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      const s1 = await login(srv, { email: u.email }, u.password, { app });
      const s2 = await login(srv, { email: u.email }, u.password, { app });
      assertAccepted(await post(app, '/api/password/forgot', { email: u.email }));
      const token = tokenOf(linkIn(await mail(u.email, SUBJECT.reset), '/reset-password?token='));

      const fresh = `new-pass-${rand(12)}`;
      const reset = await post(app, '/api/password/reset', { token, new_password: fresh });
      assertStatus(reset, 204);
      assert.equal(reset.text, '');

      assertProblem(await post(app, '/api/login', { email: u.email, password: u.password }), 401, 'unauthorized');
      const after = await login(srv, { email: u.email }, fresh, { app });
      assert.equal(after.user.email_verified, true, 'a reset through the mailbox proves the address');
      for (const s of [s1, s2]) {
        const r = await post(app, '/api/token/refresh', { refresh_token: s.refresh_token });
        assertProblem(r, 401, 'unauthorized');
      }
      // (The old access JWTs stay valid until they expire: they are not checked against sessions.)

      const notice = await mail(u.email, SUBJECT.passwordChanged);
      assert.match(notice.text, /The password of your .+ account was changed on \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
      assert.deepEqual(notice.links, [], 'the notice carries no link');

      const second = await post(app, '/api/password/reset', { token, new_password: `other-pass-${rand(12)}` });
      const p = assertProblem(second, 409, 'conflict');
      assert.match(p.detail, /This link has already been used .*Ask for a new password reset link\./);
      await login(srv, { email: u.email }, fresh, { app });  // unchanged by the refused attempt
    });

    test('reset with a weak password: 400 field error, and the link still works afterwards', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/password/forgot', { email: u.email }));
      const token = tokenOf(linkIn(await mail(u.email, SUBJECT.reset), '/reset-password?token='));
      for (const weak of ['password', 'short']) {
        const r = await post(app, '/api/password/reset', { token, new_password: weak });
        assertProblem(r, 400, 'validation-error', { field: 'new_password' });
      }
      const fresh = `new-pass-${rand(12)}`;
      assertStatus(await post(app, '/api/password/reset', { token, new_password: fresh }), 204);
      await login(srv, { email: u.email }, fresh, { app });
    });

    test('reset with the account\'s own email as password: 400 field error, and the link still works', async () => {
      // The policy check that needs the account (not equal to the email) must not spend the link
      // either (docs/api.md: "400 new_password field error (the link stays usable)").
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/password/forgot', { email: u.email }));
      const token = tokenOf(linkIn(await mail(u.email, SUBJECT.reset), '/reset-password?token='));
      const r = await post(app, '/api/password/reset', { token, new_password: u.email });
      assertProblem(r, 400, 'validation-error', { field: 'new_password' });
      const fresh = `new-pass-${rand(12)}`;
      const retry = await post(app, '/api/password/reset', { token, new_password: fresh });
      assertStatus(retry, 204);
    });

    test('a newer reset request voids the older link', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/password/forgot', { email: u.email }));
      const older = tokenOf(linkIn(await nthMail(smtp, 1, { to: u.email, subject: SUBJECT.reset }), '/reset-password?token='));
      assertAccepted(await post(app, '/api/password/forgot', { email: u.email }));
      const newer = tokenOf(linkIn(await nthMail(smtp, 2, { to: u.email, subject: SUBJECT.reset }), '/reset-password?token='));
      assert.notEqual(older, newer);
      const r = await post(app, '/api/password/reset', { token: older, new_password: `new-pass-${rand(12)}` });
      assertProblem(r, 409, 'conflict');
      assert.match(r.body.detail, /already been used \(or a newer one was sent\)/);
      assertProblem(await post(app, '/api/password/reset', { token: 'tet_nonsense', new_password: `new-pass-${rand(12)}` }), 404, 'not-found');
      const fresh = `new-pass-${rand(12)}`;
      assertStatus(await post(app, '/api/password/reset', { token: newer, new_password: fresh }), 204);
      await login(srv, { email: u.email }, fresh, { app });
    });

  });
}
