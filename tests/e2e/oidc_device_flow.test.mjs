// The device authorization grant (RFC 8628) end to end: an unmodified openid-client v6 starts it
// and polls (initiateDeviceAuthorization / pollDeviceAuthorizationGrant) while chromium — the
// user's phone — enters the code on the hosted {issuer}/device page, signs in, sees which client
// asks for what, and allows or denies. Also, from outside with plain HTTP: the app's switch and
// discovery, the client's grant, each §3.5 answer (authorization_pending, slow_down, access_denied,
// invalid_grant for a used, foreign or forged code), CSRF, hostile input on the page, and the
// limit on wrong codes. Expiry (expired_token) is in the unit tests (a manual clock).
//
// Screenshots: oidc-device-*.png in $TESSERA_E2E_ARTIFACTS or <repo>/build/e2e-artifacts.
// Run alone:  node --test tests/e2e/oidc_device_flow.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, request, show, rand, sleep } from './lib/server.mjs';
import { importOidcClient, registerClient, formBody, basicAuth } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';
import { describePage } from './lib/browser.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';

const client = await importOidcClient();
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

for (const backend of backends()) {
  describe(`device authorization grant (RFC 8628) [${backend}]`, () => {
    let fixture, srv, issuer, user, configFor, newPage, browser, shot, tv, cli;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-device-${backend}`);
      ({ srv, issuer, user, configFor, newPage, browser, shot } = fixture);
      tv = await registerClient(srv, { name: 'Living-room TV', isPublic: true, grants: [DEVICE_GRANT, 'refresh_token'] });
      cli = await registerClient(srv, { name: 'Deploy CLI', grants: [DEVICE_GRANT] });
    });
    after(() => fixture?.close());

    /**
     * Turns the app's device_flow setting on or off with the CLI and waits until the server
     * answers by it: on SQLite a CLI process's change notice does not reach the running server,
     * whose cached app lives up to 5 s (PostgreSQL delivers the notice at once).
     */
    async function setDeviceFlow(on, app = srv.app) {
      const set = await srv.admin(['update-app', '--app', app, '--device-flow', on ? 'true' : 'false']);
      const url = `${srv.issuer(app)}/.well-known/openid-configuration`;
      for (let i = 0; i < 80; i++) {
        const m = (await request('GET', url)).body;
        if (Boolean(m?.device_authorization_endpoint) === on) return set;
        await sleep(100);
      }
      assert.fail(`discovery of ${app} did not follow device_flow=${on} within 8 s`);
    }
    const deviceAuthorization = (fields, headers = {}) => request('POST', `${issuer}/oauth/device_authorization`, {
      body: formBody(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    const poll = (fields, headers = {}) => request('POST', `${issuer}/oauth/token`, {
      body: formBody({ grant_type: DEVICE_GRANT, ...fields }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

    /** Signs `who` in on the login page the browser is on (it returns to where it came from). */
    async function signIn(page, who = user) {
      assert.equal(new URL(page.url()).pathname.endsWith('/login'), true, await describePage(page));
      await page.getByLabel('Email or username').fill(who.email);
      await page.locator('input[name="password"]').fill(who.password);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
    }

    test('off by default: not in discovery, the endpoint refuses, the page is not found', async () => {
      const m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
      assert.equal(m.device_authorization_endpoint, undefined);
      assert.ok(!m.grant_types_supported.includes(DEVICE_GRANT));
      const r = await deviceAuthorization({ client_id: tv.client_id });
      assert.equal(r.status, 400, show(r));
      assert.equal(r.body.error, 'unauthorized_client');
      const t = await poll({ client_id: tv.client_id, device_code: `tdc_${'A'.repeat(43)}` });
      assert.equal(t.body.error, 'unsupported_grant_type', show(t));
      assert.equal((await request('GET', `${issuer}/device`)).status, 404);
    });

    test('on: discovery lists exactly the endpoint and the grant', async () => {
      const set = await setDeviceFlow(true);
      assert.equal(set.device_flow ?? set.settings?.device_flow, true, JSON.stringify(set));
      const m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
      assert.equal(m.device_authorization_endpoint, `${issuer}/oauth/device_authorization`);
      assert.ok(m.grant_types_supported.includes(DEVICE_GRANT), JSON.stringify(m.grant_types_supported));
    });

    test('openid-client polls while the user enters the code, signs in and allows: tokens, once', async () => {
      const config = await configFor(tv);
      const started = await client.initiateDeviceAuthorization(config, { scope: 'openid profile email offline_access' });
      assert.match(started.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(started.verification_uri, `${issuer}/device`);
      assert.equal(started.verification_uri_complete, `${issuer}/device?user_code=${started.user_code}`);
      assert.equal(started.expires_in, 600);
      assert.equal(started.interval, 5);
      const tokensPromise = client.pollDeviceAuthorizationGrant(config, started);
      tokensPromise.catch(() => {});

      const { context, page } = await newPage(browser);
      try {
        // The user types what the TV shows, in lower case and with a space: that is fine.
        await page.goto(started.verification_uri);
        await checkPageAtWidths(page, null, 'oidc-device-code-entry');
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.getByLabel('Code').fill(started.user_code.toLowerCase().replace('-', ' '));
        await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()]);
        await signIn(page);
        // The confirmation: the code again, the client, what it asks for.
        assert.equal(new URL(page.url()).pathname, new URL(`${issuer}/device`).pathname, await describePage(page));
        const text = await page.locator('main, body').first().innerText();
        assert.ok(text.includes(started.user_code), text);
        assert.ok(text.includes('Living-room TV'), text);
        assert.match(text, /Signed in as[\s\S]*@/);
        assert.ok(await page.locator('.scope').count() >= 3, 'the scopes are listed');
        await checkPageAtWidths(page, null, 'oidc-device-confirm');
        await page.setViewportSize({ width: 1280, height: 800 });
        await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Allow', exact: true }).click()]);
        assert.match(await page.locator('h1').innerText(), /Device connected/);
        await shot(page, 'device-connected');
      } finally {
        await context.close();
      }

      const tokens = await tokensPromise;
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      const claims = tokens.claims();
      assert.equal(claims.sub, user.user.id);
      assert.equal(claims.aud, tv.client_id);
      assert.equal(claims.iss, issuer);
      assert.equal(claims.nonce, undefined);
      assert.ok(tokens.refresh_token, 'offline_access gave a refresh token');
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
      assert.ok(refreshed.access_token);
      // Single use: the same device_code again gets nothing.
      const again = await poll({ client_id: tv.client_id, device_code: started.device_code });
      assert.equal(again.status, 400, show(again));
      assert.equal(again.body.error, 'invalid_grant');
      assert.equal(again.headers.get('cache-control'), 'no-store');
    });

    test('the verification_uri_complete link still asks to confirm; Deny reaches the device as access_denied', async () => {
      const config = await configFor(cli, { auth: 'basic' });
      const started = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
      const polled = client.pollDeviceAuthorizationGrant(config, started);
      polled.catch(() => {});
      const { context, page } = await newPage(browser);
      try {
        await page.goto(started.verification_uri_complete);
        await signIn(page);
        // Never approved by following the link alone (RFC 8628 §5.4).
        assert.ok(await page.getByRole('button', { name: 'Allow', exact: true }).count(), await describePage(page));
        assert.ok((await page.locator('body').innerText()).includes('Deploy CLI'));
        await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Deny', exact: true }).click()]);
        assert.match(await page.locator('h1').innerText(), /denied/i);
        // The code is spent: entering it again says so, and nothing more.
        await page.goto(started.verification_uri_complete);
        assert.match(await page.locator('body').innerText(), /not valid/);
      } finally {
        await context.close();
      }
      await assert.rejects(polled, (e) => e.error === 'access_denied' || /access_denied/.test(e.message));
    });

    test('polling: pending, slow_down with a longer interval, foreign and forged codes', async () => {
      const r = await deviceAuthorization({ client_id: tv.client_id, scope: 'openid' });
      assert.equal(r.status, 200, show(r));
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.deepEqual(Object.keys(r.body).sort(),
        ['device_code', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete']);
      const code = r.body.device_code;
      const first = await poll({ client_id: tv.client_id, device_code: code });
      assert.equal(first.body.error, 'authorization_pending', show(first));
      const fast = await poll({ client_id: tv.client_id, device_code: code });
      assert.equal(fast.status, 400);
      assert.equal(fast.body.error, 'slow_down', show(fast));
      assert.match(fast.body.error_description, /10 seconds/);
      // Another client cannot poll it (and the confidential one must authenticate first).
      const foreign = await poll({ device_code: code }, { authorization: basicAuth(cli.client_id, cli.client_secret) });
      assert.equal(foreign.body.error, 'invalid_grant', show(foreign));
      const anonymous = await poll({ client_id: cli.client_id, device_code: code });
      assert.equal(anonymous.status, 401, show(anonymous));
      assert.equal(anonymous.body.error, 'invalid_client');
      for (const forged of [`tdc_${'A'.repeat(43)}`, code.slice(0, -2) + 'xx', "tdc_' OR 1=1 --", 'x'.repeat(5000)]) {
        const f = await poll({ client_id: tv.client_id, device_code: forged });
        assert.equal(f.body.error, 'invalid_grant', `${forged.slice(0, 40)}: ${show(f)}`);
      }
      const missing = await poll({ client_id: tv.client_id });
      assert.equal(missing.body.error, 'invalid_request');
    });

    test('the device authorization endpoint refuses what RFC 8628 and RFC 6749 say it must', async () => {
      const web = fixture.web;  // registered for the code flow only
      const notAllowed = await deviceAuthorization({}, { authorization: basicAuth(web.client_id, web.client_secret) });
      assert.equal(notAllowed.body.error, 'unauthorized_client', show(notAllowed));
      const scope = await deviceAuthorization({ client_id: tv.client_id, scope: 'openid admin:everything' });
      assert.equal(scope.body.error, 'invalid_scope', show(scope));
      const unknown = await deviceAuthorization({ client_id: 'no-such-client' });
      assert.equal(unknown.status, 401, show(unknown));
      const badSecret = await deviceAuthorization({}, { authorization: basicAuth(cli.client_id, 'wrong') });
      assert.equal(badSecret.status, 401, show(badSecret));
      const repeated = await request('POST', `${issuer}/oauth/device_authorization`, {
        body: `client_id=${tv.client_id}&client_id=${tv.client_id}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(repeated.body.error, 'invalid_request', show(repeated));
      const json = await request('POST', `${issuer}/oauth/device_authorization`, { json: { client_id: tv.client_id } });
      assert.equal(json.status, 400, show(json));
      assert.equal(json.body.error, 'invalid_request');
    });

    test('the page: CSRF is required, hostile input is shown escaped, nothing is approved without a decision', async () => {
      const noCsrf = await request('POST', `${issuer}/device`, {
        body: formBody({ user_code: 'BCDF-GHJK' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(noCsrf.status, 403, show(noCsrf));
      const decisionNoCsrf = await request('POST', `${issuer}/device/decision`, {
        body: formBody({ user_code: 'BCDF-GHJK', decision: 'allow' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(decisionNoCsrf.status, 403, show(decisionNoCsrf));
      const hostile = '<script>alert(1)</script>"\'';
      const page = await request('GET', `${issuer}/device?user_code=${encodeURIComponent(hostile)}`);
      assert.equal(page.status, 404, show(page));
      assert.ok(!page.text.includes('<script>alert(1)'), 'the typed code is escaped');
      assert.match(page.text, /not valid/);
      const csp = page.headers.get('content-security-policy');
      assert.match(csp, /script-src 'none'|default-src 'none'/);
    });

    test('wrong codes are limited: past the budget the page answers 429 with Retry-After', async () => {
      // An app of its own, so the budget used here is no other test's.
      const app = `dev-rl-${rand(6).toLowerCase()}`;
      await srv.createApp(app);
      await setDeviceFlow(true, app);
      const appIssuer = srv.issuer(app);
      const { context, page } = await newPage(browser);
      try {
        let status = 0;
        for (let i = 0; i < 11 && status !== 429; i++) {
          await page.goto(`${appIssuer}/device`);
          await page.getByLabel('Code').fill('BCDF-GHJK');
          const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()]);
          status = res.status();
          if (status !== 429) assert.equal(status, 404, await describePage(page));
        }
        assert.equal(status, 429, 'the 11th wrong code is refused before any lookup');
        assert.match(await page.locator('body').innerText(), /Too many failed code entries/);
        await shot(page, 'device-throttled');
      } finally {
        await context.close();
      }
      const r = await request('GET', `${appIssuer}/device?user_code=BCDF-GHJK`);
      assert.equal(r.status, 429, show(r));
      assert.ok(Number(r.headers.get('retry-after')) > 0, show(r));
    });
  });
}
