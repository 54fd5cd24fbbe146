// response_mode=form_post (OAuth 2.0 Form Post Response Mode) end to end: an unmodified
// openid-client v6 asks for it, chromium signs in on the hosted page, and the answer reaches the
// relying party as a form POST to its redirect_uri (never in a URL), which openid-client takes
// as the Request it is. Also: errors go the same way, a browser without JavaScript gets a
// Continue button, the code stays single-use, and an unknown mode is refused by query.
//
// Screenshots: oidc-form-post-*.png in $TESSERA_E2E_ARTIFACTS or <repo>/build/e2e-artifacts.
// Run alone:  node --test tests/e2e/oidc_form_post.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, request, show } from './lib/server.mjs';
import { importOidcClient, htmlDecode } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';
import { describePage } from './lib/browser.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`response_mode=form_post [${backend}]`, () => {
    let fixture, issuer, firstParty, user, rp, configFor, newPage, codeFlow, browser, shot;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-form-post-${backend}`);
      ({ issuer, firstParty, user, rp, configFor, newPage, codeFlow, browser, shot } = fixture);
    });
    after(() => fixture?.close());

    /** A form_post request with prompt=none (so a browser without a session gets an error). */
    async function silentFormPostRequest() {
      const config = await configFor(firstParty);
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: rp.url('/callback'), scope: 'openid', response_mode: 'form_post', prompt: 'none',
        state, code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      return { state, url };
    }

    test('discovery lists form_post beside query', async () => {
      const m = (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
      assert.deepEqual([...m.response_modes_supported].sort(), ['form_post', 'query']);
    });

    test('the code comes as a form POST; openid-client takes it and validates the tokens', async () => {
      const { context, page } = await newPage(browser);
      try {
        const config = await configFor(firstParty);
        const r = await codeFlow(page, config, { extra: { response_mode: 'form_post' },
          shots: { callback: 'form-post-callback' } });
        assert.equal(r.hit.method, 'POST', 'the relying party was POSTed to');
        assert.equal(r.hit.raw.search, '', `nothing in the URL: ${r.hit.raw.href}`);
        assert.match(r.hit.headers['content-type'], /^application\/x-www-form-urlencoded/);
        const form = new URLSearchParams(r.hit.body);
        assert.deepEqual([...form.keys()].sort(), ['code', 'iss', 'state']);
        assert.equal(form.get('iss'), issuer, 'RFC 9207 iss in the form too');
        assert.equal(form.get('state'), r.checks.expectedState);
        assert.equal(r.claims.sub, user.user.id);
        assert.equal(r.claims.nonce, r.checks.expectedNonce);
        // The code is single-use: the same POST again is refused by the token endpoint.
        const again = new Request(r.hit.raw.href, { method: 'POST', body: r.hit.body,
          headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        await assert.rejects(client.authorizationCodeGrant(config, again, r.checks),
          (e) => e.error === 'invalid_grant' || /invalid_grant/.test(e.message));
      } finally {
        await context.close();
      }
    });

    test('an error goes back as a form too (prompt=none without a session: login_required)', async () => {
      const { context, page } = await newPage(browser);
      try {
        const { state, url } = await silentFormPostRequest();
        const hit = rp.nextHit('/callback', { match: (u) => u.searchParams.get('state') === state });
        await page.goto(url.href);
        const h = await hit;
        assert.equal(h.method, 'POST');
        const form = new URLSearchParams(h.body);
        assert.equal(form.get('error'), 'login_required');
        assert.equal(form.get('state'), state);
        assert.equal(form.get('iss'), issuer);
        assert.equal(form.get('code'), null);
      } finally {
        await context.close();
      }
    });

    test('without JavaScript the page offers a Continue button that posts the same form', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
      try {
        const page = await context.newPage();
        const { state, url } = await silentFormPostRequest();
        const res = await page.goto(url.href);
        assert.equal(res.status(), 200, await describePage(page));
        assert.equal(res.headers()['cache-control'], 'no-store');
        const csp = res.headers()['content-security-policy'];
        assert.match(csp, /script-src 'self'/);
        assert.doesNotMatch(csp, /unsafe-inline/);
        const html = await res.text();
        assert.ok(html.includes(`action="${rp.url('/callback')}"`), html);
        assert.ok(htmlDecode(html).includes(state));
        await shot(page, 'form-post-no-script');
        const hit = rp.nextHit('/callback', { match: (u) => u.searchParams.get('state') === state });
        await page.getByRole('button', { name: 'Continue' }).click();
        const h = await hit;
        assert.equal(h.method, 'POST');
        assert.equal(new URLSearchParams(h.body).get('error'), 'login_required');
      } finally {
        await context.close();
      }
    });

    test('an unknown response_mode is refused, by query', async () => {
      const res = await request('GET', `${issuer}/oauth/authorize?` + new URLSearchParams({
        client_id: firstParty.client_id, redirect_uri: rp.url('/callback'), response_type: 'code',
        scope: 'openid', response_mode: 'fragment', state: 'st-1',
      }), { redirect: 'manual' });
      assert.ok(res.status === 302 || res.status === 303, show(res));
      const to = new URL(res.headers.get('location'));
      assert.equal(to.origin + to.pathname, rp.url('/callback'));
      assert.equal(to.searchParams.get('error'), 'invalid_request');
      assert.equal(to.searchParams.get('state'), 'st-1');
    });
  });
}
