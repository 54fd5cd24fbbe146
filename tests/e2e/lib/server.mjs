// Black-box test harness for the Tessera server binary.
//
// startServer(opts) spawns `tessera serve` on a free port with a fresh temp data dir, waits for
// GET /readyz, and returns a TesseraServer. Output (stdout + stderr) is captured; the `test`
// exported here wraps node:test's and appends the output of every server started by this test
// file to a failing test's error.
//
// Run:   node --test tests/e2e/            (from the repo root; files run one after another)
//        cd tests/e2e && npm test           (same, two files at a time)
// Env:   TESSERA_BIN                  the binary (default <repo>/build/tessera)
//        TESSERA_TEST_POSTGRES_URL    also run the backend-parametrized suites on PostgreSQL,
//                                     e.g. the URL printed by scripts/postgres-test-server.sh
//        TESSERA_E2E_KEEP=1           keep the temp data dirs
// No TESSERA_* variable of the caller reaches the server. On PostgreSQL every server (test
// file) gets its own app with a random slug, and all of them share one master key file in the
// temp dir, because the sealed signing keys live in the shared database. A server started with
// `isolatedSchema: true` gets a schema of its own instead (created with psql, dropped on
// close): needed where nodes sharing the database would interfere, e.g. the mail outbox,
// which every node's worker sends from whatever app queued it.
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import nodeTest from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
export const TESSERA_BIN = process.env.TESSERA_BIN || path.join(REPO_ROOT, 'build', 'tessera');
export const PG_URL = process.env.TESSERA_TEST_POSTGRES_URL || '';
export const FAST_ARGON2 = ['--argon2-memory-kib', '8192', '--argon2-iterations', '1'];
const READY_TIMEOUT_MS = 20_000;
const OUTPUT_LIMIT = 256 * 1024;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Like sleep, but does not keep the process alive (for Promise.race deadlines). */
export const deadline = (ms, value = 'timeout') => new Promise((r) => setTimeout(() => r(value), ms).unref());

/** Backends to run backend-parametrized suites on: always sqlite, plus postgres when configured. */
export function backends() {
  return PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export function binaryAvailable() {
  try {
    fs.accessSync(TESSERA_BIN, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Random lowercase token, safe in emails, usernames and app slugs. */
export function rand(n = 10) {
  return crypto.randomBytes(n).toString('hex').slice(0, n);
}
export const uniqEmail = (tag = 'user') => `${tag}-${rand(12)}@example.com`;
export const uniqUsername = (tag = 'u') => `${tag}${rand(12)}`;

/** The child's environment: no TESSERA_* settings leak in from the caller's shell. */
function childEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) env[k] = v;
  return env;
}

/**
 * Signing keys live in the database, sealed with the master key; every server on the shared
 * PostgreSQL database (across test files) must therefore use the same master key.
 */
function sharedPgMasterKeyFile() {
  const tag = crypto.createHash('sha256').update(PG_URL).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `tessera-e2e-master-${tag}.key`);
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
  }
  return file;
}

const allServers = new Set();
let serverSeq = 0;

process.on('exit', () => {
  for (const s of allServers) {
    try { s.proc?.kill('SIGKILL'); } catch { /* gone */ }
  }
});

export class TesseraServer {
  constructor(opts = {}) {
    this.opts = opts;
    this.label = opts.label || `server#${++serverSeq}`;
    this.postgres = !!opts.postgres;
    if (this.postgres && !PG_URL) throw new Error('postgres: true needs TESSERA_TEST_POSTGRES_URL');
    this.databaseUrl = this.postgres ? PG_URL : null;
    this.masterKeyFile = this.postgres ? sharedPgMasterKeyFile() : null;
    this.app = 'default';
    this.proc = null;
    this.out = '';
    this.starts = 0;
    allServers.add(this);
  }

  get baseUrl() { return `http://127.0.0.1:${this.port}`; }
  /** `{PUBLIC_URL}/apps/{app}`; default app is this server's test app. */
  issuer(app = this.app) { return `${this.baseUrl}/apps/${app}`; }

  _log(chunk) {
    this.out += chunk;
    if (this.out.length > OUTPUT_LIMIT) this.out = this.out.slice(-OUTPUT_LIMIT);
  }
  output() { return this.out; }
  tail(n = 6000) { return this.out.length > n ? '…' + this.out.slice(-n) : this.out; }

  serveArgs() {
    const o = this.opts;
    const args = ['serve', '--listen', `127.0.0.1:${this.port}`, '--public-url', o.publicUrl || this.baseUrl,
      '--data-dir', this.dataDir];
    if (this.databaseUrl) args.push('--database-url', this.databaseUrl);
    if (this.masterKeyFile) args.push('--master-key-file', this.masterKeyFile);
    if (o.fast !== false) args.push(...FAST_ARGON2);
    if (o.accessTokenTtl != null) args.push('--access-token-ttl', String(o.accessTokenTtl));
    if (o.maxBodyBytes != null) args.push('--max-body-bytes', String(o.maxBodyBytes));
    if (o.hashConcurrency != null) args.push('--hash-concurrency', String(o.hashConcurrency));
    if (o.hashQueue != null) args.push('--hash-queue', String(o.hashQueue));
    if (o.args) args.push(...o.args);
    return args;
  }

  async start() {
    if (!binaryAvailable()) throw new Error(`tessera binary not found/executable at ${TESSERA_BIN}`);
    if (this.postgres && this.opts.isolatedSchema && !this.schema) {
      this.schema = `tessera_e2e_${rand(12)}`;
      await psql(PG_URL, `CREATE SCHEMA ${this.schema}`);
      this.databaseUrl = withSearchPath(PG_URL, this.schema);
    }
    if (!this.dataDir) this.dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-e2e-'));
    if (!this.port) this.port = this.opts.port || await freePort();
    await this._spawn();
    if (this.postgres && !this.schema && this.opts.isolateApp !== false && this.app === 'default') {
      // Shared database: give this server (test file) its own app.
      const slug = `e2e-${rand(10)}`;
      await this.createApp(slug, `E2E ${slug}`);
      this.app = slug;
    }
    return this;
  }

  async _spawn() {
    this.starts++;
    this._log(`\n=== [${this.label}] start #${this.starts}: ${TESSERA_BIN} ${this.serveArgs().join(' ')}\n`);
    const proc = spawn(TESSERA_BIN, this.serveArgs(), { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    this.proc = proc;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d) => this._log(d));
    proc.stderr.on('data', (d) => this._log(d));
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this._log(`\n=== [${this.label}] exited code=${code} signal=${signal}\n`);
        resolve({ code, signal });
      });
      proc.on('error', (err) => {
        this._log(`\n=== [${this.label}] spawn error ${err}\n`);
        resolve({ code: null, signal: null, error: err });
      });
    });
    let exitedEarly = null;
    this.exited.then((r) => { exitedEarly = r; });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    while (Date.now() < deadline) {
      if (exitedEarly) {
        throw new Error(`tessera exited before ready (${JSON.stringify(exitedEarly)}).\n--- output ---\n${this.tail(8000)}`);
      }
      try {
        const r = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
        last = `status ${r.status}`;
        await r.arrayBuffer();
        if (r.status === 200) return;
      } catch (e) {
        last = String(e.cause?.code || e.message);
      }
      await sleep(100);
    }
    proc.kill('SIGKILL');
    throw new Error(`tessera not ready within ${READY_TIMEOUT_MS} ms (last: ${last}).\n--- output ---\n${this.tail(8000)}`);
  }

  get running() { return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }

  /** SIGTERM and wait; resolves {code, signal}. SIGKILLs (and throws) after timeoutMs. */
  async stop(timeoutMs = 15_000) {
    if (!this.running) return this.exited ? await this.exited : { code: null, signal: null };
    this.proc.kill('SIGTERM');
    const r = await Promise.race([this.exited, deadline(timeoutMs)]);
    if (r === 'timeout') {
      this.proc.kill('SIGKILL');
      await this.exited;
      throw new Error(`tessera did not exit within ${timeoutMs} ms of SIGTERM`);
    }
    return r;
  }

  async kill9() {
    if (!this.running) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** Restart on the same data dir, database and port. */
  async restart() {
    if (this.running) await this.stop();
    await this._spawn();
    return this;
  }

  /** Stops the server (if running) and removes its data dir. */
  async close() {
    try { if (this.running) await this.stop(); } catch { await this.kill9(); }
    allServers.delete(this);
    if (this.dataDir && !process.env.TESSERA_E2E_KEEP) {
      await fsp.rm(this.dataDir, { recursive: true, force: true });
    }
    if (this.schema && !process.env.TESSERA_E2E_KEEP) {
      await psql(PG_URL, `DROP SCHEMA IF EXISTS ${this.schema} CASCADE`).catch(() => {});
    }
  }

  /** Runs `tessera admin <args> --data-dir … [--database-url …] --json`; returns parsed JSON. */
  async admin(args) {
    return parseJsonOutput(await this.adminText(args));
  }

  /** Like admin(), for commands printing JSON lines (e.g. `admin audit`): one value per line. */
  async adminLines(args) {
    return (await this.adminText(args)).split('\n').map((l) => l.trim()).filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  /** Runs the admin command (with --json) and returns its standard output. */
  async adminText(args) {
    const full = ['admin', ...args, '--data-dir', this.dataDir];
    if (this.port) full.push('--public-url', this.baseUrl);
    if (this.databaseUrl) full.push('--database-url', this.databaseUrl);
    if (this.masterKeyFile) full.push('--master-key-file', this.masterKeyFile);
    full.push('--json');
    const { stdout, stderr, code } = await new Promise((resolve) => {
      execFile(TESSERA_BIN, full, { timeout: 20_000, env: childEnv() }, (err, stdout, stderr) => {
        resolve({ stdout, stderr, code: err ? (err.code ?? 'error') : 0 });
      });
    });
    this._log(`\n=== [${this.label}] admin ${full.join(' ')} → ${code}\n${stdout}${stderr}`);
    if (code !== 0) throw new Error(`tessera admin ${args.join(' ')} failed (${code}):\n${stdout}\n${stderr}`);
    return stdout;
  }

  createApp(slug, name = slug) {
    return this.admin(['create-app', '--slug', slug, '--name', name]);
  }

  createUser({ app = this.app, email, password, admin = false }) {
    const a = ['create-user', '--app', app, '--email', email, '--password', password];
    if (admin) a.push('--admin');
    return this.admin(a);
  }

  // ---------- HTTP helpers ----------
  /** Request to an absolute URL or a path under baseUrl. */
  req(method, urlOrPath, opts = {}) {
    const url = /^https?:/.test(urlOrPath) ? urlOrPath : this.baseUrl + urlOrPath;
    return request(method, url, opts);
  }
  /** Request to a path under the issuer: api('POST', '/api/login', {json}) ; opts.app overrides. */
  api(method, p, opts = {}) {
    return request(method, this.issuer(opts.app) + p, opts);
  }
}

/** `url` whose connections resolve names in `schema` first (libpq's options parameter). */
function withSearchPath(url, schema) {
  return `${url}${url.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`;
}

/** Runs one SQL statement with psql (Debian's postgresql-client). */
function psql(url, sql) {
  return new Promise((resolve, reject) => {
    execFile('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { timeout: 20_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`psql ${sql}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

function parseJsonOutput(stdout) {
  const s = stdout.trim();
  try { return JSON.parse(s); } catch { /* fall through */ }
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i]);
      if (v && typeof v === 'object' && !('level' in v && 'msg' in v)) return v;
    } catch { /* next */ }
  }
  throw new Error(`admin output is not JSON: ${stdout}`);
}

export async function startServer(opts = {}) {
  const s = new TesseraServer(opts);
  await s.start();
  return s;
}

/**
 * fetch wrapper. opts: json (object → body + content-type), body, headers, token, scheme
 * ('Bearer'), timeoutMs. Returns {status, headers, text, body (parsed JSON or undefined), ms}.
 */
export async function request(method, url, opts = {}) {
  const headers = {};
  for (const [k, v] of Object.entries(opts.headers || {})) headers[k.toLowerCase()] = v;
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  }
  if (opts.token) headers.authorization = `${opts.scheme || 'Bearer'} ${opts.token}`;
  const init = { method, headers, body, redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) };
  if (body && typeof body.getReader === 'function') init.duplex = 'half';
  const t0 = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  const ms = performance.now() - t0;
  let parsed;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return { method, url, status: res.status, headers: res.headers, text, body: parsed, ms };
}

export function show(res) {
  const hdrs = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n  ');
  return `${res.method} ${res.url} → ${res.status}\n  ${hdrs}\n  body: ${res.text.slice(0, 1500)}`;
}

export function assertStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}: ${show(res)}`);
}

const LEAK_RE = /\.(cc|cpp|hpp)\b|\bstd::|what\(\)|\bSELECT\b|\bINSERT\b|\bUPDATE\s+\w+\s+SET\b|sqlite|libpq|postgres|\/work\/|\/tmp\/|\$argon2|password_hash|\bat 0x[0-9a-f]+/i;

/** Asserts an RFC 9457 problem answer of `status`/`type`; `field` (string|RegExp) must be in errors[]. */
export function assertProblem(res, status, type, { field } = {}) {
  const ctx = show(res);
  assert.equal(res.status, status, `status: ${ctx}`);
  assert.match(res.headers.get('content-type') || '', /^application\/problem\+json\b/i, `content-type: ${ctx}`);
  assert.ok(res.body && typeof res.body === 'object' && !Array.isArray(res.body), `body object: ${ctx}`);
  if (type) assert.equal(res.body.type, `urn:tessera:problem:${type}`, `type: ${ctx}`);
  assert.equal(res.body.status, status, `body.status: ${ctx}`);
  assert.equal(typeof res.body.title, 'string', `title: ${ctx}`);
  assert.doesNotMatch(res.text, LEAK_RE, `problem body leaks internals: ${ctx}`);
  if (status === 401) {
    assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/, `WWW-Authenticate: ${ctx}`);
  }
  if (field !== undefined) {
    const errs = res.body.errors;
    assert.ok(Array.isArray(errs), `errors[] missing: ${ctx}`);
    const ok = errs.some((e) => (field instanceof RegExp ? field.test(e.field) : e.field === field));
    assert.ok(ok, `errors[].field ${field} missing: ${ctx}`);
    for (const e of errs) assert.equal(typeof e.message, 'string', `errors[].message: ${ctx}`);
  }
  return res.body;
}

// ---------- users ----------
export const USER_KEYS = ['id', 'app', 'email', 'email_verified', 'username', 'roles', 'disabled',
  'profile', 'created_at', 'updated_at', 'last_login_at'];
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Recursively finds keys that look like secrets. */
export function secretKeys(v, p = '') {
  const out = [];
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (/pass|hash|secret|salt/i.test(k)) out.push(p + k);
      out.push(...secretKeys(x, `${p}${k}.`));
    }
  }
  return out;
}

export function assertUserShape(u, { app, email, username, ctx = '' } = {}) {
  const msg = `${ctx} user=${JSON.stringify(u)}`;
  assert.ok(u && typeof u === 'object', msg);
  for (const k of USER_KEYS) assert.ok(k in u, `user lacks "${k}": ${msg}`);
  assert.match(u.id, UUID_RE, msg);
  if (app) assert.equal(u.app, app, msg);
  if (email) assert.equal(u.email, email, msg);
  if (username !== undefined) assert.equal(u.username, username, msg);
  assert.equal(typeof u.email_verified, 'boolean', msg);
  assert.ok(Array.isArray(u.roles), msg);
  assert.equal(u.disabled, false, msg);
  assert.ok(u.profile && typeof u.profile === 'object' && !Array.isArray(u.profile), msg);
  assert.match(u.created_at, ISO_RE, msg);
  assert.match(u.updated_at, ISO_RE, msg);
  assert.ok(u.last_login_at === null || ISO_RE.test(u.last_login_at), msg);
  assert.deepEqual(secretKeys(u), [], `secret-looking keys in user: ${msg}`);
  assert.ok(!JSON.stringify(u).includes('$argon2'), msg);
}

/** Signs up a fresh user; returns {email, password, username, user}. */
export async function signup(srv, { email = uniqEmail(), password = `pw-${rand(16)}`, username, profile, app } = {}) {
  const json = { email, password };
  if (username) json.username = username;
  if (profile) json.profile = profile;
  const res = await srv.api('POST', '/api/signup', { json, app });
  assertStatus(res, 201);
  return { email, password, username: username ?? null, user: res.body };
}

export async function login(srv, ident, password, { app, headers } = {}) {
  const json = { ...(typeof ident === 'string' ? { login: ident } : ident), password };
  const res = await srv.api('POST', '/api/login', { json, app, headers });
  assertStatus(res, 200);
  return res.body;
}

/** Signs up and logs in: {email, password, user, tokens}. */
export async function newSession(srv, opts = {}) {
  const u = await signup(srv, opts);
  const tokens = await login(srv, { email: u.email }, u.password, opts);
  return { ...u, tokens };
}

// ---------- JWT ----------
export function b64urlJson(seg) {
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
}
export function decodeJwt(token) {
  const [h, p, s] = token.split('.');
  return { header: b64urlJson(h), claims: b64urlJson(p), signature: Buffer.from(s ?? '', 'base64url'), parts: [h, p, s] };
}
export function encodeJwt(header, claims, signature = '') {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc(header)}.${enc(claims)}.${signature}`;
}
export function verifyEs256(token, jwk) {
  const [h, p, s] = token.split('.');
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  return crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'));
}

// ---------- raw sockets ----------
/**
 * Sends raw bytes on a fresh TCP connection and collects what comes back until the server closes
 * the connection, `untilMs` passes, or (if `stopAtResponse`) one full header block arrives.
 * Resolves {data, closed, error, ms}.
 */
export function rawExchange(port, payload, { untilMs = 5000, stopAtResponse = true } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = (extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data, ms: Date.now() - t0, ...extra });
    };
    const timer = setTimeout(() => finish({ closed: false }), untilMs);
    sock.on('connect', () => { if (payload) sock.write(payload); });
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (stopAtResponse && /\r\n\r\n/.test(data)) {
        const m = /content-length:\s*(\d+)/i.exec(data);
        const bodyStart = data.indexOf('\r\n\r\n') + 4;
        if (!m || data.length - bodyStart >= Number(m[1])) finish({ closed: false });
      }
    });
    sock.on('end', () => finish({ closed: true }));
    sock.on('close', () => finish({ closed: true }));
    sock.on('error', (e) => finish({ closed: true, error: e.code || String(e) }));
  });
}

// ---------- test wrapper that dumps server output on failure ----------
function withLogs(err) {
  const dump = [...allServers].filter((s) => s.out).map((s) =>
    `\n----- ${s.label} output (tail) -----\n${s.tail(5000)}`).join('');
  if (!dump || !(err instanceof Error)) return err;
  try {
    const stack = err.stack; // formats the stack with the original message first
    err.stack = `${stack}${dump}`;
  } catch { /* read-only */ }
  return err;
}

function wrap(fn) {
  if (typeof fn !== 'function') return fn;
  return async function wrapped(t) {
    try {
      return await fn.call(this, t);
    } catch (e) {
      throw withLogs(e);
    }
  };
}

/** node:test `test`, but failures carry the tail of every server's output. */
export function test(name, opts, fn) {
  if (typeof opts === 'function') return nodeTest(name, wrap(opts));
  return nodeTest(name, opts, wrap(fn));
}
export { describe, before, after } from 'node:test';


/** A raw HTTP/1.1 client connection for keep-alive / pipelining / limit tests. */
export class RawConn {
  constructor(port) {
    this.buf = Buffer.alloc(0);
    this.closed = false;
    this.waiters = [];
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this._wake(); });
    this.sock.on('close', () => { this.closed = true; this._wake(); });
    this.sock.on('error', (e) => { this.error = e.code || String(e); this.closed = true; this._wake(); });
    this.ready = once(this.sock, 'connect');
  }
  _wake() { const w = this.waiters; this.waiters = []; for (const f of w) f(); }
  async send(s) { await this.ready; this.sock.write(s); }
  /** Next response {status, headers, body} or null if the connection closed first. */
  async readResponse(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this._parse();
      if (r) return r;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms; got ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
      await Promise.race([new Promise((res) => this.waiters.push(res)), sleep(Math.min(left, 200))]);
    }
  }
  _parse() {
    const s = this.buf.toString('latin1');
    const end = s.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const lines = s.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let body;
    let consumed;
    if (/chunked/i.test(headers['transfer-encoding'] || '')) {
      let pos = end + 4;
      body = '';
      for (;;) {
        const lineEnd = s.indexOf('\r\n', pos);
        if (lineEnd < 0) return null;
        const size = parseInt(s.slice(pos, lineEnd), 16);
        if (Number.isNaN(size)) throw new Error(`bad chunk size in ${JSON.stringify(s.slice(pos, pos + 20))}`);
        if (s.length < lineEnd + 2 + size + 2) return null;
        if (size === 0) { consumed = lineEnd + 4; break; }
        body += s.slice(lineEnd + 2, lineEnd + 2 + size);
        pos = lineEnd + 2 + size + 2;
      }
    } else {
      const bodyLen = Number(headers['content-length'] || 0);
      if (s.length - (end + 4) < bodyLen) return null;
      consumed = end + 4 + bodyLen;
      body = s.slice(end + 4, consumed);
    }
    this.buf = this.buf.subarray(consumed); // latin1: one byte per char
    return { status, headers, body, statusLine: lines[0] };
  }
  async waitClosed(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await Promise.race([new Promise((res) => this.waiters.push(res)), sleep(Math.min(200, deadline - Date.now()))]);
    }
    return this.closed;
  }
  destroy() { this.sock.destroy(); }
}
