// The developer console's JSON API (/api/console): apps and their credentials and users,
// against the real binary. Developers sign up to the console app ({PUBLIC_URL}/apps/console) like
// any end user and call the API with their access token (fixture: lib/console.mjs).
// - apps: create, list, read (issuer, discovery URL, every setting), rename, settings merge
//   with strict types (and the change takes effect on the app);
// - credentials: API keys (shown once, listed by prefix, last use, revoke → 401), OAuth
//   clients (secret once, rotate: old secret fails at /oauth/token and the new one works,
//   patch, revoke); registration tokens: console_registration_tokens.test.mjs;
// - users: the server API's routes and JSON under /api/console/apps/{slug}/users, a user who
//   signed up through the account API appears.
// Access (isolation, members, operators, audit, bad input): console_api_access.test.mjs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  backends, test, describe, before, after, signup, login, uniqEmail, rand, show, assertStatus,
  assertProblem, assertUserShape, secretKeys, ISO_RE,
} from './lib/server.mjs';
import { startConsoleFixture, SETTINGS, form, basic, until } from './lib/console.mjs';

for (const backend of backends()) {
  describe(`console and admin APIs [${backend}]`, () => {
    let srv, X, capi, developer, newApp;
    before(async () => {
      ({ srv, X, capi, developer, newApp } = await startConsoleFixture(backend, `console-api-apps-${backend}`));
    });
    after(() => srv?.close());

    // ------------------------------------------------------------------ apps
    test('a developer creates an app and sees it with its issuer, discovery URL and settings', async () => {
      const fresh = await developer('fresh');
      const empty = await capi(fresh, 'GET', '/apps');
      assertStatus(empty, 200);
      assert.deepEqual(empty.body, { apps: [] });

      const slug = `my-${rand(10)}`;
      const created = await capi(fresh, 'POST', '/apps', { json: { slug, name: 'My app' } });
      assertStatus(created, 201);
      const app = created.body;
      assert.equal(app.slug, slug);
      assert.equal(app.name, 'My app');
      assert.equal(app.role, 'owner');
      assert.equal(app.disabled, false);
      assert.equal(app.issuer, srv.issuer(slug));
      assert.equal(app.discovery_url, `${srv.issuer(slug)}/.well-known/openid-configuration`);
      assert.match(app.created_at, ISO_RE);
      assert.deepEqual(Object.keys(app.settings).sort(), [...SETTINGS].sort());
      assert.equal(app.settings.allow_signup, true);

      const disc = await srv.req('GET', app.discovery_url);
      assertStatus(disc, 200);
      assert.equal(disc.body.issuer, app.issuer);

      const list = await capi(fresh, 'GET', '/apps');
      assertStatus(list, 200);
      assert.deepEqual(list.body.apps.map((a) => [a.slug, a.role, a.name, a.disabled, a.issuer]),
        [[slug, 'owner', 'My app', false, app.issuer]]);
      const got = await capi(fresh, 'GET', `/apps/${slug}`);
      assertStatus(got, 200);
      assert.deepEqual(got.body, app);

      assertProblem(await capi(fresh, 'POST', '/apps', { json: { slug, name: 'Again' } }), 409, 'conflict');
      assertProblem(await capi(fresh, 'POST', '/apps', { json: { slug: 'console', name: 'Mine now' } }), 409, 'conflict');
      assertProblem(await capi(fresh, 'POST', '/apps', { json: { slug: 'Bad Slug!', name: 'x' } }), 400, 'validation-error', { field: 'slug' });
      assertProblem(await capi(fresh, 'POST', '/apps', { json: { slug: `n-${rand(8)}`, name: '' } }), 400, 'validation-error', { field: 'name' });
      // The console app itself is not the developer's.
      assertProblem(await capi(fresh, 'GET', '/apps/console'), 404, 'not-found');
    });

    test('settings: PATCH merges with strict types, errors name settings.<member>, and the app follows', async () => {
      const app = await newApp(X, 'set');
      const res = await capi(X, 'PATCH', `/apps/${app.slug}`, {
        json: { name: 'Renamed Ünïcødé 🚀', settings: { allow_signup: false, password_min_length: 12, display_name: '<b>Brand</b> & co', accent_color: '#1a73e8', redirect_uris: ['https://app.example/cb'] } },
      });
      assertStatus(res, 200);
      assert.equal(res.body.name, 'Renamed Ünïcødé 🚀');
      assert.equal(res.body.settings.allow_signup, false);
      assert.equal(res.body.settings.password_min_length, 12);
      assert.equal(res.body.settings.display_name, '<b>Brand</b> & co');
      assert.deepEqual(res.body.settings.redirect_uris, ['https://app.example/cb']);
      assert.equal(res.body.settings.email_code_login, true, 'absent settings stay');
      assert.equal(res.body.role, 'owner');
      // The second patch keeps the first one's values.
      const res2 = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { require_verified_email: true } } });
      assertStatus(res2, 200);
      assert.equal(res2.body.settings.allow_signup, false);
      assert.equal(res2.body.settings.require_verified_email, true);
      assert.equal(res2.body.name, 'Renamed Ünïcødé 🚀');
      // The OAuth extensions are off until turned on.
      assert.equal(res2.body.settings.token_exchange, false);
      const te = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { token_exchange: true } } });
      assertStatus(te, 200);
      assert.equal(te.body.settings.token_exchange, true);
      assert.equal(te.body.settings.require_verified_email, true, 'absent settings stay');
      assert.equal(te.body.settings.dpop, false);
      assert.equal(te.body.settings.dpop_nonce, false);
      const dpop = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { dpop: true, dpop_nonce: true } } });
      assertStatus(dpop, 200);
      assert.equal(dpop.body.settings.dpop, true);
      assert.equal(dpop.body.settings.dpop_nonce, true);
      assert.equal(dpop.body.settings.token_exchange, true, 'absent settings stay');
      assert.equal(dpop.body.settings.dynamic_registration, false);
      const dcr = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { dynamic_registration: true } } });
      assertStatus(dcr, 200);
      assert.equal(dcr.body.settings.dynamic_registration, true);
      assert.equal(dcr.body.settings.dpop, true, 'absent settings stay');
      assert.equal(dcr.body.settings.backchannel_logout, false);
      const bcl = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { backchannel_logout: true } } });
      assertStatus(bcl, 200);
      assert.equal(bcl.body.settings.backchannel_logout, true);
      assert.equal(bcl.body.settings.dynamic_registration, true, 'absent settings stay');
      assert.equal(bcl.body.settings.signed_request_objects, false);
      const jar = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { signed_request_objects: true } } });
      assertStatus(jar, 200);
      assert.equal(jar.body.settings.signed_request_objects, true);
      assert.equal(jar.body.settings.backchannel_logout, true, 'absent settings stay');
      assert.equal(jar.body.settings.pairwise_subjects, false);
      const pairwise = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { pairwise_subjects: true } } });
      assertStatus(pairwise, 200);
      assert.equal(pairwise.body.settings.pairwise_subjects, true);
      assert.equal(pairwise.body.settings.signed_request_objects, true, 'absent settings stay');
      // The app follows: public signup is closed.
      await until('signup closed', async () =>
        (await srv.api('POST', '/api/signup', { app: app.slug, json: { email: uniqEmail(), password: `pw-${rand(16)}` } })).status === 403);

      const before = (await capi(X, 'GET', `/apps/${app.slug}`)).body;
      const bad = [
        [{ settings: { nope: true } }, 'settings.nope'],
        [{ settings: { allow_signup: 'false' } }, 'settings.allow_signup'],
        [{ settings: { token_exchange: 'true' } }, 'settings.token_exchange'],
        [{ settings: { dpop: 1 } }, 'settings.dpop'],
        [{ settings: { dpop_nonce: 'true' } }, 'settings.dpop_nonce'],
        [{ settings: { dynamic_registration: 'on' } }, 'settings.dynamic_registration'],
        [{ settings: { dynamic_registration: null } }, 'settings.dynamic_registration'],
        [{ settings: { backchannel_logout: 'true' } }, 'settings.backchannel_logout'],
        [{ settings: { signed_request_objects: 1 } }, 'settings.signed_request_objects'],
        [{ settings: { pairwise_subjects: 'pairwise' } }, 'settings.pairwise_subjects'],
        [{ settings: { password_min_length: 3 } }, 'settings.password_min_length'],
        [{ settings: { password_min_length: 1e12 } }, 'settings.password_min_length'],
        [{ settings: { password_min_length: 12.5 } }, 'settings.password_min_length'],
        [{ settings: { access_token_ttl_s: 5 } }, 'settings.access_token_ttl_s'],
        [{ settings: { accent_color: 'red' } }, 'settings.accent_color'],
        [{ settings: { logo_url: 'javascript:alert(1)' } }, 'settings.logo_url'],
        [{ settings: { redirect_uris: 'https://x.example' } }, 'settings.redirect_uris'],
        [{ settings: { redirect_uris: ['http://evil.example/cb'] } }, 'settings.redirect_uris'],
        [{ settings: [] }, 'settings'],
        [{ name: 7 }, 'name'],
        [{ name: '' }, 'name'],
        [{ slug: 'other' }, 'slug'],
        [{ settings: { allow_signup: true }, disabled: true }, 'disabled'],
      ];
      for (const [json, field] of bad) {
        assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}`, { json }), 400, 'validation-error', { field });
      }
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}`, { body: '{"settings": {', headers: { 'content-type': 'application/json' } }), 400, 'malformed-request');
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}`, { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
      const huge = await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { name: 'x'.repeat(70 * 1024) } });
      assert.equal(huge.status, 413, show(huge));
      assert.deepEqual((await capi(X, 'GET', `/apps/${app.slug}`)).body, before, 'nothing changed');
    });

    // ------------------------------------------------------------------ API keys
    test('API keys: shown once, listed by prefix without the secret, revoked → 401', async () => {
      const app = await newApp(X, 'keys');
      const k = await capi(X, 'POST', `/apps/${app.slug}/api-keys`, { json: { name: 'Prod <backend>' } });
      assertStatus(k, 201);
      assert.match(k.body.key, /^tsk_/);
      assert.equal(k.body.name, 'Prod <backend>');
      assert.ok(k.body.key.startsWith(k.body.prefix));
      assert.equal(k.body.last_used_at, null);
      const list = await capi(X, 'GET', `/apps/${app.slug}/api-keys`);
      assertStatus(list, 200);
      assert.deepEqual(list.body.api_keys.map((x) => Object.keys(x).sort()), [['created_at', 'id', 'last_used_at', 'name', 'prefix']]);
      assert.ok(!list.text.includes(k.body.key));
      assert.deepEqual(secretKeys(list.body), []);
      assertStatus(await srv.api('GET', '/api/users', { app: app.slug, token: k.body.key }), 200);
      assertProblem(await capi(X, 'POST', `/apps/${app.slug}/api-keys`, { json: { name: '' } }), 400, 'validation-error', { field: 'name' });
      assertProblem(await capi(X, 'POST', `/apps/${app.slug}/api-keys`, { json: { name: 'n', app: 'x' } }), 400, 'validation-error', { field: 'app' });
      assertStatus(await capi(X, 'DELETE', `/apps/${app.slug}/api-keys/${k.body.id}`), 204);
      assertProblem(await srv.api('GET', '/api/users', { app: app.slug, token: k.body.key }), 401, 'unauthorized');
      assert.deepEqual((await capi(X, 'GET', `/apps/${app.slug}/api-keys`)).body.api_keys, []);
      assertProblem(await capi(X, 'DELETE', `/apps/${app.slug}/api-keys/${k.body.id}`), 404, 'not-found');
    });

    // ------------------------------------------------------------------ OAuth clients
    test('OAuth clients: create, rotate the secret (the old one fails at /oauth/token), patch, revoke', async () => {
      const app = await newApp(X, 'cli');
      const token = (id, secret) => srv.api('POST', '/oauth/token', {
        app: app.slug, body: form({ grant_type: 'client_credentials', scope: 'reports:read' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
      });
      const c = await capi(X, 'POST', `/apps/${app.slug}/clients`, {
        json: { name: 'Reports <worker>', grant_types: ['client_credentials'], scopes: ['reports:read'] },
      });
      assertStatus(c, 201);
      const id = c.body.client_id;
      const secret1 = c.body.client_secret;
      assert.match(secret1, /^tcs_/);
      assert.equal(c.body.is_public, false);
      assert.deepEqual(c.body.grant_types, ['client_credentials']);
      assertStatus(await token(id, secret1), 200);

      const rotated = await capi(X, 'POST', `/apps/${app.slug}/clients/${id}/secret`);
      assertStatus(rotated, 200);
      assert.equal(rotated.body.client_id, id);
      const secret2 = rotated.body.client_secret;
      assert.match(secret2, /^tcs_/);
      assert.notEqual(secret2, secret1);
      const old = await token(id, secret1);
      assert.equal(old.status, 401, show(old));
      assert.equal(old.body.error, 'invalid_client');
      assertStatus(await token(id, secret2), 200);

      const got = await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`);
      assertStatus(got, 200);
      assert.deepEqual(Object.keys(got.body).sort(), ['client_id', 'created_at', 'first_party', 'grant_types', 'is_public',
        'name', 'post_logout_redirect_uris', 'redirect_uris', 'scopes', 'id_token_signed_response_alg',
        'resource_server', 'require_pushed_authorization_requests', 'token_exchange_audiences',
        'dpop_bound_access_tokens', 'backchannel_logout_uri', 'backchannel_logout_session_required',
        'jwks', 'require_signed_request_object', 'subject_type'].sort());
      assert.equal(got.body.id_token_signed_response_alg, 'RS256', 'the OIDC Registration default');
      assert.equal(got.body.resource_server, false);
      assert.equal(got.body.require_pushed_authorization_requests, false);
      assert.deepEqual(got.body.token_exchange_audiences, [], 'none by default');
      assert.equal(got.body.dpop_bound_access_tokens, false);
      assert.equal(got.body.backchannel_logout_uri, '', 'none by default');
      assert.equal(got.body.backchannel_logout_session_required, false);
      assert.equal(got.body.jwks, null, 'no keys by default');
      assert.equal(got.body.require_signed_request_object, false);
      assert.equal(got.body.subject_type, 'public', 'the OIDC Registration default');
      const list = await capi(X, 'GET', `/apps/${app.slug}/clients`);
      assertStatus(list, 200);
      assert.deepEqual(list.body.clients.map((x) => x.client_id), [id]);
      assert.deepEqual(secretKeys(list.body), []);
      for (const s of [secret1, secret2]) assert.ok(!list.text.includes(s) && !got.text.includes(s));

      const patched = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { name: 'Renamed', scopes: ['reports:read', 'reports:write'] } });
      assertStatus(patched, 200);
      assert.equal(patched.body.name, 'Renamed');
      assert.deepEqual(patched.body.scopes, ['reports:read', 'reports:write']);
      const alg = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { id_token_signed_response_alg: 'ES256', resource_server: true } });
      assertStatus(alg, 200);
      assert.equal(alg.body.id_token_signed_response_alg, 'ES256');
      assert.equal(alg.body.resource_server, true);
      const par = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { require_pushed_authorization_requests: true } });
      assertStatus(par, 200);
      assert.equal(par.body.require_pushed_authorization_requests, true);
      assert.equal(par.body.resource_server, true, 'members not given stay as they are');
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { require_pushed_authorization_requests: 'yes' } }), 400, 'validation-error', { field: 'require_pushed_authorization_requests' });
      const dpop = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { dpop_bound_access_tokens: true } });
      assertStatus(dpop, 200);
      assert.equal(dpop.body.dpop_bound_access_tokens, true);
      assert.equal(dpop.body.require_pushed_authorization_requests, true, 'members not given stay as they are');
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { dpop_bound_access_tokens: 'yes' } }), 400, 'validation-error', { field: 'dpop_bound_access_tokens' });
      // Back-channel logout (OIDC Back-Channel Logout 1.0 §2.2): where logout tokens go.
      const bcl = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, {
        json: { backchannel_logout_uri: 'https://rp.example/backchannel?tenant=1', backchannel_logout_session_required: true },
      });
      assertStatus(bcl, 200);
      assert.equal(bcl.body.backchannel_logout_uri, 'https://rp.example/backchannel?tenant=1');
      assert.equal(bcl.body.backchannel_logout_session_required, true);
      assert.equal(bcl.body.dpop_bound_access_tokens, true, 'members not given stay as they are');
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { backchannel_logout_uri: 'https://rp.example/bc#frag' } }), 400, 'validation-error', { field: 'backchannel_logout_uri' });
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { backchannel_logout_session_required: 'yes' } }), 400, 'validation-error', { field: 'backchannel_logout_session_required' });
      const unset = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { backchannel_logout_uri: '' } });
      assertStatus(unset, 200);
      assert.equal(unset.body.backchannel_logout_uri, '', '"" removes it');
      // Signed request objects (RFC 9101): the client's public keys, a JWK Set object.
      const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'rp-2026', use: 'sig', alg: 'ES256' }] };
      const keys = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { jwks, require_signed_request_object: true } });
      assertStatus(keys, 200);
      assert.deepEqual(keys.body.jwks, jwks, 'the JWK Set object, as sent');
      assert.equal(keys.body.require_signed_request_object, true);
      assert.deepEqual((await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`)).body.jwks, jwks);
      assert.equal(keys.body.backchannel_logout_session_required, true, 'members not given stay as they are');
      for (const bad of [JSON.stringify(jwks), [jwks.keys[0]], true]) {
        assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { jwks: bad } }), 400, 'validation-error', { field: 'jwks' });
      }
      // While they are required, the keys cannot go.
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { jwks: null } }), 400, 'validation-error', { field: 'jwks' });
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { require_signed_request_object: 'yes' } }), 400, 'validation-error', { field: 'require_signed_request_object' });
      const nokeys = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { jwks: null, require_signed_request_object: false } });
      assertStatus(nokeys, 200);
      assert.equal(nokeys.body.jwks, null, 'null removes them');
      assert.equal(nokeys.body.require_signed_request_object, false);
      // Pairwise subject identifiers (OIDC Core §8.1): only while the app allows them.
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { subject_type: 'pairwise' } }), 400, 'validation-error', { field: 'subject_type' });
      assertStatus(await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { pairwise_subjects: true } } }), 200);
      const pairwise = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { subject_type: 'pairwise' } });
      assertStatus(pairwise, 200);
      assert.equal(pairwise.body.subject_type, 'pairwise');
      assert.equal((await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`)).body.subject_type, 'pairwise');
      assert.equal(pairwise.body.backchannel_logout_session_required, true, 'members not given stay as they are');
      const renamed = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { name: 'Renamed' } });
      assert.equal(renamed.body.subject_type, 'pairwise', 'kept when not given');
      for (const bad of ['sideways', 'PAIRWISE', true, null]) {
        assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { subject_type: bad } }), 400, 'validation-error', { field: 'subject_type' });
      }
      assert.equal((await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`)).body.subject_type, 'pairwise', 'bad patches changed nothing');
      const unpaired = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { subject_type: 'public' } });
      assertStatus(unpaired, 200);
      assert.equal(unpaired.body.subject_type, 'public');
      // Token exchange (RFC 8693): the grant and the audiences the client may ask for.
      const audiences = ['https://api.example.com', 'urn:example:billing'];
      const te = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, {
        json: { grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'], token_exchange_audiences: audiences },
      });
      assertStatus(te, 200);
      assert.deepEqual(te.body.token_exchange_audiences, audiences);
      assert.deepEqual(te.body.grant_types, ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange']);
      assert.deepEqual((await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`)).body.token_exchange_audiences, audiences);
      const kept = await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { name: 'Renamed' } });
      assertStatus(kept, 200);
      assert.deepEqual(kept.body.token_exchange_audiences, audiences, 'members not given stay as they are');
      for (const bad of ['https://api.example.com', ['has space'], [''], ['https://api.example.com', 'https://api.example.com'],
        Array.from({ length: 21 }, (_, i) => `https://api${i}.example.com`), [7]]) {
        assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { token_exchange_audiences: bad } }), 400, 'validation-error', { field: 'token_exchange_audiences' });
      }
      assert.deepEqual((await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`)).body.token_exchange_audiences, audiences, 'bad patches changed nothing');
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { id_token_signed_response_alg: 'HS256' } }), 400, 'validation-error', { field: 'id_token_signed_response_alg' });
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { id_token_signed_response_alg: 'none' } }), 400, 'validation-error', { field: 'id_token_signed_response_alg' });
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { is_public: true } }), 400, 'validation-error', { field: 'is_public' });
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { grant_types: ['password'] } }), 400, 'validation-error');
      assertProblem(await capi(X, 'PATCH', `/apps/${app.slug}/clients/${id}`, { json: { redirect_uris: 'https://x' } }), 400, 'validation-error', { field: 'redirect_uris' });
      assert.equal((await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`)).body.name, 'Renamed', 'bad patches changed nothing');

      // A public client has no secret to rotate.
      const pub = await capi(X, 'POST', `/apps/${app.slug}/clients`, {
        json: { name: 'SPA', is_public: true, redirect_uris: ['http://127.0.0.1:5173/cb'] },
      });
      assertStatus(pub, 201);
      assert.equal(pub.body.client_secret, undefined);
      assert.equal(pub.body.is_public, true);
      assertProblem(await capi(X, 'POST', `/apps/${app.slug}/clients/${pub.body.client_id}/secret`), 409, 'conflict');
      assertProblem(await capi(X, 'POST', `/apps/${app.slug}/clients`, { json: { name: 'Bad', redirect_uris: ['http://evil.example/cb'] } }), 400, 'validation-error');

      assertStatus(await capi(X, 'DELETE', `/apps/${app.slug}/clients/${id}`), 204);
      const dead = await token(id, secret2);
      assert.equal(dead.status, 401, show(dead));
      assertProblem(await capi(X, 'GET', `/apps/${app.slug}/clients/${id}`), 404, 'not-found');
      assertProblem(await capi(X, 'DELETE', `/apps/${app.slug}/clients/${id}`), 404, 'not-found');
      assert.deepEqual((await capi(X, 'GET', `/apps/${app.slug}/clients`)).body.clients.map((x) => x.client_id), [pub.body.client_id]);
    });

    // ------------------------------------------------------------------ users
    test("users: a user who signs up through the account API appears; the console manages them like the server API", async () => {
      const app = await newApp(X, 'usr');
      const email = uniqEmail('end');
      const password = `pw-${rand(16)}`;
      assertStatus(await srv.api('POST', '/api/signup', { app: app.slug, json: { email, password } }), 201);
      const list = await capi(X, 'GET', `/apps/${app.slug}/users?search=${encodeURIComponent(email)}`);
      assertStatus(list, 200);
      assert.equal(list.body.users.length, 1, show(list));
      assert.equal(list.body.total, 1);
      assert.equal(list.body.next_cursor, null);
      const user = list.body.users[0];
      assertUserShape(user, { app: app.slug, email });

      const detail = await capi(X, 'GET', `/apps/${app.slug}/users/${user.id}`);
      assertStatus(detail, 200);
      assert.deepEqual(detail.body.sessions, []);
      const login = await srv.api('POST', '/api/login', { app: app.slug, json: { email, password } });
      assertStatus(login, 200);
      assert.equal((await capi(X, 'GET', `/apps/${app.slug}/users/${user.id}`)).body.sessions.length, 1);

      const off = await capi(X, 'PATCH', `/apps/${app.slug}/users/${user.id}`, { json: { disabled: true } });
      assertStatus(off, 200);
      assert.equal(off.body.disabled, true);
      assertProblem(await srv.api('POST', '/api/login', { app: app.slug, json: { email, password } }), 401, 'unauthorized');
      assertProblem(await srv.api('POST', '/api/token/refresh', { app: app.slug, json: { refresh_token: login.body.refresh_token } }), 401, 'unauthorized');
      assertStatus(await capi(X, 'PATCH', `/apps/${app.slug}/users/${user.id}`, { json: { disabled: false } }), 200);
      assertStatus(await srv.api('POST', '/api/login', { app: app.slug, json: { email, password } }), 200);
      assert.deepEqual((await capi(X, 'DELETE', `/apps/${app.slug}/users/${user.id}/sessions`)).body, { sessions_ended: 1, api_tokens_revoked: 0, revoked: 1 });
      assertStatus(await capi(X, 'POST', `/apps/${app.slug}/users/${user.id}/password-reset`), 202);

      const made = await capi(X, 'POST', `/apps/${app.slug}/users`, { json: { email: uniqEmail('byconsole'), password: `pw-${rand(16)}`, issue_tokens: true } });
      assertStatus(made, 201);
      assertStatus(await srv.api('GET', '/api/me', { app: app.slug, token: made.body.tokens.access_token }), 200);
      const tokens = await capi(X, 'POST', `/apps/${app.slug}/users/${made.body.user.id}/tokens`);
      assertStatus(tokens, 200);
      assert.equal(tokens.body.user.id, made.body.user.id);
      assertStatus(await capi(X, 'DELETE', `/apps/${app.slug}/users/${user.id}`), 204);
      assertProblem(await capi(X, 'GET', `/apps/${app.slug}/users/${user.id}`), 404, 'not-found');
      assertProblem(await capi(X, 'GET', `/apps/${app.slug}/users?limit=500`), 400, 'validation-error', { field: 'limit' });
      assertProblem(await capi(X, 'POST', `/apps/${app.slug}/users`, { json: { email: uniqEmail(), disabled: true } }), 400, 'validation-error', { field: 'disabled' });
    });

  });
}
