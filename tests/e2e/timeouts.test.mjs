// Time-based behaviour, run concurrently: access-token expiry (and its leeway), idle and
// slow clients being cut off by the server's read timeout.
import assert from 'node:assert/strict';
import {
  startServer, test, describe, before, after, assertStatus, assertProblem, signup, login,
  decodeJwt, sleep, RawConn,
} from './lib/server.mjs';

const MAX_WAIT_MS = 35_000;

describe('timeouts', { concurrency: true }, () => {
describe('default timeouts (reported; waits at most 35 s)', { concurrency: true }, () => {
  let srv;
  before(async () => { srv = await startServer({ label: 'timeouts', accessTokenTtl: 1 }); });
  after(() => srv?.close());

  test('an expired access token → 401 with WWW-Authenticate (reports the leeway)', { timeout: 60_000 }, async (t) => {
    const u = await signup(srv);
    const tr = await login(srv, { email: u.email }, u.password);
    assert.equal(tr.expires_in, 1, '--access-token-ttl 1 → expires_in 1');
    const { claims } = decodeJwt(tr.access_token);
    assert.equal(claims.exp - claims.iat, 1);
    assertStatus(await srv.api('GET', '/api/me', { token: tr.access_token }), 200);
    await sleep(2500);
    let res = await srv.api('GET', '/api/me', { token: tr.access_token });
    let rejectedAt = null;
    if (res.status === 401) {
      rejectedAt = Date.now();
    } else {
      assertStatus(res, 200);
      const deadline = claims.exp * 1000 + MAX_WAIT_MS;
      while (Date.now() < deadline) {
        await sleep(1000);
        res = await srv.api('GET', '/api/me', { token: tr.access_token });
        if (res.status !== 200) { rejectedAt = Date.now(); break; }
      }
    }
    const leeway = rejectedAt ? (rejectedAt - claims.exp * 1000) / 1000 : null;
    t.diagnostic(`expired token first rejected ${leeway === null ? 'never (within 35 s)' : `${leeway.toFixed(1)} s after exp`}; WWW-Authenticate: ${res.headers.get('www-authenticate')}`);
    assert.ok(rejectedAt, `expired token still accepted ${MAX_WAIT_MS / 1000} s after exp`);
    assertProblem(res, 401, 'unauthorized');
    // The refresh token still works and gives a fresh, usable access token.
    const r = await srv.api('POST', '/api/token/refresh', { json: { refresh_token: tr.refresh_token } });
    assertStatus(r, 200);
    assertStatus(await srv.api('GET', '/api/me', { token: r.body.access_token }), 200);
  });

});

describe('explicit --read-timeout 3 --idle-timeout 6', { concurrency: true }, () => {
  const READ = 3;
  const IDLE = 6;
  const SLACK = 1.5;
  let srv;
  before(async () => {
    srv = await startServer({ label: 'short-timeouts', args: ['--read-timeout', String(READ), '--idle-timeout', String(IDLE)] });
  });
  after(() => srv?.close());

  /** Seconds until the server closes `c` (null if still open after `max` s). */
  const closedAfter = async (c, max, tick) => {
    const t0 = Date.now();
    while (!c.closed && Date.now() - t0 < max * 1000) {
      await sleep(200);
      if (tick && !c.closed) tick();
    }
    return c.closed ? (Date.now() - t0) / 1000 : null;
  };

  test('a silent connection is closed (by the read or the idle timeout)', async (t) => {
    const c = new RawConn(srv.port);
    await c.ready;
    const secs = await closedAfter(c, IDLE + 4);
    c.destroy();
    t.diagnostic(`silent connection closed after ${secs} s (read timeout ${READ}, idle timeout ${IDLE})`);
    assert.ok(secs !== null, `silent connection still open after ${IDLE + 4} s`);
    assert.ok(secs <= IDLE + SLACK, `closed after ${secs} s`);
  });

  test('a request stuck mid-headers is cut off after the read timeout', async (t) => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Partial: yes`);
    const secs = await closedAfter(c, IDLE + 4);
    const answer = c.buf.toString('latin1').split('\r\n')[0];
    c.destroy();
    t.diagnostic(`half-sent headers closed after ${secs} s (answer: ${answer || 'none'})`);
    assert.ok(secs !== null, 'never closed');
    assert.ok(secs <= READ + SLACK, `half-sent request held ${secs} s; --read-timeout is ${READ} s ("Seconds to receive a request")`);
    assert.ok(!answer || /^HTTP\/1\.1 (408|400)/.test(answer), answer);
  });

  test('slowloris (a header byte every 200 ms) is cut off after the read timeout', async (t) => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Slow: `);
    const secs = await closedAfter(c, IDLE + 4, () => c.sock.write('a'));
    c.destroy();
    t.diagnostic(`slowloris closed after ${secs} s`);
    assert.ok(secs !== null, 'never closed');
    assert.ok(secs <= READ + SLACK, `slowloris held ${secs} s; --read-timeout is ${READ} s`);
  });

  test('a request stuck mid-body is cut off after the read timeout', async (t) => {
    const c = new RawConn(srv.port);
    await c.send(`POST /apps/${srv.app}/api/login HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"login":`);
    const secs = await closedAfter(c, IDLE + 4);
    c.destroy();
    t.diagnostic(`half-sent body closed after ${secs} s`);
    assert.ok(secs !== null, 'never closed');
    assert.ok(secs <= READ + SLACK, `half-sent body held ${secs} s`);
  });

  test('an idle keep-alive connection survives the read timeout and is closed by the idle timeout', async (t) => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n\r\n`);
    assert.equal((await c.readResponse())?.status, 200);
    const secs = await closedAfter(c, IDLE + 4);
    c.destroy();
    t.diagnostic(`idle keep-alive connection closed after ${secs} s`);
    assert.ok(secs !== null, 'never closed');
    assert.ok(secs >= IDLE - SLACK && secs <= IDLE + SLACK, `closed after ${secs} s, idle timeout is ${IDLE} s`);
  });

  test('the server keeps serving while slow clients hold connections', async () => {
    const hogs = [];
    for (let i = 0; i < 20; i++) {
      const c = new RawConn(srv.port);
      await c.send(`GET /healthz HTTP/1.1\r\nHost: x\r\n`);
      hogs.push(c);
    }
    const res = await srv.req('GET', '/healthz', { timeoutMs: 2000 });
    assertStatus(res, 200);
    for (const c of hogs) c.destroy();
  });
});
});
