// POST {issuer}/oauth/token with the client_credentials grant (RFC 6749 §4.4), client
// authentication (§2.3: client_secret_basic, client_secret_post, never both) and the error
// answers of §5.2, checked exactly.
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, decodeJwt, verifyEs256,
  rand, show, signup, login,
} from './lib/server.mjs';

const form = (fields) => new URLSearchParams(fields).toString();
const basic = (id, secret) =>
  'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

function assertOAuthError(res, status, error) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body?.error, error, show(res));
  assert.match(res.headers.get('content-type') || '', /^application\/json/, show(res));
  assert.equal(res.headers.get('cache-control'), 'no-store', show(res));
}

for (const backend of backends()) {
  describe(`oauth token endpoint [${backend}]`, () => {
    let srv, m2m, codeOnly, other;
    const token = (fields, headers = {}, app) =>
      srv.api('POST', '/oauth/token', {
        app, body: form(fields),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });

    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `oauth-${backend}` });
      m2m = await srv.admin(['create-client', '--app', srv.app, '--name', 'Billing <worker>',
        '--grant', 'client_credentials', '--scope', 'invoices:read', '--scope', 'invoices:write']);
      codeOnly = await srv.admin(['create-client', '--app', srv.app, '--name', 'Web app',
        '--redirect-uri', 'https://app.example/callback']);
      const slug = `other-${rand(8).toLowerCase()}`;
      await srv.createApp(slug);
      other = { slug, client: await srv.admin(['create-client', '--app', slug, '--name', 'B',
        '--grant', 'client_credentials', '--scope', 'invoices:read']) };
    });
    after(() => srv?.close());

    test('registration prints the secret once and stores only its hash', async () => {
      assert.match(m2m.client_secret, /^tcs_[A-Za-z0-9_-]{43}$/);
      assert.equal(m2m.name, 'Billing <worker>');
      assert.deepEqual(m2m.grant_types, ['client_credentials']);
      assert.equal(m2m.token_endpoint, `${srv.issuer()}/oauth/token`);
      assert.deepEqual(codeOnly.scopes, ['openid', 'profile', 'email', 'offline_access']);
    });

    test('client_secret_basic → an RFC 9068 access token that verifies against the JWKS', async () => {
      const res = await token({ grant_type: 'client_credentials', scope: 'invoices:read' },
        { authorization: basic(m2m.client_id, m2m.client_secret) });
      assertStatus(res, 200);
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.expires_in, 600);
      assert.equal(res.body.scope, 'invoices:read');
      assert.equal(res.body.refresh_token, undefined, 'no refresh token for client_credentials (§4.4.3)');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('pragma'), 'no-cache');
      const { header, claims } = decodeJwt(res.body.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(claims.sub, m2m.client_id);
      assert.equal(claims.client_id, m2m.client_id);
      assert.equal(claims.iss, srv.issuer());
      assert.equal(claims.aud, srv.issuer());
      assert.equal(claims.scope, 'invoices:read');
      const jwks = (await srv.api('GET', '/.well-known/jwks.json')).body;
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      assert.ok(jwk && verifyEs256(res.body.access_token, jwk), 'signature verifies with node:crypto');
    });

    test('client_secret_post works; omitted scope grants the client\'s registered scopes', async () => {
      const res = await token({ grant_type: 'client_credentials', client_id: m2m.client_id,
        client_secret: m2m.client_secret });
      assertStatus(res, 200);
      assert.equal(res.body.scope, 'invoices:read invoices:write');
    });

    test('wrong secret and unknown client: the same 401 invalid_client with a Basic challenge', async () => {
      const wrong = await token({ grant_type: 'client_credentials' },
        { authorization: basic(m2m.client_id, m2m.client_secret.slice(0, -1) + 'x') });
      const unknown = await token({ grant_type: 'client_credentials' },
        { authorization: basic('no-such-client', m2m.client_secret) });
      const posted = await token({ grant_type: 'client_credentials', client_id: m2m.client_id,
        client_secret: 'tcs_wrong' });
      for (const res of [wrong, unknown, posted]) {
        assertOAuthError(res, 401, 'invalid_client');
        assert.match(res.headers.get('www-authenticate') || '', /^Basic /, show(res));
      }
      assert.equal(wrong.text, unknown.text, 'no client enumeration');
    });

    test('no client authentication → invalid_client; two methods at once → invalid_request', async () => {
      assertOAuthError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client');
      assertOAuthError(await token({ grant_type: 'client_credentials', client_secret: m2m.client_secret },
        { authorization: basic(m2m.client_id, m2m.client_secret) }), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'client_credentials' },
        { authorization: 'Basic !!!not-base64' }), 401, 'invalid_client');
    });

    test('grant errors: missing, unsupported (password, implicit), not allowed to the client', async () => {
      const auth = { authorization: basic(m2m.client_id, m2m.client_secret) };
      assertOAuthError(await token({}, auth), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'password', username: 'a', password: 'b' }, auth),
        400, 'unsupported_grant_type');
      assertOAuthError(await token({ grant_type: 'token' }, auth), 400, 'unsupported_grant_type');
      assertOAuthError(await token({ grant_type: 'client_credentials' },
        { authorization: basic(codeOnly.client_id, codeOnly.client_secret) }), 400, 'unauthorized_client');
    });

    test('scope errors: unregistered scope, OIDC scopes without a user', async () => {
      const auth = { authorization: basic(m2m.client_id, m2m.client_secret) };
      assertOAuthError(await token({ grant_type: 'client_credentials', scope: 'invoices:read admin' }, auth),
        400, 'invalid_scope');
      assertOAuthError(await token({ grant_type: 'client_credentials', scope: 'openid' }, auth),
        400, 'invalid_scope');
    });

    test('malformed requests: JSON body, repeated parameter, bad escapes', async () => {
      const auth = basic(m2m.client_id, m2m.client_secret);
      const json = await srv.api('POST', '/oauth/token', { json: { grant_type: 'client_credentials' },
        headers: { authorization: auth } });
      assertOAuthError(json, 400, 'invalid_request');
      const repeated = await srv.api('POST', '/oauth/token', {
        body: 'grant_type=client_credentials&scope=invoices:read&scope=invoices:write',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth } });
      assertOAuthError(repeated, 400, 'invalid_request');
      const escapes = await srv.api('POST', '/oauth/token', { body: 'grant_type=client_credentials&scope=%zz',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth } });
      assertOAuthError(escapes, 400, 'invalid_request');
    });

    test('tenant isolation: a client of app B is unknown at app A, and its token is refused there', async () => {
      const cred = { authorization: basic(other.client.client_id, other.client.client_secret) };
      assertOAuthError(await token({ grant_type: 'client_credentials' }, cred), 401, 'invalid_client');
      const atB = await token({ grant_type: 'client_credentials' }, cred, other.slug);
      assertStatus(atB, 200);
      const me = await srv.api('GET', '/api/me', { token: atB.body.access_token });
      assert.equal(me.status, 401, show(me));
    });

    test('a machine token is not a user: /api/me refuses it', async () => {
      const res = await token({ grant_type: 'client_credentials' },
        { authorization: basic(m2m.client_id, m2m.client_secret) });
      const me = await srv.api('GET', '/api/me', { token: res.body.access_token });
      assert.equal(me.status, 401, show(me));
      // …while a user's token still works beside it.
      const u = await signup(srv);
      const t = await login(srv, { email: u.email }, u.password);
      assertStatus(await srv.api('GET', '/api/me', { token: t.access_token }), 200);
    });

    test('registration rejects what RFC 8252 / RFC 9700 forbid', async () => {
      for (const args of [
        ['--public', '--grant', 'client_credentials'],
        ['--redirect-uri', 'http://evil.example/cb'],
        ['--redirect-uri', 'https://app.example/cb#frag'],
        ['--grant', 'password'],
        ['--grant', 'authorization_code'],
      ]) {
        await assert.rejects(srv.admin(['create-client', '--app', srv.app, '--name', 'x', ...args]),
          `create-client ${args.join(' ')} should fail`);
      }
      const native = await srv.admin(['create-client', '--app', srv.app, '--name', 'CLI', '--public',
        '--redirect-uri', 'http://127.0.0.1/callback', '--redirect-uri', 'com.example.app:/cb']);
      assert.equal(native.client_secret, undefined, 'public clients have no secret');
    });
  });
}
