// Second factors and OpenID Connect (docs/oidc.md, "Second factors: acr, acr_values and amr"):
// openid-client (v6) as the relying party, chromium signing in on the hosted pages — the
// password, then the code page or the QR code page (codes computed with lib/totp.mjs).
// - discovery lists acr_values_supported (and acr among the claims);
// - a password sign-in gives acr urn:tessera:acr:sfa, amr ["pwd"]; a user with a factor gets
//   acr urn:tessera:acr:mfa, amr ["pwd", "otp", "mfa"] (kept by a refresh);
// - step-up: a single-factor session asked for acr_values=urn:tessera:acr:mfa goes through the
//   sign-in again (and the enrolment for a user without a factor; the code for one who added it
//   since); with prompt=none it is error=interaction_required; a second-factor session is not
//   asked again;
// - max_age: a two-factor session older than it signs in again with both factors (auth_time
//   moves, acr stays mfa); a younger one passes;
// - an app with second factors off cannot meet acr_values: the request goes on with acr sfa.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/mfa_oidc.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, signup, rand, request, show, assertStatus } from './lib/server.mjs';
import { importOidcClient, registerClient, SESSION_COOKIE_RE } from './lib/oidc.mjs';
import { startOidcFlowFixture, FULL_SCOPE } from './lib/oidc_flow.mjs';
import { describePage } from './lib/browser.mjs';
import { TotpDevice, STEP_SECONDS } from './lib/totp.mjs';

const client = await importOidcClient();
const SFA = 'urn:tessera:acr:sfa';
const MFA = 'urn:tessera:acr:mfa';

for (const backend of backends()) {
  describe(`second factors and OpenID Connect [${backend}]`, () => {
    let fixture, srv, browser, rp, issuer, web, user, configFor, newPage, shot;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `mfa-oidc-${backend}`);
      ({ srv, browser, rp, issuer, web, user, configFor, newPage, shot } = fixture);
    });
    after(() => fixture?.close());

    const click = (page, role, name) =>
      Promise.all([page.waitForNavigation(), page.getByRole(role, { name, exact: true }).click()]);

    /** A user of `app` with an authenticator app added through the API (`who.device`). */
    async function userWithFactor(app = srv.app) {
      const u = await signup(srv, { app });
      const li = await srv.api('POST', '/api/login', { app, json: { email: u.email, password: u.password } });
      assertStatus(li, 200);
      await addFactor(app, u, li.body.access_token);
      return u;
    }
    async function addFactor(app, u, accessToken) {
      const begun = await srv.api('POST', '/api/me/mfa/totp', { app, token: accessToken });
      assertStatus(begun, 201);
      u.device = new TotpDevice(begun.body.secret);
      assertStatus(await srv.api('POST', `/api/me/mfa/totp/${begun.body.factor_id}/confirm`, { app,
        token: accessToken, json: { code: u.device.now() } }), 200);
    }

    /**
     * One authorization code flow in `page` with openid-client: signs in as `who` (password, then
     * the code page, or the QR code page — the key read from the page — and the recovery codes),
     * consents, and lets openid-client redeem the code. Returns {seen, callback, tokens?, claims?}:
     * `seen` lists the pages passed (login, code, enrol, recovery-codes, consent); with an error
     * in the callback, no tokens.
     */
    async function flow(page, config, who, { extra = {}, iss = issuer } = {}) {
      const checks = {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: client.randomState(),
        expectedNonce: client.randomNonce(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: rp.url('/callback'), scope: FULL_SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
        code_challenge_method: 'S256', state: checks.expectedState, nonce: checks.expectedNonce, ...extra,
      });
      const callback = rp.next('/callback', { match: (u) => u.searchParams.get('state') === checks.expectedState });
      callback.catch(() => {});
      await page.goto(url.href);
      const seen = [];
      for (let step = 0; step < 8 && new URL(page.url()).origin !== rp.origin; step++) {
        const path = new URL(page.url()).pathname;
        if (await page.locator('input[name="identifier"]').count()) {
          seen.push('login');
          assert.equal(path, `${new URL(iss).pathname}/login`, await describePage(page));
          await page.getByLabel('Email or username').fill(who.email);
          await page.locator('input[name="password"]').fill(who.password);
          await click(page, 'button', 'Sign in');
        } else if (/\/login\/mfa(\/enrol)?$/.test(path) && await page.locator('#totp-secret').count()) {
          seen.push('enrol');
          await page.getByText('Can’t scan it? Enter the key instead').click();
          who.device = new TotpDevice((await page.locator('#totp-secret').innerText()).replace(/\s+/g, ''));
          await page.getByLabel('6-digit code').fill(who.device.now());
          await click(page, 'button', 'Turn on two-step verification');
        } else if (/\/login\/mfa$/.test(path)) {
          seen.push('code');
          assert.ok(who.device, `a code is asked of a user without a device: ${await describePage(page)}`);
          await page.getByLabel('6-digit code').fill(await who.device.next());
          await click(page, 'button', 'Verify and sign in');
        } else if (await page.locator('ol.recovery-codes').count()) {
          seen.push('recovery-codes');
          await click(page, 'link', 'I saved them — continue');
        } else if (await page.locator('button[name="decision"][value="allow"]').count()) {
          seen.push('consent');
          await click(page, 'button', 'Allow');
        } else {
          await shot(page, `mfa-failure-${rand(4)}`);
          assert.fail(`an unexpected page: ${await describePage(page)}`);
        }
      }
      assert.equal(new URL(page.url()).origin, rp.origin, `back at the client: ${await describePage(page)} (seen ${seen})`);
      const cb = await callback;
      if (cb.searchParams.get('error')) return { seen, callback: cb };
      const tokens = await client.authorizationCodeGrant(config, cb, checks);
      return { seen, callback: cb, tokens, claims: tokens.claims() };
    }

    test('discovery lists acr_values_supported, and acr among the claims', async () => {
      const res = await request('GET', `${issuer}/.well-known/openid-configuration`);
      assertStatus(res, 200);
      assert.deepEqual([...res.body.acr_values_supported].sort(), [MFA, SFA], show(res));
      assert.ok(res.body.claims_supported.includes('acr'), show(res));
      assert.ok(res.body.claims_supported.includes('amr'), show(res));
      const config = await configFor(web);
      assert.deepEqual([...config.serverMetadata().acr_values_supported].sort(), [MFA, SFA]);
    });

    test('a password sign-in: acr sfa, amr ["pwd"]; a user with a factor: acr mfa, amr ["pwd", "otp", "mfa"], kept by a refresh', async () => {
      const config = await configFor(web);
      const one = await newPage(browser);
      try {
        const r = await flow(one.page, config, user);
        assert.deepEqual(r.seen.filter((s) => s !== 'consent'), ['login']);
        assert.equal(r.claims.acr, SFA, JSON.stringify(r.claims));
        assert.deepEqual(r.claims.amr, ['pwd']);
      } finally {
        await one.context.close();
      }
      const u = await userWithFactor();
      const two = await newPage(browser);
      try {
        const r = await flow(two.page, config, u);
        assert.deepEqual(r.seen, ['login', 'code', 'consent']);
        assert.equal(r.claims.acr, MFA, JSON.stringify(r.claims));
        assert.deepEqual(r.claims.amr, ['pwd', 'otp', 'mfa']);
        assert.equal(r.claims.email, u.email);
        const refreshed = await client.refreshTokenGrant(config, r.tokens.refresh_token);
        assert.ok(refreshed.id_token, 'a refresh answers a new ID token');
        const c = refreshed.claims();
        assert.equal(c.acr, MFA, JSON.stringify(c));
        assert.deepEqual(c.amr, ['pwd', 'otp', 'mfa']);
        assert.equal(c.auth_time, r.claims.auth_time);
        // The session has both factors: asking for them again asks nothing.
        const again = await flow(two.page, config, u, { extra: { acr_values: MFA } });
        assert.deepEqual(again.seen, [], 'no sign-in, no consent');
        assert.equal(again.claims.acr, MFA);
        const quiet = await flow(two.page, config, u, { extra: { acr_values: MFA, prompt: 'none' } });
        assert.equal(quiet.claims?.acr, MFA, quiet.callback.href);
      } finally {
        await two.context.close();
      }
    });

    test('step-up: a password-only session asked for acr_values mfa signs in again and enrols; the ID token says mfa', async () => {
      const config = await configFor(web);
      const u = await signup(srv);  // no factor; the app's policy: optional
      const { context, page } = await newPage(browser);
      try {
        const first = await flow(page, config, u);
        assert.equal(first.claims.acr, SFA);
        const sessionBefore = (await context.cookies(srv.baseUrl)).find((c) => SESSION_COOKIE_RE.test(c.name))?.value;
        const stepUp = await flow(page, config, u, { extra: { acr_values: MFA } });
        assert.deepEqual(stepUp.seen.filter((s) => s !== 'consent'), ['login', 'enrol', 'recovery-codes'], stepUp.callback.href);
        assert.equal(stepUp.claims.acr, MFA, JSON.stringify(stepUp.claims));
        assert.deepEqual(stepUp.claims.amr, ['pwd', 'otp', 'mfa']);
        assert.equal(stepUp.claims.sub, first.claims.sub);
        assert.ok(stepUp.claims.auth_time >= first.claims.auth_time);
        const sessionAfter = (await context.cookies(srv.baseUrl)).find((c) => SESSION_COOKIE_RE.test(c.name))?.value;
        assert.notEqual(sessionAfter, sessionBefore, 'a new session');
        // The factor counts from now on (API login asks for it).
        const li = await srv.api('POST', '/api/login', { json: { email: u.email, password: u.password } });
        assert.equal(li.body?.type, 'urn:tessera:problem:mfa-required', show(li));
      } finally {
        await context.close();
      }
    });

    // max_age (OIDC Core 3.1.2.1): a session older than it signs in again, both factors
    // included — a fresh password alone would not give back the acr the session had.
    test('max_age on a two-factor session: the password and the code again; auth_time moves, acr stays mfa', async () => {
      const config = await configFor(web);
      const u = await userWithFactor();
      const { context, page } = await newPage(browser);
      try {
        const first = await flow(page, config, u);
        assert.deepEqual(first.seen.filter((s) => s !== 'consent'), ['login', 'code']);
        assert.equal(first.claims.acr, MFA);
        const young = await flow(page, config, u, { extra: { max_age: '600' } });
        assert.deepEqual(young.seen, [], 'a young session passes');
        assert.equal(young.claims.auth_time, first.claims.auth_time);
        // Older than max_age=1, and (so that the code page is not left waiting for the clock
        // within the relying party's patience) at a time step the next code may be sent in.
        const fresh = u.device.lastStep * STEP_SECONDS * 1000 + 250;
        await new Promise((r) => setTimeout(r, Math.max(2100, fresh - Date.now())));
        const aged = await flow(page, config, u, { extra: { max_age: '1' } });
        assert.deepEqual(aged.seen.filter((s) => s !== 'consent'), ['login', 'code']);
        assert.ok(aged.claims.auth_time >= first.claims.auth_time + 2,
          `auth_time ${aged.claims.auth_time} after ${first.claims.auth_time}`);
        assert.equal(aged.claims.acr, MFA);
        assert.deepEqual(aged.claims.amr, ['pwd', 'otp', 'mfa']);
      } finally {
        await context.close();
      }
    });

    test('step-up of a user who added a factor since signing in: the password, then the code', async () => {
      const config = await configFor(web);
      const u = await signup(srv);
      const { context, page } = await newPage(browser);
      try {
        const first = await flow(page, config, u);
        assert.equal(first.claims.acr, SFA);
        // Added meanwhile, through the account API (its own sign-in).
        const li = await srv.api('POST', '/api/login', { json: { email: u.email, password: u.password } });
        assertStatus(li, 200);
        await addFactor(srv.app, u, li.body.access_token);
        // The browser session still has one factor: a plain request goes through…
        const plain = await flow(page, config, u);
        assert.deepEqual(plain.seen, []);
        assert.equal(plain.claims.acr, SFA);
        // …one asking for two factors signs in again.
        const stepUp = await flow(page, config, u, { extra: { acr_values: `${SFA} ${MFA}` } });
        assert.deepEqual(stepUp.seen.filter((s) => s !== 'consent'), ['login', 'code']);
        assert.equal(stepUp.claims.acr, MFA);
        assert.deepEqual(stepUp.claims.amr, ['pwd', 'otp', 'mfa']);
      } finally {
        await context.close();
      }
    });

    test('prompt=none with acr_values mfa on a single-factor session: error=interaction_required', async () => {
      const config = await configFor(web);
      const u = await signup(srv);
      const { context, page } = await newPage(browser);
      try {
        assert.equal((await flow(page, config, u)).claims.acr, SFA);
        const r = await flow(page, config, u, { extra: { acr_values: MFA, prompt: 'none' } });
        assert.deepEqual(r.seen, []);
        assert.equal(r.callback.searchParams.get('error'), 'interaction_required', r.callback.href);
        assert.equal(r.callback.searchParams.get('iss'), issuer);
        assert.equal(r.callback.searchParams.get('code'), null);
        // Without acr_values the same session answers silently.
        const silent = await flow(page, config, u, { extra: { prompt: 'none' } });
        assert.equal(silent.claims?.acr, SFA, silent.callback.href);
        // An unknown acr value asks nothing more (acr_values is voluntary).
        const other = await flow(page, config, u, { extra: { acr_values: 'urn:example:loa:4', prompt: 'none' } });
        assert.equal(other.claims?.acr, SFA, other.callback.href);
      } finally {
        await context.close();
      }
    });

    test('an app with second factors off cannot meet acr_values mfa: the request goes on, acr sfa', async () => {
      const app = `mfo-${rand(8)}`;
      await srv.createApp(app, 'No second factors');
      await srv.admin(['update-app', '--app', app, '--mfa', 'off']);  // before the server reads it
      const c = await registerClient(srv, { app, name: 'Off web', redirectUris: [rp.url('/callback')] });
      const iss = srv.issuer(app);
      const config = await client.discovery(new URL(iss), c.client_id, c.client_secret,
        client.ClientSecretBasic(c.client_secret), { execute: [client.allowInsecureRequests] });
      const u = await signup(srv, { app });
      const { context, page } = await newPage(browser);
      try {
        const r = await flow(page, config, u, { extra: { acr_values: MFA }, iss });
        assert.deepEqual(r.seen.filter((s) => s !== 'consent'), ['login']);
        assert.equal(r.claims.acr, SFA);
        assert.deepEqual(r.claims.amr, ['pwd']);
        const quiet = await flow(page, config, u, { extra: { acr_values: MFA, prompt: 'none' }, iss });
        assert.equal(quiet.claims?.acr, SFA, quiet.callback.href);
      } finally {
        await context.close();
      }
    });
  });
}
