// OpenID Connect conformance items of issue 12, checked from outside with plain fetch and
// node:crypto: RS256 ID tokens (what certified relying parties assume) with a per-client
// id_token_signed_response_alg, a JWKS with one key per algorithm, redirect_uri required in an
// OpenID request (OIDC Core §3.1.2.1), and ECDSA's (r, n−s) twin refused.
//
// Run alone:  node --test tests/e2e/oidc_conformance.test.mjs
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { backends, test, describe, before, after, show, decodeJwt, request, signup } from './lib/server.mjs';
import { registerClient, WebClient, introspect, halfHash, redirectParams } from './lib/oidc.mjs';
import { startOidcNegativeFixture, REDIRECT, assertErrorPage } from './lib/oidc_negative.mjs';

const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

/** Verifies a compact JWS against a public JWK with node:crypto (ES256, RS256 or EdDSA). */
function verifyJws(token, jwk) {
  const [h, p, s] = token.split('.');
  const alg = JSON.parse(Buffer.from(h, 'base64url')).alg;
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  if (alg === 'ES256') return crypto.verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  if (alg === 'RS256') return crypto.verify('sha256', data, key, sig);
  if (alg === 'EdDSA') return crypto.verify(null, data, key, sig);
  throw new Error(`unexpected alg ${alg}`);
}

/** The same token with its ES256 signature's s replaced by n − s (still valid for plain ECDSA). */
function highSTwin(token) {
  const dot = token.lastIndexOf('.');
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  const s = BigInt(`0x${sig.subarray(32).toString('hex')}`);
  const twin = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return `${token.slice(0, dot + 1)}${Buffer.concat([sig.subarray(0, 32), twin]).toString('base64url')}`;
}

for (const backend of backends()) {
  describe(`OpenID conformance (issue 12) [${backend}]`, () => {
    let srv, issuer, web, web2, user, tokensFor, authorizeParams;
    before(async () => {
      ({ srv, issuer, web, web2, user, tokensFor, authorizeParams } =
        await startOidcNegativeFixture(backend, `oidc-conformance-${backend}`));
    });
    after(() => srv?.close());

    const jwks = async () => {
      const res = await request('GET', `${issuer}/.well-known/jwks.json`);
      assert.equal(res.status, 200, show(res));
      return res.body.keys;
    };

    test('discovery offers RS256 and ES256 for ID tokens; the JWKS has one key of each with kid, alg and use', async () => {
      const meta = await request('GET', `${issuer}/.well-known/openid-configuration`);
      assert.equal(meta.status, 200, show(meta));
      assert.ok(meta.body.id_token_signing_alg_values_supported.includes('RS256'), show(meta));
      assert.ok(meta.body.id_token_signing_alg_values_supported.includes('ES256'), show(meta));
      assert.deepEqual([...meta.body.grant_types_supported].sort(),
        ['authorization_code', 'client_credentials', 'refresh_token']);
      // (At least) one key of each: on a database other servers share, keys they replaced stay
      // published for a while.
      const keys = await jwks();
      for (const alg of ['ES256', 'RS256']) {
        const ks = keys.filter((x) => x.alg === alg);
        assert.ok(ks.length >= 1, `an ${alg} key: ${JSON.stringify(keys)}`);
        for (const k of ks) {
          assert.equal(k.use, 'sig');
          assert.ok(k.kid);
          assert.equal(k.kty, alg === 'ES256' ? 'EC' : 'RSA');
          assert.equal(k.d, undefined, 'never a private member');
          if (alg === 'RS256') assert.ok(Buffer.from(k.n, 'base64url').length >= 256, 'RSA-2048 or more');
        }
      }
      assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length, 'kids are unique');
      // RFC 8414 §3.1: for an issuer with a path, the well-known segment comes first.
      const rfc8414 = await request('GET', `${new URL(issuer).origin}/.well-known/oauth-authorization-server${new URL(issuer).pathname}`);
      assert.equal(rfc8414.status, 200, show(rfc8414));
      assert.equal(rfc8414.body.issuer, issuer);
    });

    test('ID tokens are RS256 unless the client registered another algorithm; access tokens stay ES256', async () => {
      const keys = await jwks();
      const keyFor = (token) => keys.find((k) => k.kid === decodeJwt(token).header.kid);
      const { tokens, nonce } = await tokensFor(web);
      const idt = decodeJwt(tokens.id_token);
      assert.equal(idt.header.alg, 'RS256', JSON.stringify(idt.header));
      assert.equal(keyFor(tokens.id_token)?.alg, 'RS256');
      assert.ok(verifyJws(tokens.id_token, keyFor(tokens.id_token)), 'the RS256 ID token verifies against the JWKS');
      assert.equal(idt.claims.nonce, nonce);
      assert.equal(idt.claims.at_hash, halfHash(tokens.access_token));
      assert.equal(decodeJwt(tokens.access_token).header.alg, 'ES256');
      assert.ok(verifyJws(tokens.access_token, keyFor(tokens.access_token)));

      const es = await registerClient(srv, { name: 'ES client', redirectUris: [REDIRECT] });
      assert.equal(es.id_token_signed_response_alg, 'RS256', JSON.stringify(es));
      const es256 = await srv.admin(['create-client', '--app', srv.app, '--name', 'ES256 RP',
        '--redirect-uri', REDIRECT, '--scope', 'openid', '--scope', 'email', '--id-token-alg', 'ES256']);
      assert.equal(es256.id_token_signed_response_alg, 'ES256');
      const t2 = (await tokensFor(es256, { scope: 'openid email' })).tokens;
      assert.equal(decodeJwt(t2.id_token).header.alg, 'ES256');
      assert.ok(verifyJws(t2.id_token, keyFor(t2.id_token)));
      // An algorithm the server does not sign with, or no algorithm at all, is refused.
      for (const bad of ['HS256', 'none', 'EdDSA']) {
        await assert.rejects(srv.admin(['create-client', '--app', srv.app, '--name', 'Bad',
          '--redirect-uri', REDIRECT, '--id-token-alg', bad]), /id_token_signed_response_alg/, bad);
      }
    });

    test('an OpenID request without redirect_uri is refused on an error page, even with one URI registered', async () => {
      assert.deepEqual(web2.redirect_uris, [REDIRECT]);
      const agent = new WebClient(srv);
      await agent.signIn(user.email, user.password);
      const { redirect_uri: _, ...noRedirect } = authorizeParams(web2).params;
      const res = await agent.get(`oauth/authorize?${new URLSearchParams(noRedirect)}`);
      assertErrorPage(res, 400);
      assert.match(res.text, /redirect_uri/);
      // No scope at all: the client's default scopes include openid, so the same.
      const { scope: __, ...noScope } = noRedirect;
      assertErrorPage(await agent.get(`oauth/authorize?${new URLSearchParams(noScope)}`), 400);
      // A plain OAuth request (no openid) may still leave it out (RFC 6749 §3.1.2.3).
      const plain = await agent.get(`oauth/authorize?${new URLSearchParams({ ...noRedirect, scope: 'profile' })}`);
      assert.ok([200, 303].includes(plain.status), show(plain));
      if (plain.status === 303) assert.ok(WebClient.location(plain).href.startsWith(REDIRECT) || WebClient.location(plain).pathname.includes('consent'), show(plain));
    });

    test('prompt=consent shows the consent page to a first-party client too (which otherwise skips it)', async () => {
      const own = await registerClient(srv, { name: 'Our portal', redirectUris: [REDIRECT], firstParty: true });
      const agent = new WebClient(srv);
      await agent.signIn(user.email, user.password);
      const quiet = await agent.authorize(authorizeParams(own).params, { decision: null });
      assert.deepEqual(quiet.seen, [], 'no consent page without prompt=consent');
      assert.ok(redirectParams(quiet, REDIRECT).code);

      const asked = authorizeParams(own, { extra: { prompt: 'consent' } });
      const shown = await agent.authorize(asked.params, { decision: null });
      assert.deepEqual(shown.seen, ['consent'], show(shown.page ?? shown.res));
      assert.match(shown.page.text, /Our portal/);
      // Deny → access_denied with the state; allow → a code.
      const denied = await agent.authorize(authorizeParams(own, { extra: { prompt: 'consent' } }).params,
        { decision: 'deny' });
      assert.equal(redirectParams(denied, REDIRECT).error, 'access_denied');
      const allowed = await agent.authorize(asked.params, { decision: 'allow' });
      const q = redirectParams(allowed, REDIRECT);
      assert.ok(q.code, JSON.stringify(q));
      assert.equal(q.state, asked.state);
      // prompt=none with prompt=consent is a contradiction (OIDC Core §3.1.2.1).
      const both = await agent.authorize(authorizeParams(own, { extra: { prompt: 'none consent' } }).params,
        { decision: null });
      assert.equal(redirectParams(both, REDIRECT).error, 'invalid_request');
    });

    test('id_token_hint: a hint naming another user than the signed-in one gets login_required, not a code', async () => {
      const a = await signup(srv);
      const b = await signup(srv);
      const { tokens: ta, agent } = await tokensFor(web, { user: a });
      const { tokens: tb } = await tokensFor(web, { user: b });
      const silent = async (hint) => {
        const p = authorizeParams(web, { extra: { prompt: 'none', id_token_hint: hint } });
        const res = await agent.get(`oauth/authorize?${new URLSearchParams(p.params)}`);
        assert.equal(res.status, 303, show(res));
        const loc = WebClient.location(res);
        assert.equal(loc.origin + loc.pathname, REDIRECT, show(res));
        assert.equal(loc.searchParams.get('state'), p.state);
        return loc.searchParams;
      };
      assert.ok((await silent(ta.id_token)).get('code'), 'the signed-in user\'s own hint: a code');
      const other = await silent(tb.id_token);
      assert.equal(other.get('error'), 'login_required');
      assert.equal(other.get('code'), null);
      const forged = await silent(`${tb.id_token.slice(0, -4)}AAAA`);
      assert.equal(forged.get('error'), 'invalid_request');
    });

    test('the (r, n−s) twin of a valid ES256 access token is refused by userinfo and introspection', async () => {
      const who = await signup(srv);
      const { tokens } = await tokensFor(web, { user: who });
      const twin = highSTwin(tokens.access_token);
      assert.notEqual(twin, tokens.access_token);
      const key = (await jwks()).find((k) => k.kid === decodeJwt(tokens.access_token).header.kid);
      assert.ok(verifyJws(twin, key), 'plain ECDSA (node:crypto) accepts the twin: it is a real malleation');
      const userinfo = (t) => request('GET', `${issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal((await userinfo(tokens.access_token)).status, 200);
      // The auth-scheme is case-insensitive (RFC 9110 §11.1).
      const upper = await request('GET', `${issuer}/oauth/userinfo`, { headers: { authorization: `BEARER ${tokens.access_token}` } });
      assert.equal(upper.status, 200, show(upper));
      const refused = await userinfo(twin);
      assert.equal(refused.status, 401, show(refused));
      const seen = await introspect(srv, twin, { client: web });
      assert.equal(seen.status, 200, show(seen));
      assert.deepEqual(seen.body, { active: false });
      assert.equal((await introspect(srv, tokens.access_token, { client: web })).body.active, true);
    });
  });
}
