// OpenID Connect end to end, the way a real relying party and a real person use it: an unmodified
// certified client library (openid-client v6) does discovery, builds the authorization request
// (PKCE S256, state, nonce), exchanges the code (validating the ID token, nonce and the RFC 9207
// `iss`), calls userinfo, refreshes, introspects and revokes; a real chromium (playwright-core)
// signs in on the hosted login page and answers the consent page. The relying party's
// redirect_uri is a tiny HTTP server on 127.0.0.1 (fixture and flow helpers: lib/oidc_flow.mjs).
//
// This file: discovery metadata; a confidential client's code flow; refresh, introspection and
// revocation through openid-client; remembered consent; denying consent; a public client (PKCE,
// log in by username). Hosted pages and sessions: oidc_flow_pages.test.mjs.
//
// Screenshots of every hosted page go to $TESSERA_E2E_ARTIFACTS or <repo>/build/e2e-artifacts
// (oidc-01-login.png, …). Without chromium these tests fail (see lib/browser.mjs).
//
// Run alone:  node --test tests/e2e/oidc_flow_client.test.mjs
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  backends, test, describe, before, after, signup, rand, request, show, decodeJwt, verifyEs256,
} from './lib/server.mjs';
import { importOidcClient, halfHash, SESSION_COOKIE_RE, ALL_SCOPES } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`OpenID Connect with openid-client and chromium [${backend}]`, () => {
    let fixture, srv, browser, issuer, web, spa, user, configFor, newPage, codeFlow, jwkFor;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-flow-client-${backend}`);
      ({ srv, browser, issuer, web, spa, user, configFor, newPage, codeFlow, jwkFor } = fixture);
    });
    after(() => fixture?.close());

    test('discovery: the OpenID Provider metadata is complete and self-consistent', async () => {
      const res = await request('GET', `${issuer}/.well-known/openid-configuration`);
      assert.equal(res.status, 200, show(res));
      assert.match(res.headers.get('content-type') || '', /^application\/json/, show(res));
      const m = res.body;
      assert.equal(m.issuer, issuer);
      assert.equal(m.authorization_endpoint, `${issuer}/oauth/authorize`);
      assert.equal(m.token_endpoint, `${issuer}/oauth/token`);
      assert.equal(m.userinfo_endpoint, `${issuer}/oauth/userinfo`);
      assert.equal(m.jwks_uri, `${issuer}/.well-known/jwks.json`);
      assert.equal(m.introspection_endpoint, `${issuer}/oauth/introspect`);
      assert.equal(m.revocation_endpoint, `${issuer}/oauth/revoke`);
      assert.equal(m.end_session_endpoint, `${issuer}/oauth/logout`);
      assert.deepEqual(m.response_types_supported, ['code']);
      for (const g of ['authorization_code', 'refresh_token']) assert.ok(m.grant_types_supported?.includes(g), `grant ${g}`);
      assert.ok(!m.grant_types_supported.includes('implicit') && !m.grant_types_supported.includes('password'));
      assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
      assert.deepEqual([...m.token_endpoint_auth_methods_supported].sort(),
        ['client_secret_basic', 'client_secret_post', 'none']);
      // RS256 is what OpenID Connect Discovery requires and relying parties assume (issue 12).
      assert.deepEqual([...m.id_token_signing_alg_values_supported].sort(), ['ES256', 'RS256']);
      for (const s of ['openid', 'profile', 'email', 'phone', 'address', 'offline_access']) {
        assert.ok(m.scopes_supported?.includes(s), `scopes_supported has ${s}: ${JSON.stringify(m.scopes_supported)}`);
      }
      for (const c of ['sub', 'email', 'email_verified', 'name']) {
        assert.ok(m.claims_supported?.includes(c), `claims_supported has ${c}: ${JSON.stringify(m.claims_supported)}`);
      }
      assert.equal(m.authorization_response_iss_parameter_supported, true);
      assert.ok(m.subject_types_supported?.includes('public'), 'subject_types_supported (required by OIDC Discovery)');
      // The library agrees (it checks issuer == the URL it was given).
      const config = await configFor(web);
      assert.equal(config.serverMetadata().issuer, issuer);
      assert.ok(config.serverMetadata().supportsPKCE());
      // Another app has its own metadata; an unknown app has none.
      const other = await request('GET', `${srv.baseUrl}/apps/no-such-app-${rand(6)}/.well-known/openid-configuration`);
      assert.equal(other.status, 404, show(other));
    });

    test('confidential client: chromium signs in and consents; openid-client gets and validates the tokens', async () => {
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(web);
        const r = await codeFlow(page, config, { shots: { login: '01-login', consent: '02-consent', callback: '03-callback' } });
        assert.deepEqual(r.seen, ['login', 'consent']);
        // The authorization response (RFC 6749 §4.1.2 + RFC 9207).
        assert.equal(r.callback.searchParams.get('state'), r.checks.expectedState);
        assert.equal(r.callback.searchParams.get('iss'), issuer);
        assert.ok(r.callback.searchParams.get('code'));

        // The browser session cookie: HttpOnly, SameSite=Lax.
        const cookies = await context.cookies(srv.baseUrl);
        const session = cookies.find((c) => SESSION_COOKIE_RE.test(c.name));
        assert.ok(session, `a tessera_session* cookie: ${JSON.stringify(cookies.map((c) => c.name))}`);
        assert.equal(session.httpOnly, true, 'session cookie is HttpOnly');
        assert.equal(session.sameSite, 'Lax', 'session cookie is SameSite=Lax');

        // Token response.
        const t = r.tokens;
        assert.match(t.token_type, /^bearer$/i); // openid-client lowercases it; the raw answer is checked in oidc_negative
        assert.ok(Number.isInteger(t.expires_in) && t.expires_in > 0, `expires_in ${t.expires_in}`);
        assert.deepEqual(t.scope.split(' ').sort(), ALL_SCOPES.slice().sort());
        assert.ok(t.refresh_token, 'offline_access granted → a refresh token');
        assert.ok(t.id_token);

        // ID token (openid-client validated iss, aud, exp, iat, nonce and the signature alg).
        const c = r.claims;
        assert.equal(c.iss, issuer);
        assert.equal(c.sub, user.user.id);
        assert.ok(c.aud === web.client_id || (Array.isArray(c.aud) && c.aud.includes(web.client_id)), `aud ${c.aud}`);
        assert.equal(c.nonce, r.checks.expectedNonce);
        const now = Math.floor(Date.now() / 1000);
        assert.ok(Math.abs(c.iat - now) < 120 && c.exp > c.iat, `iat ${c.iat} exp ${c.exp}`);
        assert.ok(Number.isInteger(c.auth_time) && c.auth_time <= c.iat + 1 && now - c.auth_time < 300, `auth_time ${c.auth_time}`);
        assert.equal(c.at_hash, halfHash(t.access_token), 'at_hash = left half of SHA-256(access_token)');
        assert.deepEqual(c.amr, ['pwd'], 'amr: signed in with a password (RFC 8176)');
        assert.equal(c.idp, undefined, 'no upstream provider');
        assert.equal(c.email, user.email);
        assert.equal(typeof c.email_verified, 'boolean');
        assert.equal(c.name, 'Ada Lovelace');
        const idt = decodeJwt(t.id_token);
        assert.equal(idt.header.alg, 'RS256', 'the OIDC Registration default');
        const idKey = crypto.createPublicKey({ key: await jwkFor(t.id_token), format: 'jwk' });
        const [ih, ip, is] = t.id_token.split('.');
        assert.ok(crypto.verify('sha256', Buffer.from(`${ih}.${ip}`), idKey, Buffer.from(is, 'base64url')),
          'ID token signature verifies against the JWKS');

        // The access token: an RFC 9068 JWT for this user and client.
        const at = decodeJwt(t.access_token);
        assert.equal(at.header.typ, 'at+jwt');
        assert.equal(at.claims.iss, issuer);
        assert.equal(at.claims.sub, user.user.id);
        assert.equal(at.claims.client_id, web.client_id);
        assert.ok(at.claims.scope.split(' ').includes('openid'));

        // Userinfo via the library (GET with Bearer; checks sub).
        const info = await client.fetchUserInfo(config, t.access_token, c.sub);
        assert.equal(info.sub, user.user.id);
        assert.equal(info.email, user.email);
        assert.equal(typeof info.email_verified, 'boolean');
        assert.equal(info.name, 'Ada Lovelace');
        assert.equal(info.given_name, 'Ada');
        assert.equal(info.family_name, 'Lovelace');
      } finally {
        await context.close();
      }
    });

    test('refresh (rotating), introspection and revocation through openid-client', async () => {
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(web);
        const { tokens: t1, claims } = await codeFlow(page, config);

        // Refresh: a new access token and a new refresh token; the new access token works.
        const t2 = await client.refreshTokenGrant(config, t1.refresh_token);
        assert.ok(t2.access_token && t2.access_token !== t1.access_token);
        assert.ok(t2.refresh_token && t2.refresh_token !== t1.refresh_token, 'the refresh token rotates');
        assert.match(t2.token_type, /^bearer$/i);
        if (t2.id_token) {
          const c2 = t2.claims();
          assert.equal(c2.sub, claims.sub);
          assert.equal(c2.auth_time, claims.auth_time, 'a refreshed ID token keeps auth_time');
        }
        assert.equal((await client.fetchUserInfo(config, t2.access_token, claims.sub)).sub, claims.sub);

        // Introspection, client_secret_basic (the library) and client_secret_post (a second config).
        const ai = await client.tokenIntrospection(config, t2.access_token);
        assert.equal(ai.active, true, JSON.stringify(ai));
        assert.equal(ai.client_id, web.client_id);
        assert.equal(ai.sub, claims.sub);
        assert.equal(ai.iss, issuer);
        assert.ok(ai.scope.split(' ').includes('openid'), `scope ${ai.scope}`);
        assert.ok(ai.exp > ai.iat, JSON.stringify(ai));
        assert.match(String(ai.token_type), /^bearer$/i, `token_type of an access token: ${JSON.stringify(ai)}`);
        const postConfig = await configFor(web, { auth: 'post' });
        const ri = await client.tokenIntrospection(postConfig, t2.refresh_token, { token_type_hint: 'refresh_token' });
        assert.equal(ri.active, true, JSON.stringify(ri));
        assert.equal(ri.client_id, web.client_id);
        assert.equal(ri.sub, claims.sub);
        // The rotated-out refresh token is no longer active.
        assert.equal((await client.tokenIntrospection(config, t1.refresh_token)).active, false);
        // Garbage is simply inactive.
        assert.deepEqual(await client.tokenIntrospection(config, `not-a-token-${rand(8)}`), { active: false });

        // Revoke the refresh token: it no longer refreshes and is inactive.
        await client.tokenRevocation(config, t2.refresh_token, { token_type_hint: 'refresh_token' });
        await assert.rejects(client.refreshTokenGrant(config, t2.refresh_token),
          (e) => e.error === 'invalid_grant' || assert.fail(`expected invalid_grant, got ${e}`));
        assert.equal((await client.tokenIntrospection(config, t2.refresh_token)).active, false);

        // Revoke an access token: introspection says inactive.
        const { tokens: t3 } = await codeFlow(page, config);
        assert.equal((await client.tokenIntrospection(config, t3.access_token)).active, true);
        await client.tokenRevocation(config, t3.access_token, { token_type_hint: 'access_token' });
        assert.equal((await client.tokenIntrospection(config, t3.access_token)).active, false);
        // Revoking something unknown (or twice) is fine (RFC 7009 §2.2).
        await client.tokenRevocation(config, t3.access_token);
        await client.tokenRevocation(config, `unknown-${rand(8)}`);
      } finally {
        await context.close();
      }
    });

    test('remembered consent: a second authorization skips consent (and login while the session lasts)', async () => {
      const config = await configFor(web);
      const who = await signup(srv);
      const first = await newPage(browser);
      try {
        const a = await codeFlow(first.page, config, { who });
        assert.deepEqual(a.seen, ['login', 'consent']);
        // Same browser session: straight back to the client.
        const b = await codeFlow(first.page, config, { who });
        assert.deepEqual(b.seen, [], 'signed in and consented: no page in between');
        assert.equal(b.claims.sub, a.claims.sub);
        assert.equal(b.claims.auth_time, a.claims.auth_time, 'no new authentication → the same auth_time');
      } finally {
        await first.context.close();
      }
      // A new browser (a new sign-in): the consent is remembered.
      const second = await newPage(browser);
      try {
        const c = await codeFlow(second.page, config, { who });
        assert.deepEqual(c.seen, ['login'], 'consent given before is remembered');
      } finally {
        await second.context.close();
      }
    });

    test('deny on the consent page → the client gets error=access_denied with state and iss', async () => {
      const config = await configFor(web);
      const who = await signup(srv);
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, config, { who, decision: 'deny' });
        assert.deepEqual(r.seen, ['login', 'consent']);
        assert.equal(r.callback.searchParams.get('error'), 'access_denied', r.callback.href);
        assert.equal(r.callback.searchParams.get('state'), r.checks.expectedState);
        assert.equal(r.callback.searchParams.get('iss'), issuer);
        assert.equal(r.callback.searchParams.get('code'), null);
        // openid-client turns it into an AuthorizationResponseError.
        await assert.rejects(client.authorizationCodeGrant(config, r.callback, r.checks),
          (e) => e.error === 'access_denied' || assert.fail(`expected access_denied, got ${e}`));
        // Nothing was remembered: the next request asks again.
        const again = await codeFlow(page, config, { who, decision: 'deny' });
        assert.deepEqual(again.seen, ['consent']);
      } finally {
        await context.close();
      }
    });

    test('public client (no secret): PKCE code flow, refresh, log in by username', async () => {
      assert.equal(spa.client_secret, undefined, 'a public client has no secret');
      assert.equal(spa.public, true);
      const config = await configFor(spa);
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, config, { identifier: user.username });
        assert.deepEqual(r.seen, ['login', 'consent']);
        assert.equal(r.claims.sub, user.user.id);
        assert.ok(r.claims.aud === spa.client_id || r.claims.aud?.includes?.(spa.client_id));
        assert.equal(decodeJwt(r.tokens.access_token).claims.client_id, spa.client_id);
        assert.ok(r.tokens.refresh_token, 'offline_access → refresh token for the public client too');
        const t2 = await client.refreshTokenGrant(config, r.tokens.refresh_token);
        assert.ok(t2.refresh_token && t2.refresh_token !== r.tokens.refresh_token);
        const info = await client.fetchUserInfo(config, t2.access_token, r.claims.sub);
        assert.equal(info.email, user.email);
      } finally {
        await context.close();
      }
    });

  });
}
