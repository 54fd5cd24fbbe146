// OpenID Connect Back-Channel Logout 1.0 end to end: relying parties signed in through chromium
// with an unmodified openid-client v6 are told by a logout token, POSTed by Tessera to their
// backchannel_logout_uri (a real HTTP server on loopback here), when the user's session with
// them ends — by RP-initiated logout (the browser session's grants end with it), by the app
// signing the user out everywhere (server API) — and the receiver verifies it as the spec says
// (§2.6, with jose against the published JWKS: typ logout+jwt, iss, aud, iat/exp, jti, the
// event, sid as in the ID token, sub, no nonce). A receiver that fails is retried until it
// answers 2xx, across a kill -9 of the server. Discovery advertises it only while it is on.
//
// Run alone:  node --test tests/e2e/oidc_backchannel_logout.test.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import * as jose from 'jose';
import { backends, test, describe, before, after, request, show, sleep } from './lib/server.mjs';
import { importOidcClient, registerClient } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A relying party's back-channel endpoint: records every POST, answers `status`. */
async function startReceiver() {
  const received = [];
  const waiters = [];
  let status = 200;
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ method: req.method, url: req.url, headers: req.headers, body, answered: status });
    res.writeHead(status, { 'cache-control': 'no-store' });
    res.end();
    for (const w of [...waiters]) w();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}/backchannel-logout`;
  return {
    url, received,
    answer(s) { status = s; },
    /** The first POST answered 2xx whose logout token satisfies `match(claims)`. */
    async next(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find((r) => r.answered < 300 && !r.taken &&
          match(jose.decodeJwt(new URLSearchParams(r.body).get('logout_token') ?? 'x.e30.x')));
        if (hit) { hit.taken = true; return hit; }
        if (Date.now() > deadline) throw new Error(`no logout token within ${timeoutMs} ms; got ${received.length} POSTs`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 250).unref(); });
      }
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

for (const backend of backends()) {
  describe(`back-channel logout (OIDC Back-Channel Logout 1.0) [${backend}]`, () => {
    let fixture, srv, issuer, rp, newPage, codeFlow, browser, configFor, receiver, jwks;
    let notes, notesConfig, plain, plainConfig;
    before(async () => {
      // Its own schema on PostgreSQL: every node sharing a database sends its deliveries, and
      // the other test files' servers have other public URLs (so other issuers) than this one.
      fixture = await startOidcFlowFixture(backend, `oidc-bcl-${backend}`, { isolatedSchema: true });
      ({ srv, issuer, rp, newPage, codeFlow, browser, configFor } = fixture);
      receiver = await startReceiver();
      notes = await registerClient(srv, { name: 'Notes', redirectUris: [rp.url('/callback')],
        postLogoutRedirectUris: [rp.url('/logged-out')], backchannelLogoutUri: receiver.url + '?rp=notes',
        backchannelLogoutSessionRequired: true });
      plain = await registerClient(srv, { name: 'Plain', redirectUris: [rp.url('/callback')] });
      notesConfig = await configFor(notes);
      plainConfig = await configFor(plain);
      jwks = jose.createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    });
    after(async () => { await receiver?.close(); await fixture?.close(); });

    const discovery = async () => (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;

    /** §2.6: what a relying party checks of a logout token before it logs anyone out. */
    async function verifyLogoutToken(hit, { sid, sub }) {
      assert.equal(hit.method, 'POST');
      assert.equal(hit.url, '/backchannel-logout?rp=notes');
      assert.equal(hit.headers['content-type'], 'application/x-www-form-urlencoded');
      const token = new URLSearchParams(hit.body).get('logout_token');
      const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
        issuer, audience: notes.client_id, typ: 'logout+jwt', algorithms: ['RS256'], maxTokenAge: '2 minutes',
      });
      assert.equal(protectedHeader.typ, 'logout+jwt');
      assert.deepEqual(payload.events, { [EVENT]: {} });
      assert.equal(payload.sid, sid);
      assert.equal(payload.sub, sub);
      assert.ok(payload.jti && payload.jti.length >= 16, 'a jti to refuse replays with');
      assert.ok(payload.exp > payload.iat && payload.exp - payload.iat <= 300);
      assert.equal(payload.nonce, undefined, '§2.4: a logout token never carries a nonce');
      return payload;
    }

    /** Signs `who` in to Notes (and Plain) in one browser context; returns the page and tokens. */
    async function signIn(who) {
      const { context, page } = await newPage(browser);
      const n = await codeFlow(page, notesConfig, { who, scope: 'openid email' });
      const p = await codeFlow(page, plainConfig, { who, scope: 'openid email' });
      assert.ok(n.claims.sid, 'ID tokens carry sid');
      return { context, page, notes: n, plain: p };
    }

    test('off by default: discovery says nothing and no logout token is sent', async () => {
      const d = await discovery();
      assert.equal(d.backchannel_logout_supported, undefined);
      assert.equal(d.backchannel_logout_session_supported, undefined);
    });

    test('on: discovery advertises back-channel logout with sid', async () => {
      await srv.admin(['update-app', '--app', srv.app, '--backchannel-logout', 'true']);
      for (let i = 0; i < 80 && !(await discovery()).backchannel_logout_supported; i++) await sleep(100);
      const d = await discovery();
      assert.equal(d.backchannel_logout_supported, true);
      assert.equal(d.backchannel_logout_session_supported, true);
    });

    test('RP-initiated logout ends the browser session\'s grants and tells the client by a signed logout token', async () => {
      const who = fixture.user;
      const s = await signIn(who);
      try {
        const info = await client.fetchUserInfo(notesConfig, s.notes.tokens.access_token, who.user.id);
        assert.equal(info.sub, who.user.id);
        const state = client.randomState();
        const endSession = client.buildEndSessionUrl(notesConfig, {
          id_token_hint: s.notes.tokens.id_token, post_logout_redirect_uri: rp.url('/logged-out'), state });
        const landed = rp.next('/logged-out', { match: (u) => u.searchParams.get('state') === state });
        landed.catch(() => {});
        await s.page.goto(endSession.href);
        await landed;
        const hit = await receiver.next((c) => c.sid === s.notes.claims.sid);
        await verifyLogoutToken(hit, { sid: s.notes.claims.sid, sub: who.user.id });
        // Both grants ended with the sign-in (Plain has no back-channel URI, so it is not told):
        // their access tokens are refused at once.
        const userinfo = (await discovery()).userinfo_endpoint;
        for (const tokens of [s.notes.tokens, s.plain.tokens]) {
          const r = await request('GET', userinfo, { token: tokens.access_token });
          assert.equal(r.status, 401, show(r));
        }
        for (const r of receiver.received) {
          assert.equal(jose.decodeJwt(new URLSearchParams(r.body).get('logout_token')).aud, notes.client_id);
        }
      } finally {
        await s.context.close();
      }
    });

    test('the app signing the user out everywhere tells the client about each grant', async () => {
      const who = fixture.user;
      const a = await signIn(who);
      const b = await signIn(who);  // a second browser: a second grant of Notes
      try {
        const key = await srv.admin(['create-api-key', '--app', srv.app, '--name', 'backend']);
        const r = await srv.api('DELETE', `/api/users/${who.user.id}/sessions`, { app: srv.app, token: key.key });
        assert.ok(r.status === 200 || r.status === 204, show(r));
        for (const s of [a, b]) {
          const hit = await receiver.next((c) => c.sid === s.notes.claims.sid);
          await verifyLogoutToken(hit, { sid: s.notes.claims.sid, sub: who.user.id });
        }
      } finally {
        await a.context.close();
        await b.context.close();
      }
    });

    test('a failing receiver is retried, across a kill -9 of the server, until it takes the token', async () => {
      const who = fixture.user;
      const s = await signIn(who);
      await s.context.close();
      receiver.answer(503);
      const before = receiver.received.length;
      const key = await srv.admin(['create-api-key', '--app', srv.app, '--name', 'backend-2']);
      const r = await srv.api('DELETE', `/api/users/${who.user.id}/sessions`, { app: srv.app, token: key.key });
      assert.ok(r.status === 200 || r.status === 204, show(r));
      for (let i = 0; i < 100 && receiver.received.length === before; i++) await sleep(100);
      assert.ok(receiver.received.length > before, 'the first attempt reached the receiver');
      assert.equal(receiver.received.at(-1).answered, 503);
      await sleep(500);  // the attempt's end is written right after the answer
      // The delivery is in the database, not in the process: kill it, start it again.
      await srv.kill9();
      receiver.answer(200);
      await srv.restart();
      // The first retry comes 10 s after the failure.
      const hit = await receiver.next((c) => c.sid === s.notes.claims.sid, 40_000);
      await verifyLogoutToken(hit, { sid: s.notes.claims.sid, sub: who.user.id });
      const tries = receiver.received.filter((x) => x.body && jose.decodeJwt(
        new URLSearchParams(x.body).get('logout_token')).sid === s.notes.claims.sid);
      assert.ok(tries.length >= 2, `retried: ${tries.map((t) => t.answered)}`);
      assert.notEqual(new URLSearchParams(tries[0].body).get('logout_token'),
        new URLSearchParams(hit.body).get('logout_token'), 'each attempt is a fresh token (its own jti)');
      // The operator's view: the delivery, its attempts and the receiver's answers.
      let mine;
      for (let i = 0; i < 50; i++) {
        const { deliveries } = await srv.admin(['list-deliveries', '--app', srv.app, '--client', notes.client_id, '--json']);
        mine = deliveries.find((d) => d.session_id === s.notes.claims.sid);
        if (mine?.state === 'delivered') break;
        await sleep(100);
      }
      assert.equal(mine.state, 'delivered', JSON.stringify(mine));
      assert.equal(mine.kind, 'backchannel_logout');
      assert.equal(mine.last_status, 200);
      assert.ok(mine.attempts >= 2, JSON.stringify(mine));
      assert.equal(mine.user_id, who.user.id);
    });

    test('a client cannot register a back-channel URI that is not https (a public one) or has a fragment', async () => {
      for (const [uri, isPublic] of [['https://rp.example/logout#frag', false], ['http://rp.example/logout', true]]) {
        await assert.rejects(registerClient(srv, { name: 'Bad', redirectUris: [rp.url('/callback')], isPublic,
          backchannelLogoutUri: uri }), /backchannel_logout_uri/);
      }
    });
  });
}
