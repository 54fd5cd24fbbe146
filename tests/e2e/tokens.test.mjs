// Personal API tokens: create (shown once), list (prefix only), use as Bearer and Token, revoke,
// cross-app isolation, 404s and validation.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem,
  assertUserShape, newSession, signup, login, rand, show,
} from './lib/server.mjs';

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

for (const backend of backends()) {
  describe(`API tokens [${backend}]`, () => {
    let srv;
    let s; // a logged-in user
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `tokens-${backend}` });
      s = await newSession(srv, { profile: { name: 'Token User' } });
    });
    after(() => srv?.close());

    const create = (json, token = s.tokens.access_token) => srv.api('POST', '/api/me/tokens', { token, json });

    test('create → 201, token shown once (tpat_…); list shows only the prefix', async () => {
      const before = Date.now();
      const res = await create({ name: 'ci deploy' });
      assertStatus(res, 201);
      const b = res.body;
      for (const k of ['id', 'name', 'prefix', 'token', 'created_at', 'expires_at']) assert.ok(k in b, `lacks ${k}: ${show(res)}`);
      assert.equal(b.name, 'ci deploy');
      assert.match(b.token, /^tpat_[A-Za-z0-9_-]{20,}$/);
      assert.equal(typeof b.prefix, 'string');
      assert.ok(b.prefix.length >= 5 && b.prefix.length < b.token.length - 10, `prefix ${b.prefix} must be a short prefix`);
      assert.ok(b.token.startsWith(b.prefix), `token does not start with prefix ${b.prefix}`);
      assert.match(b.created_at, ISO_RE);
      assert.ok(Math.abs(Date.parse(b.created_at) - before) < 60_000);
      assert.equal(b.expires_at, null, 'no expires_in_days → no expiry');

      const withExpiry = await create({ name: 'short-lived', expires_in_days: 30 });
      assertStatus(withExpiry, 201);
      const exp = Date.parse(withExpiry.body.expires_at);
      assert.ok(Math.abs(exp - (Date.now() + 30 * 86400_000)) < 120_000, `expires_at ${withExpiry.body.expires_at} ≠ now+30d`);

      const list = await srv.api('GET', '/api/me/tokens', { token: s.tokens.access_token });
      assertStatus(list, 200);
      assert.ok(Array.isArray(list.body.tokens), show(list));
      assert.ok(!list.text.includes(b.token), 'full token appears in the list');
      assert.ok(!list.text.includes(withExpiry.body.token), 'full token appears in the list');
      const mine = list.body.tokens.find((x) => x.id === b.id);
      assert.ok(mine, show(list));
      for (const k of ['id', 'name', 'prefix', 'created_at', 'expires_at', 'last_used_at']) assert.ok(k in mine, `list item lacks ${k}: ${show(list)}`);
      assert.equal(mine.token, undefined);
      assert.deepEqual(Object.keys(mine).filter((k) => /hash|secret/i.test(k)), []);
      assert.equal(mine.prefix, b.prefix);
      assert.equal(mine.name, 'ci deploy');
      assert.equal(mine.last_used_at, null);
    });

    test('use as Bearer and as Token on /api/me; revoke → 401', async (t) => {
      const res = await create({ name: `use-${rand(4)}` });
      assertStatus(res, 201);
      const tok = res.body.token;
      const viaBearer = await srv.api('GET', '/api/me', { token: tok, scheme: 'Bearer' });
      assertStatus(viaBearer, 200);
      assertUserShape(viaBearer.body, { app: srv.app, email: s.email, ctx: show(viaBearer) });
      assert.equal(viaBearer.body.id, s.user.id);
      const viaToken = await srv.api('GET', '/api/me', { token: tok, scheme: 'Token' });
      assertStatus(viaToken, 200);
      assert.equal(viaToken.body.id, s.user.id);
      // Other "Bearer / Token" endpoints accept it too.
      assertStatus(await srv.api('PATCH', '/api/me', { token: tok, scheme: 'Token', json: { profile: { nickname: 'via-pat' } } }), 200);
      assertStatus(await srv.api('GET', '/api/me/tokens', { token: tok, scheme: 'Token' }), 200);

      const list = await srv.api('GET', '/api/me/tokens', { token: s.tokens.access_token });
      const item = list.body.tokens.find((x) => x.id === res.body.id);
      t.diagnostic(`last_used_at after use: ${item?.last_used_at}`);
      assert.ok(item.last_used_at === null || ISO_RE.test(item.last_used_at));

      // A tampered token fails.
      const tampered = tok.slice(0, -3) + (tok.endsWith('AAA') ? 'BBB' : 'AAA');
      assertProblem(await srv.api('GET', '/api/me', { token: tampered }), 401, 'unauthorized');
      assertProblem(await srv.api('GET', '/api/me', { token: tampered, scheme: 'Token' }), 401, 'unauthorized');

      const del = await srv.api('DELETE', `/api/me/tokens/${res.body.id}`, { token: s.tokens.access_token });
      assertStatus(del, 204);
      assert.equal(del.text, '');
      assertProblem(await srv.api('GET', '/api/me', { token: tok }), 401, 'unauthorized');
      assertProblem(await srv.api('GET', '/api/me', { token: tok, scheme: 'Token' }), 401, 'unauthorized');
      assertProblem(await srv.api('DELETE', `/api/me/tokens/${res.body.id}`, { token: s.tokens.access_token }), 404, 'not-found');
    });

    test('a token of app A is rejected at app B (401)', async () => {
      const slugB = `tb-${rand(10)}`;
      await srv.createApp(slugB, 'Tokens B');
      const res = await create({ name: 'app-a-token' });
      assertStatus(res, 201);
      // Same email in B, so only the app differs.
      const inB = await signup(srv, { app: slugB, email: s.email });
      assert.equal(inB.user.app, slugB);
      assertProblem(await srv.api('GET', '/api/me', { app: slugB, token: res.body.token }), 401, 'unauthorized');
      assertProblem(await srv.api('GET', '/api/me', { app: slugB, token: res.body.token, scheme: 'Token' }), 401, 'unauthorized');
      assertStatus(await srv.api('GET', '/api/me', { token: res.body.token }), 200);
    });

    test('DELETE unknown / foreign token id → 404; no auth → 401', async () => {
      assertProblem(await srv.api('DELETE', `/api/me/tokens/${crypto.randomUUID()}`, { token: s.tokens.access_token }), 404, 'not-found');
      const junk = await srv.api('DELETE', '/api/me/tokens/not-a-uuid', { token: s.tokens.access_token });
      assert.ok([400, 404].includes(junk.status), show(junk));
      assertProblem(junk, junk.status);
      const other = await newSession(srv);
      const theirs = await create({ name: 'theirs' }, other.tokens.access_token);
      assertStatus(theirs, 201);
      assertProblem(await srv.api('DELETE', `/api/me/tokens/${theirs.body.id}`, { token: s.tokens.access_token }), 404, 'not-found');
      const mineList = await srv.api('GET', '/api/me/tokens', { token: s.tokens.access_token });
      assert.ok(!mineList.body.tokens.some((x) => x.id === theirs.body.id), 'another user\'s token is listed');
      assertStatus(await srv.api('GET', '/api/me', { token: theirs.body.token }), 200);
      assertProblem(await srv.api('GET', '/api/me/tokens'), 401, 'unauthorized');
      assertProblem(await srv.api('POST', '/api/me/tokens', { json: { name: 'x' } }), 401, 'unauthorized');
      assertProblem(await srv.api('DELETE', `/api/me/tokens/${theirs.body.id}`), 401, 'unauthorized');
    });

    test('create validation → 400', async () => {
      const cases = [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 5 }, 'name'],
        [{ name: 'x', expires_in_days: 'soon' }, 'expires_in_days'],
        [{ name: 'x', expires_in_days: -1 }, 'expires_in_days'],
        [{ name: 'x', scopes: ['admin'] }, 'scopes'],
      ];
      const failures = [];
      for (const [json, field] of cases) {
        const res = await create(json);
        try { assertProblem(res, 400, 'validation-error', { field }); } catch (e) { failures.push(`${JSON.stringify(json)}: ${show(res)}`); }
      }
      assert.equal(failures.length, 0, failures.join('\n'));
    });
  });
}
