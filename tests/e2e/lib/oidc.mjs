// Helpers for the OAuth 2.0 / OpenID Connect black-box tests (oidc_*.test.mjs):
// - a tiny relying party "callback" HTTP server on 127.0.0.1 (the redirect_uri the browser lands on),
// - client registration through the CLI,
// - a browser-less user agent (WebClient): a cookie jar, HTML form parsing, the hosted login and
//   consent forms posted by hand — enough to drive the authorization endpoint with fetch,
// - PKCE, token endpoint, introspection and revocation requests done by hand (for the negative
//   tests that a client library would refuse to make).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, show } from './server.mjs';

/** openid-client (v6), with a clear message when `npm ci --prefix tests/e2e` has not been run. */
export async function importOidcClient() {
  try {
    return await import('openid-client');
  } catch (e) {
    throw new Error('openid-client is not installed for the e2e tests: run ' +
      '`npm ci --prefix tests/e2e` (scripts/test.sh does it when needed). Cause: ' + e.message);
  }
}

export const ALL_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

// ---------------------------------------------------------------- the relying party's callback
/**
 * An HTTP server on 127.0.0.1:<free port> that answers every GET with a small HTML page and
 * records the URLs it was called with. `url(path)` is an absolute URL on it; `next(path)`
 * resolves with the next (or an already recorded, unclaimed) hit on that path.
 */
export async function startCallbackServer() {
  const hits = [];
  const waiters = [];
  const server = http.createServer(async (req, res) => {
    const raw = new URL(req.url, `http://${req.headers.host}`);
    // A form POST (response_mode=form_post) is kept as it came (method, body) and its fields are
    // added to `url`, so waiting for a hit reads the same for both modes.
    let body = '';
    if (req.method === 'POST') {
      for await (const chunk of req) body += chunk;
    }
    const url = new URL(raw);
    if (req.method === 'POST') for (const [k, v] of new URLSearchParams(body)) url.searchParams.append(k, v);
    hits.push({ url, raw, method: req.method, body, claimed: false, headers: req.headers });
    for (const w of [...waiters]) w();
    const params = [...url.searchParams].map(([k, v]) =>
      `<li><code>${escapeHtml(k)}</code> = <code>${escapeHtml(v.length > 80 ? v.slice(0, 80) + '…' : v)}</code></li>`).join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><html><head><title>RP ${escapeHtml(url.pathname)}</title></head>` +
      `<body style="font-family:sans-serif;margin:2rem"><h1>Relying party: ${escapeHtml(url.pathname)}</h1>` +
      `<ul>${params}</ul></body></html>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${server.address().port}`;
  const take = (path, match) => {
    const h = hits.find((x) => !x.claimed && x.url.pathname === path && (!match || match(x.url)));
    if (h) h.claimed = true;
    return h;
  };
  return {
    origin,
    hits,
    url: (path = '/callback') => origin + path,
    /**
     * The next hit on `path` (a URL) for which `match(url)` holds (e.g. its state is ours), or a
     * rejection after timeoutMs.
     */
    next(path = '/callback', opts = {}) {
      return this.nextHit(path, opts).then((h) => h.url);
    },
    /** As next, the whole hit: {url (with a POSTed form's fields), raw (as requested), method, body, headers}. */
    nextHit(path = '/callback', { match, timeoutMs = 15_000 } = {}) {
      return new Promise((resolve, reject) => {
        const tryTake = () => {
          const u = take(path, match);
          if (!u) return false;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(u);
          return true;
        };
        const check = () => { tryTake(); };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`the relying party's ${path} was not called within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        waiters.push(check);
        tryTake();
      });
    },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// ---------------------------------------------------------------- clients
/**
 * `tessera admin create-client` for the code flow. Returns the CLI's JSON ({client_id,
 * client_secret (confidential only), …}). `jwks` (a JWK Set object of public keys) goes to the
 * CLI through a temporary file (--jwks-file). `subjectType`: 'public' or 'pairwise'
 * (--subject-type; the app must have pairwise_subjects on for 'pairwise'); '' leaves the default.
 */
export async function registerClient(srv, {
  app = srv.app, name = 'Web', redirectUris = [], postLogoutRedirectUris = [],
  grants = ['authorization_code', 'refresh_token'], scopes = ALL_SCOPES,
  isPublic = false, firstParty = false, requirePar = false, tokenExchangeAudiences = [],
  dpopBound = false, backchannelLogoutUri = '', backchannelLogoutSessionRequired = false,
  jwks = null, requireSignedRequestObject = false, subjectType = '',
} = {}) {
  const args = ['create-client', '--app', app, '--name', name];
  for (const u of redirectUris) args.push('--redirect-uri', u);
  for (const g of grants) args.push('--grant', g);
  for (const s of scopes) args.push('--scope', s);
  for (const u of postLogoutRedirectUris) args.push('--post-logout-redirect-uri', u);
  if (isPublic) args.push('--public');
  if (firstParty) args.push('--first-party');
  if (requirePar) args.push('--require-par');
  if (dpopBound) args.push('--dpop-bound');
  if (backchannelLogoutUri) args.push('--backchannel-logout-uri', backchannelLogoutUri);
  if (backchannelLogoutSessionRequired) args.push('--backchannel-logout-session-required');
  for (const a of tokenExchangeAudiences) args.push('--token-exchange-audience', a);
  if (requireSignedRequestObject) args.push('--require-signed-request-object');
  if (subjectType) args.push('--subject-type', subjectType);
  if (!jwks) return srv.admin(args);
  const dir = await fsp.mkdtemp(join(tmpdir(), 'tessera-jwks-'));
  try {
    const file = join(dir, 'jwks.json');
    await fsp.writeFile(file, JSON.stringify(jwks));
    return await srv.admin([...args, '--jwks-file', file]);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- PKCE, forms, token endpoint
export function pkcePair() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export const randomValue = (n = 16) => crypto.randomBytes(n).toString('base64url');

export const formBody = (fields) => new URLSearchParams(fields).toString();
export const basicAuth = (id, secret) =>
  'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

/**
 * POST a form to `{issuer}{path}` with client authentication `auth`: 'basic' (default for a
 * client with a secret), 'post', or 'none' (client_id in the form only).
 */
export function postForm(srv, path, fields, { client, auth, app, headers = {} } = {}) {
  const f = { ...fields };
  const h = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
  if (client) {
    const method = auth || (client.client_secret ? 'basic' : 'none');
    if (method === 'basic') h.authorization = basicAuth(client.client_id, client.client_secret);
    else if (method === 'post') Object.assign(f, { client_id: client.client_id, client_secret: client.client_secret });
    else f.client_id = client.client_id;
  }
  return srv.api('POST', path, { app, body: formBody(f), headers: h });
}
export const tokenRequest = (srv, fields, opts) => postForm(srv, '/oauth/token', fields, opts);
export const introspect = (srv, token, opts = {}) =>
  postForm(srv, '/oauth/introspect', { token, ...(opts.hint ? { token_type_hint: opts.hint } : {}) }, opts);
export const revoke = (srv, token, opts = {}) =>
  postForm(srv, '/oauth/revoke', { token, ...(opts.hint ? { token_type_hint: opts.hint } : {}) }, opts);

/** Asserts an RFC 6749 §5.2 error answer from the token (or introspection/revocation) endpoint. */
export function assertOAuthError(res, status, error) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body?.error, error, show(res));
  assert.match(res.headers.get('content-type') || '', /^application\/json/, show(res));
}

/** `left half of SHA-256(ascii(token))`, base64url: at_hash / c_hash for ES256/RS256/PS256. */
export function halfHash(token) {
  const d = crypto.createHash('sha256').update(token, 'ascii').digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

// ---------------------------------------------------------------- HTML
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
export function htmlDecode(s) {
  return String(s).replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function attrs(s) {
  const out = {};
  for (const m of s.matchAll(/([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    out[m[1].toLowerCase()] = htmlDecode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** The visible text of an HTML page (tags stripped, entities decoded, whitespace collapsed). */
export function htmlText(html) {
  return htmlDecode(String(html)
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/**
 * The forms of a page: [{action, method, fields: {name: value} (inputs with a name, except
 * submit buttons), buttons: [{name, value, text}]}].
 */
export function parseForms(html) {
  const forms = [];
  for (const m of String(html).matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attrs(m[1]);
    const fields = {};
    const inputs = [];
    for (const i of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const ia = attrs(i[1]);
      inputs.push(ia);
      const type = (ia.type || 'text').toLowerCase();
      if (!ia.name || type === 'submit' || type === 'button' || type === 'image' || type === 'reset') continue;
      if ((type === 'checkbox' || type === 'radio') && !('checked' in ia)) continue;
      fields[ia.name] = ia.value ?? '';
    }
    const buttons = [];
    for (const b of m[2].matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
      const ba = attrs(b[1]);
      buttons.push({ name: ba.name, value: ba.value ?? '', type: ba.type || 'submit', text: htmlText(b[2]) });
    }
    forms.push({ action: a.action ?? '', method: (a.method || 'get').toLowerCase(), fields, inputs, buttons });
  }
  return forms;
}

const isRedirect = (s) => s === 301 || s === 302 || s === 303 || s === 307 || s === 308;

// ---------------------------------------------------------------- cookies
/** A one-server cookie jar: keeps name → {value, raw} from Set-Cookie, honours deletion. */
export class CookieJar {
  constructor() { this.cookies = new Map(); }
  store(res) {
    for (const raw of res.headers.getSetCookie?.() ?? []) {
      const [pair, ...attrList] = raw.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const a = Object.fromEntries(attrList.map((x) => {
        const i = x.indexOf('=');
        return i < 0 ? [x.trim().toLowerCase(), true] : [x.slice(0, i).trim().toLowerCase(), x.slice(i + 1).trim()];
      }));
      const expired = (a['max-age'] !== undefined && Number(a['max-age']) <= 0) ||
        (typeof a.expires === 'string' && Date.parse(a.expires) < Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, raw, attrs: a });
    }
  }
  get(name) { return this.cookies.get(name)?.value; }
  set(name, value) { this.cookies.set(name, { value, raw: `${name}=${value}`, attrs: {} }); }
  delete(name) { this.cookies.delete(name); }
  find(re) { return [...this.cookies.entries()].find(([n]) => re.test(n)); }
  header() { return [...this.cookies.entries()].map(([n, c]) => `${n}=${c.value}`).join('; '); }
}

/** The browser session cookie (name starts with tessera_session or __Host-tessera_session). */
export const SESSION_COOKIE_RE = /^(__Host-)?tessera_session/;

// ---------------------------------------------------------------- a browser without a browser
/**
 * A user agent with a cookie jar that speaks to one Tessera server and fills in its hosted
 * forms. Redirects are never followed implicitly.
 */
export class WebClient {
  constructor(srv, { app } = {}) {
    this.srv = srv;
    this.app = app ?? srv.app;
    this.jar = new CookieJar();
    this.origin = new URL(srv.baseUrl).origin;
  }
  get issuer() { return this.srv.issuer(this.app); }
  abs(u) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(u)) return u;
    if (u.startsWith('/')) return this.origin + u;
    return `${this.issuer}/${u}`;
  }
  async get(url, { headers = {} } = {}) {
    const h = { ...headers };
    const c = this.jar.header();
    if (c) h.cookie = c;
    const res = await request('GET', this.abs(url), { headers: h });
    this.jar.store(res);
    return res;
  }
  /** POSTs a form like a browser submitting a page of this server (Origin, Sec-Fetch-Site). */
  async post(url, fields, { headers = {} } = {}) {
    const h = { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin,
      'sec-fetch-site': 'same-origin', ...headers };
    for (const [k, v] of Object.entries(h)) if (v === undefined) delete h[k];
    const c = this.jar.header();
    if (c) h.cookie = c;
    const res = await request('POST', this.abs(url), { headers: h, body: formBody(fields) });
    this.jar.store(res);
    return res;
  }
  /** The absolute URL a redirect answer points to (relative Locations resolved). */
  static location(res) {
    const l = res.headers.get('location');
    return l == null ? null : new URL(l, res.url);
  }
  /** Follows redirects (GET) while they stay on this server; returns the last answer. */
  async follow(res, max = 10) {
    for (let i = 0; i < max && isRedirect(res.status); i++) {
      const loc = WebClient.location(res);
      if (!loc || loc.origin !== this.origin) return res;
      res = await this.get(loc.href);
    }
    return res;
  }
  /** The form on `res` (HTML) that has an input/button `name`; throws with the page if none. */
  static formWith(res, name) {
    const f = parseForms(res.text).find((x) => name in x.fields || x.inputs.some((i) => i.name === name) ||
      x.buttons.some((b) => b.name === name));
    assert.ok(f, `no form with "${name}" on ${show(res)}`);
    return f;
  }
  /** Submits `form` (from the page at `pageUrl`) with `extra` fields merged in. */
  submit(form, pageUrl, extra = {}) {
    const action = form.action ? new URL(form.action, pageUrl).href : pageUrl;
    return this.post(action, { ...form.fields, ...extra });
  }
  /** GET {issuer}/login[?return_to] and post the sign-in form; returns the POST's answer. */
  async signIn(identifier, password, { returnTo } = {}) {
    const page = await this.get(`login${returnTo !== undefined ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`);
    assert.equal(page.status, 200, show(page));
    return this.submitLogin(page, identifier, password);
  }
  submitLogin(page, identifier, password) {
    const form = WebClient.formWith(page, 'identifier');
    return this.submit(form, page.url, { identifier, password });
  }
  /** The live session cookie's name and value, or undefined. */
  sessionCookie() {
    const e = this.jar.find(SESSION_COOKIE_RE);
    return e ? { name: e[0], value: e[1].value, raw: e[1].raw, attrs: e[1].attrs } : undefined;
  }

  /**
   * Runs the authorization endpoint like a browser: GET {issuer}/oauth/authorize?params, signs in
   * with `user` when sent to the login page, answers the consent page with `decision`, follows
   * redirects on this server. Stops at a redirect leaving the server ({redirect: URL, res}) or a
   * page that is neither login nor consent ({page: res}). `seen` lists the pages passed:
   * 'login', 'consent'.
   */
  async authorize(params, { user, decision = 'allow', max = 12 } = {}) {
    const seen = [];
    let res = await this.get(`oauth/authorize?${new URLSearchParams(params)}`);
    for (let i = 0; i < max; i++) {
      if (isRedirect(res.status)) {
        const loc = WebClient.location(res);
        assert.ok(loc, `redirect without Location: ${show(res)}`);
        if (loc.origin !== this.origin) return { redirect: loc, res, seen };
        res = await this.get(loc.href);
        continue;
      }
      if (res.status !== 200 || !/text\/html/i.test(res.headers.get('content-type') || '')) return { page: res, seen };
      const forms = parseForms(res.text);
      if (forms.some((f) => 'identifier' in f.fields || f.inputs.some((x) => x.name === 'identifier'))) {
        if (!user) return { page: res, seen };
        seen.push('login');
        res = await this.submitLogin(res, user.identifier ?? user.email, user.password);
        continue;
      }
      const consent = forms.find((f) => f.buttons.some((b) => b.name === 'decision' && b.value === 'allow'));
      if (consent) {
        seen.push('consent');
        if (!decision) return { page: res, seen };
        res = await this.submit(consent, res.url, { decision });
        continue;
      }
      return { page: res, seen };
    }
    throw new Error(`authorization did not finish within ${max} steps; last: ${show(res)}`);
  }
}

/**
 * Asserts an authorization response redirect to `redirectUri` and returns its query parameters
 * as a plain object (each parameter must appear once).
 */
export function redirectParams(result, redirectUri) {
  const ctx = result.page ? show(result.page) : result.res ? show(result.res) : JSON.stringify(result);
  assert.ok(result.redirect, `expected a redirect to ${redirectUri}, got ${ctx}`);
  const loc = result.redirect;
  assert.equal(`${loc.origin}${loc.pathname}`, redirectUri, `redirected elsewhere: ${ctx}`);
  assert.ok([302, 303].includes(result.res.status), `authorization response status: ${ctx}`);
  assert.equal(loc.hash, '', `query response mode, no fragment: ${ctx}`);
  const out = {};
  for (const [k, v] of loc.searchParams) {
    assert.ok(!(k in out), `parameter ${k} repeated: ${loc}`);
    out[k] = v;
  }
  return out;
}
