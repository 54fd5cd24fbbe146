// A real cluster for the e2e tests (scripts/cluster.sh): a PostgreSQL primary and a streaming
// hot standby, Tessera nodes on a multi-host URL, haproxy in front. Used by
// cluster_long.test.mjs (make test-cluster).
//
//   const c = await new Cluster({ nodeArgs: [...], sync: true }).up();
//   c.lb.api('POST', '/api/signup', { json }); c.nodes[1].req('GET', '/readyz');
//   await c.op('stop-db', 'primary'); await c.op('promote'); await c.op('kill-node', 2);
//   c.pid(2); c.logTail(2); await c.down();
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request, REPO_ROOT, TESSERA_BIN, FAST_ARGON2, rand, sleep } from './server.mjs';

const run = promisify(execFile);
export const CLUSTER_SH = path.join(REPO_ROOT, 'scripts', 'cluster.sh');
export const haveHaproxy = fs.existsSync('/usr/sbin/haproxy') || fs.existsSync('/usr/bin/haproxy');

/** Requests to one base URL: api() under /apps/{app}, req() under the root. */
export function endpoint(base, name = base) {
  return {
    base,
    name,
    api: (method, p, opts = {}) => request(method, `${base}/apps/${opts.app || 'default'}${p}`, opts),
    req: (method, p, opts = {}) => request(method, base + p, opts),
  };
}

/** A request that never throws: a network error or timeout is status 0. Adds start/end (ms epoch). */
export async function attempt(fn) {
  const start = Date.now();
  try {
    const res = await fn();
    return { ...res, start, end: Date.now() };
  } catch (e) {
    return { status: 0, text: String(e?.cause?.code || e?.name || e), start, end: Date.now(), ms: Date.now() - start };
  }
}

function readEnv(dir) {
  const env = {};
  for (const line of fs.readFileSync(path.join(dir, 'cluster.env'), 'utf8').split('\n')) {
    const m = line.match(/^(\w+)='?(.*?)'?$/);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

export class Cluster {
  /**
   * nodeArgs: extra `serve` arguments (default: the fast argon2 settings); sync: SYNC_STANDBY=1;
   * bin: the nodes' binary (another version's, for an upgrade).
   */
  constructor({ nodeArgs = FAST_ARGON2, sync = false, nodes = 3, label = 'cluster', bin = TESSERA_BIN } = {}) {
    this.bin = bin;
    this.nodeArgs = nodeArgs;
    this.sync = sync;
    this.count = nodes;
    this.label = label;
  }

  async op(command, ...args) {
    const { stdout } = await run('bash', [CLUSTER_SH, command, this.dir, ...args.map(String)], {
      env: {
        ...process.env,
        TESSERA_BIN: this.bin,
        NODES: String(this.count),
        NODE_ARGS: this.nodeArgs.join(' '),
        SYNC_STANDBY: this.sync ? '1' : '0',
      },
      timeout: 180_000,
    });
    return stdout.trim();
  }

  async up() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-${this.label}-`));
    fs.chmodSync(this.dir, 0o755);
    try {
      await this.op('up');
    } catch (e) {
      const logs = this.logs();
      await this.down();
      throw new Error(`cluster.sh up failed: ${e.stderr || e.message}\n${logs}`);
    }
    this.env = readEnv(this.dir);
    this.lb = endpoint(this.env.LB_URL, 'balancer');
    this.nodes = this.env.NODE_PORTS.split(' ').map((p, i) => endpoint(`http://127.0.0.1:${p}`, `node ${i + 1}`));
    return this;
  }

  async down() {
    if (!this.dir) return;
    await this.op('down').catch(() => {});
    if (!process.env.TESSERA_E2E_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
    else console.error(`kept the cluster's directory: ${this.dir}`);
    this.dir = null;
  }

  /**
   * Puts back what a test took away, after a failure midway: starts every node that is not
   * running and, unless the standby was promoted, the primary if it is down.
   */
  async heal() {
    if (!this.dir) return;
    if (!this.promoted && !fs.existsSync(path.join(this.dir, 'primary', 'postmaster.pid'))) {
      await this.op('start-db', 'primary').catch(() => {});
    }
    for (let n = 1; n <= this.count; n++) {
      if (!this.alive(n)) await this.op('start-node', n).catch(() => {});
    }
  }

  /** One SQL statement on the primary (psql; the cluster trusts local connections). */
  async primarySql(sql) {
    const { stdout } = await run('psql', [this.env.PRIMARY_URL, '-qAtc', sql], { timeout: 10_000 });
    return stdout.trim();
  }

  /** Waits (up to ms) until the standby streams from the primary and has replayed all it wrote. */
  async standbyCaughtUp(ms = 30_000) {
    return until(() => this.primarySql("SELECT state = 'streaming' AND replay_lsn >= pg_current_wal_lsn()"
      + " FROM pg_stat_replication WHERE application_name = 'standby'").then((v) => v === 't', () => false), ms, 200);
  }

  /** Node n's (1-based) process id, from its pid file. */
  pid(n) { return Number(fs.readFileSync(path.join(this.dir, `node${n}.pid`), 'utf8').trim()); }

  /** Whether the process of node n (1-based) still runs. */
  alive(n) {
    try {
      process.kill(this.pid(n), 0);
      return true;
    } catch {
      return false;
    }
  }

  logTail(name, bytes = 4000) {
    try {
      const text = fs.readFileSync(path.join(this.dir, `${name}.log`), 'utf8');
      return text.length > bytes ? '…' + text.slice(-bytes) : text;
    } catch {
      return '(no log)';
    }
  }

  /** The tails of every node's and both databases' logs (for a failing test's message). */
  logs() {
    if (!this.dir) return '';
    const names = [...Array.from({ length: this.count }, (_, i) => `node${i + 1}`), 'primary', 'standby'];
    return names.map((n) => `\n----- ${this.label}: ${n}.log (tail) -----\n${this.logTail(n, 2500)}`).join('');
  }

  /** One sample of a node's /metrics (`series`: the full name with labels), as a number. */
  async metric(n, series) {
    const res = await this.nodes[n - 1].req('GET', '/metrics', { timeoutMs: 10_000 });
    const line = res.text.split('\n').find((l) => l.startsWith(series + ' '));
    if (!line) throw new Error(`no ${series} in node ${n}'s /metrics`);
    return Number(line.slice(series.length + 1));
  }
}

/** Runs fn; a failure's message gets the cluster's logs, and the cluster is healed for the next test. */
export async function withLogs(cluster, fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Error) {
      try { e.message += cluster.logs(); } catch { /* read-only */ }
    }
    await cluster.heal();
    throw e;
  }
}

let ipSeq = 0;
const ipBase = Math.floor(Math.random() * 200) + 20;
/** A client address of its own for each call (10.x.y.z), for X-Forwarded-For. */
export function newClientIp() {
  ipSeq++;
  return `10.${ipBase}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
}

/** Headers claiming client `ip` (the balancer appends its own hop; nodes trust 127.0.0.1). */
export const from = (ip) => ({ 'x-forwarded-for': ip });

export const uniq = (tag) => `${tag}-${rand(12)}@example.com`;

/** Runs `fn(item)` over `items`, `concurrency` at a time; resolves the results in order. */
export async function pool(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

/** Polls `fn` until it returns truthy or `ms` pass; returns the value or undefined. */
export async function until(fn, ms, every = 100) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(every);
  }
}
