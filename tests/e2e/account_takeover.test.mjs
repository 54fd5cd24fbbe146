// Taking over an account before its owner arrives, black-box (issue 11):
// - item 4: on an app that requires verified addresses, the hosted sign-up creates the account
//   but no session (it says to check the inbox), and nothing of an unverified user can complete
//   an OAuth authorization; after the link, the user signs in;
// - item 5: someone signs up with another person's address and a password they know; when the
//   owner first proves the mailbox (sign-in link or code), that password and every session
//   and personal API token made before (refresh tokens, browser sessions) stop working, the owner is told
//   by mail, and the audit log says so.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, login, show, assertStatus, rand, uniqEmail,
} from './lib/server.mjs';
import {
  skipWithoutSmtp as skip, startMailStack, emailFlowHelpers, freshApp, SUBJECT, linkIn, tokenOf,
  codeOf,
} from './lib/mailflow.mjs';
import { WebClient } from './lib/oidc.mjs';

const REDIRECT = 'https://app.example/callback';

for (const backend of backends()) {
  describe(`taking over accounts [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    let post, mail, assertTokens;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'account-takeover'));
      ({ post, mail, assertTokens } = emailFlowHelpers(srv, smtp));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    test('hosted sign-up on an app requiring verified addresses starts no session (item 4)', async () => {
      const app = await freshApp(srv, { requireVerifiedEmail: true });
      const client = await srv.admin(['create-client', '--app', app, '--name', 'Web', '--redirect-uri', REDIRECT,
        '--grant', 'authorization_code', '--scope', 'openid', '--scope', 'email']);
      const web = new WebClient(srv, { app });
      const email = uniqEmail('new');
      const password = `pw-${rand(16)}`;
      const page = await web.get('signup');
      assert.equal(page.status, 200, show(page));
      const res = await web.submit(WebClient.formWith(page, 'email'), page.url, { email, password });
      assert.equal(res.status, 200, show(res));
      assert.match(res.text, /Check your inbox/);
      assert.equal(web.sessionCookie(), undefined, 'no session before the address is verified');
      // Nothing to authorize with: the authorization endpoint sends the browser to sign in, and
      // the sign-in says to verify first.
      const authz = await web.get(`oauth/authorize?${new URLSearchParams({
        response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'openid email',
        state: rand(8), code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGjSstw-cM', code_challenge_method: 'S256',
      })}`);
      assert.ok([302, 303].includes(authz.status), show(authz));
      assert.match(authz.headers.get('location'), /\/login\?return_to=/);
      const refused = await web.signIn(email, password);
      assert.equal(refused.status, 403, show(refused));
      assert.match(refused.text, /Verify your email address first/);
      assert.equal(web.sessionCookie(), undefined);
      // The link makes the account usable.
      const verify = tokenOf(linkIn(await mail(email, SUBJECT.verify), '/verify-email?token='));
      assertStatus(await post(app, '/api/email/verify', { token: verify }), 200);
      const ok = await web.signIn(email, password);
      assert.equal(ok.status, 303, show(ok));
      assert.ok(web.sessionCookie());
    });

    async function plantedAccount(app) {
      // The attacker signs up with the victim's address and a password of their own, and holds
      // an API session and a browser session.
      const victim = uniqEmail('victim');
      const planted = `attacker-${rand(12)}`;
      assertStatus(await post(app, '/api/signup', { email: victim, password: planted }), 201);
      const tokens = await login(srv, { email: victim }, planted, { app });
      const pat = await srv.api('POST', '/api/me/tokens', { app, token: tokens.access_token, json: { name: 'keep' } });
      assertStatus(pat, 201);
      assertStatus(await srv.api('GET', '/api/me', { app, token: pat.body.token }), 200);
      const browser = new WebClient(srv, { app });
      assert.equal((await browser.signIn(victim, planted)).status, 303);
      assert.equal((await browser.get('account')).status, 200);
      return { victim, planted, tokens, browser, pat: pat.body.token };
    }

    async function assertAttackerLockedOut(app, { victim, planted, tokens, browser, pat }) {
      assertStatus(await srv.api('GET', '/api/me', { app, token: pat }), 401);
      // (The attacker's access JWT itself lives out its minutes: revoking access tokens before
      // they expire is issue 12's "revocation that really revokes".)
      const refresh = await post(app, '/api/token/refresh', { refresh_token: tokens.refresh_token });
      assert.ok([400, 401].includes(refresh.status), show(refresh));
      assertStatus(await srv.api('POST', '/api/login', { app, json: { login: victim, password: planted } }), 401);
      const account = await browser.get('account');
      assert.equal(account.status, 303, show(account));
      assert.match(account.headers.get('location'), /\/login/);
      const notice = await mail(victim, /^We secured your .+ account$/);
      assert.match(notice.text, /we removed the password chosen before your confirmation/);
      assert.ok(notice.links.some((l) => l.endsWith('/forgot-password')), notice.text);
      const events = await srv.adminLines(['audit', '--app', app, '--action', 'user.account_secured']);
      assert.equal(events.length, 1, JSON.stringify(events));
      assert.equal(events[0].details.password_cleared, true);
      assert.ok(events[0].details.sessions_revoked >= 2, JSON.stringify(events[0]));
      assert.equal(events[0].details.api_tokens_revoked, 1, JSON.stringify(events[0]));
    }

    test('a sign-in link to the real owner voids the planted password and sessions (item 5)', async () => {
      const app = await freshApp(srv);
      const a = await plantedAccount(app);
      assertStatus(await post(app, '/api/magic-link', { email: a.victim }), 202);
      const token = tokenOf(linkIn(await mail(a.victim, SUBJECT.magic), '/magic-link/continue?token='));
      const grant = assertTokens(await post(app, '/api/magic-link/verify', { token }), a.victim);
      await assertAttackerLockedOut(app, a);
      // The owner's own new session is the one that lives.
      assertStatus(await srv.api('GET', '/api/me', { app, token: grant.access_token }), 200);
    });

    test('a sign-in code does the same, and a verified account is left alone (item 5)', async () => {
      const app = await freshApp(srv, { emailCodeLogin: true });
      const a = await plantedAccount(app);
      assertStatus(await post(app, '/api/email-code', { email: a.victim }), 202);
      const code = codeOf(await mail(a.victim, SUBJECT.code));
      assertTokens(await post(app, '/api/email-code/verify', { email: a.victim, code }), a.victim);
      await assertAttackerLockedOut(app, a);
      // A second proof undoes nothing: the owner's session and a password chosen now stay.
      const fresh = `owner-${rand(12)}`;
      assertStatus(await post(app, '/api/password/forgot', { email: a.victim }), 202);
      const reset = tokenOf(linkIn(await mail(a.victim, SUBJECT.reset), 'token='));
      assertStatus(await post(app, '/api/password/reset', { token: reset, new_password: fresh }), 204);
      const owner = await login(srv, { email: a.victim }, fresh, { app });
      assertStatus(await post(app, '/api/email-code', { email: a.victim }), 202);
      const again = codeOf(await smtp.waitForCount(2, { to: a.victim, subject: SUBJECT.code }).then((m) => m[1]));
      assertTokens(await post(app, '/api/email-code/verify', { email: a.victim, code: again }), a.victim);
      assertStatus(await srv.api('GET', '/api/me', { app, token: owner.access_token }), 200);
      await login(srv, { email: a.victim }, fresh, { app });
    });
  });
}
