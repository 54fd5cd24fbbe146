// Signing in by mail and changing the address on the JSON API, end to end against a real SMTP
// server (Debian's aiosmtpd,
// lib/smtp.mjs): every test reads the mail Tessera really sent, takes the link's token or the
// code from it, and finishes the flow (server, SMTP and helpers: lib/mailflow.mjs).
// - magic link: tokens, single use, newer voids older, signup on first use (or no mail when
//   the app is closed), redirect_uri allowed or not;
// - email code: tokens, wrong code 401, 5 wrong guesses spend it, disabled per app;
// - email change: password check, link to the new address, notice to the old, sign-in moves;
// - mail safety: HTML metacharacters of an app name and an address are escaped in the html part.
// Not testable here: expiry (no clock control in a black-box test; the TTLs are unit-tested).
// Each test runs in an app of its own (own settings, own rate-limit counters).
// Verification and password reset: email_flows_verify.test.mjs.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, login, uniqEmail, rand, assertStatus, assertProblem,
  assertUserShape,
} from './lib/server.mjs';
import {
  skipWithoutSmtp as skip, startMailStack, emailFlowHelpers, freshApp, SUBJECT, linkIn, tokenOf,
  codeOf, otherCode, nthMail, assertMailCount,
} from './lib/mailflow.mjs';

for (const backend of backends()) {
  describe(`email flows on the API [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    let api, post, mail, assertAccepted, assertTokens, signedUp;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'email-flows-signin'));
      ({ api, post, mail, assertAccepted, assertTokens, signedUp } = emailFlowHelpers(srv, smtp));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
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
