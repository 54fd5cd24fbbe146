// Pushed authorization requests (RFC 9126) end to end: an unmodified openid-client v6 pushes
// the parameters (buildAuthorizationUrlWithPAR, client_secret_basic or a public client with
// PKCE), chromium follows the URL that carries only client_id and request_uri through sign-in
// and consent, and the library redeems the code. Also from outside: the app's switch and
// discovery, the request_uri single-use and bound to its client, parameters beside it ignored,
// a client required to push, and the PAR endpoint's refusals. Expiry is in the unit tests.
//
// Screenshots: oidc-par-*.png in $TESSERA_E2E_ARTIFACTS or <repo>/build/e2e-artifacts.
// Run alone:  node --test tests/e2e/oidc_par.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, request, show, sleep } from './lib/server.mjs';
import { importOidcClient, registerClient, formBody, basicAuth } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';
import { describePage } from './lib/browser.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`pushed authorization requests (RFC 9126) [${backend}]`, () => {
    let fixture, srv, issuer, web, spa, rp, user, configFor, newPage, codeFlow, browser, shot;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-par-${backend}`);
      ({ srv, issuer, web, spa, rp, user, configFor, newPage, codeFlow, browser, shot } = fixture);
    });
    after(() => fixture?.close());

    /** Sets the app's par setting with the CLI and waits until discovery follows it (SQLite:
     *  the running server's cached app lives up to 5 s; PostgreSQL is told at once). */
    async function setPar(on) {
      const set = await srv.admin(['update-app', '--app', srv.app, '--par', on ? 'true' : 'false']);
      for (let i = 0; i < 80; i++) {
        const m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
        if (Boolean(m?.pushed_authorization_request_endpoint) === on) return set;
        await sleep(100);
      }
      assert.fail(`discovery did not follow par=${on} within 8 s`);
    }
    const push = (fields, headers = {}) => request('POST', `${issuer}/oauth/par`, {
      body: formBody(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    const webParams = (extra = {}) => ({
      response_type: 'code', redirect_uri: rp.url('/callback'), scope: 'openid', state: 'st-par',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...extra });
    const asWebAuth = () => ({ authorization: basicAuth(web.client_id, web.client_secret) });

    test('off by default: not in discovery, and the endpoint refuses', async () => {
      const m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
      assert.equal(m.pushed_authorization_request_endpoint, undefined);
      const r = await push(webParams(), asWebAuth());
      assert.equal(r.status, 400, show(r));
      assert.equal(r.body.error, 'invalid_request');
      assert.match(r.body.error_description, /not enabled/);
    });

    test('on: discovery lists the endpoint, and that no client-wide requirement holds', async () => {
      const set = await setPar(true);
      assert.equal(set.par ?? set.settings?.par, true, JSON.stringify(set));
      const m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
      assert.equal(m.pushed_authorization_request_endpoint, `${issuer}/oauth/par`);
      assert.equal(m.require_pushed_authorization_requests, false);
    });

    test('openid-client pushes (client_secret_basic); the browser carries only the reference; tokens', async () => {
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(web);
        const r = await codeFlow(page, config, { par: true, shots: { consent: 'par-consent' } });
        assert.deepEqual(r.seen, ['login', 'consent']);
        assert.equal(r.claims.sub, user.user.id);
        assert.equal(r.claims.nonce, r.checks.expectedNonce);
        assert.equal(r.callback.searchParams.get('iss'), issuer);
        assert.equal(r.callback.searchParams.get('state'), r.checks.expectedState);
      } finally {
        await context.close();
      }
    });

    test('a public client pushes with PKCE, asking for form_post', async () => {
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(spa);
        const r = await codeFlow(page, config, { par: true, scope: 'openid email', extra: { response_mode: 'form_post' } });
        assert.equal(r.hit.method, 'POST');
        assert.equal(r.claims.sub, user.user.id);
      } finally {
        await context.close();
      }
    });

    test('the URL holds only client_id and request_uri; parameters beside it are ignored', async () => {
      const pushed = await push(webParams(), asWebAuth());
      assert.equal(pushed.status, 201, show(pushed));
      assert.equal(pushed.headers.get('cache-control'), 'no-store');
      assert.deepEqual(Object.keys(pushed.body).sort(), ['expires_in', 'request_uri']);
      assert.match(pushed.body.request_uri, /^urn:ietf:params:oauth:request_uri:tpr_[A-Za-z0-9_-]{43}$/);
      assert.equal(pushed.body.expires_in, 600);
      // A tampered redirect_uri and scope beside the reference change nothing: off to sign in,
      // carrying the reference alone.
      const url = `${issuer}/oauth/authorize?` + new URLSearchParams({ client_id: web.client_id,
        request_uri: pushed.body.request_uri, redirect_uri: 'https://evil.example/cb', scope: 'openid admin' });
      const res = await request('GET', url);
      assert.equal(res.status, 303, show(res));
      const login = new URL(res.headers.get('location'));
      assert.equal(login.pathname, new URL(`${issuer}/login`).pathname);
      const back = new URL(login.searchParams.get('return_to'), issuer);
      assert.deepEqual([...back.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    });

    test('a request_uri is its client\'s and is spent by the code', async () => {
      const pushed = (await push(webParams(), asWebAuth())).body;
      // Another client presenting it: an error page, never a redirect.
      const foreign = await request('GET', `${issuer}/oauth/authorize?` + new URLSearchParams({
        client_id: spa.client_id, request_uri: pushed.request_uri }));
      assert.equal(foreign.status, 400, show(foreign));
      assert.match(foreign.text, /expired or was already used/);
      for (const forged of [`urn:ietf:params:oauth:request_uri:tpr_${'A'.repeat(43)}`, 'https://evil.example/req.jwt',
        `${pushed.request_uri}<script>`]) {
        const f = await request('GET', `${issuer}/oauth/authorize?` + new URLSearchParams({
          client_id: web.client_id, request_uri: forged }));
        assert.equal(f.status, 400, show(f));
        assert.ok(!f.text.includes('<script>'), 'nothing of it is echoed raw');
      }
      // Used by a signed-in browser: the code goes to the client, and the link is dead after.
      const { context, page } = await newPage(browser);
      try {
        const authorize = `${issuer}/oauth/authorize?` + new URLSearchParams({
          client_id: web.client_id, request_uri: pushed.request_uri });
        const hit = rp.nextHit('/callback', { match: (u) => u.searchParams.get('state') === 'st-par' });
        await page.goto(authorize);
        await page.getByLabel('Email or username').fill(user.email);
        await page.locator('input[name="password"]').fill(user.password);
        await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
        if (await page.getByRole('button', { name: 'Allow', exact: true }).count()) {
          await page.getByRole('button', { name: 'Allow', exact: true }).click();
        }
        const h = await hit;
        assert.ok(h.url.searchParams.get('code'), `a code: ${h.url}`);
        const again = await page.goto(authorize);
        assert.equal(again.status(), 400, await describePage(page));
        assert.match(await page.locator('body').innerText(), /expired or was already used/);
        await shot(page, 'par-spent');
      } finally {
        await context.close();
      }
    });

    test('the PAR endpoint refuses what RFC 9126 and RFC 6749 say it must', async () => {
      const cases = [
        ['no client authentication', webParams({ client_id: web.client_id }), {}, 401, 'invalid_client'],
        ['a wrong secret', webParams(), { authorization: basicAuth(web.client_id, 'wrong') }, 401, 'invalid_client'],
        ['a request_uri inside', webParams({ request_uri: 'urn:ietf:params:oauth:request_uri:x' }), asWebAuth(), 400, 'invalid_request'],
        ['an unregistered redirect_uri', webParams({ redirect_uri: 'https://evil.example/cb' }), asWebAuth(), 400, 'invalid_request'],
        ['an unknown scope', webParams({ scope: 'openid admin' }), asWebAuth(), 400, 'invalid_scope'],
        ['the implicit flow', webParams({ response_type: 'token' }), asWebAuth(), 400, 'unsupported_response_type'],
        ['a request object', webParams({ request: 'eyJhbGciOiJub25lIn0.e30.' }), asWebAuth(), 400, 'request_not_supported'],
        ['a public client without PKCE', { client_id: spa.client_id, response_type: 'code',
          redirect_uri: rp.url('/callback'), scope: 'openid' }, {}, 400, 'invalid_request'],
        ['another client\'s client_id', webParams({ client_id: spa.client_id }), asWebAuth(), 400, 'invalid_request'],
      ];
      for (const [what, fields, headers, status, error] of cases) {
        const r = await push(fields, headers);
        assert.equal(r.status, status, `${what}: ${show(r)}`);
        assert.equal(r.body.error, error, `${what}: ${show(r)}`);
      }
      const repeated = await request('POST', `${issuer}/oauth/par`, { body: 'scope=openid&scope=email',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...asWebAuth() } });
      assert.equal(repeated.body.error, 'invalid_request', show(repeated));
      const json = await request('POST', `${issuer}/oauth/par`, { json: webParams(), headers: asWebAuth() });
      assert.equal(json.status, 400, show(json));
    });

    test('a client registered to require pushed requests is refused a plain one', async () => {
      const bank = await registerClient(srv, { name: 'Bank', redirectUris: [rp.url('/callback')], requirePar: true });
      assert.equal(bank.require_pushed_authorization_requests, true, JSON.stringify(bank));
      const plain = await request('GET', `${issuer}/oauth/authorize?` + new URLSearchParams({
        client_id: bank.client_id, ...webParams() }));
      assert.ok([302, 303].includes(plain.status), show(plain));
      const to = new URL(plain.headers.get('location'));
      assert.equal(to.searchParams.get('error'), 'invalid_request');
      assert.match(to.searchParams.get('error_description'), /push/);
      const pushed = await push(webParams(), { authorization: basicAuth(bank.client_id, bank.client_secret) });
      assert.equal(pushed.status, 201, show(pushed));
      const byReference = await request('GET', `${issuer}/oauth/authorize?` + new URLSearchParams({
        client_id: bank.client_id, request_uri: pushed.body.request_uri }));
      assert.equal(byReference.status, 303, show(byReference));
      assert.match(byReference.headers.get('location'), /\/login\?/);
    });
  });
}
