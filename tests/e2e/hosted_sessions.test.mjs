// Hosted-page sessions and sign-in throttling, black-box:
// - failed sign-ins are throttled per account and per IP, on the page (429 + a clear message)
//   and on the API (429 problem + Retry-After), identically for unknown accounts; one budget
//   per account whatever the spelling (spaces, case, email or username);
// - with an https PUBLIC_URL, cookies are __Host- prefixed and Secure;
// - a browser session ends after the idle timeout, and signing in again gives a new cookie
//   (no fixation).
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, show, signup, uniqEmail, sleep, request,
} from './lib/server.mjs';
import { WebClient } from './lib/oidc.mjs';

const PASSWORD = 'a perfectly fine passphrase';

for (const backend of backends()) {
  describe(`hosted sessions and throttling [${backend}]`, () => {
    let srv;
    before(async () => {
      srv = await startServer({
        postgres: backend === 'postgres', label: `hosted-${backend}`,
        args: ['--login-max-failures-per-account', '3', '--login-max-failures-per-ip', '8',
          '--browser-session-idle-ttl', '2'],
      });
    });
    after(() => srv?.close());

    test('after 3 failures an account is throttled on the page, even with the right password', async () => {
      const email = uniqEmail('throttle');
      await signup(srv, { email, password: PASSWORD });
      const web = new WebClient(srv);
      for (let i = 0; i < 3; i++) {
        const r = await web.signIn(email, 'wrong password here');
        assert.equal(r.status, 401, show(r));
        assert.match(r.text, /Incorrect email, username or password/);
      }
      const blocked = await web.signIn(email, PASSWORD);
      assert.equal(blocked.status, 429, show(blocked));
      assert.match(blocked.text, /Too many failed sign-in attempts\. Try again in \d+ minutes?\./);
      assert.ok(Number(blocked.headers.get('retry-after')) > 0, show(blocked));
      assert.equal(web.sessionCookie(), undefined, 'no session for a throttled sign-in');
      // The API shares the counter: 429 problem with Retry-After.
      const api = await srv.api('POST', '/api/login', { json: { email, password: PASSWORD } });
      assert.equal(api.status, 429, show(api));
      assert.match(api.headers.get('content-type'), /application\/problem\+json/);
      assert.ok(Number(api.headers.get('retry-after')) > 0);
      // Another account is not affected.
      const other = uniqEmail('free');
      await signup(srv, { email: other, password: PASSWORD });
      const ok = await new WebClient(srv).signIn(other, PASSWORD);
      assert.equal(ok.status, 303, show(ok));
    });

    test('an unknown account is throttled exactly like a real one (no enumeration)', async () => {
      const ghost = uniqEmail('ghost');
      const web = new WebClient(srv);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await web.signIn(ghost, 'whatever it is')).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
    });

    test('one budget per account: spacing, case and email-or-username spend the same guesses', async () => {
      // Issue 11, item 1: the counter was keyed by the identifier as typed, so " victim@x",
      // "victim@x\t" and the username each got a fresh budget. Its own server: the per-IP
      // count of the tests above must not interfere.
      const s = await startServer({
        postgres: backend === 'postgres', label: `hosted-spell-${backend}`,
        args: ['--login-max-failures-per-account', '3', '--login-max-failures-per-ip', '100'],
      });
      try {
        const email = uniqEmail('victim');
        const username = `victim${Date.now() % 100000}`;
        await signup(s, { email, password: PASSWORD, username });
        const web = new WebClient(s);
        const spellings = [` ${email}`, `${email.toUpperCase()}\t`, username.toUpperCase()];
        for (const who of spellings) {
          const r = await web.signIn(who, 'wrong password here');
          assert.equal(r.status, 401, `${JSON.stringify(who)}: ${show(r)}`);
        }
        // The budget is spent, whichever spelling comes next, even with the right password.
        for (const who of [email, `  ${email}`, username]) {
          const r = await s.api('POST', '/api/login', { json: { login: who, password: PASSWORD } });
          assert.equal(r.status, 429, `${JSON.stringify(who)}: ${show(r)}`);
        }
        assert.equal((await new WebClient(s).signIn(` ${email}`, PASSWORD)).status, 429);
        // An unknown address behaves the same way (no enumeration): its spellings share one.
        const ghost = uniqEmail('ghost');
        const statuses = [];
        for (const who of [` ${ghost}`, ghost.toUpperCase(), `${ghost}\t`, ghost]) {
          statuses.push((await web.signIn(who, 'whatever it is')).status);
        }
        assert.deepEqual(statuses, [401, 401, 401, 429]);
      } finally {
        await s.close();
      }
    });

    test('the IP limit stops guessing across many accounts', async () => {
      // Fresh server: the IP counter of the tests above must not interfere.
      const s = await startServer({
        postgres: backend === 'postgres', label: `hosted-ip-${backend}`,
        args: ['--login-max-failures-per-account', '100', '--login-max-failures-per-ip', '4'],
      });
      try {
        const web = new WebClient(s);
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push((await web.signIn(uniqEmail('spray'), 'guess guess')).status);
        assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
      } finally {
        await s.close();
      }
    });

    test('a browser session ends after the idle timeout; a new sign-in gets a new cookie', async () => {
      const email = uniqEmail('idle');
      await signup(srv, { email, password: PASSWORD });
      const web = new WebClient(srv);
      const first = await web.signIn(email, PASSWORD);
      assert.equal(first.status, 303, show(first));
      const cookie1 = web.sessionCookie();
      assert.ok(cookie1, 'session cookie set');
      assert.match(cookie1.raw, /HttpOnly/i);
      assert.match(cookie1.raw, /SameSite=Lax/i);
      assert.equal((await web.get('account')).status, 200);
      await sleep(3000);  // idle TTL is 2 s
      const expired = await web.get('account');
      assert.equal(expired.status, 303, show(expired));
      assert.match(expired.headers.get('location'), /\/login\?return_to=/);
      const again = await web.signIn(email, PASSWORD);
      assert.equal(again.status, 303, show(again));
      assert.notEqual(web.sessionCookie().value, cookie1.value, 'a sign-in never reuses a session id');
    });
  });
}

describe('https public URL', () => {
  let srv;
  before(async () => {
    srv = await startServer({ label: 'hosted-https', publicUrl: 'https://id.example.test' });
  });
  after(() => srv?.close());

  test('cookies are __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const email = uniqEmail('https');
    await signup(srv, { email, password: PASSWORD });
    // The server listens on http here; we talk to it directly, as a TLS proxy would.
    const issuer = `${srv.baseUrl}/apps/${srv.app}`;
    const page = await request('GET', `${issuer}/login`);
    assert.equal(page.status, 200, show(page));
    const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('__Host-tessera_csrf='));
    assert.ok(csrfCookie, show(page));
    assert.match(csrfCookie, /; Secure/);
    assert.match(csrfCookie, /; Path=\//);
    const token = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
    const res = await request('POST', `${issuer}/login`, {
      headers: {
        'content-type': 'application/x-www-form-urlencoded', origin: 'https://id.example.test',
        cookie: csrfCookie.split(';')[0],
      },
      body: new URLSearchParams({ identifier: email, password: PASSWORD, csrf_token: token }).toString(),
    });
    assert.equal(res.status, 303, show(res));
    assert.equal(res.headers.get('location'), `https://id.example.test/apps/${srv.app}/account`);
    const session = res.headers.getSetCookie().find((c) => c.startsWith(`__Host-tessera_session_${srv.app}=`));
    assert.ok(session, show(res));
    for (const attr of [/; Secure/, /; HttpOnly/, /; SameSite=Lax/, /; Path=\/(;|$)/]) assert.match(session, attr);
    assert.doesNotMatch(session, /Domain=/i);
    // An Origin other than the public URL's is refused even with the right token.
    const forged = await request('POST', `${issuer}/login`, {
      headers: {
        'content-type': 'application/x-www-form-urlencoded', origin: srv.baseUrl,
        cookie: csrfCookie.split(';')[0],
      },
      body: new URLSearchParams({ identifier: email, password: PASSWORD, csrf_token: token }).toString(),
    });
    assert.equal(forged.status, 403, show(forged));
  });
});
