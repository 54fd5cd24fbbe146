// `tessera import django` on the dump of a real Django project: py/django_seed/make_dump.py
// sets up a MonthlySpecs-style project with Debian's Django (django-allauth addresses, a
// Customer profile per user, DRF tokens, users hashed by every Django hasher, an inactive
// user, one without a usable password, one whose username Tessera refuses) and runs
// `manage.py dumpdata`. The import must report what it did, and then the old users sign in
// with their old passwords and the old clients' `Token` keys keep working.
//
// Run alone:  node --test tests/e2e/django_import.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, backends, test, describe, before, after, assertStatus, decodeJwt, rand } from './lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.TESSERA_PYTHON || '/usr/bin/python3';
const MEDIA = 'https://monthlyspecs.example/media/';
const MAPPING = {
  roles: { is_staff: 'staff', is_superuser: 'admin' },
  profiles: {
    'api.customer': {
      user: 'user',
      fields: { phone: 'phone_number', address: 'address', date_of_birth: 'birthdate', bio: 'about', profile_picture: 'picture' },
    },
  },
  media_url: MEDIA,
};

let work, dumpFile, mappingFile, made, seedError = null;

function makeDump() {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-django-'));
  dumpFile = path.join(work, 'dump.json');
  mappingFile = path.join(work, 'mapping.json');
  fs.writeFileSync(mappingFile, JSON.stringify(MAPPING));
  try {
    const out = execFileSync(PYTHON, [path.join(here, 'py', 'django_seed', 'make_dump.py'), path.join(work, 'project'), dumpFile],
      { timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    made = JSON.parse(out.toString());
  } catch (e) {
    seedError = new Error(`the Django seed project could not be made with ${PYTHON} (${String(e.stderr || e.message).trim()}). ` +
      'Install Debian\'s python3-django, python3-djangorestframework, python3-django-allauth, python3-argon2 and python3-bcrypt (scripts/setup.sh does), or set TESSERA_PYTHON.');
  }
}

const byName = (name) => made.users.find((u) => u.username === name);

async function importDjango(srv, args, opts) {
  const r = await srv.command(['import', 'django', '--app', opts?.app ?? srv.app, '--json', ...args], opts);
  return { ...r, summary: r.stdout.trim() ? JSON.parse(r.stdout) : null };
}

async function loginStatus(srv, email, password, app) {
  const res = await srv.api('POST', '/api/login', { json: { login: email, password }, app });
  return res;
}

before(makeDump);
after(() => work && fs.rmSync(work, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`import from Django [${backend}]`, () => {
    let srv, first;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `django-import-${backend}` });
      if (seedError) return;
      first = await importDjango(srv, ['--mapping', mappingFile, dumpFile]);
    });
    after(() => srv?.close());

    test('the dump of a real Django project imports with every count reported', () => {
      if (seedError) throw seedError;
      assert.equal(first.code, 0, first.stderr);
      const s = first.summary;
      assert.equal(s.records, 30);
      assert.equal(s.users_created, 8);
      assert.equal(s.users_updated, 0);
      assert.equal(s.tokens_imported, 7);
      assert.equal(s.records_applied_to_users, 14); // 7 allauth addresses + 7 Customer rows
      assert.equal(s.skipped_count, 0, JSON.stringify(s.skipped));
      assert.deepEqual(s.hash_kinds, { pbkdf2_sha256: 3, pbkdf2_sha1: 1, argon2: 1, bcrypt_sha256: 1, bcrypt: 1, unusable: 1 });
      assert.deepEqual(s.ignored_models, { 'api.company': 1 });
      assert.equal(s.warning_count, 1);
      assert.match(s.warnings[0], /username "grace\+shop@x" is not a Tessera username \(may contain only/);
      assert.match(first.stderr, /users: 8 created, 0 updated/);
    });

    test('old users sign in with their old passwords, whatever Django hasher made them; then again (upgraded to argon2id)', async () => {
      if (seedError) throw seedError;
      for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'grace+shop@x']) {
        const u = byName(name);
        for (let i = 0; i < 2; i++) {
          const res = await loginStatus(srv, u.email, u.password);
          assertStatus(res, 200);
          assert.equal(res.body.user.email, u.email, name);
        }
        const wrong = await loginStatus(srv, u.email, u.password + 'x');
        assert.equal(wrong.status, 401, `${name}: a wrong password`);
      }
      // Case-insensitive email as before; the username works where Tessera allows it.
      assertStatus(await loginStatus(srv, 'bob@example.com', byName('bob').password), 200);
      assertStatus(await loginStatus(srv, 'alice', byName('alice').password), 200);
    });

    test('an inactive Django user is disabled; one without a usable password cannot sign in with any', async () => {
      if (seedError) throw seedError;
      const m = byName('mallory');
      assert.notEqual((await loginStatus(srv, m.email, m.password)).status, 200);
      const res = await srv.api('GET', '/api/me', { headers: { authorization: `Token ${m.token}` } });
      assert.equal(res.status, 401, 'a disabled user\'s old token is refused');
      for (const pw of ['', '!', 'frank']) {
        assert.notEqual((await loginStatus(srv, 'frank@example.com', pw)).status, 200);
      }
    });

    test('old DRF Token keys keep working for the same user (Token and Bearer); a forged one does not', async () => {
      if (seedError) throw seedError;
      for (const name of ['alice', 'bob', 'erin']) {
        const u = byName(name);
        for (const scheme of ['Token', 'Bearer']) {
          const res = await srv.api('GET', '/api/me', { headers: { authorization: `${scheme} ${u.token}` } });
          assertStatus(res, 200);
          assert.equal(res.body.email, u.email);
        }
      }
      const key = byName('alice').token;
      const forged = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
      assert.equal((await srv.api('GET', '/api/me', { headers: { authorization: `Token ${forged}` } })).status, 401);
      assert.equal((await srv.api('GET', '/api/me', { headers: { authorization: `Token ${key.toUpperCase()}1` } })).status, 401);
      // The key is kept hashed: the token list shows a prefix, never the key.
      const list = await srv.api('GET', '/api/me/tokens', { headers: { authorization: `Token ${key}` } });
      assertStatus(list, 200);
      const text = JSON.stringify(list.body);
      assert.ok(!text.includes(key), 'the key itself is not listed');
      assert.match(text, /Django REST framework token/);
    });

    test('profile, verification, roles and dates come over; roles are in the access token', async () => {
      if (seedError) throw seedError;
      const a = byName('alice');
      const res = await loginStatus(srv, a.email, a.password);
      assertStatus(res, 200);
      const me = (await srv.api('GET', '/api/me', { headers: { authorization: `Bearer ${res.body.access_token}` } })).body;
      assert.equal(me.email_verified, true);
      assert.deepEqual([...me.roles].sort(), ['admin', 'staff']);
      assert.equal(me.username, 'alice');
      assert.equal(me.profile.given_name, 'Alice');
      assert.equal(me.profile.family_name, 'Liddell');
      assert.equal(me.profile.name, 'Alice Liddell');
      assert.equal(me.profile.phone_number, '+4930123456');
      assert.deepEqual(me.profile.address, { formatted: 'Hauptstr. 1, Berlin' });
      assert.equal(me.profile.about, 'Customer of alice');
      assert.equal(me.profile.picture, `${MEDIA}profile_pics/alice.jpg`);
      assert.deepEqual([...decodeJwt(res.body.access_token).claims.roles].sort(), ['admin', 'staff']);
      const c = byName('carol');
      const carol = (await loginStatus(srv, c.email, c.password)).body;
      assert.equal(carol.user.email_verified, false, 'an address allauth had not verified stays unverified');
      assert.deepEqual(decodeJwt(carol.access_token).claims.roles, []);
      const g = (await loginStatus(srv, byName('grace+shop@x').email, byName('grace+shop@x').password)).body;
      assert.equal(g.user.username, null, 'the username Tessera refuses was dropped');
    });

    test('re-running updates and never duplicates; a password changed in Tessera is not overwritten by the old hash', async () => {
      if (seedError) throw seedError;
      const b = byName('bob');
      const session = (await loginStatus(srv, b.email, b.password)).body;
      const newPassword = `bob-new-${rand(12)}`;
      const change = await srv.api('POST', '/api/me/password', {
        json: { current_password: b.password, new_password: newPassword },
        headers: { authorization: `Bearer ${session.access_token}` },
      });
      assert.ok([200, 204].includes(change.status), `password change: ${change.status} ${JSON.stringify(change.body)}`);
      const again = await importDjango(srv, ['--mapping', mappingFile, dumpFile]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.summary.users_created, 0);
      assert.equal(again.summary.users_updated, 8);
      assert.equal(again.summary.tokens_imported, 0);
      assert.equal(again.summary.tokens_unchanged, 7);
      assertStatus(await loginStatus(srv, b.email, newPassword), 200);
      assert.equal((await loginStatus(srv, b.email, b.password)).status, 401, 'the Django hash did not come back');
      // Still one user per address: the server API's user list has each once.
      const a = byName('alice');
      assertStatus(await loginStatus(srv, a.email, a.password), 200);
    });

    test('a changed email in the source updates the same user (found by its Django pk), from standard input', async () => {
      if (seedError) throw seedError;
      const app = `dj-stdin-${rand(6).toLowerCase()}`;
      await srv.createApp(app);
      const users = [
        { model: 'auth.user', pk: 41, fields: { username: 'henry', email: 'henry@old.example', password: 'pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=', is_active: true, is_staff: false, is_superuser: false, first_name: '', last_name: '', date_joined: '2020-01-02T03:04:05.678Z', last_login: '2024-05-06T07:08:09+02:00' } },
      ];
      const r1 = await importDjango(srv, ['-'], { app, stdin: JSON.stringify(users) });
      assert.equal(r1.code, 0, r1.stderr);
      assert.equal(r1.summary.users_created, 1);
      users[0].fields.email = 'henry@new.example';
      const r2 = await importDjango(srv, [], { app, stdin: JSON.stringify(users) });
      assert.equal(r2.summary.users_created, 0);
      assert.equal(r2.summary.users_updated, 1);
      const res = await loginStatus(srv, 'henry@new.example', 'lètmein', app); // Django's own test vector
      assertStatus(res, 200);
      assert.equal((await loginStatus(srv, 'henry@old.example', 'lètmein', app)).status, 401);
    });

    test('--dry-run reads and checks everything and writes nothing', async () => {
      if (seedError) throw seedError;
      const app = `dj-dry-${rand(6).toLowerCase()}`;
      await srv.createApp(app);
      const dry = await importDjango(srv, ['--dry-run', '--batch-size', '3', '--mapping', mappingFile, dumpFile], { app });
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(dry.summary.dry_run, true);
      assert.equal(dry.summary.users_created, 8);
      assert.equal(dry.summary.tokens_imported, 7, 'tokens whose users were in earlier batches count too');
      assert.equal(dry.summary.records_applied_to_users, 14);
      assert.equal(dry.summary.skipped_count, 0, JSON.stringify(dry.summary.skipped));
      assert.match(dry.stderr, /Dry run \(nothing was written\)/);
      const a = byName('alice');
      assert.equal((await loginStatus(srv, a.email, a.password, app)).status, 401, 'no user was written');
      assert.equal((await srv.api('GET', '/api/me', { app, headers: { authorization: `Token ${a.token}` } })).status, 401);
    });

    test('bad records are reported with their line and skipped; the rest is imported; a truncated file stops with exit 2', async () => {
      if (seedError) throw seedError;
      const app = `dj-bad-${rand(6).toLowerCase()}`;
      await srv.createApp(app);
      const lines = [
        '[',
        '{"model": "auth.user", "pk": 1, "fields": {"username": "ok1", "email": "ok1@example.com", "password": "!", "is_active": true}},',
        '{"model": "auth.user", "pk": 2, "fields": {"username": "bad", "email": "not-an-address", "password": "!"}},',
        '{"model": "auth.user", "pk": 3, "fields": {"username": "broken", "email": }},',
        '{"model": "authtoken.token", "pk": "0123456789abcdef0123456789abcdef01234567", "fields": {"user": 99, "created": "2024-01-01T00:00:00Z"}},',
        '{"model": "authtoken.token", "pk": "short", "fields": {"user": 1}},',
        '{"model": "auth.user", "pk": 4, "fields": {"username": "ok2", "email": "OK1@example.com", "password": "!"}},',
        '{"model": "auth.user", "pk": 5, "fields": {"username": "ok3", "email": "ok3@example.com", "password": "md5$x$y", "first_name": "<script>alert(1)</script>\' OR 1=1 --"}}',
        ']',
      ];
      const file = path.join(work, `bad-${app}.json`);
      fs.writeFileSync(file, lines.join('\n'));
      const r = await importDjango(srv, [file], { app });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.summary.users_created, 2);
      const byLine = Object.fromEntries(r.summary.skipped.map((s) => [s.line, s.reason]));
      assert.match(byLine[3], /not-an-address/);
      assert.match(byLine[4], /not valid JSON/);
      assert.match(byLine[5], /not in the import/);
      assert.match(byLine[6], /32-128 characters/);
      assert.match(byLine[7], /another imported user|user imported from/);
      assert.equal(r.summary.skipped_count, 5);
      assert.ok(r.summary.warnings.some((w) => /cannot check: the user must reset/.test(w)));
      // HTML and SQL metacharacters are data, stored as they came; every address once.
      const key = await srv.admin(['create-api-key', '--app', app, '--name', `k-${rand(6)}`]);
      const list = await srv.api('GET', '/api/users?limit=50', { app, headers: { authorization: `Bearer ${key.key}` } });
      assertStatus(list, 200);
      const emails = list.body.users.map((u) => u.email).sort();
      assert.deepEqual(emails, ['ok1@example.com', 'ok3@example.com']);
      const ok3 = list.body.users.find((u) => u.email === 'ok3@example.com');
      assert.equal(ok3.profile.given_name, '<script>alert(1)</script>\' OR 1=1 --');
      // A truncated file: what came before the break is imported, and the exit code says it stopped.
      const cut = path.join(work, `cut-${app}.json`);
      fs.writeFileSync(cut, lines.slice(0, 2).join('\n').replace('"pk": 1', '"pk": 11').replace('ok1@', 'ok11@') + '\n{"model": "auth.us');
      const t = await importDjango(srv, [cut], { app });
      assert.equal(t.code, 2, t.stderr);
      assert.match(t.summary.stopped, /line 3: the input ends inside the record/);
      assert.equal(t.summary.users_created, 1);
      assert.match(t.stderr, /STOPPED/);
    });

    test('the generic format: CSV by extension, JSON lines from standard input, same rules', async () => {
      if (seedError) throw seedError;
      const app = `gen-${rand(6).toLowerCase()}`;
      await srv.createApp(app);
      const e = byName('erin'); // a bcrypt hash from Django, reused as "another system's"
      const dump = JSON.parse(fs.readFileSync(dumpFile, 'utf8'));
      const erinHash = dump.find((r) => r.model === 'auth.user' && r.fields.username === 'erin').fields.password.replace(/^bcrypt\$/, '');
      const csv = path.join(work, `users-${app}.csv`);
      fs.writeFileSync(csv, [
        'id,email,username,password_hash,email_verified,roles,profile.name',
        `u1,${e.email},erin,${erinHash},true,editor;admin,"Erin, the ""first"""`,
        'u2,bad-address,,,true,,',
        'u3,zoe@example.com,zoe,,nope,,',
      ].join('\r\n'));
      const r = await srv.command(['import', 'users', '--app', app, '--json', csv]);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.equal(s.users_created, 1);
      assert.deepEqual(s.skipped.map((k) => k.line), [3, 4]);
      const res = await loginStatus(srv, 'erin', e.password, app);
      assertStatus(res, 200);
      assert.deepEqual([...res.body.user.roles].sort(), ['admin', 'editor']);
      assert.equal(res.body.user.profile.name, 'Erin, the "first"');
      const lines = `{"id": "u1", "email": "${e.email}", "disabled": true}\n{"email": "new@example.com", "shoe_size": 44}\n`;
      const j = await srv.command(['import', 'users', '--app', app, '--format', 'json', '--json', '-'], { stdin: lines });
      assert.equal(j.code, 0, j.stderr);
      const js = JSON.parse(j.stdout);
      assert.equal(js.users_updated, 1);
      assert.match(js.skipped[0].reason, /unknown field "shoe_size"/);
      assert.notEqual((await loginStatus(srv, 'erin', e.password, app)).status, 200, 'disabled by the second import');
    });

    test('a bad mapping file or an unknown app is a clear error, nothing imported', async () => {
      if (seedError) throw seedError;
      const bad = path.join(work, 'bad-mapping.json');
      fs.writeFileSync(bad, JSON.stringify({ profiles: { 'api.customer': { fields: { phone: 'telephone' } } } }));
      const r = await importDjango(srv, ['--mapping', bad, dumpFile]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /must name a profile claim/);
      const u = await srv.command(['import', 'django', '--app', 'no-such-app', dumpFile]);
      assert.equal(u.code, 1);
      assert.match(u.stderr, /no such app/);
    });
  });
}
