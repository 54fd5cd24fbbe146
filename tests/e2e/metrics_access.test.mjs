// Issue 12: /metrics was public. --metrics-listen serves it on another address (the public
// listener then answers 404), --metrics-token requires a bearer token (401 without it).
import assert from 'node:assert/strict';
import { test, describe, before, after, request, startServer, freePort, rand } from './lib/server.mjs';

async function get(url, token) {
  return request('GET', url, { token, timeoutMs: 5000 });
}

describe('--metrics-listen', () => {
  let srv;
  let metricsUrl;
  before(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    srv = await startServer({ label: 'metrics-listen', args: ['--metrics-listen', `127.0.0.1:${port}`] });
  });
  after(async () => srv?.close());

  test('serves /metrics there only, and nothing else there', async () => {
    const pub = await get(`${srv.baseUrl}/metrics`);
    assert.equal(pub.status, 404, pub.text);
    const own = await get(`${metricsUrl}/metrics`);
    assert.equal(own.status, 200);
    assert.match(own.text, /^tessera_http_requests_total\{/m);
    // The public listener still serves everything else; the metrics one nothing else.
    assert.equal((await get(`${srv.baseUrl}/healthz`)).status, 200);
    assert.equal((await get(`${metricsUrl}/healthz`)).status, 404);
    assert.equal((await get(`${metricsUrl}/apps/default/.well-known/jwks.json`)).status, 404);
  });
});

describe('--metrics-token', () => {
  let srv;
  const token = `mt-${rand(24)}`;
  before(async () => {
    srv = await startServer({ label: 'metrics-token', args: ['--metrics-token', token] });
  });
  after(async () => srv?.close());

  test('/metrics needs the bearer token', async () => {
    const none = await get(`${srv.baseUrl}/metrics`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') || '', /^Bearer /);
    assert.doesNotMatch(none.text, /tessera_/);
    for (const wrong of [`${token}x`, token.slice(0, -1), token.toUpperCase(), '']) {
      assert.equal((await get(`${srv.baseUrl}/metrics`, wrong)).status, 401, wrong);
    }
    const basic = await request('GET', `${srv.baseUrl}/metrics`, { token, scheme: 'Basic' });
    assert.equal(basic.status, 401);
    const ok = await get(`${srv.baseUrl}/metrics`, token);
    assert.equal(ok.status, 200);
    assert.match(ok.text, /^tessera_logins_total/m);
    assert.equal((await get(`${srv.baseUrl}/healthz`)).status, 200);
  });
});

describe('--metrics-listen and --metrics-token together', () => {
  let srv;
  let metricsUrl;
  const token = `mt-${rand(24)}`;
  before(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    srv = await startServer({ label: 'metrics-both',
      args: ['--metrics-listen', `127.0.0.1:${port}`, '--metrics-token', token] });
  });
  after(async () => srv?.close());

  test('the public listener says 404; the metrics listener wants the token', async () => {
    assert.equal((await get(`${srv.baseUrl}/metrics`, token)).status, 404);
    assert.equal((await get(`${metricsUrl}/metrics`)).status, 401);
    assert.equal((await get(`${metricsUrl}/metrics`, token)).status, 200);
  });
});
