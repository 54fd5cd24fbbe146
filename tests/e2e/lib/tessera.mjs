// The Tessera server process for the e2e tests (see server.mjs for how to run them).
//
// startServer(opts) spawns `tessera serve` on a free port with a fresh temp data dir, waits for
// GET /readyz, and returns a TesseraServer. Output (stdout + stderr) is captured; the `test`
// exported here wraps node:test's and appends the output of every server started by this test
// file to a failing test's error.
//
// No TESSERA_* variable of the caller reaches the server. On PostgreSQL every server (test
// file) gets its own app with a random slug, and all of them share one master key file in the
// temp dir, because the sealed signing keys live in the shared database. A server started with
// `isolatedSchema: true` gets a schema of its own instead (created with psql, dropped on
// close): needed where nodes sharing the database would interfere, e.g. the mail outbox and
// the HTTP deliveries (back-channel logout tokens),
// which every node's worker sends from whatever app queued it.
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import nodeTest from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from './http.mjs';
import { sleep, deadline, rand } from './util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The status of one GET on a connection of its own that closes afterwards: the readiness
 * probe leaves no keep-alive connection behind for tests that count connections. */
function probeStatus(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
    req.on('error', reject);
  });
}
export const REPO_ROOT = path.resolve(here, '../../..');
export const TESSERA_BIN = process.env.TESSERA_BIN || path.join(REPO_ROOT, 'build', 'tessera');
export const PG_URL = process.env.TESSERA_TEST_POSTGRES_URL || '';
export const FAST_ARGON2 = ['--argon2-memory-kib', '8192', '--argon2-iterations', '1'];
const READY_TIMEOUT_MS = 20_000;
const OUTPUT_LIMIT = 256 * 1024;

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
    // Fake upstream sign-in providers (lib/github_upstream.mjs) listen on 127.0.0.1, which the
    // server by default refuses to connect to (its SSRF guard: upstream requests only to
    // public addresses). Every test server allows it: this harness runs on loopback only —
    // except one started with `allowPrivateUpstreams: false`, which keeps the server's default
    // (federation_private_hosts.test.mjs proves the guard). The same for deliveries to
    // relying parties (back-channel logout receivers on loopback).
    if (o.allowPrivateUpstreams !== false) {
      args.push('--federation-allow-private-hosts', '--outbound-allow-private-hosts');
    }
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
    // opts.ulimitNofile: the server runs under that descriptor limit (bash's ulimit, then exec:
    // the process keeps bash's pid).
    const [cmd, argv] = this.opts.ulimitNofile
      ? ['bash', ['-c', `ulimit -n ${Number(this.opts.ulimitNofile)} && exec "$0" "$@"`, TESSERA_BIN, ...this.serveArgs()]]
      : [TESSERA_BIN, this.serveArgs()];
    const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
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
        const status = await probeStatus(`${this.baseUrl}/readyz`, 1000);
        last = `status ${status}`;
        if (status === 200) return;
      } catch (e) {
        last = String(e.code || e.cause?.code || e.message);
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

  /**
   * Runs `tessera <args>` with this server's database options (e.g. ['import', 'django', …]),
   * optionally feeding `stdin`; resolves {code, stdout, stderr} whatever the exit code.
   */
  async command(args, { stdin, timeoutMs = 60_000 } = {}) {
    const full = [...args, '--data-dir', this.dataDir];
    if (this.port) full.push('--public-url', this.baseUrl);
    if (this.databaseUrl) full.push('--database-url', this.databaseUrl);
    if (this.masterKeyFile) full.push('--master-key-file', this.masterKeyFile);
    const out = await new Promise((resolve) => {
      const child = execFile(TESSERA_BIN, full, { timeout: timeoutMs, env: childEnv(), maxBuffer: 64 << 20 },
        (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? (err.code ?? 'error') : 0 }));
      if (stdin !== undefined) child.stdin.end(stdin);
    });
    this._log(`\n=== [${this.label}] ${full.join(' ')} → ${out.code}\n${out.stdout}${out.stderr}`);
    return out;
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
export function withSearchPath(url, schema) {
  return `${url}${url.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`;
}

/** Runs one SQL statement with psql (Debian's postgresql-client). */
export function psql(url, sql) {
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
