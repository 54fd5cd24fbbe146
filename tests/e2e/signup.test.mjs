// POST {issuer}/api/signup: user shape, normalization, conflicts, validation, malformed input,
// limits, content types, unicode, metacharacters, and "loses nothing" afterwards.
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem,
  assertUserShape, signup, login, uniqEmail, uniqUsername, rand, show, RawConn,
} from './lib/server.mjs';

for (const backend of backends()) {
  describe(`signup [${backend}]`, () => {
    let srv;
    const good = []; // {email, password, id}
    const remember = (u) => { good.push({ email: u.email, password: u.password, id: u.user.id }); return u; };
    const post = (json, opts = {}) => srv.api('POST', '/api/signup', { json, ...opts });

    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `signup-${backend}` });
    });
    after(() => srv?.close());

    test('201 with the documented user shape, normalized email, no password hash', async () => {
      const tag = rand(10);
      const typed = `  Ada.Lovelace-${tag}@Example.COM `;
      const password = `analytical-engine-${tag}`;
      const username = `ada_${tag}`;
      const profile = {
        name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', nickname: 'Enchantress',
        picture: 'https://example.com/ada.png', website: 'https://example.com/',
        phone_number: '+441234567890', birthdate: '1815-12-10', zoneinfo: 'Europe/London',
        locale: 'en-GB',
        address: { formatted: '12 St James Sq, London', street_address: '12 St James Sq',
          locality: 'London', region: 'Greater London', postal_code: 'SW1Y 4JH', country: 'GB' },
        about: 'first programmer',
      };
      const res = await post({ email: typed, password, username, profile });
      assertStatus(res, 201);
      assert.match(res.headers.get('content-type') || '', /^application\/json\b/i, show(res));
      const u = res.body;
      assertUserShape(u, { app: srv.app, username, ctx: show(res) });
      assert.equal(u.email.toLowerCase(), `ada.lovelace-${tag}@example.com`, 'email (trimmed)');
      assert.equal(u.email_verified, false);
      assert.deepEqual(u.roles, []);
      assert.equal(u.last_login_at, null);
      assert.deepEqual(u.profile, profile, 'profile round-trips');
      assert.ok(!res.text.includes(password), 'password echoed in the response');
      assert.doesNotMatch(res.text, /argon2|pbkdf2|\$2[aby]\$/i);
      remember({ email: u.email, password, user: u });
    });

    test('the user object carries the normalized email (trimmed, lowercased)', async () => {
      const tag = rand(10);
      const res = await post({ email: `  Grace.Hopper-${tag}@Navy.MIL\t`, password: `valid-pass-${rand(6)}` });
      assertStatus(res, 201);
      assert.equal(res.body.email, `grace.hopper-${tag}@navy.mil`, show(res));
    });

    test('absent profile fields are omitted, not null', async () => {
      const u = remember(await signup(srv, { profile: { name: 'Only Name' } }));
      assert.deepEqual(u.user.profile, { name: 'Only Name' });
      const bare = remember(await signup(srv));
      assert.deepEqual(bare.user.profile, {});
      assert.equal(bare.user.username, null);
    });

    test('duplicate email in a different case (and padded) → 409 field email', async () => {
      const u = remember(await signup(srv, { email: uniqEmail('dup') }));
      for (const variant of [u.email, u.email.toUpperCase(), `  ${u.email.replace(/^d/, 'D')}  `]) {
        const res = await post({ email: variant, password: `other-pass-${rand(8)}` });
        assertProblem(res, 409, 'conflict', { field: 'email' });
      }
    });

    test('duplicate username → 409 field username (also case-insensitively)', async () => {
      const name = uniqUsername('dupu');
      remember(await signup(srv, { username: name }));
      const res = await post({ email: uniqEmail(), password: `other-pass-${rand(8)}`, username: name });
      assertProblem(res, 409, 'conflict', { field: 'username' });
      const upper = await post({ email: uniqEmail(), password: `other-pass-${rand(8)}`, username: name.toUpperCase() });
      // Unique case-insensitively: must not create a second account. 409 expected; a 400
      // (upper case not in a-z0-9._-) is tolerated, 201 is not.
      assert.ok([400, 409].includes(upper.status), show(upper));
      assertProblem(upper, upper.status, upper.status === 409 ? 'conflict' : 'validation-error', { field: 'username' });
    });

    const validationCases = () => {
      const e = uniqEmail('val');
      const p = `valid-pass-${rand(8)}`;
      const un = uniqUsername('val');
      return [
        ['missing email', { password: p }, 'email'],
        ['empty email', { email: '', password: p }, 'email'],
        ['invalid email (no @)', { email: 'not-an-email', password: p }, 'email'],
        ['invalid email (no domain)', { email: 'ada@', password: p }, 'email'],
        ['invalid email (no local part)', { email: '@example.com', password: p }, 'email'],
        ['invalid email (space)', { email: 'ada lovelace@example.com', password: p }, 'email'],
        ['missing password', { email: e }, 'password'],
        ['short password (7)', { email: e, password: 'Zq7#kL2' }, 'password'],
        ['common password password123', { email: e, password: 'password123' }, 'password'],
        ['common password 12345678', { email: e, password: '12345678' }, 'password'],
        ['password equal to the email', { email: e, password: e }, 'password'],
        ['password equal to the username', { email: e, password: `${un}`, username: un }, 'password'],
        ['too-long password (300)', { email: e, password: 'x9'.repeat(150) }, 'password'],
        ['too-long password (257)', { email: e, password: 'k'.repeat(257) }, 'password'],
        ['password as number', { email: e, password: 1234567890123 }, 'password'],
        ['password null', { email: e, password: null }, 'password'],
        ['password as array', { email: e, password: ['a', 'b'] }, 'password'],
        ['email as number', { email: 42, password: p }, 'email'],
        ['email as object', { email: { a: 1 }, password: p }, 'email'],
        ['username as number', { email: e, password: p, username: 12345 }, 'username'],
        ['username too short', { email: e, password: p, username: 'ab' }, 'username'],
        ['username too long (65)', { email: e, password: p, username: 'a'.repeat(65) }, 'username'],
        ['username starting with -', { email: e, password: p, username: '-ada' }, 'username'],
        ['username starting with .', { email: e, password: p, username: '.ada' }, 'username'],
        ['username with space', { email: e, password: p, username: 'ada love' }, 'username'],
        ['username with non-ascii', { email: e, password: p, username: 'ädmin' }, 'username'],
        ['username with @', { email: e, password: p, username: 'ada@home' }, 'username'],
        ['profile as string', { email: e, password: p, profile: 'Ada' }, /^profile/],
        ['profile as array', { email: e, password: p, profile: ['Ada'] }, /^profile/],
        ['profile.name as number', { email: e, password: p, profile: { name: 7 } }, /^profile/],
        ['profile.address as string', { email: e, password: p, profile: { address: 'London' } }, /^profile/],
        ['unknown profile field', { email: e, password: p, profile: { is_admin: true } }, /^profile/],
        ['unknown field', { email: e, password: p, is_admin: true }, 'is_admin'],
        ['unknown field roles (privilege escalation)', { email: e, password: p, roles: ['admin'] }, 'roles'],
        ['unknown field email_verified', { email: e, password: p, email_verified: true }, 'email_verified'],
      ];
    };

    test('validation errors → 400 validation-error with errors[].field', async (t) => {
      const failures = [];
      for (const [name, body, field] of validationCases()) {
        const res = await post(body);
        try {
          assertProblem(res, 400, 'validation-error', { field });
        } catch (e) {
          failures.push(`${name}: ${e.message.split('\n')[0]}\n    ${show(res).split('\n').join('\n    ')}`);
        }
      }
      assert.equal(failures.length, 0, `failed cases:\n${failures.join('\n')}`);
    });

    test('password length boundaries: 8 and 256 accepted', async () => {
      remember(await signup(srv, { password: `Zq7#kL2${'m'}` }));
      remember(await signup(srv, { password: 'q'.repeat(250) + rand(6) }));
    });

    test('unicode password length counts characters, not bytes', async () => {
      // 7 characters, 28 bytes: too short.
      let res = await post({ email: uniqEmail('uni'), password: '🦊🦊🦊🦊🦊🦊🦊' });
      assertProblem(res, 400, 'validation-error', { field: 'password' });
      // 7 precomposed characters, 14 bytes: too short.
      res = await post({ email: uniqEmail('uni'), password: 'éüöäßñç' });
      assertProblem(res, 400, 'validation-error', { field: 'password' });
      // 250 characters, 1000 bytes: allowed (≤ 256 characters).
      const long = '🦊'.repeat(244) + rand(6);
      remember(await signup(srv, { email: uniqEmail('uni'), password: long }));
      // 200 two-byte characters (400 bytes): allowed.
      remember(await signup(srv, { email: uniqEmail('uni'), password: 'é'.repeat(194) + rand(6) }));
      // 257 characters: too long even though each is one byte… and 257 two-byte chars too.
      res = await post({ email: uniqEmail('uni'), password: 'é'.repeat(257) });
      assertProblem(res, 400, 'validation-error', { field: 'password' });
      // 8 emoji: allowed, and logs in with exactly that string.
      const eight = [...'🦊🐙🦄🐝🦋🐢🦀🐬'].join('');
      const u = remember(await signup(srv, { email: uniqEmail('uni'), password: eight }));
      await login(srv, { email: u.email }, eight);
    });

    test('malformed JSON → 400 malformed-request', async () => {
      const bad = ['{"email": ', '{"email": "a@b.c", "password": "abcdefghij"} trailing',
        "{'email': 'a@b.c'}", '{"email": "a@b.c",}', '', 'nul', '{"a":1}{"b":2}'];
      const failures = [];
      for (const body of bad) {
        const res = await srv.api('POST', '/api/signup', { body, headers: { 'content-type': 'application/json' } });
        try { assertProblem(res, 400, 'malformed-request'); } catch (e) { failures.push(`${JSON.stringify(body)}: ${show(res)}`); }
      }
      assert.equal(failures.length, 0, failures.join('\n'));
    });

    test('invalid UTF-8 in the body → 400', async () => {
      const body = Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from(`@example.com","password":"valid-pass-${rand(6)}"}`)]);
      const res = await srv.api('POST', '/api/signup', { body, headers: { 'content-type': 'application/json' } });
      assertProblem(res, 400);
    });

    test('body that is not a JSON object → 400', async () => {
      const failures = [];
      for (const body of ['[]', '[{"email":"a@b.c"}]', '"hello"', '42', 'null', 'true']) {
        const res = await srv.api('POST', '/api/signup', { body, headers: { 'content-type': 'application/json' } });
        try {
          assertProblem(res, 400);
          assert.ok(['urn:tessera:problem:malformed-request', 'urn:tessera:problem:validation-error'].includes(res.body.type));
        } catch { failures.push(`${body}: ${show(res)}`); }
      }
      assert.equal(failures.length, 0, failures.join('\n'));
    });

    test('body over the default 64 KiB limit → 413 payload-too-large', async () => {
      const json = { email: uniqEmail('big'), password: `valid-pass-${rand(6)}`, profile: { about: 'A'.repeat(70 * 1024) } };
      const res = await post(json);
      assertProblem(res, 413, 'payload-too-large');
    });

    test('chunked body (no Content-Length) over the limit → 413', async () => {
      // Raw socket: the whole body is written at once, then the answer is read. (With fetch the
      // upload can race the server's close after its early 413 and end in EPIPE.)
      const payload = `{"email":"big-${rand(6)}@example.com","password":"valid-pass-1","profile":{"about":"${'x'.repeat(100 * 1024)}"}}`;
      let body = '';
      for (let off = 0; off < payload.length; off += 8192) {
        const ch = payload.slice(off, off + 8192);
        body += `${ch.length.toString(16)}\r\n${ch}\r\n`;
      }
      body += '0\r\n\r\n';
      const c = new RawConn(srv.port);
      await c.send(`POST /apps/${srv.app}/api/signup HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
      const r = await c.readResponse(5000);
      c.destroy();
      assert.ok(r, `connection closed without an answer (${c.error})`);
      assert.equal(r.status, 413, JSON.stringify(r));
      assert.match(r.headers['content-type'], /^application\/problem\+json/);
      assert.equal(JSON.parse(r.body).type, 'urn:tessera:problem:payload-too-large');
    });

    test('wrong or missing Content-Type → 415; charset parameter accepted', async (t) => {
      const body = JSON.stringify({ email: uniqEmail('ct'), password: `valid-pass-${rand(6)}` });
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
        const res = await srv.api('POST', '/api/signup', { body, headers: { 'content-type': ct } });
        assertProblem(res, 415, 'unsupported-media-type');
      }
      // A byte body gets no Content-Type from fetch.
      const none = await srv.api('POST', '/api/signup', { body: new TextEncoder().encode(body) });
      assert.equal(none.headers.get('content-type')?.startsWith('application/problem+json'), true, show(none));
      assertProblem(none, 415, 'unsupported-media-type');
      const email = uniqEmail('charset');
      const password = `valid-pass-${rand(6)}`;
      const ok = await srv.api('POST', '/api/signup', { body: JSON.stringify({ email, password }),
        headers: { 'content-type': 'application/json; charset=utf-8' } });
      assertStatus(ok, 201);
      remember({ email, password, user: ok.body });
      const upper = await srv.api('POST', '/api/signup', { body: JSON.stringify({ email: uniqEmail('ct'), password }),
        headers: { 'content-type': 'Application/JSON' } });
      t.diagnostic(`Content-Type "Application/JSON" (media types are case-insensitive) → ${upper.status}`);
      if (upper.status === 201) remember({ email: upper.body.email, password, user: upper.body });
    });

    test('unicode (emoji, combining characters, RTL, CJK) round-trips unchanged', async () => {
      const profile = {
        name: '😀 Zoë Ünïcødé 🦊',
        nickname: 'Zoe\u0308 (combining diaeresis) a\u0301',
        given_name: '李',
        family_name: 'עִבְרִית',
        about: 'family 👩‍👩‍👧‍👦, flags 🇬🇧🇯🇵, RTL \u202Eoverride\u202C, zero-width\u200Bspace, tab\tnewline\nquote" backslash\\ nul-free',
      };
      const u = remember(await signup(srv, { profile }));
      assert.deepEqual(u.user.profile, profile);
      const tokens = await login(srv, { email: u.email }, u.password);
      const me = await srv.api('GET', '/api/me', { token: tokens.access_token });
      assertStatus(me, 200);
      assert.deepEqual(me.body.profile, profile);
      // Byte-exact (no NFC/NFKC normalization of the stored text).
      assert.equal(Buffer.from(me.body.profile.nickname).toString('hex'), Buffer.from(profile.nickname).toString('hex'));
    });

    test('SQL and HTML metacharacters round-trip as plain JSON strings', async (t) => {
      const profile = {
        name: "'; DROP TABLE users; --",
        nickname: 'Robert"); DROP TABLE students;--',
        about: '<script>alert(1)</script><img src=x onerror=alert(2)> \' OR \'1\'=\'1 -- ; /* */ %s %n {{7*7}} ${7*7}',
      };
      profile.address = { formatted: "1' UNION SELECT * FROM users --" };
      const u = remember(await signup(srv, { profile }));
      assert.deepEqual(u.user.profile, profile);
      const tokens = await login(srv, { email: u.email }, u.password);
      const me = await srv.api('GET', '/api/me', { token: tokens.access_token });
      assertStatus(me, 200);
      assert.match(me.headers.get('content-type') || '', /^application\/json\b/i);
      assert.equal(me.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(me.body.profile, profile);
      // An apostrophe in the email local part (valid per RFC 5322).
      const email = `o'brien+${rand(8)}@example.com`;
      const qpw = `valid-pass-${rand(6)}`;
      const q = await post({ email, password: qpw });
      t.diagnostic(`signup with email ${email} → ${q.status}`);
      assert.ok([201, 400].includes(q.status), show(q));
      if (q.status === 201) {
        assert.equal(q.body.email, email);
        remember({ email, password: qpw, user: q.body });
        assertProblem(await post({ email, password: `valid-pass-${rand(6)}` }), 409, 'conflict', { field: 'email' });
      }
      // SQL-injection-looking credentials just fail.
      const inj = await srv.api('POST', '/api/login', { json: { login: "' OR '1'='1", password: "' OR '1'='1' --" } });
      assertProblem(inj, 401, 'unauthorized');
      const inj2 = await srv.api('POST', '/api/login', { json: { email: `${u.email}' --`, password: 'x' } });
      assert.ok([400, 401].includes(inj2.status), show(inj2));
    });

    test('loses nothing: every user created above still logs in after all the bad requests', async () => {
      assert.ok(good.length >= 8, `only ${good.length} good users recorded`);
      const failures = [];
      for (const g of good) {
        const res = await srv.api('POST', '/api/login', { json: { email: g.email, password: g.password } });
        if (res.status !== 200 || res.body?.user?.id !== g.id) failures.push(show(res));
      }
      assert.equal(failures.length, 0, failures.join('\n'));
    });

    test('no password appears in the server log', async () => {
      const out = srv.output();
      const leaked = good.filter((g) => out.includes(g.password)).map((g) => g.email);
      assert.deepEqual(leaked, [], 'passwords found in the server output');
      assert.doesNotMatch(out, /\$argon2id\$/, 'password hashes in the server output');
    });
  });
}
