// OpenID Connect end to end, the way a real relying party and a real person use it: an unmodified
// certified client library (openid-client v6) does discovery, builds the authorization request
// (PKCE S256, state, nonce), exchanges the code (validating the ID token, nonce and the RFC 9207
// `iss`), calls userinfo, refreshes, introspects and revokes; a real chromium (playwright-core)
// signs in on the hosted login page and answers the consent page. The relying party's
// redirect_uri is a tiny HTTP server on 127.0.0.1 (fixture and flow helpers: lib/oidc_flow.mjs).
//
// This file: a first-party client (no consent), the hosted signup page, the account page
// (sessions, authorized apps, revoking access, signing out), RP-initiated logout and the hosted
// pages' stylesheet under the CSP. Discovery and the client flows: oidc_flow_client.test.mjs.
//
// Screenshots of every hosted page go to $TESSERA_E2E_ARTIFACTS or <repo>/build/e2e-artifacts
// (oidc-01-login.png, …). Without chromium these tests fail (see lib/browser.mjs).
//
// Run alone:  node --test tests/e2e/oidc_flow_pages.test.mjs
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, signup, login, uniqEmail, uniqUsername, rand,
} from './lib/server.mjs';
import { describePage } from './lib/browser.mjs';
import { importOidcClient, registerClient, SESSION_COOKIE_RE } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`OpenID Connect with openid-client and chromium [${backend}]`, () => {
    let fixture, srv, browser, rp, issuer, web, firstParty, shot, configFor, newPage, gotoPage, codeFlow;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-flow-pages-${backend}`);
      ({ srv, browser, rp, issuer, web, firstParty, shot, configFor, newPage, gotoPage, codeFlow } = fixture);
    });
    after(() => fixture?.close());

    test('first-party client: no consent page', async () => {
      const config = await configFor(firstParty);
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, config, { who: await signup(srv) });
        assert.deepEqual(r.seen, ['login'], 'first-party clients skip consent');
        assert.ok(r.tokens.id_token && r.tokens.refresh_token);
      } finally {
        await context.close();
      }
    });

    test('hosted signup page creates an account that can authorize a client', async () => {
      const { context, page } = await newPage(browser);
      try {
        const who = { email: uniqEmail('hosted'), password: `pw-${rand(16)}`, username: uniqUsername('hs') };
        await gotoPage(page, `${issuer}/signup`);
        await shot(page, '00-signup');
        await page.locator('input[name="email"]').fill(who.email);
        await page.locator('input[name="username"]').fill(who.username);
        await page.locator('input[name="password"]').fill(who.password);
        await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Create account' }).click()]);
        const r = await codeFlow(page, await configFor(web), { who });
        // Signing up signs in (then only the consent page comes); accept a login page too.
        assert.ok(['consent', 'login,consent'].includes(r.seen.join()), `pages: ${r.seen}`);
        assert.equal(r.claims.email, who.email);
      } finally {
        await context.close();
      }
    });

    test('account page: sessions and authorized apps; "Revoke access" brings the consent page back', async () => {
      const config = await configFor(web);
      const who = await signup(srv, { profile: { name: 'Grace Hopper' } });
      const { context, page } = await newPage(browser);
      try {
        await codeFlow(page, config, { who });
        await gotoPage(page, `${issuer}/account`);
        assert.equal(new URL(page.url()).pathname, new URL(`${issuer}/account`).pathname, await describePage(page));
        await shot(page, '04-account');
        const body = await page.innerText('body');
        assert.ok(body.includes(who.email), 'the account page shows who is signed in');
        assert.ok(body.includes('Web'), 'the authorized client is listed');
        // Every form on the page carries a CSRF token.
        const forms = await page.locator('form[method="post" i]').count();
        assert.ok(forms >= 3, `profile, password and sign-out forms at least: ${forms}`);
        assert.equal(await page.locator('form[method="post" i]:not(:has(input[name="csrf_token"]))').count(), 0,
          'every POST form has csrf_token');
        // Revoke the app's access.
        const revoke = page.getByRole('button', { name: /Revoke access/ });
        assert.equal(await revoke.count(), 1, await describePage(page));
        await Promise.all([page.waitForNavigation(), revoke.click()]);
        assert.ok(!(await page.innerText('body')).includes('Revoke access'), 'no authorized app left');
        const again = await codeFlow(page, config, { who });
        assert.deepEqual(again.seen, ['consent'], 'consent is asked again after revoking access');
      } finally {
        await context.close();
      }
    });

    test('RP-initiated logout: the session ends and the browser returns to post_logout_redirect_uri with state', async () => {
      const rpClient = await registerClient(srv, { name: 'RP logout', redirectUris: [rp.url('/callback')],
        postLogoutRedirectUris: [rp.url('/logged-out')] });
      const config = await configFor(rpClient);
      const who = await signup(srv);
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, config, { who });
        const state = client.randomState();
        const endSession = client.buildEndSessionUrl(config, {
          id_token_hint: r.tokens.id_token, post_logout_redirect_uri: rp.url('/logged-out'), state,
        });
        assert.equal(endSession.origin + endSession.pathname, `${issuer}/oauth/logout`);
        const landed = rp.next('/logged-out', { match: (u) => u.searchParams.get('state') === state });
        landed.catch(() => {});
        await page.goto(endSession.href);
        if (new URL(page.url()).origin !== rp.origin) {
          // An OP may ask for confirmation (OIDC RP-Initiated Logout §2); ours answers at once when the
          // id_token_hint is valid, so this only documents what the page looks like if it asks.
          await shot(page, '05-logout-confirm');
          const out = page.locator('button[name="decision"][value="logout"]');
          assert.equal(await out.count(), 1, `expected a redirect to the RP or a confirmation: ${await describePage(page)}`);
          await Promise.all([page.waitForNavigation(), out.click()]);
        }
        const u = await landed;
        assert.equal(u.searchParams.get('state'), state);
        await shot(page, '05-logged-out');
        // The browser session is over: authorizing again needs a sign-in.
        const again = await codeFlow(page, config, { who, shots: { login: '06-login-after-logout' } });
        assert.deepEqual(again.seen, ['login']);
      } finally {
        await context.close();
      }
    });

    test('hosted pages load their stylesheet and break no Content-Security-Policy rule', async () => {
      const { context, page } = await newPage(browser);
      const problems = [];
      page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`); });
      page.on('requestfailed', (r) => problems.push(`${r.url()} failed: ${r.failure()?.errorText}`));
      page.on('response', (r) => { if (r.status() >= 400 && !r.url().includes('favicon')) problems.push(`${r.url()} → ${r.status()}`); });
      const styled = () => page.evaluate(() => [...document.styleSheets].map((s) => {
        try { return s.cssRules.length; } catch { return -1; }
      }));
      try {
        await gotoPage(page, `${issuer}/signup`);
        const sheets = await styled();
        assert.ok(sheets.length >= 1 && sheets.every((n) => n > 0), `stylesheet applied on the signup page: ${JSON.stringify(sheets)}; ${problems.join('\n')}`);
        await gotoPage(page, `${issuer}/login`);
        assert.ok((await styled()).every((n) => n > 0));
        const who = await signup(srv);
        const shots = { login: '08-login-styled', consent: '08-consent-styled' };
        await codeFlow(page, await configFor(web), { who, shots });
        await gotoPage(page, `${issuer}/account`);
        assert.ok((await styled()).every((n) => n > 0));
        assert.deepEqual(problems, [], 'no CSP violations, failed or refused requests on the hosted pages');
      } finally {
        await context.close();
      }
    });

    test('account page "Sign out" ends the browser session', async () => {
      const config = await configFor(firstParty);
      const who = await signup(srv);
      const { context, page } = await newPage(browser);
      try {
        await codeFlow(page, config, { who });
        await gotoPage(page, `${issuer}/account`);
        // The page's own sign-out button (a session list's buttons would read "Sign out of …", and
        // the only session here is the current one).
        const signOut = page.getByRole('button', { name: 'Sign out', exact: true });
        assert.equal(await signOut.count(), 1, `one "Sign out" button: ${await describePage(page)}`);
        await Promise.all([page.waitForNavigation(), signOut.click()]);
        await shot(page, '07-signed-out');
        const cookies = await context.cookies(srv.baseUrl);
        assert.ok(!cookies.some((c) => SESSION_COOKIE_RE.test(c.name) && c.value), 'the session cookie is cleared');
        const again = await codeFlow(page, config, { who });
        assert.deepEqual(again.seen, ['login']);
      } finally {
        await context.close();
      }
    });
  });
}
