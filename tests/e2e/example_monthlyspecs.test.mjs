// The MonthlySpecs example (examples/monthlyspecs) moved onto Tessera, proven on the original's
// own data:
//  1. py/django_seed/make_original.py makes the original server's database with Debian's Django
//     (allauth addresses, PBKDF2 passwords, DRF tokens, the Customer made by its post_save
//     signal, companies and items) and dumps it with a real `manage.py dumpdata`;
//  2. Tessera starts, and `tessera import django` imports the dump (counts asserted);
//  3. examples/monthlyspecs/run.sh, given that Tessera (TESSERA_URL, TESSERA_DATA_DIR) and the
//     dump, creates the clients and the key, imports again (nothing new), loads the original's
//     resources into the example's database and starts the Django dev server on a free port;
//  4. in chromium an OLD user signs in through the example's login and Tessera's hosted page with
//     their OLD password, lands on the dashboard with their OLD companies, adds one (screenshots
//     at 1000 and 375 px in build/e2e-artifacts: monthlyspecs-*.png);
//  5. an old client's `Authorization: Token <old DRF key>` works on the example's API (list
//     companies, add an item to its customer); a forged key is 401;
//  6. a Bearer access token from Tessera works, for the same local user as the old key;
//  7. signing out ends the Django session and Tessera's (the dashboard asks for a sign-in again).
//
// SQLite only (the example's run.sh is a local-development script). Uses Debian's interpreter
// (/usr/bin/python3, or TESSERA_PYTHON) with python3-django, -djangorestframework,
// -django-allauth, -authlib, -jwt, -requests; chromium through playwright-core (lib/browser.mjs).
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/example_monthlyspecs.test.mjs
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startServer, test, describe, before, after, assertStatus, show, freePort, request, login, decodeJwt,
  sleep, deadline, TESSERA_BIN, REPO_ROOT,
} from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, screenshot, describePage } from './lib/browser.mjs';
import { layoutProblems } from './lib/layout.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.TESSERA_PYTHON || '/usr/bin/python3';
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'monthlyspecs');
const APP = 'monthlyspecs';
const PY_MODULES = ['django', 'rest_framework', 'allauth', 'authlib', 'jwt', 'requests'];

/** The caller's environment without TESSERA_* and MONTHLYSPECS_*, plus `extra`. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TESSERA_') && !k.startsWith('MONTHLYSPECS_')) env[k] = v;
  }
  return { ...env, PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

function run(file, args, opts) {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000, maxBuffer: 16 << 20, ...opts },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? err.signal ?? 'error') : 0, stdout, stderr }));
  });
}

/** run.sh in its own process group (it starts the Django server): start, wait for its URL, stop. */
class Example {
  constructor(args, env) {
    this.out = '';
    this.proc = spawn('bash', [path.join(EXAMPLE, 'run.sh'), ...args],
      { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.proc.stdout, this.proc.stderr]) {
      s.setEncoding('utf8');
      s.on('data', (d) => { this.out = (this.out + d).slice(-64 * 1024); });
    }
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.killOnExit = () => { try { process.kill(-this.proc.pid, 'SIGKILL'); } catch { /* gone */ } };
    process.on('exit', this.killOnExit);
  }

  async url(timeoutMs = 45_000) {
    const until = Date.now() + timeoutMs;
    let done = null;
    this.exited.then((r) => { done = r; });
    while (Date.now() < until) {
      const m = /MonthlySpecs is running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(this.out);
      if (m) return m[1];
      if (done) throw new Error(`run.sh exited ${JSON.stringify(done)} before the site came up:\n${this.out}`);
      await sleep(100);
    }
    throw new Error(`run.sh did not bring the site up within ${timeoutMs} ms:\n${this.out}`);
  }

  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      try { process.kill(-this.proc.pid, 'SIGTERM'); } catch { /* gone */ }
      const r = await Promise.race([this.exited, deadline(10_000)]);
      if (r === 'timeout') this.killOnExit();
    }
    await this.exited;
    process.off('exit', this.killOnExit);
  }
}

describe('MonthlySpecs example on Tessera: the original\'s users, keys and data [sqlite]', () => {
  let work, dumpFile, made, srv, imported, example, site, issuer, browser, browserError = null;
  let context, page; // the browser session of the signed-in old user (tests 4 and 7)
  const byName = (name) => made.users.find((u) => u.username === name);
  const djangoLog = () => {
    try {
      const text = fs.readFileSync(path.join(work, 'example', 'django.log'), 'utf8');
      return `\n--- example django.log (tail) ---\n${text.slice(-4000)}`;
    } catch { return ''; }
  };
  const api = (method, p, opts = {}) => request(method, `${site}/api${p}`, opts);
  const ctx = (res) => `${show(res)}${djangoLog()}`;
  /** The harness's test, whose failures also carry run.sh's output and the Django log. */
  const exampleTest = (name, fn) => test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      if (e instanceof Error && example) {
        try { e.stack = `${e.stack}\n--- run.sh output (tail) ---\n${example.out.slice(-3000)}${djangoLog()}`; } catch { /* read-only */ }
      }
      throw e;
    }
  });

  before(async () => {
    const py = await run(PYTHON, ['-c', `import ${PY_MODULES.join(', ')}`], { env: cleanEnv() });
    if (py.code !== 0) {
      throw new Error(`${PYTHON} cannot import ${PY_MODULES.join(', ')} (${py.stderr.trim()}). Install Debian's ` +
        'python3-django python3-djangorestframework python3-django-allauth python3-authlib python3-jwt ' +
        'python3-requests, or set TESSERA_PYTHON.');
    }
    browser = await launchBrowser().catch((e) => { browserError = e; return null; });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-monthlyspecs-'));
    dumpFile = path.join(work, 'original-dump.json');

    // 1. The original's database, dumped.
    const orig = await run(PYTHON, [path.join(here, 'py', 'django_seed', 'make_original.py'),
      path.join(work, 'original'), dumpFile], { env: cleanEnv() });
    assert.equal(orig.code, 0, `make_original.py failed:\n${orig.stderr}`);
    made = JSON.parse(orig.stdout);

    // 2. Tessera, and the import.
    srv = await startServer({ label: 'monthlyspecs' });
    issuer = srv.issuer(APP);
    await srv.createApp(APP, 'MonthlySpecs');
    const r = await srv.command(['import', 'django', '--app', APP, '--mapping',
      path.join(EXAMPLE, 'mapping.json'), '--json', dumpFile]);
    assert.equal(r.code, 0, r.stderr);
    imported = JSON.parse(r.stdout);

    // 3. The example, through its run.sh, against this Tessera.
    example = new Example([dumpFile], cleanEnv({
      TESSERA_BIN,
      TESSERA_URL: srv.baseUrl,
      TESSERA_DATA_DIR: srv.dataDir,
      MONTHLYSPECS_PORT: String(await freePort()),
      MONTHLYSPECS_WORKDIR: path.join(work, 'example'),
    }));
    site = await example.url();
  });

  after(async () => {
    await context?.close().catch(() => {});
    await closeBrowser(browser);
    await example?.stop();
    await srv?.close();
    if (work && !process.env.TESSERA_E2E_KEEP) fs.rmSync(work, { recursive: true, force: true });
  });

  exampleTest('2. the original\'s dump imports into Tessera: every count; run.sh imports it again without duplicates', () => {
    assert.equal(imported.records, 21);                  // 4 users, 4 addresses, 4 keys, 4 customers, 3 companies, 2 items
    assert.equal(imported.users_created, 4);
    assert.equal(imported.users_updated, 0);
    assert.equal(imported.tokens_imported, 4);
    assert.equal(imported.records_applied_to_users, 8);  // 4 allauth addresses + 4 Customer profiles
    assert.equal(imported.skipped_count, 0, JSON.stringify(imported.skipped));
    assert.equal(imported.warning_count, 0, JSON.stringify(imported.warnings)); // usernames kept
    assert.deepEqual(imported.hash_kinds, { pbkdf2_sha256: 4 });
    assert.deepEqual(imported.ignored_models, { 'api.company': 3, 'api.item': 2 });
    const again = JSON.parse(fs.readFileSync(path.join(work, 'example', 'import-summary.json'), 'utf8'));
    assert.equal(again.users_created, 0);
    assert.equal(again.users_updated, 4);
    assert.equal(again.tokens_imported, 0);
    assert.equal(again.tokens_unchanged, 4);
    assert.match(example.out, /Loaded 4 auth\.user, 3 api\.company, 2 api\.item, 4 api\.customer\./);
  });

  exampleTest('4. an old user signs in with the old password through Tessera\'s hosted page, sees the old companies, adds one', async () => {
    if (browserError) throw browserError;
    const ada = byName('ada');
    ({ context, page } = await newPage(browser));
    // The dashboard needs a sign-in: the example's /login/ sends the browser to Tessera.
    await page.goto(`${site}/dashboard/`);
    const loginUrl = new URL(page.url());
    assert.equal(loginUrl.origin + loginUrl.pathname, `${issuer}/login`, await describePage(page));
    await screenshot(page, 'monthlyspecs-01-tessera-login');
    await page.getByLabel('Email or username').fill(ada.email);
    await page.locator('input[name="password"]').fill(ada.password);
    await Promise.all([
      page.waitForURL(`${site}/dashboard/`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const text = await page.innerText('main');
    assert.match(text, /Your companies \(2\)/, `${await describePage(page)}${djangoLog()}`);
    for (const c of ada.companies) assert.ok(text.includes(c), `old company ${c} listed: ${text}`);
    assert.ok(text.includes(ada.email));
    assert.ok(text.includes('Widget'), 'the old item is listed');
    const sub = (await page.locator('#tessera-sub').innerText()).trim();
    assert.match(sub, /^[0-9a-f-]{36}$/, 'the session is tied to the Tessera user');
    await screenshot(page, 'monthlyspecs-02-dashboard');

    // Add a company through the page; markup in the name stays text.
    const name = 'Lovelace Engines <b>& Co</b>';
    await page.locator('#add-company input[name="name"]').fill(name);
    await page.locator('#add-company input[name="email"]').fill('engines@lovelace.example');
    await page.locator('#add-company input[name="phone"]').fill('+44 20 7946 0958');
    await Promise.all([page.waitForURL(`${site}/dashboard/`), page.getByRole('button', { name: 'Add company' }).click()]);
    const listed = await page.innerText('#companies');
    assert.match(listed, /Your companies \(3\)/, listed);
    assert.ok(listed.includes(name), listed);
    assert.equal(await page.locator('#companies b').count(), 0, 'the name is escaped');
    await screenshot(page, 'monthlyspecs-03-company-added');
    await page.setViewportSize({ width: 375, height: 800 });
    assert.deepEqual(await layoutProblems(page), [], 'the dashboard fits 375 px');
    await screenshot(page, 'monthlyspecs-04-dashboard-375');
    await page.setViewportSize({ width: 1000, height: 800 });

    // The Django admin site has no password form any more: her Tessera roles (staff, admin from
    // is_staff, is_superuser) let the same session in.
    await page.goto(`${site}/admin/api/company/`);
    assert.equal(new URL(page.url()).pathname, '/admin/api/company/', await describePage(page));
    assert.ok((await page.innerText('body')).includes('Lovelace Engines'), await describePage(page));

    // The same person through the API (Bearer from Tessera's account API): the same Tessera
    // user and local user as the browser session.
    const tokens = await login(srv, ada.email, ada.password, { app: APP });
    const me = await api('GET', '/me/', { token: tokens.access_token });
    assertStatus(me, 200);
    assert.equal(me.body.tessera.sub, sub);
    assert.equal(me.body.user.id, ada.pk, 'linked to her old row (verified address)');
    const mine = await api('GET', '/customers/me/', { token: tokens.access_token });
    assert.deepEqual(mine.body.companies.map((c) => c.name).sort(), [...ada.companies, name].sort());
  });

  exampleTest('5. an old client\'s Token <old DRF key> works on the example API; a forged or disabled user\'s key is 401', async () => {
    const bob = byName('bob');
    const list = await api('GET', '/companies/', { token: bob.token, scheme: 'Token' });
    assertStatus(list, 200);
    const names = list.body.map((c) => c.name);
    for (const c of Object.keys(made.companies)) assert.ok(names.includes(c), ctx(list));
    const me = await api('GET', '/customers/me/', { token: bob.token, scheme: 'Token' });
    assertStatus(me, 200);
    assert.equal(me.body.id, bob.customer, 'his old Customer row');
    assert.deepEqual(me.body.companies.map((c) => c.name), bob.companies);
    // The original's "add item to customer" action.
    const added = await api('POST', `/customers/${bob.customer}/add_item/`, { token: bob.token, scheme: 'Token',
      json: { item_id: made.items.Widget } });
    assertStatus(added, 200);
    assert.deepEqual(added.body.items.map((i) => i.name).sort(), ['Gadget', 'Widget']);
    // … and "add company to customer", from the company's side.
    const linked = await api('POST', `/companies/${made.companies.Globex}/add_customer/`, { token: bob.token,
      scheme: 'Token', json: {} });
    assertStatus(linked, 200);
    assert.deepEqual(linked.body.companies.map((c) => c.name).sort(), ['Globex', 'Initech']);
    // Not his: another customer is not there for him, nor the user list (staff only).
    assert.equal((await api('POST', `/customers/${byName('ada').customer}/add_item/`, { token: bob.token,
      scheme: 'Token', json: { item_id: made.items.Gadget } })).status, 404);
    assert.equal((await api('GET', '/users/', { token: bob.token, scheme: 'Token' })).status, 403);

    const forged = bob.token.slice(0, -1) + (bob.token.endsWith('0') ? '1' : '0');
    const refused = await api('GET', '/companies/', { token: forged, scheme: 'Token' });
    assertStatus(refused, 401);
    assert.match(refused.headers.get('www-authenticate') || '', /^Bearer realm="api", error="invalid_token"/);
    assert.equal((await api('GET', '/companies/')).status, 401, 'no credentials');
    const dan = byName('dan');  // inactive in the original: disabled in Tessera
    assert.equal((await api('GET', '/companies/', { token: dan.token, scheme: 'Token' })).status, 401);
  });

  exampleTest('6. a Bearer access token from Tessera works, for the same local user as the old key', async () => {
    const bob = byName('bob');
    const tokens = await login(srv, 'bob', bob.password, { app: APP }); // his old username, too
    assert.equal(decodeJwt(tokens.access_token).header.typ, 'at+jwt');
    const viaBearer = await api('GET', '/me/', { token: tokens.access_token });
    assertStatus(viaBearer, 200);
    const viaKey = await api('GET', '/me/', { token: bob.token, scheme: 'Token' });
    assertStatus(viaKey, 200);
    assert.equal(viaBearer.body.tessera.kind, 'access_token');
    assert.equal(viaKey.body.tessera.kind, 'api_token');
    assert.equal(viaBearer.body.user.id, bob.pk);
    assert.equal(viaKey.body.user.id, bob.pk);
    assert.equal(viaBearer.body.tessera.sub, viaKey.body.tessera.sub);
    const created = await api('POST', '/companies/', { token: tokens.access_token,
      json: { name: 'Bobs Bolts', email: 'bolts@bob.example' } });
    assertStatus(created, 201);
    assertStatus(await api('POST', `/customers/${bob.customer}/add_company/`, { token: tokens.access_token,
      json: { company_id: created.body.id } }), 200);
    // Roles from the import: ada (is_staff, is_superuser) sees the users, bob does not.
    const ada = await login(srv, byName('ada').email, byName('ada').password, { app: APP });
    const users = await api('GET', '/users/', { token: ada.access_token });
    assertStatus(users, 200);
    assert.ok(users.body.some((u) => u.username === 'bob' && u.tessera_id === viaKey.body.tessera.sub));
    assert.equal((await api('GET', '/users/', { token: tokens.access_token })).status, 403);
    // A tampered token is refused.
    const [h, p, s] = tokens.access_token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${s}`;
    assertStatus(await api('GET', '/users/', { token: tampered }), 401);
    // An address allauth had not verified links to no old row: cleo gets a new, empty customer.
    const cleo = byName('cleo');
    const c = await login(srv, cleo.email, cleo.password, { app: APP });
    const cm = await api('GET', '/customers/me/', { token: c.access_token });
    assertStatus(cm, 200);
    assert.notEqual(cm.body.id, cleo.customer);
    assert.deepEqual(cm.body.companies, []);
  });

  exampleTest('7. signing out ends the Django session and Tessera\'s', async () => {
    if (browserError) throw browserError;
    assert.ok(page, 'the signed-in browser of test 4');
    // The admin site's "Log out" link leads to the same sign-out (a confirmation page first).
    await page.goto(`${site}/admin/logout/`);
    assert.equal(new URL(page.url()).pathname, '/logout/', await describePage(page));
    assert.equal(await page.locator('main form[method="post"] button[type="submit"]').count(), 1);
    await page.goto(`${site}/dashboard/`);
    await Promise.all([page.waitForURL(`${site}/`),
      page.locator('header').getByRole('button', { name: 'Sign out' }).click()]);
    assert.ok((await page.innerText('header')).includes('Sign in'), await describePage(page));
    await screenshot(page, 'monthlyspecs-05-signed-out');
    // Django's session is gone, and Tessera's: the dashboard asks for a password again.
    await page.goto(`${site}/dashboard/`);
    const u = new URL(page.url());
    assert.equal(u.origin + u.pathname, `${issuer}/login`, await describePage(page));
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'monthlyspecs-06-login-again-375');
  });
});
