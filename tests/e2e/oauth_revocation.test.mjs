// Revocation that really revokes (issue 12), from outside: a revoked access token is inactive at
// once for introspection and userinfo (client-credentials tokens too); revoking an OAuth client
// ends its grants while rotating its secret does not; introspection shows a client only its own
// tokens (a resource server every access token of the app); the account API's logout does not
// end an OAuth grant. The app and its clients are made through the console API, as a developer
// would.
//
// Run alone:  node --test tests/e2e/oauth_revocation.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, show, assertStatus, rand, uniqEmail, request } from './lib/server.mjs';
import { startConsoleFixture } from './lib/console.mjs';
import { WebClient, redirectParams, pkcePair, randomValue, tokenRequest, introspect, revoke } from './lib/oidc.mjs';

const REDIRECT = 'https://notes.example/callback';

for (const backend of backends()) {
  describe(`OAuth revocation and introspection (issue 12) [${backend}]`, () => {
    let srv, X, capi, slug, user;
    before(async () => {
      ({ srv, X, capi } = await startConsoleFixture(backend, `oauth-revocation-${backend}`));
      slug = `rev-${rand(8).toLowerCase()}`;
      assertStatus(await capi(X, 'POST', '/apps', { json: { slug, name: 'Notes' } }), 201);
      user = { email: uniqEmail('end'), password: `pw-${rand(16)}` };
      assertStatus(await srv.api('POST', '/api/signup', { app: slug, json: user }), 201);
    });
    after(() => srv?.close());

    const newClient = async (json) => {
      const res = await capi(X, 'POST', `/apps/${slug}/clients`, { json: { name: `c-${rand(6)}`, ...json } });
      assertStatus(res, 201);
      return res.body;
    };
    const webClient = () => newClient({ redirect_uris: [REDIRECT], first_party: true,
      scopes: ['openid', 'email', 'offline_access'] });
    const m2mClient = (extra = {}) => newClient({ grant_types: ['client_credentials'], scopes: ['notes:read'], ...extra });
    const opts = (client) => ({ client, app: slug });
    const active = async (token, client) => {
      const res = await introspect(srv, token, opts(client));
      assert.equal(res.status, 200, show(res));
      if (!res.body.active) assert.deepEqual(res.body, { active: false }, 'an inactive answer says nothing else');
      return res.body.active;
    };
    const userinfo = (token) => request('GET', `${srv.issuer(slug)}/oauth/userinfo`,
      { headers: { authorization: `Bearer ${token}` } });
    const clientToken = async (client) => {
      const res = await tokenRequest(srv, { grant_type: 'client_credentials', scope: 'notes:read' }, opts(client));
      assert.equal(res.status, 200, show(res));
      return res.body.access_token;
    };
    /** A user's grant to `client`: the code flow with a fresh user agent. */
    const grant = async (client) => {
      const agent = new WebClient(srv, { app: slug });
      const { verifier, challenge } = pkcePair();
      const state = randomValue();
      const r = await agent.authorize({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT,
        scope: 'openid email offline_access', state, code_challenge: challenge, code_challenge_method: 'S256' }, { user });
      const q = redirectParams(r, REDIRECT);
      assert.ok(q.code, JSON.stringify(q));
      const res = await tokenRequest(srv, { grant_type: 'authorization_code', code: q.code, redirect_uri: REDIRECT,
        code_verifier: verifier }, opts(client));
      assert.equal(res.status, 200, show(res));
      return res.body;
    };

    test('a revoked client-credentials access token is inactive at once; the client\'s other tokens are not', async () => {
      const m2m = await m2mClient();
      const t1 = await clientToken(m2m);
      const t2 = await clientToken(m2m);
      assert.equal(await active(t1, m2m), true);
      const other = await m2mClient();
      assertStatus(await revoke(srv, t1, opts(other)), 200);  // not its token: ignored
      assert.equal(await active(t1, m2m), true);
      assertStatus(await revoke(srv, t1, opts(m2m)), 200);
      assert.equal(await active(t1, m2m), false);
      assert.equal(await active(t2, m2m), true);
      assertStatus(await revoke(srv, t1, opts(m2m)), 200);  // again: still 200
    });

    test('a revoked grant access token fails userinfo and introspection at once', async () => {
      const web = await webClient();
      const t = await grant(web);
      assertStatus(await userinfo(t.access_token), 200);
      assertStatus(await revoke(srv, t.access_token, opts(web)), 200);
      assert.equal((await userinfo(t.access_token)).status, 401);
      assert.equal(await active(t.access_token, web), false);
      assert.equal(await active(t.refresh_token, web), false, 'the grant ended with its access token');
    });

    test('introspection: a client sees its own tokens; a resource server every access token, no refresh token', async () => {
      const a = await webClient();
      const b = await webClient();
      const worker = await m2mClient();
      const api = await m2mClient({ resource_server: true });
      assert.equal(api.resource_server, true, JSON.stringify(api));
      assert.equal(a.resource_server, false);
      const t = await grant(a);
      const cc = await clientToken(worker);
      const login = await srv.api('POST', '/api/login', { app: slug, json: user });
      assertStatus(login, 200);
      assert.equal(await active(t.access_token, a), true);
      assert.equal(await active(t.refresh_token, a), true);
      for (const outsider of [b, worker]) {
        assert.equal(await active(t.access_token, outsider), false, 'another client\'s access token');
        assert.equal(await active(t.refresh_token, outsider), false, 'another client\'s refresh token');
        assert.equal(await active(login.body.refresh_token, outsider), false, 'an account-API refresh token');
      }
      assert.equal(await active(cc, b), false);
      assert.equal(await active(t.access_token, api), true);
      assert.equal(await active(cc, api), true);
      assert.equal(await active(login.body.access_token, api), true);
      assert.equal(await active(t.refresh_token, api), false, 'refresh tokens are only for their client');
      assert.equal(await active(login.body.refresh_token, api), false);
      // A public client cannot be a resource server.
      const bad = await capi(X, 'POST', `/apps/${slug}/clients`, { json: { name: 'SPA', is_public: true,
        redirect_uris: ['http://127.0.0.1:5173/cb'], resource_server: true } });
      assert.equal(bad.status, 400, show(bad));
    });

    test('revoking a client ends its grants and tokens at once; rotating its secret ends none', async () => {
      const web = await webClient();
      const kept = await webClient();
      const api = await m2mClient({ resource_server: true });
      const t = await grant(web);
      const k = await grant(kept);
      const rotated = await capi(X, 'POST', `/apps/${slug}/clients/${web.client_id}/secret`);
      assertStatus(rotated, 200);
      assertStatus(await userinfo(t.access_token), 200);
      assert.equal(await active(t.access_token, api), true, 'rotating the secret leaves the grant');
      const rolled = await tokenRequest(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token },
        opts({ ...web, client_secret: rotated.body.client_secret }));
      assert.equal(rolled.status, 200, show(rolled));

      assertStatus(await capi(X, 'DELETE', `/apps/${slug}/clients/${web.client_id}`), 204);
      assert.equal((await userinfo(rolled.body.access_token)).status, 401);
      assert.equal(await active(rolled.body.access_token, api), false);
      const again = await tokenRequest(srv, { grant_type: 'refresh_token', refresh_token: rolled.body.refresh_token },
        opts({ ...web, client_secret: rotated.body.client_secret }));
      assert.equal(again.status, 401, show(again));
      // Its client-credentials tokens too.
      const m2m = await m2mClient();
      const cc = await clientToken(m2m);
      assertStatus(await capi(X, 'DELETE', `/apps/${slug}/clients/${m2m.client_id}`), 204);
      assert.equal(await active(cc, api), false);
      // Another client's grant lives on.
      assertStatus(await userinfo(k.access_token), 200);
      assert.equal(await active(k.refresh_token, kept), true);
    });

    test('POST /api/logout with an OAuth grant\'s refresh token does not end the grant', async () => {
      const web = await webClient();
      const t = await grant(web);
      const out = await srv.api('POST', '/api/logout', { app: slug, json: { refresh_token: t.refresh_token } });
      assert.equal(out.status, 204, show(out));  // says nothing about the token
      assert.equal(await active(t.refresh_token, web), true);
      assertStatus(await userinfo(t.access_token), 200);
      // The account API's own session does end so.
      const login = await srv.api('POST', '/api/login', { app: slug, json: user });
      assertStatus(await srv.api('POST', '/api/logout', { app: slug, json: { refresh_token: login.body.refresh_token } }), 204);
      const refreshed = await srv.api('POST', '/api/token/refresh', { app: slug, json: { refresh_token: login.body.refresh_token } });
      assert.equal(refreshed.status, 401, show(refreshed));
    });
  });
}
