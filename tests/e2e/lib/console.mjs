// The developer console's APIs for the e2e tests: developers (console users), their apps and
// API keys made through /api/console, and the fixtures of the console and server API suites.
import assert from 'node:assert/strict';
import { startServer } from './tessera.mjs';
import { assertStatus, show } from './http.mjs';
import { rand, uniqEmail, sleep } from './util.mjs';

/** The settings every app has (the console API's `settings` object). */
export const SETTINGS = ['allow_signup', 'require_verified_email', 'email_code_login', 'magic_link_login',
  'password_min_length', 'access_token_ttl_s', 'refresh_token_ttl_s', 'mail_from', 'mail_sender_name',
  'redirect_uris', 'display_name', 'logo_url', 'accent_color', 'mfa', 'mfa_totp', 'mfa_passkeys',
  'passkey_origins', 'first_user_admin', 'device_flow', 'par', 'token_exchange', 'dpop', 'dpop_nonce',
  'dynamic_registration', 'backchannel_logout', 'signed_request_objects', 'pairwise_subjects', 'default_locale',
  'messages'];
export const form = (fields) => new URLSearchParams(fields).toString();
export const basic = (id, secret) =>
  'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

/** Polls `fn` until it returns something truthy (every 200 ms, at most `ms`). */
export async function until(what, fn, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Logs in to the console app: {email, password, id, token}. */
export async function signIn(srv, email, password) {
  const l = await srv.api('POST', '/api/login', { app: 'console', json: { email, password } });
  assertStatus(l, 200);
  return { email, password, id: l.body.user.id, token: l.body.access_token };
}

/** A console user signed up and logged in through the console app's account API. */
export async function developer(srv, tag = 'dev') {
  const email = uniqEmail(tag);
  const password = `pw-${rand(16)}`;
  assertStatus(await srv.api('POST', '/api/signup', { app: 'console', json: { email, password } }), 201);
  return signIn(srv, email, password);
}

/** An app created by `dev` through the console API, and an API key of it. */
export async function appWithKey(srv, dev, tag = 'app') {
  const slug = `${tag}-${rand(10)}`;
  const created = await srv.req('POST', '/api/console/apps', { token: dev.token, json: { slug, name: `App ${slug}` } });
  assertStatus(created, 201);
  const key = await srv.req('POST', `/api/console/apps/${slug}/api-keys`, { token: dev.token, json: { name: 'backend' } });
  assertStatus(key, 201);
  assert.match(key.body.key, /^tsk_[A-Za-z0-9_-]{20,}$/, show(key));
  return { slug, key: key.body.key, keyId: key.body.id };
}

/**
 * `invitee` joins `slug` by invitation (issue 11, item 7): `owner` invites their address with
 * `role`, the operator `op` marks the invitee's address verified (as its mail would), and the
 * invitee accepts from their list. `capi` is the fixture's /api/console helper.
 */
export async function joinByInvitation(capi, { owner, invitee, op, slug, role = 'member' }) {
  const invited = await capi(owner, 'POST', `/apps/${slug}/members`, { json: { email: invitee.email, role } });
  assertStatus(invited, 202);
  assertStatus(await capi(op, 'PATCH', `/apps/console/users/${invitee.id}`, { json: { email_verified: true } }), 200);
  const mine = await capi(invitee, 'GET', '/invitations');
  assertStatus(mine, 200);
  const inv = mine.body.invitations.find((i) => i.app.slug === slug);
  assert.ok(inv, show(mine));
  const accepted = await capi(invitee, 'POST', '/invitations/accept', { json: { id: inv.id } });
  assertStatus(accepted, 200);
  return accepted.body;
}

/**
 * A server with developers X and Y and an operator OP (made with the CLI), and the console
 * suites' request helpers: capi (/api/console), aapi (/api/admin), developer(tag), newApp(dev, tag).
 */
export async function startConsoleFixture(backend, label, serverOpts = {}) {
  const srv = await startServer({ postgres: backend === 'postgres', label, ...serverOpts });
  try {
    const capi = (dev, method, path, opts = {}) =>
      srv.req(method, `/api/console${path}`, { token: dev?.token, ...opts });
    const aapi = (dev, method, path, opts = {}) =>
      srv.req(method, `/api/admin${path}`, { token: dev?.token, ...opts });
    const newApp = async (dev, tag = 'c') => {
      const slug = `${tag}-${rand(10)}`;
      const res = await capi(dev, 'POST', '/apps', { json: { slug, name: `App ${slug}` } });
      assertStatus(res, 201);
      return res.body;
    };
    const X = await developer(srv, 'x');
    const Y = await developer(srv, 'y');
    const opEmail = uniqEmail('op');
    const opPassword = `pw-${rand(16)}`;
    await srv.createUser({ app: 'console', email: opEmail, password: opPassword, admin: true });
    const OP = await signIn(srv, opEmail, opPassword);
    return { srv, X, Y, OP, capi, aapi, newApp, developer: (tag) => developer(srv, tag) };
  } catch (e) {
    await srv.close();
    throw e;
  }
}

/**
 * A server with a developer `dev` owning apps A and B (each {slug, key, keyId}), and the server
 * API suites' helpers: sapi(method, path, {app, key}) (default: A's key), createUser(json, opts).
 */
export async function startServerApiFixture(backend, label) {
  const srv = await startServer({ postgres: backend === 'postgres', label });
  try {
    const dev = await developer(srv);
    const A = await appWithKey(srv, dev, 'sa');
    const B = await appWithKey(srv, dev, 'sb');
    /** A request to app `app`'s server API with `key` (default: A's). */
    const sapi = (method, path, { app = A.slug, key = A.key, ...opts } = {}) =>
      srv.api(method, `/api${path}`, { app, token: key ?? undefined, ...opts });
    const createUser = async (json, opts = {}) => {
      const res = await sapi('POST', '/users', { json, ...opts });
      assertStatus(res, 201);
      return res.body;
    };
    return { srv, dev, A, B, sapi, createUser };
  } catch (e) {
    await srv.close();
    throw e;
  }
}
