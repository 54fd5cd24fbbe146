// Passkeys through the JSON account API (docs/api.md, "Passkeys through the API"), end to end
// against the real binary, with a software authenticator (lib/soft_authenticator.mjs) playing
// the browser and platform authenticator of an app's own front end:
// - me/mfa/passkeys/options + me/mfa/passkeys: the creation options, the factor (kind
//   webauthn) and, with the first factor, 10 recovery codes; excludeCredentials afterwards;
// - login/passkey/options + login/passkey: with user verification, tokens at once; without,
//   403 mfa-required, then login/mfa/passkey + login/mfa, where the same passkey counts again
//   only with user verification (or a recovery code completes);
// - a password, then a security key without user verification as the second factor;
// - policy "required" with passkeys only: mfa-enrollment-required ["passkey"] →
//   login/mfa/passkey (mode register) → login/mfa → tokens + recovery codes;
// - origins: another web origin or an Android app counts once it is in the app's
//   passkey_origins (console API or `tessera admin update-app --passkey-origin`), for that app
//   only; /.well-known/webauthn lists the web ones; invalid values are refused;
// - refused without tokens: a replayed answer, one bound to another passkey_token, another
//   app's passkey or mfa_token, a challenge never sent, another user handle, RP ID, type, a
//   cross-origin frame, a forged signature, no user presence, a disabled account; a
//   registration failing its checks adds nothing; malformed bodies; a personal API token
//   adding a passkey; an app without passkeys;
// - an assertion failing a check the client can fix (origin, type, RP ID, a cross-origin
//   frame, user presence) is 400 naming the check; a sign counter going back is 409.
//
// The RP ID is PUBLIC_URL's host, and an IP address is no RP ID: like passkeys.test.mjs this
// server's PUBLIC_URL is http://localhost:<port>, the page origin of its own ceremonies.
// The access token carries no amr (only an ID token does): the audit trail shows how a
// session signed in.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/passkeys_api.test.mjs
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  backends, startServer, freePort, test, describe, before, after, rand, uniqEmail, show,
  assertStatus, assertProblem, newSession, assertTokenResponse, assertMfaRequired,
} from './lib/server.mjs';
import { developer, appWithKey } from './lib/console.mjs';
import { TotpDevice } from './lib/totp.mjs';
import { SoftAuthenticator } from './lib/soft_authenticator.mjs';

const RECOVERY_RE = /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/;
const B64URL_RE = /^[A-Za-z0-9_-]+$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FRONT_END = 'https://app.example.com';
const ANDROID = `android:apk-key-hash:${crypto.createHash('sha256').update('test signing cert').digest('base64url')}`;

for (const backend of backends()) {
  describe(`passkeys through the JSON API [${backend}]`, () => {
    let srv, web, dev, A, B;
    const RP_ID = 'localhost';

    before(async () => {
      const port = await freePort();
      srv = await startServer({ port, publicUrl: `http://localhost:${port}`, postgres: backend === 'postgres',
        isolatedSchema: true, label: `passkeys-api-${backend}` });
      web = `http://localhost:${port}`;
      dev = await developer(srv, 'pkdev');
      A = await appWithKey(srv, dev, 'pka');
      B = await appWithKey(srv, dev, 'pkb');
    });
    after(async () => {
      await srv?.close();
    });

    // ------------------------------------------------------------------ helpers
    const api = (app, method, path, opts = {}) => srv.api(method, `/api${path}`, { app, ...opts });
    const sapi = (app, method, path, opts = {}) => srv.api(method, `/api${path}`, { app: app.slug, token: app.key, ...opts });
    const capi = (method, path, opts = {}) => srv.req(method, `/api/console${path}`, { token: dev.token, ...opts });

    /** A signed-up, logged-in user of `app` (slug): {email, password, user, at}. */
    async function newUser(app) {
      const u = await newSession(srv, { app, email: uniqEmail('pk') });
      return { ...u, at: u.tokens.access_token };
    }

    const assertTokens = assertTokenResponse;
    /** A refusal: the problem of `status`/`type`, and no token in it. */
    function refused(res, status, type, opts) {
      const body = assertProblem(res, status, type, opts);
      assert.equal(body.access_token, undefined, `no tokens: ${show(res)}`);
      assert.equal(body.refresh_token, undefined, `no tokens: ${show(res)}`);
      assert.equal(body.mfa_token, undefined, `no mfa_token: ${show(res)}`);
      return body;
    }

    /**
     * An answer that failed one of the WebAuthn checks: 400 malformed-request naming the
     * check in `detail` (docs/api.md).
     */
    function failedCheck(res, detail) {
      const body = refused(res, 400, 'malformed-request');
      assert.match(body.detail ?? '', detail, show(res));
      return body;
    }

    /** me/mfa/passkeys/options for `u` (asserted 200): the creation options. */
    async function creationOptions(app, u) {
      const res = await api(app, 'POST', '/me/mfa/passkeys/options', { token: u.at });
      assertStatus(res, 200);
      assert.deepEqual(Object.keys(res.body), ['publicKey'], show(res));
      return res.body.publicKey;
    }

    /** Adds a passkey of `auth` to `u` through me/mfa/passkeys: {factor, codes, credentialId}. */
    async function addPasskey(app, u, auth, { uv = true, name, origin = web } = {}) {
      const passkey = auth.create(await creationOptions(app, u), { origin, uv });
      const res = await api(app, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey, ...(name ? { name } : {}) } });
      assertStatus(res, 201);
      return { factor: res.body.factor, codes: res.body.recovery_codes, credentialId: passkey.id };
    }

    /** login/passkey/options (asserted 200): {passkey_token, publicKey}. */
    async function signInOptions(app) {
      const res = await api(app, 'POST', '/login/passkey/options');
      assertStatus(res, 200);
      return res.body;
    }

    /** A passkey sign-in with `auth`: options, the ceremony (`get` options), login/passkey's answer. */
    async function passkeySignIn(app, auth, get = {}) {
      const { passkey_token, publicKey } = await signInOptions(app);
      const passkey = auth.get(publicKey, { origin: web, ...get });
      return api(app, 'POST', '/login/passkey', { json: { passkey_token, passkey } });
    }

    /** The 403 mfa-required of a first factor: its body. */
    const needsSecondFactor = assertMfaRequired;

    /** login/mfa/passkey for `mfa_token` (asserted 200 and `mode`): the options. */
    async function secondStepOptions(app, mfaToken, mode = 'authenticate') {
      const res = await api(app, 'POST', '/login/mfa/passkey', { json: { mfa_token: mfaToken } });
      assertStatus(res, 200);
      assert.deepEqual(Object.keys(res.body).sort(), ['mode', 'publicKey'], show(res));
      assert.equal(res.body.mode, mode, show(res));
      return res.body.publicKey;
    }

    /** The app's audit events about `userId` of `action`. */
    async function auditOf(app, userId, action) {
      const res = await sapi(app, 'GET', `/audit-events?subject_id=${userId}&action=${action}&limit=100`);
      assertStatus(res, 200);
      return res.body.events;
    }

    // ------------------------------------------------------------------ tests
    test('register with me/mfa/passkeys (10 recovery codes), then a passkey with user verification signs in alone', async () => {
      const u = await newUser(A.slug);
      const auth = new SoftAuthenticator();
      const opts = await creationOptions(A.slug, u);
      assert.deepEqual(opts.rp, { id: RP_ID, name: `App ${A.slug}` });
      assert.equal(Buffer.from(opts.user.id, 'base64url').toString(), u.user.id, 'user.id: the user id, base64url');
      assert.equal(opts.user.displayName, u.email);
      assert.ok(opts.user.name.startsWith(u.email), `user.name names the account: ${opts.user.name}`);
      assert.match(opts.challenge, B64URL_RE);
      assert.ok(Buffer.from(opts.challenge, 'base64url').length >= 16, 'a challenge of 16 bytes at least');
      assert.ok(opts.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === -7), JSON.stringify(opts));
      assert.equal(opts.attestation, 'none');
      assert.equal(opts.authenticatorSelection.residentKey, 'required');
      assert.deepEqual(opts.excludeCredentials, []);

      const passkey = auth.create(opts, { origin: web });
      const res = await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey, name: 'Laptop' } });
      assertStatus(res, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['factor', 'recovery_codes'], show(res));
      const f = res.body.factor;
      assert.deepEqual(Object.keys(f).sort(), ['created_at', 'id', 'kind', 'last_used_at', 'name'], show(res));
      assert.match(f.id, UUID_RE);
      assert.equal(f.kind, 'webauthn');
      assert.equal(f.name, 'Laptop');
      assert.equal(f.last_used_at, null);
      const codes = res.body.recovery_codes;
      assert.equal(codes.length, 10, show(res));
      for (const c of codes) assert.match(c, RECOVERY_RE);
      assert.equal(new Set(codes).size, 10);
      assert.ok(!res.text.includes(passkey.response.publicKey), 'no key material in the answer');

      // The same answer again: its challenge was spent.
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey } }), 401, 'unauthorized');
      const overview = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assertStatus(overview, 200);
      assert.deepEqual(overview.body.factors.map((x) => [x.id, x.kind, x.name]), [[f.id, 'webauthn', 'Laptop']], show(overview));
      assert.equal(overview.body.recovery_codes_left, 10);

      // A second passkey: the first is excluded; no new recovery codes.
      const opts2 = await creationOptions(A.slug, u);
      assert.deepEqual(opts2.excludeCredentials, [{ type: 'public-key', id: passkey.id }]);
      assert.throws(() => auth.create(opts2, { origin: web }), { name: 'InvalidStateError' });
      const second = await addPasskey(A.slug, u, new SoftAuthenticator(), { name: 'Phone' });
      assert.equal(second.codes, undefined, 'codes come with the first factor only');
      assert.equal(second.factor.name, 'Phone');

      // Passwordless: discoverable credentials, none listed.
      const so = await api(A.slug, 'POST', '/login/passkey/options');
      assertStatus(so, 200);
      assert.deepEqual(Object.keys(so.body).sort(), ['expires_in', 'passkey_token', 'publicKey'], show(so));
      assert.match(so.body.passkey_token, /^tpk_[A-Za-z0-9_-]{20,}$/);
      assert.equal(so.body.expires_in, 300);
      const pk = so.body.publicKey;
      assert.equal(pk.rpId, RP_ID);
      assert.equal(pk.userVerification, 'preferred');
      assert.deepEqual(pk.allowCredentials, []);
      assert.match(pk.challenge, B64URL_RE);
      assertStatus(await api(A.slug, 'POST', '/login/passkey/options', { json: {} }), 200);
      const answer = auth.get(pk, { origin: web, uv: true });
      assert.equal(Buffer.from(answer.response.userHandle, 'base64url').toString(), u.user.id);
      const signedIn = assertTokens(await api(A.slug, 'POST', '/login/passkey',
        { json: { passkey_token: so.body.passkey_token, passkey: answer } }), u);
      assert.equal(signedIn.recovery_codes, undefined);
      const me = await api(A.slug, 'GET', '/me', { token: signedIn.access_token });
      assertStatus(me, 200);
      assert.equal(me.body.id, u.user.id);
      const used = await api(A.slug, 'GET', '/me/mfa', { token: signedIn.access_token });
      assert.ok(used.body.factors.find((x) => x.id === f.id).last_used_at, `last_used_at set: ${show(used)}`);
      assert.equal(used.body.factors.find((x) => x.id === second.factor.id).last_used_at, null);
      // A session that signed in just now (both factors): it may make new recovery codes.
      const fresh = await api(A.slug, 'POST', '/me/mfa/recovery-codes', { token: signedIn.access_token });
      assertStatus(fresh, 200);
      assert.equal(fresh.body.recovery_codes.length, 10);

      const logins = await auditOf(A, u.user.id, 'user.login');
      assert.ok(logins.some((e) => e.details?.method === 'passkey' && e.outcome === 'success'), JSON.stringify(logins));
      const verified = await auditOf(A, u.user.id, 'mfa.verified');
      assert.ok(verified.some((e) => e.details?.method === 'passkey' && e.details?.factor_id === f.id), JSON.stringify(verified));
      const enrolled = await auditOf(A, u.user.id, 'mfa.factor_enrolled');
      assert.equal(enrolled.filter((e) => e.details?.kind === 'webauthn' && e.outcome === 'success').length, 2, JSON.stringify(enrolled));
    });

    test('without user verification a passkey is a first factor: 403 mfa-required; the same passkey again needs user verification (or a recovery code)', async () => {
      const u = await newUser(A.slug);
      const auth = new SoftAuthenticator();
      const { codes, credentialId } = await addPasskey(A.slug, u, auth);

      const first = await passkeySignIn(A.slug, auth, { uv: false });
      const need = needsSecondFactor(first, ['passkey', 'recovery_code']);
      const opts = await secondStepOptions(A.slug, need.mfa_token);
      assert.equal(opts.rpId, RP_ID);
      assert.deepEqual(opts.allowCredentials, [{ type: 'public-key', id: credentialId }]);
      // The same passkey, present but not verified: not a second factor.
      const twice = await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token,
        passkey: auth.get(opts, { origin: web, uv: false }) } });
      refused(twice, 401, 'unauthorized');
      assert.match(twice.body.detail ?? '', /screen lock|verif/i, show(twice));
      // The mfa_token stays good: new options, verified this time.
      const opts2 = await secondStepOptions(A.slug, need.mfa_token);
      assert.notEqual(opts2.challenge, opts.challenge);
      const done = assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token,
        passkey: auth.get(opts2, { origin: web, uv: true }) } }), u);
      assertStatus(await api(A.slug, 'GET', '/me', { token: done.access_token }), 200);
      // Spent.
      assertProblem(await api(A.slug, 'POST', '/login/mfa/passkey', { json: { mfa_token: need.mfa_token } }), 404, 'not-found');

      // Or: passkey without user verification, then a recovery code.
      const again = needsSecondFactor(await passkeySignIn(A.slug, auth, { uv: false }), ['passkey', 'recovery_code']);
      assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: again.mfa_token, recovery_code: codes[0] } }), u);
      const failed = await auditOf(A, u.user.id, 'mfa.failed');
      assert.ok(failed.some((e) => e.details?.reason === 'passkey_twice_without_verification'), JSON.stringify(failed));
    });

    test('a password, then a passkey as the second factor (a security key: no user verification needed); login/mfa/passkey refuses an account without passkeys', async () => {
      const u = await newUser(A.slug);
      const auth = new SoftAuthenticator();
      await addPasskey(A.slug, u, auth, { uv: false, name: 'Security key' });
      const res = await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } });
      const need = needsSecondFactor(res, ['passkey', 'recovery_code']);
      // No enrolment is asked for here.
      assertProblem(await api(A.slug, 'POST', '/login/mfa/totp', { json: { mfa_token: need.mfa_token } }), 409, 'conflict');
      const opts = await secondStepOptions(A.slug, need.mfa_token);
      const passkey = auth.get(opts, { origin: web, uv: false });
      const done = assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, passkey } }), u);
      assert.equal(done.recovery_codes, undefined, 'no enrolment, no codes');
      // The answer again (the mfa_token is spent, and so is the challenge).
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, passkey } }), 404, 'not-found');

      // Another account's passkey is not this user's second factor.
      const other = await newUser(A.slug);
      const otherAuth = new SoftAuthenticator();
      await addPasskey(A.slug, other, otherAuth);
      const need2 = needsSecondFactor(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }),
        ['passkey', 'recovery_code']);
      const opts2 = await secondStepOptions(A.slug, need2.mfa_token);
      const theirs = otherAuth.get({ ...opts2, allowCredentials: [] }, { origin: web });
      refused(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need2.mfa_token, passkey: theirs } }), 401, 'unauthorized');

      // An account whose only factor is an authenticator app: no passkey to ask for.
      const t = await newUser(A.slug);
      const begun = await api(A.slug, 'POST', '/me/mfa/totp', { token: t.at });
      assertStatus(begun, 201);
      const device = new TotpDevice(begun.body.secret);
      assertStatus(await api(A.slug, 'POST', `/me/mfa/totp/${begun.body.factor_id}/confirm`, { token: t.at, json: { code: device.now() } }), 200);
      const needT = needsSecondFactor(await api(A.slug, 'POST', '/login', { json: { email: t.email, password: t.password } }),
        ['totp', 'recovery_code']);
      assertProblem(await api(A.slug, 'POST', '/login/mfa/passkey', { json: { mfa_token: needT.mfa_token } }), 409, 'conflict');
    });

    test('policy "required" with passkeys only: mfa-enrollment-required ["passkey"] → login/mfa/passkey (register) → login/mfa → tokens and recovery codes', async () => {
      const C = await appWithKey(srv, dev, 'pkr');
      const patched = await capi('PATCH', `/apps/${C.slug}`, { json: { settings: { mfa: 'required', mfa_totp: false } } });
      assertStatus(patched, 200);
      assert.equal(patched.body.settings.mfa_passkeys, true, show(patched));
      const email = uniqEmail('req');
      const password = `pw-${rand(16)}`;
      const su = await api(C.slug, 'POST', '/signup', { json: { email, password } });
      assertStatus(su, 201);
      const u = { email, password, user: su.body };

      const res = await api(C.slug, 'POST', '/login', { json: { email, password } });
      const need = assertProblem(res, 403, 'mfa-enrollment-required');
      assert.deepEqual(need.methods, ['passkey'], show(res));
      assert.match(need.mfa_token, /^tmfa_/);
      assert.equal(need.access_token, undefined);
      // No authenticator apps in this app.
      assert.equal((await api(C.slug, 'POST', '/login/mfa/totp', { json: { mfa_token: need.mfa_token } })).status, 403);

      const opts = await secondStepOptions(C.slug, need.mfa_token, 'register');
      assert.equal(opts.rp.id, RP_ID);
      assert.equal(Buffer.from(opts.user.id, 'base64url').toString(), u.user.id);
      assert.equal(opts.user.displayName, email);
      assert.deepEqual(opts.excludeCredentials, []);
      const auth = new SoftAuthenticator();
      const passkey = auth.create(opts, { origin: web });
      const done = await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, passkey } });
      const tokens = assertTokens(done, u);
      assert.equal(done.body.recovery_codes?.length, 10, show(done));
      for (const c of done.body.recovery_codes) assert.match(c, RECOVERY_RE);
      const mine = await api(C.slug, 'GET', '/me/mfa', { token: tokens.access_token });
      assertStatus(mine, 200);
      assert.equal(mine.body.policy, 'required');
      assert.deepEqual(mine.body.factors.map((f) => f.kind), ['webauthn'], show(mine));
      assert.equal(mine.body.recovery_codes_left, 10);
      // Spent: the same registration does not go twice.
      assertProblem(await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, passkey } }), 404, 'not-found');

      // From now on the password asks for the passkey; no enrolment any more.
      const next = needsSecondFactor(await api(C.slug, 'POST', '/login', { json: { email, password } }), ['passkey', 'recovery_code']);
      const opts2 = await secondStepOptions(C.slug, next.mfa_token);
      assert.deepEqual(opts2.allowCredentials, [{ type: 'public-key', id: passkey.id }]);
      assertTokens(await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: next.mfa_token,
        passkey: auth.get(opts2, { origin: web }) } }), u);
      // And it signs in alone.
      assertTokens(await passkeySignIn(C.slug, auth), u);
    });

    test('origins: another web origin or an Android app counts once listed in passkey_origins, for that app only; /.well-known/webauthn lists the web ones; invalid values are refused', async () => {
      const D = await appWithKey(srv, dev, 'pko');
      const u = await newUser(D.slug);
      const auth = new SoftAuthenticator();
      // From the app's own front end: not yet allowed.
      const regOpts = await creationOptions(D.slug, u);
      const early = await api(D.slug, 'POST', '/me/mfa/passkeys', { token: u.at,
        json: { passkey: new SoftAuthenticator().create(regOpts, { origin: FRONT_END }) } });
      failedCheck(early, /origin https:\/\/app\.example\.com is not/);
      const { credentialId } = await addPasskey(D.slug, u, auth, { origin: web });
      for (const origin of [FRONT_END, ANDROID]) {
        failedCheck(await passkeySignIn(D.slug, auth, { origin, credential: credentialId }), /is not allowed here/);
      }

      // Invalid values: refused, nothing changes.
      const before = await capi('GET', `/apps/${D.slug}`);
      assertStatus(before, 200);
      assert.deepEqual(before.body.settings.passkey_origins, []);
      for (const bad of [`${FRONT_END}/login`, 'http://app.example.com', 'android:apk-key-hash:tooShort',
        `${ANDROID}=`, 'https://App.Example.com', `${FRONT_END}?x=1`, 'app.example.com']) {
        const res = await capi('PATCH', `/apps/${D.slug}`, { json: { settings: { passkey_origins: [FRONT_END, bad] } } });
        assertProblem(res, 400, 'validation-error', { field: /passkey_origins/ });
        assert.ok(res.body.errors.some((e) => e.message.includes(bad)), `the bad value is named: ${show(res)}`);
      }
      assertProblem(await capi('PATCH', `/apps/${D.slug}`, { json: { settings: { passkey_origins: FRONT_END } } }),
        400, 'validation-error', { field: /passkey_origins/ });
      const unchanged = await capi('GET', `/apps/${D.slug}`);
      assert.deepEqual(unchanged.body.settings.passkey_origins, [], show(unchanged));
      failedCheck(await passkeySignIn(D.slug, auth, { origin: FRONT_END, credential: credentialId }), /is not allowed here/);

      // Allowed: exactly these.
      const ok = await capi('PATCH', `/apps/${D.slug}`, { json: { settings: { passkey_origins: [FRONT_END, ANDROID] } } });
      assertStatus(ok, 200);
      assert.deepEqual(ok.body.settings.passkey_origins, [FRONT_END, ANDROID], show(ok));
      for (const origin of [FRONT_END, ANDROID, web]) {
        assertTokens(await passkeySignIn(D.slug, auth, { origin, credential: credentialId }), u);
      }
      failedCheck(await passkeySignIn(D.slug, auth, { origin: `${FRONT_END}:8443`, credential: credentialId }), /:8443 is not allowed here/);
      // A passkey added from the front end.
      const fromFrontEnd = await addPasskey(D.slug, u, new SoftAuthenticator(), { origin: FRONT_END, name: 'Front end' });
      assert.equal(fromFrontEnd.factor.kind, 'webauthn');
      // The second step from the Android app.
      const need = needsSecondFactor(await api(D.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }),
        ['passkey', 'recovery_code']);
      const opts = await secondStepOptions(D.slug, need.mfa_token);
      assertTokens(await api(D.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token,
        passkey: auth.get(opts, { origin: ANDROID, credential: credentialId }) } }), u);

      // For app D only: app A does not take D's origins.
      const a = await newUser(A.slug);
      const aAuth = new SoftAuthenticator();
      await addPasskey(A.slug, a, aAuth);
      failedCheck(await passkeySignIn(A.slug, aAuth, { origin: FRONT_END }), /is not allowed here/);

      // The CLI sets them too (before the server reads the app).
      const E = `pkc-${rand(8)}`;
      await srv.createApp(E, 'Cli Origins');
      const shop = 'https://shop.example.org:8443';
      const cliAndroid = `android:apk-key-hash:${crypto.createHash('sha256').update('cli cert').digest('base64url')}`;
      await srv.admin(['update-app', '--app', E, '--passkey-origin', shop, '--passkey-origin', cliAndroid]);
      await assert.rejects(srv.admin(['update-app', '--app', E, '--passkey-origin', 'http://shop.example.org']),
        /not an origin/);
      const e = await newUser(E);
      const eAuth = new SoftAuthenticator();
      await addPasskey(E, e, eAuth, { origin: shop });
      assertTokens(await passkeySignIn(E, eAuth, { origin: cliAndroid }), e);

      // The Related Origin Requests list: every app's web origins, first fetched now.
      const wk = await srv.req('GET', '/.well-known/webauthn');
      assertStatus(wk, 200);
      assert.match(wk.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(wk.headers.get('cache-control') ?? '', /max-age=\d+/);
      assert.deepEqual(Object.keys(wk.body), ['origins'], show(wk));
      assert.ok(wk.body.origins.includes(FRONT_END), show(wk));
      assert.ok(wk.body.origins.includes(shop), show(wk));
      assert.ok(!wk.body.origins.some((o) => o.startsWith('android:')), `no Android origin: ${show(wk)}`);
      assert.equal(new Set(wk.body.origins).size, wk.body.origins.length, 'no duplicates');
    });

    test('refused answers issue no tokens: replayed, bound to another passkey_token, another app\'s passkey, another challenge / user handle / RP ID / type, forged, no user presence', async () => {
      const u = await newUser(A.slug);
      const auth = new SoftAuthenticator();
      const { credentialId } = await addPasskey(A.slug, u, auth);

      // Replayed: the same answer twice.
      const { passkey_token, publicKey } = await signInOptions(A.slug);
      const answer = auth.get(publicKey, { origin: web });
      assertTokens(await api(A.slug, 'POST', '/login/passkey', { json: { passkey_token, passkey: answer } }), u);
      refused(await api(A.slug, 'POST', '/login/passkey', { json: { passkey_token, passkey: answer } }), 401, 'unauthorized');

      // Bound to another passkey_token: refused, and nothing of the right one is spent.
      const one = await signInOptions(A.slug);
      const two = await signInOptions(A.slug);
      const forOne = auth.get(one.publicKey, { origin: web });
      refused(await api(A.slug, 'POST', '/login/passkey', { json: { passkey_token: two.passkey_token, passkey: forOne } }), 401, 'unauthorized');
      refused(await api(A.slug, 'POST', '/login/passkey', { json: { passkey_token: `tpk_${rand(43)}`, passkey: forOne } }), 401, 'unauthorized');
      assertTokens(await api(A.slug, 'POST', '/login/passkey', { json: { passkey_token: one.passkey_token, passkey: forOne } }), u);

      // App A's passkey on app B (same RP ID): unknown there; A's answer posted to B too.
      refused(await passkeySignIn(B.slug, auth), 401, 'unauthorized');
      const forA = await signInOptions(A.slug);
      const answerA = auth.get(forA.publicKey, { origin: web });
      refused(await api(B.slug, 'POST', '/login/passkey', { json: { passkey_token: forA.passkey_token, passkey: answerA } }), 401, 'unauthorized');
      // An mfa_token of A on B.
      const needA = needsSecondFactor(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }),
        ['passkey', 'recovery_code']);
      assertProblem(await api(B.slug, 'POST', '/login/mfa/passkey', { json: { mfa_token: needA.mfa_token } }), 404, 'not-found');

      // A challenge this server never sent, another user handle, a forged signature: 401.
      refused(await passkeySignIn(A.slug, auth, { credential: credentialId, challenge: crypto.randomBytes(40).toString('base64url') }),
        401, 'unauthorized');
      refused(await passkeySignIn(A.slug, auth, { credential: credentialId, userHandle: Buffer.from(crypto.randomUUID()) }),
        401, 'unauthorized');
      const forged = await signInOptions(A.slug);
      const bad = auth.get(forged.publicKey, { origin: web });
      const sig = Buffer.from(bad.response.signature, 'base64url');
      sig[sig.length - 1] ^= 0x01;
      bad.response.signature = sig.toString('base64url');
      refused(await api(A.slug, 'POST', '/login/passkey', { json: { passkey_token: forged.passkey_token, passkey: bad } }), 401, 'unauthorized');
      // Another RP ID, type, a cross-origin frame, no user presence: 400 naming the check.
      for (const [detail, tamper] of [[/RP ID hash is not this server's/, { rpId: 'evil.example' }],
        [/clientDataJSON\.type is not webauthn\.get/, { type: 'webauthn.create' }],
        [/cross-origin frame/, { crossOrigin: true }], [/user was not present/, { up: false, uv: false }]]) {
        failedCheck(await passkeySignIn(A.slug, auth, { credential: credentialId, ...tamper }), detail);
      }
      // Still good with a right answer; each refusal was audited.
      assertTokens(await passkeySignIn(A.slug, auth), u);
      const failed = await auditOf(A, u.user.id, 'mfa.failed');
      const reasons = failed.map((e) => e.details?.reason);
      assert.ok(reasons.filter((r) => r === 'user_handle_mismatch').length === 1, JSON.stringify(reasons));
      assert.ok(reasons.filter((r) => r === 'invalid_assertion').length >= 1, JSON.stringify(reasons));

      // A disabled account's passkey signs in no more (401, like its password).
      assertStatus(await sapi(A, 'PATCH', `/users/${u.user.id}`, { json: { disabled: true } }), 200);
      refused(await passkeySignIn(A.slug, auth), 401, 'unauthorized');
      assert.ok((await auditOf(A, u.user.id, 'mfa.failed')).some((e) => e.details?.reason === 'account_unavailable'));
    });

    // docs/api.md: a check the client can fix is 400 malformed-request naming it ("the origin …
    // is not allowed here", the ceremony's type); the same for the second step.
    test('an assertion failing a named check is 400 naming it: an origin not allowed, clientDataJSON.type', async () => {
      const u = await newUser(A.slug);
      const auth = new SoftAuthenticator();
      await addPasskey(A.slug, u, auth);
      failedCheck(await passkeySignIn(A.slug, auth, { origin: FRONT_END }), /origin https:\/\/app\.example\.com is not/);
      failedCheck(await passkeySignIn(A.slug, auth, { origin: ANDROID }), /origin android:apk-key-hash:\S+ is not/);
      failedCheck(await passkeySignIn(A.slug, auth, { type: 'webauthn.create' }), /type/);
      const need = needsSecondFactor(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }),
        ['passkey', 'recovery_code']);
      const opts = await secondStepOptions(A.slug, need.mfa_token);
      failedCheck(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token,
        passkey: auth.get(opts, { origin: FRONT_END }) } }), /origin https:\/\/app\.example\.com is not/);
    });

    // docs/api.md and openapi.json: "409 when the sign counter went back (a cloned authenticator)".
    test('a sign counter going back (a cloned authenticator) is 409; the real authenticator goes on', async () => {
      const u = await newUser(A.slug);
      const auth = new SoftAuthenticator();
      const { credentialId } = await addPasskey(A.slug, u, auth);
      assertTokens(await passkeySignIn(A.slug, auth), u); // signCount 1
      assertTokens(await passkeySignIn(A.slug, auth), u); // signCount 2
      const cloned = await passkeySignIn(A.slug, auth, { credential: credentialId, signCount: 1 });
      refused(cloned, 409, 'conflict');
      assertTokens(await passkeySignIn(A.slug, auth, { credential: credentialId, signCount: 3 }), u);
      const failed = await auditOf(A, u.user.id, 'mfa.failed');
      assert.deepEqual(failed.map((e) => e.details?.reason), ['counter_regression'], JSON.stringify(failed));
    });

    test('registration checks: another RP ID, type, challenge, another session\'s options, user presence are 400/401, and no factor is added', async () => {
      const u = await newUser(A.slug);
      const other = await newUser(A.slug);
      const cases = [
        ['another RP ID', { rpId: 'evil.example' }, 400, /RP ID/],
        ['clientDataJSON.type webauthn.get', { type: 'webauthn.get' }, 400, /type/],
        ['no user presence', { up: false }, 400, /present/],
        ['a challenge this server never sent', { challenge: crypto.randomBytes(32).toString('base64url') }, 401, /expired/],
      ];
      for (const [what, tamper, status, detail] of cases) {
        const passkey = new SoftAuthenticator().create(await creationOptions(A.slug, u), { origin: web, ...tamper });
        const res = await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey } });
        refused(res, status);
        assert.match(res.body.detail ?? '', detail, `${what}: ${show(res)}`);
      }
      // Options of another user's session.
      const theirs = new SoftAuthenticator().create(await creationOptions(A.slug, other), { origin: web });
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey: theirs } }), 401, 'unauthorized');
      // A second session of the same user.
      const li = await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } });
      assertStatus(li, 200);
      const otherSession = new SoftAuthenticator().create(await creationOptions(A.slug, u), { origin: web });
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: li.body.access_token, json: { passkey: otherSession } }), 401, 'unauthorized');
      const overview = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assert.deepEqual(overview.body.factors, [], show(overview));
      assert.equal(overview.body.recovery_codes_left, 0);
      // Login needs the password only.
      assertStatus(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }), 200);
    });

    test('malformed bodies are 400 naming the member; a personal API token cannot add passkeys (409); an app without passkeys offers none (403)', async () => {
      const u = await newUser(A.slug);
      const auth = new SoftAuthenticator();
      await addPasskey(A.slug, u, auth);
      const { passkey_token, publicKey } = await signInOptions(A.slug);
      const passkey = auth.get(publicKey, { origin: web });
      const post = (json) => api(A.slug, 'POST', '/login/passkey', { json });
      refused(await post({ passkey_token, passkey: JSON.stringify(passkey) }), 400, 'validation-error', { field: 'passkey' });
      refused(await post({ passkey_token, passkey: [passkey] }), 400, 'validation-error', { field: 'passkey' });
      refused(await post({ passkey_token }), 400, 'validation-error', { field: 'passkey' });
      refused(await post({ passkey }), 400, 'validation-error', { field: 'passkey_token' });
      refused(await post({ passkey_token: 42, passkey }), 400, 'validation-error', { field: 'passkey_token' });
      refused(await post({ passkey_token, passkey, remember: true }), 400, 'validation-error', { field: 'remember' });
      for (const broken of [{ ...passkey, type: 'password' }, { ...passkey, response: 'x' }, { ...passkey, id: '' },
        { ...passkey, response: { ...passkey.response, clientDataJSON: '***' } },
        { ...passkey, response: { ...passkey.response, clientDataJSON: undefined } }]) {
        const res = await post({ passkey_token, passkey: broken });
        refused(res, 400);
        assert.match(res.body.detail ?? '', /passkey response/, show(res));
      }
      const text = await srv.api('POST', '/api/login/passkey', { app: A.slug, body: JSON.stringify({ passkey_token, passkey }),
        headers: { 'content-type': 'text/plain' } });
      assert.equal(text.status, 415, show(text));
      refused(await api(A.slug, 'POST', '/login/passkey/options', { json: { user: u.email } }), 400, 'validation-error', { field: 'user' });
      // None of that spent the challenge.
      assertTokens(await post({ passkey_token, passkey }), u);

      // login/mfa and login/mfa/passkey.
      const need = needsSecondFactor(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }),
        ['passkey', 'recovery_code']);
      refused(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, passkey: 'x' } }), 400, 'validation-error', { field: 'passkey' });
      refused(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, passkey, recovery_code: 'abcd-efgh-jkmn-pqrs' } }),
        400, 'validation-error', { field: 'code' });
      refused(await api(A.slug, 'POST', '/login/mfa', { json: { passkey } }), 400, 'validation-error', { field: 'mfa_token' });
      refused(await api(A.slug, 'POST', '/login/mfa/passkey', { json: {} }), 400, 'validation-error', { field: 'mfa_token' });
      refused(await api(A.slug, 'POST', '/login/mfa/passkey', { json: { mfa_token: need.mfa_token, mode: 'register' } }), 400, 'validation-error', { field: 'mode' });
      refused(await api(A.slug, 'POST', '/login/mfa/passkey', { json: { mfa_token: `tmfa_${rand(43)}` } }), 404, 'not-found');

      // me/mfa/passkeys: a session's access token only.
      const pat = await api(A.slug, 'POST', '/me/tokens', { token: u.at, json: { name: 'script' } });
      assertStatus(pat, 201);
      const byPat = await api(A.slug, 'POST', '/me/mfa/passkeys/options', { token: pat.body.token });
      refused(byPat, 409, 'conflict');
      assert.match(byPat.body.detail ?? '', /session/, show(byPat));
      const regOpts = await creationOptions(A.slug, u);
      const created = new SoftAuthenticator().create(regOpts, { origin: web });
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: pat.body.token, json: { passkey: created } }), 409, 'conflict');
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys/options'), 401, 'unauthorized');
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { json: { passkey: created } }), 401, 'unauthorized');
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys/options', { token: u.at, json: { name: 'x' } }), 400, 'validation-error', { field: 'name' });
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: {} }), 400, 'validation-error', { field: 'passkey' });
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey: 5 } }), 400, 'validation-error', { field: 'passkey' });
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey: created, label: 'x' } }), 400, 'validation-error', { field: 'label' });
      refused(await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey: created, name: 'x'.repeat(65) } }), 400, 'validation-error', { field: 'name' });
      // Still good afterwards (the refusals above spent nothing).
      const fine = await api(A.slug, 'POST', '/me/mfa/passkeys', { token: u.at, json: { passkey: created } });
      assertStatus(fine, 201);
      assert.equal(fine.body.factor.name, 'Passkey', 'the default name');
      const listed = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assert.equal(listed.body.factors.length, 2, show(listed));

      // An app that does not offer passkeys.
      const N = await appWithKey(srv, dev, 'pkn');
      assertStatus(await capi('PATCH', `/apps/${N.slug}`, { json: { settings: { mfa_passkeys: false } } }), 200);
      const n = await newUser(N.slug);
      refused(await api(N.slug, 'POST', '/login/passkey/options'), 403, 'forbidden');
      refused(await api(N.slug, 'POST', '/me/mfa/passkeys/options', { token: n.at }), 403, 'forbidden');
    });
  });
}
