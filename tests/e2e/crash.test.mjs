// kill -9 in the middle of a signup burst, restart on the same data dir/database: every signup
// that was answered 201 must still exist (log in), signing keys and sessions survive.
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, newSession, rand, sleep,
} from './lib/server.mjs';

const N = 200;
const CONCURRENCY = 16;
const KILL_AFTER = 100;

async function pool(items, concurrency, fn) {
  let i = 0;
  const out = new Array(items.length);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < items.length) { const k = i++; out[k] = await fn(items[k], k); }
  }));
  return out;
}

for (const backend of backends()) {
  describe(`crash safety [${backend}]`, () => {
    let srv;
    before(async () => {
      // A hash queue deep enough for the bursts, and a wait they fit in on a slow shared
      // machine (16 sign-ups at once wait up to 8 hash times, over the 2 s default when a hash
      // takes 0.3 s): this test is about durability, not overload (sign_in_overload is).
      srv = await startServer({
        postgres: backend === 'postgres', label: `crash-${backend}`, hashQueue: 64,
        args: ['--hash-max-wait', '30'],
      });
    });
    after(() => srv?.close());

    test(`kill -9 after ~${KILL_AFTER} of ${N} concurrent signups; every 201 survives the restart`, { timeout: 120_000 }, async (t) => {
      const pre = await newSession(srv);
      const created = [];
      const unanswered = [];
      const preKillOther = [];
      let next = 0;
      let responses = 0;
      let killing = null;
      let overloaded = 0;
      const worker = async () => {
        while (next < N && !killing) {
          const i = next++;
          const email = `crash-${i}-${rand(10)}@example.com`;
          const password = `crash-pass-${rand(12)}`;
          try {
            let res = await srv.api('POST', '/api/signup', { json: { email, password }, timeoutMs: 15_000 });
            for (let retry = 0; res.status === 503 && retry < 5 && !killing; retry++) {
              overloaded++;
              await sleep(50 * (retry + 1));
              res = await srv.api('POST', '/api/signup', { json: { email, password }, timeoutMs: 15_000 });
            }
            if (res.status === 201) created.push({ email, password, id: res.body.id });
            else if (!killing) preKillOther.push(`${res.status} ${res.text.slice(0, 200)}`);
            else unanswered.push({ email, password, status: res.status });
          } catch (e) {
            unanswered.push({ email, password, error: String(e.cause?.code || e.message) });
          }
          responses++;
          if (responses >= KILL_AFTER && !killing) killing = srv.kill9();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      await killing;
      t.diagnostic(`before the kill: ${created.length} × 201, ${unanswered.length} unanswered/failed, ${preKillOther.length} other, ${overloaded} retried 503s`);
      assert.ok(killing, 'server was never killed');
      assert.deepEqual(preKillOther, [], 'non-201 answers before the kill');
      assert.ok(created.length >= KILL_AFTER - CONCURRENCY, `only ${created.length} signups answered 201`);

      await srv.restart();
      await sleep(100);
      const lost = [];
      await pool(created, 8, async (c) => {
        const res = await srv.api('POST', '/api/login', { json: { email: c.email, password: c.password } });
        if (res.status !== 200 || res.body?.user?.id !== c.id) lost.push(`${c.email}: ${res.status} ${res.text.slice(0, 200)}`);
      });
      assert.deepEqual(lost, [], `${lost.length} of ${created.length} acknowledged signups lost after kill -9`);

      // Unanswered ones either exist completely or not at all: login and re-signup agree.
      const inconsistent = [];
      let existed = 0;
      await pool(unanswered, 8, async (c) => {
        const l = await srv.api('POST', '/api/login', { json: { email: c.email, password: c.password } });
        const s = await srv.api('POST', '/api/signup', { json: { email: c.email, password: c.password } });
        if (l.status === 200) existed++;
        const ok = (l.status === 200 && s.status === 409) || (l.status === 401 && s.status === 201);
        if (!ok) inconsistent.push(`${c.email}: login ${l.status}, signup ${s.status} ${s.text.slice(0, 150)}`);
      });
      t.diagnostic(`${unanswered.length} unanswered signups: ${existed} had been committed`);
      assert.deepEqual(inconsistent, []);

      // Signing keys and sessions survive: the pre-crash access and refresh tokens still work.
      assertStatus(await srv.api('GET', '/api/me', { token: pre.tokens.access_token }), 200);
      assertStatus(await srv.api('POST', '/api/token/refresh', { json: { refresh_token: pre.tokens.refresh_token } }), 200);
      assertStatus(await srv.req('GET', '/readyz'), 200);
    });

    // Rotations are group-committed on SQLite (many requests' writes in one transaction): an
    // answer must still mean "committed". 16 chains rotate their refresh tokens as fast as they
    // can; they stop, and the server is killed the moment the last answer arrives. Every chain's
    // last token must then rotate, and the one before it must be refused as reused.
    test('kill -9 right after a burst of refresh rotations: every answered rotation holds', { timeout: 120_000 }, async (t) => {
      if (!srv.running) await srv.restart();
      const chains = await pool(Array.from({ length: CONCURRENCY }), 4, async () => {
        const s = await newSession(srv);
        return { previous: null, current: s.tokens.refresh_token, rotations: 0 };
      });
      let stop = false;
      const started = Date.now();
      await Promise.all(chains.map(async (c) => {
        while (!stop) {
          const res = await srv.api('POST', '/api/token/refresh', { json: { refresh_token: c.current } });
          assertStatus(res, 200);
          c.previous = c.current;
          c.current = res.body.refresh_token;
          c.rotations++;
          if (chains.reduce((n, x) => n + x.rotations, 0) >= 400 || Date.now() - started > 20_000) stop = true;
        }
      }));
      await srv.kill9();
      t.diagnostic(`${chains.reduce((n, x) => n + x.rotations, 0)} rotations answered before the kill`);
      await srv.restart();
      for (const [i, c] of chains.entries()) {
        const next = await srv.api('POST', '/api/token/refresh', { json: { refresh_token: c.current } });
        assert.equal(next.status, 200, `chain ${i}: its last answered token after the restart: ${next.status} ${next.text}`);
        const replay = await srv.api('POST', '/api/token/refresh', { json: { refresh_token: c.previous } });
        assert.equal(replay.status, 401, `chain ${i}: the token its last rotation spent: ${replay.status}`);
      }
    });

    test('SIGTERM + restart keeps everything too', { timeout: 60_000 }, async () => {
      if (!srv.running) await srv.restart(); // the previous test may have failed mid-way
      const s = await newSession(srv, { profile: { name: 'Persistent' } });
      const exit = await srv.stop();
      await srv.restart();
      const me = await srv.api('GET', '/api/me', { token: s.tokens.access_token });
      assertStatus(me, 200);
      assert.deepEqual(me.body.profile, { name: 'Persistent' });
      assertStatus(await srv.api('POST', '/api/login', { json: { email: s.email, password: s.password } }), 200);
      assert.deepEqual(exit, { code: 0, signal: null }, 'exit status after SIGTERM');
    });
  });
}
