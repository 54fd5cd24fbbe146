// Guessing through a signed-in account, and telling addresses apart, black-box (issue 11):
// - item 2: the current password that confirms a change (me/password, me/email and the
//   account page's two forms) spends the account's sign-in budget: a stolen access token
//   buys no more guesses than the sign-in page, and the sign-in shares the count;
// - item 9: me/email spends the mail limit before looking whether the new address is taken
//   (same answers for a registered and an unknown address), and email-code/verify answers the
//   same for an account, an unknown address and a disabled account on an app closed to sign-up.
// Each server here has its own small limits; each test its own app.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, login, show, assertStatus, assertProblem, rand,
  uniqEmail,
} from './lib/server.mjs';
import {
  skipWithoutSmtp as skip, startMailStack, emailFlowHelpers, freshApp, SUBJECT,
} from './lib/mailflow.mjs';
import { WebClient } from './lib/oidc.mjs';

for (const backend of backends()) {
  describe(`guessing through an account [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    let post, mail, signedUp;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'account-guessing', {
        args: ['--login-max-failures-per-account', '3', '--login-max-failures-per-ip', '100'],
      }));
      ({ post, mail, signedUp } = emailFlowHelpers(srv, smtp));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    test('wrong current passwords spend the sign-in budget: API, account page, then sign-in', async () => {
      const app = await freshApp(srv);
      const u = await signedUp(app);
      const { access_token: at } = await login(srv, { email: u.email }, u.password, { app });
      const web = new WebClient(srv, { app });
      assert.equal((await web.signIn(u.email, u.password)).status, 303);
      const account = await web.get('account');
      assert.equal(account.status, 200, show(account));

      // Two wrong guesses on the API (password change, then address change) ...
      const wrong1 = await post(app, '/api/me/password',
        { current_password: 'not it at all', new_password: `new-pass-${rand(12)}` }, { token: at });
      assertProblem(wrong1, 400, 'validation-error', { field: 'current_password' });
      const wrong2 = await post(app, '/api/me/email',
        { new_email: uniqEmail('moved'), current_password: 'not it either' }, { token: at });
      assertProblem(wrong2, 400, 'validation-error', { field: 'current_password' });
      // ... and one on the account page spend the budget of 3.
      const pwForm = WebClient.formWith(account, 'new_password');
      const wrong3 = await web.submit(pwForm, account.url,
        { current_password: 'still not it', new_password: `new-pass-${rand(12)}` });
      assert.equal(wrong3.status, 400, show(wrong3));

      // Now even the right password is refused, everywhere, until the window ends.
      const refused = await post(app, '/api/me/password',
        { current_password: u.password, new_password: `new-pass-${rand(12)}` }, { token: at });
      assertProblem(refused, 429, 'rate-limited', { field: 'current_password' });
      assert.ok(Number(refused.headers.get('retry-after')) > 0, show(refused));
      assert.match(refused.body.detail, /Too many wrong passwords\. Try again in \d+ minutes?\./);
      assertProblem(await post(app, '/api/me/email',
        { new_email: uniqEmail('moved'), current_password: u.password }, { token: at }), 429, 'rate-limited');
      const page = await web.submit(pwForm, account.url,
        { current_password: u.password, new_password: `new-pass-${rand(12)}` });
      assert.equal(page.status, 429, show(page));
      assert.match(page.text, /Too many wrong passwords\. Try again in \d+ minutes?\./);
      assert.ok(Number(page.headers.get('retry-after')) > 0);
      const emailForm = WebClient.formWith(account, 'new_email');
      const moved = await web.follow(await web.submit(emailForm, account.url,
        { new_email: uniqEmail('moved'), current_password: u.password }));
      assert.match(moved.text, /Too many wrong passwords\. Try again later\./, show(moved));
      // The sign-in shares the budget: the password guessed through the token is not worth a
      // fresh round of guesses on the sign-in page.
      assertStatus(await srv.api('POST', '/api/login', { app, json: { login: u.email, password: u.password } }), 429);
      // Nothing changed: the old password is still the one (checked after the budget's test).
      const me = await srv.api('GET', '/api/me', { app, token: at });
      assert.equal(me.body.email, u.email);
    });

    test('me/email answers the same for a registered and an unknown new address (item 9)', async () => {
      const app = await freshApp(srv);
      const a = await signedUp(app);
      // A registered address that no mail has been sent to (made by the app itself), so its
      // mail budget starts where an unknown address's does.
      const b = { email: uniqEmail('taken') };
      await srv.createUser({ app, email: b.email, password: `pw-${rand(16)}` });
      const { access_token: at } = await login(srv, { email: a.email }, a.password, { app });
      const statuses = async (target) => {
        const out = [];
        for (let i = 0; i < 7; i++) {
          out.push((await post(app, '/api/me/email', { new_email: target, current_password: a.password },
            { token: at })).status);
        }
        return out;
      };
      const registered = await statuses(b.email);
      const unknown = await statuses(uniqEmail('nobody'));
      assert.deepEqual(registered, unknown, `registered ${registered} vs unknown ${unknown}`);
      assert.deepEqual(unknown, [202, 202, 202, 202, 202, 429, 429]);
    });

    test('email-code/verify answers the same for an account, an unknown and a disabled address (item 9)', async () => {
      const app = await freshApp(srv, { allowSignup: false, emailCodeLogin: true });
      const key = await srv.admin(['create-api-key', '--app', app, '--name', `k-${rand(6)}`]);
      const sapi = (method, path, json) => srv.api(method, `/api${path}`, { app, token: key.key, json });
      const made = async (email) => {
        const r = await sapi('POST', '/users', { email, password: `pw-${rand(16)}`, email_verified: true });
        assertStatus(r, 201);
        return r.body.user;
      };
      const real = uniqEmail('real');
      await made(real);
      const disabled = uniqEmail('off');
      const off = await made(disabled);
      assertStatus(await sapi('PATCH', `/users/${off.id}`, { disabled: true }), 200);
      const unknown = uniqEmail('ghost');

      const answers = {};
      for (const email of [real, unknown, disabled]) {
        assertStatus(await post(app, '/api/email-code', { email }), 202);
        answers[email] = [];
        for (let i = 0; i < 6; i++) {
          const r = await post(app, '/api/email-code/verify', { email, code: String(100000 + i) });
          answers[email].push(`${r.status} ${r.body?.detail}`);
        }
      }
      // The account really got a code (the others got none): same answers all the same.
      await mail(real, SUBJECT.code);
      assert.deepEqual(answers[unknown], answers[real], JSON.stringify(answers, null, 1));
      assert.deepEqual(answers[disabled], answers[real], JSON.stringify(answers, null, 1));
      assert.match(answers[real][0], /^401 /);
      assert.match(answers[real][5], /^409 /, 'five wrong guesses spend a code');
    });
  });
}
