// OpenID Connect end to end, the way a real relying party and a real person use it: an unmodified
// certified client library (openid-client v6) does discovery, builds the authorization request
// (PKCE S256, state, nonce), exchanges the code (validating the ID token, nonce and the RFC 9207
// `iss`), calls userinfo, refreshes, introspects and revokes; a real chromium (playwright-core)
// signs in on the hosted login page and answers the consent page. The relying party's
// redirect_uri is a tiny HTTP server on 127.0.0.1.
//
// Screenshots of every hosted page go to $TESSERA_E2E_ARTIFACTS or <repo>/build/e2e-artifacts
// (oidc-01-login.png, …). Without chromium these tests fail (see lib/browser.mjs).
//
// Run alone:  node --test tests/e2e/oidc_flow.test.mjs
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, signup, uniqEmail, uniqUsername, rand,
  request, show, decodeJwt, verifyEs256,
} from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage as openPage, screenshot, describePage } from './lib/browser.mjs';
import {
  importOidcClient, startCallbackServer, registerClient, halfHash, SESSION_COOKIE_RE, ALL_SCOPES,
} from './lib/oidc.mjs';

const client = await importOidcClient();
const FULL_SCOPE = 'openid profile email offline_access';

for (const backend of backends()) {
  describe(`OpenID Connect with openid-client and chromium [${backend}]`, () => {
    let srv, browser, rp, issuer, web, spa, firstParty, user;
    let failures = 0;
    const shot = (page, name) => screenshot(page, backend === 'sqlite' ? `oidc-${name}` : `oidc-${name}-${backend}`);

    let browserError = null;
    before(async () => {
      // Without chromium every test here fails (not skips) with the launcher's message.
      browser = await launchBrowser().catch((e) => { browserError = e; return null; });
      rp = await startCallbackServer();
      srv = await startServer({ postgres: backend === 'postgres', label: `oidc-flow-${backend}` });
      issuer = srv.issuer();
      const redirectUris = [rp.url('/callback')];
      web = await registerClient(srv, { name: 'Web', redirectUris });
      spa = await registerClient(srv, { name: 'Single-page app', redirectUris, isPublic: true });
      firstParty = await registerClient(srv, { name: 'Our own portal', redirectUris, firstParty: true });
      user = await signup(srv, { username: uniqUsername('ada'),
        profile: { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' } });
    });
    after(async () => {
      await closeBrowser(browser);
      await rp?.close();
      await srv?.close();
    });

    /** openid-client's Configuration by discovery; confidential clients use client_secret_basic. */
    function configFor(c, { auth } = {}) {
      const method = c.client_secret
        ? (auth === 'post' ? client.ClientSecretPost(c.client_secret) : client.ClientSecretBasic(c.client_secret))
        : client.None();
      return client.discovery(new URL(issuer), c.client_id, c.client_secret ? c.client_secret : undefined, method,
        { execute: [client.allowInsecureRequests] }).catch((e) => {
        const status = e.cause?.status;
        throw new Error(`openid-client discovery of ${issuer} failed: ${e.message}${status ? ` (HTTP ${status})` : ''}`, { cause: e });
      });
    }

    /** A fresh browser context and page; throws the launch error when there is no browser. */
    function newPage(b) {
      if (browserError) throw browserError;
      return openPage(b);
    }

    async function gotoPage(page, url) {
      const res = await page.goto(url);
      assert.equal(res?.status(), 200, `GET ${url}: ${await describePage(page)}`);
      return res;
    }

    /**
     * One authorization code flow in `page`: builds the request with openid-client, signs in as
     * `who` on the login page if it comes, answers the consent page with `decision`, waits for the
     * relying party's callback and (for 'allow') lets openid-client exchange the code.
     * Returns {seen: ['login'?, 'consent'?], callback: URL, tokens?, claims?, checks}.
     */
    async function codeFlow(page, config, {
      who = user, identifier, scope = FULL_SCOPE, decision = 'allow', shots = {}, extra = {},
    } = {}) {
      const checks = {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: client.randomState(),
        expectedNonce: client.randomNonce(),
        idTokenExpected: true,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: rp.url('/callback'), scope,
        code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
        code_challenge_method: 'S256', state: checks.expectedState, nonce: checks.expectedNonce, ...extra,
      });
      assert.equal(url.origin + url.pathname, `${issuer}/oauth/authorize`);
      const seen = [];
      // For failure messages: what the browser really sent with its last form POST.
      let lastPost = '';
      const onRequest = (r) => {
        if (r.method() !== 'POST') return;
        r.allHeaders().then((h) => {
          lastPost = ` [last POST ${r.url()} sent Origin: ${h.origin}, Sec-Fetch-Site: ${h['sec-fetch-site']}]`;
        }, () => {});
      };
      page.on('request', onRequest);
      const callback = rp.next('/callback', { match: (u) => u.searchParams.get('state') === checks.expectedState });
      callback.catch(() => {}); // awaited below; avoid an unhandled rejection if we fail first
      await page.goto(url.href);
      for (let step = 0; step < 4 && new URL(page.url()).origin !== rp.origin; step++) {
        if (await page.locator('input[name="identifier"]').count()) {
          seen.push('login');
          const u = new URL(page.url());
          assert.equal(u.origin + u.pathname, `${issuer}/login`, `the login page lives at {issuer}/login: ${await describePage(page)}`);
          assert.ok(u.searchParams.get('return_to'), `login page URL carries return_to: ${page.url()}`);
          if (shots.login) await shot(page, shots.login);
          await page.getByLabel('Email or username').fill(identifier ?? who.email);
          await page.locator('input[name="password"]').fill(who.password);
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
        } else if (await page.locator('button[name="decision"][value="allow"]').count()) {
          seen.push('consent');
          if (shots.consent) await shot(page, shots.consent);
          const name = decision === 'allow' ? 'Allow' : 'Deny';
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
        } else {
          const file = await shot(page, `failure-${++failures}`);
          assert.fail(`neither login nor consent page, nor the relying party: ${await describePage(page)}${lastPost}` +
            (file ? ` (screenshot ${file})` : ''));
        }
      }
      page.off('request', onRequest);
      assert.equal(new URL(page.url()).origin, rp.origin, `the browser should be back at the client: ${await describePage(page)}`);
      const cb = await callback;
      assert.equal(page.url(), cb.href, 'the browser ends on the redirect_uri');
      if (shots.callback) await shot(page, shots.callback);
      if (decision !== 'allow') return { seen, callback: cb, checks };
      const tokens = await client.authorizationCodeGrant(config, cb, checks);
      return { seen, callback: cb, checks, tokens, claims: tokens.claims() };
    }

    async function jwkFor(token) {
      const { header } = decodeJwt(token);
      const jwks = (await request('GET', `${issuer}/.well-known/jwks.json`)).body;
      return jwks.keys.find((k) => k.kid === header.kid);
    }

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
      assert.deepEqual(m.id_token_signing_alg_values_supported, ['ES256']);
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
        assert.equal(c.email, user.email);
        assert.equal(typeof c.email_verified, 'boolean');
        assert.equal(c.name, 'Ada Lovelace');
        const idt = decodeJwt(t.id_token);
        assert.equal(idt.header.alg, 'ES256');
        assert.ok(verifyEs256(t.id_token, await jwkFor(t.id_token)), 'ID token signature verifies against the JWKS');

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
