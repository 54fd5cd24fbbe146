// --max-body-bytes, header size limit (431), keep-alive, pipelining and malformed HTTP.
import assert from 'node:assert/strict';
import {
  startServer, test, describe, before, after, assertStatus, assertProblem, signup, rand, show,
  RawConn,
} from './lib/server.mjs';

describe('limits and keep-alive', () => {
  let srv;
  before(async () => {
    srv = await startServer({ label: 'limits', maxBodyBytes: 2048, args: ['--password-min-length', '12'] });
  });
  after(() => srv?.close());

  const host = () => `Host: 127.0.0.1:${srv.port}\r\n`;

  test('--max-body-bytes 2048: a 3000-byte body → 413, a 1500-byte body is processed', async () => {
    const big = { email: `b-${rand(6)}@example.com`, password: `valid-pass-${rand(6)}`, profile: { about: 'a'.repeat(3000) } };
    assertProblem(await srv.api('POST', '/api/signup', { json: big }), 413, 'payload-too-large');
    const small = { email: `s-${rand(6)}@example.com`, password: `valid-pass-${rand(6)}`, profile: { about: 'a'.repeat(1400) } };
    const res = await srv.api('POST', '/api/signup', { json: small });
    assertStatus(res, 201);
    assert.equal(res.body.profile.about.length, 1400);
    // Also on login, and before authentication is looked at.
    assertProblem(await srv.api('POST', '/api/login', { json: { login: 'x'.repeat(4000), password: 'y' } }), 413, 'payload-too-large');
  });

  test('--password-min-length 12 is honoured (11 → 400, 12 → 201)', async () => {
    const r11 = await srv.api('POST', '/api/signup', { json: { email: `m-${rand(6)}@example.com`, password: 'k7#Lq9$zW2x' } });
    assertProblem(r11, 400, 'validation-error', { field: 'password' });
    assertStatus(await srv.api('POST', '/api/signup', { json: { email: `m-${rand(6)}@example.com`, password: 'k7#Lq9$zW2xY' } }), 201);
  });

  test('a request with a 20 KiB header → 431 (or the connection is closed)', async (t) => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\n${host()}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    const r = await c.readResponse(5000).catch((e) => ({ error: e.message }));
    c.destroy();
    t.diagnostic(`20 KiB header → ${r === null ? 'connection closed without a response' : r.error ? r.error : r.statusLine}`);
    assert.ok(r === null || r.status === 431, `expected 431 or close, got ${JSON.stringify(r)}`);
    if (r) assert.equal(r.status, 431);
  });

  test('many headers totalling > 16 KiB → 431', async (t) => {
    const c = new RawConn(srv.port);
    let hdrs = '';
    for (let i = 0; i < 100; i++) hdrs += `X-H${i}: ${'b'.repeat(200)}\r\n`;
    await c.send(`GET /healthz HTTP/1.1\r\n${host()}${hdrs}\r\n`);
    const r = await c.readResponse(5000).catch((e) => ({ error: e.message }));
    c.destroy();
    t.diagnostic(`100×200 B headers → ${r === null ? 'connection closed without a response' : r.error ? r.error : r.statusLine}`);
    assert.ok(r === null || r.status === 431, `expected 431 or close, got ${JSON.stringify(r)}`);
  });

  test('a 12 KiB header is within the 16 KiB limit → 200', async () => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\n${host()}X-Big: ${'a'.repeat(12 * 1024)}\r\n\r\n`);
    const r = await c.readResponse(5000);
    c.destroy();
    assert.equal(r?.status, 200, JSON.stringify(r));
  });

  test('keep-alive: several requests on one connection, including after a 4xx', async () => {
    const c = new RawConn(srv.port);
    for (let i = 0; i < 3; i++) {
      await c.send(`GET /healthz HTTP/1.1\r\n${host()}\r\n`);
      const r = await c.readResponse();
      assert.equal(r?.status, 200, `request ${i}: ${JSON.stringify(r)}`);
      assert.notEqual((r.headers.connection || '').toLowerCase(), 'close');
    }
    const body = JSON.stringify({ email: 'nope' });
    await c.send(`POST /apps/${srv.app}/api/login HTTP/1.1\r\n${host()}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const bad = await c.readResponse();
    assert.equal(bad?.status, 400, JSON.stringify(bad));
    assert.match(bad.headers['content-type'], /^application\/problem\+json/);
    await c.send(`GET /healthz HTTP/1.1\r\n${host()}\r\n`);
    const again = await c.readResponse();
    assert.equal(again?.status, 200, 'connection still usable after a 400');
    c.destroy();
  });

  test('pipelined requests are answered in order', async () => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\n${host()}\r\nGET /readyz HTTP/1.1\r\n${host()}\r\nGET /nope-${rand(4)} HTTP/1.1\r\n${host()}\r\n`);
    const a = await c.readResponse();
    const b = await c.readResponse();
    const d = await c.readResponse();
    c.destroy();
    assert.equal(a?.status, 200);
    assert.deepEqual(JSON.parse(a.body), { status: 'ok' });
    assert.equal(b?.status, 200);
    assert.deepEqual(JSON.parse(b.body), { status: 'ready' });
    assert.equal(d?.status, 404);
  });

  test('Connection: close and HTTP/1.0 close the connection after the response', async () => {
    const c = new RawConn(srv.port);
    await c.send(`GET /healthz HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`);
    const r = await c.readResponse();
    assert.equal(r?.status, 200);
    assert.equal(await c.waitClosed(3000), true, 'not closed after Connection: close');
    const c10 = new RawConn(srv.port);
    await c10.send('GET /healthz HTTP/1.0\r\n\r\n');
    const r10 = await c10.readResponse();
    assert.equal(r10?.status, 200);
    assert.equal(await c10.waitClosed(3000), true, 'HTTP/1.0 connection not closed');
  });

  test('garbage request line → 400 or close; the server keeps serving', async (t) => {
    for (const junk of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', '\x00\x01\x02\x03\r\n\r\n',
      `POST /apps/${srv.app}/api/login HTTP/1.1\r\n${host()}Content-Length: -5\r\n\r\n`,
      `POST /apps/${srv.app}/api/login HTTP/1.1\r\n${host()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`]) {
      const c = new RawConn(srv.port);
      await c.send(junk);
      const r = await c.readResponse(3000).catch((e) => ({ error: e.message }));
      c.destroy();
      t.diagnostic(`${JSON.stringify(junk.slice(0, 40))} → ${r === null ? 'closed' : r.error || r.statusLine}`);
      assert.ok(r === null || (r.status >= 400 && r.status < 500), `${JSON.stringify(junk)} → ${JSON.stringify(r)}`);
    }
    assertStatus(await srv.req('GET', '/healthz'), 200);
  });
});
