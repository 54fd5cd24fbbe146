// The Django REST framework integration (integrations/django, package tessera_drf) against the
// real server: this file starts Tessera, prepares what the Python tests need, and runs
// `python3 integrations/django/runtests.py` (Django's test runner, one Python test per case:
// valid and refused access tokens, API tokens by introspection, roles and scopes, malformed
// headers, key rotation with the CLI). It passes when every Python test passes; a failure
// shows the runner's output and lists the failing tests.
//
// Prepared here (written to a JSON file named by TESSERA_DRF_FIXTURES; issuer and client
// credentials also as TESSERA_ISSUER, TESSERA_CLIENT_ID, TESSERA_CLIENT_SECRET):
// - a server whose default access-token lifetime is 2 s (`--access-token-ttl 2`), a developer
//   and, through the console API, the app under test (access tokens 600 s) and a "short" app
//   that keeps the 2 s (real expired tokens); `default` is "another app" for the wrong-issuer
//   case;
// - users made with the app's server API (roles ["admin"] and []), each signed in through the
//   account API (access token) with a personal API token (tpat_…) made through /api/me/tokens;
// - a resource-server client (`admin create-client --resource-server`, client_credentials,
//   scopes invoices:read invoices:write) for introspection;
// - a first-party OAuth client and one code flow through the hosted pages (an OAuth access
//   token and an ID token);
// - the `tessera keys rotate --stage-seconds 0` command line for the rotation test.
//
// SQLite only: the rotation replaces the server's signing keys, which on the shared PostgreSQL
// database of the e2e run would be every other test file's keys too.
//
// Uses Debian's interpreter (/usr/bin/python3) unless TESSERA_PYTHON names another; it needs
// python3-django, python3-djangorestframework, python3-jwt, python3-requests and
// python3-cryptography. A missing one fails the test with what to install.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/django_drf.test.mjs
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, test, describe, before, after, assertStatus, show, rand, uniqEmail, login,
  TESSERA_BIN, REPO_ROOT,
} from './lib/server.mjs';
import { developer, appWithKey } from './lib/console.mjs';
import { registerClient, WebClient, pkcePair, tokenRequest, redirectParams, randomValue } from './lib/oidc.mjs';

const PYTHON = process.env.TESSERA_PYTHON || '/usr/bin/python3';
const RUNTESTS = path.join(REPO_ROOT, 'integrations', 'django', 'runtests.py');
const REDIRECT = 'https://rp.example/drf/callback';
const PY_MODULES = ['django', 'rest_framework', 'jwt', 'requests', 'cryptography'];

function checkPython() {
  try {
    execFileSync(PYTHON, ['-c', `import ${PY_MODULES.join(', ')}`], { stdio: 'pipe', timeout: 20_000 });
  } catch (e) {
    throw new Error(`${PYTHON} cannot import ${PY_MODULES.join(', ')} (${String(e.stderr || e.message).trim()}). ` +
      'Install Debian\'s python3-django python3-djangorestframework python3-jwt python3-requests ' +
      'python3-cryptography, or set TESSERA_PYTHON.');
  }
}

/** The caller's environment without TESSERA_* (as the harness does for the server), plus `extra`. */
function pythonEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) env[k] = v;
  return { ...env, PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

// TESSERA_DRF_LABELS="tests.test_headers …": run only those (Django test labels), for debugging.
const LABELS = (process.env.TESSERA_DRF_LABELS || '').split(/\s+/).filter(Boolean);

function runTests(env) {
  return new Promise((resolve) => {
    execFile(PYTHON, [RUNTESTS, ...LABELS], { timeout: 10 * 60_000, env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? err.signal ?? 'error') : 0, stdout, stderr }));
  });
}

/**
 * What Django's runner reported: how many tests ran, the failing ones (its "FAIL: test_x
 * (tests.module.Class)" and "ERROR: …" headings, one per failed test or subtest) and skips.
 */
function summary(output) {
  const ran = Number(/^Ran (\d+) tests? in /m.exec(output)?.[1] ?? 0);
  const failed = [...new Set([...output.matchAll(/^(FAIL|ERROR): (test\w*) \(([\w.]+)\)/gm)]
    // Python 3.11 names a test "test_x (module.Class.test_x)", older ones "(module.Class)".
    .map((m) => `${m[3].endsWith(`.${m[2]}`) ? m[3] : `${m[3]}.${m[2]}`} (${m[1]})`))];
  const skipped = Number(/skipped=(\d+)/.exec(output)?.[1] ?? 0);
  return { ran, failed, skipped };
}

describe('Django REST framework authentication (integrations/django) [sqlite]', () => {
  let srv, fixturesFile, fixtures, pythonError = null;

  before(async () => {
    try { checkPython(); } catch (e) { pythonError = e; }
    srv = await startServer({ label: 'django-drf', accessTokenTtl: 2 });
    const dev = await developer(srv, 'drf');
    const main = await appWithKey(srv, dev, 'drf');
    const short = await appWithKey(srv, dev, 'drf-short');
    const patched = await srv.req('PATCH', `/api/console/apps/${main.slug}`,
      { token: dev.token, json: { settings: { access_token_ttl_s: 600 } } });
    assertStatus(patched, 200);

    const serverApi = (app, key, json) => srv.api('POST', '/api/users', { app: app.slug, token: key, json });
    const newUser = async (app, roles) => {
      const email = uniqEmail('drf');
      const password = `pw-${rand(16)}`;
      const res = await serverApi(app, app.key, { email, password, email_verified: true, roles });
      assertStatus(res, 201);
      return { id: res.body.user.id, email, password, roles };
    };
    const withTokens = async (u) => {
      const tokens = await login(srv, { email: u.email }, u.password, { app: main.slug });
      const made = await srv.api('POST', '/api/me/tokens', { app: main.slug, token: tokens.access_token,
        json: { name: 'drf tests' } });
      assertStatus(made, 201);
      assert.match(made.body.token, /^tpat_/, show(made));
      return { ...u, access_token: tokens.access_token, api_token: made.body.token, api_token_id: made.body.id };
    };
    const users = {
      admin: await withTokens(await newUser(main, ['admin'])),
      plain: await withTokens(await newUser(main, [])),
      linked: await withTokens(await newUser(main, [])),
    };
    const shortUser = await newUser(short, []);

    const rs = await srv.admin(['create-client', '--app', main.slug, '--name', 'DRF API (resource server)',
      '--resource-server', '--grant', 'client_credentials', '--scope', 'invoices:read', '--scope', 'invoices:write']);
    assert.equal(rs.resource_server, true, JSON.stringify(rs));

    // One code flow with a first-party client: an OAuth access token and an ID token.
    const web = await registerClient(srv, { app: main.slug, name: 'DRF web', redirectUris: [REDIRECT],
      scopes: ['openid', 'profile', 'email'], firstParty: true });
    const { verifier, challenge } = pkcePair();
    const state = randomValue();
    const flow = await new WebClient(srv, { app: main.slug }).authorize({
      response_type: 'code', client_id: web.client_id, redirect_uri: REDIRECT, scope: 'openid profile email',
      state, nonce: randomValue(), code_challenge: challenge, code_challenge_method: 'S256',
    }, { user: { email: users.plain.email, password: users.plain.password } });
    const { code } = redirectParams(flow, REDIRECT);
    const exchanged = await tokenRequest(srv, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT,
      code_verifier: verifier }, { client: web, app: main.slug });
    assertStatus(exchanged, 200);

    fixtures = {
      issuer: srv.issuer(main.slug),
      client_id: rs.client_id,
      client_secret: rs.client_secret,
      other_issuer: srv.issuer('default'),
      short_issuer: srv.issuer(short.slug),
      short_user: { email: shortUser.email, password: shortUser.password },
      users,
      oauth: { client_id: web.client_id, id_token: exchanged.body.id_token,
        access_token: exchanged.body.access_token, scope: exchanged.body.scope },
      rotate_command: [TESSERA_BIN, 'keys', 'rotate', '--stage-seconds', '0', '--data-dir', srv.dataDir, '--json'],
    };
    fixturesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-drf-')), 'fixtures.json');
    fs.writeFileSync(fixturesFile, JSON.stringify(fixtures, null, 2), { mode: 0o600 });
  });

  after(async () => {
    await srv?.close();
    if (fixturesFile && !process.env.TESSERA_E2E_KEEP) fs.rmSync(path.dirname(fixturesFile), { recursive: true, force: true });
  });

  test('integrations/django/runtests.py passes against the server', async (t) => {
    if (pythonError) throw pythonError; // a failure, not a skip
    const r = await runTests(pythonEnv({
      TESSERA_DRF_FIXTURES: fixturesFile,
      TESSERA_ISSUER: fixtures.issuer,
      TESSERA_CLIENT_ID: fixtures.client_id,
      TESSERA_CLIENT_SECRET: fixtures.client_secret,
    }));
    const { ran, failed, skipped } = summary(`${r.stderr}\n${r.stdout}`);
    t.diagnostic(`${ran} Python tests ran; ${failed.length} failed${failed.length ? `: ${failed.join(', ')}` : ''}`);
    assert.ok(ran >= (LABELS.length ? 1 : 40), `expected the whole suite to run (${ran} tests ran):\n${r.stderr}\n${r.stdout}`);
    assert.equal(skipped, 0, `nothing may be skipped:\n${r.stderr}`);
    assert.deepEqual(failed, [], `Python tests did not pass:\n${r.stderr}\n${r.stdout}`);
    assert.equal(r.code, 0, `runtests.py exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  });
});
