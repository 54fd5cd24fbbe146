// The longer cluster suite (issue 17; `make test-cluster`, about four minutes): real clusters
// from scripts/cluster.sh (a PostgreSQL primary and a streaming hot standby, three Tessera
// nodes on a libpq multi-host URL, haproxy checking /readyz), driven from outside, through the
// balancer or straight to a node:
//   - sign-in throttling and the mail limits are global: the same count through the balancer
//     as on one node, per account / address and per client IP (X-Forwarded-For);
//   - the outbox sends each mail once with three live nodes, and at most once more for a node
//     killed mid-send;
//   - a database restart under load: quick 503s, no crash, every node back on its own (and a
//     test for the bug it found, now fixed: a pooled connection left idle through the restart
//     failed its next request);
//   - failover to the standby, synchronous (its own cluster) and asynchronous: the seconds of
//     unavailability, no acknowledged sign-up lost, refresh chains still rotate;
//   - what each replication mode costs: a synchronous primary acknowledges nothing while its
//     standby is down; an asynchronous one loses, in a failover, what it acknowledged while
//     its standby was away (a one-node cluster of its own);
//   - hash shedding through the balancer at the real argon2id cost (a cluster of its own).
// Skipped unless TESSERA_CLUSTER_LONG=1, so `node --test tests/e2e/` (make test) passes over it.
// The measured seconds are printed as test diagnostics (`# …` lines); docs/scaling.md keeps them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  test, describe, before, after, assertStatus, show, rand, sleep, FAST_ARGON2,
} from './lib/server.mjs';
import { SmtpServer } from './lib/smtp.mjs';
import { skipWithoutSmtp, SUBJECT } from './lib/mailflow.mjs';
import {
  Cluster, haveHaproxy, attempt, withLogs, newClientIp, from, uniq, pool, until,
} from './lib/cluster.mjs';

const skip = process.env.TESSERA_CLUSTER_LONG !== '1'
  ? 'the long cluster suite runs with TESSERA_CLUSTER_LONG=1 (make test-cluster)'
  : !haveHaproxy ? 'haproxy is not installed (scripts/setup.sh)' : skipWithoutSmtp;

// What the nodes must do within, with room for a CI machine twice as slow as a developer's.
const QUICK_MS = 5_000;          // an answer while the database is away
const RECOVER_S = 30;            // a node serving again after the database is back
const WRONG = 'not the password at all';
// The defaults the nodes run with (nothing in NODE_ARGS changes them):
// LoginThrottleOptions in src/accounts/login_throttle.h …
const MAX_FAILURES_PER_ACCOUNT = 10;
const MAX_FAILURES_PER_IP = 100;
// … and MailRateOptions in src/email_flows/mail_rate_limiter.h (per hour).
const MAILS_PER_ADDRESS = 5;
const MAILS_PER_IP = 30;

const ok = (s) => s === 200 || s === 201;
const secs = (ms) => (ms / 1000).toFixed(1);

async function signupAndLogin(ep) {
  const email = uniq('long');
  const password = `pw-${rand(16)}`;
  const headers = from(newClientIp());
  assertStatus(await ep.api('POST', '/api/signup', { json: { email, password }, headers }), 201);
  const res = await ep.api('POST', '/api/login', { json: { email, password }, headers });
  assertStatus(res, 200);
  return { email, password, tokens: res.body };
}

/**
 * Sign-up and refresh load through the balancer, every answer kept ({kind, status, start, end}).
 * A sign-up answered 201 is acknowledged (`created`). A refresh chain takes the new token on 200;
 * after a failure (status 0 or 5xx) it tries again with the same token. A 401 then means that
 * the failed request had rotated the token after all (its answer lost the new one, so the retry
 * was a reuse and ended the family): the chain stops there (`spent`, with that failure). A 401
 * with no failure before it, or any other answer, is `unexpected`.
 */
class Load {
  constructor(ep, chains, { signupLoops = 2 } = {}) {
    this.ep = ep;
    this.chains = chains.map((u) => ({ current: u.tokens.refresh_token, rotations: 0 }));
    this.signupLoops = signupLoops;
    this.results = [];
    this.created = [];
    this.unexpected = [];
    this.stopped = false;
  }

  start() {
    this.running = Promise.all([
      ...Array.from({ length: this.signupLoops }, () => this.signups()),
      ...this.chains.map((c) => this.rotate(c)),
    ]);
    return this;
  }

  async stop() {
    this.stopped = true;
    await this.running;
  }

  async signups() {
    while (!this.stopped) {
      const json = { email: uniq('load'), password: `pw-${rand(16)}` };
      const res = await attempt(() => this.ep.api('POST', '/api/signup',
        { json, headers: from(newClientIp()), timeoutMs: 30_000 }));
      this.results.push({ kind: 'signup', status: res.status, start: res.start, end: res.end });
      if (res.status === 201) this.created.push(json);
      else {
        if (res.status !== 0 && res.status < 500) this.unexpected.push(`signup ${res.status} ${res.text.slice(0, 160)}`);
        await sleep(100);  // haproxy's own 503 comes at once: no busy loop
      }
    }
  }

  async rotate(c) {
    while (!this.stopped) {
      const res = await attempt(() => this.ep.api('POST', '/api/token/refresh',
        { json: { refresh_token: c.current }, timeoutMs: 30_000 }));
      this.results.push({ kind: 'refresh', status: res.status, start: res.start, end: res.end });
      if (res.status === 200) {
        c.current = res.body.refresh_token;
        c.rotations++;
        c.firstFailure = null;
      } else if (res.status === 0 || res.status >= 500) {
        c.firstFailure ??= { status: res.status, text: String(res.text).slice(0, 160), start: res.start, end: res.end };
        await sleep(100);
      } else if (res.status === 401 && c.firstFailure) {
        c.spent = c.firstFailure;
        return;
      } else {
        this.unexpected.push(`refresh ${res.status} ${res.text.slice(0, 160)}`);
        return;
      }
    }
  }

  /** The first failed answer at or after `t`, and the first success sent after it: the outage. */
  outage(t) {
    const byEnd = [...this.results].sort((a, b) => a.end - b.end);
    const firstFail = byEnd.find((r) => r.end >= t && !ok(r.status));
    if (!firstFail) return null;
    const back = byEnd.find((r) => r.start >= firstFail.end && ok(r.status));
    return { firstFail, back, seconds: back ? (back.end - firstFail.end) / 1000 : null };
  }

  /**
   * The chains that met a 401 after failures: `inFlight` when the first failure was sent before
   * the database was known down (`cutoff`): it was in flight when the database went, and its
   * commit may have happened with the answer lost (no server can tell that client which way
   * it went); `later` when it was sent after (the token was lost with the data, or a node
   * answered 5xx for a rotation it had made).
   */
  spent(cutoff) {
    const line = (c) => `its first failed refresh, sent ${c.spent.start - cutoff} ms from the database being down, `
      + `answered ${c.spent.status} after ${c.spent.end - c.spent.start} ms (${c.spent.text}); a retry then got 401`;
    const all = this.chains.filter((c) => c.spent);
    return {
      inFlight: all.filter((c) => c.spent.start < cutoff).map(line),
      later: all.filter((c) => c.spent.start >= cutoff).map(line),
    };
  }
}

/**
 * Every acknowledged sign-up signs in (through the balancer): the addresses that do not. A 5xx
 * is asked again (a sign-in changes nothing that a retry could trip over); only a refusal
 * counts as lost.
 */
async function missingAccounts(ep, created) {
  const results = await pool(created, 4, async (u) => {
    let res;
    for (let i = 0; i < 5; i++) {
      res = await attempt(() => ep.api('POST', '/api/login',
        { json: u, headers: from(newClientIp()), timeoutMs: 30_000 }));
      if (res.status !== 0 && res.status < 500) break;
      await sleep(200);
    }
    return res.status === 200 ? null : `${u.email}: ${res.status} ${String(res.text).slice(0, 120)}`;
  });
  return results.filter(Boolean);
}

/** Each node's seconds from `since` to its first 201 to a sign-up sent straight to it. */
async function nodesRecovery(c, since, created, limitS = 90) {
  return Promise.all(c.nodes.map(async (n) => {
    const okRes = await until(async () => {
      const json = { email: uniq('back'), password: `pw-${rand(16)}` };
      const res = await attempt(() => n.api('POST', '/api/signup',
        { json, headers: from(newClientIp()), timeoutMs: 30_000 }));
      if (res.status === 201) created.push(json);
      return res.status === 201 ? res : null;
    }, limitS * 1000, 200);
    return okRes ? (okRes.end - since) / 1000 : null;
  }));
}

/**
 * More requests at once than a node has pooled connections (8), on every node, answers
 * ignored. After the database came back, a pooled connection that sat idle meanwhile fails
 * its next request once (the bug the todo test below shows); the checks after a recovery run
 * after this, so that they ask the database and not a dead connection.
 */
async function flushPools(c) {
  await Promise.all(c.nodes.map((n) => Promise.all(Array.from({ length: 24 }, () =>
    attempt(() => n.req('GET', '/readyz', { timeoutMs: 30_000 }))))));
}

/**
 * Refresh chains that stand still while the database goes away, each rotated once (and
 * answered) right before: afterwards each must rotate on, on every node in turn.
 */
async function quietChains(ep, n) {
  const chains = [];
  for (let i = 0; i < n; i++) {
    const u = await signupAndLogin(ep);
    const res = await ep.api('POST', '/api/token/refresh', { json: { refresh_token: u.tokens.refresh_token } });
    assertStatus(res, 200);
    chains.push({ email: u.email, current: res.body.refresh_token });
  }
  return chains;
}

/** The quiet chains (and the load's chains not spent) rotate on: the ones that do not. */
async function chainsNotRotating(c, quiet, load) {
  const out = [];
  const tokens = [...quiet.map((q) => ['quiet', q.current]), ...load.chains.filter((x) => !x.spent).map((x) => ['loaded', x.current])];
  for (const [i, [kind, token]] of tokens.entries()) {
    const res = await c.nodes[i % c.nodes.length].api('POST', '/api/token/refresh', { json: { refresh_token: token } });
    if (res.status !== 200) out.push(`${kind} chain ${i} on node ${(i % c.nodes.length) + 1}: ${res.status} ${res.text.slice(0, 120)}`);
  }
  return out;
}

/** Stops the primary under load, promotes the standby; returns what was measured. */
/** Four quiet chains (rotated only afterwards) and sign-up + refresh load on four chains, running for 1.5 s. */
async function startLoad(c) {
  const quiet = await quietChains(c.lb, 4);
  const chains = [];
  for (let i = 0; i < 4; i++) chains.push(await signupAndLogin(c.lb));
  const load = new Load(c.lb, chains).start();
  await sleep(1500);
  return { quiet, load };
}

async function failover(t, c) {
  const pids = c.nodes.map((_, i) => c.pid(i + 1));
  // Not right after a restart of the primary: the standby reconnects every 5 s
  // (wal_retrieve_retry_interval), and until then an asynchronous primary acknowledges what
  // the standby never gets (the last test shows what that costs).
  assert.ok(await c.standbyCaughtUp(), 'the standby streams from the primary');
  const { quiet, load } = await startLoad(c);
  const stopAsked = Date.now();
  c.promoted = true;  // from here on the old primary stays down
  await c.op('stop-db', 'primary');
  const cutoff = Date.now();
  await c.op('promote');
  const promoted = Date.now();
  const recovery = await nodesRecovery(c, promoted, load.created);
  await sleep(1500);
  await load.stop();
  const outage = load.outage(stopAsked);
  await flushPools(c);
  const missing = await missingAccounts(c.lb, load.created);
  const notRotating = await chainsNotRotating(c, quiet, load);
  const spent = load.spent(cutoff);
  t.diagnostic(`stop-db took ${secs(cutoff - stopAsked)} s, promote ${secs(promoted - cutoff)} s`);
  t.diagnostic(`each node's first 201 after the promotion: ${recovery.map((s) => `${s} s`).join(', ')}`);
  t.diagnostic(`through the balancer: ${outage?.seconds ?? '?'} s from the first failed answer to the first success`);
  t.diagnostic(`${load.created.length} sign-ups acknowledged, ${missing.length} of them lost; `
    + `${load.chains.reduce((n, x) => n + x.rotations, 0)} rotations; chains that do not rotate on: ${notRotating.length}`);
  for (const l of [...spent.inFlight, ...spent.later]) t.diagnostic(`loaded chain: ${l}`);
  assert.deepEqual(load.unexpected, []);
  for (const [i, s] of recovery.entries()) {
    assert.ok(s !== null && s <= RECOVER_S, `node ${i + 1} serves again ${s} s after the promotion`);
  }
  assert.ok(outage?.back, 'the balancer served again');
  for (const [i, pid] of pids.entries()) {
    assert.equal(c.pid(i + 1), pid);
    assert.ok(c.alive(i + 1), `node ${i + 1} (pid ${pid}) is still running`);
  }
  return { load, missing, notRotating, spent };
}

describe('the long cluster suite: limits, mail, database restart, failover', { skip }, () => {
  let smtp;
  let c;
  before(async () => {
    smtp = await new SmtpServer({ label: 'smtp-cluster' }).start();
    c = await new Cluster({
      label: 'cluster-long',
      // A failed send (the paused SMTP server of the mail test timing out) is retried after
      // seconds, not the default 30 s.
      nodeArgs: [...FAST_ARGON2, '--smtp-url', smtp.url, '--smtp-starttls', 'never', '--mail-retry-base', '1'],
    }).up();
  });
  after(async () => {
    await c?.down();
    await smtp?.close();
  });

  /** Sends until the first 429; every earlier answer must be `okStatus`. Returns {count, refused}. */
  async function untilRefused(send, okStatus, max) {
    for (let i = 0; i <= max; i++) {
      const res = await send(i);
      if (res.status === 429) return { count: i, refused: res };
      assert.equal(res.status, okStatus, `answer ${i + 1}: ${show(res)}`);
    }
    return { count: Infinity };
  }

  test('sign-in throttling per account: the same count through the balancer, or spread over every node, as on one node', { timeout: 120_000 }, (t) => withLogs(c, async () => {
    const login = (ep, u, password, ip) => ep.api('POST', '/api/login', { json: { email: u.email, password }, headers: from(ip) });
    const failed = () => Promise.all(c.nodes.map((_, i) => c.metric(i + 1, 'tessera_logins_total{result="failed"}')));
    const one = await signupAndLogin(c.nodes[0]);
    const oneIp = newClientIp();
    const onOne = await untilRefused(() => login(c.nodes[0], one, WRONG, oneIp), 401, 3 * MAX_FAILURES_PER_ACCOUNT);

    const viaLb = await signupAndLogin(c.lb);
    const lbIp = newClientIp();
    const before0 = await failed();
    const throughLb = await untilRefused(() => login(c.lb, viaLb, WRONG, lbIp), 401, 3 * MAX_FAILURES_PER_ACCOUNT);
    const perNode = (await failed()).map((v, i) => v - before0[i]);

    const spread = await signupAndLogin(c.lb);
    const spreadIp = newClientIp();
    const roundRobin = await untilRefused((i) => login(c.nodes[i % c.nodes.length], spread, WRONG, spreadIp), 401, 3 * MAX_FAILURES_PER_ACCOUNT);
    t.diagnostic(`failures before 429: one node ${onOne.count}, balancer ${throughLb.count} (per node ${perNode.join('/')}), round robin ${roundRobin.count}`);

    assert.equal(onOne.count, MAX_FAILURES_PER_ACCOUNT, 'on one node');
    assert.equal(throughLb.count, onOne.count, 'through the balancer');
    assert.equal(roundRobin.count, onOne.count, 'spread over the nodes in turn');
    // The balancer did spread them: every node counted some of them as failed sign-ins.
    assert.ok(perNode.every((n) => n >= 1), `failed sign-ins per node: ${perNode}`);
    assert.ok(Number(throughLb.refused.headers.get('retry-after')) > 0, show(throughLb.refused));
    // The account is closed on every node, even to its right password (and from another address).
    for (const [i, n] of c.nodes.entries()) {
      const res = await login(n, viaLb, viaLb.password, newClientIp());
      assert.equal(res.status, 429, `node ${i + 1}, the right password: ${show(res)}`);
    }
  }));

  test('sign-in throttling per client IP: the balancer\'s X-Forwarded-For gives each client its own budget, counted across nodes', { timeout: 180_000 }, (t) => withLogs(c, async () => {
    const victim = await signupAndLogin(c.lb);
    const flooder = newClientIp();
    // Wrong passwords for ever new addresses (no account budget runs out), one at a time so
    // the count is exact (the check comes before the hash: concurrent guesses may overshoot).
    const flood = await untilRefused(() => c.lb.api('POST', '/api/login',
      { json: { email: uniq('guess'), password: WRONG }, headers: from(flooder) }), 401, 2 * MAX_FAILURES_PER_IP);
    t.diagnostic(`wrong passwords from one client address before 429: ${flood.count}`);
    assert.equal(flood.count, MAX_FAILURES_PER_IP);
    const right = { email: victim.email, password: victim.password };
    const fromFlooder = await c.lb.api('POST', '/api/login', { json: right, headers: from(flooder) });
    assert.equal(fromFlooder.status, 429, `the flooding address, a right password: ${show(fromFlooder)}`);
    // Every node refuses that address; another client behind the same balancer signs in.
    for (const [i, n] of c.nodes.entries()) {
      const res = await n.api('POST', '/api/login', { json: { email: uniq('guess'), password: WRONG }, headers: from(flooder) });
      assert.equal(res.status, 429, `node ${i + 1}: ${show(res)}`);
    }
    const other = await c.lb.api('POST', '/api/login', { json: right, headers: from(newClientIp()) });
    assert.equal(other.status, 200, `another client address: ${show(other)}`);
  }));

  test('mail limits: per address and per client IP, the same through the balancer as on one node', { timeout: 120_000 }, (t) => withLogs(c, async () => {
    // A sign-up mails its verification link (one of the address's budget); then resets.
    const perAddress = async (ep) => {
      const u = { email: uniq('mailcap'), password: `pw-${rand(16)}` };
      assertStatus(await ep.api('POST', '/api/signup', { json: u, headers: from(newClientIp()) }), 201);
      const statuses = [];
      for (let i = 0; i < MAILS_PER_ADDRESS + 2; i++) {
        const res = await ep.api('POST', '/api/password/forgot', { json: { email: u.email }, headers: from(newClientIp()) });
        statuses.push(res.status);
        if (res.status === 429) assert.ok(Number(res.headers.get('retry-after')) > 0, show(res));
      }
      return { ...u, statuses };
    };
    const one = await perAddress(c.nodes[0]);
    const viaLb = await perAddress(c.lb);
    t.diagnostic(`forgot-password answers for one address: one node ${one.statuses}, balancer ${viaLb.statuses}`);
    const expected = [...Array(MAILS_PER_ADDRESS - 1).fill(202), 429, 429, 429];
    assert.deepEqual(one.statuses, expected);
    assert.deepEqual(viaLb.statuses, one.statuses);
    // What the mailbox got: the budget exactly (verification + resets), not one per node.
    for (const u of [one, viaLb]) {
      await smtp.waitForCount(MAILS_PER_ADDRESS, { to: u.email }, 30_000);
    }
    // Per client IP: unknown addresses (counted all the same, and nothing is sent to them).
    const spammer = newClientIp();
    const spray = await untilRefused(() => c.lb.api('POST', '/api/password/forgot',
      { json: { email: uniq('nobody') }, headers: from(spammer) }), 202, 2 * MAILS_PER_IP);
    t.diagnostic(`forgot-password requests from one client address before 429: ${spray.count}`);
    assert.equal(spray.count, MAILS_PER_IP);
    for (const [i, n] of c.nodes.entries()) {
      const res = await n.api('POST', '/api/password/forgot', { json: { email: uniq('nobody') }, headers: from(spammer) });
      assert.equal(res.status, 429, `node ${i + 1}: ${show(res)}`);
    }
    const other = await c.lb.api('POST', '/api/password/forgot', { json: { email: uniq('nobody') }, headers: from(newClientIp()) });
    assert.equal(other.status, 202, `another client address: ${show(other)}`);
    await sleep(2500);  // one more poll of every node's worker: nothing beyond the budget comes
    for (const u of [one, viaLb]) {
      assert.equal(smtp.find({ to: u.email }).length, MAILS_PER_ADDRESS, `mails to ${u.email}`);
    }
  }));

  // The outbox (src/mail/mail_worker.h): each node's worker leases up to 16 due mails at once
  // (one UPDATE … RETURNING: a row is leased by one node only) for 60 s, then sends them one
  // after another, marking each sent right after the SMTP server took it. Two live nodes
  // therefore never send the same mail. A node killed mid-send leaves its leased mails to come
  // due when the lease ends (then another node sends them, same Message-ID); of those, only the
  // one it was sending can have reached the SMTP server already (its DATA accepted, the kill
  // before MarkMailSent): at most one duplicate per killed node — at least once, not exactly
  // once.
  test('mail: three live nodes send every mail once; a node killed mid-send adds at most one duplicate, and its leased mails come after the lease', { timeout: 300_000 }, (t) => withLogs(c, async () => {
    const sent = (n) => c.metric(n, 'tessera_mail_sent_total');
    const unsentEverywhere = async () => {
      for (let n = 1; n <= c.nodes.length; n++) if (await c.metric(n, 'tessera_mail_outbox_unsent') !== 0) return false;
      return true;
    };
    assert.ok(await until(unsentEverywhere, 60_000, 500), 'the earlier tests\' mail is out');
    const signups = (addresses) => pool(addresses, 4, async (email) => {
      const res = await c.lb.api('POST', '/api/signup',
        { json: { email, password: `pw-${rand(16)}` }, headers: from(newClientIp()), timeoutMs: 30_000 });
      assertStatus(res, 201);
    });
    const received = (re) => smtp.messages().filter((m) => m.envelopeTo.some((a) => re.test(a)));

    // 1. Three live nodes drain 60 mails together.
    const tag1 = `live-${rand(8)}`;
    const re1 = new RegExp(`^${tag1}-`);
    const live = Array.from({ length: 60 }, (_, i) => `${tag1}-${i}@example.com`);
    const before1 = await Promise.all([1, 2, 3].map(sent));
    await signups(live);
    assert.ok(await until(() => received(re1).length >= live.length, 60_000, 200),
      `only ${received(re1).length} of ${live.length} mails arrived`);
    assert.ok(await until(unsentEverywhere, 30_000, 500), 'the outbox is empty again');
    await sleep(2500);  // one more poll of every worker
    const mails1 = received(re1);
    const perNode1 = (await Promise.all([1, 2, 3].map(sent))).map((v, i) => v - before1[i]);
    t.diagnostic(`live nodes: ${mails1.length} mails for ${live.length} sign-ups, sent per node ${perNode1.join('/')}`);
    assert.equal(mails1.length, live.length, 'no mail twice with every node alive');
    assert.equal(new Set(mails1.map((m) => m.messageId)).size, live.length);
    assert.deepEqual(new Set(mails1.map((m) => m.envelopeTo[0])), new Set(live));
    assert.ok(mails1.every((m) => SUBJECT.verify.test(m.subject)));
    assert.equal(perNode1.reduce((a, b) => a + b, 0), live.length, `sent per node: ${perNode1}`);
    assert.ok(perNode1.filter((n) => n > 0).length >= 2, `more than one node sent: ${perNode1}`);

    // 2. A backlog: the SMTP server is paused (SIGSTOP: connections wait for its greeting)
    //    while 150 mails are queued, then resumes; the first node seen sending is killed.
    const tag2 = `kill-${rand(8)}`;
    const re2 = new RegExp(`^${tag2}-`);
    const backlog = Array.from({ length: 150 }, (_, i) => `${tag2}-${i}@example.com`);
    let killedAt;
    let victim;
    const queueStart = Date.now();
    let queued;
    smtp.proc.kill('SIGSTOP');
    // Resumed at the latest before a waiting send times out (30 s): on a slow machine the rest
    // of the backlog is queued while the nodes send.
    const resume = setTimeout(() => smtp.proc.kill('SIGCONT'), 20_000);
    try {
      await signups(backlog);
      queued = Date.now();
      const base = await Promise.all([1, 2, 3].map(sent));
      smtp.proc.kill('SIGCONT');
      // The first node seen a few mails past its first (small) batch: it is inside a batch of
      // 16 leased mails.
      victim = await until(async () => {
        const now = await Promise.all([1, 2, 3].map(sent));
        const i = now.findIndex((n, k) => n >= base[k] + 8);
        return i >= 0 ? { node: i + 1, sent: now[i] - base[i] } : null;
      }, 60_000, 20);
      if (victim) {
        await c.op('kill-node', victim.node);
        killedAt = Date.now();
      }
    } finally {
      clearTimeout(resume);
      smtp.proc.kill('SIGCONT');
    }
    t.diagnostic(`${backlog.length} sign-ups queued in ${secs(queued - queueStart)} s with the SMTP server paused`);
    assert.ok(victim, 'the nodes sent mail once the SMTP server resumed');
    const atKill = received(re2).length;
    await sleep(1000);
    await c.op('start-node', victim.node);
    const addresses = () => new Set(received(re2).map((m) => m.envelopeTo[0]));
    // Every queued mail arrives: the killed node's leased ones when their lease (60 s) ends.
    assert.ok(await until(() => addresses().size >= backlog.length, 150_000, 500),
      `${addresses().size} of ${backlog.length} addresses got their mail`);
    assert.ok(await until(unsentEverywhere, 30_000, 500), 'the outbox is empty again');
    await sleep(2500);
    const mails2 = received(re2);
    const ids = new Map();
    for (const m of mails2) ids.set(m.messageId, (ids.get(m.messageId) || 0) + 1);
    const twice = [...ids.entries()].filter(([, n]) => n > 1);
    const late = mails2.filter((m) => fs.statSync(m.file).mtimeMs > killedAt + 30_000);
    t.diagnostic(`node ${victim.node} killed after sending ${victim.sent} (${atKill} of ${backlog.length} arrived by then); `
      + `${mails2.length} mails for ${backlog.length} addresses, ${ids.size} Message-IDs, `
      + `${twice.length} sent twice; ${late.length} arrived over 30 s after the kill (the dead node's leases)`);
    assert.deepEqual(addresses(), new Set(backlog));
    assert.equal(ids.size, backlog.length, 'one Message-ID per queued mail');
    assert.ok(twice.length <= 1, `sent twice: ${JSON.stringify(twice)}`);
    assert.ok(twice.every(([, n]) => n === 2), `sent more than twice: ${JSON.stringify(twice)}`);
    assert.equal(mails2.length, backlog.length + twice.length);
    // The kill did catch the node holding leases: some mail waited for the lease to end.
    assert.ok(late.length >= 1, 'no mail waited for the killed node\'s lease: the kill came between batches');
  }));

  test('database restart under load: quick 503s while it is down, no node crashes, each serves again on its own, nothing acknowledged is lost', { timeout: 240_000 }, (t) => withLogs(c, async () => {
    const pids = c.nodes.map((_, i) => c.pid(i + 1));
    const { quiet, load } = await startLoad(c);
    const stopAsked = Date.now();
    await c.op('stop-db', 'primary');
    const cutoff = Date.now();
    const createdBefore = load.created.length;
    // Down for about 5 s: ask every node directly, readiness and a sign-up, again and again.
    const probes = [];
    await sleep(1000);  // haproxy's checks notice too (2 failures, 0.5 s apart)
    while (Date.now() - cutoff < 5000) {
      for (const [i, n] of c.nodes.entries()) {
        const ready = await attempt(() => n.req('GET', '/readyz', { timeoutMs: 30_000 }));
        const signup = await attempt(() => n.api('POST', '/api/signup',
          { json: { email: uniq('down'), password: `pw-${rand(16)}` }, headers: from(newClientIp()), timeoutMs: 30_000 }));
        probes.push({ node: i + 1, ready, signup });
      }
      await sleep(200);
    }
    const startAsked = Date.now();
    await c.op('start-db', 'primary');
    const dbBack = Date.now();
    const recovery = await nodesRecovery(c, dbBack, load.created);
    await sleep(1500);
    await load.stop();
    const whileDown = load.results.filter((r) => r.start >= cutoff && r.end <= startAsked);
    const slowest = Math.max(0, ...whileDown.map((r) => r.end - r.start),
      ...probes.flatMap((p) => [p.ready.end - p.ready.start, p.signup.end - p.signup.start]));
    const lbBack = load.results.filter((r) => r.start >= dbBack && ok(r.status)).sort((a, b) => a.end - b.end)[0];
    const failedAfterBack = lbBack ? load.results.filter((r) => r.start > lbBack.end && !ok(r.status)) : [];
    await flushPools(c);
    const missing = await missingAccounts(c.lb, load.created);
    const notRotating = await chainsNotRotating(c, quiet, load);
    const spent = load.spent(cutoff);
    t.diagnostic(`database down ${secs(dbBack - cutoff)} s (stop-db took ${secs(cutoff - stopAsked)} s); `
      + `${probes.length} direct probes and ${whileDown.length} balanced requests meanwhile, the slowest ${secs(slowest)} s`);
    t.diagnostic(`each node's first 201 after the database was back: ${recovery.map((x) => `${x} s`).join(', ')}; `
      + `the balancer's: ${lbBack ? secs(lbBack.end - dbBack) : '?'} s`);
    t.diagnostic(`${load.created.length} sign-ups acknowledged (${createdBefore} before the stop), ${missing.length} lost; `
      + `${load.chains.reduce((n, x) => n + x.rotations, 0)} rotations; chains that do not rotate on: ${notRotating.length}`);
    for (const l of [...spent.inFlight, ...spent.later]) t.diagnostic(`loaded chain: ${l}`);
    t.diagnostic(`failed answers through the balancer after its first success: ${failedAfterBack.length} `
      + `(${[...new Set(failedAfterBack.map((r) => `${r.kind} ${r.status}`))].join(', ')})`);

    assert.ok(probes.length >= 3, `probes while down: ${probes.length}`);
    for (const p of probes) {
      assert.equal(p.ready.status, 503, `node ${p.node} /readyz while the database is down: ${p.ready.status} ${p.ready.text}`);
      assert.equal(p.signup.status, 503, `node ${p.node} sign-up while the database is down: ${p.signup.status} ${p.signup.text}`);
    }
    assert.ok(slowest < QUICK_MS, `an answer took ${slowest} ms while the database was down`);
    assert.ok(whileDown.every((r) => r.status === 503), `balanced answers while down: ${[...new Set(whileDown.map((r) => r.status))]}`);
    assert.deepEqual(load.unexpected, []);
    for (const [i, x] of recovery.entries()) {
      assert.ok(x !== null && x <= RECOVER_S, `node ${i + 1} serves again ${x} s after the database`);
    }
    assert.ok(lbBack, 'the balancer served again');
    for (const [i, pid] of pids.entries()) {
      assert.equal(c.pid(i + 1), pid);
      assert.ok(c.alive(i + 1), `node ${i + 1} (pid ${pid}) is still running`);
    }
    assert.ok(createdBefore > 0 && load.created.length > createdBefore, `${createdBefore} then ${load.created.length}`);
    assert.deepEqual(missing, [], 'acknowledged sign-ups that cannot sign in');
    assert.deepEqual(notRotating, [], 'refresh chains that no longer rotate');
  }));

  // Found with this suite (issue 17). A pooled PostgreSQL connection that sat idle while the
  // server restarted still read CONNECTION_OK in libpq (nothing was read from its socket
  // since), and PostgresConnection::EnsureAlive reset only a connection whose PQstatus was
  // already bad. So a node was ready again (its /readyz got a connection that was reset)
  // while each of its other pooled connections failed its next request once, with 503. Now
  // EnsureAlive reads what waits on an idle connection's socket first.
  // And a refresh is two trips to the pool, the rotation's transaction and then the user's row
  // (RefreshTokenRotation::Rotate): should only the second one meet a dead connection, the
  // answer would be 503 although the token was rotated, and the client's retry with the token
  // it holds a reuse that ends its session (by reading the code; checked here too).
  test('after a database restart, a ready node fails no request, and a refresh answered 503 did not spend its token', {
    timeout: 120_000,
  }, (t) => withLogs(c, async () => {
    const u = await signupAndLogin(c.lb);
    const sessions = [];
    for (let i = 0; i < 8 * c.nodes.length; i++) {
      const res = await c.lb.api('POST', '/api/login', { json: { email: u.email, password: u.password }, headers: from(newClientIp()) });
      assertStatus(res, 200);
      sessions.push(res.body.refresh_token);
    }
    const status = (n) => attempt(() => n.req('GET', '/readyz', { timeoutMs: 30_000 })).then((r) => r.status);
    await c.op('stop-db', 'primary');
    assert.ok(await until(async () => (await Promise.all(c.nodes.map(status))).every((x) => x === 503), 30_000, 200),
      'every node says it is not ready');
    await c.op('start-db', 'primary');
    assert.ok(await until(async () => (await Promise.all(c.nodes.map(status))).every((x) => x === 200), 60_000, 200),
      'every node says it is ready again');
    // Then more requests at once than a node has pooled connections (8), on every node:
    // readiness probes, the account API (its access token is checked against the database)
    // and refreshes.
    const failures = [];
    const retry = [];
    for (const [i, n] of c.nodes.entries()) {
      const mine = sessions.slice(8 * i, 8 * i + 8);
      const answers = await Promise.all([
        ...Array.from({ length: 8 }, () => attempt(() => n.req('GET', '/readyz', { timeoutMs: 30_000 }))),
        ...Array.from({ length: 8 }, () => attempt(() => n.api('GET', '/api/me', { token: u.tokens.access_token, timeoutMs: 30_000 }))),
        ...mine.map((token) => attempt(() => n.api('POST', '/api/token/refresh', { json: { refresh_token: token }, timeoutMs: 30_000 }))
          .then((r) => ({ ...r, token }))),
      ]);
      for (const r of answers) {
        if (r.status === 200) continue;
        failures.push(`node ${i + 1} ${r.method} ${new URL(r.url ?? 'http://x/').pathname}: ${r.status} ${String(r.text).slice(0, 100)}`);
        if (r.token) retry.push({ node: i, token: r.token });
      }
    }
    // A refresh answered 5xx, asked again with the same token, once the pools are sound.
    await flushPools(c);
    for (const r of retry) {
      const res = await c.nodes[r.node].api('POST', '/api/token/refresh', { json: { refresh_token: r.token } });
      if (res.status !== 200) failures.push(`node ${r.node + 1}: a refresh answered 5xx, asked again: ${res.status} (the 5xx had spent the token)`);
    }
    t.diagnostic(`requests that failed once every node was ready again: ${failures.length} (of ${24 * c.nodes.length} + ${retry.length} retried)`);
    for (const f of failures) t.diagnostic(f);
    assert.deepEqual(failures, []);
  }));

  // Asynchronous replication (the default): the standby may lag the primary's last commits. A
  // fast shutdown of the primary still sends the standby everything first, so this measures
  // the unavailability and reports, without asserting, what did not make it (a crashed
  // primary could lose the last acknowledged commits: docs/scaling.md).
  test('failover, asynchronous replication: the nodes find the promoted standby by themselves', { timeout: 240_000 }, (t) => withLogs(c, async () => {
    const { missing, notRotating } = await failover(t, c);
    t.diagnostic(`asynchronous: ${missing.length} acknowledged sign-ups lost, ${notRotating.length} chains no longer rotate`);
  }));
});

describe('the long cluster suite: failover with synchronous replication', { skip }, () => {
  let c;
  before(async () => {
    c = await new Cluster({ label: 'cluster-sync', sync: true }).up();
  });
  after(async () => {
    await c?.down();
  });

  // The price of synchronous replication: a commit waits for the standby's flush, so with the
  // standby down nothing is acknowledged (and the request just waits: Tessera sets no statement
  // timeout, and /readyz, a read, still says ready).
  test('synchronous replication: with the standby down a sign-up is not acknowledged; it is once the standby is back', { timeout: 120_000 }, (t) => withLogs(c, async () => {
    assert.ok(await c.standbyCaughtUp(), 'the standby streams from the primary');
    await c.op('stop-db', 'standby');
    let standbyDown = true;
    try {
      const json = { email: uniq('sync'), password: `pw-${rand(16)}` };
      const pending = attempt(() => c.lb.api('POST', '/api/signup', { json, headers: from(newClientIp()), timeoutMs: 60_000 }));
      const early = await Promise.race([pending, sleep(3000).then(() => null)]);
      const ready = await Promise.all(c.nodes.map((n) => attempt(() => n.req('GET', '/readyz', { timeoutMs: 10_000 }))));
      const restart = Date.now();
      await c.op('start-db', 'standby');
      standbyDown = false;
      const res = await pending;
      t.diagnostic(`a sign-up sent with the standby down: ${early ? `answered ${early.status} within 3 s` : 'no answer in 3 s'}; `
        + `/readyz meanwhile ${ready.map((r) => r.status).join('/')}; `
        + `answered ${res.status} ${secs(res.end - restart)} s after the standby was asked to start (${secs(res.end - res.start)} s in all)`);
      assert.equal(early, null, `acknowledged while the synchronous standby was down: ${early?.status} ${early?.text}`);
      assert.equal(res.status, 201, `once the standby is back: ${res.status} ${res.text}`);
      assertStatus(await c.lb.api('POST', '/api/login', { json, headers: from(newClientIp()) }), 200);
    } finally {
      if (standbyDown) await c.op('start-db', 'standby').catch(() => {});
    }
  }));

  test('failover, synchronous replication: the nodes find the promoted standby by themselves, no acknowledged sign-up or rotation is lost', { timeout: 240_000 }, (t) => withLogs(c, async () => {
    const { missing, notRotating } = await failover(t, c);
    assert.deepEqual(missing, [], 'acknowledged sign-ups lost in the failover');
    assert.deepEqual(notRotating, [], 'refresh chains that no longer rotate');
  }));
});

describe('the long cluster suite: what asynchronous replication may lose', { skip }, () => {
  let c;
  before(async () => {
    c = await new Cluster({ label: 'cluster-async', nodes: 1 }).up();
  });
  after(async () => {
    await c?.down();
  });

  // The price of asynchronous replication (cluster.sh's default): the primary acknowledges a
  // commit without waiting for the standby, so a failover loses whatever the standby had not
  // received — here, everything acknowledged while the standby was away.
  test('asynchronous replication: a failover loses the sign-ups the primary acknowledged while its standby was away', { timeout: 120_000 }, (t) => withLogs(c, async () => {
    const kept = await signupAndLogin(c.lb);
    assert.ok(await c.standbyCaughtUp(), 'the standby has the first account');
    await c.op('stop-db', 'standby');
    const acknowledged = [];
    for (let i = 0; i < 5; i++) {
      const json = { email: uniq('async'), password: `pw-${rand(16)}` };
      assertStatus(await c.lb.api('POST', '/api/signup', { json, headers: from(newClientIp()) }), 201);
      acknowledged.push(json);
    }
    c.promoted = true;
    await c.op('stop-db', 'primary');
    await c.op('start-db', 'standby');
    await c.op('promote');
    const promoted = Date.now();
    const recovery = await nodesRecovery(c, promoted, []);
    assert.ok(recovery.every((x) => x !== null && x <= RECOVER_S), `the node serves again: ${recovery} s`);
    // haproxy takes the node back after two good checks, 0.5 s apart.
    assert.ok(await until(async () => (await attempt(() => c.lb.req('GET', '/readyz'))).status === 200, 30_000, 200), 'the balancer serves again');
    assertStatus(await c.lb.api('POST', '/api/login', { json: { email: kept.email, password: kept.password }, headers: from(newClientIp()) }), 200);
    const lost = await missingAccounts(c.lb, acknowledged);
    t.diagnostic(`${lost.length} of ${acknowledged.length} sign-ups acknowledged with the standby away are gone after the failover`);
    assert.equal(lost.length, acknowledged.length, lost.join('\n'));
    assert.ok(lost.every((l) => / 401 /.test(l)), lost.join('\n'));
  }));
});

// Hash shedding through the balancer, at the real argon2id cost: each node sheds its own
// hashing queue (its CPU), and one client address may hold only its share of each node's
// queue, by the address the balancer forwards. So a flood from one client through the
// balancer gets 503 + Retry-After from every node it reaches, while another client still signs
// in, as on one node (sign_in_overload.test.mjs).
describe('the long cluster suite: hash shedding through the balancer', { skip }, () => {
  let c;
  before(async () => {
    c = await new Cluster({ label: 'cluster-shed', nodeArgs: ['--hash-concurrency', '1'] }).up();
  });
  after(async () => { await c?.down(); });

  test('a flooding client is shed with Retry-After by the nodes while another still signs in', { timeout: 180_000 }, (t) => withLogs(c, async () => {
    const users = [];
    for (let i = 0; i < 4; i++) {
      const json = { email: uniq('shed'), password: `pw-${rand(16)}` };
      assertStatus(await c.lb.api('POST', '/api/signup', { json, headers: from(newClientIp()), timeoutMs: 60_000 }), 201);
      users.push(json);
    }
    const flooder = newClientIp();
    const polite = newClientIp();
    const login = (ip, u) => attempt(() => c.lb.api('POST', '/api/login', { json: u, headers: from(ip), timeoutMs: 60_000 }));
    let flooding = true;
    const flood = [];
    const flooders = Array.from({ length: 48 }, async (_, i) => {
      while (flooding) flood.push(await login(flooder, users[i % 4]));
    });
    let retried = 0;
    try {
      await sleep(2000);  // every node's queue is full of the flooder
      for (let i = 0; i < 6; i++) {
        let r = await login(polite, users[i % 4]);
        if (r.status === 503) {
          retried++;
          await sleep(Number(r.headers.get('retry-after')) * 1000);
          r = await login(polite, users[i % 4]);
        }
        assert.equal(r.status, 200, `sign-in ${i} of the other client during the flood: ${r.status} ${r.text}`);
      }
    } finally {
      flooding = false;
      await Promise.all(flooders);
    }
    const shed = flood.filter((r) => r.status === 503);
    t.diagnostic(`flood through the balancer: ${flood.length} answers, ${shed.length} × 503, ${flood.filter((r) => r.status === 200).length} × 200; `
      + `the other client: 6 sign-ins, ${retried} after a Retry-After`);
    assert.ok(retried <= 2, `the other client had to retry ${retried} of 6 sign-ins`);
    assert.ok(shed.length > 0, 'the flooder was never shed');
    assert.deepEqual([...new Set(flood.map((r) => r.status))].filter((s) => s !== 200 && s !== 503), []);
    for (const r of shed.slice(0, 20)) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1, `Retry-After: ${r.headers.get('retry-after')}`);
      assert.equal(r.body?.type, 'urn:tessera:problem:overloaded');
    }
  }));
});
