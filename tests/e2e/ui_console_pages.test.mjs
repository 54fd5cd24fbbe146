// Issue 13, items 5, 8 (console part) and 12, in chromium:
//   - the settings page words its errors as the page does ("leave it blank for the server's
//     default (1200)", never "must be 0"), next to their fields, and the access-token lifetime
//     hint names the server's default (--access-token-ttl);
//   - the create-app form makes the slug from the name when it is left blank (unique: "-2");
//   - the audit log (an app's, and the operators') names people, clients and keys with links
//     to their pages instead of raw ids, summarises the details instead of raw JSON, shows
//     times as <time> with UTC, and filters by outcome and time range;
//   - audit times are in the viewer's own zone (their profile's zoneinfo, set on the account
//     page, which refuses a name that is not a zone) with UTC on hover, and labelled UTC until
//     they set one; the account page shows its times in that zone too;
//   - the OpenAPI document's example bodies are realistic, and they work as they are.
// Screenshots: build/e2e-artifacts/pages-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/ui_console_pages.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus, request, show, rand } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { startConsoleFixture } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

for (const backend of backends()) {
  describe(`console pages in words people read [${backend}]`, () => {
    let fx, browser, base, app, key, userEmail, userId;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const shot = (page, n) => screenshot(page, `pages-${n}${suffix}`);

    before(async () => {
      browser = await launchBrowser();
      fx = await startConsoleFixture(backend, `ui-console-pages-${backend}`, { accessTokenTtl: 1200 });
      base = fx.srv.baseUrl;
      const { srv, X, capi } = fx;
      app = await fx.newApp(X, 'pages');
      const k = await capi(X, 'POST', `/apps/${app.slug}/api-keys`, { json: { name: 'Production backend' } });
      assertStatus(k, 201);
      key = k.body.key;
      assertStatus(await capi(X, 'POST', `/apps/${app.slug}/clients`, { json: {
        name: 'Acme web', redirect_uris: ['https://app.example.com/cb'], grant_types: ['authorization_code'] } }), 201);
      userEmail = `grace-${rand(8)}@example.com`;
      const u = await srv.api('POST', '/api/users', { app: app.slug, token: key, json: { email: userEmail, password: `pw-${rand(16)}` } });
      assertStatus(u, 201);
      userId = u.body.id ?? u.body.user?.id;
      assertStatus(await capi(X, 'PATCH', `/apps/${app.slug}/users/${userId}`, { json: { disabled: true } }), 200);
      assertStatus(await capi(X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { display_name: 'Pages' } } }), 200);
      await srv.api('POST', '/api/login', { app: app.slug, json: { login: 'nobody@example.com', password: 'wrong-password' } });
    });
    after(async () => {
      await closeBrowser(browser);
      await fx?.srv.close();
    });

    test('settings: the page’s own words next to the fields; the access-token default shown', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.goto(`${base}/console/apps/${app.slug}/settings`);
      assert.match(await page.locator('#s-access-ttl-hint').innerText(), /60–86400; the server’s is 1200/);
      assert.equal(await page.getByLabel('Access token lifetime (seconds)').getAttribute('placeholder'), '1200');
      await page.getByLabel('Access token lifetime (seconds)').fill('5');
      await page.getByLabel('Minimum password length').fill('5');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.locator('#s-access-ttl-error').waitFor();
      assert.match(await page.locator('#s-access-ttl-error').innerText(),
        /^Enter 60–86400 seconds, or leave it blank for the server’s default \(1200\)$/);
      assert.match(await page.locator('#s-password-min-error').innerText(),
        /^Enter 8–128 characters, or leave it blank for the server’s default \(\d+\)$/);
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, /must be 0|server default\)|access_token_ttl_s|password_min_length/i, text);
      await shot(page, 'settings-errors');
      await context.close();
    });

    test('create app: a blank slug is made from the name, unique', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.Y);
      assert.match(await page.locator('#app-slug-hint').innerText(), /Leave it blank to make it from the name/);
      for (const expected of ['acme-notes-2026', 'acme-notes-2026-2']) {
        await page.goto(`${base}/console`);
        await page.getByLabel('Name').fill('Acme Notes 2026!');
        await page.getByRole('button', { name: 'Create app' }).click();
        await page.waitForURL(`${base}/console/apps/${expected}?done=created`);
        assert.equal(await page.locator('h1').innerText(), 'Acme Notes 2026!');
      }
      await shot(page, 'slug-from-name');
      await context.close();
    });

    test('the app’s audit log: names with links, readable details, UTC times, outcome and time filters', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.goto(`${base}/console/apps/${app.slug}/audit`);
      const body = page.locator('tbody');
      const text = await body.innerText();
      assert.doesNotMatch(text, UUID, `raw ids: ${text.slice(0, 600)}`);
      assert.doesNotMatch(text, /[{}"]/, `raw JSON: ${text.slice(0, 600)}`);
      const userLink = body.getByRole('link', { name: userEmail }).first();
      assert.equal(await userLink.getAttribute('href'), `/console/apps/${app.slug}/users/${userId}`);
      assert.equal(await body.getByRole('link', { name: 'Production backend' }).first().getAttribute('href'),
        `/console/apps/${app.slug}/api-keys`);
      assert.ok(await body.getByRole('link', { name: 'Acme web' }).count() > 0, 'the client by name');
      assert.ok(text.includes(fx.X.email), 'the developer by email');
      assert.match(text, /Changed: .*display name/, 'the settings change in words');
      const time = body.locator('time').first();
      assert.match(await time.getAttribute('datetime'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.match(await time.getAttribute('title'), / UTC$/);
      assert.match(await time.innerText(), /just now|min ago/);
      await shot(page, 'audit');

      await page.getByLabel('Outcome').selectOption('failure');
      await page.getByLabel('Time').selectOption('1h');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/outcome=failure/);
      assert.match(page.url(), /period=1h/);
      const outcomes = await body.locator('td[data-label=Outcome]').allInnerTexts();
      assert.ok(outcomes.length > 0, await describePage(page));
      assert.deepEqual([...new Set(outcomes.map((o) => o.trim()))], ['Failure']);
      assert.match(await body.innerText(), /user\.login_failed/);
      assert.equal(await page.getByLabel('Outcome').inputValue(), 'failure', 'the form keeps the filter');
      await checkPageAtWidths(page, null, `pages-audit-failures${suffix}`);
      await context.close();
    });

    test('the operators’ audit log names apps and people too', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.OP, '/admin');
      await page.goto(`${base}/admin/audit?app=${app.slug}`);
      const body = page.locator('tbody');
      const text = await body.innerText();
      assert.doesNotMatch(text, UUID, `raw ids: ${text.slice(0, 600)}`);
      assert.ok(await body.getByRole('link', { name: app.slug }).count() > 0, 'the app linked');
      assert.ok(await body.getByRole('link', { name: userEmail }).count() > 0, 'the user linked');
      await shot(page, 'admin-audit');
      await context.close();
    });

    test('audit times in the viewer’s own zone, UTC on hover; UTC, labelled, until they set one', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.OP, '/admin');
      await page.goto(`${base}/admin/audit?app=${app.slug}`);
      const note = page.locator('main .fine-print').filter({ hasText: 'Times are in' });
      assert.match(await note.innerText(), /^Times are in UTC .*Set your time zone to see them in yours\.$/);
      await note.getByRole('link', { name: 'Set your time zone' }).click();
      await page.waitForURL(/\/apps\/console\/account$/);

      const zone = page.getByLabel('Time zone');
      await zone.fill('Mars/Olympus_Mons');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.locator('#zoneinfo-error').waitFor();
      assert.match(await page.locator('#zoneinfo-error').innerText(), /time zone name such as Europe\/Paris/);
      assert.equal(await zone.inputValue(), 'Mars/Olympus_Mons', 'the form keeps what was typed');
      await zone.fill('Asia/Kolkata');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.waitForLoadState();
      assert.equal(await page.locator('#zoneinfo-error').count(), 0, await describePage(page));
      assert.match(await page.locator('main').innerText(), /last active \d{4}-\d{2}-\d{2} \d{2}:\d{2} GMT\+5:30/);

      await page.goto(`${base}/admin/audit?app=${app.slug}`);
      assert.match(await note.innerText(), /^Times are in your time zone, Asia\/Kolkata \(hover a time for UTC\)\. Change it$/);
      const cell = page.locator('tbody td[data-label=Time]').first();
      const iso = await cell.locator('time').getAttribute('datetime');
      assert.match(await cell.locator('time').getAttribute('title'), / UTC$/);
      // India is UTC+5:30 all year: the same instant, read on a clock in Kolkata.
      const local = new Date(Date.parse(iso) + 5.5 * 3600 * 1000).toISOString();
      const expected = `${local.slice(0, 10)} ${local.slice(11, 16)} GMT+5:30`;
      assert.equal(await cell.locator('.cell-detail').innerText(), expected);
      await shot(page, 'audit-own-zone');
      await context.close();
    });

    test('the API document’s example bodies are realistic and work as they are', async () => {
      const doc = await request('GET', `${base}/api/openapi.json`);
      assertStatus(doc, 200);
      const example = (path, method) => doc.body.paths[path][method].requestBody.content['application/json'].example;
      const signup = example('/apps/{app}/api/signup', 'post');
      assert.equal(signup.email, 'ada@example.com');
      assert.ok(signup.password.length >= 12 && signup.password !== 'string', signup.password);
      for (const [path, item] of Object.entries(doc.body.paths)) {
        for (const [method, op] of Object.entries(item)) {
          const ex = op?.requestBody?.content?.['application/json']?.example;
          if (op?.requestBody?.content?.['application/json']) assert.ok(ex, `${method} ${path} has an example`);
          assert.ok(!JSON.stringify(ex ?? {}).includes('"string"'), `${method} ${path}: ${JSON.stringify(ex)}`);
        }
      }
      // Sent as they are, they work.
      const owner = fx.X;
      const created = await fx.capi(owner, 'POST', '/apps', { json: example('/api/console/apps', 'post') });
      assertStatus(created, 201);
      const slug = created.body.slug;
      const apiKey = await fx.capi(owner, 'POST', `/apps/${slug}/api-keys`, { json: example('/api/console/apps/{slug}/api-keys', 'post') });
      assertStatus(apiKey, 201);
      assertStatus(await fx.capi(owner, 'POST', `/apps/${slug}/clients`, { json: example('/api/console/apps/{slug}/clients', 'post') }), 201);
      assertStatus(await fx.capi(owner, 'PATCH', `/apps/${slug}`, { json: example('/api/console/apps/{slug}', 'patch') }), 200);
      const user = await fx.srv.api('POST', '/api/users', { app: slug, token: apiKey.body.key, json: example('/apps/{app}/api/users', 'post') });
      assertStatus(user, 201);
      const signedUp = await fx.srv.api('POST', '/api/signup', { app: slug, json: signup });
      assert.equal(signedUp.status, 201, show(signedUp));
      const login = await fx.srv.api('POST', '/api/login', { app: slug, json: example('/apps/{app}/api/login', 'post') });
      assert.equal(login.status, 200, show(login));
    });
  });
}
