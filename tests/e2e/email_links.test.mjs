// Issue 11, items 6 and 13, black-box against the real binary and a real SMTP server:
// - item 13: the links of the verification and email-change mails change nothing on GET (a
//   mail scanner opens links): the page is the magic link's "Continue" form, and only its
//   POST (CSRF double-submit, no session needed) uses the token;
// - item 6: the reset form checks the APP's password policy before spending the link; a reset
//   link is bound to the address it was mailed to; an email change from the console voids the
//   links mailed to the old address and ends every session (refresh tokens included).
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, show, signup, uniqEmail, rand, assertStatus, assertProblem, login,
} from './lib/server.mjs';
import { WebClient, htmlText, parseForms } from './lib/oidc.mjs';
import { skipWithoutSmtp as skip, startMailStack, freshApp, SUBJECT, linkIn, tokenOf, nthMail } from './lib/mailflow.mjs';
import { developer } from './lib/console.mjs';

const CANT_USE = 'This link can’t be used';

for (const backend of backends()) {
  describe(`email links [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'email-links'));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    const mail = (to, subject) => smtp.waitFor({ to, subject });
    const text = (res) => htmlText(res.text);
    const post = (app, path, json, opts = {}) => srv.api('POST', path, { app, json, ...opts });

    function assertPage(res, status, ...strings) {
      assert.equal(res.status, status, show(res));
      for (const s of strings) assert.ok(text(res).includes(s), `"${s}" not on the page: ${text(res).slice(0, 600)}`);
    }

    /** The Continue form of a link's page: a POST to `page` carrying the token and a CSRF token. */
    function continueForm(res, app, page, token) {
      const path = new URL(`${srv.issuer(app)}/${page}`).pathname;
      const f = parseForms(res.text).find((x) => new URL(x.action, res.url).pathname === path && x.method === 'post');
      assert.ok(f, `no POST form to ${path}: ${show(res)}`);
      assert.equal(f.fields.token, token);
      assert.ok(f.fields.csrf_token, 'the form carries a csrf_token');
      assert.ok(f.buttons.some((b) => b.text === 'Continue'), 'a Continue button');
      return f;
    }

    /** An app made by a developer through the console API, with `settings`: {slug, dev}. */
    async function consoleApp(settings) {
      const dev = await developer(srv, 'links');
      const slug = `links-${rand(10)}`;
      assertStatus(await srv.req('POST', '/api/console/apps', { token: dev.token, json: { slug, name: `Links ${slug}` } }), 201);
      if (settings) assertStatus(await srv.req('PATCH', `/api/console/apps/${slug}`, { token: dev.token, json: { settings } }), 200);
      return { slug, dev };
    }

    test('item 13: GET /verify-email (twice) shows Continue and verifies nothing; the POST verifies', async () => {
      const app = await freshApp(srv);
      const u = await signup(srv, { app });
      const link = linkIn(await mail(u.email, SUBJECT.verify), '/verify-email?token=');
      const token = tokenOf(link);
      const reader = new WebClient(srv, { app });
      let page;
      for (let i = 0; i < 2; i++) {
        page = await reader.get(link);
        assertPage(page, 200, 'Confirm your email address', 'Nothing changes until you continue.');
        continueForm(page, app, 'verify-email', token);
      }
      const me = async () => (await srv.api('GET', '/api/me', { app, token: (await login(srv, u.email, u.password, { app })).access_token })).body;
      assert.equal((await me()).email_verified, false, 'two GETs verified nothing');
      const done = await reader.submit(continueForm(page, app, 'verify-email', token), page.url);
      assertPage(done, 200, 'Your email is verified', `Thank you: ${u.email} is confirmed.`);
      assert.equal((await me()).email_verified, true);
      // Without the CSRF token the POST is refused.
      assert.equal((await new WebClient(srv, { app }).post('verify-email', { token })).status, 403);
    });

    test('item 13: GET /confirm-email-change (twice) changes nothing; the POST changes the address', async () => {
      const app = await freshApp(srv);
      const u = await signup(srv, { app });
      const at = (await login(srv, u.email, u.password, { app })).access_token;
      const newEmail = uniqEmail('links-new');
      assertStatus(await post(app, '/api/me/email', { new_email: newEmail, current_password: u.password }, { token: at }), 202);
      const link = linkIn(await mail(newEmail, SUBJECT.changeEmail), '/confirm-email-change?token=');
      const reader = new WebClient(srv, { app });
      let page;
      for (let i = 0; i < 2; i++) {
        page = await reader.get(link);
        assertPage(page, 200, 'Confirm your new email address');
        continueForm(page, app, 'confirm-email-change', tokenOf(link));
      }
      await login(srv, u.email, u.password, { app });  // still the old address
      const done = await reader.submit(continueForm(page, app, 'confirm-email-change', tokenOf(link)), page.url);
      assertPage(done, 200, 'Your email address was changed', `You now sign in with ${newEmail}.`);
      await login(srv, newEmail, u.password, { app });
      const again = await reader.submit(continueForm(page, app, 'confirm-email-change', tokenOf(link)), page.url);
      assertPage(again, 400, CANT_USE);
    });

    test('item 6: a password the APP refuses (min 14) does not spend the reset link', async () => {
      const { slug: app } = await consoleApp({ password_min_length: 14 });
      const u = await signup(srv, { app, password: `pw-${rand(16)}` });
      assertStatus(await post(app, '/api/password/forgot', { email: u.email }), 202);
      const link = linkIn(await mail(u.email, SUBJECT.reset), '/reset-password?token=');
      const web = new WebClient(srv, { app });
      const page = await web.get(link);
      const form = WebClient.formWith(page, 'new_password');
      const refused = await web.submit(form, page.url, { new_password: 'twelve-chars' });
      assertPage(refused, 400, 'The new password');
      const ok = await web.submit(WebClient.formWith(refused, 'new_password'), refused.url, { new_password: 'fourteen-chars' });
      assertPage(ok, 200, 'Your password was changed');
      await login(srv, u.email, 'fourteen-chars', { app });
    });

    test('item 6: a reset link is void once the address changed (self-service change)', async () => {
      const app = await freshApp(srv);
      const u = await signup(srv, { app });
      assertStatus(await post(app, '/api/password/forgot', { email: u.email }), 202);
      const reset = tokenOf(linkIn(await mail(u.email, SUBJECT.reset), 'token='));
      const at = (await login(srv, u.email, u.password, { app })).access_token;
      const newEmail = uniqEmail('links-moved');
      assertStatus(await post(app, '/api/me/email', { new_email: newEmail, current_password: u.password }, { token: at }), 202);
      const change = tokenOf(linkIn(await mail(newEmail, SUBJECT.changeEmail), 'token='));
      assertStatus(await post(app, '/api/email/change/confirm', { token: change }), 200);
      const res = await post(app, '/api/password/reset', { token: reset, new_password: `hijack-${rand(12)}` });
      assert.ok(res.status === 404 || res.status === 409, `the old address's link is void: ${show(res)}`);
      await login(srv, newEmail, u.password, { app });  // the password did not change
    });

    test('item 6: an email change from the console voids the links and ends every session', async () => {
      const { slug: app, dev } = await consoleApp();
      const u = await signup(srv, { app });
      const tokens = await login(srv, u.email, u.password, { app });
      const web = new WebClient(srv, { app });
      assert.equal((await web.signIn(u.email, u.password)).status, 303);
      assertStatus(await post(app, '/api/password/forgot', { email: u.email }), 202);
      const reset = tokenOf(linkIn(await mail(u.email, SUBJECT.reset), 'token='));

      const newEmail = uniqEmail('links-admin');
      const patched = await srv.req('PATCH', `/api/console/apps/${app}/users/${u.user.id}`, { token: dev.token, json: { email: newEmail } });
      assertStatus(patched, 200);
      assertProblem(await post(app, '/api/token/refresh', { refresh_token: tokens.refresh_token }), 401, 'unauthorized');
      assert.equal((await web.get('account')).status, 303, 'the browser session ended too');
      const res = await post(app, '/api/password/reset', { token: reset, new_password: `hijack-${rand(12)}` });
      assert.ok(res.status === 404 || res.status === 409, `the link mailed to the old address is void: ${show(res)}`);
      await login(srv, newEmail, u.password, { app });
    });
  });
}
