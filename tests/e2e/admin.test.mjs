// The admin CLI against a running server: create-user (--admin, --json) and create-app.
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem,
  assertUserShape, login, uniqEmail, rand,
} from './lib/server.mjs';

for (const backend of backends()) {
  describe(`admin CLI [${backend}]`, () => {
    let srv;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `admin-${backend}` });
    });
    after(() => srv?.close());

    test('admin create-user --admin --json prints the user; it can log in over HTTP', async () => {
      const email = uniqEmail('root');
      const password = `admin-pass-${rand(10)}`;
      const u = await srv.createUser({ email, password, admin: true });
      assertUserShape(u, { app: srv.app, email, ctx: 'admin create-user --json' });
      assert.ok(u.roles.includes('admin'), `--admin user roles: ${JSON.stringify(u.roles)}`);
      const tr = await login(srv, { email }, password);
      assert.equal(tr.user.id, u.id);
      const me = await srv.api('GET', '/api/me', { token: tr.access_token });
      assertStatus(me, 200);
      assert.deepEqual(me.body.roles, u.roles);
      // Same email again through the API → 409.
      assertProblem(await srv.api('POST', '/api/signup', { json: { email, password: `other-pass-${rand(6)}` } }), 409, 'conflict', { field: 'email' });
      // And through the CLI → non-zero exit.
      await assert.rejects(srv.createUser({ email, password }));
      const plain = await srv.createUser({ email: uniqEmail('plain'), password });
      assert.deepEqual(plain.roles, []);
    });

    test('admin create-app: the new app serves at once; a duplicate slug fails', async () => {
      const slug = `cli-${rand(8)}`;
      const app = await srv.createApp(slug, 'CLI app');
      assert.equal(app.slug, slug);
      const jwks = await srv.api('GET', '/.well-known/jwks.json', { app: slug });
      assertStatus(jwks, 200);
      const signup = await srv.api('POST', '/api/signup', { app: slug, json: { email: uniqEmail(), password: `valid-pass-${rand(6)}` } });
      assertStatus(signup, 201);
      assert.equal(signup.body.app, slug);
      await assert.rejects(srv.createApp(slug, 'again'));
      await assert.rejects(srv.createApp('Bad Slug!', 'bad'));
    });
  });
}
