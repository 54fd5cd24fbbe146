// DPoP (RFC 9449) end to end: an unmodified openid-client v6 with a DPoP handle gets tokens
// bound to its key — client credentials, a public client's code flow in chromium (its refresh
// token bound too), a pushed request — calls userinfo under the DPoP scheme, and answers server
// nonces by itself. From outside, by hand: discovery only while the app has it on, the key's
// RFC 7638 thumbprint (computed by jose) in cnf.jkt and in introspection, bound tokens refused
// as bearer tokens, refresh tokens refused without the key, dpop_jkt binding a code, a client
// that must use DPoP, and the proof checks the RFC's security considerations name (replay,
// another endpoint, a private key in the header, a symmetric algorithm, a stale iat).
//
// Run alone:  node --test tests/e2e/oidc_dpop.test.mjs
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { backends, test, describe, before, after, request, show, sleep, decodeJwt } from './lib/server.mjs';
import {
  importOidcClient, registerClient, tokenRequest, introspect, assertOAuthError, randomValue,
} from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`DPoP (RFC 9449) [${backend}]`, () => {
    let fixture, srv, issuer, web, spa, user, configFor, newPage, codeFlow, browser;
    let machine, machineConfig, keys, handle, spaTokens;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-dpop-${backend}`);
      ({ srv, issuer, web, spa, user, configFor, newPage, codeFlow, browser } = fixture);
      machine = await registerClient(srv, { name: 'Reports job', grants: ['client_credentials'],
        scopes: ['reports:read'] });
      machineConfig = await configFor(machine);
      keys = await client.randomDPoPKeyPair('ES256');
      handle = client.getDPoPHandle(machineConfig, keys);
    });
    after(() => fixture?.close());

    const tokenUrl = () => `${issuer}/oauth/token`;
    const thumbprint = async (pair) => jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey));
    const discovery = async () => (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;

    /** A proof made by hand (jose), for the cases no client library would send. */
    async function rawProof(pair, htm, htu, { claims = {}, header = {}, signWith } = {}) {
      const jwk = await jose.exportJWK(pair.publicKey);
      return new jose.SignJWT({ jti: randomValue(), htm, htu, iat: Math.floor(Date.now() / 1000), ...claims })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...header })
        .sign(signWith ?? pair.privateKey);
    }
    const machineToken = (headers = {}) =>
      tokenRequest(srv, { grant_type: 'client_credentials', scope: 'reports:read' }, { client: machine, headers });

    /** Sets the app's DPoP switches with the CLI, then waits until the running server follows
     *  (SQLite: its cached app lives up to 5 s): discovery for `dpop`, a bare proof for the nonce. */
    async function setDpop(on, nonce = false) {
      await srv.admin(['update-app', '--app', srv.app, '--dpop', String(on), '--dpop-nonce', String(nonce)]);
      for (let i = 0; i < 80; i++) {
        const listed = Boolean((await discovery()).dpop_signing_alg_values_supported);
        const asked = on && (await machineToken({ dpop: await rawProof(keys, 'POST', tokenUrl()) })).body?.error ===
          'use_dpop_nonce';
        if (listed === on && asked === (on && nonce)) return;
        await sleep(100);
      }
      assert.fail(`the server did not follow dpop=${on} dpop_nonce=${nonce} within 8 s`);
    }

    test('off by default: not in discovery, and a proof is ignored (a bearer token)', async () => {
      assert.equal((await discovery()).dpop_signing_alg_values_supported, undefined);
      const t = await client.clientCredentialsGrant(machineConfig, { scope: 'reports:read' }, { DPoP: handle });
      assert.equal(t.token_type, 'bearer');
      assert.equal(decodeJwt(t.access_token).claims.cnf, undefined);
    });

    test('on: discovery lists the proof algorithms', async () => {
      await setDpop(true);
      assert.deepEqual((await discovery()).dpop_signing_alg_values_supported, ['ES256', 'EdDSA', 'RS256']);
    });

    test('client credentials: the token is bound to the key (cnf.jkt), introspection says so', async () => {
      const t = await client.clientCredentialsGrant(machineConfig, { scope: 'reports:read' }, { DPoP: handle });
      assert.equal(t.token_type, 'dpop');
      const jkt = await thumbprint(keys);
      assert.equal(decodeJwt(t.access_token).claims.cnf?.jkt, jkt);
      const seen = await introspect(srv, t.access_token, { client: machine });
      assert.equal(seen.status, 200, show(seen));
      assert.equal(seen.body.active, true);
      assert.equal(seen.body.token_type, 'DPoP');
      assert.deepEqual(seen.body.cnf, { jkt });
      // Without a proof the same client still gets a bearer token.
      const plain = await machineToken();
      assert.equal(plain.status, 200, show(plain));
      assert.equal(plain.body.token_type, 'Bearer');
    });

    test('a public client in the browser: bound tokens, userinfo under DPoP, a refresh token bound to the key', async () => {
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(spa);
        const dpop = client.getDPoPHandle(config, keys);
        const r = await codeFlow(page, config, { dpop });
        assert.equal(r.tokens.token_type, 'dpop');
        assert.equal(r.claims.sub, user.user.id);
        spaTokens = r.tokens;
        const at = r.tokens.access_token;
        assert.equal(decodeJwt(at).claims.cnf?.jkt, await thumbprint(keys));
        const info = await client.fetchUserInfo(config, at, user.user.id, { DPoP: dpop });
        assert.equal(info.email, user.email);
        // As a bearer token it is worth nothing.
        const bearer = await request('GET', `${issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${at}` } });
        assert.equal(bearer.status, 401, show(bearer));
        assert.equal(bearer.body.error, 'invalid_token');
        // Under DPoP but with a proof of another key, or one not naming this token (ath).
        const other = await client.randomDPoPKeyPair('ES256');
        const url = `${issuer}/oauth/userinfo`;
        const ath = jose.base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(at))));
        const thief = await request('GET', url, { headers: { authorization: `DPoP ${at}`,
          dpop: await rawProof(other, 'GET', url, { claims: { ath } }) } });
        assert.equal(thief.status, 401, show(thief));
        assert.equal(thief.body.error, 'invalid_token');
        const noAth = await request('GET', url, { headers: { authorization: `DPoP ${at}`, dpop: await rawProof(keys, 'GET', url) } });
        assert.equal(noAth.status, 401, show(noAth));
        assert.equal(noAth.body.error, 'invalid_dpop_proof');
        assert.match(noAth.headers.get('www-authenticate'), /^DPoP algs="ES256 EdDSA RS256", error="invalid_dpop_proof"/);
        // The refresh token: refused, unspent, without the key; then spent with it.
        const rt = r.tokens.refresh_token;
        const bare = await tokenRequest(srv, { grant_type: 'refresh_token', refresh_token: rt }, { client: spa });
        assertOAuthError(bare, 400, 'invalid_grant');
        const stolen = await tokenRequest(srv, { grant_type: 'refresh_token', refresh_token: rt },
          { client: spa, headers: { dpop: await rawProof(other, 'POST', tokenUrl()) } });
        assertOAuthError(stolen, 400, 'invalid_grant');
        const next = await client.refreshTokenGrant(config, rt, undefined, { DPoP: dpop });
        assert.equal(next.token_type, 'dpop');
        assert.notEqual(next.refresh_token, rt);
      } finally {
        await context.close();
      }
    });

    test('dpop_jkt at /authorize binds the code: another key cannot redeem it', async () => {
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(spa);
        const other = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
        await assert.rejects(
          codeFlow(page, config, { dpop: other, extra: { dpop_jkt: await thumbprint(keys) } }),
          (e) => e.error === 'invalid_grant' || e.cause?.error === 'invalid_grant' || /invalid_grant/.test(String(e)));
        const r = await codeFlow(page, config, { dpop: client.getDPoPHandle(config, keys),
          extra: { dpop_jkt: await thumbprint(keys) } });
        assert.equal(r.tokens.token_type, 'dpop');
      } finally {
        await context.close();
      }
    });

    test('a pushed request (RFC 9126) carries the proof: the code is bound to its key', async () => {
      await srv.admin(['update-app', '--app', srv.app, '--par', 'true']);
      for (let i = 0; i < 80 && !(await discovery()).pushed_authorization_request_endpoint; i++) await sleep(100);
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(web);
        const r = await codeFlow(page, config, { par: true, dpop: client.getDPoPHandle(config, keys) });
        assert.equal(r.tokens.token_type, 'dpop');
        assert.equal(decodeJwt(r.tokens.access_token).claims.cnf?.jkt, await thumbprint(keys));
      } finally {
        await context.close();
      }
    });

    test('the proof checks: replay, another endpoint, a private key, a symmetric algorithm, a stale iat', async () => {
      const proof = await rawProof(keys, 'POST', tokenUrl());
      const first = await machineToken({ dpop: proof });
      assert.equal(first.status, 200, show(first));
      const replay = await machineToken({ dpop: proof });
      assertOAuthError(replay, 400, 'invalid_dpop_proof');
      assert.match(replay.body.error_description, /used before/);
      assertOAuthError(await machineToken({ dpop: await rawProof(keys, 'POST', `${issuer}/oauth/userinfo`) }),
        400, 'invalid_dpop_proof');
      assertOAuthError(await machineToken({ dpop: await rawProof(keys, 'GET', tokenUrl()) }), 400, 'invalid_dpop_proof');
      const leaky = await jose.generateKeyPair('ES256', { extractable: true });
      const privateJwk = await jose.exportJWK(leaky.privateKey);
      assertOAuthError(await machineToken({ dpop: await rawProof(leaky, 'POST', tokenUrl(), { header: { jwk: privateJwk } }) }),
        400, 'invalid_dpop_proof');
      const secret = new TextEncoder().encode('a shared secret of thirty-two bytes!');
      assertOAuthError(await machineToken({ dpop: await rawProof(keys, 'POST', tokenUrl(), { header: { alg: 'HS256' }, signWith: secret }) }),
        400, 'invalid_dpop_proof');
      assertOAuthError(await machineToken({ dpop: await rawProof(keys, 'POST', tokenUrl(),
        { claims: { iat: Math.floor(Date.now() / 1000) - 600 } }) }), 400, 'invalid_dpop_proof');
      assertOAuthError(await machineToken({ dpop: await rawProof(keys, 'POST', tokenUrl(), { header: { typ: 'JWT' } }) }),
        400, 'invalid_dpop_proof');
      assertOAuthError(await machineToken({ dpop: 'not.a.proof' }), 400, 'invalid_dpop_proof');
    });

    test('a client registered for DPoP-bound tokens gets no bearer token', async () => {
      const strict = await registerClient(srv, { name: 'Strict job', grants: ['client_credentials'],
        scopes: ['reports:read'], dpopBound: true });
      assert.equal(strict.dpop_bound_access_tokens, true, JSON.stringify(strict));
      const bare = await tokenRequest(srv, { grant_type: 'client_credentials' }, { client: strict });
      assertOAuthError(bare, 400, 'invalid_request');
      const config = await configFor(strict);
      const t = await client.clientCredentialsGrant(config, {}, { DPoP: client.getDPoPHandle(config, keys) });
      assert.equal(t.token_type, 'dpop');
    });

    test('server nonces: asked for with use_dpop_nonce, and openid-client answers them by itself', async () => {
      await setDpop(true, true);
      const asked = await machineToken({ dpop: await rawProof(keys, 'POST', tokenUrl()) });
      assertOAuthError(asked, 400, 'use_dpop_nonce');
      const nonce = asked.headers.get('dpop-nonce');
      assert.ok(nonce, show(asked));
      const answered = await machineToken({ dpop: await rawProof(keys, 'POST', tokenUrl(), { claims: { nonce } }) });
      assert.equal(answered.status, 200, show(answered));
      assert.equal(answered.body.token_type, 'DPoP');
      // A fresh handle knows no nonce yet: the library retries once with the one it was sent.
      const fresh = client.getDPoPHandle(machineConfig, await client.randomDPoPKeyPair('ES256'));
      const t = await client.clientCredentialsGrant(machineConfig, { scope: 'reports:read' }, { DPoP: fresh });
      assert.equal(t.token_type, 'dpop');
      // …and so at userinfo, the resource.
      const config = await configFor(spa);
      const info = await client.fetchUserInfo(config, spaTokens.access_token, user.user.id,
        { DPoP: client.getDPoPHandle(config, keys) });
      assert.equal(info.sub, user.user.id);
      await setDpop(false);
      assert.equal((await discovery()).dpop_signing_alg_values_supported, undefined);
    });
  });
}
