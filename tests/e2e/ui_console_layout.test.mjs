// Issue 13, item 1 (and the console part of item 3): every page of the developer console and
// of the operator console fits a phone. A developer with an app, an OAuth client, an API key,
// a pending member invitation, users and audit entries, and an operator, open each page in
// chromium at 1280, 375 and 320 px (checkPageAtWidths, lib/layout.mjs): nothing is wider than
// the screen (tables become stacked rows), no word is broken mid-word, and every page offers a
// way on (the console's Account page has a way back to the console). Screenshots:
// build/e2e-artifacts/layout-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/ui_console_layout.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage } from './lib/browser.mjs';
import { startConsoleFixture, joinByInvitation } from './lib/console.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';
import { pageChecker } from './lib/console_pages.mjs';
import { uniqEmail, rand } from './lib/util.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';

for (const backend of backends()) {
  describe(`console and operator pages fit a phone [${backend}]`, () => {
    let fx, browser, base, app, clientId, userId;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;

    before(async () => {
      browser = await launchBrowser();
      fx = await startConsoleFixture(backend, `ui-console-layout-${backend}`);
      base = fx.srv.baseUrl;
      const { srv, X, Y, OP, capi } = fx;
      // An app with a long name and slug (the widest a row gets), a client, keys, a
      // registration token (listed below the clients), users.
      app = await fx.newApp(X, 'layout-with-a-rather-long-slug');
      const client = await capi(X, 'POST', `/apps/${app.slug}/clients`, { json: {
        name: 'Confidential reporting backend', redirect_uris: ['https://reports.example.com/oauth/callback/with/a/long/path'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] } });
      assertStatus(client, 201);
      clientId = client.body.client_id;
      const key = await capi(X, 'POST', `/apps/${app.slug}/api-keys`, { json: { name: 'Production backend in Frankfurt' } });
      assertStatus(key, 201);
      assertStatus(await capi(X, 'POST', `/apps/${app.slug}/registration-tokens`, {
        json: { name: 'Partner integration portal in Frankfurt', expires_in_days: 90 } }), 201);
      for (const n of [1, 2]) {
        const u = await srv.api('POST', '/api/users', { app: app.slug, token: key.body.key,
          json: { email: `someone-with-a-long-address-${n}-${rand(8)}@subdomain.example.com`, password: `pw-${rand(16)}` } });
        assertStatus(u, 201);
        userId ??= u.body.id ?? u.body.user?.id;
      }
      assert.ok(userId);
      // Y becomes a member; a pending invitation for another address; one for Y on another app.
      await joinByInvitation(capi, { owner: X, invitee: Y, op: OP, slug: app.slug });
      assertStatus(await capi(X, 'POST', `/apps/${app.slug}/members`, { json: { email: uniqEmail('invited-colleague'), role: 'owner' } }), 202);
      const other = await fx.newApp(X, 'other');
      assertStatus(await capi(X, 'POST', `/apps/${other.slug}/members`, { json: { email: Y.email, role: 'member' } }), 202);
      // A refused sign-in in the audit log.
      await srv.api('POST', '/api/login', { app: app.slug, json: { login: 'nobody@example.com', password: 'wrong-password' } });
    });
    after(async () => {
      await closeBrowser(browser);
      await fx?.srv.close();
    });

    const name = (n) => `layout-${n}${suffix}`;
    // After the widths (the page is then 320 px wide: stacked tables): CSP and axe-core too.
    const cspErrors = [];
    const checkPage = pageChecker(cspErrors);
    const open = async () => {
      const p = await newPage(browser);
      p.page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(`${p.page.url()}: ${m.text()}`);
      });
      return p;
    };

    test('every developer console page fits 320 and 375 px and has a way on', async () => {
      const { page, context } = await open();
      await consoleSignIn(page, base, fx.X);
      const a = `${base}/console/apps/${app.slug}`;
      const pages = [
        ['console-home', `${base}/console`],
        ['console-app', a],
        ['console-settings', `${a}/settings`],
        ['console-clients', `${a}/clients`],
        ['console-client', `${a}/clients/${encodeURIComponent(clientId)}`],
        ['console-api-keys', `${a}/api-keys`],
        ['console-members', `${a}/members`],
        ['console-users', `${a}/users`],
        ['console-user', `${a}/users/${userId}`],
        ['console-user-delete', `${a}/users/${userId}/delete`],
        ['console-mail-domain', `${a}/mail-domain`],
        ['console-audit', `${a}/audit`],
        ['console-invitations', `${base}/console/invitations`],
        ['console-account', `${base}/apps/console/account`],
      ];
      const failures = [];
      for (const [n, url] of pages) {
        const res = await page.goto(url);
        assert.equal(res.status(), 200, `${n}: ${await describePage(page)}`);
        await checkPageAtWidths(page, null, name(n)).catch((e) => failures.push(e.message));
        await checkPage(page, `${n} at 320 px`).catch((e) => failures.push(e.message));
      }
      assert.deepEqual(failures, []);
      // The console's Account page (a hosted page of the console app) leads back to the console.
      await page.goto(`${base}/apps/console/account`);
      const back = page.getByRole('link', { name: 'Back to the console' });
      assert.equal(await back.getAttribute('href'), '/console', await describePage(page));
      await back.click();
      await page.waitForURL(`${base}/console`);
      await context.close();
    });

    test('a member sees their invitations and the members page fits a phone', async () => {
      const { page, context } = await open();
      await consoleSignIn(page, base, fx.Y);
      const failures = [];
      for (const [n, url] of [['member-invitations', `${base}/console/invitations`],
        ['member-members', `${base}/console/apps/${app.slug}/members`]]) {
        await page.goto(url);
        await checkPageAtWidths(page, null, name(n)).catch((e) => failures.push(e.message));
        await checkPage(page, `${n} at 320 px`).catch((e) => failures.push(e.message));
      }
      assert.deepEqual(failures, []);
      await context.close();
    });

    test('every operator page fits 320 and 375 px and has a way on', async () => {
      const { page, context } = await open();
      await consoleSignIn(page, base, fx.OP, '/admin');
      const failures = [];
      for (const [n, url] of [['admin-home', `${base}/admin`], ['admin-audit', `${base}/admin/audit`],
        ['admin-audit-app', `${base}/admin/audit?app=${app.slug}`]]) {
        const res = await page.goto(url);
        assert.equal(res.status(), 200, `${n}: ${await describePage(page)}`);
        await checkPageAtWidths(page, null, name(n)).catch((e) => failures.push(e.message));
        await checkPage(page, `${n} at 320 px`).catch((e) => failures.push(e.message));
      }
      assert.deepEqual(failures, []);
      await context.close();
    });
  });
}
