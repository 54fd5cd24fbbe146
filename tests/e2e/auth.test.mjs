// Login, access-token JWTs (RFC 9068) verified with node:crypto, GET /api/me and its 401s,
// and isolation between apps.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem,
  assertUserShape, signup, login, newSession, uniqEmail, uniqUsername, rand, show,
  decodeJwt, encodeJwt, verifyEs256,
} from './lib/server.mjs';

const stripVolatile = (b) => {
  const c = { ...b };
  for (const k of ['instance', 'request_id', 'requestId', 'trace_id', 'traceId']) delete c[k];
  return c;
};

for (const backend of backends()) {
  describe(`login, JWT and /api/me [${backend}]`, () => {
    let srv;
    let ada; // {email, password, username, user}
    let jwks;

    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `auth-${backend}` });
      ada = await signup(srv, { username: uniqUsername('ada'), profile: { name: 'Ada' } });
    });
    after(() => srv?.close());

    const assertTokenResponse = (res, user) => {
      assertStatus(res, 200);
      const b = res.body;
      assert.match(res.headers.get('content-type') || '', /^application\/json\b/i, show(res));
      assert.equal(typeof b.access_token, 'string', show(res));
      assert.equal(b.token_type, 'Bearer', show(res));
      assert.equal(b.expires_in, 600, show(res));
      assert.match(b.refresh_token, /^tsr_[A-Za-z0-9_-]{16,}$/, show(res));
      assertUserShape(b.user, { app: srv.app, email: user.email, ctx: show(res) });
      assert.equal(b.user.id, user.user.id);
      assert.notEqual(b.user.last_login_at, null, 'last_login_at set by login');
      return b;
    };

    test('login by email (normalized), by username, and with `login` → 200 token response', async (t) => {
      const byEmail = await srv.api('POST', '/api/login', { json: { email: ada.email, password: ada.password } });
      assertTokenResponse(byEmail, ada);
      t.diagnostic(`token response Cache-Control: ${byEmail.headers.get('cache-control')} (RFC 6749 §5.1 wants no-store)`);
      const byEmailUpper = await srv.api('POST', '/api/login', { json: { email: `  ${ada.email.toUpperCase()} `, password: ada.password } });
      assertTokenResponse(byEmailUpper, ada);
      const byUsername = await srv.api('POST', '/api/login', { json: { username: ada.username, password: ada.password } });
      assertTokenResponse(byUsername, ada);
      const byLoginEmail = await srv.api('POST', '/api/login', { json: { login: ada.email, password: ada.password } });
      assertTokenResponse(byLoginEmail, ada);
      const byLoginUser = await srv.api('POST', '/api/login', { json: { login: ada.username, password: ada.password } });
      assertTokenResponse(byLoginUser, ada);
      const tokens = new Set([byEmail, byUsername, byLoginEmail, byLoginUser].map((r) => r.body.refresh_token));
      assert.equal(tokens.size, 4, 'each login gets its own refresh token');
    });

    test('wrong password and unknown user → identical 401', async () => {
      const wrongPw = await srv.api('POST', '/api/login', { json: { email: ada.email, password: 'not-the-password-1' } });
      const unknown = await srv.api('POST', '/api/login', { json: { email: uniqEmail('ghost'), password: 'not-the-password-1' } });
      const wrongPwUser = await srv.api('POST', '/api/login', { json: { username: ada.username, password: 'not-the-password-1' } });
      const unknownUser = await srv.api('POST', '/api/login', { json: { username: uniqUsername('ghost'), password: 'not-the-password-1' } });
      const unknownLogin = await srv.api('POST', '/api/login', { json: { login: 'nobody-here', password: 'not-the-password-1' } });
      for (const r of [wrongPw, unknown, wrongPwUser, unknownUser, unknownLogin]) assertProblem(r, 401, 'unauthorized');
      const ref = stripVolatile(wrongPw.body);
      for (const r of [unknown, wrongPwUser, unknownUser, unknownLogin]) {
        assert.deepEqual(stripVolatile(r.body), ref, `bodies differ:\n${show(wrongPw)}\n${show(r)}`);
        assert.equal(r.headers.get('www-authenticate'), wrongPw.headers.get('www-authenticate'));
        assert.equal(r.headers.get('content-type'), wrongPw.headers.get('content-type'));
      }
    });

    test('login validation: missing password / identifier, wrong types, unknown field → 400', async () => {
      const cases = [
        [{ email: ada.email }, 'password'],
        [{ password: ada.password }, null],
        [{ email: ada.email, password: 12345678 }, 'password'],
        [{ email: 5, password: ada.password }, 'email'],
        [{ email: ada.email, password: ada.password, remember_me: true }, 'remember_me'],
      ];
      const failures = [];
      for (const [json, field] of cases) {
        const res = await srv.api('POST', '/api/login', { json });
        try { assertProblem(res, 400, 'validation-error', field ? { field } : {}); } catch (e) { failures.push(show(res)); }
      }
      assert.equal(failures.length, 0, failures.join('\n'));
      assertProblem(await srv.api('POST', '/api/login', { body: '{"email":', headers: { 'content-type': 'application/json' } }), 400, 'malformed-request');
      assertProblem(await srv.api('POST', '/api/login', { body: 'email=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
    });

    test('access token is an RFC 9068 ES256 JWT whose key is in the JWKS; signature verifies with node:crypto', async () => {
      const before = Math.floor(Date.now() / 1000);
      const tr = await login(srv, { email: ada.email }, ada.password);
      const after = Math.floor(Date.now() / 1000);
      const { header, claims, signature } = decodeJwt(tr.access_token);
      assert.equal(header.typ, 'at+jwt', JSON.stringify(header));
      assert.equal(header.alg, 'ES256', JSON.stringify(header));
      assert.equal(typeof header.kid, 'string');
      assert.equal(signature.length, 64, 'ES256 signature is 64 bytes (IEEE P1363 r||s)');

      const res = await srv.api('GET', '/.well-known/jwks.json');
      assertStatus(res, 200);
      assert.match(res.headers.get('content-type') || '', /^application\/(jwk-set\+)?json\b/i);
      jwks = res.body;
      assert.ok(Array.isArray(jwks.keys) && jwks.keys.length >= 1, show(res));
      for (const k of jwks.keys) {
        assert.equal(k.d, undefined, `private key material in JWKS: ${show(res)}`);
        for (const priv of ['p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(k[priv], undefined, show(res));
      }
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      assert.ok(jwk, `kid ${header.kid} not in ${show(res)}`);
      assert.equal(jwk.kty, 'EC');
      assert.equal(jwk.crv, 'P-256');
      if (jwk.alg !== undefined) assert.equal(jwk.alg, 'ES256');
      if (jwk.use !== undefined) assert.equal(jwk.use, 'sig');
      assert.equal(verifyEs256(tr.access_token, jwk), true, 'ES256 signature does not verify');

      const iss = srv.issuer();
      assert.equal(claims.iss, iss);
      assert.ok(claims.aud === iss || (Array.isArray(claims.aud) && claims.aud.includes(iss)), `aud ${JSON.stringify(claims.aud)}`);
      assert.equal(claims.sub, ada.user.id);
      assert.equal(claims.exp - claims.iat, tr.expires_in);
      assert.ok(claims.iat >= before - 2 && claims.iat <= after + 2, `iat ${claims.iat} not now (${before}..${after})`);
      assert.equal(typeof claims.jti, 'string');
      assert.ok(claims.jti.length >= 8);
      assert.equal(typeof claims.client_id, 'string');
      assert.ok(claims.client_id.length > 0);
      assert.equal(typeof claims.sid, 'string');
      assert.ok(claims.sid.length > 0);
      assert.ok('scope' in claims, `scope claim missing: ${JSON.stringify(claims)}`);
      assert.equal(typeof claims.scope, 'string');
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(claims.auth_time <= claims.iat + 1);
      for (const k of Object.keys(claims)) assert.doesNotMatch(k, /pass|hash/i);

      const tr2 = await login(srv, { email: ada.email }, ada.password);
      const c2 = decodeJwt(tr2.access_token).claims;
      assert.notEqual(c2.jti, claims.jti, 'jti unique');
      assert.notEqual(c2.sid, claims.sid, 'each login is its own session');
    });

    test('GET /api/me with the access token → 200 user', async () => {
      const tr = await login(srv, { email: ada.email }, ada.password);
      const res = await srv.api('GET', '/api/me', { token: tr.access_token });
      assertStatus(res, 200);
      assertUserShape(res.body, { app: srv.app, email: ada.email, username: ada.username, ctx: show(res) });
      assert.equal(res.body.id, ada.user.id);
      assert.deepEqual(res.body.profile, { name: 'Ada' });
      // Scheme is case-insensitive (RFC 9110 §11.1).
      const lower = await srv.api('GET', '/api/me', { headers: { authorization: `bearer ${tr.access_token}` } });
      assertStatus(lower, 200);
    });

    test('GET /api/me rejects missing, malformed, tampered, alg:none, HS256 and foreign-key tokens → 401 + WWW-Authenticate', async (t) => {
      const tr = await login(srv, { email: ada.email }, ada.password);
      const at = tr.access_token;
      const { header, claims, parts } = decodeJwt(at);
      const variants = {};
      variants['missing Authorization'] = {};
      variants['empty Bearer'] = { headers: { authorization: 'Bearer' } };
      variants['Bearer + space'] = { headers: { authorization: 'Bearer ' } };
      variants['Basic scheme'] = { headers: { authorization: 'Basic ' + Buffer.from(`${ada.email}:${ada.password}`).toString('base64') } };
      variants['garbage'] = { token: 'abc.def.ghi' };
      variants['two segments'] = { token: `${parts[0]}.${parts[1]}` };
      // Flip one character in the middle of the payload segment.
      const mid = Math.floor(parts[1].length / 2);
      const flipped = parts[1][mid] === 'A' ? 'B' : 'A';
      variants['tampered payload char'] = { token: `${parts[0]}.${parts[1].slice(0, mid)}${flipped}${parts[1].slice(mid + 1)}.${parts[2]}` };
      // Re-encoded claims (another sub, later exp), original signature.
      variants['re-encoded claims, old signature'] = { token: encodeJwt(header, { ...claims, sub: crypto.randomUUID(), exp: claims.exp + 86400 }, parts[2]) };
      variants['tampered signature'] = { token: `${parts[0]}.${parts[1]}.${parts[2].slice(0, -4)}${parts[2].slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}` };
      variants['alg none (no signature)'] = { token: encodeJwt({ ...header, alg: 'none' }, claims, '') };
      variants['alg none (old signature)'] = { token: encodeJwt({ ...header, alg: 'none' }, claims, parts[2]) };
      variants['alg None'] = { token: encodeJwt({ alg: 'None', typ: 'at+jwt' }, claims, '') };
      variants['alg none, no kid'] = { token: encodeJwt({ alg: 'none', typ: 'at+jwt' }, claims, '') };
      // HS256 with the public key as the HMAC secret (algorithm confusion).
      const jwk = (await srv.api('GET', '/.well-known/jwks.json')).body.keys.find((k) => k.kid === header.kid);
      const hsHeader = { ...header, alg: 'HS256' };
      for (const [label, secret] of [['JWK JSON', JSON.stringify(jwk)], ['x coordinate', Buffer.from(jwk.x, 'base64url')],
        ['SPKI PEM', crypto.createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })]]) {
        const unsigned = encodeJwt(hsHeader, claims, '').slice(0, -1);
        const sig = crypto.createHmac('sha256', secret).update(unsigned).digest('base64url');
        variants[`alg HS256 keyed with ${label}`] = { token: `${unsigned}.${sig}` };
      }
      // Our own P-256 key, claiming the server's kid; and an embedded jwk header.
      const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const signOwn = (hdr) => {
        const unsigned = encodeJwt(hdr, claims, '').slice(0, -1);
        const sig = crypto.sign('sha256', Buffer.from(unsigned), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
        return `${unsigned}.${sig}`;
      };
      variants['signed by a foreign key with the server kid'] = { token: signOwn(header) };
      variants['signed by a foreign key, embedded jwk header'] = { token: signOwn({ ...header, kid: undefined, jwk: publicKey.export({ format: 'jwk' }) }) };
      variants['signed by a foreign key, unknown kid'] = { token: signOwn({ ...header, kid: 'attacker' }) };
      variants['refresh token as Bearer'] = { token: tr.refresh_token };
      variants['JWT with trailing garbage'] = { token: `${at}x` };

      const failures = [];
      for (const [name, opts] of Object.entries(variants)) {
        const res = await srv.api('GET', '/api/me', opts);
        try { assertProblem(res, 401, 'unauthorized'); } catch (e) { failures.push(`${name}: ${e.message.split('\n')[0]}\n  ${show(res)}`); }
        if (name === 'tampered payload char') t.diagnostic(`WWW-Authenticate on a bad token: ${res.headers.get('www-authenticate')}`);
        if (name === 'missing Authorization') t.diagnostic(`WWW-Authenticate without credentials: ${res.headers.get('www-authenticate')}`);
      }
      assert.equal(failures.length, 0, failures.join('\n'));
      // The genuine token still works.
      assertStatus(await srv.api('GET', '/api/me', { token: at }), 200);
    });

    test('a token of another app is rejected (401) — both directions; refresh tokens too', async () => {
      const slugB = `b-${rand(10)}`;
      await srv.createApp(slugB, 'App B');
      // The same email may exist in both apps (unique per app).
      const inB = await signup(srv, { app: slugB, email: ada.email, password: `b-pass-${rand(8)}` });
      assert.equal(inB.user.app, slugB);
      assert.notEqual(inB.user.id, ada.user.id);
      const trB = await login(srv, { email: ada.email }, inB.password, { app: slugB });
      const trA = await login(srv, { email: ada.email }, ada.password);
      assert.equal(decodeJwt(trB.access_token).claims.iss, srv.issuer(slugB));
      assertStatus(await srv.api('GET', '/api/me', { app: slugB, token: trB.access_token }), 200);
      assertProblem(await srv.api('GET', '/api/me', { token: trB.access_token }), 401, 'unauthorized');
      assertProblem(await srv.api('GET', '/api/me', { app: slugB, token: trA.access_token }), 401, 'unauthorized');
      assertProblem(await srv.api('POST', '/api/token/refresh', { app: slugB, json: { refresh_token: trA.refresh_token } }), 401, 'unauthorized');
      // A's password does not log in at B and vice versa.
      assertProblem(await srv.api('POST', '/api/login', { app: slugB, json: { email: ada.email, password: ada.password } }), 401, 'unauthorized');
      // The refresh token from A is still fine at A (the failed cross-app attempt revoked nothing).
      assertStatus(await srv.api('POST', '/api/token/refresh', { json: { refresh_token: trA.refresh_token } }), 200);
    });

    test('no access token, refresh token or password appears in the server log', async () => {
      const tr = await login(srv, { email: ada.email }, ada.password);
      await srv.api('GET', '/api/me', { token: tr.access_token });
      await srv.api('POST', '/api/token/refresh', { json: { refresh_token: tr.refresh_token } });
      await srv.api('GET', '/api/me', { token: `${tr.access_token}x` });
      const out = srv.output();
      assert.ok(!out.includes(ada.password), 'password in the log');
      assert.ok(!out.includes(tr.refresh_token), 'refresh token in the log');
      assert.ok(!out.includes(tr.access_token.split('.')[2]), 'access token in the log');
    });

    test('unknown app → 404 not-found problem', async () => {
      const res = await srv.api('POST', '/api/login', { app: `nope-${rand(8)}`, json: { email: ada.email, password: ada.password } });
      assertProblem(res, 404, 'not-found');
      assertProblem(await srv.api('GET', '/.well-known/jwks.json', { app: `nope-${rand(8)}` }), 404, 'not-found');
    });
  });
}
