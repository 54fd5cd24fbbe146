// Issue 12, "Overload behaviour", black-box with the real argon2 cost. Before: password work
// was shed as soon as 8 requests waited, so 16 people pressing "Sign in" at once got mostly
// 503 — and one flooding client kept the queue full for everyone. Now a sign-in waits while
// its expected wait fits --hash-max-wait (2 s by default), and one client IP cannot hold more than its
// share of the queue: the flooder gets 503 + Retry-After, others still get in.
import assert from 'node:assert/strict';
import { test, describe, before, after, signup, startServer } from './lib/server.mjs';
import { sourced } from './lib/proxy.mjs';

describe('sign-ins at the real argon2 cost', () => {
  let srv;
  let users;
  before(async () => {
    // Two hashes at a time, as on a two-core machine (the measurement).
    srv = await startServer({ label: 'overload', fast: false, hashConcurrency: 2 });
    users = await Promise.all(Array.from({ length: 4 }, () => signup(srv)));
  });
  after(async () => srv?.close());

  const login = (from, u) => sourced(from, srv.port, 'POST', `/apps/${srv.app}/api/login`,
    { json: { email: u.email, password: u.password } });

  // Admission is by expected wait, not by a count of waiters (the old rule shed the 9th). 16 at
  // once wait up to 8 hash times; at the default 2 s that holds only while a hash takes under
  // 0.25 s, which a shared 2-core CI machine does not promise (it measured 0.3-0.5 s). So this
  // server allows 8 s: the count rule would still shed here, the wait rule must not.
  test('16 sign-ins at once all succeed', { timeout: 90_000 }, async (t) => {
    const patient = await startServer({ label: 'overload-patient', fast: false, hashConcurrency: 2,
      args: ['--hash-max-wait', '8'] });
    t.after(() => patient.close());
    const people = await Promise.all(Array.from({ length: 4 }, () => signup(patient)));
    const signIn = (u) => sourced('127.0.0.1', patient.port, 'POST', `/apps/${patient.app}/api/login`,
      { json: { email: u.email, password: u.password } });
    for (let round = 0; round < 3; round++) {
      const res = await Promise.all(Array.from({ length: 16 }, (_, i) => signIn(people[i % 4])));
      const statuses = res.map((r) => r.status);
      t.diagnostic(`round ${round}: ${JSON.stringify(statuses)}`);
      assert.deepEqual(statuses.filter((s) => s !== 200), [], `round ${round}: ${statuses}`);
    }
  });

  test('a flooding client is shed with Retry-After while another still signs in', { timeout: 90_000 }, async (t) => {
    let flooding = true;
    const flood = [];
    // 64 connections from 127.0.0.2, each signing in again as soon as it has an answer.
    const flooders = Array.from({ length: 64 }, async (_, i) => {
      while (flooding) flood.push(await login('127.0.0.2', users[i % 4]));
    });
    try {
      await new Promise((r) => setTimeout(r, 1500));  // the queue is full of the flooder
      // The other client behaves as clients should: after a 503 it waits Retry-After and tries
      // once more. The queue's room follows the measured hash time, so when a busy machine
      // makes hashes slower the flooder may briefly hold more than the new share (admitted
      // while the room was larger) until its waiters drain; then its share is free again.
      // A flooder that kept others out would fail this even with the retry.
      let retried = 0;
      for (let i = 0; i < 6; i++) {
        let r = await login('127.0.0.3', users[i % 4]);
        if (r.status === 503) {
          retried++;
          await new Promise((done) => setTimeout(done, Number(r.headers['retry-after']) * 1000));
          r = await login('127.0.0.3', users[i % 4]);
        }
        assert.equal(r.status, 200, `sign-in ${i} of the other client during the flood: ${r.status} ${r.text}`);
      }
      t.diagnostic(`the other client: 6 sign-ins, ${retried} after a Retry-After`);
      assert.ok(retried <= 2, `the other client had to retry ${retried} of 6 sign-ins`);
    } finally {
      flooding = false;
      await Promise.all(flooders);
    }
    const shed = flood.filter((r) => r.status === 503);
    t.diagnostic(`flood: ${flood.length} answers, ${shed.length} × 503, ` +
      `${flood.filter((r) => r.status === 200).length} × 200`);
    assert.ok(shed.length > 0, 'the flooder was never shed');
    assert.deepEqual([...new Set(flood.map((r) => r.status))].filter((s) => s !== 200 && s !== 503), []);
    for (const r of shed.slice(0, 20)) {
      assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After: ${r.headers['retry-after']}`);
      assert.equal(r.body?.type, 'urn:tessera:problem:overloaded');
    }
  });
});
