// A rolling upgrade on a live cluster (make test-cluster): three nodes of the previous version
// (scripts/build-previous.sh: the commit before the newest schema migration) serve through
// haproxy under sign-up, sign-in, refresh and `me` load; one node at a time is stopped
// gracefully and started again with this version. The first new node migrates the database
// under the old ones, which keep serving; for a while old and new nodes serve together.
// Needs TESSERA_PREVIOUS_BIN (make test-cluster sets it); skipped otherwise.
import assert from 'node:assert/strict';
import { test, describe, before, after, assertStatus, rand, sleep, TESSERA_BIN, psql } from './lib/server.mjs';
import { Cluster, haveHaproxy, attempt, withLogs } from './lib/cluster.mjs';

const PREVIOUS = process.env.TESSERA_PREVIOUS_BIN;
const skip = (!PREVIOUS && 'TESSERA_PREVIOUS_BIN is not set (make test-cluster builds it)')
  || (!haveHaproxy && 'haproxy is not installed (scripts/setup.sh)');

describe('a rolling upgrade across a schema migration, under load', { skip }, () => {
  let c;
  before(async () => { c = await new Cluster({ bin: PREVIOUS, label: 'upgrade' }).up(); });
  after(async () => { await c?.down(); });

  test('old and new nodes serve together while the new one migrates; nothing acknowledged is lost', { timeout: 300_000 }, (t) => withLogs(c, async () => {
    const schema = async () => Number((await psql(c.env.PRIMARY_URL, 'SELECT max(version) FROM schema_migrations')).trim());
    const before = await schema();
    const { lb, nodes } = c;

    const accounts = [];
    const failures = [];
    let stop = false;
    const signups = async () => {
      while (!stop) {
        const who = { email: `upg-${rand(12)}@example.com`, password: `pw-${rand(16)}` };
        const res = await attempt(() => lb.api('POST', '/api/signup', { json: who }));
        if (res.status === 201) accounts.push(who);
        else failures.push(`signup ${res.status} ${String(res.text).slice(0, 120)}`);
      }
    };
    const chain = async () => {
      const who = { email: `upg-chain-${rand(12)}@example.com`, password: `pw-${rand(16)}` };
      assertStatus(await lb.api('POST', '/api/signup', { json: who }), 201);
      let tokens = (await lb.api('POST', '/api/login', { json: who })).body;
      let rotations = 0;
      while (!stop) {
        const me = await attempt(() => lb.api('GET', '/api/me', { token: tokens.access_token }));
        if (me.status !== 200) failures.push(`me ${me.status} ${String(me.text).slice(0, 120)}`);
        const res = await attempt(() => lb.api('POST', '/api/token/refresh', { json: { refresh_token: tokens.refresh_token } }));
        if (res.status === 200) { tokens = res.body; rotations++; }
        else { failures.push(`refresh ${res.status} ${String(res.text).slice(0, 120)}`); break; }
      }
      return rotations;
    };
    const load = Promise.all([signups(), signups(), chain(), chain()]);

    // One node at a time: a graceful stop (the balancer routes around it), then this version.
    const mixed = [];
    for (const n of [1, 2, 3]) {
      await sleep(1500);
      await c.op('stop-node', n);
      await c.op('start-node', n, TESSERA_BIN);
      if (n === 1) {
        assert.equal(await schema(), before + 1, 'the first new node migrated the database');
        // Old and new nodes together: a token of either verifies on the other, and a refresh
        // token made by one rotates on the other.
        const who = { email: `upg-mix-${rand(12)}@example.com`, password: `pw-${rand(16)}` };
        assertStatus(await nodes[1].api('POST', '/api/signup', { json: who }), 201);  // old node
        const fromOld = (await nodes[1].api('POST', '/api/login', { json: who })).body;
        const fromNew = (await nodes[0].api('POST', '/api/login', { json: who })).body;
        assertStatus(await nodes[0].api('GET', '/api/me', { token: fromOld.access_token }), 200);
        assertStatus(await nodes[2].api('GET', '/api/me', { token: fromNew.access_token }), 200);
        const rotatedByOld = await nodes[2].api('POST', '/api/token/refresh', { json: { refresh_token: fromNew.refresh_token } });
        assertStatus(rotatedByOld, 200);
        assertStatus(await nodes[0].api('POST', '/api/token/refresh', { json: { refresh_token: rotatedByOld.body.refresh_token } }), 200);
        mixed.push('tokens and refresh across versions');
      }
    }
    await sleep(1500);
    stop = true;
    const [, , ...rotations] = await load;

    t.diagnostic(`${accounts.length} sign-ups, ${rotations.join('+')} rotations during the upgrade; schema ${before} → ${await schema()}; failures: ${failures.length}${failures.length ? ` (${failures.slice(0, 3).join('; ')})` : ''}`);
    // The previous version has no --shutdown-delay: its listener closes while haproxy still
    // sends it requests (until its checks take the node out), so a request on a connection
    // the stopping node closed may fail: a few per node stopped (0-3 seen). From this version
    // on a stopping node leaves the balancer first (cluster.test.mjs: 0 failures). Nothing
    // acknowledged may be lost either way (below).
    assert.ok(failures.length <= 3 * 3, failures.join('\n'));
    assert.ok(rotations.every((r) => r > 0));
    for (const who of accounts) {
      const res = await lb.api('POST', '/api/login', { json: who });
      assert.equal(res.status, 200, `${who.email}: signed up during the upgrade: ${res.status}`);
    }
    assert.deepEqual(mixed, ['tokens and refresh across versions']);
  }));
});
