// The Pocket blog moved onto Tessera with its users: py/django_seed/make_pocket_original.py
// builds the original blog's database with Debian's Django (the first user made admin through
// is_staff, PBKDF2 passwords, the blog's own 64-hex tokens that expire after 12 hours, posts,
// comments, contact messages) and dumps it with `manage.py dumpdata`. `tessera import django`
// brings the users over (is_staff → the role admin); the blog's tokens and content are not
// users and are reported as ignored (the 12-hour tokens end on their own; the posts belong to
// the Pocket backend's own database). Then, in chromium, the old editor signs in on Pocket
// with their OLD password and lands on admin.html; the old reader lands on index.html.
//
// Needs build/pocket_server, as example_pocket.test.mjs does.
// Run alone:  node --test tests/e2e/example_pocket_migration.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, describe, before, after, startServer, freePort, request, decodeJwt } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, screenshot } from './lib/browser.mjs';
import { startPocket, pocketBinary, pocketLoaded } from './lib/pocket.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.TESSERA_PYTHON || '/usr/bin/python3';

describe('the Pocket blog moved onto Tessera with its users', () => {
  let srv, pocket, browser, issuer, work, dump, made, summary;
  const contexts = [];

  before(async () => {
    pocketBinary();  // fail first with the clear message
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'pocket-migration-'));
    dump = path.join(work, 'dump.json');
    try {
      made = JSON.parse(execFileSync(PYTHON, [path.join(here, 'py', 'django_seed', 'make_pocket_original.py'),
        path.join(work, 'original'), dump], { timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] }).toString());
    } catch (e) {
      throw new Error(`the original Pocket database could not be made with ${PYTHON} (${String(e.stderr || e.message).trim()}): ` +
        'install Debian\'s python3-django (scripts/setup.sh does), or set TESSERA_PYTHON.');
    }
    srv = await startServer({ label: 'tessera' });
    await srv.createApp('pocket', 'Pocket');
    const mapping = path.join(work, 'mapping.json');
    fs.writeFileSync(mapping, JSON.stringify({ roles: { is_staff: 'admin' } }));
    const r = await srv.command(['import', 'django', '--app', 'pocket', '--mapping', mapping, '--json', dump]);
    assert.equal(r.code, 0, r.stderr);
    summary = JSON.parse(r.stdout);
    issuer = srv.issuer('pocket');
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const client = await srv.admin(['create-client', '--app', 'pocket', '--name', 'Pocket', '--public', '--first-party',
      '--redirect-uri', `${origin}/index.html`, '--redirect-uri', `${origin}/admin.html`,
      '--post-logout-redirect-uri', `${origin}/index.html`, '--scope', 'openid profile email roles']);
    pocket = await startPocket({ port, issuer, clientId: client.client_id, dataDir: work });
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await closeBrowser(browser);
    await pocket?.stop();
    await srv?.close();
    if (work) await fsp.rm(work, { recursive: true, force: true });
  });

  test('the import reports the users, and what of the blog it leaves to the blog', () => {
    assert.equal(summary.users_created, 2);
    assert.equal(summary.skipped_count, 0, JSON.stringify(summary.skipped));
    assert.deepEqual(summary.hash_kinds, { pbkdf2_sha256: 2 });
    assert.deepEqual(summary.ignored_models, { 'blog.authtoken': 2, 'blog.comment': 1, 'blog.contact': 1, 'blog.post': 1 });
  });

  /** Pocket's "Sign in" → Tessera's sign-in page with the old credentials → back on Pocket. */
  async function signInThroughPocket(who, shot) {
    const { context, page } = await newPage(browser);
    contexts.push(context);
    let token = null;
    page.on('request', (r) => {
      const auth = r.headers().authorization;
      if (auth && r.url().startsWith(`${pocket.url}/api/`)) token = auth.replace(/^Bearer /, '');
    });
    await page.goto(`${pocket.url}/`);
    await pocketLoaded(page, pocket, '/');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${issuer}/login`));
    await page.locator('#identifier').fill(who.username);
    await page.locator('#password').fill(who.password);
    if (shot) await screenshot(page, shot);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return { page, token: () => token };
  }

  test('the old editor signs in with their old password and lands on admin.html as admin', async () => {
    const editor = made.users.find((u) => u.admin);
    const { page, token } = await signInThroughPocket(editor, 'pocket-migration-01-login');
    const state = await pocketLoaded(page, pocket, '/admin.html');
    assert.equal(state.ready, 'signed-in');
    assert.deepEqual(decodeJwt(token()).claims.roles, ['admin']);
    await screenshot(page, 'pocket-migration-02-admin');
    // The admin's token writes posts; the blog's old token is no Tessera credential.
    const post = await request('POST', `${pocket.url}/api/posts`, { token: token(), json: { title: 'Moved', content: 'We moved to Tessera.' } });
    assert.equal(post.status, 201, post.text);
    const old = await request('POST', `${pocket.url}/api/posts`, { token: editor.token, json: { title: 'x', content: 'y' } });
    assert.equal(old.status, 401, old.text);
  });

  test('the old reader signs in with their old password and lands on index.html, no admin', async () => {
    const reader = made.users.find((u) => !u.admin);
    const { page, token } = await signInThroughPocket(reader);
    const state = await pocketLoaded(page, pocket, '/index.html');
    assert.equal(state.ready, 'signed-in');
    assert.deepEqual(decodeJwt(token()).claims.roles, []);
    const wrong = { ...reader, password: `${reader.password}x` };
    const second = await signInThroughPocket(wrong);
    await second.page.getByText('Incorrect email, username or password.').waitFor({ timeout: 10_000 });
    assert.ok(second.page.url().startsWith(`${issuer}/login`), 'a wrong old password stays on the sign-in page');
  });
});
