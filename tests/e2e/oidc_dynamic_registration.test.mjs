// Dynamic client registration (RFC 7591) and management (RFC 7592) end to end: an unmodified
// openid-client v6 registers a client with an initial access token made on the command line
// (dynamicClientRegistration), and that client signs a user in through chromium (consent
// names it) and gets tokens. From outside, by hand: discovery only while the app has it on,
// a public client, the registration access token reading, replacing and deleting only its own
// client (a deleted client authenticates no more), and the refusals: no, wrong, revoked or
// another app's token (401 with a Bearer challenge), malformed or inconsistent metadata and
// bad redirect URIs (400 with RFC 7591's errors), nothing registered by any of them.
//
// Run alone:  node --test tests/e2e/oidc_dynamic_registration.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, request, show, sleep } from './lib/server.mjs';
import { importOidcClient, tokenRequest, assertOAuthError } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`dynamic client registration (RFC 7591, 7592) [${backend}]`, () => {
    let fixture, srv, issuer, rp, user, newPage, codeFlow, browser;
    let iat, registered;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-dcr-${backend}`);
      ({ srv, issuer, rp, user, newPage, codeFlow, browser } = fixture);
      iat = (await srv.admin(['create-registration-token', '--app', srv.app, '--name', 'Partner',
        '--expires-in-days', '7'])).token;
      assert.match(iat, /^tiat_/);
    });
    after(() => fixture?.close());

    const discovery = async () => (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
    const register = (metadata, { token = iat, body, type = 'application/json' } = {}) =>
      request('POST', `${issuer}/oauth/register`, {
        body: body ?? JSON.stringify(metadata),
        headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const manage = (method, uri, token, metadata) => request(method, uri, {
      headers: { authorization: `Bearer ${token}`, ...(metadata ? { 'content-type': 'application/json' } : {}) },
      ...(metadata ? { body: JSON.stringify(metadata) } : {}) });
    const web = () => ({ client_name: 'Partner Notes', redirect_uris: [rp.url('/callback')],
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] });
    const assertBearerChallenge = (r) => {
      assert.equal(r.status, 401, show(r));
      assert.equal(r.body.error, 'invalid_token');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="tessera", error="invalid_token"');
    };

    test('off by default: no registration_endpoint, and the endpoint registers nothing', async () => {
      assert.equal((await discovery()).registration_endpoint, undefined);
      const r = await register(web());
      assert.equal(r.status, 400, show(r));
      assert.equal(r.body.error, 'invalid_request');
    });

    test('on: discovery lists the endpoint', async () => {
      await srv.admin(['update-app', '--app', srv.app, '--dynamic-registration', 'true']);
      for (let i = 0; i < 80 && !(await discovery()).registration_endpoint; i++) await sleep(100);
      assert.equal((await discovery()).registration_endpoint, `${issuer}/oauth/register`);
    });

    test('openid-client registers a client, which signs a user in through the browser', async () => {
      const config = await client.dynamicClientRegistration(new URL(issuer), web(), undefined,
        { initialAccessToken: iat, execute: [client.allowInsecureRequests] });
      const meta = config.clientMetadata();
      assert.match(meta.client_secret, /^tcs_/);
      assert.match(meta.registration_access_token, /^trat_/);
      assert.equal(meta.registration_client_uri, `${issuer}/oauth/register/${meta.client_id}`);
      assert.equal(meta.client_secret_expires_at, 0);
      registered = meta;
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, config, { scope: 'openid email offline_access' });
        assert.deepEqual(r.seen, ['login', 'consent']);  // third-party: consent is asked
        assert.equal(r.claims.sub, user.user.id);
        assert.equal(r.claims.aud, meta.client_id);
        assert.ok(r.tokens.refresh_token);
      } finally {
        await context.close();
      }
      // The token's last use is on the list.
      const list = await srv.admin(['list-registration-tokens', '--app', srv.app]);
      assert.ok(list.registration_tokens.some((t) => t.last_used_at), JSON.stringify(list));
    });

    test('a public client (none): no secret, PKCE', async () => {
      const r = await register({ redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' });
      assert.equal(r.status, 201, show(r));
      assert.equal(r.body.client_secret, undefined);
      assert.equal(r.body.token_endpoint_auth_method, 'none');
      assert.deepEqual(r.body.response_types, ['code']);
      assert.equal(r.headers.get('cache-control'), 'no-store');
    });

    test('the registration access token reads, replaces and deletes its own client only', async () => {
      const { registration_client_uri: uri, registration_access_token: rat, client_id: id } = registered;
      const read = await manage('GET', uri, rat);
      assert.equal(read.status, 200, show(read));
      assert.equal(read.body.client_name, 'Partner Notes');
      assert.equal(read.body.client_secret, undefined);
      const other = await register(web());
      assertBearerChallenge(await manage('GET', uri, other.body.registration_access_token));
      assertBearerChallenge(await manage('GET', uri, iat));
      const put = await manage('PUT', uri, rat, { ...web(), client_id: id, client_name: 'Partner Notes 2' });
      assert.equal(put.status, 200, show(put));
      assert.equal(put.body.client_name, 'Partner Notes 2');
      const del = await manage('DELETE', uri, rat);
      assert.equal(del.status, 204, show(del));
      assertBearerChallenge(await manage('GET', uri, rat));
      const t = await tokenRequest(srv, { grant_type: 'refresh_token', refresh_token: 'x' },
        { client: { client_id: id, client_secret: registered.client_secret } });
      assertOAuthError(t, 401, 'invalid_client');
    });

    test('refusals: tokens (401, Bearer challenge), metadata and redirect URIs (400); nothing registered', async () => {
      assertBearerChallenge(await register(web(), { token: '' }));
      assertBearerChallenge(await register(web(), { token: 'tiat_nottherealtoken0000000000000000000000000' }));
      const cases = [
        [{ ...web(), redirect_uris: ['http://partner.example/cb'] }, 'invalid_redirect_uri'],
        [{ ...web(), redirect_uris: ['https://partner.example/cb#frag'] }, 'invalid_redirect_uri'],
        [{ ...web(), redirect_uris: 'https://partner.example/cb' }, 'invalid_client_metadata'],
        [{ ...web(), grant_types: ['implicit'] }, 'invalid_client_metadata'],
        [{ ...web(), response_types: ['code', 'id_token'] }, 'invalid_client_metadata'],
        [{ ...web(), token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
        [{ ...web(), client_name: 'x'.repeat(201) }, 'invalid_client_metadata'],
        [{ ...web(), client_name: 'a\u0000b' }, 'invalid_client_metadata'],
        [{ ...web(), scope: 'openid "email' }, 'invalid_client_metadata'],
      ];
      for (const [metadata, error] of cases) {
        const r = await register(metadata);
        assert.equal(r.status, 400, `${JSON.stringify(metadata)}: ${show(r)}`);
        assert.equal(r.body.error, error, `${JSON.stringify(metadata)}: ${show(r)}`);
      }
      for (const body of ['{"client_name":', '[]', 'null']) {
        const r = await register(null, { body });
        assert.equal(r.status, 400, show(r));
        assert.equal(r.body.error, 'invalid_client_metadata');
      }
      const plain = await register(null, { body: JSON.stringify(web()), type: 'text/plain' });
      assert.equal(plain.body.error, 'invalid_client_metadata', show(plain));
      // SQL metacharacters are scope characters (RFC 6749 §3.3): kept as data, nothing else.
      const sql = await register({ ...web(), scope: "openid '; DROP TABLE oauth_clients; --" });
      assert.equal(sql.status, 201, show(sql));
      assert.equal(sql.body.scope, "openid '; DROP TABLE oauth_clients; --");
      // Unknown metadata is ignored; HTML in a name is kept as text.
      const odd = await register({ ...web(), client_name: '<img src=x onerror=alert(1)>', logo_uri: 'https://x/l.png',
        software_statement: 'eyJhbGciOiJub25lIn0.e30.' });
      assert.equal(odd.status, 201, show(odd));
      assert.equal(odd.body.client_name, '<img src=x onerror=alert(1)>');
      assert.equal(odd.body.logo_uri, undefined);
      // A revoked token registers no more.
      const { id } = (await srv.admin(['list-registration-tokens', '--app', srv.app])).registration_tokens[0];
      await srv.admin(['revoke-registration-token', '--app', srv.app, '--id', id]);
      assertBearerChallenge(await register(web()));
    });
  });
}
