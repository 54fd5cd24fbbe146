// The SSRF guard for upstream sign-in providers (docs/security.md, "Requests to upstream
// providers"), end to end on the real binary: a server started WITHOUT
// --federation-allow-private-hosts (the harness's `allowPrivateUpstreams: false`) never
// connects to a provider on a loopback, private, link-local or metadata address, whatever
// form the address is written in, and says so with a clear page — never a 500 — while the
// log names the refused host and never a client secret.
//   - GitHub whose token endpoint is a loopback fake: the callback (simulated, with the
//     browser's binding cookie) is a 503 "not answering" page; the API flow goes back to the
//     app with error=temporarily_unavailable; the fake gets no request at all.
//   - A generic OpenID provider: plain-http issuers other than 127.0.0.1/localhost/[::1] are
//     refused when added; those accepted (http on loopback, https on any host) fail the
//     sign-in's discovery with the same 503 and no TCP connection to the listeners; with
//     every endpoint set (no discovery) the callback's token request is refused the same way.
//   - The control: a second server WITH the flag, same setups, reaches the fakes (GitHub
//     sign-in completes; discovery is fetched; https forms open a TCP connection), so what
//     stops the first server is the guard, not the setup.
// JWKS and userinfo go through the same transport (CurlUpstreamHttp) but are only asked after
// a token answer, which no loopback fake can give a guarded server: they are not reached here.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/federation_private_hosts.test.mjs
import assert from 'node:assert/strict';
import dns from 'node:dns/promises';
import http from 'node:http';
import os from 'node:os';
import { once } from 'node:events';
import {
  backends, test, describe, before, after, assertStatus, assertProblem, request, rand, show, startServer,
} from './lib/server.mjs';
import { developer, appWithKey } from './lib/console.mjs';
import { startGithubUpstream } from './lib/github_upstream.mjs';

// An outbound proxy from the environment would be what libcurl connects to (and what the guard
// checks) instead of the listeners here: the servers of this file get none.
for (const k of ['http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) delete process.env[k];

const FLAG = '--federation-allow-private-hosts';
const REFUSED = 'not a public address';

/**
 * A listener on `host` that counts every TCP connection (TLS attempts included) and every HTTP
 * request, and answers OpenID discovery for whatever issuer the Host header names (so an
 * `http://` issuer on it is discovered by a server that may connect).
 */
async function startListener(host) {
  const connections = [];
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, host: req.headers.host });
    const base = `http://${req.headers.host}`;
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }));
      return;
    }
    if (req.url === '/token') {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_grant' }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no');
  });
  server.on('connection', (socket) => connections.push({ remote: socket.remoteAddress }));
  // A TLS ClientHello is not HTTP: close it (the connection was counted already).
  server.on('clientError', (err, socket) => socket.destroy());
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: server.address().port, connections, requests,
    reset() { connections.length = 0; requests.length = 0; },
    close() { server.closeAllConnections(); return new Promise((r) => server.close(() => r())); },
  };
}

/** A server's app, its developer and the console API on it. */
async function appOn(srv, tag) {
  const dev = await developer(srv, tag);
  const app = await appWithKey(srv, dev, tag);
  const capi = (method, path, opts = {}) =>
    srv.req(method, `/api/console/apps/${app.slug}${path}`, { token: dev.token, ...opts });
  return { dev, slug: app.slug, key: app.key, capi, issuer: srv.issuer(app.slug) };
}

/** GET /federation/{slug}/start: the answer, the binding cookie and the state sent upstream. */
async function startSignIn(a, slug) {
  const res = await request('GET', `${a.issuer}/federation/${slug}/start`);
  if (res.status !== 303) return { res };
  const location = new URL(res.headers.get('location'));
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  return { res, location, cookie, state: location.searchParams.get('state') };
}

/** The clear failure page of an upstream that cannot be reached (federation_pages.cc Failure). */
function assertNotAnswering(res, what) {
  assert.equal(res.status, 503, `${what}: ${show(res)}`);
  assert.match(res.headers.get('content-type') || '', /^text\/html/, `${what}: a page`);
  assert.match(res.text, /The provider is not answering/, what);
  assert.doesNotMatch(res.text, new RegExp(REFUSED), `${what}: the reason is for the log, not the page`);
  assert.doesNotMatch(res.text, /Internal Server Error|server_error/i, what);
}

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

/** Waits (briefly) for `srv`'s log to say the request to `host` was refused; returns the line. */
async function refusalLogged(srv, host, from) {
  const re = new RegExp(`upstream ${escapeRe(host)}: ${REFUSED}`);
  for (let i = 0; i < 20; i++) {
    const line = srv.output().slice(from).split('\n').find((l) => re.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`the log names ${host} as refused (${re}):\n${srv.output().slice(from).slice(-3000)}`);
}

for (const backend of backends()) {
  describe(`upstream providers on private addresses [${backend}]`, () => {
    const postgres = backend === 'postgres';
    let guarded, open;      // servers without and with the flag
    let g, o;               // their apps
    let ghG, ghO;           // a GitHub fake for each
    let v4, v6;             // counting listeners on 127.0.0.1 and ::1
    let localName = null;   // this machine's name, when it resolves to a loopback address
    const secrets = [];
    const secret = (tag) => { const s = `sec-${tag}-${rand(20)}`; secrets.push(s); return s; };

    before(async () => {
      guarded = await startServer({ postgres, label: `private-hosts-guarded-${backend}`, allowPrivateUpstreams: false });
      open = await startServer({ postgres, label: `private-hosts-open-${backend}` });
      g = await appOn(guarded, 'ph');
      o = await appOn(open, 'po');
      ghG = await startGithubUpstream({ clientId: 'gh-client', clientSecret: secret('gh-g') });
      ghO = await startGithubUpstream({ clientId: 'gh-client', clientSecret: secret('gh-o') });
      for (const gh of [ghG, ghO]) {
        gh.setUser({ id: 4242, login: 'octo', name: 'Octo', emails: [{ email: `octo-${rand(8)}@example.com`, primary: true, verified: true }] });
      }
      v4 = await startListener('127.0.0.1');
      v6 = await startListener('::1');
      const name = os.hostname().toLowerCase();
      if (/^[a-z0-9.-]+$/.test(name) && name !== 'localhost') {
        const addrs = await dns.lookup(name, { all: true }).catch(() => []);
        if (addrs.length && addrs.every((a) => /^127\.|^::1$/.test(a.address))) localName = name;
      }
    });
    after(async () => {
      await guarded?.close();
      await open?.close();
      await ghG?.close();
      await ghO?.close();
      await v4?.close();
      await v6?.close();
    });

    test('the guarded server runs without the flag, the control server with it', () => {
      assert.ok(!guarded.serveArgs().includes(FLAG), guarded.serveArgs().join(' '));
      assert.ok(open.serveArgs().includes(FLAG));
    });

    test('GitHub on a loopback fake: the callback is a clear 503 page and the fake gets no request', async () => {
      const added = await g.capi('POST', '/identity-providers', { json: {
        kind: 'github', client_id: 'gh-client', client_secret: secrets[0], issuer: ghG.url, userinfo_endpoint: ghG.url } });
      assertStatus(added, 201);  // http on 127.0.0.1 passes validation: it is the connection that is refused
      assert.equal(added.body.has_client_secret, true);

      const login = await request('GET', `${g.issuer}/login`);
      assertStatus(login, 200);
      assert.match(login.text, /Continue with GitHub/, 'the button is shown (listing providers asks no upstream)');

      const s = await startSignIn(g, 'github');
      assertStatus(s.res, 303);
      assert.equal(s.location.origin, ghG.url, 'the browser is sent to the provider (the server itself sends nothing)');
      assert.ok(s.state && s.cookie, show(s.res));
      const from = guarded.output().length;
      const cb = await request('GET', `${g.issuer}/federation/github/callback?code=c-${rand(10)}&state=${s.state}`,
        { headers: { cookie: s.cookie } });
      assertNotAnswering(cb, 'GitHub callback');
      assert.ok(cb.ms < 3000, `refused at once, no connect timeout (${Math.round(cb.ms)} ms)`);
      await refusalLogged(guarded, `127.0.0.1:${ghG.port}`, from);
      assert.match(guarded.output().slice(from), /federation_failed/);

      // The API flow: back on the app's redirect URI with error=temporarily_unavailable.
      const back = `http://127.0.0.1:${v4.port}/done`;
      assertStatus(await guarded.req('PATCH', `/api/console/apps/${g.slug}`, { token: g.dev.token,
        json: { settings: { redirect_uris: [back] } } }), 200);
      const api = await request('GET', `${g.issuer}/api/auth/github?` + new URLSearchParams({ redirect_uri: back, state: 'st-9' }));
      assertStatus(api, 303);
      const apiState = new URL(api.headers.get('location')).searchParams.get('state');
      const apiCookie = api.headers.get('set-cookie').split(';')[0];
      const apiCb = await request('GET', `${g.issuer}/federation/github/callback?code=c-${rand(10)}&state=${apiState}`,
        { headers: { cookie: apiCookie } });
      assertStatus(apiCb, 303);
      const done = new URL(apiCb.headers.get('location'));
      assert.equal(done.origin + done.pathname, back);
      assert.equal(done.searchParams.get('error'), 'temporarily_unavailable', done.href);
      assert.equal(done.searchParams.get('state'), 'st-9');
      assert.equal(done.searchParams.get('code'), null);

      assert.deepEqual(ghG.requests, [], 'the GitHub fake received no request at all');
      assert.equal(v4.connections.length, 0, 'nor did the redirect URI’s host (the server never calls it)');
    });

    test('GitHub with its token endpoint on the cloud metadata address: refused at once', async () => {
      const added = await g.capi('POST', '/identity-providers', { json: {
        kind: 'github', slug: 'gh-meta', display_name: 'GitHub (metadata)', client_id: 'gh-client',
        client_secret: secret('meta'), issuer: ghG.url, token_endpoint: 'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
        userinfo_endpoint: 'https://[fd00:ec2::254]' } });
      assertStatus(added, 201);
      const s = await startSignIn(g, 'gh-meta');
      assertStatus(s.res, 303);
      const from = guarded.output().length;
      const cb = await request('GET', `${g.issuer}/federation/gh-meta/callback?code=c-${rand(10)}&state=${s.state}`,
        { headers: { cookie: s.cookie } });
      assertNotAnswering(cb, 'metadata token endpoint');
      assert.ok(cb.ms < 3000, `no connect attempt to wait for (${Math.round(cb.ms)} ms)`);
      const line = await refusalLogged(guarded, '169.254.169.254', from);
      assert.doesNotMatch(line, /meta-data|security-credentials|code=/, 'the host only: no path, query or body');
      assertStatus(await g.capi('DELETE', `/identity-providers/${added.body.id}`), 204);
      assert.deepEqual(ghG.requests, []);
    });

    test('OpenID issuers on plain http other than loopback are refused when added (400, field issuer)', async () => {
      for (const issuer of ['http://169.254.169.254', 'http://169.254.169.254/latest', `http://0.0.0.0:${v4.port}`,
        `http://2130706433:${v4.port}`, `http://127.1:${v4.port}`, 'http://10.0.0.1', `http://[::ffff:127.0.0.1]:${v4.port}`,
        'http://metadata.google.internal']) {
        const res = await g.capi('POST', '/identity-providers', { json: {
          kind: 'oidc', slug: `x-${rand(6).toLowerCase()}`, display_name: 'X', client_id: 'c', client_secret: secret('bad'), issuer } });
        assertProblem(res, 400, undefined, { field: 'issuer' });
        assert.match(JSON.stringify(res.body.errors), /https URL/, `${issuer}: ${show(res)}`);
      }
      // Nor can an endpoint be set to one, on a provider that exists.
      const added = await g.capi('POST', '/identity-providers', { json: {
        kind: 'oidc', slug: 'patched', display_name: 'P', client_id: 'c', issuer: 'https://idp.example.com' } });
      assertStatus(added, 201);
      const patched = await g.capi('PATCH', `/identity-providers/${added.body.id}`, { json: { jwks_uri: 'http://169.254.169.254/keys' } });
      assertProblem(patched, 400, undefined, { field: 'jwks_uri' });
      assertStatus(await g.capi('DELETE', `/identity-providers/${added.body.id}`), 204);
      assert.equal(v4.connections.length + v6.connections.length, 0);
    });

    /** The issuers that pass validation but lead to loopback/private addresses, and the host
     * the log names for each. `reach`: a listener a server with the flag would connect to. */
    const issuerCases = () => {
      const p = v4.port;
      const p6 = v6.port;
      const cases = [
        { issuer: `http://127.0.0.1:${p}`, host: `127.0.0.1:${p}`, reach: v4 },
        { issuer: `http://localhost:${p}`, host: `localhost:${p}`, reach: v4 },
        { issuer: `http://[::1]:${p6}`, host: `[::1]:${p6}`, reach: v6 },
        { issuer: `https://127.0.0.1:${p}`, host: `127.0.0.1:${p}`, reach: v4 },
        { issuer: `https://localhost:${p}`, host: `localhost:${p}`, reach: v4 },
        { issuer: `https://[::1]:${p6}`, host: `[::1]:${p6}`, reach: v6 },
        { issuer: `https://0.0.0.0:${p}`, host: `0.0.0.0:${p}`, reach: v4 },
        { issuer: `https://2130706433:${p}`, host: `2130706433:${p}`, reach: v4 },
        { issuer: `https://0x7f000001:${p}`, host: `0x7f000001:${p}`, reach: v4 },
        { issuer: `https://127.1:${p}`, host: `127.1:${p}`, reach: v4 },
        { issuer: `https://[::ffff:127.0.0.1]:${p}`, host: `[::ffff:127.0.0.1]:${p}`, reach: v4 },
        { issuer: `https://[::ffff:7f00:1]:${p}`, host: `[::ffff:7f00:1]:${p}`, reach: v4 },
        { issuer: 'https://169.254.169.254', host: '169.254.169.254' },
        { issuer: 'https://[fd00:ec2::254]', host: '[fd00:ec2::254]' },
        { issuer: 'https://100.100.100.200', host: '100.100.100.200' },
        { issuer: 'https://10.0.0.1', host: '10.0.0.1' },
        { issuer: 'https://192.168.0.1', host: '192.168.0.1' },
        { issuer: 'https://[fe80::1]', host: '[fe80::1]' },
      ];
      if (localName) cases.push({ issuer: `https://${localName}:${p}`, host: `${localName}:${p}`, reach: v4 });
      return cases;
    };

    test('an OpenID provider on a loopback/private/metadata address: each start is a clear 503, no connection', async () => {
      for (const c of issuerCases()) {
        v4.reset();
        v6.reset();
        const slug = `o-${rand(8).toLowerCase()}`;
        const added = await g.capi('POST', '/identity-providers', { json: {
          kind: 'oidc', slug, display_name: `OIDC ${slug}`, client_id: 'tessera', client_secret: secret('oidc'), issuer: c.issuer } });
        assertStatus(added, 201);
        const from = guarded.output().length;
        const s = await startSignIn(g, slug);
        assertNotAnswering(s.res, `start with issuer ${c.issuer}`);
        assert.ok(s.res.ms < 3000, `${c.issuer}: refused without waiting for a connect (${Math.round(s.res.ms)} ms)`);
        await refusalLogged(guarded, c.host, from);
        assert.equal(v4.connections.length + v6.connections.length, 0, `${c.issuer}: no TCP connection`);
        assertStatus(await g.capi('DELETE', `/identity-providers/${added.body.id}`), 204);
      }
    });

    test('the API flow with an OpenID provider on loopback: a clear answer, no connection', async () => {
      v4.reset();
      const back = `http://127.0.0.1:${v4.port}/api-done`;
      assertStatus(await guarded.req('PATCH', `/api/console/apps/${g.slug}`, { token: g.dev.token,
        json: { settings: { redirect_uris: [back] } } }), 200);
      const added = await g.capi('POST', '/identity-providers', { json: {
        kind: 'oidc', slug: 'corp-api', display_name: 'Corp', client_id: 'tessera', client_secret: secret('api'),
        issuer: `http://127.0.0.1:${v4.port}` } });
      assertStatus(added, 201);
      const from = guarded.output().length;
      const res = await request('GET', `${g.issuer}/api/auth/corp-api?` + new URLSearchParams({ redirect_uri: back, state: 'st-a' }));
      // Discovery fails before anything is sent to the browser. docs/social-sign-in.md promises
      // the API flow's errors as ?error=temporarily_unavailable on the app's redirect URI; the
      // server answers its own 503 page here (a failure at the start, not at the callback).
      // Either is clear; what matters here is that nothing was connected to.
      if (res.status === 303) {
        const to = new URL(res.headers.get('location'));
        assert.equal(to.origin + to.pathname, back, show(res));
        assert.equal(to.searchParams.get('error'), 'temporarily_unavailable');
      } else {
        assertNotAnswering(res, 'API flow start');
      }
      await refusalLogged(guarded, `127.0.0.1:${v4.port}`, from);
      assert.equal(v4.connections.length, 0);
      assertStatus(await g.capi('DELETE', `/identity-providers/${added.body.id}`), 204);
    });

    test('an OpenID provider with every endpoint set (no discovery): the token request is refused', async () => {
      v4.reset();
      const base = `http://127.0.0.1:${v4.port}`;
      const added = await g.capi('POST', '/identity-providers', { json: {
        kind: 'oidc', slug: 'manual', display_name: 'Manual', client_id: 'tessera', client_secret: secret('manual'),
        issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`, userinfo_endpoint: `${base}/userinfo` } });
      assertStatus(added, 201);
      const s = await startSignIn(g, 'manual');
      assertStatus(s.res, 303);
      assert.equal(s.location.origin + s.location.pathname, `${base}/authorize`);
      const from = guarded.output().length;
      const cb = await request('GET', `${g.issuer}/federation/manual/callback?code=c-${rand(10)}&state=${s.state}`,
        { headers: { cookie: s.cookie } });
      assertNotAnswering(cb, 'OIDC callback');
      await refusalLogged(guarded, `127.0.0.1:${v4.port}`, from);
      assert.equal(v4.connections.length, 0);
      assert.deepEqual(v4.requests, []);
    });

    // ---------- the control: the same setups on a server with the flag ----------

    test('with the flag, the same GitHub fake is reached and the sign-in completes', async () => {
      const added = await o.capi('POST', '/identity-providers', { json: {
        kind: 'github', client_id: 'gh-client', client_secret: secrets[1], issuer: ghO.url, userinfo_endpoint: ghO.url } });
      assertStatus(added, 201);
      const s = await startSignIn(o, 'github');
      assertStatus(s.res, 303);
      const atGithub = await request('GET', s.location.href);  // the "browser" at GitHub
      assertStatus(atGithub, 302);
      const cb = await request('GET', atGithub.headers.get('location'), { headers: { cookie: s.cookie } });
      assert.equal(cb.status, 303, `signed in: ${show(cb)}`);
      const paths = ghO.requests.map((r) => `${r.method} ${r.path}`);
      assert.ok(paths.includes('POST /login/oauth/access_token'), paths.join(', '));
      assert.ok(paths.includes('GET /user'), paths.join(', '));
      assert.doesNotMatch(open.output(), new RegExp(REFUSED));
    });

    test('with the flag, each loopback issuer is connected to (http ones are discovered)', async () => {
      for (const c of issuerCases().filter((x) => x.reach)) {
        v4.reset();
        v6.reset();
        const slug = `o-${rand(8).toLowerCase()}`;
        const added = await o.capi('POST', '/identity-providers', { json: {
          kind: 'oidc', slug, display_name: `OIDC ${slug}`, client_id: 'tessera', client_secret: secret('oidc-open'), issuer: c.issuer } });
        assertStatus(added, 201);
        const s = await startSignIn(o, slug);
        assert.ok(c.reach.connections.length >= 1, `${c.issuer}: the flagged server connected (${show(s.res)})`);
        if (c.issuer.startsWith('http:')) {
          assertStatus(s.res, 303);
          assert.equal(s.location.origin + s.location.pathname, `${c.issuer}/authorize`);
          assert.ok(c.reach.requests.some((r) => r.url === '/.well-known/openid-configuration'));
        } else {
          assertNotAnswering(s.res, `${c.issuer} (no TLS there)`);
        }
        assertStatus(await o.capi('DELETE', `/identity-providers/${added.body.id}`), 204);
      }
    });

    test('no client secret in either server’s log', () => {
      assert.ok(secrets.length > 10);
      for (const srv of [guarded, open]) {
        const out = srv.output();
        for (const s of secrets) assert.ok(!out.includes(s), `${srv.label} logged the secret ${s}`);
        assert.doesNotMatch(out, /"level":"(error|critical)"/, `${srv.label}: no error-level line`);
      }
    });
  });
}
