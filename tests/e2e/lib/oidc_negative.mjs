// The OAuth/OIDC negative-path suites (oidc_negative_*.test.mjs): their server (clients web,
// web2, spa, m2m; a user; a second app B with a client) and the helpers that drive the
// authorization code flow by hand with lib/oidc.mjs's WebClient.
import assert from 'node:assert/strict';
import { startServer, signup, rand, show } from './server.mjs';
import { registerClient, WebClient, redirectParams, pkcePair, randomValue, tokenRequest, introspect } from './oidc.mjs';

export const REDIRECT = 'https://app.example/callback';
export const REDIRECT2 = 'https://app.example/other-callback';
export const SPA_REDIRECT = 'http://127.0.0.1:8765/spa/callback';
export const FULL_SCOPE = 'openid profile email offline_access';

/** An HTML error page: status, text/html, and no redirect anywhere. */
export function assertErrorPage(res, status) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.headers.get('location'), null, `must not redirect: ${show(res)}`);
  assert.match(res.headers.get('content-type') || '', /^text\/html/i, show(res));
}

/**
 * Starts the server and registers the clients; returns {srv, issuer, web, web2, spa, m2m, user,
 * appB} and the helpers authorizeParams, getCode, exchange, refresh, tokensFor, isActive,
 * signedIn, assertSentToLogin.
 */
export async function startOidcNegativeFixture(backend, label) {
  const srv = await startServer({ postgres: backend === 'postgres', label });
  let issuer, web, web2, spa, m2m, user, appB;
  try {
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
  } catch (e) {
    await srv.close();
    throw e;
  }

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

  return { srv, issuer, web, web2, spa, m2m, user, appB, authorizeParams, getCode, exchange, refresh, tokensFor,
    isActive, signedIn, assertSentToLogin };
}
