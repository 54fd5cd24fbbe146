// Signed request objects (JAR, RFC 9101) end to end: an unmodified openid-client v6 signs the
// authorization request with the client's key (buildAuthorizationUrlWithJAR; its public half
// registered as the client's jwks from the command line), and chromium runs the whole flow
// to tokens. From outside: discovery lists request_parameter_supported only while the app has
// it on; parameters added beside the object by a tamperer are ignored (the code goes to the
// signed redirect_uri with the signed state, HTML and SQL metacharacters kept as data); an
// object signed by another key, for another issuer, or expired is refused on a page with
// invalid_request_object and no redirect; a client registered to require signed requests is
// refused a plain one (by redirect, invalid_request); the same object can be pushed (PAR).
//
// Run alone:  node --test tests/e2e/oidc_jar.test.mjs
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { backends, test, describe, before, after, request, show, sleep } from './lib/server.mjs';
import { importOidcClient, registerClient } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`signed request objects (JAR, RFC 9101) [${backend}]`, () => {
    let fixture, srv, issuer, rp, newPage, codeFlow, browser, configFor;
    let keys, bank, bankConfig, strict, strictConfig;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-jar-${backend}`);
      ({ srv, issuer, rp, newPage, codeFlow, browser, configFor } = fixture);
      keys = await jose.generateKeyPair('ES256', { extractable: true });
      const jwk = { ...(await jose.exportJWK(keys.publicKey)), kid: 'bank-2026', use: 'sig', alg: 'ES256' };
      bank = await registerClient(srv, { name: 'Bank', redirectUris: [rp.url('/callback')], jwks: { keys: [jwk] } });
      strict = await registerClient(srv, { name: 'Strict bank', redirectUris: [rp.url('/callback')],
        jwks: { keys: [jwk] }, requireSignedRequestObject: true });
      bankConfig = await configFor(bank);
      strictConfig = await configFor(strict);
    });
    after(() => fixture?.close());

    const discovery = async () => (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
    const signingKey = () => ({ key: keys.privateKey, kid: 'bank-2026' });
    /** An object signed by hand (jose), for the cases a library would never make. */
    const handMade = async (claims, { key = keys.privateKey, clientId = bank.client_id } = {}) =>
      new jose.SignJWT({ client_id: clientId, response_type: 'code', redirect_uri: rp.url('/callback'),
        scope: 'openid', state: 'st', nonce: 'n', ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: 'bank-2026' })
        .setIssuer(clientId).setAudience(claims.aud ?? issuer).setIssuedAt().setExpirationTime('5m')
        .sign(key);
    const authorize = (params) => request('GET', `${issuer}/oauth/authorize?${new URLSearchParams(params)}`);

    test('off by default: discovery says request objects are not supported, and they are refused', async () => {
      const d = await discovery();
      assert.equal(d.request_parameter_supported, false);
      assert.equal(d.request_object_signing_alg_values_supported, undefined);
      const r = await authorize({ client_id: bank.client_id, request: await handMade({}) });
      // Not a request it can read: no redirect to anyone.
      assert.equal(r.status, 400, show(r));
    });

    test('on: discovery lists the parameter and the algorithms', async () => {
      await srv.admin(['update-app', '--app', srv.app, '--signed-request-objects', 'true']);
      for (let i = 0; i < 80 && !(await discovery()).request_parameter_supported; i++) await sleep(100);
      const d = await discovery();
      assert.equal(d.request_parameter_supported, true);
      assert.deepEqual(d.request_object_signing_alg_values_supported, ['ES256', 'EdDSA', 'RS256']);
      assert.equal(d.request_uri_parameter_supported, false);
    });

    test('openid-client signs the request; the browser runs the flow to tokens', async () => {
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, bankConfig, { scope: 'openid email', jar: signingKey() });
        assert.deepEqual(r.seen, ['login', 'consent']);
        assert.equal(r.claims.aud, bank.client_id);
        assert.equal(r.claims.nonce, r.checks.expectedNonce);
        assert.ok(r.tokens.access_token);
      } finally {
        await context.close();
      }
    });

    test('parameters beside the object are ignored: the signed redirect, scope and state win', async () => {
      const state = `<script>alert(1)</script>'; DROP TABLE users;--`;
      const object = await handMade({ state, scope: 'openid' });
      const { context, page } = await newPage(browser);
      try {
        const url = `${issuer}/oauth/authorize?${new URLSearchParams({ client_id: bank.client_id, request: object,
          redirect_uri: 'https://attacker.example/cb', scope: 'openid email profile', state: 'tampered' })}`;
        const landed = rp.next('/callback', { match: (u) => u.searchParams.get('state') === state });
        landed.catch(() => {});
        await page.goto(url);
        for (let i = 0; i < 3 && new URL(page.url()).origin !== rp.origin; i++) {
          if (await page.locator('input[name="identifier"]').count()) {
            await page.getByLabel('Email or username').fill(fixture.user.email);
            await page.locator('input[name="password"]').fill(fixture.user.password);
            await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
          } else if (await page.locator('button[name="decision"][value="allow"]').count()) {
            const listed = await page.locator('.scope-title').allInnerTexts();
            assert.deepEqual(listed, ['Sign you in'], 'only the signed scope is asked for');
            await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Allow', exact: true }).click()]);
          }
        }
        const cb = await landed;
        assert.equal(cb.origin + cb.pathname, rp.url('/callback'));
        assert.equal(cb.searchParams.get('state'), state);
        assert.ok(cb.searchParams.get('code'));
      } finally {
        await context.close();
      }
    });

    test('objects that do not verify are refused on a page, never redirected', async () => {
      const stranger = await jose.generateKeyPair('ES256');
      const cases = {
        'signed by another key': await handMade({}, { key: stranger.privateKey }),
        'for another issuer': await handMade({ aud: `${issuer}-other` }),
        'expired': await new jose.SignJWT({ client_id: bank.client_id, response_type: 'code', redirect_uri: rp.url('/callback') })
          .setProtectedHeader({ alg: 'ES256', kid: 'bank-2026' }).setIssuer(bank.client_id).setAudience(issuer)
          .setIssuedAt(Math.floor(Date.now() / 1000) - 3600).setExpirationTime(Math.floor(Date.now() / 1000) - 600)
          .sign(keys.privateKey),
        'not a JWT': 'not-a-jwt',
      };
      for (const [name, object] of Object.entries(cases)) {
        const r = await authorize({ client_id: bank.client_id, request: object });
        assert.equal(r.status, 400, `${name}: ${show(r)}`);
        assert.equal(r.headers.get('location'), null, name);
        assert.match(String(r.text ?? r.body), /request object/i, name);
      }
    });

    test('a client that must sign is refused a plain request, and may push a signed one', async () => {
      const plain = client.buildAuthorizationUrl(strictConfig, { redirect_uri: rp.url('/callback'), scope: 'openid',
        state: 'plain-1', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256' });
      const r = await request('GET', plain.href);
      assert.ok(r.status === 302 || r.status === 303, show(r));
      const back = new URL(r.headers.get('location'));
      assert.equal(back.searchParams.get('error'), 'invalid_request');
      assert.equal(back.searchParams.get('state'), 'plain-1');
      await srv.admin(['update-app', '--app', srv.app, '--par', 'true']);
      for (let i = 0; i < 80 && !(await discovery()).pushed_authorization_request_endpoint; i++) await sleep(100);
      strictConfig = await configFor(strict);  // discovery again: it lists the PAR endpoint now
      const { context, page } = await newPage(browser);
      try {
        // Pushed and signed: openid-client signs the object and pushes it (RFC 9126 §3).
        const pushed = await client.buildAuthorizationUrlWithPAR(strictConfig,
          { request: await handMade({ state: 'pushed-1' }, { clientId: strict.client_id }) });
        assert.ok(pushed.searchParams.get('request_uri'));
        await page.goto(pushed.href);
        assert.match(page.url(), /\/login|\/consent|\/authorize/, 'the pushed signed request is taken');
      } finally {
        await context.close();
      }
    });
  });
}
