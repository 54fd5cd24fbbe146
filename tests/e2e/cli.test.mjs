// The command line as an operator runs it:
// - list flags take a space-separated list as OAuth writes scopes (`--scope "openid profile"`)
//   as well as the repeated flag, and the client really may use what was listed (code flow,
//   client_credentials); the same for grants, redirect URIs and update-app's --redirect-uri;
// - admin commands never create a database (run from another folder without --data-dir they
//   refuse and create nothing); after `tessera migrate` made one they work with no server
//   running, say on stderr which database they opened, and a server started on it afterwards
//   serves what they made;
// - an unknown app: "tessera: no such app: <slug>" on stderr, exit code 1, nothing on stdout;
// - webhook endpoints: the secret printed once by create and rotate, never by list; the
//   service's field errors on stderr with exit code 1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, TesseraServer, backends, test, describe, before, after, assertStatus, signup,
  login, uniqEmail, rand, show, TESSERA_BIN, PG_URL, psql, withSearchPath,
} from './lib/server.mjs';
import { WebClient, redirectParams, pkcePair, randomValue, tokenRequest } from './lib/oidc.mjs';

const REDIRECT = 'https://app.example/callback';

/**
 * Runs `tessera args…` (with `input` on its standard input); resolves {code, stdout, stderr}.
 * No TESSERA_* variable of the caller reaches it.
 */
function runCli(args, { input, cwd } = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
  return new Promise((resolve) => {
    const child = execFile(TESSERA_BIN, args, { timeout: 20_000, env, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? `signal ${err.signal}`) : 0, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Runs an admin command that must succeed with --json; returns its parsed answer. */
async function cliJson(args, opts) {
  const r = await runCli([...args, '--json'], opts);
  assert.equal(r.code, 0, `tessera ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The database options that point a command at `srv`'s database (as srv.admin() does). */
function databaseArgs(srv) {
  const a = ['--data-dir', srv.dataDir, '--public-url', srv.baseUrl];
  if (srv.databaseUrl) a.push('--database-url', srv.databaseUrl);
  if (srv.masterKeyFile) a.push('--master-key-file', srv.masterKeyFile);
  return a;
}

function codeFlowParams(client, scope) {
  const pkce = pkcePair();
  const params = {
    response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope,
    state: randomValue(), nonce: randomValue(), code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  };
  return { params, verifier: pkce.verifier };
}

for (const backend of backends()) {
  describe(`command line [${backend}]`, () => {
    let srv;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `cli-${backend}` });
    });
    after(() => srv?.close());

    test('create-client --scope "openid profile": the client gets both and the code flow grants both', async () => {
      const client = await srv.admin(['create-client', '--app', srv.app, '--name', 'Spaced scopes',
        '--redirect-uri', REDIRECT, '--scope', 'openid profile']);
      assert.deepEqual(client.scopes, ['openid', 'profile']);

      const user = await signup(srv);
      const { params, verifier } = codeFlowParams(client, 'openid profile');
      const q = redirectParams(await new WebClient(srv).authorize(params, { user }), REDIRECT);
      assert.ok(q.code, `a code: ${JSON.stringify(q)}`);
      assert.equal(q.state, params.state);
      const res = await tokenRequest(srv, { grant_type: 'authorization_code', code: q.code,
        redirect_uri: REDIRECT, code_verifier: verifier }, { client });
      assertStatus(res, 200);
      assert.deepEqual(res.body.scope.split(' ').sort(), ['openid', 'profile']);
      assert.ok(res.body.id_token, `an ID token for openid: ${show(res)}`);

      // Exactly those two: another scope it was not registered for goes back as invalid_scope;
      // an OpenID claim scope (email) is left out of the grant instead (issue 12).
      const other = codeFlowParams(client, 'openid reports:read');
      const refused = redirectParams(await new WebClient(srv).authorize(other.params), REDIRECT);
      assert.equal(refused.error, 'invalid_scope', JSON.stringify(refused));
      const less = codeFlowParams(client, 'openid email');
      const granted = redirectParams(await new WebClient(srv).authorize(less.params, { user }), REDIRECT);
      assert.ok(granted.code, JSON.stringify(granted));
      const lessTokens = await tokenRequest(srv, { grant_type: 'authorization_code', code: granted.code,
        redirect_uri: REDIRECT, code_verifier: less.verifier }, { client });
      assertStatus(lessTokens, 200);
      assert.equal(lessTokens.body.scope, 'openid', 'email was not granted');
    });

    test('list flags mix the repeated and the space-separated form; client_credentials grants every scope', async () => {
      const m2m = await srv.admin(['create-client', '--app', srv.app, '--name', 'Worker',
        '--grant', 'client_credentials', '--scope', 'jobs:read  jobs:write', '--scope', 'reports:read']);
      assert.deepEqual(m2m.scopes, ['jobs:read', 'jobs:write', 'reports:read']);
      const res = await tokenRequest(srv, { grant_type: 'client_credentials',
        scope: 'jobs:read jobs:write reports:read' }, { client: m2m });
      assertStatus(res, 200);
      assert.deepEqual(res.body.scope.split(' ').sort(), ['jobs:read', 'jobs:write', 'reports:read']);

      const web = await srv.admin(['create-client', '--app', srv.app, '--name', 'Two callbacks',
        '--grant', 'authorization_code refresh_token',
        '--redirect-uri', `${REDIRECT} https://app.example/other`,
        '--post-logout-redirect-uri', 'https://app.example/ https://app.example/bye']);
      assert.deepEqual(web.grant_types, ['authorization_code', 'refresh_token']);
      assert.deepEqual(web.redirect_uris, [REDIRECT, 'https://app.example/other']);
      assert.deepEqual(web.post_logout_redirect_uris, ['https://app.example/', 'https://app.example/bye']);
    });

    test('update-app --redirect-uri takes a space-separated list too', async () => {
      const slug = `cli-${rand(8)}`;
      await srv.createApp(slug);
      const updated = await srv.admin(['update-app', '--app', slug,
        '--redirect-uri', 'https://a.example/magic https://b.example/magic',
        '--redirect-uri', 'https://c.example/magic']);
      assert.equal(updated.slug, slug);
      assert.deepEqual(updated.settings.redirect_uris,
        ['https://a.example/magic', 'https://b.example/magic', 'https://c.example/magic']);
    });

    test('webhooks: create prints the secret once, list never does; rotate, field errors, delete', async () => {
      const url = `https://hooks.example/${rand(8)}`;
      const created = await srv.admin(['create-webhook', '--app', srv.app, '--url', url,
        '--events', 'user.created,user.deleted', '--description', 'CRM']);
      const { id } = created.webhook;
      assert.match(id, /^whe_/);
      assert.match(created.secret, /^whsec_/);
      assert.deepEqual(created.webhook.event_types, ['user.created', 'user.deleted']);
      assert.equal(created.webhook.enabled, true);
      assert.equal(created.webhook.secret, undefined);

      const { webhooks } = await srv.admin(['list-webhooks', '--app', srv.app]);
      const listed = webhooks.find((w) => w.id === id);
      assert.ok(listed, JSON.stringify(webhooks));
      assert.equal(listed.url, url);
      assert.equal(listed.description, 'CRM');
      assert.equal(listed.secret, undefined);

      const off = await srv.admin(['update-webhook', '--app', srv.app, '--id', id,
        '--events', 'user.*', '--disable']);
      assert.equal(off.enabled, false);
      assert.deepEqual(off.event_types, ['user.*']);

      const rotated = await srv.admin(['rotate-webhook-secret', '--app', srv.app, '--id', id]);
      assert.match(rotated.secret, /^whsec_/);
      assert.notEqual(rotated.secret, created.secret);
      assert.ok(rotated.webhook.previous_secret_expires_at, JSON.stringify(rotated));

      const bad = await runCli(['admin', 'create-webhook', '--app', srv.app, '--url', 'not a url',
        '--events', 'user.nothing', ...databaseArgs(srv)]);
      const ctx = `code ${bad.code}\nstdout: ${bad.stdout}\nstderr: ${bad.stderr}`;
      assert.equal(bad.code, 1, ctx);
      assert.equal(bad.stdout, '', ctx);
      assert.match(bad.stderr, /^tessera: .*; url /m, ctx);
      assert.match(bad.stderr, /^tessera: .*; event_types /m, ctx);

      await srv.admin(['delete-webhook', '--app', srv.app, '--id', id]);
      const remaining = await srv.admin(['list-webhooks', '--app', srv.app]);
      assert.ok(!remaining.webhooks.some((w) => w.id === id));
    });

    test('an unknown app: "no such app" on stderr, exit code 1, nothing on stdout', async () => {
      const missing = `missing-${rand(8)}`;
      const commands = [
        ['create-user', '--email', uniqEmail(), '--password', `pw-${rand(16)}`],
        ['create-api-key', '--name', 'backend'],
        ['create-client', '--name', 'x', '--grant', 'client_credentials', '--scope', 'jobs:read'],
        ['update-app', '--allow-signup', 'false'],
        ['send-test-mail', '--to', uniqEmail()],
        ['audit'],
        ['list-webhooks'],
        ['create-webhook', '--url', 'https://hooks.example/tessera', '--events', 'user.created'],
      ];
      for (const [command, ...rest] of commands) {
        const r = await runCli(['admin', command, '--app', missing, ...rest, ...databaseArgs(srv), '--json']);
        const ctx = `admin ${command}: code ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
        assert.equal(r.code, 1, ctx);
        assert.equal(r.stdout, '', ctx);
        assert.match(r.stderr, new RegExp(`^tessera: no such app: ${missing}$`, 'm'), ctx);
      }
    });
  });
}

describe('command line on a fresh data dir, no server running', () => {
  let dir, srv;
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-e2e-cli-'));
  });
  after(async () => {
    if (srv) await srv.close();  // removes the data dir
    else if (!process.env.TESSERA_E2E_KEEP) await fsp.rm(dir, { recursive: true, force: true });
  });

  test('admin commands never create a database: run from another folder they refuse, and say which one', async () => {
    // No --data-dir, from an empty folder: before, this made ./var with a new database and
    // master key, and exited 0.
    const elsewhere = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-e2e-cli-elsewhere-'));
    try {
      for (const args of [['admin', 'create-app', '--slug', 'x1', '--name', 'X'], ['admin', 'audit'],
        ['keys', 'rotate'], ['doctor', 'emails']]) {
        const r = await runCli(args, { cwd: elsewhere });
        const ctx = `tessera ${args.join(' ')}: code ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
        assert.equal(r.code, 1, ctx);
        assert.equal(r.stdout, '', ctx);
        assert.match(r.stderr, /no database at \S*var\/tessera\.db: this command never creates one/, ctx);
        assert.match(r.stderr, /--data-dir/, ctx);
        assert.match(r.stderr, /tessera migrate/, ctx);
        assert.deepEqual(fs.readdirSync(elsewhere), [], `nothing was created: ${ctx}`);
      }
    } finally {
      await fsp.rm(elsewhere, { recursive: true, force: true });
    }
  });

  test('on PostgreSQL too: an empty schema is refused, and left empty', { skip: PG_URL ? false : 'TESSERA_TEST_POSTGRES_URL not set' }, async () => {
    const schema = `tessera_e2e_empty_${rand(10).toLowerCase()}`;
    await psql(PG_URL, `CREATE SCHEMA ${schema}`);
    try {
      const url = withSearchPath(PG_URL, schema);
      const r = await runCli(['admin', 'create-app', '--database-url', url, '--slug', 'x2', '--name', 'X',
        '--master-key-file', '/dev/null']);
      const ctx = `code ${r.code}\nstderr: ${r.stderr}`;
      assert.equal(r.code, 1, ctx);
      assert.match(r.stderr, /tessera: database postgres/, ctx);
      assert.match(r.stderr, /holds no Tessera schema: this command never creates one/, ctx);
      const tables = await psql(PG_URL, `SELECT count(*) FROM pg_tables WHERE schemaname = '${schema}'`);
      assert.equal(tables.trim(), '0', 'no table was created');
    } finally {
      await psql(PG_URL, `DROP SCHEMA ${schema} CASCADE`);
    }
  });

  test('admin commands make apps, clients and users once `migrate` made the database; a server started later serves them', async () => {
    const db = ['--data-dir', dir];
    const slug = `fresh-${rand(8)}`;
    const refused = await runCli(['admin', 'create-app', ...db, '--slug', slug, '--name', 'Fresh', '--json']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(fs.existsSync(path.join(dir, 'tessera.db')), false, 'no database before migrate');
    const migrated = await runCli(['migrate', ...db]);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.equal(JSON.parse(migrated.stdout).migrated, true);
    // Each command says on stderr which database it opened (stdout keeps only the answer).
    const dbLine = `tessera: database sqlite:${fs.realpathSync(dir)}/tessera.db`;
    assert.ok(migrated.stderr.includes(dbLine), `${dbLine} in ${migrated.stderr}`);
    const made = await runCli(['admin', 'create-app', ...db, '--slug', slug, '--name', 'Fresh', '--json']);
    assert.equal(made.code, 0, made.stderr);
    assert.ok(made.stderr.includes(dbLine), made.stderr);
    const app = JSON.parse(made.stdout);
    assert.equal(app.slug, slug);
    const client = await cliJson(['admin', 'create-client', ...db, '--app', slug, '--name', 'Jobs',
      '--grant', 'client_credentials', '--scope', 'jobs:read jobs:write']);
    assert.deepEqual(client.scopes, ['jobs:read', 'jobs:write']);
    // Neither signs nor hashes: no master key was needed, so none was made.
    assert.equal(fs.existsSync(path.join(dir, 'master.key')), false, 'no master key for create-app/create-client');

    const operator = { email: uniqEmail('op'), password: `op-pass-${rand(12)}` };
    const op = await cliJson(['admin', 'create-user', ...db, '--email', operator.email,
      '--password-stdin', '--admin'], { input: `${operator.password}\n` });
    assert.equal(op.app, 'console');
    assert.deepEqual(op.roles, ['admin']);
    const member = { email: uniqEmail('member'), password: `member-pass-${rand(12)}` };
    const u = await cliJson(['admin', 'create-user', ...db, '--app', slug, '--email', member.email,
      '--password', member.password]);
    assert.equal(u.app, slug);
    assert.equal(u.email_verified, true);

    const events = (await runCli(['admin', 'audit', ...db, '--json'])).stdout.trim().split('\n')
      .map((l) => JSON.parse(l));
    for (const [action, subject] of [['app.created', app.id], ['oauth_client.created', client.client_id],
      ['user.created', op.id], ['user.created', u.id]]) {
      assert.ok(events.some((e) => e.action === action && e.subject_id === subject && e.actor_id === 'cli'),
        `${action} ${subject} by the CLI in ${JSON.stringify(events)}`);
    }

    srv = new TesseraServer({ label: 'cli-fresh' });
    srv.dataDir = dir;
    await srv.start();
    const granted = await tokenRequest(srv, { grant_type: 'client_credentials', scope: 'jobs:read jobs:write' },
      { client, app: slug });
    assertStatus(granted, 200);
    assert.deepEqual(granted.body.scope.split(' ').sort(), ['jobs:read', 'jobs:write']);
    assert.equal((await login(srv, { email: member.email }, member.password, { app: slug })).user.id, u.id);
    // The operator reads the client back through the operators' view of every app.
    const session = await login(srv, { email: operator.email }, operator.password, { app: 'console' });
    const read = await srv.req('GET', `/api/console/apps/${slug}/clients/${client.client_id}`,
      { token: session.access_token });
    assertStatus(read, 200);
    assert.deepEqual(read.body.scopes, ['jobs:read', 'jobs:write']);
  });
});

// RFC 9700 §4.13: no password, cookie or authorization code over plain http off the machine.
describe('serve refuses a plain-http public URL on a host that is not loopback', () => {
  let dir, srv;
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-e2e-cli-http-'));
  });
  after(async () => {
    await srv?.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  test('http://id.example.test: exit 1, the reason and the way out on stderr, nothing created', async () => {
    for (const url of ['http://id.example.test', 'http://10.1.2.3:8080']) {
      const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'refused'),
        '--public-url', url]);
      const ctx = `serve --public-url ${url}: code ${r.code}\nstderr: ${r.stderr}`;
      assert.equal(r.code, 1, ctx);
      assert.match(r.stderr, /--public-url .* is plain http on a host that is not loopback/, ctx);
      assert.match(r.stderr, /--insecure-http/, ctx);
      assert.equal(fs.existsSync(path.join(dir, 'refused')), false, 'no data dir was made');
    }
    const odd = await runCli(['serve', '--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'refused'),
      '--public-url', 'https://id.example.test/?next=x']);
    assert.equal(odd.code, 1, odd.stderr);
    assert.match(odd.stderr, /without user, query or fragment/);
  });

  test('with --insecure-http it starts, and the issuer is the http URL', async () => {
    srv = new TesseraServer({ label: 'cli-insecure-http', publicUrl: 'http://id.example.test',
      args: ['--insecure-http'] });
    srv.dataDir = dir;
    await srv.start();
    const disc = await srv.req('GET', '/apps/default/.well-known/openid-configuration');
    assertStatus(disc, 200);
    assert.equal(disc.body.issuer, 'http://id.example.test/apps/default');
    assert.match(srv.output(), /"insecure_http"/, 'the start logs a warning');
  });
});
