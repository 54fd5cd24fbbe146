// The server-to-server API ({issuer}/api/users…, /api/audit-events) against the real binary.
// An app's backend with an API key made in the developer console manages that app's users.
// Setup goes through the public surface only: a developer signs up to the console app, creates
// the apps and their keys with /api/console (fixture: lib/console.mjs). This file:
// - disable (sign-in and refresh stop), enable; sign out everywhere; tokens for a user;
//   delete; password reset (the mail is written); the audit log (actor api_key, no secrets,
//   filters, paging);
// - isolation: a key of app A is 404 at app B (the same answer as no app) and for B's users
//   through A's URL; user tokens and bad keys are 401; a revoked key is 401.
// Creating, listing, patching users and bad input: server_api_users.test.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  backends, test, describe, before, after, signup, login, uniqEmail, rand, show, assertStatus,
  assertProblem, sleep, ISO_RE,
} from './lib/server.mjs';
import { startServerApiFixture, appWithKey } from './lib/console.mjs';

// user.signup with the key as actor (the issue's wording: user.created).
const CREATED = /^user\.(created|signup)$/;

for (const backend of backends()) {
  describe(`server-to-server API [${backend}]`, () => {
    let srv, dev, A, B, sapi, createUser;
    before(async () => {
      ({ srv, dev, A, B, sapi, createUser } = await startServerApiFixture(backend, `server-api-lifecycle-${backend}`));
    });
    after(() => srv?.close());

    // ------------------------------------------------------------------ disable / sessions / delete
    test('disabling a user stops their sign-in and their refresh token; enabling lets them back', async () => {
      const email = uniqEmail('dis');
      const password = `pw-${rand(16)}`;
      const made = await createUser({ email, password, issue_tokens: true });
      const id = made.user.id;
      const off = await sapi('PATCH', `/users/${id}`, { json: { disabled: true } });
      assertStatus(off, 200);
      assert.equal(off.body.disabled, true);
      assertProblem(await srv.api('POST', '/api/login', { app: A.slug, json: { email, password } }), 401, 'unauthorized');
      assertProblem(await srv.api('POST', '/api/token/refresh', { app: A.slug, json: { refresh_token: made.tokens.refresh_token } }), 401, 'unauthorized');
      assertProblem(await srv.api('GET', '/api/me', { app: A.slug, token: made.tokens.access_token }), 401, 'unauthorized');
      assert.deepEqual((await sapi('GET', `/users/${id}`)).body.sessions, []);
      // Tokens cannot be issued for a disabled user.
      const t = await sapi('POST', `/users/${id}/tokens`);
      assert.ok(t.status >= 400 && t.status < 500, show(t));

      const on = await sapi('PATCH', `/users/${id}`, { json: { disabled: false } });
      assertStatus(on, 200);
      assert.equal(on.body.disabled, false);
      assertStatus(await srv.api('POST', '/api/login', { app: A.slug, json: { email, password } }), 200);
    });

    test('signing a user out everywhere revokes every session and refresh token', async () => {
      const email = uniqEmail('out');
      const password = `pw-${rand(16)}`;
      const made = await createUser({ email, password, issue_tokens: true });
      const id = made.user.id;
      const login = await srv.api('POST', '/api/login', { app: A.slug, json: { email, password } });
      assertStatus(login, 200);
      assert.equal((await sapi('GET', `/users/${id}`)).body.sessions.length, 2);
      const res = await sapi('DELETE', `/users/${id}/sessions`);
      assertStatus(res, 200);
      assert.deepEqual(res.body, { sessions_ended: 2, api_tokens_revoked: 0, revoked: 2 });
      for (const rt of [made.tokens.refresh_token, login.body.refresh_token]) {
        assertProblem(await srv.api('POST', '/api/token/refresh', { app: A.slug, json: { refresh_token: rt } }), 401, 'unauthorized');
      }
      assert.deepEqual((await sapi('GET', `/users/${id}`)).body.sessions, []);
      assert.deepEqual((await sapi('DELETE', `/users/${id}/sessions`)).body, { sessions_ended: 0, api_tokens_revoked: 0, revoked: 0 });
      assertProblem(await sapi('DELETE', `/users/${rand(8)}/sessions`), 404, 'not-found');
    });

    test('tokens for an existing user', async () => {
      const made = (await createUser({ email: uniqEmail('tok') })).user;
      const res = await sapi('POST', `/users/${made.id}/tokens`);
      assertStatus(res, 200);
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.user.id, made.id);
      assert.match(res.body.refresh_token, /^tsr_/);
      const me = await srv.api('GET', '/api/me', { app: A.slug, token: res.body.access_token });
      assertStatus(me, 200);
      assert.equal(me.body.id, made.id);
      // An empty object body is fine; anything else is not.
      assertStatus(await sapi('POST', `/users/${made.id}/tokens`, { json: {} }), 200);
      assertProblem(await sapi('POST', `/users/${made.id}/tokens`, { json: { scope: 'admin' } }), 400, 'validation-error', { field: 'scope' });
      assertProblem(await sapi('POST', `/users/${rand(8)}/tokens`), 404, 'not-found');
    });

    test('deleting a user: 204, then 404 everywhere, and they cannot sign in', async () => {
      const email = uniqEmail('del');
      const password = `pw-${rand(16)}`;
      const made = await createUser({ email, password, issue_tokens: true });
      const id = made.user.id;
      assertStatus(await sapi('DELETE', `/users/${id}`), 204);
      assertProblem(await sapi('GET', `/users/${id}`), 404, 'not-found');
      assertProblem(await sapi('DELETE', `/users/${id}`), 404, 'not-found');
      assertProblem(await sapi('PATCH', `/users/${id}`, { json: { disabled: true } }), 404, 'not-found');
      assertProblem(await srv.api('POST', '/api/login', { app: A.slug, json: { email, password } }), 401, 'unauthorized');
      assertProblem(await srv.api('POST', '/api/token/refresh', { app: A.slug, json: { refresh_token: made.tokens.refresh_token } }), 401, 'unauthorized');
      // The address is free again.
      assertStatus(await sapi('POST', '/users', { json: { email } }), 201);
    });

    test('password reset: 202, and the mail is written to the outbox', async () => {
      const email = uniqEmail('reset');
      const made = (await createUser({ email, password: `pw-${rand(16)}` })).user;
      const res = await sapi('POST', `/users/${made.id}/password-reset`);
      assertStatus(res, 202);
      assert.equal(res.body.status, 'accepted');
      assertProblem(await sapi('POST', `/users/${rand(8)}/password-reset`), 404, 'not-found');
      // No SMTP in this server: the worker writes .eml files and logs them.
      let line;
      for (let i = 0; i < 100 && !line; i++) {
        line = srv.output().split('\n').filter((l) => l.includes('mail_written_to_outbox'))
          .map((l) => { try { return JSON.parse(l); } catch { return null; } })
          .find((l) => l && l.to === email && l.kind === 'password_reset');
        if (!line) await sleep(100);
      }
      assert.ok(line, 'a reset mail was written to the outbox');
      assert.ok(line.links.some((l) => l.startsWith(`${srv.issuer(A.slug)}/reset-password?token=`)), JSON.stringify(line));
      assert.ok(fs.existsSync(line.path));
    });

    // ------------------------------------------------------------------ audit
    test('audit events: actions by the key are recorded, filtered, paged and secret-free', async () => {
      const email = uniqEmail('aud');
      const password = `pw-${rand(16)}`;
      const t0 = Date.now() - 1000;
      const made = await createUser({ email, password, issue_tokens: true }, { headers: { 'user-agent': 'AuditBackend/1.0' } });
      const id = made.user.id;
      assertStatus(await sapi('PATCH', `/users/${id}`, { json: { roles: ['audited'] } }), 200);
      assertStatus(await sapi('PATCH', `/users/${id}`, { json: { disabled: true } }), 200);
      assertStatus(await sapi('DELETE', `/users/${id}`), 204);

      const res = await sapi('GET', `/audit-events?subject_id=${id}`);
      assertStatus(res, 200);
      const events = res.body.events;
      assert.ok(Array.isArray(events) && events.length >= 3, show(res));
      assert.ok(res.body.next_cursor === null || typeof res.body.next_cursor === 'string');
      // The account's creation (recorded as a signup made by the key).
      const created = events.find((e) => CREATED.test(e.action));
      assert.ok(created, `${CREATED} in ${JSON.stringify(events.map((e) => e.action))}`);
      assert.equal(created.actor_type, 'api_key');
      assert.equal(created.actor_id, A.keyId);
      assert.equal(created.subject_id, id);
      assert.equal(created.ip, '127.0.0.1');
      assert.equal(created.user_agent, 'AuditBackend/1.0');
      assert.equal(typeof created.at, 'number');
      for (const e of events) assert.equal(e.app_id, created.app_id, 'all of one app');
      // What the key did is recorded as the key's doing.
      for (const action of ['user.updated', 'user.disabled', 'user.deleted', 'user.login']) {
        const e = events.find((x) => x.action === action);
        assert.ok(e, `${action} in ${JSON.stringify(events.map((x) => x.action))}`);
        assert.equal(e.actor_type, 'api_key', JSON.stringify(e));
        assert.equal(e.actor_id, A.keyId, JSON.stringify(e));
      }
      for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].at >= events[i].at, 'newest first');

      const everything = await sapi('GET', '/audit-events?limit=200');
      const text = everything.text;
      for (const secret of [password, A.key, B.key, made.tokens.refresh_token, made.tokens.access_token, '$argon2', 'tsr_']) {
        assert.ok(!text.includes(secret), `audit events contain a secret (${secret.slice(0, 6)}…)`);
      }
      assert.ok(everything.body.events.every((e) => e.app_id === created.app_id), "only the key's app");

      // Filters.
      const byAction = await sapi('GET', `/audit-events?action=${created.action}&actor_id=${A.keyId}`);
      assert.ok(byAction.body.events.length >= 1);
      assert.ok(byAction.body.events.every((e) => e.action === created.action && e.actor_id === A.keyId));
      assert.ok(byAction.body.events.some((e) => e.subject_id === id));
      const since = await sapi('GET', `/audit-events?subject_id=${id}&since=${new Date(t0).toISOString()}`);
      assert.equal(since.body.events.length, events.length, show(since));
      const sinceMs = await sapi('GET', `/audit-events?subject_id=${id}&since=${t0}`);
      assert.equal(sinceMs.body.events.length, events.length);
      const until = await sapi('GET', `/audit-events?subject_id=${id}&until=${t0}`);
      assert.deepEqual(until.body.events, []);
      const future = await sapi('GET', `/audit-events?subject_id=${id}&since=${encodeURIComponent('2999-01-01T00:00:00+02:00')}`);
      assert.deepEqual(future.body.events, []);

      // Paging.
      const p1 = await sapi('GET', `/audit-events?subject_id=${id}&limit=1`);
      assert.equal(p1.body.events.length, 1);
      assert.equal(typeof p1.body.next_cursor, 'string');
      const p2 = await sapi('GET', `/audit-events?subject_id=${id}&limit=1&cursor=${p1.body.next_cursor}`);
      assert.equal(p2.body.events[0].id, events[1].id);

      for (const q of ['since=yesterday', 'until=2026-13-01T00:00:00Z', 'limit=0', 'limit=x', 'app=other', 'since=5&until=4']) {
        assertProblem(await sapi('GET', `/audit-events?${q}`), 400, undefined);
      }
    });

    // ------------------------------------------------------------------ isolation and auth
    test("a key of app A is 404 at app B — exactly like an app that does not exist — and for B's users", async () => {
      const bUser = (await createUser({ email: uniqEmail('b'), profile: { name: 'B user' } }, { app: B.slug, key: B.key })).user;
      const unknown = await sapi('GET', '/users', { app: `nope-${rand(8)}` });
      assertProblem(unknown, 404, 'not-found');
      const routes = [
        ['GET', '/users'], ['POST', '/users', { email: uniqEmail() }], ['GET', `/users/${bUser.id}`],
        ['PATCH', `/users/${bUser.id}`, { disabled: true }], ['DELETE', `/users/${bUser.id}`],
        ['POST', `/users/${bUser.id}/tokens`], ['DELETE', `/users/${bUser.id}/sessions`],
        ['POST', `/users/${bUser.id}/password-reset`], ['GET', '/audit-events'],
      ];
      for (const [method, path, json] of routes) {
        const res = await sapi(method, path, { app: B.slug, key: A.key, json });
        assertProblem(res, 404, 'not-found');
        assert.deepEqual(res.body, unknown.body, `${method} ${path}: same body as an unknown app`);
      }
      // B's user through A's URL with A's key: unknown.
      for (const [method, path, json] of routes.filter(([, p]) => p.includes(bUser.id))) {
        assertProblem(await sapi(method, path, { json }), 404, 'not-found');
      }
      // Nothing happened to B's user.
      const still = await sapi('GET', `/users/${bUser.id}`, { app: B.slug, key: B.key });
      assertStatus(still, 200);
      assert.equal(still.body.user.disabled, false);
      assert.equal(still.body.user.profile.name, 'B user');
      assert.ok(!(await sapi('GET', '/users?limit=200')).body.users.some((u) => u.id === bUser.id));
    });

    test('no key, a bad key, a user token or a personal token: 401 with a Bearer challenge', async () => {
      const none = await sapi('GET', '/users', { key: null });
      assertProblem(none, 401, 'unauthorized');
      assert.doesNotMatch(none.headers.get('www-authenticate'), /invalid_token/);
      const user = await createUser({ email: uniqEmail('tk'), password: `pw-${rand(16)}`, issue_tokens: true });
      const pat = await srv.api('POST', '/api/me/tokens', { app: A.slug, token: user.tokens.access_token, json: { name: 'cli' } });
      assertStatus(pat, 201);
      for (const key of ['tsk_' + 'A'.repeat(43), A.key + 'x', A.key.slice(0, -1), 'garbage', user.tokens.access_token,
        user.tokens.refresh_token, pat.body.token, A.keyId]) {
        const res = await sapi('GET', '/users', { key });
        assertProblem(res, 401, 'unauthorized');
        assert.match(res.headers.get('www-authenticate'), /error="invalid_token"/, show(res));
      }
      const basic = await sapi('GET', '/users', { key: null, headers: { authorization: `Basic ${Buffer.from(`x:${A.key}`).toString('base64')}` } });
      assertProblem(basic, 401, 'unauthorized');
      // A developer's console token is not an API key either.
      assertProblem(await sapi('GET', '/users', { key: dev.token }), 401, 'unauthorized');
    });

    test('a revoked key is 401 from then on; its last use is shown in the console', async () => {
      const C = await appWithKey(srv, dev, 'sc');
      assertStatus(await sapi('GET', '/users', { app: C.slug, key: C.key }), 200);
      const list = await srv.req('GET', `/api/console/apps/${C.slug}/api-keys`, { token: dev.token });
      assertStatus(list, 200);
      const k = list.body.api_keys.find((x) => x.id === C.keyId);
      assert.ok(k, show(list));
      assert.match(k.last_used_at ?? '', ISO_RE, 'last use recorded');
      assert.ok(C.key.startsWith(k.prefix), 'the prefix is the start of the key');
      assert.ok(!list.text.includes(C.key), 'the list never shows the key');
      assertStatus(await srv.req('DELETE', `/api/console/apps/${C.slug}/api-keys/${C.keyId}`, { token: dev.token }), 204);
      const res = await sapi('GET', '/users', { app: C.slug, key: C.key });
      assertProblem(res, 401, 'unauthorized');
      assertProblem(await sapi('POST', '/users', { app: C.slug, key: C.key, json: { email: uniqEmail() } }), 401, 'unauthorized');
      // Other keys of other apps are unaffected.
      assertStatus(await sapi('GET', '/users'), 200);
    });
  });
}
