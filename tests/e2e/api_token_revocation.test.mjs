// Issue 11, item 3, black-box over the API: personal API tokens (tpat_…) end with the rest of
// a user's access.
// - logout-all revokes them by default and answers what it did; {"keep_api_tokens": true}
//   keeps them;
// - a password change (me/password) revokes them unless {"keep_api_tokens": true}; a password
//   reset (the mailed link) always does;
// - a console user's personal token stops working on /api/console after logout-all (it could
//   still create an app API key before the fix).
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, assertStatus, assertProblem, newSession, login, show,
  rand,
} from './lib/server.mjs';
import { developer } from './lib/console.mjs';
import { skipWithoutSmtp as skip, startMailStack, SUBJECT, linkIn, tokenOf } from './lib/mailflow.mjs';

for (const backend of backends()) {
  describe(`personal API tokens end with the user's access [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'token-revocation'));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    /** A new personal API token of the user of access token `at` (in `app`). */
    async function newApiToken(at, { app, name = `t-${rand(4)}` } = {}) {
      const res = await srv.api('POST', '/api/me/tokens', { token: at, app, json: { name } });
      assertStatus(res, 201);
      return res.body.token;
    }
    /** The status of GET /api/me with `token`: 200 while it works, 401 once revoked. */
    const meWith = async (token, app) => (await srv.api('GET', '/api/me', { token, app })).status;

    test('logout-all revokes the personal API tokens by default and answers what it did', async () => {
      const s = await newSession(srv);
      const other = await login(srv, { email: s.email }, s.password);
      const t1 = await newApiToken(s.tokens.access_token);
      const t2 = await newApiToken(s.tokens.access_token);
      assert.equal(await meWith(t1), 200);

      const res = await srv.api('POST', '/api/logout-all', { token: s.tokens.access_token });
      assertStatus(res, 200);
      assert.equal(res.body.sessions_ended, 2, show(res));
      assert.equal(res.body.revoked, 2, `the former member stays: ${show(res)}`);
      assert.equal(res.body.api_tokens_revoked, 2, show(res));
      assert.equal(await meWith(t1), 401, 'a personal API token survived logout-all');
      assert.equal(await meWith(t2), 401, 'a personal API token survived logout-all');
      const refreshed = await srv.api('POST', '/api/token/refresh', { json: { refresh_token: other.refresh_token } });
      assertProblem(refreshed, 401, 'unauthorized');
    });

    test('logout-all with {"keep_api_tokens": true} ends the sessions and keeps the tokens', async () => {
      const s = await newSession(srv);
      const t = await newApiToken(s.tokens.access_token);
      const res = await srv.api('POST', '/api/logout-all',
        { token: s.tokens.access_token, json: { keep_api_tokens: true } });
      assertStatus(res, 200);
      assert.equal(res.body.sessions_ended, 1, show(res));
      assert.equal(res.body.api_tokens_revoked, 0, show(res));
      assert.equal(await meWith(t), 200, 'the kept token works');
      const refreshed = await srv.api('POST', '/api/token/refresh', { json: { refresh_token: s.tokens.refresh_token } });
      assertProblem(refreshed, 401, 'unauthorized');
      // The flag is strictly typed like every other member.
      const bad = await srv.api('POST', '/api/logout-all', { token: t, json: { keep_api_tokens: 'yes' } });
      assertProblem(bad, 400, 'validation-error', { field: 'keep_api_tokens' });
    });

    test('a password change revokes the personal API tokens unless asked to keep them', async () => {
      const s = await newSession(srv);
      const t1 = await newApiToken(s.tokens.access_token);
      const first = `first-new-pass-${rand(8)}`;
      let res = await srv.api('POST', '/api/me/password',
        { token: s.tokens.access_token, json: { current_password: s.password, new_password: first } });
      assertStatus(res, 204);
      assert.equal(await meWith(t1), 401, 'a personal API token survived the password change');
      assertStatus(await srv.api('GET', '/api/me', { token: s.tokens.access_token }), 200);

      const t2 = await newApiToken(s.tokens.access_token);
      res = await srv.api('POST', '/api/me/password', {
        token: s.tokens.access_token,
        json: { current_password: first, new_password: `second-new-pass-${rand(8)}`, keep_api_tokens: true },
      });
      assertStatus(res, 204);
      assert.equal(await meWith(t2), 200, 'keep_api_tokens keeps them');
    });

    test('a password reset by the mailed link revokes the personal API tokens', async () => {
      const s = await newSession(srv);
      const t = await newApiToken(s.tokens.access_token);
      assertStatus(await srv.api('POST', '/api/password/forgot', { json: { email: s.email } }), 202);
      const mail = await smtp.waitFor({ to: s.email, subject: SUBJECT.reset });
      const token = tokenOf(linkIn(mail, '/reset-password?token='));
      const res = await srv.api('POST', '/api/password/reset',
        { json: { token, new_password: `after-reset-${rand(8)}` } });
      assertStatus(res, 204);
      assert.equal(await meWith(t), 401, 'a personal API token survived the password reset');
    });

    test("after logout-all a console user's personal token no longer works on /api/console", async () => {
      const dev = await developer(srv, 'tokdev');
      const slug = `tok-${rand(8)}`;
      assertStatus(await srv.req('POST', '/api/console/apps',
        { token: dev.token, json: { slug, name: `App ${slug}` } }), 201);
      const tpat = await newApiToken(dev.token, { app: 'console' });
      const before = await srv.req('POST', `/api/console/apps/${slug}/api-keys`,
        { token: tpat, json: { name: 'before' } });
      assertStatus(before, 201);

      const out = await srv.api('POST', '/api/logout-all', { app: 'console', token: dev.token });
      assertStatus(out, 200);
      const after = await srv.req('POST', `/api/console/apps/${slug}/api-keys`,
        { token: tpat, json: { name: 'after' } });
      assertProblem(after, 401, 'unauthorized');
      assert.equal(out.body.api_tokens_revoked, 1, show(out));
    });
  });
}
