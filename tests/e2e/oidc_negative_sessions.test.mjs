// OAuth 2.0 / OpenID Connect: what must NOT work, checked with plain fetch (no browser, no client
// library — a library would refuse to send most of these). A small user agent (lib/oidc.mjs
// WebClient) keeps cookies and fills in the hosted login and consent forms by hand; the server,
// its clients and the flow helpers are in lib/oidc_negative.mjs.
//
// Covers: CSRF on every form, logout really ending the session, RP-initiated logout redirect
// checks, login errors that do not reveal accounts, state round-trips, open redirects via
// return_to, userinfo / introspection / revocation edge cases. Codes, PKCE, redirect_uri,
// clients, refresh tokens, tenants: oidc_negative_codes.test.mjs.
//
// Run alone:  node --test tests/e2e/oidc_negative_sessions.test.mjs
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, signup, login, uniqEmail, rand, show, decodeJwt,
} from './lib/server.mjs';
import {
  registerClient, WebClient, redirectParams, tokenRequest, introspect, revoke, assertOAuthError,
  parseForms, htmlText, SESSION_COOKIE_RE, basicAuth, formBody,
} from './lib/oidc.mjs';
import { startOidcNegativeFixture, REDIRECT, assertErrorPage } from './lib/oidc_negative.mjs';

for (const backend of backends()) {
  describe(`OAuth/OIDC negative paths [${backend}]`, () => {
    let srv, web, m2m, user, authorizeParams, exchange, refresh, tokensFor, isActive, signedIn, assertSentToLogin;
    before(async () => {
      ({ srv, web, m2m, user, authorizeParams, exchange, refresh, tokensFor, isActive, signedIn, assertSentToLogin } = await startOidcNegativeFixture(backend, `oidc-neg-sessions-${backend}`));
    });
    after(() => srv?.close());

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
      // A signature character changed mid-way (the last ones may carry only padding bits).
      const at = tokens.access_token, i = at.length - 10;
      const tampered = at.slice(0, i) + (at[i] === 'A' ? 'B' : 'A') + at.slice(i + 1);
      for (const bad of [tampered, 'garbage', tokens.id_token, tokens.refresh_token]) {
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
