// Text that is not UTF-8, black-box (issue 11, item 10):
// - a hosted sign-up form whose email is not UTF-8 once percent-decoded (`bad%FF%FEuser@…`) is
//   a 400 naming the field, and no account is made;
// - a JSON body with such a string is a 400 validation problem naming the field;
// - a User-Agent with a 0xFF byte is no reason to refuse a sign-in: it is recorded repaired
//   (U+FFFD), so the session list and the audit API stay valid JSON and the audit event keeps
//   its action, IP and outcome.
// Responses are decoded strictly here (fetch's text() would hide a raw 0xFF behind U+FFFD).
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem, show,
  uniqEmail, rand, request,
} from './lib/server.mjs';
import { WebClient, formBody } from './lib/oidc.mjs';
import { signIn } from './lib/console.mjs';

const PASSWORD = 'a perfectly fine passphrase';
const FFFD = '\uFFFD';

/** GET with a bearer token; the body decoded as UTF-8 with fatal errors, then parsed. */
async function strictJson(url, token) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = bytes.findIndex((b) => b === 0xff || b === 0xfe);
    assert.fail(`${url} → ${res.status}: the body is not UTF-8 (byte 0x${bytes[at]?.toString(16)} at ${at})`);
  }
  return { status: res.status, text, body: JSON.parse(text) };
}

for (const backend of backends()) {
  describe(`UTF-8 at the edge [${backend}]`, () => {
    let srv;
    let OP;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `utf8-${backend}` });
      const email = uniqEmail('op');
      await srv.createUser({ app: 'console', email, password: PASSWORD, admin: true });
      OP = await signIn(srv, email, PASSWORD);
    });
    after(() => srv?.close());

    const usersMatching = async (search) => {
      const r = await strictJson(
        `${srv.baseUrl}/api/console/apps/${srv.app}/users?search=${encodeURIComponent(search)}`, OP.token);
      assert.equal(r.status, 200, r.text);
      return r.body.users;
    };

    test('sign-up form: an email that is not UTF-8 is a 400 naming the field; no account', async () => {
      const tail = `user-${rand(10)}@example.com`;
      const web = new WebClient(srv);
      const page = await web.get('signup');
      assertStatus(page, 200);
      const form = WebClient.formWith(page, 'email');
      const fields = { ...form.fields, password: PASSWORD };
      delete fields.email;
      const body = `${formBody(fields)}&email=bad%FF%FE${encodeURIComponent(tail)}`;
      const res = await request('POST', new URL(form.action || '', page.url).href, {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: web.origin,
          'sec-fetch-site': 'same-origin', cookie: web.jar.header() },
      });
      assert.equal(res.status, 400, show(res));
      assert.match(res.text, /email/, 'the page names the field');
      assert.deepEqual(await usersMatching(tail), [], 'no account was created');
    });

    test('JSON API: a string that is not UTF-8 is a 400 validation problem naming the field', async () => {
      const json = Buffer.concat([Buffer.from('{"email":"bad'), Buffer.from([0xff, 0xfe]),
        Buffer.from(`${rand(8)}@example.com","password":"${PASSWORD}"}`)]);
      const res = await srv.api('POST', '/api/signup', {
        body: json, headers: { 'content-type': 'application/json' } });
      assertProblem(res, 400, 'validation-error', { field: 'email' });
    });

    test('a User-Agent with 0xFF: sign-in works, sessions and audit events are valid JSON with U+FFFD', async () => {
      const email = uniqEmail('ua');
      assertStatus(await srv.api('POST', '/api/signup', { json: { email, password: PASSWORD } }), 201);
      const agent = `Mozilla\xff/5.0 ${rand(6)}`;  // \xff goes out as the byte 0xFF (latin1)
      const login = await srv.api('POST', '/api/login', {
        json: { email, password: PASSWORD }, headers: { 'user-agent': agent } });
      assertStatus(login, 200);
      const sessions = await strictJson(`${srv.issuer()}/api/me/sessions`, login.body.access_token);
      assert.equal(sessions.status, 200, sessions.text);
      const mine = sessions.body.sessions.find((s) => s.current) ?? sessions.body.sessions[0];
      assert.equal(mine.user_agent, agent.replace('\xff', FFFD), sessions.text);

      const audit = await strictJson(`${srv.baseUrl}/api/admin/audit-events?app=${srv.app}&limit=200`, OP.token);
      assert.equal(audit.status, 200, audit.text);
      const events = audit.body.events ?? audit.body.audit_events ?? audit.body;
      const ev = events.find((e) => e.action === 'user.login' && e.subject_id === login.body.user.id);
      assert.ok(ev, `no user.login event with its action and subject: ${audit.text.slice(0, 1500)}`);
      assert.equal(ev.outcome, 'success');
      assert.match(ev.ip, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
      assert.equal(ev.user_agent, agent.replace('\xff', FFFD));
    });
  });
}
