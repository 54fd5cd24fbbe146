// The server-to-server API ({issuer}/api/users…) against the real binary.
// An app's backend with an API key made in the developer console manages that app's users.
// Setup goes through the public surface only: a developer signs up to the console app, creates
// the apps and their keys with /api/console (fixture: lib/console.mjs). This file:
// - the "my backend signs the user up" flow: create with a password and tokens; the tokens
//   open /api/me and refresh; without tokens, passwordless, duplicates;
// - list, search (metacharacters taken literally) and paging; bad list queries;
// - one user with their sessions; patch;
// - bad input: malformed JSON, wrong types, unknown members, huge bodies, NUL — 400/413/415,
//   and nothing changes.
// The rest of a user's life, the audit log and isolation: server_api_lifecycle.test.mjs.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, uniqEmail, rand, request, show, assertStatus,
  assertProblem, assertUserShape, secretKeys, ISO_RE,
} from './lib/server.mjs';
import { startServerApiFixture } from './lib/console.mjs';

for (const backend of backends()) {
  describe(`server-to-server API [${backend}]`, () => {
    let srv, A, B, sapi, createUser;
    before(async () => {
      ({ srv, A, B, sapi, createUser } = await startServerApiFixture(backend, `server-api-users-${backend}`));
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

  });
}
