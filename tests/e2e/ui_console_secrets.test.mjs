// Issue 13, item 4: risky or duplicate actions in the developer console, in chromium.
//   - creating an API key or an OAuth client is POST/redirect/GET: the secret is shown once on
//     the page the redirect leads to (never in its URL); reloading that page neither makes a
//     second key/client nor shows the secret again; the reveal works only in the browser
//     session that made it;
//   - "Rotate secret" asks for a confirmation (like revoking): without it nothing changes and
//     the old secret still works; with it the new secret is shown once and the old one fails.
// Screenshots: build/e2e-artifacts/secrets-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/ui_console_secrets.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus, request } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { startConsoleFixture, basic } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { pageChecker } from './lib/console_pages.mjs';

for (const backend of backends()) {
  describe(`console secrets: shown once, no duplicates on reload, rotation confirmed [${backend}]`, () => {
    let fx, browser, base, app;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const shot = (page, n) => screenshot(page, `secrets-${n}${suffix}`);
    const checkPage = pageChecker([]);  // axe-core on the pages that show a secret

    before(async () => {
      browser = await launchBrowser();
      fx = await startConsoleFixture(backend, `ui-console-secrets-${backend}`);
      base = fx.srv.baseUrl;
      app = await fx.newApp(fx.X, 'secrets');
    });
    after(async () => {
      await closeBrowser(browser);
      await fx?.srv.close();
    });

    const list = async (what) => {
      const res = await fx.capi(fx.X, 'GET', `/apps/${app.slug}/${what}`);
      assertStatus(res, 200);
      return res.body[what === 'api-keys' ? 'api_keys' : 'clients'];
    };
    // Whether `secret` authenticates client `id` at the token endpoint (the grant is what fails).
    const authenticates = async (id, secret) => {
      const r = await request('POST', `${base}/apps/${app.slug}/oauth/token`, {
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'tsr_nothing' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) } });
      return r.body?.error === 'invalid_grant';
    };

    test('an API key: shown once after a redirect; a reload makes no second key and hides it', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.goto(`${base}/console/apps/${app.slug}/api-keys`);
      await page.getByLabel('Name').fill('Once only');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.waitForURL(/\/api-keys\?done=key-created/);
      const key = (await page.locator('#new-api-key').innerText()).trim();
      assert.match(key, /^tsk_/);
      assert.ok(!page.url().includes(key), 'the key is not in the URL');
      assert.match(await page.locator('#new-key-heading').innerText(), /Once only/);
      await shot(page, 'api-key-shown');
      await checkPage(page, 'a new API key');
      await page.reload();
      assert.equal(await page.locator('#new-api-key').count(), 0, `shown again: ${await describePage(page)}`);
      assert.match(await page.locator('main').innerText(), /can no longer be shown/);
      await shot(page, 'api-key-reloaded');
      const keys = (await list('api-keys')).filter((k) => k.name === 'Once only');
      assert.equal(keys.length, 1, JSON.stringify(keys));
      await context.close();
    });

    test('an OAuth client: shown once after a redirect; a reload makes no second client', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.goto(`${base}/console/apps/${app.slug}/clients`);
      await page.getByLabel('Name').fill('Once client');
      await page.getByLabel('Redirect URIs', { exact: true }).fill('https://app.example.com/callback');
      await page.getByRole('button', { name: 'Create client' }).click();
      await page.waitForURL(/\/clients\/[^/?]+\?done=client-created/);
      const id = (await page.locator('#client-id').innerText()).trim();
      const secret = (await page.locator('#client-secret').innerText()).trim();
      assert.match(secret, /^tcs_/);
      assert.ok(!page.url().includes(secret), 'the secret is not in the URL');
      assert.ok(await authenticates(id, secret));
      await shot(page, 'client-shown');
      await checkPage(page, 'a new client');
      const revealUrl = page.url();
      await page.reload();
      assert.equal(await page.locator('#client-secret').count(), 0, `shown again: ${await describePage(page)}`);
      const clients = (await list('clients')).filter((c) => c.name === 'Once client');
      assert.equal(clients.length, 1, JSON.stringify(clients));

      // Rotating asks first: without the box ticked nothing changes.
      const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
      const rotate = `${base}/console/apps/${app.slug}/clients/${encodeURIComponent(id)}/rotate-secret`;
      const unconfirmed = await context.request.post(rotate, { form: { csrf_token: csrf },
        headers: { origin: base }, maxRedirects: 0 });
      assert.equal(unconfirmed.status(), 400);
      assert.match(await unconfirmed.text(), /Tick the box to confirm/);
      assert.ok(await authenticates(id, secret), 'the old secret still works');

      await page.getByLabel('I understand that the old secret stops working at once').check();
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.waitForURL(/\?done=secret-rotated/);
      const rotated = (await page.locator('#client-secret').innerText()).trim();
      assert.notEqual(rotated, secret);
      assert.ok(await authenticates(id, rotated), 'the new secret works');
      assert.equal(await authenticates(id, secret), false, 'the old secret no longer works');
      await shot(page, 'client-rotated');
      await page.reload();
      assert.equal(await page.locator('#client-secret').count(), 0, 'the rotated secret is shown once');

      // The reveal link is worth nothing in another browser session, even the same person's.
      const other = await newPage(browser);
      await consoleSignIn(other.page, base, fx.X);
      await other.page.goto(revealUrl);
      assert.equal(await other.page.locator('#client-secret').count(), 0);
      await other.context.close();
      await context.close();
    });
  });
}
