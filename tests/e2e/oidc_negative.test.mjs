// OAuth 2.0 / OpenID Connect: what must NOT work, checked with plain fetch (no browser, no client
// library — a library would refuse to send most of these). A small user agent (lib/oidc.mjs
// WebClient) keeps cookies and fills in the hosted login and consent forms by hand.
//
// Covers: PKCE (wrong verifier, missing on a public client, plain), code reuse (and revocation of
// what the first use issued), code binding (client, redirect_uri), unregistered redirect_uri and
// unknown client (an error page, never a redirect), client authentication, refresh token reuse,
// tenant isolation, CSRF on every form, logout really ending the session, response_type=token,
// login errors that do not reveal accounts, state round-trips, open redirects via return_to,
// userinfo / introspection / revocation edge cases, RP-initiated logout redirect checks.
//
// Run alone:  node --test tests/e2e/oidc_negative.test.mjs
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, signup, uniqEmail, rand, show, decodeJwt,
} from './lib/server.mjs';
import {
  registerClient, WebClient, redirectParams, pkcePair, randomValue, tokenRequest, introspect, revoke,
  assertOAuthError, parseForms, htmlText, SESSION_COOKIE_RE, basicAuth, formBody,
} from './lib/oidc.mjs';

const REDIRECT = 'https://app.example/callback';
const REDIRECT2 = 'https://app.example/other-callback';
const SPA_REDIRECT = 'http://127.0.0.1:8765/spa/callback';
const FULL_SCOPE = 'openid profile email offline_access';

/** An HTML error page: status, text/html, and no redirect anywhere. */
function assertErrorPage(res, status) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.headers.get('location'), null, `must not redirect: ${show(res)}`);
  assert.match(res.headers.get('content-type') || '', /^text\/html/i, show(res));
}

for (const backend of backends()) {
  describe(`OAuth/OIDC negative paths [${backend}]`, () => {
    let srv, issuer, web, web2, spa, m2m, user, appB;

    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `oidc-neg-${backend}` });
      issuer = srv.issuer();
      web = await registerClient(srv, { name: 'Web', redirectUris: [REDIRECT, REDIRECT2] });
      web2 = await registerClient(srv, { name: 'Other web', redirectUris: [REDIRECT] });
      spa = await registerClient(srv, { name: 'SPA', redirectUris: [SPA_REDIRECT], isPublic: true });
      m2m = await srv.admin(['create-client', '--app', srv.app, '--name', 'Worker',
        '--grant', 'client_credentials', '--scope', 'reports:read']);
      user = await signup(srv, { profile: { name: 'Alan Turing' } });
      const slug = `b-${rand(8).toLowerCase()}`;
      await srv.createApp(slug, 'App B');
      appB = { slug, client: await registerClient(srv, { app: slug, name: 'B web', redirectUris: [REDIRECT] }) };
    });
    after(() => srv?.close());

    // ------------------------------------------------------------ helpers
    function authorizeParams(c, { scope = FULL_SCOPE, pkce = true, redirectUri = REDIRECT, extra = {} } = {}) {
      const p = pkcePair();
      const state = randomValue();
      const nonce = randomValue();
      const params = { response_type: 'code', client_id: c.client_id, redirect_uri: redirectUri, scope, state, nonce };
      if (pkce) Object.assign(params, { code_challenge: p.challenge, code_challenge_method: 'S256' });
      Object.assign(params, extra);
      for (const [k, v] of Object.entries(params)) if (v === undefined) delete params[k];
      return { params, verifier: p.verifier, state, nonce, redirectUri };
    }

    /** Signs in (a fresh user agent unless `agent`), consents, returns {code, verifier, state, agent, …}. */
    async function getCode(c, opts = {}) {
      const agent = opts.agent ?? new WebClient(srv, { app: opts.app });
      const a = authorizeParams(c, opts);
      const r = await agent.authorize(a.params, { user: opts.user ?? user });
      const q = redirectParams(r, a.redirectUri);
      assert.ok(q.code, `a code: ${JSON.stringify(q)}`);
      assert.equal(q.state, a.state);
      assert.equal(q.iss, opts.app ? srv.issuer(opts.app) : issuer);
      return { ...a, code: q.code, agent, seen: r.seen };
    }

    const exchange = (c, code, verifier, { redirectUri = REDIRECT, auth, app } = {}) =>
      tokenRequest(srv, { grant_type: 'authorization_code', code, redirect_uri: redirectUri,
        ...(verifier ? { code_verifier: verifier } : {}) }, { client: c, auth, app });

    const refresh = (c, rt, opts = {}) =>
      tokenRequest(srv, { grant_type: 'refresh_token', refresh_token: rt }, { client: c, ...opts });

    async function tokensFor(c, opts = {}) {
      const g = await getCode(c, opts);
      const res = await exchange(c, g.code, g.verifier, { redirectUri: g.redirectUri, app: opts.app });
      assert.equal(res.status, 200, show(res));
      return { ...g, tokens: res.body };
    }

    const isActive = async (token, c = web, opts = {}) => {
      const res = await introspect(srv, token, { client: c, ...opts });
      assert.equal(res.status, 200, show(res));
      assert.equal(typeof res.body?.active, 'boolean', show(res));
      return res.body.active;
    };

    /** A user agent signed in as `who`; returns it and its session cookie. */
    async function signedIn(who = user) {
      const agent = new WebClient(srv);
      const res = await agent.signIn(who.email, who.password);
      assert.ok([302, 303].includes(res.status), `sign-in redirects: ${show(res)}`);
      const cookie = agent.sessionCookie();
      assert.ok(cookie, `a session cookie after signing in: ${show(res)}`);
      return { agent, cookie };
    }

    /** GET authorize with only `cookie` (name, value) → must be sent to the login page. */
    async function assertSentToLogin(cookie, c = web) {
      const agent = new WebClient(srv);
      if (cookie) agent.jar.set(cookie.name, cookie.value);
      const res = await agent.get(`oauth/authorize?${new URLSearchParams(authorizeParams(c).params)}`);
      assert.equal(res.status, 303, show(res));
      const loc = WebClient.location(res);
      assert.equal(loc.origin + loc.pathname, `${issuer}/login`, show(res));
      return loc;
    }

    // ------------------------------------------------------------ the happy path, by hand
    test('by hand: authorize → login → consent → code; token response shape; no offline_access, no refresh token', async () => {
      const agent = new WebClient(srv);
      const a = authorizeParams(web);
      // Without a browser session: 303 to {issuer}/login?return_to=…
      const first = await agent.get(`oauth/authorize?${new URLSearchParams(a.params)}`);
      assert.equal(first.status, 303, show(first));
      const loc = WebClient.location(first);
      assert.equal(loc.origin + loc.pathname, `${issuer}/login`, show(first));
      assert.ok(loc.searchParams.get('return_to'), show(first));
      // The login page: its form fields.
      const page = await agent.get(loc.href);
      assert.equal(page.status, 200, show(page));
      assert.match(page.headers.get('content-type') || '', /^text\/html/i);
      const form = WebClient.formWith(page, 'identifier');
      assert.equal(form.method, 'post');
      for (const f of ['csrf_token', 'return_to']) assert.ok(f in form.fields, `login form has ${f}: ${JSON.stringify(form.fields)}`);
      assert.ok(form.inputs.some((i) => i.name === 'password' && i.type === 'password'));
      assert.ok(form.buttons.some((b) => b.text === 'Sign in'), JSON.stringify(form.buttons));
      assert.match(page.text, /<label[^>]*for="identifier"[^>]*>\s*Email or username\s*</, 'label "Email or username"');
      // Sign in: a session cookie, HttpOnly and SameSite=Lax, then back to the authorization request.
      const posted = await agent.submitLogin(page, user.email, user.password);
      assert.equal(posted.status, 303, show(posted));
      const cookie = agent.sessionCookie();
      assert.ok(cookie, `session cookie: ${show(posted)}`);
      assert.ok('httponly' in cookie.attrs, `HttpOnly: ${cookie.raw}`);
      assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'lax', `SameSite=Lax: ${cookie.raw}`);
      assert.equal(cookie.attrs.path, '/', `Path=/: ${cookie.raw}`);
      const back = WebClient.location(posted);
      assert.equal(back.origin + back.pathname, `${issuer}/oauth/authorize`, show(posted));
      // Consent, then the code.
      const r = await agent.authorize(a.params, { user });
      assert.deepEqual(r.seen, ['consent']);
      const q = redirectParams(r, REDIRECT);
      assert.deepEqual(Object.keys(q).sort(), ['code', 'iss', 'state']);
      assert.equal(q.iss, issuer);
      const res = await exchange(web, q.code, a.verifier);
      assert.equal(res.status, 200, show(res));
      assert.equal(res.headers.get('cache-control'), 'no-store', show(res));
      assert.equal(res.body.token_type, 'Bearer');
      for (const k of ['access_token', 'id_token', 'refresh_token', 'expires_in', 'scope']) assert.ok(k in res.body, `${k}: ${show(res)}`);

      // Without offline_access: no refresh token (consent for a subset is already given).
      const t = await tokensFor(web, { agent, scope: 'openid email' });
      assert.equal(t.tokens.refresh_token, undefined, JSON.stringify(t.tokens));
      assert.deepEqual(t.tokens.scope.split(' ').sort(), ['email', 'openid']);
      assert.ok(t.tokens.id_token);
      const id = decodeJwt(t.tokens.id_token).claims;
      assert.equal(id.email, user.email);
      assert.equal(id.name, undefined, 'no profile scope → no name claim');
    });

    // ------------------------------------------------------------ PKCE
    test('PKCE: a wrong code_verifier or none at all → invalid_grant', async () => {
      const a = await getCode(web);
      assertOAuthError(await exchange(web, a.code, pkcePair().verifier), 400, 'invalid_grant');
      const b = await getCode(web);
      assertOAuthError(await exchange(web, b.code, undefined), 400, 'invalid_grant');
      const c = await getCode(spa, { redirectUri: SPA_REDIRECT });
      const nearly = c.verifier.slice(0, -1) + (c.verifier.endsWith('A') ? 'B' : 'A');
      assertOAuthError(await exchange(spa, c.code, nearly, { redirectUri: SPA_REDIRECT }), 400, 'invalid_grant');
    });

    test('PKCE is required for public clients, and only S256: error redirects with invalid_request', async () => {
      for (const extra of [{ code_challenge: undefined, code_challenge_method: undefined },
        { code_challenge_method: 'plain' }]) {
        const a = authorizeParams(spa, { redirectUri: SPA_REDIRECT, extra });
        if (extra.code_challenge_method === 'plain') a.params.code_challenge = a.verifier;
        const r = await new WebClient(srv).authorize(a.params, { user });
        const q = redirectParams(r, SPA_REDIRECT);
        assert.equal(q.error, 'invalid_request', `${JSON.stringify(extra)} → ${JSON.stringify(q)}`);
        assert.equal(q.state, a.state);
        assert.equal(q.iss, issuer);
        assert.equal(q.code, undefined);
      }
    });

    // ------------------------------------------------------------ codes
    test('a code is single use: replay → invalid_grant and the tokens of its first use are revoked', async () => {
      const g = await getCode(web);
      const first = await exchange(web, g.code, g.verifier);
      assert.equal(first.status, 200, show(first));
      assert.equal(await isActive(first.body.access_token), true);
      assert.equal(await isActive(first.body.refresh_token, web, { hint: 'refresh_token' }), true);
      assertOAuthError(await exchange(web, g.code, g.verifier), 400, 'invalid_grant');
      assert.equal(await isActive(first.body.access_token), false, 'access token of the first use revoked');
      assert.equal(await isActive(first.body.refresh_token), false, 'refresh token of the first use revoked');
      assertOAuthError(await refresh(web, first.body.refresh_token), 400, 'invalid_grant');
    });

    test('a code is bound to its client and its redirect_uri', async () => {
      const g = await getCode(web);
      assertOAuthError(await exchange(web2, g.code, g.verifier), 400, 'invalid_grant');
      const h = await getCode(web);
      assertOAuthError(await exchange(web, h.code, h.verifier, { redirectUri: REDIRECT2 }), 400, 'invalid_grant');
      // A code of app A is unknown at app B.
      const k = await getCode(web);
      assertOAuthError(await exchange(appB.client, k.code, k.verifier, { app: appB.slug }), 400, 'invalid_grant');
    });

    test('expired code (60 s lifetime)', { skip: 'no clock control in the black-box harness: covered by the unit tests' }, () => {});

    // ------------------------------------------------------------ redirect_uri, client_id: error page, never a redirect
    test('unregistered redirect_uri → HTML error page (400), never a redirect — signed in or not', async () => {
      const { agent } = await signedIn();
      const variants = [
        'https://evil.example/callback',
        REDIRECT + '/x',
        REDIRECT + 'x',
        REDIRECT + '?x=1',
        REDIRECT.replace('https://', 'http://'),
        'https://app.example:8443/callback',
        'https://APP.example/callback/..',
      ];
      for (const uri of variants) {
        for (const ua of [new WebClient(srv), agent]) {
          const a = authorizeParams(web, { redirectUri: uri });
          const res = await ua.get(`oauth/authorize?${new URLSearchParams(a.params)}`);
          assertErrorPage(res, 400);
          assert.ok(!res.text.includes('evil.example/callback"'), 'the page does not link to it');
        }
      }
      // A missing redirect_uri is not guessed either (OIDC requires it).
      const a = authorizeParams(web);
      delete a.params.redirect_uri;
      assertErrorPage(await agent.get(`oauth/authorize?${new URLSearchParams(a.params)}`), 400);
    });

    test('unknown or missing client_id → HTML error page (400), never a redirect', async () => {
      const { agent } = await signedIn();
      for (const ua of [new WebClient(srv), agent]) {
        const a = authorizeParams({ client_id: `no-such-client-${rand(6)}` });
        assertErrorPage(await ua.get(`oauth/authorize?${new URLSearchParams(a.params)}`), 400);
        const b = authorizeParams(web);
        delete b.params.client_id;
        assertErrorPage(await ua.get(`oauth/authorize?${new URLSearchParams(b.params)}`), 400);
        // A client of another app is unknown here.
        const c = authorizeParams(appB.client);
        assertErrorPage(await ua.get(`oauth/authorize?${new URLSearchParams(c.params)}`), 400);
      }
    });

    test('response_type=token (or missing) → error redirect unsupported_response_type / invalid_request, with state and iss', async () => {
      for (const [rt, error] of [['token', 'unsupported_response_type'], ['id_token', 'unsupported_response_type'],
        [undefined, 'invalid_request']]) {
        const a = authorizeParams(web, { extra: { response_type: rt } });
        const r = await new WebClient(srv).authorize(a.params, { user });
        const q = redirectParams(r, REDIRECT);
        assert.equal(q.error, error, `response_type=${rt}: ${JSON.stringify(q)}`);
        assert.equal(q.state, a.state);
        assert.equal(q.iss, issuer);
        assert.equal(q.access_token, undefined);
        assert.equal(q.code, undefined);
      }
    });

    test('prompt=none without a session → login_required by redirect (OIDC Core §3.1.2.6)', async () => {
      const a = authorizeParams(web, { extra: { prompt: 'none' } });
      const r = await new WebClient(srv).authorize(a.params);
      const q = redirectParams(r, REDIRECT);
      assert.equal(q.error, 'login_required', JSON.stringify(q));
      assert.equal(q.state, a.state);
    });

    // ------------------------------------------------------------ client authentication
    test('wrong client secret at the token endpoint → 401 invalid_client (basic and post)', async () => {
      const g = await getCode(web);
      const bad = { ...web, client_secret: web.client_secret.slice(0, -1) + (web.client_secret.endsWith('x') ? 'y' : 'x') };
      for (const auth of ['basic', 'post']) {
        const res = await exchange(bad, g.code, g.verifier, { auth });
        assertOAuthError(res, 401, 'invalid_client');
      }
      // A confidential client cannot skip authentication by posing as public.
      assertOAuthError(await exchange({ client_id: web.client_id }, g.code, g.verifier, { auth: 'none' }), 401, 'invalid_client');
    });

    // ------------------------------------------------------------ refresh tokens
    test('refresh token reuse → invalid_grant and the whole family is revoked', async () => {
      const { tokens } = await tokensFor(web);
      const r1 = tokens.refresh_token;
      const second = await refresh(web, r1);
      assert.equal(second.status, 200, show(second));
      const r2 = second.body.refresh_token;
      assert.ok(r2 && r2 !== r1, 'rotated');
      assertOAuthError(await refresh(web, r1), 400, 'invalid_grant');
      assertOAuthError(await refresh(web, r2), 400, 'invalid_grant');
      assert.equal(await isActive(r2), false, 'the newest refresh token of the family is revoked too');
      // A refresh token belongs to its client.
      const other = await tokensFor(web);
      assertOAuthError(await refresh(web2, other.tokens.refresh_token), 400, 'invalid_grant');
      // …and a public client's refresh works without a secret but is bound the same way.
      const pub = await tokensFor(spa, { redirectUri: SPA_REDIRECT });
      const p2 = await refresh(spa, pub.tokens.refresh_token);
      assert.equal(p2.status, 200, show(p2));
      assertOAuthError(await refresh(spa, pub.tokens.refresh_token), 400, 'invalid_grant');
    });

    // ------------------------------------------------------------ tenants
    test("app A's tokens are worthless at app B (userinfo 401, introspection inactive)", async () => {
      const { tokens } = await tokensFor(web);
      const uiA = await srv.api('GET', '/oauth/userinfo', { token: tokens.access_token });
      assert.equal(uiA.status, 200, show(uiA));
      const uiB = await srv.api('GET', '/oauth/userinfo', { app: appB.slug, token: tokens.access_token });
      assert.equal(uiB.status, 401, show(uiB));
      assert.match(uiB.headers.get('www-authenticate') || '', /^Bearer\b.*error="invalid_token"/, show(uiB));
      for (const t of [tokens.access_token, tokens.refresh_token, tokens.id_token]) {
        const res = await introspect(srv, t, { app: appB.slug, client: appB.client });
        assert.equal(res.status, 200, show(res));
        assert.deepEqual(res.body, { active: false }, show(res));
      }
      // App A's client does not exist at B.
      assertOAuthError(await introspect(srv, tokens.access_token, { app: appB.slug, client: web }), 401, 'invalid_client');
      // A's refresh token at B's token endpoint, with B's client.
      assertOAuthError(await refresh(appB.client, tokens.refresh_token, { app: appB.slug }), 400, 'invalid_grant');
    });

    // ------------------------------------------------------------ CSRF
    test('CSRF: the login form without, with a wrong, or with another browser\'s csrf_token → 403 page', async () => {
      const agent = new WebClient(srv);
      const page = await agent.get('login');
      assert.equal(page.status, 200, show(page));
      const form = WebClient.formWith(page, 'identifier');
      const token = form.fields.csrf_token;
      assert.ok(token && token.length >= 16, `csrf_token: ${token}`);
      const elsewhere = new WebClient(srv);
      const foreign = WebClient.formWith(await elsewhere.get('login'), 'identifier').fields.csrf_token;
      const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      for (const csrf of [undefined, '', wrong, foreign]) {
        const fields = { ...form.fields, identifier: user.email, password: user.password };
        if (csrf === undefined) delete fields.csrf_token;
        else fields.csrf_token = csrf;
        const res = await agent.post(new URL(form.action || page.url, page.url).href, fields);
        assertErrorPage(res, 403);
        assert.equal(agent.sessionCookie(), undefined, 'not signed in');
      }
      // A matching token from another site's page (Origin or Sec-Fetch-Site say so) → 403 too.
      for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site', origin: undefined }]) {
        const fields = { ...form.fields, identifier: user.email, password: user.password };
        const res = await agent.post(new URL(form.action || page.url, page.url).href, fields, { headers });
        assertErrorPage(res, 403);
      }
      // The same form with its own token works: with the browser's Origin, and without any
      // Origin / Sec-Fetch-Site (older user agents).
      const ok = await agent.submitLogin(page, user.email, user.password);
      assert.equal(ok.status, 303, show(ok));
      const bare = new WebClient(srv);
      const barePage = await bare.get('login');
      const bareForm = WebClient.formWith(barePage, 'identifier');
      const plain = await bare.post(new URL(bareForm.action || barePage.url, barePage.url).href,
        { ...bareForm.fields, identifier: user.email, password: user.password },
        { headers: { origin: undefined, 'sec-fetch-site': undefined } });
      assert.equal(plain.status, 303, show(plain));
    });

    test('CSRF: consent and every account form refuse a POST without csrf_token (403)', async () => {
      const who = await signup(srv);
      const { agent } = await signedIn(who);
      // Consent.
      const a = authorizeParams(web);
      const r = await agent.authorize(a.params, { user: who, decision: null });
      assert.deepEqual(r.seen, ['consent']);
      const consent = parseForms(r.page.text).find((f) => f.buttons.some((b) => b.name === 'decision'));
      const { csrf_token: _, ...noCsrf } = consent.fields;
      const denied = await agent.post(new URL(consent.action || r.page.url, r.page.url).href, { ...noCsrf, decision: 'allow' });
      assertErrorPage(denied, 403);
      // Every POST form of the account page.
      const account = await agent.get('account');
      assert.equal(account.status, 200, show(account));
      const forms = parseForms(account.text).filter((f) => f.method === 'post');
      assert.ok(forms.length >= 3, `account page forms: ${forms.length}`);
      for (const f of forms) {
        assert.ok(f.fields.csrf_token, `form ${f.action} has a csrf_token`);
        const { csrf_token: __, ...rest } = f.fields;
        const res = await agent.post(new URL(f.action || account.url, account.url).href,
          { ...rest, current_password: who.password, new_password: `pw-${rand(16)}`, name: 'CSRF' });
        assertErrorPage(res, 403);
      }
      // Still signed in, still the same password.
      const again = await new WebClient(srv).signIn(who.email, who.password);
      assert.equal(again.status, 303, show(again));
    });

    // ------------------------------------------------------------ sessions
    test('after signing out, the old session cookie no longer works (authorize → login)', async () => {
      const who = await signup(srv);
      const { agent, cookie } = await signedIn(who);
      assert.match(cookie.name, SESSION_COOKIE_RE);
      // While signed in, authorize goes straight to consent.
      const r = await agent.authorize(authorizeParams(web).params, { decision: null });
      assert.deepEqual(r.seen, ['consent']);
      // Sign out with the account page's form.
      const account = await agent.get('account');
      const signOut = parseForms(account.text).find((f) => f.method === 'post' && f.buttons.length === 1 && f.buttons[0].text === 'Sign out');
      assert.ok(signOut, `a "Sign out" form on the account page: ${show(account)}`);
      const out = await agent.submit(signOut, account.url);
      assert.ok(out.status < 400, show(out));
      assert.equal(agent.sessionCookie(), undefined, `the cookie is cleared: ${show(out)}`);
      // Replaying the old cookie value: the session is over on the server.
      await assertSentToLogin(cookie);
    });

    test('RP-initiated logout: only a registered post_logout_redirect_uri is followed; the session ends', async () => {
      const rp = await registerClient(srv, { name: 'RP', redirectUris: [REDIRECT],
        postLogoutRedirectUris: ['https://app.example/logged-out'] });
      const who = await signup(srv);
      const { agent } = await signedIn(who);
      const { tokens } = await tokensFor(rp, { agent, user: who });
      const logout = (q) => agent.get(`oauth/logout?${new URLSearchParams(q)}`);
      // Unregistered: never redirected there (an error or a page, whatever the session becomes).
      for (const uri of ['https://evil.example/logged-out', 'https://app.example/logged-out/x', REDIRECT]) {
        const res = await logout({ id_token_hint: tokens.id_token, post_logout_redirect_uri: uri, state: 's1' });
        const loc = WebClient.location(res);
        assert.ok(!loc || (!loc.href.startsWith(uri) && loc.origin !== 'https://evil.example'), `must not go to ${uri}: ${show(res)}`);
      }
      // Registered, with a valid id_token_hint (of this browser session): redirect there with the
      // state, and the session is over.
      const state = `st-${rand(8)}`;
      const fresh = await signedIn(who);
      const t2 = await tokensFor(rp, { agent: fresh.agent, user: who });
      const res = await fresh.agent.get(`oauth/logout?${new URLSearchParams({ id_token_hint: t2.tokens.id_token,
        post_logout_redirect_uri: 'https://app.example/logged-out', state })}`);
      assert.ok([302, 303].includes(res.status), show(res));
      const loc = WebClient.location(res);
      assert.equal(loc.origin + loc.pathname, 'https://app.example/logged-out', show(res));
      assert.equal(loc.searchParams.get('state'), state);
      await assertSentToLogin(fresh.cookie);
    });

    // ------------------------------------------------------------ login page
    test('a failed login does not reveal whether the account exists', async () => {
      const attempt = async (identifier) => {
        const agent = new WebClient(srv);
        const page = await agent.get('login');
        const res = await agent.submitLogin(page, identifier, `wrong-${rand(10)}`);
        return { res, text: htmlText(res.text).split(identifier).join('<id>') };
      };
      const who = await signup(srv); // its own user: failed logins may be throttled per account
      const unknown = await attempt(uniqEmail('nobody'));
      const wrongPw = await attempt(who.email);
      assert.ok(unknown.res.status >= 200 && unknown.res.status < 500 && unknown.res.status !== 303, show(unknown.res));
      assert.equal(wrongPw.res.status, unknown.res.status, `${show(unknown.res)}\n${show(wrongPw.res)}`);
      assert.equal(wrongPw.text, unknown.text, 'the same page for an unknown account and a wrong password');
      assert.doesNotMatch(unknown.text, /not found|no such|unknown (user|account)|does not exist|not registered/i);
    });

    test('state with HTML metacharacters comes back exactly (and is escaped on the pages)', async () => {
      const state = `"><script>alert('x')</script>&amp;<b>+%2B ?#=&x=1 ${rand(4)}`;
      const agent = new WebClient(srv);
      const a = authorizeParams(web, { extra: { state } });
      const who = await signup(srv);
      const r = await agent.authorize(a.params, { user: who, decision: null });
      assert.deepEqual(r.seen, ['login', 'consent']);
      assert.ok(!r.page.text.includes("<script>alert('x')"), 'the consent page escapes the state');
      const consent = parseForms(r.page.text).find((f) => f.buttons.some((b) => b.name === 'decision'));
      const done = await agent.submit(consent, r.page.url, { decision: 'allow' });
      const q = redirectParams({ redirect: WebClient.location(done), res: done }, REDIRECT);
      assert.equal(q.state, state);
      assert.ok(q.code);
      const denied = await new WebClient(srv).authorize({ ...a.params, response_type: 'token' }, { user: who });
      assert.equal(redirectParams(denied, REDIRECT).state, state, 'error redirects carry it exactly too');
    });

    test('return_to cannot send the user to another site after signing in', async () => {
      const origin = new URL(srv.baseUrl).origin;
      const evil = ['https://evil.example/', '//evil.example/', '/\\evil.example/', 'https:evil.example',
        '\\\\evil.example', 'javascript:alert(1)', `${origin}@evil.example/`, ' https://evil.example/'];
      for (const target of evil) {
        // Through the login page's own hidden field…
        const a = new WebClient(srv);
        const viaPage = await a.signIn(user.email, user.password, { returnTo: target });
        // …and posted directly over the hidden field.
        const b = new WebClient(srv);
        const page = await b.get('login');
        const form = WebClient.formWith(page, 'identifier');
        const direct = await b.submit(form, page.url, { identifier: user.email, password: user.password, return_to: target });
        for (const res of [viaPage, direct]) {
          assert.ok([302, 303].includes(res.status), `signing in still works: ${show(res)}`);
          const loc = WebClient.location(res);
          assert.equal(loc.origin, origin, `return_to=${JSON.stringify(target)} must stay on ${origin}: ${show(res)}`);
          assert.ok(!/evil\.example/i.test(res.headers.get('location')), show(res));
        }
      }
    });

    // ------------------------------------------------------------ userinfo, introspection, revocation
    test('userinfo: GET and POST with a Bearer token; bad tokens → 401 invalid_token; no openid scope → refused', async () => {
      const { tokens } = await tokensFor(web);
      const sub = decodeJwt(tokens.id_token).claims.sub;
      const get = await srv.api('GET', '/oauth/userinfo', { token: tokens.access_token });
      assert.equal(get.status, 200, show(get));
      assert.equal(get.body.sub, sub);
      assert.equal(get.body.email, user.email);
      assert.equal(get.body.name, 'Alan Turing');
      const post = await srv.api('POST', '/oauth/userinfo', { token: tokens.access_token,
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(post.status, 200, show(post));
      assert.deepEqual(post.body, get.body);
      for (const bad of [tokens.access_token.slice(0, -2) + 'AA', 'garbage', tokens.id_token, tokens.refresh_token]) {
        const res = await srv.api('GET', '/oauth/userinfo', { token: bad });
        assert.equal(res.status, 401, show(res));
        assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b.*error="invalid_token"/, show(res));
      }
      const none = await srv.api('GET', '/oauth/userinfo');
      assert.equal(none.status, 401, show(none));
      assert.match(none.headers.get('www-authenticate') || '', /^Bearer\b/, show(none));
      // A machine token (client_credentials, no openid scope, no user) is refused.
      const cc = await tokenRequest(srv, { grant_type: 'client_credentials' }, { client: m2m });
      assert.equal(cc.status, 200, show(cc));
      const machine = await srv.api('GET', '/oauth/userinfo', { token: cc.body.access_token });
      assert.ok([401, 403].includes(machine.status), show(machine));
      // Without the openid scope a user's token is refused too (if the server issues such a token
      // at all: a plain OAuth code flow without openid).
      const a = authorizeParams(web, { scope: 'email offline_access' });
      const r = await new WebClient(srv).authorize(a.params, { user });
      const q = redirectParams(r, REDIRECT);
      if (q.code) {
        const noOidc = await exchange(web, q.code, a.verifier);
        assert.equal(noOidc.status, 200, show(noOidc));
        assert.equal(noOidc.body.id_token, undefined, 'no openid scope → no ID token');
        const plain = await srv.api('GET', '/oauth/userinfo', { token: noOidc.body.access_token });
        assert.ok([401, 403].includes(plain.status), show(plain));
      }
    });

    test('introspection needs client authentication; revocation answers 200 for anything', async () => {
      const { tokens } = await tokensFor(web);
      // No / wrong client authentication.
      const anon = await srv.api('POST', '/oauth/introspect', { body: formBody({ token: tokens.access_token }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assertOAuthError(anon, 401, 'invalid_client');
      const wrong = await srv.api('POST', '/oauth/introspect', { body: formBody({ token: tokens.access_token }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(web.client_id, 'tcs_wrong') } });
      assertOAuthError(wrong, 401, 'invalid_client');
      // An active token, client_secret_post.
      const res = await introspect(srv, tokens.access_token, { client: web, auth: 'post' });
      assert.equal(res.status, 200, show(res));
      assert.equal(res.body.active, true);
      for (const k of ['scope', 'client_id', 'sub', 'exp', 'iat', 'iss', 'token_type']) assert.ok(k in res.body, `${k}: ${show(res)}`);
      assert.equal(res.headers.get('cache-control'), 'no-store', show(res));
      // Revocation: unknown tokens and wrong hints are fine (RFC 7009 §2.2).
      for (const [token, hint] of [[`nope-${rand(8)}`, undefined], [tokens.refresh_token, 'access_token']]) {
        const rv = await revoke(srv, token, { client: web, hint });
        assert.equal(rv.status, 200, show(rv));
      }
      assert.equal(await isActive(tokens.refresh_token), false, 'revoked despite the wrong hint');
      assertOAuthError(await refresh(web, tokens.refresh_token), 400, 'invalid_grant');
      // Revocation needs client authentication too.
      const more = (await tokensFor(web)).tokens;
      for (const token of [more.access_token, more.refresh_token]) {
        const anonRevoke = await srv.api('POST', '/oauth/revoke', { body: formBody({ token }),
          headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assertOAuthError(anonRevoke, 401, 'invalid_client');
        assert.equal(await isActive(token), true, 'an unauthenticated revocation did nothing');
      }
    });
  });
}

