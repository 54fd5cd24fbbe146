// HTTP for the e2e tests: the fetch wrapper and its assertions (status, RFC 9457 problems that
// leak no internals), and raw TCP clients for the keep-alive / pipelining / limit tests.
import { once } from 'node:events';
import net from 'node:net';
import assert from 'node:assert/strict';
import { sleep } from './util.mjs';

/**
 * fetch wrapper. opts: json (object → body + content-type), body, headers, token, scheme
 * ('Bearer'), timeoutMs. Returns {status, headers, text, body (parsed JSON or undefined), ms}.
 */
export async function request(method, url, opts = {}) {
  const headers = {};
  for (const [k, v] of Object.entries(opts.headers || {})) headers[k.toLowerCase()] = v;
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  }
  if (opts.token) headers.authorization = `${opts.scheme || 'Bearer'} ${opts.token}`;
  const init = { method, headers, body, redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) };
  if (body && typeof body.getReader === 'function') init.duplex = 'half';
  const t0 = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  const ms = performance.now() - t0;
  let parsed;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return { method, url, status: res.status, headers: res.headers, text, body: parsed, ms };
}

export function show(res) {
  const hdrs = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n  ');
  return `${res.method} ${res.url} → ${res.status}\n  ${hdrs}\n  body: ${res.text.slice(0, 1500)}`;
}

export function assertStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}: ${show(res)}`);
}

const LEAK_RE = /\.(cc|cpp|hpp)\b|\bstd::|what\(\)|\bSELECT\b|\bINSERT\b|\bUPDATE\s+\w+\s+SET\b|sqlite|libpq|postgres|\/work\/|\/tmp\/|\$argon2|password_hash|\bat 0x[0-9a-f]+/i;

/** Asserts an RFC 9457 problem answer of `status`/`type`; `field` (string|RegExp) must be in errors[]. */
export function assertProblem(res, status, type, { field } = {}) {
  const ctx = show(res);
  assert.equal(res.status, status, `status: ${ctx}`);
  assert.match(res.headers.get('content-type') || '', /^application\/problem\+json\b/i, `content-type: ${ctx}`);
  assert.ok(res.body && typeof res.body === 'object' && !Array.isArray(res.body), `body object: ${ctx}`);
  if (type) assert.equal(res.body.type, `urn:tessera:problem:${type}`, `type: ${ctx}`);
  assert.equal(res.body.status, status, `body.status: ${ctx}`);
  assert.equal(typeof res.body.title, 'string', `title: ${ctx}`);
  assert.doesNotMatch(res.text, LEAK_RE, `problem body leaks internals: ${ctx}`);
  if (status === 401) {
    assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/, `WWW-Authenticate: ${ctx}`);
  }
  if (field !== undefined) {
    const errs = res.body.errors;
    assert.ok(Array.isArray(errs), `errors[] missing: ${ctx}`);
    const ok = errs.some((e) => (field instanceof RegExp ? field.test(e.field) : e.field === field));
    assert.ok(ok, `errors[].field ${field} missing: ${ctx}`);
    for (const e of errs) assert.equal(typeof e.message, 'string', `errors[].message: ${ctx}`);
  }
  return res.body;
}


// ---------- raw sockets ----------
/**
 * Sends raw bytes on a fresh TCP connection and collects what comes back until the server closes
 * the connection, `untilMs` passes, or (if `stopAtResponse`) one full header block arrives.
 * Resolves {data, closed, error, ms}.
 */
export function rawExchange(port, payload, { untilMs = 5000, stopAtResponse = true } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = (extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data, ms: Date.now() - t0, ...extra });
    };
    const timer = setTimeout(() => finish({ closed: false }), untilMs);
    sock.on('connect', () => { if (payload) sock.write(payload); });
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (stopAtResponse && /\r\n\r\n/.test(data)) {
        const m = /content-length:\s*(\d+)/i.exec(data);
        const bodyStart = data.indexOf('\r\n\r\n') + 4;
        if (!m || data.length - bodyStart >= Number(m[1])) finish({ closed: false });
      }
    });
    sock.on('end', () => finish({ closed: true }));
    sock.on('close', () => finish({ closed: true }));
    sock.on('error', (e) => finish({ closed: true, error: e.code || String(e) }));
  });
}


/** A raw HTTP/1.1 client connection for keep-alive / pipelining / limit tests. */
export class RawConn {
  constructor(port) {
    this.buf = Buffer.alloc(0);
    this.closed = false;
    this.waiters = [];
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this._wake(); });
    this.sock.on('close', () => { this.closed = true; this._wake(); });
    this.sock.on('error', (e) => { this.error = e.code || String(e); this.closed = true; this._wake(); });
    this.ready = once(this.sock, 'connect');
  }
  _wake() { const w = this.waiters; this.waiters = []; for (const f of w) f(); }
  async send(s) { await this.ready; this.sock.write(s); }
  /** Next response {status, headers, body} or null if the connection closed first. */
  async readResponse(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this._parse();
      if (r) return r;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms; got ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
      await Promise.race([new Promise((res) => this.waiters.push(res)), sleep(Math.min(left, 200))]);
    }
  }
  _parse() {
    const s = this.buf.toString('latin1');
    const end = s.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const lines = s.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let body;
    let consumed;
    if (/chunked/i.test(headers['transfer-encoding'] || '')) {
      let pos = end + 4;
      body = '';
      for (;;) {
        const lineEnd = s.indexOf('\r\n', pos);
        if (lineEnd < 0) return null;
        const size = parseInt(s.slice(pos, lineEnd), 16);
        if (Number.isNaN(size)) throw new Error(`bad chunk size in ${JSON.stringify(s.slice(pos, pos + 20))}`);
        if (s.length < lineEnd + 2 + size + 2) return null;
        if (size === 0) { consumed = lineEnd + 4; break; }
        body += s.slice(lineEnd + 2, lineEnd + 2 + size);
        pos = lineEnd + 2 + size + 2;
      }
    } else {
      const bodyLen = Number(headers['content-length'] || 0);
      if (s.length - (end + 4) < bodyLen) return null;
      consumed = end + 4 + bodyLen;
      body = s.slice(end + 4, consumed);
    }
    this.buf = this.buf.subarray(consumed); // latin1: one byte per char
    return { status, headers, body, statusLine: lines[0] };
  }
  async waitClosed(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await Promise.race([new Promise((res) => this.waiters.push(res)), sleep(Math.min(200, deadline - Date.now()))]);
    }
    return this.closed;
  }
  destroy() { this.sock.destroy(); }
}
