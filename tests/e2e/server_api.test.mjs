// The server-to-server API ({issuer}/api/users…, /api/audit-events) against the real binary:
// an app's backend with an API key made in the developer console manages that app's users.
// - the "my backend signs the user up" flow: create with a password and tokens; the tokens
//   open /api/me and refresh; list, search (metacharacters taken literally) and paging;
//   patch; disable (sign-in and refresh stop), enable; sign out everywhere; tokens for a
//   user; delete; password reset (the mail is written); the audit log (actor api_key, no
//   secrets, filters, paging);
// - isolation: a key of app A is 404 at app B (the same answer as no app) and for B's users
//   through A's URL; user tokens and bad keys are 401; a revoked key is 401;
// - bad input: malformed JSON, wrong types, unknown members, huge bodies, NUL — 400/413/415,
//   and nothing changes.
// Setup goes through the public surface only: a developer signs up to the console app, creates
// the apps and their keys with /api/console.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem,
  assertUserShape, secretKeys, show, rand, uniqEmail, sleep,
} from './lib/server.mjs';

// user.signup with the key as actor (the issue's wording: user.created).
const CREATED = /^user\.(created|signup)$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A console user signed up and logged in through the console app's account API. */
async function developer(srv, tag = 'dev') {
  const email = uniqEmail(tag);
  const password = `pw-${rand(16)}`;
  assertStatus(await srv.api('POST', '/api/signup', { app: 'console', json: { email, password } }), 201);
  const login = await srv.api('POST', '/api/login', { app: 'console', json: { email, password } });
  assertStatus(login, 200);
  return { email, password, token: login.body.access_token, id: login.body.user.id };
}

/** An app created by `dev` through the console API, and an API key of it. */
async function appWithKey(srv, dev, tag = 'app') {
  const slug = `${tag}-${rand(10)}`;
  const created = await srv.req('POST', '/api/console/apps', { token: dev.token, json: { slug, name: `App ${slug}` } });
  assertStatus(created, 201);
  const key = await srv.req('POST', `/api/console/apps/${slug}/api-keys`, { token: dev.token, json: { name: 'backend' } });
  assertStatus(key, 201);
  assert.match(key.body.key, /^tsk_[A-Za-z0-9_-]{20,}$/, show(key));
  return { slug, key: key.body.key, keyId: key.body.id };
}

for (const backend of backends()) {
  describe(`server-to-server API [${backend}]`, () => {
    let srv, dev, A, B;
    /** A request to app `app`'s server API with `key` (default: A's). */
    const sapi = (method, path, { app = A.slug, key = A.key, ...opts } = {}) =>
      srv.api(method, `/api${path}`, { app, token: key ?? undefined, ...opts });
    const createUser = async (json, opts = {}) => {
      const res = await sapi('POST', '/users', { json, ...opts });
      assertStatus(res, 201);
      return res.body;
    };

    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `server-api-${backend}` });
      dev = await developer(srv);
      A = await appWithKey(srv, dev, 'sa');
      B = await appWithKey(srv, dev, 'sb');
    });
    after(() => srv?.close());

    // ------------------------------------------------------------------ sign-up flow
    test('the backend signs a user up with a password and gets tokens that work at /me and refresh', async () => {
      const email = uniqEmail('made');
      const password = `pw-${rand(16)}`;
      const res = await sapi('POST', '/users', {
        json: {
          email, password, username: `m${rand(10)}`, email_verified: true,
          profile: { name: 'Ada Lovelace' }, roles: ['beta', 'staff'], issue_tokens: true,
        },
      });
      assertStatus(res, 201);
      const { user, tokens } = res.body;
      assertUserShape(user, { app: A.slug, email, ctx: 'created' });
      assert.equal(user.email_verified, true);
      assert.deepEqual(user.roles, ['beta', 'staff']);
      assert.equal(user.profile.name, 'Ada Lovelace');
      assert.deepEqual(Object.keys(tokens).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
      assert.equal(tokens.token_type, 'Bearer');
      assert.ok(tokens.expires_in > 0);
      assert.match(tokens.refresh_token, /^tsr_/);
      assert.ok(!res.text.includes(password), 'the password is never echoed');

      const me = await srv.api('GET', '/api/me', { app: A.slug, token: tokens.access_token });
      assertStatus(me, 200);
      assert.equal(me.body.id, user.id);
      const refreshed = await srv.api('POST', '/api/token/refresh', { app: A.slug, json: { refresh_token: tokens.refresh_token } });
      assertStatus(refreshed, 200);
      assert.notEqual(refreshed.body.refresh_token, tokens.refresh_token);
      // The password really is the user's.
      assertStatus(await srv.api('POST', '/api/login', { app: A.slug, json: { email, password } }), 200);
      // A user of A only.
      assertProblem(await srv.api('GET', '/api/me', { app: B.slug, token: tokens.access_token }), 401, 'unauthorized');
    });

    test('without issue_tokens there are no tokens; without a password the account is passwordless; duplicates are 409', async () => {
      const email = uniqEmail('plain');
      const res = await sapi('POST', '/users', { json: { email } });
      assertStatus(res, 201);
      assert.equal(res.body.tokens, undefined, show(res));
      assertUserShape(res.body.user, { email });
      assertProblem(await srv.api('POST', '/api/login', { app: A.slug, json: { email, password: 'anything-at-all-1' } }), 401, 'unauthorized');
      const dup = await sapi('POST', '/users', { json: { email: email.toUpperCase(), password: `pw-${rand(16)}` } });
      assertProblem(dup, 409, 'conflict', { field: 'email' });
      // The same address is free in app B.
      assertStatus(await sapi('POST', '/users', { app: B.slug, key: B.key, json: { email } }), 201);
      // Policy applies to a given password.
      assertProblem(await sapi('POST', '/users', { json: { email: uniqEmail(), password: 'short' } }), 400, 'validation-error', { field: 'password' });
    });

    // ------------------------------------------------------------------ list / search / page
    test('list, search and page through users with a cursor', async () => {
      const tag = `pg${rand(8)}`;
      const made = [];
      for (let i = 0; i < 5; i++) made.push((await createUser({ email: `${tag}-${i}-${rand(6)}@example.com` })).user);
      const seen = [];
      let cursor = null;
      let pages = 0;
      do {
        const q = new URLSearchParams({ search: tag.toUpperCase(), limit: '2', ...(cursor ? { cursor } : {}) });
        const res = await sapi('GET', `/users?${q}`);
        assertStatus(res, 200);
        assert.ok(res.body.users.length <= 2);
        assert.equal(typeof res.body.total, 'number');
        assert.ok(res.body.total >= 5, show(res));
        for (const u of res.body.users) assertUserShape(u, { app: A.slug });
        seen.push(...res.body.users);
        cursor = res.body.next_cursor;
        assert.ok(cursor === null || typeof cursor === 'string');
        pages++;
        assert.ok(pages < 10, 'paging ends');
      } while (cursor);
      assert.ok(pages >= 3, `5 users in pages of 2: ${pages} pages`);
      assert.deepEqual(seen.map((u) => u.id), made.map((u) => u.id).reverse(), 'newest first, each once');

      const all = await sapi('GET', '/users');
      assertStatus(all, 200);
      assert.ok(all.body.users.length <= 50);
      const none = await sapi('GET', `/users?search=${encodeURIComponent(`zz${rand(12)}`)}`);
      assertStatus(none, 200);
      assert.deepEqual(none.body.users, []);
      assert.equal(none.body.next_cursor, null);
      // An unknown cursor is an empty page, not an error.
      const gone = await sapi('GET', '/users?cursor=00000000-0000-0000-0000-000000000000');
      assertStatus(gone, 200);
      assert.deepEqual(gone.body.users, []);
    });

    test('search takes SQL, LIKE and HTML metacharacters and unicode literally', async () => {
      const u = (await createUser({ email: uniqEmail('meta') })).user;
      for (const search of ['%', '_', '%%', "' OR '1'='1", '"; DROP TABLE users; --', '<script>alert(1)</script>',
        'Ünïcødé 用户 🚀', '\\', '\\%']) {
        const res = await sapi('GET', `/users?search=${encodeURIComponent(search)}`);
        assertStatus(res, 200);
        assert.deepEqual(res.body.users, [], `search ${JSON.stringify(search)} matched: ${show(res)}`);
      }
      // The user is still there and findable.
      const found = await sapi('GET', `/users?search=${encodeURIComponent(u.email.split('@')[0])}`);
      assert.deepEqual(found.body.users.map((x) => x.id), [u.id]);
    });

    test('bad list queries are 400', async () => {
      for (const q of ['limit=0', 'limit=201', 'limit=abc', 'limit=1.5', 'limit=-1', 'limit=', 'foo=1',
        'limit=1&limit=2', 'search=%ZZ', `search=${'x'.repeat(300)}`, 'search=%00']) {
        const res = await sapi('GET', `/users?${q}`);
        assertProblem(res, 400, undefined);
      }
      assertProblem(await sapi('GET', '/users?limit=abc'), 400, 'validation-error', { field: 'limit' });
      assertStatus(await sapi('GET', '/users?limit=200'), 200);
      assertStatus(await sapi('GET', '/users?limit=1'), 200);
    });

    // ------------------------------------------------------------------ one user
    test('get one user with their sessions; patch what the backend may change', async () => {
      const email = uniqEmail('patch');
      const made = await createUser({ email, password: `pw-${rand(16)}`, profile: { name: 'Old', nickname: 'nick' }, issue_tokens: true });
      const id = made.user.id;
      const got = await sapi('GET', `/users/${id}`);
      assertStatus(got, 200);
      assertUserShape(got.body.user, { email });
      assert.equal(got.body.sessions.length, 1, show(got));
      const s = got.body.sessions[0];
      assert.equal(s.kind, 'api');
      assert.match(s.created_at, ISO_RE);
      assert.deepEqual(secretKeys(got.body), []);

      const username = `p${rand(10)}`;
      const newEmail = uniqEmail('moved');
      const patched = await sapi('PATCH', `/users/${id}`, {
        json: { username, email: newEmail, email_verified: true, roles: ['admin-of-nothing'], profile: { name: 'New', nickname: null } },
      });
      assertStatus(patched, 200);
      assert.equal(patched.body.username, username);
      assert.equal(patched.body.email, newEmail);
      assert.equal(patched.body.email_verified, true);
      assert.deepEqual(patched.body.roles, ['admin-of-nothing']);
      assert.equal(patched.body.profile.name, 'New');
      assert.ok(!('nickname' in patched.body.profile), show(patched));

      const cleared = await sapi('PATCH', `/users/${id}`, { json: { username: null, roles: [] } });
      assertStatus(cleared, 200);
      assert.equal(cleared.body.username, null);
      assert.deepEqual(cleared.body.roles, []);
      assert.equal(cleared.body.email, newEmail, 'absent members stay');

      // A taken email is 409.
      const other = (await createUser({ email: uniqEmail('taken') })).user;
      assertProblem(await sapi('PATCH', `/users/${id}`, { json: { email: other.email } }), 409, 'conflict', { field: 'email' });
      // Unknown ids are 404; an id that is not UTF-8 makes a malformed request (400).
      for (const bad of ['00000000-0000-0000-0000-000000000000', 'nope', "x'%20OR%20'1'%3D'1"]) {
        assertProblem(await sapi('GET', `/users/${bad}`), 404, 'not-found');
        assertProblem(await sapi('PATCH', `/users/${bad}`, { json: { email_verified: true } }), 404, 'not-found');
      }
      assertProblem(await sapi('GET', '/users/%FF%FE'), 400, 'malformed-request');
      assertProblem(await sapi('PATCH', '/users/%C3%28', { json: { email_verified: true } }), 400, 'malformed-request');
    });

    test('bad bodies are 400/413/415 and change nothing', async () => {
      const made = (await createUser({ email: uniqEmail('bad'), profile: { name: 'Keep' } })).user;
      const id = made.id;
      const before = (await sapi('GET', '/users?limit=200')).body.total;
      const raw = (body, ct = 'application/json') => ({ body, headers: { 'content-type': ct } });
      const cases = [
        ['POST', '/users', raw('{"email": '), 400, 'malformed-request'],
        ['POST', '/users', raw('[]'), 400, 'malformed-request'],
        ['POST', '/users', raw(''), 400, 'malformed-request'],
        ['POST', '/users', raw('{"email":"a@example.com"}', 'text/plain'), 415, 'unsupported-media-type'],
        ['POST', '/users', { json: { email: 42 } }, 400, 'validation-error', 'email'],
        ['POST', '/users', { json: {} }, 400, 'validation-error', 'email'],
        ['POST', '/users', { json: { email: uniqEmail(), admin: true } }, 400, 'validation-error', 'admin'],
        ['POST', '/users', { json: { email: uniqEmail(), roles: 'admin' } }, 400, 'validation-error', 'roles'],
        ['POST', '/users', { json: { email: uniqEmail(), roles: [1, 2] } }, 400, 'validation-error', 'roles'],
        ['POST', '/users', { json: { email: uniqEmail(), issue_tokens: 'yes' } }, 400, 'validation-error', 'issue_tokens'],
        ['POST', '/users', { json: { email: uniqEmail(), email_verified: 1 } }, 400, 'validation-error', 'email_verified'],
        ['POST', '/users', { json: { email: uniqEmail(), profile: [] } }, 400, 'validation-error', 'profile'],
        ['POST', '/users', { json: { email: 'a\u0000b@example.com' } }, 400, 'validation-error', 'email'],
        ['POST', '/users', { json: { email: '<script>@example.com' } }, 400, 'validation-error', 'email'],
        ['POST', '/users', { json: { email: uniqEmail(), passwordHash: '$argon2id$v=19$m=8,t=1,p=1$x$y' } }, 400, 'validation-error', 'passwordHash'],
        ['PATCH', `/users/${id}`, { json: { disabled: 'true' } }, 400, 'validation-error', 'disabled'],
        ['PATCH', `/users/${id}`, { json: { username: 5 } }, 400, 'validation-error', 'username'],
        ['PATCH', `/users/${id}`, { json: { id: 'other' } }, 400, 'validation-error', 'id'],
        ['PATCH', `/users/${id}`, { json: { profile: { name: 'Changed' }, password: 'x' } }, 400, 'validation-error', 'password'],
        ['PATCH', `/users/${id}`, raw('{"profile": {"name": "Changed"}'), 400, 'malformed-request'],
      ];
      for (const [method, path, opts, status, type, field] of cases) {
        const res = await sapi(method, path, opts);
        assertProblem(res, status, type, field ? { field } : {});
      }
      // Bodies past the server's limit (64 KiB) are refused before any handler.
      const huge = await sapi('POST', '/users', { json: { email: uniqEmail(), profile: { about: 'x'.repeat(70 * 1024) } } });
      assert.equal(huge.status, 413, show(huge));
      const after = await sapi('GET', '/users?limit=200');
      assert.equal(after.body.total, before, 'no user was created');
      const still = await sapi('GET', `/users/${id}`);
      assert.equal(still.body.user.profile.name, 'Keep');
      assert.equal(still.body.user.disabled, false);

      // Unicode and HTML in stored values come back exactly, as JSON.
      const name = 'Ünïcødé 用户 🚀 <b>&amp;</b> \'; DROP TABLE users; --';
      const u = await createUser({ email: uniqEmail('uni'), profile: { name } });
      assert.equal(u.user.profile.name, name);
      assert.equal((await sapi('GET', `/users/${u.user.id}`)).body.user.profile.name, name);
    });

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
      assert.deepEqual(res.body, { revoked: 2 });
      for (const rt of [made.tokens.refresh_token, login.body.refresh_token]) {
        assertProblem(await srv.api('POST', '/api/token/refresh', { app: A.slug, json: { refresh_token: rt } }), 401, 'unauthorized');
      }
      assert.deepEqual((await sapi('GET', `/users/${id}`)).body.sessions, []);
      assert.deepEqual((await sapi('DELETE', `/users/${id}/sessions`)).body, { revoked: 0 });
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
