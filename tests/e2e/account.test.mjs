// PATCH /api/me, refresh rotation and reuse detection, logout, logout-all, sessions, password change.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem,
  assertUserShape, signup, login, newSession, uniqEmail, uniqUsername, rand, show, decodeJwt,
} from './lib/server.mjs';

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

for (const backend of backends()) {
  describe(`account [${backend}]`, () => {
    let srv;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `account-${backend}` });
    });
    after(() => srv?.close());

    const refresh = (rt, opts = {}) => srv.api('POST', '/api/token/refresh', { json: { refresh_token: rt }, ...opts });

    // ---------------- PATCH /api/me ----------------
    test('PATCH /api/me merges profile fields; null removes one', async () => {
      const s = await newSession(srv, { profile: { name: 'Grace Hopper', about: 'COBOL', locale: 'en-US' } });
      const at = s.tokens.access_token;
      let res = await srv.api('PATCH', '/api/me', { token: at, json: { profile: { nickname: 'Amazing Grace', locale: 'en-GB' } } });
      assertStatus(res, 200);
      assertUserShape(res.body, { app: srv.app, email: s.email, ctx: show(res) });
      assert.deepEqual(res.body.profile, { name: 'Grace Hopper', about: 'COBOL', locale: 'en-GB', nickname: 'Amazing Grace' });
      assert.ok(Date.parse(res.body.updated_at) >= Date.parse(s.user.updated_at), 'updated_at moves forward');
      res = await srv.api('PATCH', '/api/me', { token: at, json: { profile: { about: null } } });
      assertStatus(res, 200);
      assert.deepEqual(res.body.profile, { name: 'Grace Hopper', locale: 'en-GB', nickname: 'Amazing Grace' });
      assert.ok(!('about' in res.body.profile), 'removed field must be absent, not null');
      const me = await srv.api('GET', '/api/me', { token: at });
      assertStatus(me, 200);
      assert.deepEqual(me.body.profile, res.body.profile, 'GET /api/me sees the patched profile');
      res = await srv.api('PATCH', '/api/me', { token: at, json: {} });
      assertStatus(res, 200);
      assert.deepEqual(res.body.profile, me.body.profile, 'empty patch changes nothing');
      res = await srv.api('PATCH', '/api/me', { token: at, json: { profile: { address: { locality: 'Arlington', country: 'US' } } } });
      assertStatus(res, 200);
      assert.deepEqual(res.body.profile.address, { locality: 'Arlington', country: 'US' });
    });

    test('PATCH /api/me username change; clash → 409 field username', async () => {
      const a = await newSession(srv, { username: uniqUsername('pa') });
      const b = await newSession(srv, { username: uniqUsername('pb') });
      const newName = uniqUsername('renamed');
      let res = await srv.api('PATCH', '/api/me', { token: a.tokens.access_token, json: { username: newName } });
      assertStatus(res, 200);
      assert.equal(res.body.username, newName);
      await login(srv, { username: newName }, a.password);
      assertProblem(await srv.api('POST', '/api/login', { json: { username: a.username, password: a.password } }), 401, 'unauthorized');
      res = await srv.api('PATCH', '/api/me', { token: a.tokens.access_token, json: { username: b.username } });
      assertProblem(res, 409, 'conflict', { field: 'username' });
      res = await srv.api('PATCH', '/api/me', { token: a.tokens.access_token, json: { username: b.username.toUpperCase() } });
      assert.ok([400, 409].includes(res.status), `case-variant of a taken username must not be accepted: ${show(res)}`);
      assertProblem(res, res.status, null, { field: 'username' });
      // The old name is free again.
      res = await srv.api('PATCH', '/api/me', { token: b.tokens.access_token, json: { username: a.username } });
      assertStatus(res, 200);
      // Setting one's own current name is not a conflict.
      res = await srv.api('PATCH', '/api/me', { token: a.tokens.access_token, json: { username: newName } });
      assertStatus(res, 200);
    });

    test('PATCH /api/me: invalid types and unknown fields → 400; nothing changes', async () => {
      const s = await newSession(srv, { username: uniqUsername('pv'), profile: { name: 'Valid' } });
      const at = s.tokens.access_token;
      const cases = [
        [{ username: 5 }, 'username'],
        [{ username: 'ab' }, 'username'],
        [{ username: 'bad name' }, 'username'],
        [{ profile: 'x' }, /^profile/],
        [{ profile: [] }, /^profile/],
        [{ profile: { name: 5 } }, /^profile/],
        [{ profile: { name: { first: 'x' } } }, /^profile/],
        [{ profile: { address: 'x' } }, /^profile/],
        [{ profile: { is_admin: true } }, /^profile/],
        [{ email: uniqEmail('steal') }, 'email'],
        [{ roles: ['admin'] }, 'roles'],
        [{ disabled: false }, 'disabled'],
        [{ email_verified: true }, 'email_verified'],
        [{ password: 'new-password-123' }, 'password'],
        [{ id: crypto.randomUUID() }, 'id'],
      ];
      const failures = [];
      for (const [json, field] of cases) {
        const res = await srv.api('PATCH', '/api/me', { token: at, json });
        try { assertProblem(res, 400, 'validation-error', { field }); } catch (e) { failures.push(`${JSON.stringify(json)}: ${show(res)}`); }
      }
      assertProblem(await srv.api('PATCH', '/api/me', { token: at, body: '{"profile":', headers: { 'content-type': 'application/json' } }), 400, 'malformed-request');
      assertProblem(await srv.api('PATCH', '/api/me', { token: at, body: 'name=x', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
      assertProblem(await srv.api('PATCH', '/api/me', { json: { profile: { name: 'x' } } }), 401, 'unauthorized');
      assert.equal(failures.length, 0, failures.join('\n'));
      const me = await srv.api('GET', '/api/me', { token: at });
      assertStatus(me, 200);
      assert.deepEqual(me.body.profile, { name: 'Valid' });
      assert.equal(me.body.email, s.email);
      assert.equal(me.body.username, s.username);
      assert.deepEqual(me.body.roles, []);
      assert.equal(me.body.email_verified, false);
    });

    // ---------------- refresh ----------------
    test('refresh rotates; reusing a rotated token → 401 and revokes the family', async () => {
      const s = await newSession(srv);
      const r0 = s.tokens.refresh_token;
      const sid = decodeJwt(s.tokens.access_token).claims.sid;
      const res1 = await refresh(r0);
      assertStatus(res1, 200);
      const b1 = res1.body;
      assert.equal(b1.token_type, 'Bearer');
      assert.equal(b1.expires_in, 600);
      assert.match(b1.refresh_token, /^tsr_/);
      assert.notEqual(b1.refresh_token, r0, 'refresh must rotate');
      assert.equal(b1.user?.id, s.user.id, show(res1));
      assert.equal(decodeJwt(b1.access_token).claims.sid, sid, 'same session (family) after refresh');
      assertStatus(await srv.api('GET', '/api/me', { token: b1.access_token }), 200);
      const res2 = await refresh(b1.refresh_token);
      assertStatus(res2, 200);
      const r2 = res2.body.refresh_token;
      assert.notEqual(r2, b1.refresh_token);
      // Reuse of r0 (rotated) → 401, family revoked → newest r2 also dead.
      assertProblem(await refresh(r0), 401, 'unauthorized');
      assertProblem(await refresh(r2), 401, 'unauthorized');
      // Another session of the same user is untouched.
      const other = await login(srv, { email: s.email }, s.password);
      assertStatus(await refresh(other.refresh_token), 200);
    });

    test('concurrent refreshes of one token: exactly one succeeds', async () => {
      const s = await newSession(srv);
      const results = await Promise.all(Array.from({ length: 6 }, () => refresh(s.tokens.refresh_token)));
      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, results.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n'));
      for (const r of results) if (r.status !== 200) assertProblem(r, 401, 'unauthorized');
    });

    test('garbage refresh tokens → 401; missing/wrong type → 400', async () => {
      for (const rt of [`tsr_${rand(40)}`, 'garbage', 'tsr_', 'x'.repeat(5000)]) {
        assertProblem(await refresh(rt), 401, 'unauthorized');
      }
      const s = await newSession(srv);
      assertProblem(await refresh(s.tokens.access_token), 401, 'unauthorized');
      assertProblem(await srv.api('POST', '/api/token/refresh', { json: {} }), 400, 'validation-error', { field: 'refresh_token' });
      assertProblem(await srv.api('POST', '/api/token/refresh', { json: { refresh_token: 123 } }), 400, 'validation-error', { field: 'refresh_token' });
      assertProblem(await srv.api('POST', '/api/token/refresh', { json: { refresh_token: s.tokens.refresh_token, scope: 'admin' } }), 400, 'validation-error', { field: 'scope' });
      // The real token is still usable after the bad attempts.
      assertStatus(await refresh(s.tokens.refresh_token), 200);
    });

    // ---------------- logout ----------------
    test('logout with the refresh token → 204; it no longer refreshes', async () => {
      const s = await newSession(srv);
      const res = await srv.api('POST', '/api/logout', { json: { refresh_token: s.tokens.refresh_token } });
      assertStatus(res, 204);
      assert.equal(res.text, '', '204 has no body');
      assertProblem(await refresh(s.tokens.refresh_token), 401, 'unauthorized');
    });

    test('logout with a Bearer access token and no body → 204; that session only', async () => {
      const s = await newSession(srv);
      const other = await login(srv, { email: s.email }, s.password);
      const res = await srv.api('POST', '/api/logout', { token: s.tokens.access_token });
      assertStatus(res, 204);
      assertProblem(await refresh(s.tokens.refresh_token), 401, 'unauthorized');
      assertStatus(await refresh(other.refresh_token), 200);
      // The session's access token ends with it (checked on every request, so on every node),
      // the other session's goes on.
      assertProblem(await srv.api('GET', '/api/me', { token: s.tokens.access_token }), 401, 'unauthorized');
      assertStatus(await srv.api('GET', '/api/me', { token: other.access_token }), 200);
    });

    test('logout without refresh token or Bearer → 4xx problem', async () => {
      const res = await srv.api('POST', '/api/logout', { json: {} });
      assert.ok([400, 401].includes(res.status), show(res));
      assertProblem(res, res.status);
    });

    test('logout-all → 200 {sessions_ended: n, …}; every session\'s refresh token dies', async () => {
      const s = await newSession(srv);
      const s2 = await login(srv, { email: s.email }, s.password);
      const s3 = await login(srv, { email: s.email }, s.password);
      const bystander = await newSession(srv);
      const res = await srv.api('POST', '/api/logout-all', { token: s2.access_token });
      assertStatus(res, 200);
      // No personal API tokens here (api_token_revocation.test.mjs has them); `revoked` stays.
      assert.deepEqual(res.body, { revoked: 3, sessions_ended: 3, api_tokens_revoked: 0 }, show(res));
      for (const rt of [s.tokens.refresh_token, s2.refresh_token, s3.refresh_token]) {
        assertProblem(await refresh(rt), 401, 'unauthorized');
      }
      assertStatus(await refresh(bystander.tokens.refresh_token), 200);
      assertProblem(await srv.api('POST', '/api/logout-all'), 401, 'unauthorized');
      assertProblem(await srv.api('POST', '/api/logout-all', { token: 'nonsense' }), 401, 'unauthorized');
    });

    // ---------------- sessions ----------------
    test('sessions: list with current flag, user agent and ip; delete one; 404 for unknown/foreign ids', async () => {
      const u = await signup(srv);
      const a = await login(srv, { email: u.email }, u.password, { headers: { 'user-agent': 'e2e-agent-A/1.0' } });
      const b = await login(srv, { email: u.email }, u.password, { headers: { 'user-agent': 'e2e-agent-B/2.0' } });
      const sidA = decodeJwt(a.access_token).claims.sid;
      const sidB = decodeJwt(b.access_token).claims.sid;
      let res = await srv.api('GET', '/api/me/sessions', { token: a.access_token });
      assertStatus(res, 200);
      const list = res.body.sessions;
      assert.ok(Array.isArray(list), show(res));
      assert.equal(list.length, 2, show(res));
      for (const sess of list) {
        for (const k of ['id', 'created_at', 'last_used_at', 'expires_at', 'user_agent', 'ip', 'current']) assert.ok(k in sess, `session lacks ${k}: ${show(res)}`);
        assert.match(sess.created_at, ISO_RE);
        assert.match(sess.last_used_at, ISO_RE);
        assert.match(sess.expires_at, ISO_RE);
        assert.ok(Date.parse(sess.expires_at) > Date.parse(sess.created_at));
        assert.equal(sess.ip, '127.0.0.1', show(res));
        assert.equal(typeof sess.current, 'boolean');
        assert.deepEqual(Object.keys(sess).filter((k) => /token|hash/i.test(k)), [], 'no token material in sessions');
      }
      const byId = Object.fromEntries(list.map((x) => [x.id, x]));
      assert.ok(byId[sidA] && byId[sidB], `session ids ${Object.keys(byId)} vs sids ${sidA}, ${sidB}`);
      assert.equal(byId[sidA].current, true);
      assert.equal(byId[sidB].current, false);
      assert.equal(byId[sidA].user_agent, 'e2e-agent-A/1.0');
      assert.equal(byId[sidB].user_agent, 'e2e-agent-B/2.0');

      // Another user cannot delete or see A's sessions.
      const mallory = await newSession(srv);
      assertProblem(await srv.api('DELETE', `/api/me/sessions/${sidB}`, { token: mallory.tokens.access_token }), 404, 'not-found');
      const mList = await srv.api('GET', '/api/me/sessions', { token: mallory.tokens.access_token });
      assert.equal(mList.body.sessions.length, 1);
      assert.equal(mList.body.sessions[0].current, true);

      res = await srv.api('DELETE', `/api/me/sessions/${sidB}`, { token: a.access_token });
      assertStatus(res, 204);
      assertProblem(await refresh(b.refresh_token), 401, 'unauthorized');
      res = await srv.api('GET', '/api/me/sessions', { token: a.access_token });
      assert.deepEqual(res.body.sessions.map((x) => x.id), [sidA]);
      assertProblem(await srv.api('DELETE', `/api/me/sessions/${sidB}`, { token: a.access_token }), 404, 'not-found');
      assertProblem(await srv.api('DELETE', `/api/me/sessions/${crypto.randomUUID()}`, { token: a.access_token }), 404, 'not-found');
      const junk = await srv.api('DELETE', '/api/me/sessions/not-a-uuid', { token: a.access_token });
      assert.ok([400, 404].includes(junk.status), show(junk));
      assertProblem(junk, junk.status);
      assertProblem(await srv.api('GET', '/api/me/sessions'), 401, 'unauthorized');
      assertStatus(await refresh(a.refresh_token), 200);
    });

    // ---------------- password change ----------------
    test('password change: wrong current rejected; validation; success revokes other sessions only', async (t) => {
      const u = await signup(srv, { username: uniqUsername('pw') });
      const s1 = await login(srv, { email: u.email }, u.password);
      const s2 = await login(srv, { email: u.email }, u.password);
      const s3 = await login(srv, { username: u.username }, u.password);
      const change = (json, token = s1.access_token) => srv.api('POST', '/api/me/password', { token, json });

      const wrong = await change({ current_password: 'definitely-wrong-1', new_password: `new-pass-${rand(8)}` });
      t.diagnostic(`wrong current_password → ${wrong.status} ${wrong.body?.type}`);
      assert.ok([400, 401, 403].includes(wrong.status), show(wrong));
      assertProblem(wrong, wrong.status);
      assertStatus(await refresh(s2.refresh_token).then((r) => { s2.refresh_token = r.body?.refresh_token; return r; }), 200);

      const bad = [
        [{ current_password: u.password, new_password: 'short' }, 'new_password'],
        [{ current_password: u.password, new_password: 'password123' }, 'new_password'],
        [{ current_password: u.password, new_password: u.email }, 'new_password'],
        [{ current_password: u.password, new_password: u.username }, 'new_password'],
        [{ current_password: u.password, new_password: 'y'.repeat(300) }, 'new_password'],
        [{ current_password: u.password, new_password: 12345678 }, 'new_password'],
        [{ new_password: `new-pass-${rand(8)}` }, 'current_password'],
        [{ current_password: u.password }, 'new_password'],
        [{ current_password: u.password, new_password: `new-pass-${rand(8)}`, logout_others: false }, 'logout_others'],
      ];
      const failures = [];
      for (const [json, field] of bad) {
        const res = await change(json);
        try { assertProblem(res, 400, 'validation-error', { field }); } catch (e) { failures.push(`${JSON.stringify(json)}: ${show(res)}`); }
      }
      assert.equal(failures.length, 0, failures.join('\n'));
      assertProblem(await srv.api('POST', '/api/me/password', { json: { current_password: u.password, new_password: 'whatever-123' } }), 401, 'unauthorized');
      // Nothing changed so far.
      await login(srv, { email: u.email }, u.password);

      const newPassword = `brand-new-pass-${rand(8)}`;
      const ok = await change({ current_password: u.password, new_password: newPassword });
      assertStatus(ok, 204);
      assert.equal(ok.text, '');
      assertProblem(await srv.api('POST', '/api/login', { json: { email: u.email, password: u.password } }), 401, 'unauthorized');
      await login(srv, { email: u.email }, newPassword);
      // Other sessions revoked, the current one kept.
      assertProblem(await refresh(s2.refresh_token), 401, 'unauthorized');
      assertProblem(await refresh(s3.refresh_token), 401, 'unauthorized');
      const cur = await refresh(s1.refresh_token);
      assertStatus(cur, 200);
      assertStatus(await srv.api('GET', '/api/me', { token: cur.body.access_token }), 200);
    });
  });
}
