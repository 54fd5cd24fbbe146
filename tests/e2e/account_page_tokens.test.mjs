// Issue 11, item 3, black-box on the hosted account page ({issuer}/account):
// - it lists the user's personal API tokens (name, created, last used, prefix — never the
//   secret), each with a CSRF-protected Revoke button;
// - "Sign out everywhere" says before the click what it will do ("Also revoke my N personal API
//   tokens", checked by default) and after it what it did; unchecked, the tokens are kept;
// - the password form revokes them too (checkbox, checked by default).
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, newSession, show, rand,
} from './lib/server.mjs';
import { WebClient, htmlText, parseForms } from './lib/oidc.mjs';

for (const backend of backends()) {
  describe(`account page: personal API tokens [${backend}]`, () => {
    let srv;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `account-tokens-${backend}` });
    });
    after(() => srv?.close());

    async function newApiToken(at, name = `t-${rand(4)}`) {
      const res = await srv.api('POST', '/api/me/tokens', { token: at, json: { name } });
      assertStatus(res, 201);
      return res.body;
    }
    const meWith = async (token) => (await srv.api('GET', '/api/me', { token })).status;

    /** A user with a browser session on the account page: {s, web, page}. */
    async function onAccountPage() {
      const s = await newSession(srv);
      const web = new WebClient(srv);
      assert.equal((await web.signIn(s.email, s.password)).status, 303);
      return { s, web };
    }
    async function accountPage(web) {
      const page = await web.get('account');
      assertStatus(page, 200);
      return page;
    }
    /** The POST form of `page` whose action path ends with `suffix`. */
    function formEndingWith(page, suffix) {
      const f = parseForms(page.text).find((x) => x.method === 'post' &&
        new URL(x.action, page.url).pathname.endsWith(suffix));
      assert.ok(f, `no POST form to …${suffix} on ${show(page)}`);
      assert.ok(f.fields.csrf_token, `the form to …${suffix} carries a csrf_token`);
      return f;
    }

    test('lists the personal API tokens without their secrets; Revoke revokes one', async () => {
      const { s, web } = await onAccountPage();
      const a = await newApiToken(s.tokens.access_token, `deploy-${rand(4)}`);
      const b = await newApiToken(s.tokens.access_token, `laptop-${rand(4)}`);
      assert.equal(await meWith(b.token), 200);  // now b has a last use
      const page = await accountPage(web);
      const text = htmlText(page.text);
      for (const t of [a, b]) {
        assert.ok(text.includes(t.name), `token "${t.name}" not listed: ${text.slice(0, 1500)}`);
        assert.ok(text.includes(t.prefix), `prefix of "${t.name}" not shown: ${text.slice(0, 1500)}`);
        assert.ok(!page.text.includes(t.token), 'a token secret is on the page');
      }
      assert.match(text, /Never used/, 'a token never used says so');
      assert.match(text, /Last used/, 'a used token says when');

      const form = formEndingWith(page, `/account/tokens/${a.id}/revoke`);
      // Without its CSRF token the form is refused and nothing is revoked.
      const forged = await web.post(new URL(form.action, page.url).href, {});
      assert.equal(forged.status, 403, show(forged));
      assert.equal(await meWith(a.token), 200);
      const done = await web.submit(form, page.url);
      assert.equal(done.status, 303, show(done));
      const after = await web.follow(done);
      assert.match(htmlText(after.text), /The API token was revoked\./);
      assert.ok(!htmlText(after.text).includes(a.name), 'a revoked token is still listed');
      assert.equal(await meWith(a.token), 401, 'the revoked token still works');
      assert.equal(await meWith(b.token), 200, 'the other token was revoked too');
    });

    test('sign out everywhere says what it will do, then revokes the tokens and says so', async () => {
      const { s, web } = await onAccountPage();
      const t1 = await newApiToken(s.tokens.access_token);
      const t2 = await newApiToken(s.tokens.access_token);
      const page = await accountPage(web);
      const form = formEndingWith(page, '/account/sign-out-everywhere');
      assert.match(htmlText(page.text), /Also revoke my 2 personal API tokens/);
      assert.equal(form.fields.revoke_api_tokens, '1', 'the checkbox is checked by default');

      const res = await web.submit(form, page.url);
      assertStatus(res, 200);
      const text = htmlText(res.text);
      assert.match(text, /2 sessions were signed out/, text);
      assert.match(text, /2 personal API tokens were revoked/, text);
      assert.equal(await meWith(t1.token), 401);
      assert.equal(await meWith(t2.token), 401);
      assertStatus(await srv.api('POST', '/api/token/refresh', { json: { refresh_token: s.tokens.refresh_token } }), 401);
      const again = await web.get('account');
      assert.equal(again.status, 303, 'the browser session ended too');
    });

    test('sign out everywhere with the box unchecked keeps the tokens', async () => {
      const { s, web } = await onAccountPage();
      const t = await newApiToken(s.tokens.access_token);
      const page = await accountPage(web);
      const form = formEndingWith(page, '/account/sign-out-everywhere');
      assert.match(htmlText(page.text), /Also revoke my 1 personal API token\b/);
      delete form.fields.revoke_api_tokens;  // unchecked: a browser sends nothing
      const res = await web.submit(form, page.url);
      assertStatus(res, 200);
      assert.match(htmlText(res.text), /Your personal API tokens were kept\./);
      assert.equal(await meWith(t.token), 200);
    });

    test('the password form revokes the tokens by default; unchecked keeps them', async () => {
      const { s, web } = await onAccountPage();
      const t1 = await newApiToken(s.tokens.access_token);
      let page = await accountPage(web);
      let form = formEndingWith(page, '/account/password');
      assert.equal(form.fields.revoke_api_tokens, '1', 'checked by default');
      const first = `first-page-pass-${rand(8)}`;
      let res = await web.submit(form, page.url, { current_password: s.password, new_password: first });
      assert.equal(res.status, 303, show(res));
      assert.match(htmlText((await web.follow(res)).text), /1 personal API token was revoked/);
      assert.equal(await meWith(t1.token), 401, 'a personal API token survived the password change');

      const login = await srv.api('POST', '/api/login', { json: { email: s.email, password: first } });
      const t2 = await newApiToken(login.body.access_token);
      page = await accountPage(web);
      form = formEndingWith(page, '/account/password');
      delete form.fields.revoke_api_tokens;
      res = await web.submit(form, page.url, { current_password: first, new_password: `second-page-pass-${rand(8)}` });
      assert.equal(res.status, 303, show(res));
      assert.equal(await meWith(t2.token), 200, 'unchecked keeps them');
    });
  });
}
