// The audit log over the wire: a signup, a failed and a good login and a logout over HTTP come
// back from `tessera admin audit --json` (JSON lines, newest first) with app, actor, subject,
// IP, user agent and outcome — and without the password or any token.
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, signup, login, rand,
} from './lib/server.mjs';
import { WebClient } from './lib/oidc.mjs';

for (const backend of backends()) {
  describe(`audit log [${backend}]`, () => {
    let srv;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `audit-${backend}` });
    });
    after(() => srv?.close());

    test('signup, failed login, login and logout are recorded and read back by the CLI', async () => {
      const ua = `AuditE2E/${rand(6)}`;
      const headers = { 'user-agent': ua };
      const password = `pw-${rand(16)}`;
      const wrong = `wrong-${rand(16)}`;
      const email = `audit-${rand(10)}@example.com`;
      const s = await srv.api('POST', '/api/signup', { json: { email, password }, headers });
      assertStatus(s, 201);
      const userId = s.body.id;
      const bad = await srv.api('POST', '/api/login', { json: { login: email, password: wrong }, headers });
      assertStatus(bad, 401);
      const tokens = await login(srv, email, password, { headers });
      const out = await srv.api('POST', '/api/logout', { json: { refresh_token: tokens.refresh_token }, headers });
      assertStatus(out, 204);

      const events = await srv.adminLines(['audit', '--app', srv.app, '--limit', '200']);
      const mine = events.filter((e) => e.subject_id === userId || e.actor_id === userId);
      // Newest first; oldest first here.
      const actions = mine.map((e) => e.action).reverse();
      assert.deepEqual(actions, ['user.signup', 'user.login_failed', 'user.login', 'session.logout'],
        JSON.stringify(mine, null, 2));
      const byAction = Object.fromEntries(mine.map((e) => [e.action, e]));
      for (const a of ['user.signup', 'user.login_failed', 'user.login']) {
        const e = byAction[a];
        assert.equal(e.subject_type, 'user', a);
        assert.equal(e.subject_id, userId, a);
        assert.equal(e.ip, '127.0.0.1', a);
        assert.equal(e.user_agent, ua, a);
        assert.equal(typeof e.at, 'number', a);
        assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/, a);
        assert.equal(typeof e.app_id, 'string', a);
      }
      assert.equal(byAction['user.signup'].actor_id, userId);
      assert.equal(byAction['user.signup'].outcome, 'success');
      assert.equal(byAction['user.login_failed'].actor_type, 'anonymous');
      assert.equal(byAction['user.login_failed'].outcome, 'failure');
      assert.equal(byAction['user.login_failed'].details.reason, 'wrong_password');
      assert.equal(byAction['user.login'].actor_type, 'user');
      assert.equal(byAction['user.login'].outcome, 'success');
      assert.equal(byAction['session.logout'].subject_type, 'session');
      assert.equal(byAction['user.signup'].app_id, byAction['session.logout'].app_id);

      const text = JSON.stringify(events);
      for (const secret of [password, wrong, tokens.refresh_token, tokens.access_token, '$argon2', 'tsr_']) {
        assert.ok(!text.includes(secret), `audit output contains a secret (${secret.slice(0, 8)}…)`);
      }

      // Filters and paging.
      const failed = await srv.adminLines(['audit', '--app', srv.app, '--action', 'user.login_failed']);
      assert.ok(failed.length >= 1 && failed.every((e) => e.action === 'user.login_failed'));
      const first = await srv.adminLines(['audit', '--app', srv.app, '--limit', '2']);
      assert.equal(first.length, 2);
      const next = await srv.adminLines(['audit', '--app', srv.app, '--limit', '2', '--cursor', first[1].id]);
      assert.deepEqual(next.map((e) => e.id), events.slice(2, 4).map((e) => e.id));
    });

    test('a logout on the hosted pages is the same action as on the API, about the session', async () => {
      const email = `audit-web-${rand(10)}@example.com`;
      const password = `pw-${rand(16)}`;
      const s = await srv.api('POST', '/api/signup', { json: { email, password } });
      assertStatus(s, 201);
      const web = new WebClient(srv);
      const signedIn = await web.signIn(email, password);
      assert.ok(signedIn.status === 303 || signedIn.status === 302, `sign-in: ${signedIn.status}`);
      assert.ok(web.sessionCookie(), 'signed in');
      const page = await web.get('logout');
      assertStatus(page, 200);
      const out = await web.submit(WebClient.formWith(page, 'csrf_token'), page.url);
      assertStatus(out, 200);

      const events = await srv.adminLines(['audit', '--app', srv.app, '--subject', s.body.id]);
      assert.ok(!events.some((e) => e.action === 'user.logout'), JSON.stringify(events));
      const mine = await srv.adminLines(['audit', '--app', srv.app, '--actor', s.body.id,
        '--action', 'session.logout']);
      assert.equal(mine.length, 1, JSON.stringify(mine));
      assert.equal(mine[0].subject_type, 'session');
      assert.equal(mine[0].actor_type, 'user');
      assert.equal(mine[0].details.method, 'browser');
      // The former name still finds it (rows written before the rename carry it).
      const byFormer = await srv.adminLines(['audit', '--app', srv.app, '--actor', s.body.id,
        '--action', 'user.logout']);
      assert.deepEqual(byFormer.map((e) => e.id), mine.map((e) => e.id));
    });

    test('a signup by someone else does not show under another app', async () => {
      const other = `audit-${rand(8)}`;
      await srv.createApp(other, 'Audit other');
      const u = await signup(srv, { app: other });
      const here = await srv.adminLines(['audit', '--app', srv.app, '--limit', '200']);
      assert.ok(!here.some((e) => e.subject_id === u.user.id));
      const there = await srv.adminLines(['audit', '--app', other]);
      assert.ok(there.some((e) => e.action === 'user.signup' && e.subject_id === u.user.id));
      assert.ok(there.some((e) => e.action === 'app.created' && e.actor_type === 'admin'));
    });
  });
}
