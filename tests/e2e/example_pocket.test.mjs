// The Pocket blog example (examples/pocket) end to end: Tessera, the example's C++ backend
// (build/pocket_server, which verifies access tokens with integrations/cpp's
// tessera_resource_server) and its vanilla-JS front end in a real chromium.
//
// The app `pocket` has "first user to sign up becomes admin" on, and a public, first-party
// client (PKCE, scopes openid profile email roles). Then, through Tessera's hosted pages:
//   - the first user signs up, becomes admin, lands on admin.html and writes a post;
//   - a second user signs up, lands on index.html, reads the post and comments on it; the
//     same user's token cannot create a post through the API (403);
//   - the contact form works signed out, and the admin reads the message;
//   - signing out ends the Tessera session (admin.html then asks to sign in);
//   - the API answers 401 to no token, forged tokens and tokens of another Tessera app.
// Screenshots (1280, 320 and 375 px wide) go to build/e2e-artifacts/pocket-*.png.
//
// Needs build/pocket_server (beside TESSERA_BIN; POCKET_SERVER_BIN overrides): `cmake --build
// build --target pocket_server`. Without it, or without chromium, these tests fail with what to do.
//
// Run alone:  node --test tests/e2e/example_pocket.test.mjs
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  test, describe, before, after, startServer, freePort, request, signup, login, decodeJwt,
  encodeJwt, uniqEmail, rand, sleep,
} from './lib/server.mjs';
import { launchBrowser, newPage, screenshot } from './lib/browser.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';
import { startPocket, pocketBinary, pocketLoaded, closePocketSuite } from './lib/pocket.mjs';

describe('the Pocket blog example on Tessera', () => {
  let srv, pocket, browser, issuer, client, dataDir;
  const contexts = [];
  const admin = { email: uniqEmail('pocket-admin'), password: `pw-${rand(16)}` };
  const reader = { email: uniqEmail('pocket-reader'), password: `pw-${rand(16)}` };
  let adminPage, adminSeen;         // kept signed in across tests; its latest API token
  let adminToken, readerToken;      // their access tokens, as the pages sent them to the API
  let postTitle;

  before(async () => {
    pocketBinary();  // fail first with the clear message
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pocket-e2e-'));
    srv = await startServer({ label: 'tessera' });
    await srv.createApp('pocket', 'Pocket');
    const settings = await srv.admin(['update-app', '--app', 'pocket', '--first-user-admin', 'true']);
    assert.equal(settings.settings.first_user_admin, true, JSON.stringify(settings));
    issuer = srv.issuer('pocket');
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    client = await srv.admin(['create-client', '--app', 'pocket', '--name', 'Pocket', '--public', '--first-party',
      '--redirect-uri', `${origin}/index.html`, '--redirect-uri', `${origin}/admin.html`,
      '--post-logout-redirect-uri', `${origin}/index.html`, '--scope', 'openid profile email roles']);
    pocket = await startPocket({ port, issuer, clientId: client.client_id, dataDir });
    browser = await launchBrowser();
  });

  after(() => closePocketSuite({ contexts, browser, pocket, srv, dir: dataDir }));

  /** A fresh browser (own cookies) whose API calls' bearer tokens are recorded. */
  async function openBrowser() {
    const { context, page } = await newPage(browser);
    contexts.push(context);
    const seen = { token: null };
    page.on('request', (r) => {
      const auth = r.headers().authorization;
      if (auth && r.url().startsWith(`${pocket.url}/api/`)) seen.token = auth.replace(/^Bearer /, '');
    });
    return { page, seen };
  }

  const loaded = (page, pathname) => pocketLoaded(page, pocket, pathname);

  /** Pocket's "Sign in" → Tessera's sign-in page → "Create an account" → back at Pocket. */
  async function signUpThroughPocket(page, who, shotName) {
    await page.goto(`${pocket.url}/`);
    await loaded(page, '/');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${issuer}/login`));
    if (shotName) await screenshot(page, `${shotName}-tessera-login`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${issuer}/signup`));
    await page.getByLabel('Email').first().fill(who.email);
    await page.locator('input[name="password"]').fill(who.password);
    if (shotName) await screenshot(page, `${shotName}-tessera-signup`);
    await page.getByRole('button', { name: 'Create account' }).click();
  }

  test('the first user signs up on Tessera, becomes admin, lands on admin.html and writes a post', async () => {
    const { page, seen } = await openBrowser();
    adminPage = page;
    adminSeen = seen;
    await signUpThroughPocket(page, admin, 'pocket-01');
    const state = await loaded(page, '/admin.html');
    assert.equal(state.search, '', 'no code or state left in the address bar');
    assert.equal(state.ready, 'signed-in');
    assert.match(await page.locator('#who').innerText(), new RegExp(admin.email.replace(/[.+]/g, '\\$&')));
    // The posts and messages lists were read with the admin's token: roles ["admin"].
    const { claims } = decodeJwt(seen.token);
    assert.deepEqual(claims.roles, ['admin'], 'first-user-admin gave the first account the admin role');
    assert.equal(claims.iss, issuer);
    assert.equal(claims.client_id, client.client_id);
    adminToken = seen.token;

    postTitle = `Hello from Pocket ${rand(6)}`;
    await page.getByLabel('Title').fill(postTitle);
    await page.getByLabel('Content').fill('Pocket now signs people in with Tessera.\nNo more passwords in our database.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Post published.').waitFor();
    await page.locator('#admin-posts li', { hasText: postTitle }).waitFor();
    await checkPageAtWidths(page, null, 'pocket-02-admin');
    await page.setViewportSize({ width: 1000, height: 800 });

    // The rest of an admin's API: edit and delete (with the token the page used).
    const api = (method, p, json) => request(method, `${pocket.url}${p}`, { token: adminToken, json });
    const draft = await api('POST', '/api/posts', { title: 'Draft', content: 'to be edited' });
    assert.equal(draft.status, 201, draft.text);
    assert.equal(draft.headers.get('location'), `/api/posts/${draft.body.id}`);
    const edited = await api('PUT', `/api/posts/${draft.body.id}`, { title: 'Edited', content: 'edited' });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.title, 'Edited');
    const tooLong = await api('PUT', `/api/posts/${draft.body.id}`, { title: 'x'.repeat(201), content: '' });
    assert.equal(tooLong.status, 400, tooLong.text);
    assert.deepEqual(Object.keys(tooLong.body.fields).sort(), ['content', 'title']);
    assert.equal((await api('DELETE', `/api/posts/${draft.body.id}`)).status, 204);
    assert.equal((await api('GET', `/api/posts/${draft.body.id}`)).status, 404);
    assert.equal((await api('DELETE', `/api/posts/${draft.body.id}`)).status, 404);
  });

  test('a second user signs up, lands on index.html, reads the post and comments; the API refuses them a post (403)', async () => {
    assert.ok(postTitle, 'needs the post of the first test');
    const { page, seen } = await openBrowser();
    await signUpThroughPocket(page, reader);
    const state = await loaded(page, '/index.html');
    assert.equal(state.ready, 'signed-in');
    assert.equal(await page.locator('#admin-link').isVisible(), false, 'no admin link for a user');
    const post = page.locator('article.post', { hasText: postTitle });
    await post.waitFor();
    assert.match(await post.locator('.post-content').innerText(), /signs people in with Tessera/);
    const comment = `Welcome to Tessera! ${rand(5)}`;
    await post.getByLabel('Your comment').fill(comment);
    await post.getByRole('button', { name: 'Post comment' }).click();
    await post.getByText('Comment posted.').waitFor();
    const item = post.locator('.comment-list li', { hasText: comment });
    await item.waitFor();
    assert.match(await item.innerText(), new RegExp(reader.email.replace(/[.+]/g, '\\$&')), 'signed with the reader\'s name');
    await checkPageAtWidths(page, null, 'pocket-03-index-user');
    await page.setViewportSize({ width: 1000, height: 800 });

    readerToken = seen.token;
    assert.deepEqual(decodeJwt(readerToken).claims.roles, [], 'the second account has no role');
    const post403 = await request('POST', `${pocket.url}/api/posts`, { token: readerToken,
      json: { title: 'Sneaky', content: 'A user may not write posts.' } });
    assert.equal(post403.status, 403, post403.text);
    assert.equal(post403.body.error, 'forbidden');
    for (const [method, p] of [['PUT', '/api/posts/1'], ['DELETE', '/api/posts/1'], ['GET', '/api/contact']]) {
      const r = await request(method, `${pocket.url}${p}`, { token: readerToken,
        json: method === 'PUT' ? { title: 'x', content: 'y' } : undefined });
      assert.equal(r.status, 403, `${method} ${p}: ${r.text}`);
    }
    const me = await request('GET', `${pocket.url}/api/me`, { token: readerToken });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.admin, false);
  });

  test('the contact form works signed out, and the admin reads the message', async () => {
    assert.ok(adminPage, 'needs the admin of the first test');
    const { page, seen } = await openBrowser();
    await page.goto(`${pocket.url}/`);
    const state = await loaded(page, '/');
    assert.equal(state.ready, 'signed-out');
    const subject = `Question ${rand(6)}`;
    await page.getByLabel('Name').fill('Grace Visitor');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Message').fill('Do you have an RSS feed?');
    await checkPageAtWidths(page, null, 'pocket-04-index-signed-out');
    await page.setViewportSize({ width: 1000, height: 800 });
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByText('Thank you! We will get back to you.').waitFor();
    assert.equal(seen.token, null, 'sent without a token');

    // Bad input is refused with field errors, and the sizes are bounded.
    const bad = await request('POST', `${pocket.url}/api/contact`, { json: { name: '', email: 'nope', subject: 'x'.repeat(201), message: 'hi' } });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(Object.keys(bad.body.fields).sort(), ['email', 'name', 'subject']);
    const notJson = await request('POST', `${pocket.url}/api/contact`, { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(notJson.status, 415, notJson.text);
    const huge = await request('POST', `${pocket.url}/api/contact`, { json: { name: 'x', email: 'a@b.example', subject: 's', message: 'x'.repeat(200_000) } });
    assert.equal(huge.status, 413, huge.text);

    await adminPage.reload();
    await loaded(adminPage, '/admin.html');
    const message = adminPage.locator('#messages li', { hasText: subject });
    await message.waitFor();
    assert.match(await message.innerText(), /Grace Visitor <grace@example\.com>/);
    assert.match(await message.innerText(), /RSS feed/);
    await screenshot(adminPage, 'pocket-05-admin-messages');
    const list = await request('GET', `${pocket.url}/api/contact`);
    assert.equal(list.status, 401, 'reading messages needs a token');
  });

  test('signing out ends the Tessera session', async () => {
    assert.ok(adminPage, 'needs the admin of the first test');
    const page = adminPage;
    // Each page load fetched its own tokens (tokens live in memory only): this one is current.
    const current = adminSeen.token;
    assert.equal((await request('GET', `${issuer}/oauth/userinfo`, { token: current })).status, 200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    const state = await loaded(page, '/index.html');
    assert.equal(state.ready, 'signed-out', 'back on the blog, signed out');
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).isVisible(), true);
    assert.deepEqual(await page.evaluate(() => ({ ...sessionStorage })), {}, 'nothing left in sessionStorage');
    assert.deepEqual(await page.evaluate(() => ({ ...localStorage })), {}, 'nothing ever in localStorage');
    // The Tessera session is gone: admin.html's silent sign-in (prompt=none) gets login_required.
    await page.goto(`${pocket.url}/admin.html`);
    const after = await loaded(page, '/admin.html');
    assert.equal(after.ready, 'signed-out');
    await page.getByText('Admins only').waitFor();
    await screenshot(page, 'pocket-06-signed-out');
    const cookies = await page.context().cookies(issuer);
    assert.equal(cookies.filter((c) => c.name.startsWith('tessera_session')).length, 0,
      `no Tessera session cookie left: ${cookies.map((c) => c.name)}`);
    // The access token was revoked at sign-out: Tessera itself refuses it now. (Pocket checks
    // tokens locally, so it accepts one until it expires: 10 minutes by default.)
    const userinfo = await request('GET', `${issuer}/oauth/userinfo`, { token: current });
    assert.equal(userinfo.status, 401, userinfo.text);
    // Every page load got its own grant; each page revoked its token as it went, so after
    // sign-out the admin's account lists no Pocket grant and no browser session.
    const own = await login(srv, { email: admin.email }, admin.password, { app: 'pocket' });
    let left;
    for (let i = 0; i < 30; i++) {
      const sessions = await request('GET', `${issuer}/api/me/sessions`, { token: own.access_token });
      assert.equal(sessions.status, 200, sessions.text);
      left = sessions.body.sessions.filter((x) => x.kind !== 'api').map((x) => `${x.kind} ${x.created_at}`);
      if (left.length === 0) break;
      await sleep(100);
    }
    assert.deepEqual(left, [], 'sessions left after signing out of Pocket');
  });

  test('the API answers 401 to no token, forged tokens and tokens of another Tessera app', async () => {
    assert.ok(adminToken, 'needs the admin token of the first test');
    const newPost = { title: 'Forged', content: 'Should never be stored.' };
    const create = (token, scheme) => request('POST', `${pocket.url}/api/posts`, { token, scheme, json: newPost });
    const refused = async (what, res, error = 'invalid_token') => {
      assert.equal(res.status, 401, `${what}: ${res.text}`);
      assert.equal(res.body.error, error, `${what}: ${res.text}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="pocket"/, what);
    };

    await refused('no token', await create(undefined), 'unauthorized');
    assert.equal((await create(undefined)).headers.get('www-authenticate'), 'Bearer realm="pocket"');
    await refused('Basic credentials', await create('dXNlcjpwYXNz', 'Basic'));
    await refused('garbage', await create('not-a-jwt'));
    await refused('comment without token', await request('POST', `${pocket.url}/api/posts/1/comments`, { json: { content: 'hi' } }), 'unauthorized');

    const { header, claims, parts } = decodeJwt(adminToken);
    // The admin's own token with the payload changed (a user making themselves admin works the same).
    const tampered = `${parts[0]}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${parts[2]}`;
    await refused('tampered payload', await create(tampered));
    // alg none, and HS256 keyed with the public JWK.
    await refused('alg none', await create(encodeJwt({ ...header, alg: 'none' }, claims, '')));
    const jwks = (await request('GET', `${issuer}/.well-known/jwks.json`)).body;
    const pub = JSON.stringify(jwks.keys.find((k) => k.kid === header.kid));
    const hsInput = `${Buffer.from(JSON.stringify({ ...header, alg: 'HS256' })).toString('base64url')}.${parts[1]}`;
    const hs = `${hsInput}.${crypto.createHmac('sha256', pub).update(hsInput).digest('base64url')}`;
    await refused('HS256 with the public key', await create(hs));
    // Signed with a key of our own under Tessera's kid.
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const esHeader = { alg: 'ES256', typ: 'at+jwt', kid: header.kid };
    const esInput = `${Buffer.from(JSON.stringify(esHeader)).toString('base64url')}.${parts[1]}`;
    const esSig = crypto.sign('sha256', Buffer.from(esInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    await refused('our own key', await create(`${esInput}.${esSig.toString('base64url')}`));
    // A valid token of another app on the same Tessera (same keys, other issuer).
    await srv.createApp('other', 'Other');
    const stranger = await signup(srv, { app: 'other' });
    const foreign = await login(srv, { email: stranger.email }, stranger.password, { app: 'other' });
    assert.equal(decodeJwt(foreign.access_token).claims.iss, srv.issuer('other'));
    await refused('token of another app', await create(foreign.access_token));
    // A valid token of this app, but not issued to Pocket's client (the account API's).
    const local = await login(srv, { email: reader.email }, reader.password, { app: 'pocket' });
    assert.equal(decodeJwt(local.access_token).claims.iss, issuer);
    assert.notEqual(decodeJwt(local.access_token).claims.client_id, client.client_id);
    await refused('token of another client', await create(local.access_token));

    const posts = await request('GET', `${pocket.url}/api/posts`);
    assert.equal(posts.status, 200);
    assert.ok(!posts.body.posts.some((p) => p.title === 'Forged'), 'nothing forged was stored');
    // Anonymous reads work; a sent token is always checked.
    assert.equal((await request('GET', `${pocket.url}/api/posts`, { token: 'not-a-jwt' })).status, 401);
    assert.equal((await request('GET', `${pocket.url}/api/posts/999999`)).status, 404);
    assert.equal((await request('GET', `${pocket.url}/api/posts/abc`)).status, 404);
    assert.equal((await request('PATCH', `${pocket.url}/api/posts`)).status, 405);
    assert.equal((await request('GET', `${pocket.url}/../CMakeLists.txt`)).status, 404);
  });
});
