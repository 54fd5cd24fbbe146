// The Pocket blog moved onto Tessera with its users and their tokens:
// py/django_seed/make_pocket_original.py builds the original blog's database with Debian's
// Django (the first user made admin through is_staff, PBKDF2 passwords, the blog's own 64-hex
// tokens that expire after 12 hours — one of them already expired —, posts, comments, contact
// messages) and dumps it with `manage.py dumpdata`. `tessera import django` with a mapping
// file brings the users over (is_staff → the role admin) and, through the mapping's `tokens`
// member, the blog's live tokens as API tokens of their users (stored hashed, ending when they
// would have; the expired one is left out and counted); the posts, comments and messages are
// reported as ignored (they belong to the Pocket backend's own database). Then, in chromium,
// the old editor signs in on Pocket with their OLD password and lands on admin.html; the old
// reader lands on index.html. And the old clients keep working: Pocket, given a
// resource-server client, checks a token that is not a JWT by introspection — the editor's
// old token writes a post as admin, the reader's comments but gets 403 for admin calls, a
// forged key and the expired one get 401 — and Tessera's own account API takes them as
// `Authorization: Token <key>`.
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
import { randomBytes } from 'node:crypto';
import { launchBrowser, newPage, screenshot } from './lib/browser.mjs';
import { startPocket, pocketBinary, pocketLoaded, closePocketSuite } from './lib/pocket.mjs';

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
    fs.writeFileSync(mapping, JSON.stringify({
      roles: { is_staff: 'admin' },
      tokens: { 'blog.authtoken': { user: 'user', key: 'pk', created: 'created', expires: 'expires_at' } },
    }));
    const r = await srv.command(['import', 'django', '--app', 'pocket', '--mapping', mapping, '--json', dump]);
    assert.equal(r.code, 0, r.stderr);
    summary = JSON.parse(r.stdout);
    issuer = srv.issuer('pocket');
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const client = await srv.admin(['create-client', '--app', 'pocket', '--name', 'Pocket', '--public', '--first-party',
      '--redirect-uri', `${origin}/index.html`, '--redirect-uri', `${origin}/admin.html`,
      '--post-logout-redirect-uri', `${origin}/index.html`, '--scope', 'openid profile email roles']);
    // Pocket's own confidential client, a resource server: introspection answers it about API tokens.
    const api = await srv.admin(['create-client', '--app', 'pocket', '--name', 'Pocket API', '--resource-server',
      '--grant', 'client_credentials']);
    assert.equal(api.resource_server, true, JSON.stringify(api));
    pocket = await startPocket({ port, issuer, clientId: client.client_id, dataDir: work,
      introspection: { clientId: api.client_id, clientSecret: api.client_secret } });
    browser = await launchBrowser();
  });

  after(() => closePocketSuite({ contexts, browser, pocket, srv, dir: work }));

  test('the import reports the users, their live tokens, the expired one, and what it leaves to the blog', () => {
    assert.equal(summary.users_created, 2);
    assert.equal(summary.skipped_count, 0, JSON.stringify(summary.skipped));
    assert.deepEqual(summary.hash_kinds, { pbkdf2_sha256: 2 });
    assert.equal(summary.tokens_imported, 2, JSON.stringify(summary));
    assert.equal(summary.tokens_expired, 1, JSON.stringify(summary));
    assert.deepEqual(summary.ignored_models, { 'blog.comment': 1, 'blog.contact': 1, 'blog.post': 1 });
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
    // The admin's token writes posts; the blog's old token is the same person to Pocket.
    const post = await request('POST', `${pocket.url}/api/posts`, { token: token(), json: { title: 'Moved', content: 'We moved to Tessera.' } });
    assert.equal(post.status, 201, post.text);
    const me = await request('GET', `${pocket.url}/api/me`, { token: editor.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.sub, decodeJwt(token()).claims.sub);
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
  test("the editor's old blog token works on Pocket as admin: it writes a post", async () => {
    const editor = made.users.find((u) => u.admin);
    const me = await request('GET', `${pocket.url}/api/me`, { token: editor.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.token_type, 'api_token');
    assert.deepEqual(me.body.roles, ['admin']);
    assert.equal(me.body.admin, true);
    assert.equal(me.body.client_id, null);
    // It ends when the blog's token would have: 12 hours after it was made.
    const ends = Date.parse(me.body.expires_at);
    assert.ok(ends > Date.now() + 11 * 3600_000 && ends < Date.now() + 12 * 3600_000 + 60_000, me.body.expires_at);
    const post = await request('POST', `${pocket.url}/api/posts`, { token: editor.token,
      json: { title: 'Written with an old token', content: 'The old client still works.' } });
    assert.equal(post.status, 201, post.text);
    assert.equal(post.body.author.sub, me.body.sub);
    assert.equal(post.body.author.name, 'editor', 'the display name comes from the introspection answer');
    const messages = await request('GET', `${pocket.url}/api/contact`, { token: editor.token });
    assert.equal(messages.status, 200, messages.text);
  });

  test("the reader's old token works for a reader's actions and gets 403 for an admin's", async () => {
    const reader = made.users.find((u) => !u.admin);
    const me = await request('GET', `${pocket.url}/api/me`, { token: reader.token });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body.roles, []);
    assert.equal(me.body.admin, false);
    const write = await request('POST', `${pocket.url}/api/posts`, { token: reader.token, json: { title: 'x', content: 'y' } });
    assert.equal(write.status, 403, write.text);
    assert.equal((await request('GET', `${pocket.url}/api/contact`, { token: reader.token })).status, 403);
    const posts = await request('GET', `${pocket.url}/api/posts`, { token: reader.token });
    assert.equal(posts.status, 200, posts.text);
    assert.ok(posts.body.posts.length > 0, posts.text);
    const comment = await request('POST', `${pocket.url}/api/posts/${posts.body.posts[0].id}/comments`, {
      token: reader.token, json: { content: 'Still here after the move.' } });
    assert.equal(comment.status, 201, comment.text);
    assert.equal(comment.body.author.sub, me.body.sub);
  });

  test('a forged 64-hex token and the expired old one get 401, on Pocket and at Tessera', async () => {
    const reader = made.users.find((u) => !u.admin);
    assert.match(reader.expired_token, /^[0-9a-f]{64}$/);
    const forged = randomBytes(32).toString('hex');
    for (const [name, key] of [['forged', forged], ['expired', reader.expired_token]]) {
      const me = await request('GET', `${pocket.url}/api/me`, { token: key });
      assert.equal(me.status, 401, `${name}: ${me.text}`);
      assert.match(me.headers.get('www-authenticate') || '', /^Bearer realm="pocket", error="invalid_token"/, name);
      const post = await request('POST', `${pocket.url}/api/posts`, { token: key, json: { title: 'x', content: 'y' } });
      assert.equal(post.status, 401, `${name}: ${post.text}`);
      // A token that is sent is checked even where none is needed.
      assert.equal((await request('GET', `${pocket.url}/api/posts`, { token: key })).status, 401, name);
      const tessera = await srv.api('GET', '/api/me', { app: 'pocket', headers: { authorization: `Token ${key}` } });
      assert.equal(tessera.status, 401, `${name} at Tessera: ${tessera.text}`);
    }
  });

  test("the old tokens work at Tessera's own account API too (Authorization: Token <key>)", async () => {
    for (const u of made.users) {
      const me = await srv.api('GET', '/api/me', { app: 'pocket', headers: { authorization: `Token ${u.token}` } });
      assert.equal(me.status, 200, `${u.username}: ${me.text}`);
      assert.equal(me.body.email, u.email);
      assert.equal(me.body.username, u.username);
      assert.deepEqual(me.body.roles, u.admin ? ['admin'] : []);
      const bearer = await srv.api('GET', '/api/me', { app: 'pocket', token: u.token });
      assert.equal(bearer.status, 200, `${u.username} (Bearer): ${bearer.text}`);
    }
  });
});
