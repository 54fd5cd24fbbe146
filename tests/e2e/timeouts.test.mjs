// Time-based behaviour, run concurrently: access-token expiry (and its leeway), idle and
// slow clients being cut off by the server's read timeout.
import assert from 'node:assert/strict';
import {
  startServer, test, describe, before, after, assertStatus, assertProblem, signup, login,
  decodeJwt, sleep, RawConn,
} from './lib/server.mjs';

const MAX_WAIT_MS = 35_000;

describe('timeouts', { concurrency: true }, () => {
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

  test('a connection that sends nothing is closed by the server', { timeout: 60_000 }, async (t) => {
    const c = new RawConn(srv.port);
    await c.ready;
    const t0 = Date.now();
    const closed = await c.waitClosed(MAX_WAIT_MS);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    c.destroy();
    if (!closed) {
      t.diagnostic(`idle connection still open after ${secs} s`);
      t.skip(`server read timeout for an idle connection is longer than ${MAX_WAIT_MS / 1000} s`);
      return;
    }
    t.diagnostic(`idle connection closed by the server after ${secs} s`);
    assertStatus(await srv.req('GET', '/healthz'), 200);
  });

  test('a connection that stops mid-headers is closed by the server', { timeout: 60_000 }, async (t) => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Partial: yes`);
    const t0 = Date.now();
    const closed = await c.waitClosed(MAX_WAIT_MS);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const answer = c.buf.toString('latin1').split('\r\n')[0];
    c.destroy();
    if (!closed) {
      t.diagnostic(`half-sent request still open after ${secs} s`);
      t.skip(`header read timeout longer than ${MAX_WAIT_MS / 1000} s`);
      return;
    }
    t.diagnostic(`half-sent request closed after ${secs} s (answer before close: ${answer || 'none'})`);
    assert.ok(!answer || /^HTTP\/1\.1 (408|400)/.test(answer), `unexpected answer ${answer}`);
  });

  test('slowloris (one header byte per second) — reported only', { timeout: 60_000 }, async (t) => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Slow: `);
    const t0 = Date.now();
    while (!c.closed && Date.now() - t0 < MAX_WAIT_MS) {
      await sleep(1000);
      if (!c.closed) c.sock.write('a');
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    t.diagnostic(c.closed ? `slowloris connection closed after ${secs} s` : `slowloris connection still open after ${secs} s (per-read timeout only)`);
    c.destroy();
    // Meanwhile the server kept serving.
    assertStatus(await srv.req('GET', '/healthz'), 200);
  });
});
