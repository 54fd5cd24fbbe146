// Issue 14: sign in with GitHub or any OpenID provider, per app — end to end on the real
// binary, in chromium, against a GitHub-shaped server and a second Tessera as the upstream
// OpenID provider, both on loopback.
//   - A developer adds GitHub to an app (console API); the app's sign-in page shows "Continue
//     with GitHub"; an OIDC client's authorization request → sign-in page → GitHub → back →
//     consent → code: a new user, and the ID token says how (amr ["fed"], idp). Again: the
//     same user, no second account.
//   - The API flow: back on the app's redirect URI with a one-time code (never a token), which
//     the backend exchanges with its API key — once.
//   - An existing verified account is linked only after its password proves ownership (the
//     provider's address is not trusted); an unverified account is never linked; the account
//     page lists the identity and unlinks it.
//   - Forged, replayed and other-browser states; access denied upstream; an upstream 500; a
//     provider turned off mid-flow; app A's provider used through app B: each a clear page,
//     never a 500.
//   - A second Tessera instance as a generic OpenID provider (discovery, PKCE, ID token).
// Screenshots: build/e2e-artifacts/fed-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/federation.test.mjs
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, assertStatus, request, rand, uniqEmail, decodeJwt, startServer,
} from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { startServerApiFixture, developer } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';
import { importOidcClient, startCallbackServer, registerClient, pkcePair } from './lib/oidc.mjs';
import { startGithubUpstream } from './lib/github_upstream.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`sign-in through upstream providers [${backend}]`, () => {
    let fx, srv, browser, rp, gh, web, config, issuer, provider;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const shot = (page, n) => screenshot(page, `fed-${n}${suffix}`);
    const ghUser = { id: 583231, login: 'octocat', name: 'The Octocat',
      emails: [{ email: uniqEmail('octo'), primary: true, verified: true }] };
    const capi = (method, path, opts = {}) =>
      srv.req(method, `/api/console${path}`, { token: fx.dev.token, ...opts });

    before(async () => {
      browser = await launchBrowser();
      fx = await startServerApiFixture(backend, `federation-${backend}`);
      srv = fx.srv;
      issuer = srv.issuer(fx.A.slug);
      rp = await startCallbackServer();
      gh = await startGithubUpstream({ clientId: 'gh-client', clientSecret: 'gh-secret' });
      gh.setUser(ghUser);
      const added = await capi('POST', `/apps/${fx.A.slug}/identity-providers`, { json: {
        kind: 'github', client_id: 'gh-client', client_secret: 'gh-secret', issuer: gh.url, userinfo_endpoint: gh.url } });
      assertStatus(added, 201);
      provider = added.body;
      web = await registerClient(srv, { app: fx.A.slug, name: 'Acme Notes', redirectUris: [rp.url('/callback')] });
      config = await client.discovery(new URL(issuer), web.client_id, web.client_secret,
        client.ClientSecretBasic(web.client_secret), { execute: [client.allowInsecureRequests] });
    });
    after(async () => {
      await closeBrowser(browser);
      await gh?.close();
      await rp?.close();
      await srv?.close();
    });

    test('the console API shows the callback URL to register, never the secret', async () => {
      assert.equal(provider.callback_url, `${issuer}/federation/github/callback`);
      assert.equal(provider.has_client_secret, true);
      assert.equal(provider.trust_email, true, 'GitHub primary+verified is trusted by default');
      const listed = await capi('GET', `/apps/${fx.A.slug}/identity-providers`);
      assertStatus(listed, 200);
      assert.doesNotMatch(listed.text, /gh-secret/);
      const other = await developer(srv, 'other');
      const foreign = await srv.req('GET', `/api/console/apps/${fx.A.slug}/identity-providers`, { token: other.token });
      assert.equal(foreign.status, 404, 'another developer sees no such app');
      const bad = await capi('POST', `/apps/${fx.A.slug}/identity-providers`, { json: {
        kind: 'oidc', slug: 'corp', client_id: 'x', issuer: 'http://idp.example.com' } });
      assertStatus(bad, 400);
      assert.ok(bad.body.errors?.some((e) => e.field === 'issuer'), JSON.stringify(bad.body));
    });

    /** An authorization code flow that signs in with GitHub on the sign-in page. */
    async function githubCodeFlow(page, { expectConsent }) {
      const checks = { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: client.randomState(),
        expectedNonce: client.randomNonce(), idTokenExpected: true };
      const url = client.buildAuthorizationUrl(config, { redirect_uri: rp.url('/callback'), scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier), code_challenge_method: 'S256',
        state: checks.expectedState, nonce: checks.expectedNonce });
      const callback = rp.next('/callback', { match: (u) => u.searchParams.get('state') === checks.expectedState });
      callback.catch(() => {});
      await page.goto(url.href);
      const button = page.getByRole('link', { name: 'Continue with GitHub' });
      assert.equal(await button.count(), 1, `the sign-in page offers GitHub: ${await describePage(page)}`);
      await shot(page, 'login');
      await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), button.click()]);
      if (expectConsent) {
        await page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
        await shot(page, 'consent');
        await Promise.all([page.waitForURL((u) => u.origin === rp.origin), page.getByRole('button', { name: 'Allow', exact: true }).click()]);
      }
      const cb = await callback;
      const tokens = await client.authorizationCodeGrant(config, cb, checks);
      return tokens.claims();
    }

    let firstSub;
    test('an OIDC client’s user signs up with GitHub, then signs in again as the same user', async () => {
      const { page, context } = await newPage(browser);
      const claims = await githubCodeFlow(page, { expectConsent: true });
      assert.equal(claims.email, ghUser.emails[0].email);
      assert.equal(claims.email_verified, true);
      assert.deepEqual(claims.amr, ['fed']);
      assert.equal(claims.idp, gh.url);
      firstSub = claims.sub;
      await context.close();

      ghUser.login = 'octocat-renamed';  // GitHub logins change; the numeric id does not
      gh.setUser(ghUser);
      const again = await newPage(browser);
      const claims2 = await githubCodeFlow(again.page, { expectConsent: false });
      assert.equal(claims2.sub, firstSub, 'the same user');
      const users = await fx.sapi('GET', `/users?search=${encodeURIComponent(ghUser.emails[0].email)}`);
      assertStatus(users, 200);
      assert.equal(users.body.users.length, 1, 'no second account');
      await again.context.close();
      // The app's developer sees the linked identity on the user's console page.
      const dev = await newPage(browser);
      await consoleSignIn(dev.page, srv.baseUrl, fx.dev);
      await dev.page.goto(`${srv.baseUrl}/console/apps/${fx.A.slug}/users/${users.body.users[0].id}`);
      const panel = dev.page.locator('section', { has: dev.page.locator('#identities-heading') });
      assert.match(await panel.innerText(), /GitHub[\s\S]*octocat-renamed/);
      await shot(dev.page, 'console-user');
      await dev.context.close();
    });

    test('the API flow: a one-time code on the app’s redirect URI, exchanged once by its backend', async () => {
      const back = rp.url('/done');
      assertStatus(await capi('PATCH', `/apps/${fx.A.slug}`, { json: { settings: { redirect_uris: [back] } } }), 200);
      const { verifier, challenge } = pkcePair();
      const { page, context } = await newPage(browser);
      const start = `${issuer}/api/auth/github?` + new URLSearchParams({ redirect_uri: back, state: 'st-1',
        code_challenge: challenge, code_challenge_method: 'S256' });
      const done = rp.next('/done', { match: (u) => u.searchParams.get('state') === 'st-1' });
      done.catch(() => {});
      await page.goto(start);
      const landed = await done;
      const code = landed.searchParams.get('code');
      assert.match(code ?? '', /^tfc_/, landed.href);
      assert.doesNotMatch(landed.href, /access_token|eyJ/, 'never a token in the URL');
      const noKey = await srv.api('POST', '/api/auth/token', { app: fx.A.slug, json: { code, redirect_uri: back, code_verifier: verifier } });
      assert.equal(noKey.status, 401, 'the backend’s API key is required');
      const bKey = await fx.sapi('POST', '/auth/token', { app: fx.A.slug, key: fx.B.key, json: { code, redirect_uri: back, code_verifier: verifier } });
      assert.equal(bKey.status, 404, 'another app’s key');
      const ok = await fx.sapi('POST', '/auth/token', { json: { code, redirect_uri: back, code_verifier: verifier } });
      assertStatus(ok, 200);
      assert.equal(decodeJwt(ok.body.access_token).claims.sub, firstSub);
      assert.ok(ok.body.refresh_token);
      const replay = await fx.sapi('POST', '/auth/token', { json: { code, redirect_uri: back, code_verifier: verifier } });
      assert.equal(replay.status, 401, 'single use');
      const bad = await request('GET', `${issuer}/api/auth/github?redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
      assert.equal(bad.status, 400, 'a redirect URI the app does not allow is refused, not followed');
      assert.match(bad.text, /The redirect_uri parameter is not one of the app/);
      await context.close();
    });

    test('an existing verified account is linked only with its password; the account page unlinks it', async () => {
      assertStatus(await capi('PATCH', `/apps/${fx.A.slug}/identity-providers/${provider.id}`, { json: { trust_email: false } }), 200);
      const email = uniqEmail('ada');
      const password = `pw-${rand(16)}`;
      await fx.createUser({ email, password, email_verified: true });
      gh.setUser({ id: 9001, login: 'ada-gh', name: 'Ada', emails: [{ email, primary: true, verified: true }] });
      const { page, context } = await newPage(browser);
      await page.goto(`${issuer}/login`);
      await Promise.all([page.waitForURL(/\/federation\/link\?ticket=/), page.getByRole('link', { name: 'Continue with GitHub' }).click()]);
      assert.match(await page.locator('h1').innerText(), /Link your GitHub account/);
      await shot(page, 'link-proof');
      await checkPageAtWidths(page, null, `fed-link-proof${suffix}`);  // 1280, 375, 320 px
      await page.getByLabel(`Password of ${email}`).fill('not the password');
      await page.getByRole('button', { name: 'Link and sign in' }).click();
      await page.locator('#form-error').waitFor();
      assert.match(await page.locator('#form-error').innerText(), /Incorrect password/);
      await page.getByLabel(`Password of ${email}`).fill(password);
      await Promise.all([page.waitForURL((u) => !u.pathname.includes('/federation/')), page.getByRole('button', { name: 'Link and sign in' }).click()]);
      await page.goto(`${issuer}/account`);
      const methods = page.locator('section', { has: page.locator('#identities-heading') });
      assert.match(await methods.innerText(), /GitHub[\s\S]*ada-gh/);
      await shot(page, 'account-linked');
      await checkPageAtWidths(page, null, `fed-account-linked${suffix}`);
      await page.setViewportSize({ width: 1280, height: 800 });
      await methods.getByRole('button', { name: /Unlink/ }).click();
      await page.waitForURL(/done=unlinked/);
      assert.match(await page.locator('main').innerText(), /Unlinked/);
      assert.doesNotMatch(await page.locator('main').innerText(), /ada-gh/);
      await context.close();
      assertStatus(await capi('PATCH', `/apps/${fx.A.slug}/identity-providers/${provider.id}`, { json: { trust_email: true } }), 200);
    });

    test('an unverified account is never linked to', async () => {
      const email = uniqEmail('planted');
      await fx.createUser({ email, password: `pw-${rand(16)}` });
      gh.setUser({ id: 9002, login: 'victim', name: 'Victim', emails: [{ email, primary: true, verified: true }] });
      const { page, context } = await newPage(browser);
      await page.goto(`${issuer}/login`);
      await page.getByRole('link', { name: 'Continue with GitHub' }).click();
      await page.waitForLoadState();
      assert.match(await page.locator('main').innerText(), /not confirmed/);
      await shot(page, 'unverified-refused');
      await checkPageAtWidths(page, null, `fed-unverified-refused${suffix}`);
      const users = await fx.sapi('GET', `/users?search=${encodeURIComponent(email)}`);
      assert.equal(users.body.users.length, 1);
      await context.close();
    });

    test('forged, replayed and other-browser states, denial, upstream failure, a provider off mid-flow: clear pages', async () => {
      const forged = await request('GET', `${issuer}/federation/github/callback?code=x&state=forged`);
      assert.equal(forged.status, 409);
      assert.match(forged.text, /expired or was already used/);
      // Start in one "browser" (no cookie jar here: the binding cookie is not sent back).
      const start = await request('GET', `${issuer}/federation/github/start`);
      assert.equal(start.status, 303);
      const state = new URL(start.headers.get('location')).searchParams.get('state');
      const elsewhere = await request('GET', `${issuer}/federation/github/callback?code=x&state=${state}`);
      assert.equal(elsewhere.status, 409, 'a callback without the starting browser’s cookie');
      assert.match(elsewhere.text, /another browser/);

      const { page, context } = await newPage(browser);
      gh.setUser(ghUser);
      gh.setMode('denied');
      await page.goto(`${issuer}/federation/github/start`);
      assert.match(await page.locator('h1').innerText(), /Sign-in was cancelled/);
      await shot(page, 'denied');
      gh.setMode('ok');
      gh.setFailures({ tokenStatus: 500 });
      const down = await page.goto(`${issuer}/federation/github/start`);
      assert.equal(down.status(), 503);
      assert.match(await page.locator('main').innerText(), /not answering/);
      gh.setFailures({ tokenStatus: 0 });
      // Replay of a callback URL the browser already used.
      let callbackUrl = null;
      page.on('request', (r) => { if (r.url().includes('/federation/github/callback')) callbackUrl = r.url(); });
      await page.goto(`${issuer}/federation/github/start`);
      assert.ok(callbackUrl);
      const replay = await page.goto(callbackUrl);
      assert.equal(replay.status(), 409);
      // Turned off between the start and the callback (each hop by hand, with the cookie).
      const begun = await request('GET', `${issuer}/federation/github/start`);
      const binding = begun.headers.get('set-cookie').split(';')[0];
      const atGithub = await request('GET', begun.headers.get('location'));
      assert.equal(atGithub.status, 302);
      assertStatus(await capi('PATCH', `/apps/${fx.A.slug}/identity-providers/${provider.id}`, { json: { enabled: false } }), 200);
      const off = await request('GET', atGithub.headers.get('location'), { headers: { cookie: binding } });
      assert.equal(off.status, 409, 'turned off between the start and the callback');
      assert.match(off.text, /turned off/);
      const refused = await page.goto(`${issuer}/federation/github/start`);
      assert.equal(refused.status(), 404, 'and the start refuses at once while off');
      assertStatus(await capi('PATCH', `/apps/${fx.A.slug}/identity-providers/${provider.id}`, { json: { enabled: true } }), 200);
      await context.close();
      // App A's provider through app B: B has no such provider.
      const cross = await request('GET', `${srv.issuer(fx.B.slug)}/federation/github/callback?code=x&state=${state}`);
      assert.equal(cross.status, 404);
    });

    test('a second Tessera as the upstream OpenID provider', async () => {
      const upstream = await startServer({ label: `federation-upstream-${backend}` });
      try {
        const callback = `${issuer}/federation/corp/callback`;
        const upClient = await registerClient(upstream, { name: 'Acme via Corp SSO', redirectUris: [callback], firstParty: true });
        const email = uniqEmail('corp');
        const password = `pw-${rand(16)}`;
        assertStatus(await upstream.api('POST', '/api/signup', { json: { email, password } }), 201);
        const added = await capi('POST', `/apps/${fx.A.slug}/identity-providers`, { json: {
          kind: 'oidc', slug: 'corp', display_name: 'Corp SSO', issuer: upstream.issuer(),
          client_id: upClient.client_id, client_secret: upClient.client_secret, trust_email: true } });
        assertStatus(added, 201);
        assert.equal(added.body.callback_url, callback);
        const { page, context } = await newPage(browser);
        await page.goto(`${issuer}/login`);
        await page.getByRole('link', { name: 'Continue with Corp SSO' }).click();
        await page.waitForURL((u) => u.href.startsWith(upstream.issuer()));
        await page.getByLabel('Email or username').fill(email);
        await page.locator('input[name="password"]').fill(password);
        await Promise.all([page.waitForURL((u) => u.href.startsWith(issuer) && !u.pathname.includes('/federation/')),
          page.getByRole('button', { name: 'Sign in' }).click()]);
        await page.goto(`${issuer}/account`);
        assert.match(await page.locator('main').innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
        assert.match(await page.locator('main').innerText(), /Corp SSO/);
        await shot(page, 'oidc-account');
        await context.close();
        const listed = await srv.admin(['providers', 'list', '--app', fx.A.slug]);
        assert.deepEqual(listed.map((p) => p.slug).sort(), ['corp', 'github']);
      } finally {
        await upstream.close();
      }
    });
  });
}
