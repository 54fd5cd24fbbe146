// Registration tokens (RFC 7591 §3 initial access tokens) of an app, managed like its API keys,
// against the real binary: through the developer console's JSON API
// (/api/console/apps/{slug}/registration-tokens) and the command line
// (`tessera admin create-|list-|revoke-registration-token`).
// - create: the token (tiat_…) shown once, with the registration endpoint; an expiry in days
//   or none; strict input (missing, too long or unknown members, days outside 1-3650 or not a
//   whole number: 400 naming the field, nothing made);
// - list: by prefix, expired ones too, never the token;
// - revoke: 204, gone from the list, a second revoke 404; the token registers nothing more;
// - access: another developer gets the answer of an unknown app and changes nothing; members
//   and operators manage them as they manage API keys; creating and revoking are audited
//   without the token.
// The console page (token shown once on the page the form leads to): ui_console_secrets.test.mjs.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, rand, show, assertStatus, assertProblem, secretKeys,
  ISO_RE,
} from './lib/server.mjs';
import { startConsoleFixture, joinByInvitation } from './lib/console.mjs';

const DAY_MS = 24 * 3600 * 1000;
/** The members of a listed token; a created one adds `token` and `registration_endpoint`. */
const TOKEN_KEYS = ['created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name', 'prefix'];
const TOKEN_RE = /^tiat_[A-Za-z0-9_-]{20,}$/;

for (const backend of backends()) {
  describe(`registration tokens: console API and command line [${backend}]`, () => {
    let srv, X, Y, OP, capi, newApp;
    before(async () => {
      ({ srv, X, Y, OP, capi, newApp } = await startConsoleFixture(backend, `console-registration-tokens-${backend}`));
    });
    after(() => srv?.close());

    const tokensOf = (slug) => `/apps/${slug}/registration-tokens`;
    const listed = async (dev, slug) => {
      const res = await capi(dev, 'GET', tokensOf(slug));
      assertStatus(res, 200);
      return res.body.registration_tokens;
    };
    // RFC 7591 §3.1: a registration with the token at the app's endpoint.
    const register = (slug, token) => srv.api('POST', '/oauth/register', {
      app: slug, token, json: { client_name: 'Registered', redirect_uris: ['https://app.example.com/cb'] },
    });

    test('create: the token once (tiat_…), the registration endpoint, an expiry in days or none', async () => {
      const app = await newApp(X, 'rt');
      const t = await capi(X, 'POST', tokensOf(app.slug), { json: { name: 'Partner <portal> 🚀', expires_in_days: 30 } });
      assertStatus(t, 201);
      assert.deepEqual(Object.keys(t.body).sort(), [...TOKEN_KEYS, 'registration_endpoint', 'token'].sort());
      assert.match(t.body.token, TOKEN_RE);
      assert.ok(t.body.token.startsWith(t.body.prefix), show(t));
      assert.ok(t.body.prefix.length >= 'tiat_'.length + 4 && t.body.prefix.length < t.body.token.length / 2, show(t));
      assert.equal(t.body.name, 'Partner <portal> 🚀');
      assert.equal(t.body.registration_endpoint, `${srv.issuer(app.slug)}/oauth/register`);
      assert.match(t.body.created_at, ISO_RE);
      assert.match(t.body.expires_at, ISO_RE);
      assert.equal(Date.parse(t.body.expires_at) - Date.parse(t.body.created_at), 30 * DAY_MS);
      assert.equal(t.body.last_used_at, null);
      assert.equal(t.body.created_by, X.id);
      assert.deepEqual(secretKeys(t.body), []);

      // No expiry: absent or null. The bounds are 1 and 3650 days.
      for (const json of [{ name: 'Forever' }, { name: 'Also forever', expires_in_days: null }]) {
        const never = await capi(X, 'POST', tokensOf(app.slug), { json });
        assertStatus(never, 201);
        assert.equal(never.body.expires_at, null, show(never));
        assert.match(never.body.token, TOKEN_RE);
      }
      for (const days of [1, 3650]) {
        const edge = await capi(X, 'POST', tokensOf(app.slug), { json: { name: `${days} days`, expires_in_days: days } });
        assertStatus(edge, 201);
        assert.equal(Date.parse(edge.body.expires_at) - Date.parse(edge.body.created_at), days * DAY_MS);
      }
      const tokens = await listed(X, app.slug);
      assert.equal(tokens.length, 5);
      assert.equal(new Set(tokens.map((x) => x.prefix)).size, 5, 'every token is its own');
    });

    test('list: by prefix, without the token; revoke: 204, gone, a second revoke 404', async () => {
      const app = await newApp(X, 'rtl');
      const a = (await capi(X, 'POST', tokensOf(app.slug), { json: { name: 'a', expires_in_days: 7 } })).body;
      const b = (await capi(X, 'POST', tokensOf(app.slug), { json: { name: 'b' } })).body;
      const list = await capi(X, 'GET', tokensOf(app.slug));
      assertStatus(list, 200);
      assert.deepEqual(Object.keys(list.body), ['registration_tokens']);
      const tokens = list.body.registration_tokens;
      assert.deepEqual(tokens.map((x) => Object.keys(x).sort()), [TOKEN_KEYS, TOKEN_KEYS]);
      assert.deepEqual(tokens.map((x) => x.id).sort(), [a.id, b.id].sort());
      for (const made of [a, b]) {
        const { token, registration_endpoint, ...view } = made;
        assert.deepEqual(tokens.find((x) => x.id === made.id), view, 'listed as it was created');
        assert.ok(!list.text.includes(token), 'the token is shown only once');
      }
      assert.deepEqual(secretKeys(list.body), []);

      assertStatus(await capi(X, 'DELETE', `${tokensOf(app.slug)}/${a.id}`), 204);
      assert.deepEqual((await listed(X, app.slug)).map((x) => x.id), [b.id]);
      assertProblem(await capi(X, 'DELETE', `${tokensOf(app.slug)}/${a.id}`), 404, 'not-found');
      assertProblem(await capi(X, 'DELETE', `${tokensOf(app.slug)}/${rand(12)}`), 404, 'not-found');
      assertProblem(await capi(X, 'DELETE', `${tokensOf(app.slug)}/${'x'.repeat(300)}`), 404, 'not-found');
      // A token of another app of the same developer is not this app's.
      const other = await newApp(X, 'rto');
      assertProblem(await capi(X, 'DELETE', `${tokensOf(other.slug)}/${b.id}`), 404, 'not-found');
      assert.deepEqual((await listed(X, app.slug)).map((x) => x.id), [b.id]);
      assertStatus(await capi(X, 'DELETE', `${tokensOf(app.slug)}/${b.id}`), 204);
      assert.deepEqual(await listed(X, app.slug), []);
    });

    test('a token registers clients while the setting is on, and nothing once revoked', async () => {
      const app = await newApp(X, 'rtu');
      assertStatus(await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { dynamic_registration: true } } }), 200);
      const t = (await capi(X, 'POST', tokensOf(app.slug), { json: { name: 'Partner' } })).body;
      let registered;
      for (let i = 0; i < 40; i++) {  // the setting reaches every node within the app cache lifetime
        registered = await register(app.slug, t.token);
        if (registered.status === 201) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assertStatus(registered, 201);
      assert.ok(registered.body.client_id, show(registered));
      const used = (await listed(X, app.slug)).find((x) => x.id === t.id);
      assert.match(used.last_used_at ?? '', ISO_RE, 'its last use is shown');

      assertStatus(await capi(X, 'DELETE', `${tokensOf(app.slug)}/${t.id}`), 204);
      const refused = await register(app.slug, t.token);
      assert.equal(refused.status, 401, show(refused));
      // A token is the app's own: one of another app registers nothing here.
      const other = await newApp(X, 'rtv');
      const foreign = (await capi(X, 'POST', tokensOf(other.slug), { json: { name: 'Other' } })).body;
      assert.equal((await register(app.slug, foreign.token)).status, 401);
    });

    test('bad input is 400 naming the field, and creates nothing', async () => {
      const app = await newApp(X, 'rtb');
      const bad = [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(101) }, 'name'],
        [{ name: 7 }, 'name'],
        [{ name: 'n', expires_in_days: 0 }, 'expires_in_days'],
        [{ name: 'n', expires_in_days: -5 }, 'expires_in_days'],
        [{ name: 'n', expires_in_days: 4000 }, 'expires_in_days'],
        [{ name: 'n', expires_in_days: 'x' }, 'expires_in_days'],
        [{ name: 'n', expires_in_days: '30' }, 'expires_in_days'],
        [{ name: 'n', expires_in_days: 1.5 }, 'expires_in_days'],
        [{ name: 'n', expires_in_days: true }, 'expires_in_days'],
        [{ name: 'n', scope: 'openid' }, 'scope'],
        [{ name: 'n', token: `tiat_${rand(43)}` }, 'token'],
      ];
      for (const [json, field] of bad) {
        assertProblem(await capi(X, 'POST', tokensOf(app.slug), { json }), 400, 'validation-error', { field });
      }
      // 100 characters are fine (characters, not bytes).
      assertStatus(await capi(X, 'POST', tokensOf(app.slug), { json: { name: 'é'.repeat(100) } }), 201);
      const form = await capi(X, 'POST', tokensOf(app.slug), {
        body: 'name=n', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assertProblem(form, 415, 'unsupported-media-type');
      assertProblem(await capi(X, 'POST', tokensOf(app.slug), {
        body: '{"name":', headers: { 'content-type': 'application/json' } }), 400, 'malformed-request');
      assert.deepEqual((await listed(X, app.slug)).map((x) => x.name), ['é'.repeat(100)]);
    });

    test("another developer's app: the answer of an unknown app, and nothing changes", async () => {
      const app = await newApp(X, 'rti');
      const t = (await capi(X, 'POST', tokensOf(app.slug), { json: { name: 'mine' } })).body;
      const unknown = await capi(Y, 'GET', tokensOf(`nope-${rand(10)}`));
      assertProblem(unknown, 404, 'not-found');
      for (const [method, path, json] of [
        ['GET', tokensOf(app.slug)],
        ['POST', tokensOf(app.slug), { name: 'taken over' }],
        ['DELETE', `${tokensOf(app.slug)}/${t.id}`],
      ]) {
        const res = await capi(Y, method, path, { json });
        assertProblem(res, 404, 'not-found');
        assert.deepEqual(res.body, unknown.body, `${method} ${path}: the same answer as an unknown app`);
      }
      assertProblem(await capi(null, 'GET', tokensOf(app.slug)), 401, 'unauthorized');
      assertProblem(await capi({ token: t.token }, 'GET', tokensOf(app.slug)), 401, 'unauthorized');
      assert.deepEqual((await listed(X, app.slug)).map((x) => x.id), [t.id]);
    });

    test('members and operators manage them as they manage API keys; both are audited without the token', async () => {
      const app = await newApp(X, 'rtm');
      await joinByInvitation(capi, { owner: X, invitee: Y, op: OP, slug: app.slug, role: 'member' });
      const byMember = await capi(Y, 'POST', tokensOf(app.slug), { json: { name: 'from a member' } });
      assertStatus(byMember, 201);
      assert.equal(byMember.body.created_by, Y.id);
      assert.deepEqual((await listed(OP, app.slug)).map((x) => x.id), [byMember.body.id], 'operators see them');
      assertStatus(await capi(X, 'DELETE', `${tokensOf(app.slug)}/${byMember.body.id}`), 204);

      const events = await capi(X, 'GET', `/apps/${app.slug}/audit-events?limit=200`);
      assertStatus(events, 200);
      const of = (action) => events.body.events.filter((e) => e.action === action);
      const [created] = of('initial_access_token.created');
      const [revoked] = of('initial_access_token.revoked');
      assert.ok(created && revoked, JSON.stringify(events.body.events.map((e) => e.action)));
      for (const [e, actor] of [[created, Y.id], [revoked, X.id]]) {
        assert.equal(e.subject_type, 'initial_access_token', JSON.stringify(e));
        assert.equal(e.subject_id, byMember.body.id);
        assert.equal(e.actor_type, 'developer');
        assert.equal(e.actor_id, actor);
        assert.deepEqual(e.details, { name: 'from a member', prefix: byMember.body.prefix });
      }
      assert.ok(!events.text.includes(byMember.body.token), 'the token is not in the audit log');
    });

    test('command line: create (shown once, with the endpoint), list without the token, revoke', async () => {
      const app = await newApp(X, 'rtc');
      const made = await srv.admin(['create-registration-token', '--app', app.slug, '--name', 'CLI partner',
        '--expires-in-days', '90']);
      assert.match(made.token, TOKEN_RE);
      assert.equal(made.registration_endpoint, `${srv.issuer(app.slug)}/oauth/register`);
      assert.equal(made.created_by, 'cli', 'made by no console user');
      assert.equal(Date.parse(made.expires_at) - Date.parse(made.created_at), 90 * DAY_MS);
      const never = await srv.admin(['create-registration-token', '--app', app.slug, '--name', 'No expiry']);
      assert.equal(never.expires_at, null);

      const list = await srv.adminText(['list-registration-tokens', '--app', app.slug]);
      assert.ok(!list.includes(made.token) && !list.includes(never.token), 'never the token');
      assert.deepEqual(JSON.parse(list).registration_tokens.map((x) => x.id).sort(), [made.id, never.id].sort());
      // The console sees what the command line made, and the other way round.
      assert.deepEqual((await listed(X, app.slug)).map((x) => x.id).sort(), [made.id, never.id].sort());

      assert.deepEqual(await srv.admin(['revoke-registration-token', '--app', app.slug, '--id', made.id]),
        { id: made.id, revoked: true });
      await assert.rejects(srv.admin(['revoke-registration-token', '--app', app.slug, '--id', made.id]),
        /failed/, 'a second revoke fails');
      assert.deepEqual((await listed(X, app.slug)).map((x) => x.id), [never.id]);
      await assert.rejects(srv.admin(['create-registration-token', '--app', app.slug, '--name', 'n',
        '--expires-in-days', '0']), /expires_in_days/);
    });
  });
}
