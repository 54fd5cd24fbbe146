// The developer console's JSON API (/api/console) and the operators' API (/api/admin): who may
// do what, the audit log and bad input,
// against the real binary. Developers sign up to the console app ({PUBLIC_URL}/apps/console) like
// any end user and call the API with their access token (fixture: lib/console.mjs).
// - isolation: developer Y gets 404 for every route of X's app (the answer of an unknown app)
//   and changes nothing; tokens of other apps are 401;
// - members: the owner invites Y, who sees the app only after accepting; members cannot
//   invite or remove others (403) but may leave; the last owner stays (invitations in detail:
//   console_invitations.test.mjs);
// - operators (made with the CLI): everyone else gets 404 on /api/admin; operators list every
//   app, disable one (its discovery document is 404 within the cache lifetime) and enable it;
//   the audit log across apps;
// - audit: the console's actions are recorded with the developer as actor, without secrets;
// - bad input: malformed JSON, wrong types, unknown members, huge bodies, metacharacters.
// Apps, credentials and users: console_api_apps.test.mjs.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, signup, login, uniqEmail, rand, request, show,
  assertStatus, assertProblem, ISO_RE,
} from './lib/server.mjs';
import { startConsoleFixture, until, joinByInvitation } from './lib/console.mjs';

for (const backend of backends()) {
  describe(`console and admin APIs [${backend}]`, () => {
    let srv, X, Y, OP, capi, aapi, developer, newApp;
    before(async () => {
      ({ srv, X, Y, OP, capi, aapi, developer, newApp } = await startConsoleFixture(backend, `console-api-access-${backend}`));
    });
    after(() => srv?.close());

    // ------------------------------------------------------------------ isolation
    test("developer Y gets 404 for everything of X's app — like an unknown app — and changes nothing", async () => {
      const app = await newApp(X, 'iso');
      const key = (await capi(X, 'POST', `/apps/${app.slug}/api-keys`, { json: { name: 'k' } })).body;
      const client = (await capi(X, 'POST', `/apps/${app.slug}/clients`, { json: { name: 'c', grant_types: ['client_credentials'], scopes: ['a'] } })).body;
      const user = (await capi(X, 'POST', `/apps/${app.slug}/users`, { json: { email: uniqEmail('iso'), profile: { name: 'Kept' } } })).body.user;

      assert.ok(!(await capi(Y, 'GET', '/apps')).body.apps.some((a) => a.slug === app.slug));
      const unknown = await capi(Y, 'GET', `/apps/nope-${rand(10)}`);
      assertProblem(unknown, 404, 'not-found');
      const s = `/apps/${app.slug}`;
      const routes = [
        ['GET', s], ['PATCH', s, { name: 'Taken over', settings: { allow_signup: false } }],
        ['GET', `${s}/api-keys`], ['POST', `${s}/api-keys`, { name: 'mine' }], ['DELETE', `${s}/api-keys/${key.id}`],
        ['GET', `${s}/clients`], ['POST', `${s}/clients`, { name: 'mine', grant_types: ['client_credentials'], scopes: ['a'] }],
        ['GET', `${s}/clients/${client.client_id}`], ['PATCH', `${s}/clients/${client.client_id}`, { name: 'x' }],
        ['DELETE', `${s}/clients/${client.client_id}`], ['POST', `${s}/clients/${client.client_id}/secret`],
        ['GET', `${s}/users`], ['POST', `${s}/users`, { email: uniqEmail() }], ['GET', `${s}/users/${user.id}`],
        ['PATCH', `${s}/users/${user.id}`, { disabled: true }], ['DELETE', `${s}/users/${user.id}`],
        ['DELETE', `${s}/users/${user.id}/sessions`], ['POST', `${s}/users/${user.id}/tokens`],
        ['POST', `${s}/users/${user.id}/password-reset`],
        ['GET', `${s}/members`], ['POST', `${s}/members`, { email: Y.email, role: 'owner' }], ['DELETE', `${s}/members/${X.id}`],
        ['GET', `${s}/audit-events`],
      ];
      for (const [method, path, json] of routes) {
        const res = await capi(Y, method, path, { json });
        assertProblem(res, 404, 'not-found');
        assert.deepEqual(res.body, unknown.body, `${method} ${path}: the same answer as an unknown app`);
      }
      // Nothing changed.
      const mine = await capi(X, 'GET', s);
      assert.equal(mine.body.name, app.name);
      assert.equal(mine.body.settings.allow_signup, true);
      assert.deepEqual((await capi(X, 'GET', `${s}/api-keys`)).body.api_keys.map((k) => k.id), [key.id]);
      assert.equal((await capi(X, 'GET', `${s}/clients/${client.client_id}`)).body.name, 'c');
      const u = await capi(X, 'GET', `${s}/users/${user.id}`);
      assert.equal(u.body.user.disabled, false);
      assert.equal(u.body.user.profile.name, 'Kept');
      assert.equal((await capi(X, 'GET', `${s}/users`)).body.total, 1);
      assert.deepEqual((await capi(X, 'GET', `${s}/members`)).body.members.map((m) => m.user_id), [X.id]);
      assertStatus(await srv.api('GET', '/api/users', { app: app.slug, token: key.key }), 200);
    });

    test('tokens of other apps are 401 at the console; a token of app A is 401 at app B', async () => {
      const a = await newApp(X, 'ta');
      const b = await newApp(X, 'tb');
      const email = uniqEmail('enduser');
      const password = `pw-${rand(16)}`;
      assertStatus(await srv.api('POST', '/api/signup', { app: a.slug, json: { email, password } }), 201);
      const login = await srv.api('POST', '/api/login', { app: a.slug, json: { email, password } });
      assertStatus(login, 200);
      const at = login.body.access_token;
      assertStatus(await srv.api('GET', '/api/me', { app: a.slug, token: at }), 200);
      assertProblem(await srv.api('GET', '/api/me', { app: b.slug, token: at }), 401, 'unauthorized');
      for (const path of ['/apps', `/apps/${a.slug}`, `/apps/${a.slug}/users`]) {
        const res = await capi({ token: at }, 'GET', path);
        assertProblem(res, 401, 'unauthorized');
        assert.match(res.headers.get('www-authenticate'), /error="invalid_token"/);
      }
      // An app's API key is not a console credential either.
      const key = (await capi(X, 'POST', `/apps/${a.slug}/api-keys`, { json: { name: 'k' } })).body.key;
      assertProblem(await capi({ token: key }, 'GET', '/apps'), 401, 'unauthorized');
      const none = await capi(null, 'GET', '/apps');
      assertProblem(none, 401, 'unauthorized');
      assertProblem(await capi({ token: 'garbage' }, 'POST', '/apps', { json: { slug: `g-${rand(8)}`, name: 'g' } }), 401, 'unauthorized');
      // A developer's personal API token of the console works like their access token.
      const pat = await srv.api('POST', '/api/me/tokens', { app: 'console', token: X.token, json: { name: 'ci' } });
      assertStatus(pat, 201);
      const viaPat = await capi({ token: pat.body.token }, 'GET', '/apps');
      assertStatus(viaPat, 200);
      assert.ok(viaPat.body.apps.some((x) => x.slug === a.slug));
    });

    // ------------------------------------------------------------------ members
    test('members: Y invited by the owner sees the app after accepting; members cannot manage members; the last owner stays', async () => {
      const app = await newApp(X, 'mem');
      const s = `/apps/${app.slug}`;
      assertProblem(await capi(X, 'POST', `${s}/members`, { json: { email: 'not an address' } }), 400, 'validation-error', { field: 'email' });
      assertProblem(await capi(X, 'POST', `${s}/members`, { json: { email: Y.email, role: 'god' } }), 400, 'validation-error');
      assertProblem(await capi(X, 'POST', `${s}/members`, { json: { email: Y.email, extra: 1 } }), 400, 'validation-error', { field: 'extra' });
      const joined = await joinByInvitation(capi, { owner: X, invitee: Y, op: OP, slug: app.slug, role: 'member' });
      assert.equal(joined.role, 'member');
      assert.equal(joined.app.slug, app.slug);

      const ys = await capi(Y, 'GET', '/apps');
      const seen = ys.body.apps.find((a) => a.slug === app.slug);
      assert.ok(seen, show(ys));
      assert.equal(seen.role, 'member');
      assert.equal((await capi(Y, 'GET', s)).body.role, 'member');
      assertStatus(await capi(Y, 'GET', `${s}/users`), 200);
      assertStatus(await capi(Y, 'PATCH', s, { json: { settings: { display_name: 'By Y' } } }), 200);

      const Z = await developer('z');
      assertProblem(await capi(Y, 'POST', `${s}/members`, { json: { email: Z.email } }), 403, 'forbidden');
      assertProblem(await capi(Y, 'GET', `${s}/invitations`), 403, 'forbidden');
      assertProblem(await capi(Y, 'DELETE', `${s}/members/${X.id}`), 403, 'forbidden');
      const members = await capi(Y, 'GET', `${s}/members`);
      assertStatus(members, 200);
      assert.deepEqual(members.body.members.map((m) => [m.user_id, m.role]).sort(), [[X.id, 'owner'], [Y.id, 'member']].sort());
      assertProblem(await capi(Z, 'GET', s), 404, 'not-found');

      assertProblem(await capi(X, 'DELETE', `${s}/members/${X.id}`), 409, 'conflict');
      assertStatus(await capi(X, 'DELETE', `${s}/members/${Y.id}`), 204);
      assertProblem(await capi(Y, 'GET', s), 404, 'not-found');
      assert.ok(!(await capi(Y, 'GET', '/apps')).body.apps.some((a) => a.slug === app.slug));
      assertProblem(await capi(X, 'DELETE', `${s}/members/${Y.id}`), 404, 'not-found');
      // A second owner joins; then the first may be removed by them.
      await joinByInvitation(capi, { owner: X, invitee: Z, op: OP, slug: app.slug, role: 'owner' });
      assertStatus(await capi(Z, 'DELETE', `${s}/members/${X.id}`), 204);
      assertProblem(await capi(X, 'GET', s), 404, 'not-found');
    });

    // ------------------------------------------------------------------ operators
    test('everyone but operators gets 404 on /api/admin', async () => {
      const routes = [['GET', '/apps'], ['POST', `/apps/${(await newApp(X, 'na')).slug}/disable`], ['POST', '/apps/default/enable'],
        ['GET', '/audit-events'], ['GET', '/audit-events?app=default']];
      const unknownEndpoint = await srv.req('GET', `/api/admin/nothing-${rand(6)}`);
      assertProblem(unknownEndpoint, 404, 'not-found');
      for (const who of [X, Y, null, { token: 'garbage' }]) {
        for (const [method, path] of routes) {
          const res = await aapi(who, method, path);
          assertProblem(res, 404, 'not-found');
          assert.deepEqual(res.body, unknownEndpoint.body, `${method} ${path}: like no endpoint at all`);
        }
      }
    });

    test('an operator sees every app, disables one (it is 404 everywhere) and enables it again', async () => {
      const app = await newApp(X, 'opx');
      const yApp = await newApp(Y, 'opy');
      const key = (await capi(X, 'POST', `/apps/${app.slug}/api-keys`, { json: { name: 'k' } })).body.key;
      await capi(X, 'POST', `/apps/${app.slug}/users`, { json: { email: uniqEmail('counted') } });

      const list = await aapi(OP, 'GET', '/apps');
      assertStatus(list, 200);
      const mine = list.body.apps.find((a) => a.slug === app.slug);
      assert.ok(mine && list.body.apps.some((a) => a.slug === yApp.slug) && list.body.apps.some((a) => a.slug === 'console'), show(list));
      assert.equal(mine.user_count, 1);
      assert.equal(mine.disabled, false);
      assert.equal(mine.issuer, srv.issuer(app.slug));

      // Operators also reach every app's console routes.
      const viaConsole = await capi(OP, 'GET', `/apps/${app.slug}`);
      assertStatus(viaConsole, 200);
      assert.equal(viaConsole.body.role, 'operator');

      const disc = () => srv.api('GET', '/.well-known/openid-configuration', { app: app.slug });
      assertStatus(await disc(), 200);
      const off = await aapi(OP, 'POST', `/apps/${app.slug}/disable`);
      assertStatus(off, 200);
      assert.equal(off.body.disabled, true);
      assert.equal(off.body.slug, app.slug);
      await until('discovery 404 after disable', async () => (await disc()).status === 404, 6000);
      assertProblem(await srv.api('GET', '/api/users', { app: app.slug, token: key }), 404, 'not-found');
      assertProblem(await srv.api('POST', '/api/signup', { app: app.slug, json: { email: uniqEmail(), password: `pw-${rand(16)}` } }), 404, 'not-found');
      // The owner still sees it, marked.
      const seen = (await capi(X, 'GET', '/apps')).body.apps.find((a) => a.slug === app.slug);
      assert.equal(seen.disabled, true);
      assert.equal((await aapi(OP, 'GET', '/apps')).body.apps.find((a) => a.slug === app.slug).disabled, true);

      const on = await aapi(OP, 'POST', `/apps/${app.slug}/enable`);
      assertStatus(on, 200);
      assert.equal(on.body.disabled, false);
      await until('discovery 200 after enable', async () => (await disc()).status === 200, 6000);
      assertStatus(await srv.api('GET', '/api/users', { app: app.slug, token: key }), 200);

      assertProblem(await aapi(OP, 'POST', `/apps/nope-${rand(8)}/disable`), 404, 'not-found');
      assertProblem(await aapi(OP, 'POST', '/apps/console/disable'), 409, 'conflict');
      assertStatus(await srv.api('GET', '/.well-known/openid-configuration', { app: 'console' }), 200);
      assertProblem(await aapi(OP, 'POST', `/apps/${app.slug}/disable`, { json: { why: 'x' } }), 400, 'validation-error', { field: 'why' });

      // The audit log across apps, and for one app.
      const ev = await aapi(OP, 'GET', `/audit-events?app=${app.slug}&limit=200`);
      assertStatus(ev, 200);
      const actions = ev.body.events.map((e) => e.action);
      const toggles = ev.body.events.filter((e) => /^app\.(disabled|enabled)$/.test(e.action));
      assert.equal(toggles.length, 2, JSON.stringify(actions));
      for (const e of toggles) {
        assert.equal(e.actor_type, 'admin');
        assert.equal(e.actor_id, OP.id);
      }
      assert.ok(ev.body.events.every((e) => e.app_id === ev.body.events[0].app_id));
      const all = await aapi(OP, 'GET', '/audit-events?limit=200');
      assertStatus(all, 200);
      assert.ok(new Set(all.body.events.map((e) => e.app_id)).size > 1, 'across apps');
      assertProblem(await aapi(OP, 'GET', `/audit-events?app=nope-${rand(8)}`), 400, 'validation-error', { field: 'app' });
      assertProblem(await aapi(OP, 'GET', '/audit-events?limit=1000'), 400, 'validation-error', { field: 'limit' });
    });

    // ------------------------------------------------------------------ audit
    test("the console's actions are in the app's audit log, with the developer as actor and no secrets", async () => {
      const app = await newApp(X, 'aud');
      const s = `/apps/${app.slug}`;
      const key = (await capi(X, 'POST', `${s}/api-keys`, { json: { name: 'k' } })).body;
      await capi(X, 'DELETE', `${s}/api-keys/${key.id}`);
      const client = (await capi(X, 'POST', `${s}/clients`, { json: { name: 'c', grant_types: ['client_credentials'], scopes: ['a'] } })).body;
      const rotated = (await capi(X, 'POST', `${s}/clients/${client.client_id}/secret`)).body;
      await capi(X, 'PATCH', s, { json: { settings: { allow_signup: false } } });
      const password = `pw-${rand(16)}`;
      const made = (await capi(X, 'POST', `${s}/users`, { json: { email: uniqEmail('au'), password, issue_tokens: true } })).body;

      const res = await capi(X, 'GET', `${s}/audit-events?limit=200`);
      assertStatus(res, 200);
      const events = res.body.events;
      const actions = events.map((e) => e.action);
      const has = (re) => events.find((e) => re.test(e.action));
      for (const re of [/^app\.created$/, /api_key\.created$/, /api_key\.revoked$/, /client\.created$/, /client\.secret_rotated$|client\..*rotat/, /settings|app\.updated/, /^user\.(created|signup)$/]) {
        const e = has(re);
        assert.ok(e, `${re} in ${JSON.stringify(actions)}`);
        assert.equal(e.actor_type, 'developer', JSON.stringify(e));
        assert.equal(e.actor_id, X.id, JSON.stringify(e));
        assert.equal(e.ip, '127.0.0.1');
      }
      for (const secret of [key.key, client.client_secret, rotated.client_secret, password, made.tokens.refresh_token, made.tokens.access_token, X.token, '$argon2']) {
        assert.ok(!res.text.includes(secret), `a secret in the audit log (${secret.slice(0, 6)}…)`);
      }
      // The app's events only; filters and paging work as in the server API.
      assert.ok(events.every((e) => e.app_id === events[0].app_id));
      const p1 = await capi(X, 'GET', `${s}/audit-events?limit=2`);
      const p2 = await capi(X, 'GET', `${s}/audit-events?limit=2&cursor=${p1.body.next_cursor}`);
      assert.deepEqual([...p1.body.events, ...p2.body.events].map((e) => e.id), events.slice(0, 4).map((e) => e.id));
      const createdAction = has(/^user\.(created|signup)$/).action;
      const onlyCreated = await capi(X, 'GET', `${s}/audit-events?action=${createdAction}`);
      assert.deepEqual(onlyCreated.body.events.map((e) => e.subject_id), [made.user.id]);
      assertProblem(await capi(X, 'GET', `${s}/audit-events?since=not-a-time`), 400, 'validation-error', { field: 'since' });
      assertProblem(await capi(X, 'GET', `${s}/audit-events?app=other`), 400, 'validation-error', { field: 'app' });
    });

    // ------------------------------------------------------------------ bad input
    test('bad input on the console API is a clear 400/413/415 and creates nothing', async () => {
      const before = (await capi(X, 'GET', '/apps')).body.apps.length;
      const raw = (body, ct = 'application/json') => ({ body, headers: { 'content-type': ct } });
      const cases = [
        [raw('{"slug": "a", "name": '), 400, 'malformed-request'],
        [raw('"just a string"'), 400, 'malformed-request'],
        [raw('{"slug":"a","name":"b"}', 'text/html'), 415, 'unsupported-media-type'],
        [{ json: { slug: 5, name: 'x' } }, 400, 'validation-error', 'slug'],
        [{ json: { slug: `ok-${rand(6)}` } }, 400, 'validation-error', 'name'],
        [{ json: { slug: `ok-${rand(6)}`, name: 'x', owner: 'y' } }, 400, 'validation-error', 'owner'],
        [{ json: { slug: "x'; DROP TABLE apps; --", name: 'x' } }, 400, 'validation-error', 'slug'],
        [{ json: { slug: '<script>', name: 'x' } }, 400, 'validation-error', 'slug'],
        [{ json: { slug: 'ünï', name: 'x' } }, 400, 'validation-error', 'slug'],
        [{ json: { slug: `ok-${rand(6)}`, name: 'line\nbreak' } }, 400, 'validation-error', 'name'],
        [{ json: { slug: `ok-${rand(6)}`, name: 'nul\u0000byte' } }, 400, 'validation-error', 'name'],
      ];
      for (const [opts, status, type, field] of cases) {
        assertProblem(await capi(X, 'POST', '/apps', opts), status, type, field ? { field } : {});
      }
      const huge = await capi(X, 'POST', '/apps', { json: { slug: `h-${rand(6)}`, name: 'x'.repeat(70 * 1024) } });
      assert.equal(huge.status, 413, show(huge));
      assert.equal((await capi(X, 'GET', '/apps')).body.apps.length, before, 'no app was created');

      // SQL and HTML metacharacters and unicode in names are stored and returned as they are.
      const name = `Robert'); DROP TABLE apps;-- <script>alert(1)</script> Ünïcødé 应用 🚀`;
      const slug = `meta-${rand(8)}`;
      const made = await capi(X, 'POST', '/apps', { json: { slug, name } });
      assertStatus(made, 201);
      assert.equal(made.body.name, name);
      assert.equal((await capi(X, 'GET', `/apps/${slug}`)).body.name, name);
      const key = await capi(X, 'POST', `/apps/${slug}/api-keys`, { json: { name } });
      assertStatus(key, 201);
      assert.equal(key.body.name, name);
      // Strange path segments are 404, not 500; a path that is not UTF-8 is a malformed request.
      assertProblem(await capi(X, 'GET', "/apps/x'%20OR%201=1"), 404, 'not-found');
      for (const p of ['/apps/%FF', `/apps/${slug}/users/%FF%FE`, `/apps/${slug}/clients/%C3%28`, `/apps/${slug}/api-keys/%E2%82`]) {
        const res = await capi(X, p.includes('api-keys') ? 'DELETE' : 'GET', p);
        assertProblem(res, 400, 'malformed-request');
      }
    });
  });
}
