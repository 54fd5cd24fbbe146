// Two-step verification through the JSON API (docs/api.md, "Second factors"), against the real
// binary with a real SMTP server (lib/smtp.mjs) for the security notices:
// - enrolment with me/mfa/totp + confirm; POST login → 403 mfa-required → login/mfa with a code
//   from the authenticator app (computed here, lib/totp.mjs) → tokens; a spent code or token is
//   refused;
// - recovery codes: each works once, in any case and with spaces; new codes void the old ones;
// - wrong codes: 401, and the 11th attempt 429 (a budget of the user's own);
// - forged, spent, other app's and disabled user's mfa_token: 404;
// - malformed bodies: 400/413/415 with the field named, and nothing changes;
// - removal needs a recent sign-in (409 with a personal API token, 204 with a fresh access
//   token); removing one of two factors keeps the recovery codes, the last takes them along;
// - a mailed sign-in link or code is a first factor only (403 mfa-required);
// - at most 20 factors;
// - policy "required": 403 mfa-enrollment-required → login/mfa/totp → login/mfa with factor_id
//   → tokens + 10 recovery codes; mfa_totp false; policy off;
// - the app's reset through the server API (app API key) and the console API.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/mfa_api.test.mjs
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, rand, uniqEmail, show, assertStatus, assertProblem,
  newSession, assertTokenResponse, assertMfaRequired,
} from './lib/server.mjs';
import { developer, appWithKey } from './lib/console.mjs';
import { startMailStack, skipWithoutSmtp } from './lib/mailflow.mjs';
import { TotpDevice, totp, wrongCode, base32Decode } from './lib/totp.mjs';

const NOTICE = /^Your .+ sign-in security changed$/;
// xxxx-xxxx-xxxx-xxxx of "abcdefghjkmnpqrstuvwxyz23456789" (no 0/o, 1/l/i).
const RECOVERY_RE = /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

for (const backend of backends()) {
  describe(`second factors through the API [${backend}]`, { skip: skipWithoutSmtp }, () => {
    let smtp, srv, dev, A, B;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'mfa-api'));
      dev = await developer(srv, 'mfadev');
      A = await appWithKey(srv, dev, 'mfa');
      B = await appWithKey(srv, dev, 'mfb');
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    // ------------------------------------------------------------------ helpers
    const api = (app, method, path, opts = {}) => srv.api(method, `/api${path}`, { app, ...opts });
    const sapi = (app, method, path, opts = {}) => srv.api(method, `/api${path}`, { app: app.slug, token: app.key, ...opts });
    const capi = (method, path, opts = {}) => srv.req(method, `/api/console${path}`, { token: dev.token, ...opts });
    const notices = (to) => smtp.find({ to, subject: NOTICE });
    /** Waits for the n-th security notice to `to` whose text matches `re`. */
    async function notice(to, re) {
      const end = Date.now() + 10_000;
      for (;;) {
        const m = notices(to).find((x) => re.test(x.text));
        if (m) return m;
        if (Date.now() > end) {
          assert.fail(`no security notice to ${to} matching ${re}; got:\n${notices(to).map((x) => `${x.subject}: ${x.text}`).join('\n') || '(none)'}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    /** A signed-up, logged-in user of `app` (slug): {email, password, user, tokens}. */
    async function newUser(app) {
      const u = await newSession(srv, { app, email: uniqEmail('mfa') });
      return { ...u, at: u.tokens.access_token };
    }

    /** Adds an authenticator app to `u` through me/mfa: {device, factor, codes, enrolment}. */
    async function enrol(app, u, { name } = {}) {
      const begun = await api(app, 'POST', '/me/mfa/totp', { token: u.at });
      assertStatus(begun, 201);
      const device = new TotpDevice(begun.body.secret);
      const confirmed = await api(app, 'POST', `/me/mfa/totp/${begun.body.factor_id}/confirm`, {
        token: u.at, json: { code: device.now(), ...(name ? { name } : {}) } });
      assertStatus(confirmed, 200);
      return { device, factor: confirmed.body.factor, codes: confirmed.body.recovery_codes, enrolment: begun.body };
    }

    /** POST login of a user with a factor: asserts the 403 mfa-required problem, returns its body. */
    async function loginNeedsCode(app, u, methods = ['totp', 'recovery_code']) {
      return assertMfaRequired(await api(app, 'POST', '/login', { json: { email: u.email, password: u.password } }),
        methods);
    }

    const assertTokens = assertTokenResponse;

    // ------------------------------------------------------------------ tests
    test('enrol with me/mfa, then login → 403 mfa-required → login/mfa with a code → tokens; spent codes and tokens are refused', async () => {
      const u = await newUser(A.slug);
      const overview0 = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assertStatus(overview0, 200);
      assert.deepEqual(overview0.body, { policy: 'optional', totp_allowed: true, factors: [], recovery_codes_left: 0 });

      const begun = await api(A.slug, 'POST', '/me/mfa/totp', { token: u.at });
      assertStatus(begun, 201);
      const e = begun.body;
      assert.deepEqual(Object.keys(e).sort(), ['factor_id', 'otpauth_uri', 'qr_svg', 'secret'], show(begun));
      assert.match(e.factor_id, UUID_RE);
      assert.match(e.secret, /^[A-Z2-7]{32,}$/, 'base32, no padding');
      assert.ok(base32Decode(e.secret).length >= 20, 'at least 160 bits (RFC 4226)');
      const uri = new URL(e.otpauth_uri);
      assert.equal(uri.protocol, 'otpauth:');
      assert.equal(uri.host, 'totp');
      assert.equal(uri.searchParams.get('secret'), e.secret);
      assert.equal(uri.searchParams.get('digits'), '6');
      assert.equal(uri.searchParams.get('period'), '30');
      assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
      assert.ok(uri.searchParams.get('issuer'), e.otpauth_uri);
      assert.ok(decodeURIComponent(uri.pathname).includes(u.email), `the label names the account: ${e.otpauth_uri}`);
      assert.match(e.qr_svg, /^\s*<svg[\s>][\s\S]*<\/svg>\s*$/);
      assert.doesNotMatch(e.qr_svg, /<script|on\w+=/i);
      // Not counted until confirmed: login still gives tokens.
      assertStatus(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }), 200);

      const device = new TotpDevice(e.secret);
      const bad = await api(A.slug, 'POST', `/me/mfa/totp/${e.factor_id}/confirm`, { token: u.at, json: { code: wrongCode(e.secret) } });
      assertProblem(bad, 400, 'validation-error', { field: 'code' });
      const enrolStep = device.lastStep = Math.floor(Date.now() / 30_000);
      const ok = await api(A.slug, 'POST', `/me/mfa/totp/${e.factor_id}/confirm`, { token: u.at, json: { code: device.at(enrolStep), name: 'Phone' } });
      assertStatus(ok, 200);
      const f = ok.body.factor;
      assert.deepEqual(Object.keys(f).sort(), ['created_at', 'id', 'kind', 'last_used_at', 'name'], show(ok));
      assert.equal(f.id, e.factor_id);
      assert.equal(f.kind, 'totp');
      assert.equal(f.name, 'Phone');
      const codes = ok.body.recovery_codes;
      assert.equal(codes.length, 10, show(ok));
      for (const c of codes) assert.match(c, RECOVERY_RE);
      assert.equal(new Set(codes).size, 10, 'all different');
      assert.ok(!ok.text.includes(e.secret), 'the secret is never shown again');
      // The same enrolment cannot be confirmed twice.
      assertProblem(await api(A.slug, 'POST', `/me/mfa/totp/${e.factor_id}/confirm`, { token: u.at, json: { code: device.at(enrolStep + 1) } }), 404, 'not-found');

      const overview = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assertStatus(overview, 200);
      assert.equal(overview.body.factors.length, 1, show(overview));
      assert.equal(overview.body.factors[0].name, 'Phone');
      assert.equal(overview.body.recovery_codes_left, 10);
      assert.ok(!overview.text.includes(e.secret));

      // Sign in: the password alone is not enough any more.
      const need = await loginNeedsCode(A.slug, u);
      // The enrolment's code was spent by the enrolment.
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code: device.at(enrolStep) } }), 401, 'unauthorized');
      const code = await device.next();
      const signedIn = assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code } }), u);
      assert.equal(signedIn.user.id, u.user.id);
      assert.equal(signedIn.recovery_codes, undefined, 'recovery codes only come with an enrolment');
      assertStatus(await api(A.slug, 'GET', '/me', { token: signedIn.access_token }), 200);
      // The mfa_token is single use.
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code } }), 404, 'not-found');
      // A code is accepted once: replayed with a new mfa_token, it is refused.
      const again = await loginNeedsCode(A.slug, u);
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: again.mfa_token, code } }), 401, 'unauthorized');
      const used = await api(A.slug, 'GET', '/me/mfa', { token: signedIn.access_token });
      assert.ok(used.body.factors[0].last_used_at, `last_used_at set: ${show(used)}`);

      // Mailed and audited; no secret in the audit log.
      const m = await notice(u.email, /An authenticator app \("Phone"\) was added/);
      assert.ok(!m.text.includes(e.secret));
      const audit = await sapi(A, 'GET', `/audit-events?subject_id=${u.user.id}&limit=200`);
      assertStatus(audit, 200);
      const actions = audit.body.events.map((x) => `${x.action}:${x.outcome}`);
      for (const a of ['mfa.factor_enrolled:success', 'mfa.factor_enrolled:failure', 'mfa.verified:success', 'mfa.failed:failure']) {
        assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
      }
      for (const secret of [e.secret, ...codes, need.mfa_token, code]) {
        assert.ok(!audit.text.includes(secret), `audit events hold a secret (${secret.slice(0, 6)}…)`);
      }
    });

    test('recovery codes: each works once, upper case or with spaces; new codes void the old ones', async () => {
      const u = await newUser(A.slug);
      const { codes } = await enrol(A.slug, u);
      const first = await loginNeedsCode(A.slug, u);
      const t1 = assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: first.mfa_token, recovery_code: codes[0].toUpperCase() } }), u);
      await notice(u.email, /A recovery code was used to sign in to your account; 9 of them are left/);

      const second = await loginNeedsCode(A.slug, u);
      // Used once: refused in every spelling; the mfa_token stays good.
      for (const spelling of [codes[0], codes[0].toUpperCase(), codes[0].replace(/-/g, '')]) {
        assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: second.mfa_token, recovery_code: spelling } }), 401, 'unauthorized');
      }
      const spaced = ` ${codes[1].replace(/-/g, ' ').toUpperCase()} `;
      const t2 = assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: second.mfa_token, recovery_code: spaced } }), u);
      const overview = await api(A.slug, 'GET', '/me/mfa', { token: t2.access_token });
      assert.equal(overview.body.recovery_codes_left, 8, show(overview));

      // New codes (a fresh sign-in: allowed); the old set stops working.
      const fresh = await api(A.slug, 'POST', '/me/mfa/recovery-codes', { token: t1.access_token });
      assertStatus(fresh, 200);
      assert.equal(fresh.body.recovery_codes.length, 10);
      for (const c of fresh.body.recovery_codes) assert.match(c, RECOVERY_RE);
      assert.ok(!fresh.body.recovery_codes.some((c) => codes.includes(c)));
      await notice(u.email, /New recovery codes were made/);
      const third = await loginNeedsCode(A.slug, u);
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: third.mfa_token, recovery_code: codes[2] } }), 401, 'unauthorized');
      assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: third.mfa_token, recovery_code: fresh.body.recovery_codes[9] } }), u);

      const audit = await sapi(A, 'GET', `/audit-events?subject_id=${u.user.id}&action=mfa.recovery_code_used`);
      assertStatus(audit, 200);
      assert.equal(audit.body.events.length, 3, show(audit));
      assert.deepEqual(audit.body.events.map((x) => x.details?.remaining).sort(), [8, 9, 9], show(audit));
      const regen = await sapi(A, 'GET', `/audit-events?subject_id=${u.user.id}&action=mfa.recovery_codes_regenerated`);
      assert.equal(regen.body.events.length, 1, show(regen));
    });

    test('wrong codes: 401 each (the mfa_token stays good); the 11th attempt is 429 — for that user only', async () => {
      const u = await newUser(A.slug);
      const { device } = await enrol(A.slug, u);
      const other = await newUser(A.slug);
      const otherFactor = await enrol(A.slug, other);
      const need = await loginNeedsCode(A.slug, u);
      for (let i = 0; i < 10; i++) {
        const res = await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code: wrongCode(device.secret, i) } });
        assertProblem(res, 401, 'unauthorized');
        assert.match(res.body.detail ?? res.body.title, /code/i, show(res));
      }
      const limited = await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code: wrongCode(device.secret, 10) } });
      assertProblem(limited, 429, 'rate-limited');
      const retry = Number(limited.headers.get('retry-after'));
      assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
      // Even the right code, or a recovery code, waits now.
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code: await device.next() } }), 429, 'rate-limited');
      device.lastStep--;
      // A new mfa_token does not reset the budget.
      const again = await loginNeedsCode(A.slug, u);
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: again.mfa_token, code: wrongCode(device.secret) } }), 429, 'rate-limited');
      // Another user of the app is not affected.
      const o = await loginNeedsCode(A.slug, other);
      assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: o.mfa_token, code: await otherFactor.device.next() } }), other);
      const failed = await sapi(A, 'GET', `/audit-events?subject_id=${u.user.id}&action=mfa.failed&limit=50`);
      assert.equal(failed.body.events.length, 10, `10 failures audited (the refused ones are not guesses): ${show(failed)}`);
      for (const ev of failed.body.events) assert.equal(ev.details?.reason, 'wrong_code', JSON.stringify(ev));
    });

    test('a forged, spent, other app\'s or disabled user\'s mfa_token is 404', async () => {
      const u = await newUser(A.slug);
      const { device } = await enrol(A.slug, u);
      const need = await loginNeedsCode(A.slug, u);
      const code = await device.next();
      device.lastStep--;  // none of these spends it
      const forged = ['tmfa_' + 'A'.repeat(43), `tmfa_${rand(43)}`, 'tmfa_', 'tmf_' + need.mfa_token.slice(5),
        need.mfa_token.slice(0, -1) + (need.mfa_token.endsWith('A') ? 'B' : 'A'), need.mfa_token.slice(5),
        `${need.mfa_token}x`, "tmfa_' OR '1'='1", 'tmfa_<script>alert(1)</script>', 'x'.repeat(2000)];
      for (const mfa_token of forged) {
        const res = await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token, code } });
        assertProblem(res, 404, 'not-found');
        assert.doesNotMatch(res.text, /<script>/);
      }
      // Another app's endpoint does not know it (a user of A is no user of B).
      assertProblem(await api(B.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code } }), 404, 'not-found');
      assertProblem(await api(B.slug, 'POST', '/login/mfa/totp', { json: { mfa_token: need.mfa_token } }), 404, 'not-found');
      // Still good where it was made.
      assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code: await device.next() } }), u);
      // Spent.
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, recovery_code: 'aaaa-aaaa-aaaa-aaaa' } }), 404, 'not-found');

      // The user is disabled meanwhile: the pending sign-in ends.
      const v = await newUser(A.slug);
      const vf = await enrol(A.slug, v);
      const vNeed = await loginNeedsCode(A.slug, v);
      assertStatus(await sapi(A, 'PATCH', `/users/${v.user.id}`, { json: { disabled: true } }), 200);
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: vNeed.mfa_token, code: await vf.device.next() } }), 404, 'not-found');
      assertProblem(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: vNeed.mfa_token, recovery_code: vf.codes[0] } }), 404, 'not-found');
    });

    test('malformed bodies: 400/413/415 naming the field, and nothing changes', async () => {
      const u = await newUser(A.slug);
      const begun = await api(A.slug, 'POST', '/me/mfa/totp', { token: u.at });
      assertStatus(begun, 201);
      const factorId = begun.body.factor_id;
      const device = new TotpDevice(begun.body.secret);
      const confirm = (body, opts = {}) => api(A.slug, 'POST', `/me/mfa/totp/${factorId}/confirm`, { token: u.at, ...body, ...opts });
      const code = totp(device.secret);
      for (const [json, field] of [
        [{}, 'code'], [{ code: Number(code) }, 'code'], [{ code: [code] }, 'code'], [{ code: null }, 'code'],
        [{ code, name: 7 }, 'name'], [{ code, extra: true }, 'extra'], [{ code, name: 'n'.repeat(65) }, 'name'],
        [{ code, name: '   ' }, 'name'], [{ code, name: 'Phone\u0007' }, 'name'], [{ code, name: 'a\nb' }, 'name'],
      ]) {
        assertProblem(await confirm({ json }), 400, 'validation-error', { field });
      }
      assertProblem(await confirm({ body: '{"code": "1234', headers: { 'content-type': 'application/json' } }), 400, 'malformed-request');
      assertProblem(await confirm({ body: `["${code}"]`, headers: { 'content-type': 'application/json' } }), 400, 'malformed-request');
      assertProblem(await confirm({ body: JSON.stringify({ code }), headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
      assertProblem(await confirm({ json: { code, name: 'x'.repeat(70 * 1024) } }), 413, 'payload-too-large');
      assertProblem(await api(A.slug, 'POST', '/me/mfa/totp', { token: u.at, json: { kind: 'sms' } }), 400, 'validation-error', { field: 'kind' });
      // Nothing was confirmed by any of them.
      const none = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assert.deepEqual(none.body.factors, [], show(none));
      assertStatus(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }), 200);

      // SQL and HTML metacharacters in a name are text like any other.
      const name = `<b>Phone</b> & "co" ' OR '1'='1 --`;
      const ok = await confirm({ json: { code: device.now(), name } });
      assertStatus(ok, 200);
      assert.equal(ok.body.factor.name, name);
      const fid = ok.body.factor.id;
      const need = await loginNeedsCode(A.slug, u);
      const login = (json, opts = {}) => api(A.slug, 'POST', '/login/mfa', { json, ...opts });
      const t = need.mfa_token;
      const right = totp(device.secret, { offset: 1 });
      for (const [json, field] of [
        [{ mfa_token: t, code: right, recovery_code: 'aaaa-bbbb-cccc-dddd' }, 'code'],
        [{ mfa_token: t }, 'code'],
        [{ code: right }, 'mfa_token'],
        [{ mfa_token: 42, code: right }, 'mfa_token'],
        [{ mfa_token: t, code: Number(right) }, 'code'],
        [{ mfa_token: t, recovery_code: ['aaaa-bbbb-cccc-dddd'] }, 'recovery_code'],
        [{ mfa_token: t, code: right, remember_me: true }, 'remember_me'],
        [{ mfa_token: t, code: right, factor_id: 7 }, 'factor_id'],
        [{ mfa_token: t, recovery_code: 'aaaa-bbbb-cccc-dddd', factor_id: fid }, 'code'],
      ]) {
        assertProblem(await login(json), 400, 'validation-error', { field });
      }
      assertProblem(await login(undefined, { body: 'mfa_token=x&code=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
      assertProblem(await login(undefined, { body: 'null', headers: { 'content-type': 'application/json' } }), 400, 'malformed-request');
      assertProblem(await login({ mfa_token: t, code: right, pad: 'x'.repeat(70 * 1024) }), 413, 'payload-too-large');
      // Metacharacters in a code are a wrong code (401, counted), never a 500 or an echo.
      for (const json of [{ mfa_token: t, code: "' OR '1'='1" }, { mfa_token: t, code: '<script>alert(1)</script>' },
        { mfa_token: t, recovery_code: "'; DROP TABLE mfa_factors; --" }, { mfa_token: t, recovery_code: '<img src=x onerror=alert(1)>' }]) {
        const res = await login(json);
        assertProblem(res, 401, 'unauthorized');
        assert.doesNotMatch(res.text, /<script|<img|DROP TABLE/i);
      }
      // Rename: the same rules.
      const rename = (json) => api(A.slug, 'PATCH', `/me/mfa/factors/${fid}`, { token: u.at, json });
      for (const [json, field] of [[{}, 'name'], [{ name: '' }, 'name'], [{ name: 5 }, 'name'], [{ name: 'n'.repeat(65) }, 'name'],
        [{ name: 'ok', kind: 'sms' }, 'kind'], [{ name: '\u0000' }, 'name']]) {
        assertProblem(await rename(json), 400, 'validation-error', { field });
      }
      assertProblem(await api(A.slug, 'PATCH', `/me/mfa/factors/${rand(8)}`, { token: u.at, json: { name: 'x' } }), 404, 'not-found');
      assertProblem(await api(A.slug, 'DELETE', `/me/mfa/factors/${encodeURIComponent("' OR 1=1 --")}`, { token: u.at }), 404, 'not-found');

      // Unchanged: one factor with the name given, 10 codes; the mfa_token still completes.
      const after = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assertStatus(after, 200);
      assert.equal(after.body.factors.length, 1, show(after));
      assert.equal(after.body.factors[0].name, name);
      assert.equal(after.body.recovery_codes_left, 10);
      assertTokens(await login({ mfa_token: t, code: await device.next() }), u);
    });

    test('removing a factor needs a recent sign-in: 409 with a personal API token, 204 with a fresh access token', async () => {
      const u = await newUser(A.slug);
      const { device, factor } = await enrol(A.slug, u, { name: 'Old phone' });
      const pat = await api(A.slug, 'POST', '/me/tokens', { token: u.at, json: { name: 'script' } });
      assertStatus(pat, 201);
      const patToken = pat.body.token;
      // A personal API token reads and renames, but never counts as a sign-in.
      assertStatus(await api(A.slug, 'GET', '/me/mfa', { token: patToken }), 200);
      assertStatus(await api(A.slug, 'PATCH', `/me/mfa/factors/${factor.id}`, { token: patToken, json: { name: 'Phone' } }), 204);
      const refused = await api(A.slug, 'DELETE', `/me/mfa/factors/${factor.id}`, { token: patToken });
      assertProblem(refused, 409, 'conflict');
      assert.match(refused.body.detail ?? '', /sign in again/i, show(refused));
      assertProblem(await api(A.slug, 'POST', '/me/mfa/recovery-codes', { token: patToken }), 409, 'conflict');
      // Another user cannot touch it, even signed in just now.
      const other = await newUser(A.slug);
      assertProblem(await api(A.slug, 'DELETE', `/me/mfa/factors/${factor.id}`, { token: other.at }), 404, 'not-found');
      assertProblem(await api(A.slug, 'PATCH', `/me/mfa/factors/${factor.id}`, { token: other.at, json: { name: 'mine' } }), 404, 'not-found');
      const still = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assert.equal(still.body.factors.length, 1, show(still));
      assert.equal(still.body.factors[0].name, 'Phone');
      await loginNeedsCode(A.slug, u);

      // Signed in with both factors just now: removed. A second app first: removing one of two
      // keeps the recovery codes and the second step.
      const need = await loginNeedsCode(A.slug, u);
      const fresh = assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code: await device.next() } }), u);
      const second = await enrol(A.slug, { ...u, at: fresh.access_token }, { name: 'Tablet' });
      assert.equal(second.codes, undefined, 'a second factor brings no new recovery codes');
      assertStatus(await api(A.slug, 'DELETE', `/me/mfa/factors/${second.factor.id}`, { token: fresh.access_token }), 204);
      const one = await api(A.slug, 'GET', '/me/mfa', { token: fresh.access_token });
      assert.deepEqual(one.body.factors.map((x) => x.id), [factor.id], show(one));
      assert.equal(one.body.recovery_codes_left, 10, 'one factor left: the codes stay');
      await notice(u.email, /An authenticator app \("Tablet"\) was removed from your account\.$/m);
      await loginNeedsCode(A.slug, u);
      assertStatus(await api(A.slug, 'DELETE', `/me/mfa/factors/${factor.id}`, { token: fresh.access_token }), 204);
      assertProblem(await api(A.slug, 'DELETE', `/me/mfa/factors/${factor.id}`, { token: fresh.access_token }), 404, 'not-found');
      const gone = await api(A.slug, 'GET', '/me/mfa', { token: fresh.access_token });
      assert.deepEqual(gone.body.factors, [], show(gone));
      assert.equal(gone.body.recovery_codes_left, 0, 'the last factor takes the recovery codes with it');
      assertProblem(await api(A.slug, 'POST', '/me/mfa/recovery-codes', { token: fresh.access_token }), 409, 'conflict');
      // Signing in needs the password only again.
      assertTokens(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }), u);
      await notice(u.email, /An authenticator app \("Phone"\) was removed from your account\. Signing in needs only your first factor now\./);
      const audit = await sapi(A, 'GET', `/audit-events?subject_id=${u.user.id}&limit=100`);
      const actions = audit.body.events.map((x) => x.action);
      for (const a of ['mfa.factor_renamed', 'mfa.factor_removed']) assert.ok(actions.includes(a), `${a} in ${actions}`);
    });

    test('a mailed link or code is a first factor only: magic-link/verify and email-code/verify answer 403 mfa-required', async () => {
      const u = await newUser(A.slug);
      const { device, codes } = await enrol(A.slug, u);
      assertStatus(await api(A.slug, 'POST', '/magic-link', { json: { email: u.email } }), 202);
      const link = (await smtp.waitFor({ to: u.email, subject: /^Your sign-in link for / })).links.find((l) => l.includes('token='));
      assert.ok(link, 'a sign-in link');
      const token = new URL(link).searchParams.get('token');
      const viaLink = await api(A.slug, 'POST', '/magic-link/verify', { json: { token } });
      const need = assertProblem(viaLink, 403, 'mfa-required');
      assert.deepEqual(need.methods, ['totp', 'recovery_code']);
      assert.equal(viaLink.body.access_token, undefined);
      assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need.mfa_token, code: await device.next() } }), u);
      // The link was spent by the first factor.
      assert.notEqual((await api(A.slug, 'POST', '/magic-link/verify', { json: { token } })).status, 200);

      assertStatus(await api(A.slug, 'POST', '/email-code', { json: { email: u.email } }), 202);
      const code = /^(\d{6}) is your /.exec((await smtp.waitFor({ to: u.email, subject: /^\d{6} is your / })).subject)[1];
      const viaCode = await api(A.slug, 'POST', '/email-code/verify', { json: { email: u.email, code } });
      const need2 = assertProblem(viaCode, 403, 'mfa-required');
      assertTokens(await api(A.slug, 'POST', '/login/mfa', { json: { mfa_token: need2.mfa_token, recovery_code: codes[0] } }), u);
    });

    test('at most 20 factors: the 21st enrolment is 409', async () => {
      const u = await newUser(A.slug);
      for (let i = 0; i < 20; i++) await enrol(A.slug, u, { name: `Device ${i + 1}` });
      const mine = await api(A.slug, 'GET', '/me/mfa', { token: u.at });
      assert.equal(mine.body.factors.length, 20, show(mine));
      assert.equal(new Set(mine.body.factors.map((f) => f.id)).size, 20);
      assertProblem(await api(A.slug, 'POST', '/me/mfa/totp', { token: u.at }), 409, 'conflict');
      assert.equal((await api(A.slug, 'GET', '/me/mfa', { token: u.at })).body.factors.length, 20);
    });

    test('policy "required": mfa-enrollment-required → login/mfa/totp → login/mfa with factor_id → tokens and 10 recovery codes', async () => {
      const C = await appWithKey(srv, dev, 'mfr');
      for (const [settings, field] of [[{ mfa: 'sometimes' }, 'settings.mfa'], [{ mfa: true }, 'settings.mfa'],
        [{ mfa_totp: 'yes' }, 'settings.mfa_totp']]) {
        assertProblem(await capi('PATCH', `/apps/${C.slug}`, { json: { settings } }), 400, 'validation-error', { field });
      }
      const patched = await capi('PATCH', `/apps/${C.slug}`, { json: { settings: { mfa: 'required' } } });
      assertStatus(patched, 200);
      assert.equal(patched.body.settings?.mfa, 'required', show(patched));
      assert.equal(patched.body.settings?.mfa_totp, true, show(patched));

      const email = uniqEmail('req');
      const password = `pw-${rand(16)}`;
      const u = { email, password };
      assertStatus(await api(C.slug, 'POST', '/signup', { json: { email, password } }), 201);
      const res = await api(C.slug, 'POST', '/login', { json: { email, password } });
      const need = assertProblem(res, 403, 'mfa-enrollment-required');
      assert.deepEqual(need.methods, ['totp', 'passkey'], show(res));
      assert.equal(need.expires_in, 600);
      const t = need.mfa_token;
      assert.match(t, /^tmfa_/);

      const e1 = await api(C.slug, 'POST', '/login/mfa/totp', { json: { mfa_token: t } });
      assertStatus(e1, 201);
      assert.deepEqual(Object.keys(e1.body).sort(), ['factor_id', 'otpauth_uri', 'qr_svg', 'secret']);
      // Again: a new secret replaces the first.
      const e2 = await api(C.slug, 'POST', '/login/mfa/totp', { json: { mfa_token: t } });
      assertStatus(e2, 201);
      assert.notEqual(e2.body.factor_id, e1.body.factor_id);
      assert.notEqual(e2.body.secret, e1.body.secret);
      const replaced = await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: t, factor_id: e1.body.factor_id, code: totp(e1.body.secret) } });
      assert.ok([400, 404].includes(replaced.status), `the replaced enrolment does not sign in: ${show(replaced)}`);
      assertProblem(await api(C.slug, 'POST', '/login/mfa/totp', { json: {} }), 400, 'validation-error', { field: 'mfa_token' });
      assertProblem(await api(C.slug, 'POST', '/login/mfa/totp', { json: { mfa_token: `tmfa_${rand(43)}` } }), 404, 'not-found');
      const device = new TotpDevice(e2.body.secret);
      assertProblem(await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: t, factor_id: e2.body.factor_id, code: wrongCode(device.secret) } }),
        400, 'validation-error', { field: 'code' });
      const done = await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: t, factor_id: e2.body.factor_id, code: device.now() } });
      const tokens = assertTokens(done, u);
      assert.equal(done.body.recovery_codes?.length, 10, show(done));
      for (const c of done.body.recovery_codes) assert.match(c, RECOVERY_RE);
      assertStatus(await api(C.slug, 'GET', '/me', { token: tokens.access_token }), 200);
      const mine = await api(C.slug, 'GET', '/me/mfa', { token: tokens.access_token });
      assert.equal(mine.body.policy, 'required');
      assert.equal(mine.body.factors.length, 1, show(mine));
      assert.equal(mine.body.factors[0].id, e2.body.factor_id);
      assert.equal(mine.body.recovery_codes_left, 10);
      assertProblem(await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: t, factor_id: e2.body.factor_id, code: await device.next() } }), 404, 'not-found');
      device.lastStep--;
      await notice(email, /An authenticator app \(".+"\) was added/);

      // From now on: a code, like everyone with a factor. No enrolment here any more.
      const next = await loginNeedsCode(C.slug, u);
      assertProblem(await api(C.slug, 'POST', '/login/mfa/totp', { json: { mfa_token: next.mfa_token } }), 409, 'conflict');
      assertProblem(await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: next.mfa_token, factor_id: e2.body.factor_id, code: totp(device.secret) } }), 409, 'conflict');
      assertTokens(await api(C.slug, 'POST', '/login/mfa', { json: { mfa_token: next.mfa_token, code: await device.next() } }), u);

      // No authenticator apps nor passkeys allowed: "required" asks nothing of users without a
      // factor (with passkeys allowed, they would enrol one: passkeys_api.test.mjs).
      assertStatus(await capi('PATCH', `/apps/${C.slug}`, { json: { settings: { mfa_totp: false, mfa_passkeys: false } } }), 200);
      const plain = await newUser(C.slug);
      const view = await api(C.slug, 'GET', '/me/mfa', { token: plain.at });
      assert.equal(view.body.totp_allowed, false, show(view));
      assertProblem(await api(C.slug, 'POST', '/me/mfa/totp', { token: plain.at }), 403, 'forbidden');
      // Policy off: nobody adds one, and a factor someone has is still asked for.
      assertStatus(await capi('PATCH', `/apps/${C.slug}`, { json: { settings: { mfa: 'off', mfa_totp: true } } }), 200);
      assertProblem(await api(C.slug, 'POST', '/me/mfa/totp', { token: plain.at }), 403, 'forbidden');
      assert.equal((await api(C.slug, 'GET', '/me/mfa', { token: plain.at })).body.policy, 'off');
      await loginNeedsCode(C.slug, u);
    });

    test('the app resets a lost device: server API with its key (and the console API); the next login gives tokens', async () => {
      const u = await newUser(A.slug);
      const { codes, device } = await enrol(A.slug, u);
      const listed = await sapi(A, 'GET', `/users/${u.user.id}/mfa`);
      assertStatus(listed, 200);
      assert.equal(listed.body.factors.length, 1, show(listed));
      assert.equal(listed.body.factors[0].kind, 'totp');
      assert.equal(listed.body.recovery_codes_left, 10);
      assert.ok(!listed.text.includes(device.secret) && !codes.some((c) => listed.text.includes(c)), 'no secrets');
      // Only A's key, only with a key.
      assertProblem(await sapi(B, 'GET', `/users/${u.user.id}/mfa`), 404, 'not-found');
      assertProblem(await sapi(B, 'DELETE', `/users/${u.user.id}/mfa`), 404, 'not-found');
      assertProblem(await srv.api('DELETE', `/api/users/${u.user.id}/mfa`, { app: A.slug, token: u.at }), 401, 'unauthorized');
      assertProblem(await srv.api('DELETE', `/api/users/${u.user.id}/mfa`, { app: A.slug }), 401, 'unauthorized');
      await loginNeedsCode(A.slug, u);

      const reset = await sapi(A, 'DELETE', `/users/${u.user.id}/mfa`);
      assertStatus(reset, 200);
      assert.deepEqual(reset.body, { factors_removed: 1 });
      const after = await sapi(A, 'GET', `/users/${u.user.id}/mfa`);
      assert.deepEqual(after.body, { factors: [], recovery_codes_left: 0 });
      assertTokens(await api(A.slug, 'POST', '/login', { json: { email: u.email, password: u.password } }), u);
      await notice(u.email, /The app removed the second factors/);
      const again = await sapi(A, 'DELETE', `/users/${u.user.id}/mfa`);
      assertStatus(again, 200);
      assert.deepEqual(again.body, { factors_removed: 0 });
      assertProblem(await sapi(A, 'DELETE', '/users/00000000-0000-0000-0000-000000000000/mfa'), 404, 'not-found');
      const audit = await sapi(A, 'GET', `/audit-events?subject_id=${u.user.id}&action=mfa.reset`);
      assertStatus(audit, 200);
      const ev = audit.body.events.find((x) => x.details?.factors === 1);
      assert.ok(ev, show(audit));
      assert.equal(ev.actor_type, 'api_key');
      assert.equal(ev.actor_id, A.keyId);

      // The developer in the console does the same.
      const v = await newUser(A.slug);
      await enrol(A.slug, v);
      const seen = await capi('GET', `/apps/${A.slug}/users/${v.user.id}/mfa`);
      assertStatus(seen, 200);
      assert.equal(seen.body.factors.length, 1, show(seen));
      const outsider = await developer(srv, 'outsider');
      assert.ok([403, 404].includes((await srv.req('DELETE', `/api/console/apps/${A.slug}/users/${v.user.id}/mfa`, { token: outsider.token })).status));
      const cleared = await capi('DELETE', `/apps/${A.slug}/users/${v.user.id}/mfa`);
      assertStatus(cleared, 200);
      assert.deepEqual(cleared.body, { factors_removed: 1 });
      assertTokens(await api(A.slug, 'POST', '/login', { json: { email: v.email, password: v.password } }), v);
      const cev = await sapi(A, 'GET', `/audit-events?subject_id=${v.user.id}&action=mfa.reset`);
      assert.equal(cev.body.events[0]?.actor_id, dev.id, show(cev));
    });
  });
}
