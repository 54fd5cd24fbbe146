// The per-app setting "the first account becomes admin" (first_user_admin), as the seeds' blog
// relied on: off by default; when on, of eight concurrent first sign-ups through the API
// exactly one gets the role admin — in its account, its access token and (roles scope) its
// ID token and userinfo elsewhere (tests/e2e/example_pocket.test.mjs signs in through a browser).
//
// Run alone:  node --test tests/e2e/first_user_admin.test.mjs
import assert from 'node:assert/strict';
import { startServer, backends, test, describe, before, after, assertStatus, decodeJwt, rand } from './lib/server.mjs';

for (const backend of backends()) {
  describe(`first_user_admin [${backend}]`, () => {
    let srv;
    before(async () => { srv = await startServer({ postgres: backend === 'postgres', label: `first-admin-${backend}` }); });
    after(() => srv?.close());

    // n sign-ups at once: [{res, email, password}].
    const signupAll = (app, n) => Promise.all(Array.from({ length: n }, async (_, i) => {
      const who = { email: `u${i}-${rand(6).toLowerCase()}@example.com`, password: `pw-${rand(16)}` };
      return { ...who, res: await srv.api('POST', '/api/signup', { app, json: who }) };
    }));

    test('off by default: nobody becomes admin', async () => {
      const app = `fa-off-${rand(6).toLowerCase()}`;
      const made = await srv.createApp(app);
      assert.equal(made.settings?.first_user_admin ?? false, false);
      for (const { res } of await signupAll(app, 3)) {
        assertStatus(res, 201);
        assert.deepEqual(res.body.roles, []);
      }
    });

    test('on: of 8 concurrent first sign-ups exactly one is admin, with the role in its token', async () => {
      const app = `fa-on-${rand(6).toLowerCase()}`;
      await srv.createApp(app);
      const set = await srv.admin(['update-app', '--app', app, '--first-user-admin', 'true']);
      assert.equal(set.first_user_admin ?? set.settings?.first_user_admin, true, JSON.stringify(set));
      const results = await signupAll(app, 8);
      for (const { res } of results) assertStatus(res, 201);
      const admins = results.filter(({ res }) => res.body.roles.includes('admin'));
      assert.equal(admins.length, 1, JSON.stringify(results.map(({ res }) => res.body.roles)));
      // Later sign-ups are not admins.
      const [late] = await signupAll(app, 1);
      assert.deepEqual(late.res.body.roles, []);
      // The admin's access token says so; another user's says nothing of the kind.
      for (const [who, roles] of [[admins[0], ['admin']], [late, []]]) {
        const login = await srv.api('POST', '/api/login', { app, json: { login: who.email, password: who.password } });
        assertStatus(login, 200);
        assert.deepEqual(decodeJwt(login.body.access_token).claims.roles, roles);
      }
    });
  });
}
