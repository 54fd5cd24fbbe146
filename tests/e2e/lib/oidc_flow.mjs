// The OpenID Connect browser suites (oidc_flow_*.test.mjs): a server with three clients (web,
// spa, firstParty) and a user, a relying party's callback server, chromium, and the helpers that
// run an authorization code flow with openid-client in a real page.
import assert from 'node:assert/strict';
import { startServer, signup, uniqUsername, request, decodeJwt } from './server.mjs';
import { launchBrowser, closeBrowser, newPage as openPage, screenshot, describePage } from './browser.mjs';
import { importOidcClient, startCallbackServer, registerClient } from './oidc.mjs';

const client = await importOidcClient();
export const FULL_SCOPE = 'openid profile email offline_access';

/**
 * Starts chromium (a launch error is kept: newPage throws it), the callback server and Tessera
 * (`serverOpts` go to startServer);
 * returns {srv, browser, rp, issuer, web, spa, firstParty, user, shot, configFor, newPage,
 * gotoPage, codeFlow, jwkFor, close}.
 */
export async function startOidcFlowFixture(backend, label, serverOpts = {}) {
  let srv, browser, rp, issuer, web, spa, firstParty, user;
  let failures = 0;
  const shot = (page, name) => screenshot(page, backend === 'sqlite' ? `oidc-${name}` : `oidc-${name}-${backend}`);

  let browserError = null;
  const close = async () => {
    await closeBrowser(browser);
    await rp?.close();
    await srv?.close();
  };
  try {
    // Without chromium every test here fails (not skips) with the launcher's message.
    browser = await launchBrowser().catch((e) => { browserError = e; return null; });
    rp = await startCallbackServer();
    srv = await startServer({ postgres: backend === 'postgres', label, ...serverOpts });
    issuer = srv.issuer();
    const redirectUris = [rp.url('/callback')];
    web = await registerClient(srv, { name: 'Web', redirectUris });
    spa = await registerClient(srv, { name: 'Single-page app', redirectUris, isPublic: true });
    firstParty = await registerClient(srv, { name: 'Our own portal', redirectUris, firstParty: true });
    user = await signup(srv, { username: uniqUsername('ada'),
      profile: { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' } });
  } catch (e) {
    await close();
    throw e;
  }

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
   * relying party's callback and (for 'allow') lets openid-client exchange the code. With `par`
   * the request is pushed first (RFC 9126); with `dpop` (openid-client's DPoPHandle) the push
   * and the code exchange carry its proofs (RFC 9449). With `jar` (a private CryptoKey, or
   * {key, kid}) the request goes as a signed request object (RFC 9101).
   * Returns {seen: ['login'?, 'consent'?], callback: URL, tokens?, claims?, checks}.
   */
  async function codeFlow(page, config, {
    who = user, identifier, scope = FULL_SCOPE, decision = 'allow', shots = {}, extra = {}, par = false,
    dpop, jar,
  } = {}) {
    const checks = {
      pkceCodeVerifier: client.randomPKCECodeVerifier(),
      expectedState: client.randomState(),
      expectedNonce: client.randomNonce(),
      idTokenExpected: true,
    };
    const params = {
      redirect_uri: rp.url('/callback'), scope,
      code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
      code_challenge_method: 'S256', state: checks.expectedState, nonce: checks.expectedNonce, ...extra,
    };
    // With `par`, the library pushes the parameters first (RFC 9126) and the URL carries only
    // client_id and request_uri.
    const url = par ? await client.buildAuthorizationUrlWithPAR(config, params, dpop ? { DPoP: dpop } : undefined)
      : jar ? await client.buildAuthorizationUrlWithJAR(config, params, jar)
        : client.buildAuthorizationUrl(config, params);
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
    const callback = rp.nextHit('/callback', { match: (u) => u.searchParams.get('state') === checks.expectedState });
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
        // The user is shown what they grant: one row per scope asked for.
        const listed = await page.locator('.scope-title').allInnerTexts();
        assert.ok(listed.length >= 1 && (!scope.split(' ').includes('openid') || listed.includes('Sign you in')),
          `the consent page lists the scopes (${scope}): ${listed} ${await describePage(page)}`);
        if (shots.consent) await shot(page, shots.consent);
        const name = decision === 'allow' ? 'Allow' : 'Deny';
        await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
      } else if (await page.locator('form#form-post').count().catch(() => 1)) {
        // A form_post answer: its script posts the form to the client at once.
        await page.waitForURL((u) => u.origin === rp.origin);
      } else {
        const file = await shot(page, `failure-${++failures}`);
        assert.fail(`neither login nor consent page, nor the relying party: ${await describePage(page)}${lastPost}` +
          (file ? ` (screenshot ${file})` : ''));
      }
    }
    page.off('request', onRequest);
    assert.equal(new URL(page.url()).origin, rp.origin, `the browser should be back at the client: ${await describePage(page)}`);
    const hit = await callback;
    const cb = hit.url;
    assert.equal(page.url(), hit.raw.href, 'the browser ends on the redirect_uri');
    if (shots.callback) await shot(page, shots.callback);
    if (decision !== 'allow') return { seen, callback: cb, hit, checks };
    // A form_post answer goes to the library as the request the relying party received.
    const received = hit.method === 'POST'
      ? new Request(hit.raw.href, { method: 'POST', body: hit.body,
        headers: { 'content-type': hit.headers['content-type'] } })
      : cb;
    const tokens = await client.authorizationCodeGrant(config, received, checks, undefined,
      dpop ? { DPoP: dpop } : undefined);
    return { seen, callback: cb, hit, checks, tokens, claims: tokens.claims() };
  }

  async function jwkFor(token) {
    const { header } = decodeJwt(token);
    const jwks = (await request('GET', `${issuer}/.well-known/jwks.json`)).body;
    return jwks.keys.find((k) => k.kid === header.kid);
  }

  return { srv, browser, rp, issuer, web, spa, firstParty, user, shot, configFor, newPage, gotoPage, codeFlow, jwkFor,
    close };
}
