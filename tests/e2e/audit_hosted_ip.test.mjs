// Issue 11, item 14, black-box: every audit event recorded from a hosted page carries the
// client's IP. A user does each hosted-page action (sign-in, profile, email verification and
// change, password change, consent and its revocation, a session's sign-out, a personal API
// token's revocation, forgot/reset password, sign out everywhere, logout); then the audit
// API (/api/admin/audit-events, as an operator) must show each of their events with the IP.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, assertStatus, signup, login, show, rand, uniqEmail,
} from './lib/server.mjs';
import { WebClient, htmlText, parseForms, registerClient, pkcePair } from './lib/oidc.mjs';
import { signIn as consoleSignIn } from './lib/console.mjs';
import { skipWithoutSmtp as skip, startMailStack, SUBJECT, linkIn } from './lib/mailflow.mjs';

const REDIRECT = 'https://rp.example/callback';

for (const backend of backends()) {
  describe(`audit events from the hosted pages carry the IP [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'audit-ip'));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    /** The POST form of `page` whose action path ends with `suffix`. */
    function formTo(page, suffix) {
      const f = parseForms(page.text).find((x) => x.method === 'post' &&
        new URL(x.action, page.url).pathname.endsWith(suffix));
      assert.ok(f, `no POST form to …${suffix} on ${show(page)}`);
      return f;
    }
    /** Opens a mailed link like a browser; submits its "Continue" form when it shows one. */
    async function openLink(web, link) {
      let res = await web.get(link);
      const forms = res.status === 200 ? parseForms(res.text).filter((f) => f.method === 'post') : [];
      if (forms.length === 1) res = await web.follow(await web.submit(forms[0], res.url));
      return web.follow(res);
    }
    async function accountPage(web) {
      const page = await web.get('account');
      assertStatus(page, 200);
      return page;
    }
    async function submitOnAccount(web, suffix, extra = {}) {
      const page = await accountPage(web);
      const res = await web.submit(formTo(page, suffix), page.url, extra);
      assert.ok(res.status < 400, `${suffix}: ${show(res)}`);
      return web.follow(res);
    }
    /** The audit events of `userId` (as actor or subject), read by an operator. */
    async function eventsOf(userId) {
      const email = uniqEmail('op');
      const password = `pw-${rand(16)}`;
      await srv.createUser({ app: 'console', email, password, admin: true });
      const op = await consoleSignIn(srv, email, password);
      const res = await srv.req('GET', `/api/admin/audit-events?app=${encodeURIComponent(srv.app)}&limit=200`,
        { token: op.token });
      assertStatus(res, 200);
      return res.body.events.filter((e) => e.actor_id === userId || e.subject_id === userId);
    }
    function assertAllHaveIp(events, actions) {
      const seen = new Set(events.map((e) => e.action));
      for (const a of actions) assert.ok(seen.has(a), `no ${a} event among ${[...seen].join(', ')}`);
      const without = events.filter((e) => e.ip !== '127.0.0.1');
      assert.deepEqual(without.map((e) => `${e.action} ip=${JSON.stringify(e.ip)}`), [],
        'audit events without the client IP');
    }

    test('each hosted-page action records its event with the client IP', async () => {
      const u = await signup(srv);
      const uid = u.user.id;
      const web = new WebClient(srv);
      assert.equal((await web.signIn(u.email, u.password)).status, 303);

      // Profile, email verification and change, password.
      await submitOnAccount(web, '/account/profile', { name: 'Audit Person' });
      await openLink(web, linkIn(await smtp.waitFor({ to: u.email, subject: SUBJECT.verify }), '/verify-email?token='));
      const newEmail = uniqEmail('moved');
      await submitOnAccount(web, '/account/email', { new_email: newEmail, current_password: u.password });
      await openLink(web, linkIn(await smtp.waitFor({ to: newEmail, subject: SUBJECT.changeEmail }), '/confirm-email-change?token='));
      const password = `changed-on-page-${rand(8)}`;
      await submitOnAccount(web, '/account/password', { current_password: u.password, new_password: password });

      // Consent to a third-party client, then revoke it on the account page.
      const client = await registerClient(srv, { name: `Audited ${rand(4)}`, redirectUris: [REDIRECT] });
      const { challenge } = pkcePair();
      const flow = await web.authorize({
        response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'openid profile',
        state: rand(8), code_challenge: challenge, code_challenge_method: 'S256',
      });
      assert.ok(flow.redirect && flow.seen.includes('consent'), JSON.stringify(flow.seen));
      await submitOnAccount(web, `/account/apps/${encodeURIComponent(client.client_id)}/revoke`);

      // Sign out another session from the account page.
      const other = await login(srv, { email: newEmail }, password);
      const sid = JSON.parse(Buffer.from(other.access_token.split('.')[1], 'base64url')).sid;
      await submitOnAccount(web, `/account/sessions/${sid}/revoke`);

      // Log out, then forget and reset the password on the pages.
      const logout = await web.get('logout');
      assertStatus(await web.submit(formTo(logout, '/logout'), logout.url), 200);
      const forgot = await web.get('forgot-password');
      await web.submit(formTo(forgot, '/forgot-password'), forgot.url, { email: newEmail });
      const reset = await web.get(linkIn(await smtp.waitFor({ to: newEmail, subject: SUBJECT.reset }), '/reset-password?token='));
      const resetDone = await web.submit(formTo(reset, '/reset-password'), reset.url, { new_password: `reset-on-page-${rand(8)}` });
      assert.ok(resetDone.status < 400, show(resetDone));

      assertAllHaveIp(await eventsOf(uid), ['user.login', 'user.profile_updated', 'email.verified',
        'user.email_changed', 'user.password_changed', 'oauth.consent_granted',
        'oauth.authorization_revoked', 'session.revoked', 'session.logout', 'user.password_reset']);
    });

    test('revoking an API token and signing out everywhere on the page record the IP', async () => {
      const u = await signup(srv);
      const uid = u.user.id;
      const t = await srv.api('POST', '/api/me/tokens', { token: (await login(srv, { email: u.email }, u.password)).access_token, json: { name: 'audited' } });
      assertStatus(t, 201);
      const web = new WebClient(srv);
      assert.equal((await web.signIn(u.email, u.password)).status, 303);
      await submitOnAccount(web, `/account/tokens/${t.body.id}/revoke`);
      const page = await accountPage(web);
      const out = await web.submit(formTo(page, '/account/sign-out-everywhere'), page.url);
      assertStatus(out, 200);
      assert.match(htmlText(out.text), /signed out/i);
      assertAllHaveIp(await eventsOf(uid), ['api_token.revoked', 'session.logout_all']);
    });
  });
}
