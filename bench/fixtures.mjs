// bench/fixtures.mjs: creates the benchmark fixtures through the HTTP API (node >= 18, fetch).
//   node bench/fixtures.mjs users    ISSUER_URL PASSWORD PREFIX N   -> N new users; prints their emails, comma-separated
//   node bench/fixtures.mjs sessions ISSUER_URL PASSWORD EMAIL N    -> N logins; prints the refresh tokens, one a line
//   node bench/fixtures.mjs jwt      ISSUER_URL PASSWORD EMAIL      -> one login; prints the access token (JWT)
//   node bench/fixtures.mjs apitoken ISSUER_URL PASSWORD EMAIL      -> one login + POST /api/me/tokens; prints tpat_…
//   node bench/fixtures.mjs oauth    ISSUER_URL PASSWORD EMAIL CLIENT_ID CLIENT_SECRET REDIRECT_URI N
//        -> one sign-in on the hosted login page, then N authorization-code grants (scope
//           openid profile email offline_access, PKCE S256) through a first-party confidential
//           client with the same browser session; prints the first grant's access token (JWT),
//           then the N refresh tokens (one per grant, each its own session), one a line
// Logins are sent two at a time: each costs one argon2id verification and the server runs
// one per core, queueing the rest only while their expected wait is short (--hash-max-wait).
import { createHash, randomBytes } from 'node:crypto';

const [cmd, issuer, password, a, b, ...rest] = process.argv.slice(2);

async function call(method, path, body, auth) {
  const headers = { 'Content-Type': 'application/json' };
  if (auth) headers.Authorization = auth;
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(issuer + path, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 503 && attempt < 20) {  // hashing queue full: back off and retry
      await new Promise((r) => setTimeout(r, 100 * attempt));
      continue;
    }
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

const login = (email) => call('POST', '/api/login', { email, password });

async function inBatches(n, width, fn) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return out;
}

// --- The authorization-code flow through the hosted pages, with plain fetch and a cookie jar.
const b64url = (buf) => buf.toString('base64url');

class Browser {
  constructor() { this.jar = new Map(); }
  cookieHeader() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  // A request without following redirects; keeps the cookies the answer sets.
  async fetch(url, init = {}) {
    const headers = { ...(init.headers ?? {}) };
    if (this.jar.size) headers.Cookie = this.cookieHeader();
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(url, { ...init, headers, redirect: 'manual' });
      const text = await res.text();
      if (res.status === 503 && attempt < 20) {  // hashing queue full (the sign-in): retry
        await new Promise((r) => setTimeout(r, 100 * attempt));
        continue;
      }
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim(), value = pair.slice(eq + 1).trim();
        if (value === '' || /;\s*max-age=0/i.test(c)) this.jar.delete(name);
        else this.jar.set(name, value);
      }
      return { status: res.status, location: res.headers.get('location'), text };
    }
  }
}

function expect(what, res, status) {
  if (res.status !== status) {
    throw new Error(`${what} -> ${res.status} (expected ${status}): ${res.location ?? res.text.slice(0, 300)}`);
  }
  return res;
}

const hidden = (html, name) => {
  const input = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`));
  const value = input && input[0].match(/value="([^"]*)"/);
  if (!value) throw new Error(`the login page has no ${name} input`);
  return value[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
};

async function oauthGrants(email, clientId, clientSecret, redirectUri, n) {
  const browser = new Browser();
  const basic = 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`)
    .toString('base64');
  const authorizeUrl = () => {
    const verifier = b64url(randomBytes(32));
    const state = b64url(randomBytes(12));
    const q = new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
      scope: 'openid profile email offline_access', state,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
    });
    return { url: `${issuer}/oauth/authorize?${q}`, verifier, state };
  };
  const absolute = (location) => new URL(location, issuer).href;
  // authorize (signed in, first-party: no consent) -> code -> tokens
  const grant = async (auth, res) => {
    res ??= expect('GET authorize', await browser.fetch(auth.url), 303);
    const back = new URL(absolute(res.location));
    if (back.origin + back.pathname !== redirectUri) {
      throw new Error(`authorize redirected to ${res.location}, not to ${redirectUri}`);
    }
    if (back.searchParams.get('state') !== auth.state) throw new Error(`authorize: wrong state in ${res.location}`);
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`authorize: no code in ${res.location}`);
    const token = expect('POST token (authorization_code)', await browser.fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri,
                                  code_verifier: auth.verifier }).toString(),
    }), 200);
    const t = JSON.parse(token.text);
    if (!t.access_token || !t.refresh_token || !t.id_token) {
      throw new Error(`the token answer lacks a token: ${token.text.slice(0, 300)}`);
    }
    return t;
  };

  // Not signed in yet: authorize -> login page -> POST login -> authorize again.
  const first = authorizeUrl();
  const toLogin = expect('GET authorize (signed out)', await browser.fetch(first.url), 303);
  const loginUrl = absolute(toLogin.location);
  if (!new URL(loginUrl).pathname.endsWith('/login')) throw new Error(`authorize redirected to ${loginUrl}, not to the login page`);
  const page = expect('GET login page', await browser.fetch(loginUrl), 200);
  const signedIn = expect('POST login', await browser.fetch(`${issuer}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ identifier: email, password, csrf_token: hidden(page.text, 'csrf_token'),
                                return_to: hidden(page.text, 'return_to') }).toString(),
  }), 303);
  const again = absolute(signedIn.location);  // the authorize URL (its parameters re-ordered)
  if (new URL(again).pathname !== new URL(first.url).pathname) {
    throw new Error(`the login page sent the browser to ${again}, not back to authorize`);
  }
  const tokens = [await grant(first, expect('GET authorize (signed in)', await browser.fetch(again), 303))];
  // One grant at a time: the session cookie may be refreshed by an answer.
  for (let i = 1; i < n; i++) tokens.push(await grant(authorizeUrl()));
  return tokens;
}

async function main() {
  switch (cmd) {
    case 'users': {
      const emails = await inBatches(Number(b), 2, async (i) => {
        const email = `${a}-${i}@bench.example`;
        await call('POST', '/api/signup', { email, password });
        return email;
      });
      console.log(emails.join(','));
      break;
    }
    case 'sessions': {
      const tokens = await inBatches(Number(b), 2, async () => (await login(a)).refresh_token);
      console.log(tokens.join('\n'));
      break;
    }
    case 'jwt':
      console.log((await login(a)).access_token);
      break;
    case 'apitoken': {
      const jwt = (await login(a)).access_token;
      const t = await call('POST', '/api/me/tokens', { name: 'bench' }, `Bearer ${jwt}`);
      console.log(t.token);
      break;
    }
    case 'oauth': {
      const [clientId, clientSecret, redirectUri, n] = [b, ...rest];
      const grants = await oauthGrants(a, clientId, clientSecret, redirectUri, Number(n));
      console.log([grants[0].access_token, ...grants.map((t) => t.refresh_token)].join('\n'));
      break;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

main().catch((e) => {
  console.error(`fixtures: ${e.message}`);
  process.exit(1);
});
