// Webhooks end to end (issue 20): an app's backend hears of its users as a Django signal would
// have told it. Endpoints are made through the console API; a real HTTP receiver on loopback
// verifies every request with the official Standard Webhooks library (`standardwebhooks`,
// unmodified) and the secret it was shown once.
//   - sign-up, sign-in, profile change, sign-out and deletion reach the endpoints that
//     subscribe to them (and no other), with the user in the body — HTML and SQL
//     metacharacters and unicode as plain data;
//   - a rotated secret keeps signing beside the new one (both verify);
//   - a receiver that fails is retried with back-off until it answers 2xx; the delivery log
//     shows attempts and answers; a redelivery keeps the webhook-id;
//   - a kill -9 of the server while the receiver holds a request: after the restart the event
//     is sent again (at least once), under the same webhook-id;
//   - a receiver that never answers does not hold up sign-ups;
//   - bad input to the console API: clear problems, nothing kept; other developers see nothing.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/webhooks.test.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { Webhook } from 'standardwebhooks';
import { backends, test, describe, before, after, assertStatus, assertProblem, show, sleep, rand, uniqEmail }
  from './lib/server.mjs';
import { startConsoleFixture, until } from './lib/console.mjs';

/**
 * A receiver: records every request (raw body, headers); answers `status`, or holds the
 * request unanswered while `hold` is set (a slow or hung endpoint).
 */
async function startReceiver() {
  const received = [];
  const held = [];
  let status = 204;
  let hold = false;
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const r = { path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: null };
    received.push(r);
    if (hold) { held.push({ r, res }); return; }
    r.answered = status;
    res.writeHead(status).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    received, held,
    answer(s) { status = s; },
    holdRequests(on) { hold = on; },
    /** Drops every held request's connection without an answer. */
    dropHeld() { for (const h of held.splice(0)) h.res.socket?.destroy(); },
    /** Answers every held request. */
    releaseHeld(s = 204) { for (const h of held.splice(0)) { h.r.answered = s; h.res.writeHead(s).end(); } },
    close: () => { server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
  };
}

/** The event of a request, verified as a receiver would with the Standard Webhooks library. */
function verified(r, secret) {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': r.headers['webhook-id'],
    'webhook-timestamp': r.headers['webhook-timestamp'],
    'webhook-signature': r.headers['webhook-signature'],
  });
}

const ALL_USER_EVENTS = ['user.created', 'user.updated', 'user.deleted', 'user.login', 'session.revoked'];

for (const backend of backends()) {
  describe(`webhooks [${backend}]`, () => {
    let fx, receiver, capi, X;
    before(async () => {
      receiver = await startReceiver();
      // Its own schema on PostgreSQL: every node sharing a database sends its deliveries. A
      // short lease, so a delivery whose sender was killed is tried again within the test.
      fx = await startConsoleFixture(backend, `webhooks-${backend}`,
        { isolatedSchema: true, args: ['--delivery-lease', '5'] });
      ({ capi, X } = fx);
    });
    after(async () => {
      await fx?.srv.close();
      await receiver?.close();
    });

    const srv = () => fx.srv;
    /** A new app of X with one endpoint to the receiver for `events`: {slug, webhook, secret}. */
    const appWithWebhook = async (events, path = `/hooks/${rand(8)}`) => {
      const app = await fx.newApp(X, 'wh');
      const made = await capi(X, 'POST', `/apps/${app.slug}/webhooks`, {
        json: { url: receiver.url.replace('/hooks', path), event_types: events, description: 'Customers <b>&</b> \' OR 1=1 --' } });
      assertStatus(made, 201);
      assert.match(made.body.secret, /^whsec_[A-Za-z0-9+/]{32}$/, show(made));
      assert.equal(made.body.webhook.description, 'Customers <b>&</b> \' OR 1=1 --');
      assert.ok(!('secret' in made.body.webhook), 'the endpoint view never carries the secret');
      return { slug: app.slug, webhook: made.body.webhook, secret: made.body.secret, path };
    };
    const requestsTo = (path) => receiver.received.filter((r) => r.path === path);
    const eventsAt = async (path, secret, n, what) => {
      await until(what, () => requestsTo(path).filter((r) => r.answered && r.answered < 300).length >= n, 30_000);
      return requestsTo(path).filter((r) => r.answered && r.answered < 300).map((r) => ({ r, event: verified(r, secret) }));
    };
    const deliveries = async (slug, id) => {
      const res = await capi(X, 'GET', `/apps/${slug}/webhooks/${id}/deliveries`);
      assertStatus(res, 200);
      return res.body.deliveries;
    };
    const signupTo = async (slug, email, profile) => {
      const res = await srv().api('POST', '/api/signup', { app: slug, json: { email, password: `pw-${rand(16)}`, profile } });
      assertStatus(res, 201);
      return res;
    };

    test('users signing up, in and out, changed and deleted: each subscribed endpoint hears it, signed', async () => {
      const a = await appWithWebhook(ALL_USER_EVENTS);
      // A second endpoint of the same app hears only deletions.
      const onlyDeleted = await capi(X, 'POST', `/apps/${a.slug}/webhooks`,
        { json: { url: receiver.url.replace('/hooks', '/deleted-only'), event_types: ['user.deleted'] } });
      assertStatus(onlyDeleted, 201);

      const email = uniqEmail('zoë');
      const password = `pw-${rand(16)}`;
      const name = '<script>alert(1)</script> Zoë "; DROP TABLE users; --';
      const signed = await srv().api('POST', '/api/signup', { app: a.slug, json: { email, password, profile: { name } } });
      assertStatus(signed, 201);
      const login = await srv().api('POST', '/api/login', { app: a.slug, json: { login: email, password } });
      assertStatus(login, 200);
      const userId = login.body.user.id;
      assertStatus(await srv().api('POST', '/api/logout', { app: a.slug, token: login.body.access_token }), 204);
      assertStatus(await capi(X, 'PATCH', `/apps/${a.slug}/users/${userId}`, { json: { roles: ['customer'] } }), 200);
      assertStatus(await capi(X, 'DELETE', `/apps/${a.slug}/users/${userId}`), 204);

      await until('the deletion', () => requestsTo(a.path).some((r) => r.answered && JSON.parse(r.body).type === 'user.deleted'), 30_000);
      await sleep(1000);
      const got = await eventsAt(a.path, a.secret, 1, 'the events');
      const types = got.map((g) => g.event.type);
      // Order between events is not promised: compare as a set, and order by timestamp.
      for (const t of ['user.created', 'user.login', 'session.revoked', 'user.updated', 'user.deleted']) {
        assert.ok(types.includes(t), `${t} in ${types}`);
      }
      console.log(`# events heard: ${types.join(', ')}`);
      const ids = got.map((g) => g.r.headers['webhook-id']);
      assert.equal(new Set(ids).size, ids.length, 'each event has its own webhook-id');
      const created = got.find((g) => g.event.type === 'user.created').event;
      assert.equal(created.data.user.id, userId);
      assert.equal(created.data.user.email, email);
      assert.equal(created.data.user.profile.name, name, 'metacharacters and unicode are data');
      assert.match(created.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(!JSON.stringify(created).includes(password) && !/argon2|password_hash/.test(JSON.stringify(created)));
      const updated = got.find((g) => g.event.type === 'user.updated').event;
      assert.deepEqual(updated.data.user.roles, ['customer']);
      assert.equal(updated.data.actor.type, 'developer');
      const deleted = got.find((g) => g.event.type === 'user.deleted').event;
      assert.deepEqual(deleted.data.user, { id: userId });
      const revoked = got.find((g) => g.event.type === 'session.revoked').event;
      assert.equal(revoked.data.user.id, userId);
      assert.ok(revoked.data.session_id, JSON.stringify(revoked));

      // The deletions-only endpoint heard the deletion alone, under the same event id.
      const onlyGot = await eventsAt('/deleted-only', onlyDeleted.body.secret, 1, 'the deletion');
      await sleep(500);
      assert.equal(requestsTo('/deleted-only').length, 1);
      assert.equal(onlyGot[0].event.type, 'user.deleted');
      assert.equal(onlyGot[0].r.headers['webhook-id'],
        got.find((g) => g.event.type === 'user.deleted').r.headers['webhook-id']);
      // A forged or replayed-with-another-body request fails the library's check.
      const forged = { ...got[0].r, body: got[0].r.body.replace(userId, 'someone-else') };
      assert.throws(() => verified(forged, a.secret), /signature/i);
      assert.throws(() => verified(got[0].r, onlyDeleted.body.secret), /signature/i);

      // The log: delivered, one attempt, the receiver's 204.
      const log = await deliveries(a.slug, a.webhook.id);
      assert.equal(log.length, got.length, JSON.stringify(log.map((d) => d.event_type)));
      assert.deepEqual(log.map((d) => d.event_type).sort(), [...types].sort());
      for (const d of log) {
        assert.equal(d.state, 'delivered', JSON.stringify(d));
        assert.equal(d.attempts, 1);
        assert.equal(d.last_status, 204);
        assert.equal(d.next_attempt_at, null);
      }
      // Another app's users are not this endpoint's business.
      const other = await fx.newApp(X, 'wh-other');
      await signupTo(other.slug, uniqEmail('other'));
      await sleep(1500);
      assert.equal(requestsTo(a.path).length, got.length);
    });

    test('a rotated secret keeps signing beside the new one; the test button reaches the endpoint', async () => {
      const a = await appWithWebhook(['user.created']);
      const rotated = await capi(X, 'POST', `/apps/${a.slug}/webhooks/${a.webhook.id}/rotate-secret`);
      assertStatus(rotated, 200);
      assert.notEqual(rotated.body.secret, a.secret);
      assert.ok(rotated.body.webhook.previous_secret_expires_at, show(rotated));
      const sent = await capi(X, 'POST', `/apps/${a.slug}/webhooks/${a.webhook.id}/test`);
      assertStatus(sent, 202);
      assert.equal(sent.body.delivery.event_type, 'webhook.test');
      const [{ r, event }] = await eventsAt(a.path, rotated.body.secret, 1, 'the test event');
      assert.equal(event.type, 'webhook.test');
      assert.equal(verified(r, a.secret).type, 'webhook.test', 'the previous secret verifies too');
      assert.equal(r.headers['webhook-signature'].split(' ').length, 2);
      assert.equal(r.headers['webhook-id'], sent.body.delivery.event_id);
    });

    test('a failing receiver is retried with back-off until it takes the event; redelivery keeps the id', async () => {
      const a = await appWithWebhook(['user.created']);
      receiver.answer(500);
      try {
        await signupTo(a.slug, uniqEmail('retry'));
        await until('the first attempt', () => requestsTo(a.path).length >= 1, 15_000);
        const first = requestsTo(a.path)[0];
        let log = await until('the failed attempt recorded', async () => {
          const l = await deliveries(a.slug, a.webhook.id);
          return l[0]?.last_status === 500 ? l : null;
        });
        assert.equal(log[0].state, 'pending');
        assert.equal(log[0].attempts, 1);
        assert.match(log[0].last_error, /500/);
        assert.ok(log[0].next_attempt_at, 'a retry is due');
        receiver.answer(204);
        // The first retry comes 10 s after the failure.
        log = await until('the retry delivered', async () => {
          const l = await deliveries(a.slug, a.webhook.id);
          return l[0]?.state === 'delivered' ? l : null;
        }, 30_000);
        assert.equal(log[0].attempts, 2);
        assert.equal(log[0].last_status, 204);
        const tries = requestsTo(a.path);
        assert.equal(tries.length, 2);
        assert.equal(tries[1].headers['webhook-id'], first.headers['webhook-id']);
        assert.ok(Number(tries[1].headers['webhook-timestamp']) >= Number(first.headers['webhook-timestamp']) + 9,
          'each attempt is signed at its own time');
        verified(tries[1], a.secret);

        const again = await capi(X, 'POST', `/apps/${a.slug}/webhooks/${a.webhook.id}/deliveries/${log[0].id}/redeliver`);
        assertStatus(again, 202);
        assert.notEqual(again.body.delivery.id, log[0].id);
        await until('the redelivery', () => requestsTo(a.path).length >= 3, 15_000);
        assert.equal(requestsTo(a.path)[2].headers['webhook-id'], first.headers['webhook-id']);
        assert.equal(requestsTo(a.path)[2].body, first.body);
        // Unknown deliveries and other endpoints' deliveries are not found.
        assertProblem(await capi(X, 'POST', `/apps/${a.slug}/webhooks/${a.webhook.id}/deliveries/nope/redeliver`), 404);
      } finally {
        receiver.answer(204);
      }
    });

    test('kill -9 while the receiver holds the request: after the restart the event is sent again', async () => {
      const a = await appWithWebhook(['user.created']);
      receiver.holdRequests(true);
      try {
        await signupTo(a.slug, uniqEmail('crash'));
        await until('the request reaching the receiver', () => requestsTo(a.path).length >= 1, 15_000);
        const first = requestsTo(a.path)[0];
        assert.equal(first.answered, null, 'held: the server is mid-delivery');
        await srv().kill9();
        receiver.holdRequests(false);
        receiver.dropHeld();
        await srv().restart();
        // Leased by the dead process for 5 s (--delivery-lease), then sent again.
        await until('the delivery after the restart', () =>
          requestsTo(a.path).some((r) => r.answered === 204), 40_000);
        const done = requestsTo(a.path).find((r) => r.answered === 204);
        assert.equal(done.headers['webhook-id'], first.headers['webhook-id'], 'the same event, at least once');
        assert.equal(verified(done, a.secret).type, 'user.created');
        const log = await until('the log to say delivered', async () => {
          const l = await deliveries(a.slug, a.webhook.id);
          return l[0]?.state === 'delivered' ? l : null;
        });
        assert.ok(log[0].attempts >= 2, JSON.stringify(log[0]));
      } finally {
        receiver.holdRequests(false);
        receiver.dropHeld();
      }
    });

    test('a receiver that never answers does not hold up sign-ups', async () => {
      const a = await appWithWebhook(['user.created']);
      receiver.holdRequests(true);
      try {
        await signupTo(a.slug, uniqEmail('slow-0'));
        await until('the first request held', () => requestsTo(a.path).length >= 1, 15_000);
        // While the receiver holds that request, more people sign up, each answered at once
        // (the events are queued with the sign-up and sent by the delivery worker).
        for (let i = 1; i <= 5; i++) await signupTo(a.slug, uniqEmail(`slow-${i}`));
        assert.equal(requestsTo(a.path)[0].answered, null, 'the first request is still unanswered');
        receiver.releaseHeld(204);
        receiver.holdRequests(false);
        const log = await until('all six delivered', async () => {
          const l = await deliveries(a.slug, a.webhook.id);
          return l.length === 6 && l.every((d) => d.state === 'delivered') ? l : null;
        }, 40_000);
        assert.equal(log.length, 6);
      } finally {
        receiver.holdRequests(false);
        receiver.releaseHeld(204);
      }
    });

    test('bad input gets a clear problem and keeps nothing; another developer sees nothing', async () => {
      const app = await fx.newApp(X, 'wh-bad');
      const path = `/apps/${app.slug}/webhooks`;
      const post = (opts) => capi(X, 'POST', path, opts);
      assertProblem(await post({ body: '{"url": ', headers: { 'content-type': 'application/json' } }), 400);
      assertProblem(await post({ json: [] }), 400);
      assertProblem(await post({ json: { url: 'https://x.example/h', event_types: ['*'], secret: 'mine' } }), 400);
      assertProblem(await post({ json: { url: 'https://x.example/h', event_types: 'user.created' } }), 400);
      assertProblem(await post({ json: { url: 'http://api.example.com/h', event_types: ['*'] } }), 400, undefined, { field: 'url' });
      assertProblem(await post({ json: { url: 'https://api.example.com/h', event_types: ['user.exploded', '<b>'] } }),
        400, undefined, { field: 'event_types' });
      assertProblem(await post({ json: { url: 'https://api.example.com/h', event_types: [] } }), 400, undefined, { field: 'event_types' });
      assertProblem(await post({ json: { url: 'https://api.example.com/h', event_types: ['*'], description: 'x'.repeat(201) } }),
        400, undefined, { field: 'description' });
      const huge = await post({ json: { url: 'https://api.example.com/h', event_types: ['*'], description: 'a'.repeat(70 * 1024) } });
      assert.equal(huge.status, 413, show(huge));
      const listed = await capi(X, 'GET', path);
      assertStatus(listed, 200);
      assert.deepEqual(listed.body.webhooks, [], 'nothing kept from refusals');
      assert.ok(listed.body.event_types.some((t) => t.name === 'user.created'));

      const made = await post({ json: { url: 'https://api.example.com/h', event_types: ['user.*'] } });
      assertStatus(made, 201);
      const id = made.body.webhook.id;
      // Another developer: not found (no hint the app or the endpoint exists).
      assertProblem(await capi(fx.Y, 'GET', `${path}/${id}`), 404);
      assertProblem(await capi(fx.Y, 'POST', `${path}/${id}/rotate-secret`), 404);
      assertProblem(await capi(fx.Y, 'GET', `${path}/${id}/deliveries`), 404);
      assertProblem(await capi(null, 'GET', path), 401);
      // A disabled endpoint takes no test event (409); its page says so.
      assertStatus(await capi(X, 'PATCH', `${path}/${id}`, { json: { enabled: false } }), 200);
      assertProblem(await capi(X, 'POST', `${path}/${id}/test`), 409);
      assertProblem(await capi(X, 'GET', `${path}/${id}/deliveries?limit=0`), 400);
      assertStatus(await capi(X, 'DELETE', `${path}/${id}`), 204);
      assertProblem(await capi(X, 'GET', `${path}/${id}`), 404);
    });
  });
}
