// The email flows on the JSON API, end to end against a real SMTP server (Debian's aiosmtpd,
// lib/smtp.mjs): every test reads the mail Tessera really sent, takes the link's token or the
// code from it, and finishes the flow.
// - verification: the mail after signup, verifying (twice), a bad link, "already verified",
//   the per-address mail limit (429 + Retry-After), require_verified_email on login;
// - password reset: the same answer for every address (mail only to a real account), reset,
//   old password and refresh tokens dead, notice mail, single use, the policy (link kept), a
//   newer link voiding the older;
// - magic link: tokens, single use, newer voids older, signup on first use (or no mail when
//   the app is closed), redirect_uri allowed or not;
// - email code: tokens, wrong code 401, 5 wrong guesses spend it, disabled per app;
// - email change: password check, link to the new address, notice to the old, sign-in moves;
// - mail safety: HTML metacharacters of an app name and an address are escaped in the html part.
// Not testable here: expiry (no clock control in a black-box test; the TTLs are unit-tested).
// Each test runs in an app of its own (own settings, own rate-limit counters).
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, show, signup, uniqEmail, rand,
  assertStatus, assertProblem, assertUserShape, login,
} from './lib/server.mjs';
import {
  skipWithoutSmtp as skip, startMailStack, freshApp, SUBJECT, linkIn, tokenOf, codeOf,
  otherCode, nthMail, assertMailCount,
} from './lib/mailflow.mjs';

const ACCEPTED = { status: 'accepted', detail: 'If the address can receive it, a message is on its way.' };

for (const backend of backends()) {
  describe(`email flows on the API [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'email-flows'));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    const api = (app, method, path, opts = {}) => srv.api(method, path, { ...opts, app });
    const post = (app, path, json, opts = {}) => api(app, 'POST', path, { json, ...opts });
    const mail = (to, subject, timeoutMs) => smtp.waitFor({ to, subject }, timeoutMs);

    function assertAccepted(res) {
      assertStatus(res, 202);
      assert.deepEqual(res.body, ACCEPTED, show(res));
    }

    function assertTokens(res, email) {
      assertStatus(res, 200);
      const b = res.body;
      assert.equal(b.token_type, 'Bearer', show(res));
      assert.equal(typeof b.access_token, 'string', show(res));
      assert.equal(b.access_token.split('.').length, 3, 'the access token is a JWT');
      assert.match(b.refresh_token, /^tsr_/, show(res));
      assert.ok(b.expires_in > 0, show(res));
      assertUserShape(b.user, { email, ctx: 'token response' });
      assert.equal(b.user.email_verified, true, 'signing in through the mailbox proves the address');
      return b;
    }

    /** A signed-up user whose verification mail has arrived: {email, password, user, verifyToken}. */
    async function signedUp(app, opts = {}) {
      const u = await signup(srv, { app, ...opts });
      const m = await mail(u.email, SUBJECT.verify);
      return { ...u, verifyToken: tokenOf(linkIn(m, '/verify-email?token=')) };
    }

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
      assert.match(m.text, /expires in 1440 minutes/);
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

    // ---------------------------------------------------------------- magic link
    test('magic link for an existing user: tokens (email now verified), single use', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/magic-link', { email: u.email }));
      const m = await mail(u.email, SUBJECT.magic);
      const link = linkIn(m, '/magic-link/continue?token=');
      assert.ok(link.startsWith(`${srv.issuer(app)}/magic-link/continue?token=tet_`), link);
      assert.match(m.text, /expires in 15 minutes/);
      const token = tokenOf(link);

      const res = await post(app, '/api/magic-link/verify', { token });
      const grant = assertTokens(res, u.email);
      assert.equal(grant.user.id, u.user.id);
      const me = await api(app, 'GET', '/api/me', { token: grant.access_token });
      assertStatus(me, 200);
      assert.equal(me.body.email, u.email);
      assertStatus(await post(app, '/api/token/refresh', { refresh_token: grant.refresh_token }), 200);

      const reuse = await post(app, '/api/magic-link/verify', { token });
      assertProblem(reuse, 409, 'conflict');
      assert.match(reuse.body.detail, /already been used.*Ask for a new sign-in link\./);
      assertProblem(await post(app, '/api/magic-link/verify', { token: 'tet_' + 'B'.repeat(43) }), 404, 'not-found');
    });

    test('a link is single use under concurrent clicks too: exactly one of 10 wins', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/magic-link', { email: u.email }));
      const token = tokenOf(linkIn(await mail(u.email, SUBJECT.magic), 'token='));
      const results = await Promise.all(Array.from({ length: 10 }, () => post(app, '/api/magic-link/verify', { token })));
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, ...Array(9).fill(409)], results.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n'));
      assertAccepted(await post(app, '/api/password/forgot', { email: u.email }));
      const reset = tokenOf(linkIn(await mail(u.email, SUBJECT.reset), 'token='));
      const resets = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        post(app, '/api/password/reset', { token: reset, new_password: `concurrent-pass-${i}-${rand(8)}` })));
      assert.deepEqual(resets.map((r) => r.status).sort(), [204, 409, 409, 409, 409, 409]);
    });

    test('a newer magic link voids the older one', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/magic-link', { email: u.email }));
      const older = tokenOf(linkIn(await nthMail(smtp, 1, { to: u.email, subject: SUBJECT.magic }), 'token='));
      assertAccepted(await post(app, '/api/magic-link', { email: u.email }));
      const newer = tokenOf(linkIn(await nthMail(smtp, 2, { to: u.email, subject: SUBJECT.magic }), 'token='));
      assertProblem(await post(app, '/api/magic-link/verify', { token: older }), 409, 'conflict');
      assertTokens(await post(app, '/api/magic-link/verify', { token: newer }), u.email);
    });

    test('magic link for a new address creates the account on first use (allow_signup)', async () => {
      const app = await freshApp(srv, { allowSignup: true });
      const email = uniqEmail('newbie');
      assertAccepted(await post(app, '/api/magic-link', { email }));
      const token = tokenOf(linkIn(await mail(email, SUBJECT.magic), 'token='));
      const grant = assertTokens(await post(app, '/api/magic-link/verify', { token }), email);
      // A real account now: its address is taken, and a second link signs into the same user.
      const dup = await post(app, '/api/signup', { email, password: `pw-${rand(16)}` });
      assertProblem(dup, 409, undefined);
      assertAccepted(await post(app, '/api/magic-link', { email }));
      const token2 = tokenOf(linkIn(await nthMail(smtp, 2, { to: email, subject: SUBJECT.magic }), 'token='));
      const again = assertTokens(await post(app, '/api/magic-link/verify', { token: token2 }), email);
      assert.equal(again.user.id, grant.user.id);
    });

    test('with allow_signup=false an unknown address gets no mail, and the same 202', async () => {
      const app = await freshApp(srv, { allowSignup: false });
      const known = uniqEmail('known');
      await srv.createUser({ app, email: known, password: `pw-${rand(16)}` });
      const ghost = uniqEmail('stranger');
      const a = await post(app, '/api/magic-link', { email: known });
      const b = await post(app, '/api/magic-link', { email: ghost });
      const c = await post(app, '/api/email-code', { email: ghost });
      for (const r of [a, b, c]) assertAccepted(r);
      assert.equal(a.text, b.text);
      await mail(known, SUBJECT.magic);
      await assertMailCount(smtp, ghost, 0, {
        sentinel: () => post(app, '/api/email-code', { email: known }), sentinelTo: known, sentinelSubject: SUBJECT.code,
      });
    });

    test('magic link redirect_uri: not in the app\'s list → 400; in it → the mailed link goes there with token=', async () => {
      const target = 'https://app.example.test/auth/magic';
      const withQuery = 'https://app.example.test/cb?lang=en';
      const app = await freshApp(srv, { redirectUris: [target, withQuery] });
      const u = await signedUp(app);
      for (const bad of ['https://evil.example/auth/magic', `${target}/`, `${target}?x=1`, 'javascript:alert(1)']) {
        const r = await post(app, '/api/magic-link', { email: u.email, redirect_uri: bad });
        assertProblem(r, 400, 'validation-error', { field: 'redirect_uri' });
      }
      assertAccepted(await post(app, '/api/magic-link', { email: u.email, redirect_uri: target }));
      const m = await nthMail(smtp, 1, { to: u.email, subject: SUBJECT.magic });
      const link = linkIn(m, 'token=');
      assert.ok(link.startsWith(`${target}?token=tet_`), link);
      assert.ok(m.html.includes(`href="${link}"`), 'the html button links there too');
      assertTokens(await post(app, '/api/magic-link/verify', { token: tokenOf(link) }), u.email);

      assertAccepted(await post(app, '/api/magic-link', { email: u.email, redirect_uri: withQuery }));
      const m2 = await nthMail(smtp, 2, { to: u.email, subject: SUBJECT.magic });
      const link2 = linkIn(m2, 'token=');
      assert.ok(link2.startsWith(`${withQuery}&token=tet_`), link2);
      assert.ok(m2.html.includes(`href="${link2.replace(/&/g, '&amp;')}"`), 'the & is escaped in the html attribute');
      assertTokens(await post(app, '/api/magic-link/verify', { token: tokenOf(link2) }), u.email);
      // The refused requests sent nothing.
      assert.equal(smtp.find({ to: u.email, subject: SUBJECT.magic }).length, 2);
    });

    // ---------------------------------------------------------------- email code
    test('email code: a wrong code is 401, the mailed code signs in once', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/email-code', { email: u.email }));
      const m = await mail(u.email, SUBJECT.code);
      const code = codeOf(m);
      assert.match(m.text, /expires in 10 minutes/);
      assert.deepEqual(m.links, [], 'a code mail has no link to click');
      assert.ok(m.html.includes(code));

      const wrong = await post(app, '/api/email-code/verify', { email: u.email, code: otherCode(code) });
      const p = assertProblem(wrong, 401, 'unauthorized');
      assert.match(p.detail, /That code is not right/);
      assertProblem(await post(app, '/api/email-code/verify', { email: u.email, code: 'abcdef' }), 401, 'unauthorized');
      const grant = assertTokens(await post(app, '/api/email-code/verify', { email: u.email.toUpperCase(), code }), u.email);
      assert.equal(grant.user.id, u.user.id);
      const reuse = await post(app, '/api/email-code/verify', { email: u.email, code });
      assertProblem(reuse, 409, 'conflict');
      assert.match(reuse.body.detail, /This code can no longer be used\. Ask for a new one\./);
    });

    test('email code: after 5 wrong guesses even the right code fails', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      assertAccepted(await post(app, '/api/email-code', { email: u.email }));
      const code = codeOf(await mail(u.email, SUBJECT.code));
      const statuses = [];
      for (let i = 1; i <= 5; i++) {
        statuses.push((await post(app, '/api/email-code/verify', { email: u.email, code: otherCode(code, i) })).status);
      }
      // The 5th wrong guess spends the code: from then on "no live code" (409).
      assert.deepEqual(statuses, [401, 401, 401, 401, 409]);
      const right = await post(app, '/api/email-code/verify', { email: u.email, code });
      assertProblem(right, 409, 'conflict');
      // A new code works again.
      assertAccepted(await post(app, '/api/email-code', { email: u.email }));
      const code2 = codeOf(await nthMail(smtp, 2, { to: u.email, subject: SUBJECT.code }));
      assertTokens(await post(app, '/api/email-code/verify', { email: u.email, code: code2 }), u.email);
    });

    test('email code for a new address creates the account (allow_signup)', async () => {
      const app = await freshApp(srv);
      const email = uniqEmail('codenew');
      assertAccepted(await post(app, '/api/email-code', { email }));
      const code = codeOf(await mail(email, SUBJECT.code));
      assertTokens(await post(app, '/api/email-code/verify', { email, code }), email);
    });

    test('email codes disabled for the app: 403, no mail', async () => {
      const app = await freshApp(srv, { emailCodeLogin: false });
      const u = await signedUp(app);
      const r = await post(app, '/api/email-code', { email: u.email });
      const p = assertProblem(r, 403, 'forbidden');
      assert.match(p.detail, /sign-in codes are not enabled/);
      const sentinel = uniqEmail('sentinel');
      await assertMailCount(smtp, u.email, 1 /* its verification mail */, {
        sentinel: () => post(app, '/api/magic-link', { email: sentinel }), sentinelTo: sentinel, sentinelSubject: SUBJECT.magic,
      });
      // The hosted form does not offer the code button either.
      const page = await srv.req('GET', `/apps/${app}/magic-link`);
      assertStatus(page, 200);
      assert.ok(!page.text.includes('value="code"'), 'no "Email me a code" button');
    });

    // ---------------------------------------------------------------- email change
    test('email change: password checked, link to the new address, notice to the old, sign-in moves', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      const { access_token: at } = await login(srv, { email: u.email }, u.password, { app });
      const newEmail = uniqEmail('moved');

      const wrong = await post(app, '/api/me/email', { new_email: newEmail, current_password: 'not my password' }, { token: at });
      assertProblem(wrong, 400, 'validation-error', { field: 'current_password' });
      assertProblem(await post(app, '/api/me/email', { new_email: 'nope', current_password: u.password }, { token: at }),
        400, 'validation-error', { field: 'new_email' });
      assertProblem(await post(app, '/api/me/email', { new_email: newEmail, current_password: u.password }), 401, 'unauthorized');

      assertAccepted(await post(app, '/api/me/email', { new_email: newEmail, current_password: u.password }, { token: at }));
      const m = await mail(newEmail, SUBJECT.changeEmail);
      assert.deepEqual(m.envelopeTo, [newEmail]);
      assert.ok(m.text.includes(newEmail));
      const link = linkIn(m, '/confirm-email-change?token=');
      assert.ok(link.startsWith(`${srv.issuer(app)}/confirm-email-change?token=tet_`), link);
      // Nothing changes before the confirmation.
      assert.equal((await api(app, 'GET', '/api/me', { token: at })).body.email, u.email);

      const ok = await post(app, '/api/email/change/confirm', { token: tokenOf(link) });
      assertStatus(ok, 200);
      assertUserShape(ok.body, { email: newEmail });
      assert.equal(ok.body.email_verified, true);
      assert.equal(ok.body.id, u.user.id);

      const notice = await mail(u.email, SUBJECT.emailChanged);
      assert.ok(notice.text.includes(newEmail), notice.text);
      assert.deepEqual(notice.envelopeTo, [u.email]);

      await login(srv, { email: newEmail }, u.password, { app });
      assertProblem(await post(app, '/api/login', { email: u.email, password: u.password }), 401, 'unauthorized');
      assertProblem(await post(app, '/api/email/change/confirm', { token: tokenOf(link) }), 409, 'conflict');
      // The old address's reset requests reach nobody now.
      assertAccepted(await post(app, '/api/password/forgot', { email: u.email }));
      await assertMailCount(smtp, u.email, 2 /* verification + notice */, {
        sentinel: () => post(app, '/api/password/forgot', { email: newEmail }), sentinelTo: newEmail, sentinelSubject: SUBJECT.reset,
      });
    });

    test('email change to an address in use: the same 202, and no mail to it', async () => {
      const app = await freshApp(srv);
      const a = await signedUp(app);
      const b = await signedUp(app);
      const { access_token: at } = await login(srv, { email: a.email }, a.password, { app });
      assertAccepted(await post(app, '/api/me/email', { new_email: b.email, current_password: a.password }, { token: at }));
      const sentinel = uniqEmail('sentinel');
      await assertMailCount(smtp, b.email, 1 /* its verification mail */, {
        sentinel: () => post(app, '/api/me/email', { new_email: sentinel, current_password: a.password }, { token: at }),
        sentinelTo: sentinel, sentinelSubject: SUBJECT.changeEmail,
      });
    });

    // ---------------------------------------------------------------- mail safety
    test('HTML metacharacters of an app name and an address are escaped in the html part only', async () => {
      const name = `<b>Evil & Co</b> "q" 'a'`;
      const app = await freshApp(srv, {}, { name });
      const u = await signedUp(app);
      const m = await mail(u.email, SUBJECT.verify);
      assert.equal(m.subject, `Confirm your email address for ${name}`);
      assert.ok(m.text.includes(name), 'the text part shows the name as is');
      assert.ok(m.html.includes('&lt;b&gt;Evil &amp; Co&lt;/b&gt;'), m.html);
      assert.ok(!m.html.includes('<b>Evil'), 'no raw markup of the name in the html part');
      assert.ok(!m.html.includes('"q"') && !m.html.includes("'a'"), 'quotes escaped');
      assert.ok(m.html.includes('&quot;q&quot;'), m.html);
      assert.match(m.html, /<title>&lt;b&gt;Evil &amp; Co&lt;\/b&gt;/);

      // An address with & and ' (valid in a local part) in the change-email mail.
      const { access_token: at } = await login(srv, { email: u.email }, u.password, { app });
      const odd = `o'brien&co-${rand(8)}@example.com`;
      assertAccepted(await post(app, '/api/me/email', { new_email: odd, current_password: u.password }, { token: at }));
      const c = await mail(odd, SUBJECT.changeEmail);
      assert.deepEqual(c.envelopeTo, [odd]);
      assert.ok(c.text.includes(odd), c.text);
      const local = odd.split('@')[0];
      assert.ok(!c.html.includes(local), 'the raw address is not in the html part');
      assert.ok(c.html.includes(local.replace('&', '&amp;').replace("'", '&apos;')) ||
        c.html.includes(local.replace('&', '&amp;').replace("'", '&#39;')), c.html);
      assertStatus(await post(app, '/api/email/change/confirm', { token: tokenOf(linkIn(c, 'token=')) }), 200);
    });
  });
}
