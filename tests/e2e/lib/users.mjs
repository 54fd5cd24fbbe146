// End users and their tokens for the e2e tests: the user JSON's shape, signup/login through
// the account API, and JWT decoding and ES256 verification.
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { assertStatus, assertProblem, show } from './http.mjs';
import { rand, uniqEmail } from './util.mjs';

export const USER_KEYS = ['id', 'app', 'email', 'email_verified', 'username', 'roles', 'disabled',
  'profile', 'created_at', 'updated_at', 'last_login_at'];
export const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Recursively finds keys that look like secrets. */
export function secretKeys(v, p = '') {
  const out = [];
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (/pass|hash|secret|salt/i.test(k)) out.push(p + k);
      out.push(...secretKeys(x, `${p}${k}.`));
    }
  }
  return out;
}

export function assertUserShape(u, { app, email, username, ctx = '' } = {}) {
  const msg = `${ctx} user=${JSON.stringify(u)}`;
  assert.ok(u && typeof u === 'object', msg);
  for (const k of USER_KEYS) assert.ok(k in u, `user lacks "${k}": ${msg}`);
  assert.match(u.id, UUID_RE, msg);
  if (app) assert.equal(u.app, app, msg);
  if (email) assert.equal(u.email, email, msg);
  if (username !== undefined) assert.equal(u.username, username, msg);
  assert.equal(typeof u.email_verified, 'boolean', msg);
  assert.ok(Array.isArray(u.roles), msg);
  assert.equal(u.disabled, false, msg);
  assert.ok(u.profile && typeof u.profile === 'object' && !Array.isArray(u.profile), msg);
  assert.match(u.created_at, ISO_RE, msg);
  assert.match(u.updated_at, ISO_RE, msg);
  assert.ok(u.last_login_at === null || ISO_RE.test(u.last_login_at), msg);
  assert.deepEqual(secretKeys(u), [], `secret-looking keys in user: ${msg}`);
  assert.ok(!JSON.stringify(u).includes('$argon2'), msg);
}

/** Signs up a fresh user; returns {email, password, username, user}. */
/** The account API's token response (200) for `u` ({email, user?}): a Bearer JWT, a refresh
 * token and the user. Returns the body. */
export function assertTokenResponse(res, u) {
  assertStatus(res, 200);
  const b = res.body;
  assert.equal(b.token_type, 'Bearer', show(res));
  assert.equal(b.access_token.split('.').length, 3, show(res));
  assert.match(b.refresh_token, /^tsr_/, show(res));
  assertUserShape(b.user, { email: u.email, ctx: 'token response' });
  if (u.user) assert.equal(b.user.id, u.user.id, show(res));
  return b;
}

/** The 403 mfa-required a first factor gets when the user has a second (docs/api.md, "Second
 * factors"): a single-use mfa_token for 10 minutes, the `methods` that may complete it, no
 * tokens. Returns the body. */
export function assertMfaRequired(res, methods) {
  const body = assertProblem(res, 403, 'mfa-required');
  assert.match(body.mfa_token, /^tmfa_[A-Za-z0-9_-]{20,}$/, show(res));
  assert.equal(body.expires_in, 600, show(res));
  assert.deepEqual(body.methods, methods, show(res));
  assert.equal(body.access_token, undefined, 'no tokens before the second factor');
  return body;
}

export async function signup(srv, { email = uniqEmail(), password = `pw-${rand(16)}`, username, profile, app } = {}) {
  const json = { email, password };
  if (username) json.username = username;
  if (profile) json.profile = profile;
  const res = await srv.api('POST', '/api/signup', { json, app });
  assertStatus(res, 201);
  return { email, password, username: username ?? null, user: res.body };
}

export async function login(srv, ident, password, { app, headers } = {}) {
  const json = { ...(typeof ident === 'string' ? { login: ident } : ident), password };
  const res = await srv.api('POST', '/api/login', { json, app, headers });
  assertStatus(res, 200);
  return res.body;
}

/** Signs up and logs in: {email, password, user, tokens}. */
export async function newSession(srv, opts = {}) {
  const u = await signup(srv, opts);
  const tokens = await login(srv, { email: u.email }, u.password, opts);
  return { ...u, tokens };
}

// ---------- JWT ----------
export function b64urlJson(seg) {
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
}
export function decodeJwt(token) {
  const [h, p, s] = token.split('.');
  return { header: b64urlJson(h), claims: b64urlJson(p), signature: Buffer.from(s ?? '', 'base64url'), parts: [h, p, s] };
}
export function encodeJwt(header, claims, signature = '') {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc(header)}.${enc(claims)}.${signature}`;
}
export function verifyEs256(token, jwk) {
  const [h, p, s] = token.split('.');
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  return crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'));
}
