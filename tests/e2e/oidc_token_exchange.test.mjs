// Token exchange (RFC 8693) end to end: a user signs in to a web client in chromium; a gateway
// service holding that user's access token trades it with an unmodified openid-client v6
// (genericGrantRequest) for a token meant for the API it calls — verified against the JWKS,
// introspected by the API, dead once the user's grant is revoked — and the refusals of
// RFC 8693 §2.2.2: a service outside the client's policy (invalid_target), more scope
// (invalid_scope), forged or foreign token types (invalid_request). Also the app's switch.
//
// Run alone:  node --test tests/e2e/oidc_token_exchange.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, request, show, sleep, decodeJwt, verifyEs256 } from './lib/server.mjs';
import { importOidcClient, formBody, basicAuth } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const API = 'https://api.example.com';

for (const backend of backends()) {
  describe(`token exchange (RFC 8693) [${backend}]`, () => {
    let fixture, srv, issuer, web, user, configFor, newPage, codeFlow, browser, jwkFor, gateway, api, userToken;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-exchange-${backend}`);
      ({ srv, issuer, web, user, configFor, newPage, codeFlow, browser, jwkFor } = fixture);
      gateway = await srv.admin(['create-client', '--app', srv.app, '--name', 'Gateway', '--grant', GRANT,
        '--grant', 'client_credentials', '--scope', 'gateway', '--token-exchange-audience', API]);
      api = await srv.admin(['create-client', '--app', srv.app, '--name', 'Notes API', '--grant', 'client_credentials',
        '--scope', 'notes', '--resource-server']);
    });
    after(() => fixture?.close());

    /** A fresh access token of the user, from a code flow of the web client in chromium. */
    async function signInToWeb() {
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, await configFor(web), { scope: 'openid profile email' });
        return r.tokens.access_token;
      } finally {
        await context.close();
      }
    }
    const exchange = (fields, c = gateway) => request('POST', `${issuer}/oauth/token`, {
      body: formBody({ grant_type: GRANT, subject_token_type: ACCESS_TOKEN, ...fields }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(c.client_id, c.client_secret) } });
    const introspect = (token) => request('POST', `${issuer}/oauth/introspect`, {
      body: formBody({ token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(api.client_id, api.client_secret) } });

    test('off by default: the grant is not offered', async () => {
      userToken = await signInToWeb();
      const m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
      assert.ok(!m.grant_types_supported.includes(GRANT));
      const r = await exchange({ subject_token: userToken, audience: API });
      assert.equal(r.body.error, 'unsupported_grant_type', show(r));
    });

    test('on: discovery lists the grant', async () => {
      await srv.admin(['update-app', '--app', srv.app, '--token-exchange', 'true']);
      let m;
      for (let i = 0; i < 80; i++) {  // SQLite: the server's cached app lives up to 5 s
        m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
        if (m.grant_types_supported.includes(GRANT)) break;
        await sleep(100);
      }
      assert.ok(m.grant_types_supported.includes(GRANT), JSON.stringify(m.grant_types_supported));
    });

    test('openid-client trades the user\'s token for one meant for the API; the API introspects it', async () => {
      const config = await configFor(gateway);
      const r = await client.genericGrantRequest(config, GRANT,
        { subject_token: userToken, subject_token_type: ACCESS_TOKEN, audience: API, scope: 'profile' });
      assert.equal(r.issued_token_type, ACCESS_TOKEN);
      assert.equal(r.token_type.toLowerCase(), 'bearer');
      assert.equal(r.scope, 'profile');
      const { header, claims } = decodeJwt(r.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.ok(verifyEs256(r.access_token, await jwkFor(r.access_token)), 'signed by a key of the JWKS');
      const was = decodeJwt(userToken).claims;
      assert.equal(claims.aud, API);
      assert.equal(claims.sub, user.user.id);
      assert.equal(claims.client_id, gateway.client_id);
      assert.equal(claims.sid, was.sid);
      assert.ok(claims.exp <= was.exp, 'never outlives the subject token');
      const seen = await introspect(r.access_token);
      assert.equal(seen.body.active, true, show(seen));
      assert.equal(seen.body.aud, API);
      assert.equal(seen.body.sub, user.user.id);
      // Not a token for the account API.
      const me = await request('GET', `${issuer}/api/me`, { token: r.access_token });
      assert.equal(me.status, 401, show(me));
    });

    test('an actor token puts the gateway in act', async () => {
      const own = await request('POST', `${issuer}/oauth/token`, { body: formBody({ grant_type: 'client_credentials', scope: 'gateway' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(gateway.client_id, gateway.client_secret) } });
      assert.equal(own.status, 200, show(own));
      const r = await exchange({ subject_token: userToken, audience: API, actor_token: own.body.access_token, actor_token_type: ACCESS_TOKEN });
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(decodeJwt(r.body.access_token).claims.act, { sub: gateway.client_id });
      assert.deepEqual((await introspect(r.body.access_token)).body.act, { sub: gateway.client_id });
    });

    test('refusals: another service, more scope, bad types and tokens', async () => {
      const cases = [
        ['a service outside the policy', { subject_token: userToken, audience: 'https://evil.example.com' }, 'invalid_target'],
        ['more scope than the user gave', { subject_token: userToken, audience: API, scope: 'profile offline_access' }, 'invalid_scope'],
        ['an ID token type', { subject_token: userToken, audience: API, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }, 'invalid_request'],
        ['a forged token', { subject_token: userToken.slice(0, -4) + 'AAAA', audience: API }, 'invalid_request'],
        ['no subject token', { audience: API }, 'invalid_request'],
        ['a refresh token asked for', { subject_token: userToken, audience: API, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }, 'invalid_request'],
      ];
      for (const [what, fields, error] of cases) {
        const r = await exchange(fields);
        assert.equal(r.status, 400, `${what}: ${show(r)}`);
        assert.equal(r.body.error, error, `${what}: ${show(r)}`);
      }
      // A client not registered for the grant.
      const r = await exchange({ subject_token: userToken, audience: API }, web);
      assert.equal(r.body.error, 'unauthorized_client', show(r));
    });

    test('revoking the user\'s token ends what was exchanged from it', async () => {
      const r = await exchange({ subject_token: userToken, audience: API });
      assert.equal(r.status, 200, show(r));
      const revoke = await request('POST', `${issuer}/oauth/revoke`, { body: formBody({ token: userToken }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(web.client_id, web.client_secret) } });
      assert.equal(revoke.status, 200, show(revoke));
      assert.equal((await introspect(r.body.access_token)).body.active, false);
      const again = await exchange({ subject_token: userToken, audience: API });
      assert.equal(again.body.error, 'invalid_request', show(again));
    });
  });
}
