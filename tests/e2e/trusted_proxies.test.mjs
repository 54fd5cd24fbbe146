// Issue 12, "Behind a load balancer", black-box through a real nginx. Before: the client IP was
// the socket peer, so behind a proxy every client was the proxy — after 100 failed sign-ins
// from anyone, another user's correct password got 429; the audit log and the access log
// showed the proxy's address. Now, with --trusted-proxies naming the proxy, the client is the
// rightmost X-Forwarded-For hop that is not a trusted proxy; anyone else's header is ignored.
// Clients with distinct addresses leave from 127.0.0.2, 127.0.0.3 … (lib/proxy.mjs).
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, rand, uniqEmail, signup,
} from './lib/server.mjs';
import { startServer } from './lib/tessera.mjs';
import { Nginx, nginxAvailable, sourced } from './lib/proxy.mjs';

const skip = nginxAvailable() ? false : 'nginx is not installed (scripts/setup.sh)';

for (const backend of backends()) {
  describe(`behind nginx, the client is the forwarded address [${backend}]`, { skip }, () => {
    let srv;
    let nginx;
    before(async () => {
      // nginx connects from 127.0.0.1; the clients come from other loopback addresses.
      srv = await startServer({ postgres: backend === 'postgres', label: `proxied-${backend}`,
        args: ['--trusted-proxies', '127.0.0.1/32, ::1'] });
      nginx = await new Nginx(srv.port).start();
    });
    after(async () => {
      await nginx?.close();
      await srv?.close();
    });

    const viaNginx = (from, method, p, opts) => sourced(from, nginx.port, method, p, opts);
    const direct = (from, method, p, opts) => sourced(from, srv.port, method, p, opts);
    const loginPath = () => `/apps/${srv.app}/api/login`;
    /** The newest audit event of `action` for `userId`. */
    async function lastEvent(action, userId) {
      const events = await srv.adminLines(['audit', '--app', srv.app, '--action', action, '--limit', '50']);
      const e = events.find((x) => x.subject_id === userId || x.actor_id === userId);
      assert.ok(e, `no ${action} event of ${userId} in ${JSON.stringify(events).slice(0, 800)}`);
      return e;
    }

    test('100+ failed sign-ins of one client do not lock out another client', async () => {
      const victim = await signup(srv);
      // 105 wrong passwords from 127.0.0.2, each for another address (so no account's own
      // budget runs out first): the IP budget (100 per 15 min) is spent, by that client only.
      const statuses = [];
      for (let round = 0; round < 21; round++) {
        const batch = await Promise.all(Array.from({ length: 5 }, () =>
          viaNginx('127.0.0.2', 'POST', loginPath(),
            { json: { email: uniqEmail('guess'), password: `wrong-${rand(8)}` } })));
        statuses.push(...batch.map((r) => r.status));
      }
      assert.ok(statuses.slice(0, 90).every((s) => s === 401), `first answers: ${statuses.slice(0, 90)}`);
      assert.equal(statuses.at(-1), 429, `the flooder is throttled: ${statuses.slice(-10)}`);
      const again = await viaNginx('127.0.0.2', 'POST', loginPath(),
        { json: { email: victim.email, password: victim.password } });
      assert.equal(again.status, 429, 'the flooding client stays throttled, even with a right password');
      // Another client behind the same nginx signs in.
      const res = await viaNginx('127.0.0.3', 'POST', loginPath(),
        { json: { email: victim.email, password: victim.password } });
      assert.equal(res.status, 200, `another client's correct password: ${res.status} ${res.text}`);
    });

    test('the audit log and the access log show the real client address', async () => {
      const u = await signup(srv);
      const res = await viaNginx('127.0.0.4', 'POST', loginPath(),
        { json: { email: u.email, password: u.password }, headers: { 'user-agent': 'proxied-client' } });
      assert.equal(res.status, 200, res.text);
      const e = await lastEvent('user.login', u.user.id);
      assert.equal(e.ip, '127.0.0.4', JSON.stringify(e));
      assert.equal(e.user_agent, 'proxied-client');
      // The access log names the client, and the proxy it came through.
      const line = srv.output().split('\n').find((l) => l.includes('"remote":"127.0.0.4"'));
      assert.ok(line, 'no access-log line with remote 127.0.0.4');
      assert.match(line, /"peer":"127\.0\.0\.1"/);
      assert.match(line, /"scheme":"http"/);
    });

    test('a forged X-Forwarded-For is not believed', async () => {
      const u = await signup(srv);
      // Through nginx: it appends the address it saw, and that rightmost hop is the client.
      const proxied = await viaNginx('127.0.0.5', 'POST', loginPath(),
        { json: { email: u.email, password: u.password }, headers: { 'x-forwarded-for': '6.6.6.6, 10.0.0.1' } });
      assert.equal(proxied.status, 200, proxied.text);
      assert.equal((await lastEvent('user.login', u.user.id)).ip, '127.0.0.5');
      // Straight to Tessera from an address that is not a trusted proxy: the header is ignored.
      const straight = await direct('127.0.0.6', 'POST', loginPath(),
        { json: { email: u.email, password: u.password }, headers: { 'x-forwarded-for': '6.6.6.6' } });
      assert.equal(straight.status, 200, straight.text);
      assert.equal((await lastEvent('user.login', u.user.id)).ip, '127.0.0.6');
    });
  });
}

describe('without --trusted-proxies nobody\'s forwarding headers count', { skip }, () => {
  let srv;
  let nginx;
  before(async () => {
    srv = await startServer({ label: 'unproxied' });
    nginx = await new Nginx(srv.port).start();
  });
  after(async () => {
    await nginx?.close();
    await srv?.close();
  });

  test('the client is the socket peer, even nginx', async () => {
    const u = await signup(srv);
    const viaNginx = await sourced('127.0.0.7', nginx.port, 'POST', `/apps/${srv.app}/api/login`,
      { json: { email: u.email, password: u.password } });
    assert.equal(viaNginx.status, 200, viaNginx.text);
    const events = await srv.adminLines(['audit', '--app', srv.app, '--action', 'user.login']);
    assert.equal(events.find((e) => e.subject_id === u.user.id)?.ip, '127.0.0.1');
  });
});
