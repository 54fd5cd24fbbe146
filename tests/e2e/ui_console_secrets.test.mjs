// Issue 13, item 4: risky or duplicate actions in the developer console, in chromium.
//   - creating an API key, an OAuth client or a registration token (RFC 7591, below the
//     clients) is POST/redirect/GET: the secret is shown once on the page the redirect leads to
//     (never in its URL); reloading that page neither makes a second key/client/token nor
//     shows the secret again; the reveal works only in the browser session that made it;
//   - "Rotate secret" asks for a confirmation (like revoking): without it nothing changes and
//     the old secret still works; with it the new secret is shown once and the old one fails.
// Screenshots: build/e2e-artifacts/secrets-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/ui_console_secrets.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus, request } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { startConsoleFixture, basic, until } from './lib/console.mjs';
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
      return res.body[what.replaceAll('-', '_')];  // api_keys, clients, registration_tokens
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

    test('a registration token: shown once below the clients after a redirect; a reload makes no second one', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      const clientsUrl = `${base}/console/apps/${app.slug}/clients`;
      await page.goto(clientsUrl);
      // Off by default: the section says so, and where to turn it on.
      const section = page.locator('#registration-tokens');
      assert.match(await section.innerText(), /Dynamic client registration is off/);
      assert.equal(await section.getByRole('link', { name: 'Settings' }).getAttribute('href'),
        `/console/apps/${app.slug}/settings`);
      assert.equal(await page.getByLabel('Expires after').inputValue(), '30', 'thirty days unless chosen');
      await page.getByLabel('Given to').fill('Partner portal');
      await page.getByLabel('Expires after').selectOption('never');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.waitForURL(/\/clients\?done=registration-token-created/);
      const token = (await page.locator('#new-registration-token').innerText()).trim();
      assert.match(token, /^tiat_/);
      assert.ok(!page.url().includes(token), 'the token is not in the URL');
      assert.match(await page.locator('#new-token-heading').innerText(), /Partner portal/);
      assert.ok((await page.locator('main').innerText()).includes(`${fx.srv.issuer(app.slug)}/oauth/register`),
        'where to send it');
      await shot(page, 'registration-token-shown');
      await checkPage(page, 'a new registration token');
      await page.reload();
      assert.equal(await page.locator('#new-registration-token').count(), 0, `shown again: ${await describePage(page)}`);
      assert.match(await page.locator('main').innerText(), /can no longer be shown/);
      const tokens = (await list('registration-tokens')).filter((t) => t.name === 'Partner portal');
      assert.equal(tokens.length, 1, JSON.stringify(tokens));
      assert.equal(tokens[0].expires_at, null, 'never expires, as chosen');
      assert.ok(token.startsWith(tokens[0].prefix));

      // Listed by its prefix, never the token.
      await page.goto(clientsUrl);
      const row = section.locator('tbody tr', { hasText: 'Partner portal' });
      assert.match(await row.innerText(), new RegExp(`${tokens[0].prefix}…[\\s\\S]*Never`));
      assert.ok(!(await page.content()).includes(token), 'the token is not on the list page');

      // Bad input: the page again, naming the field, nothing made; no CSRF token: 403.
      const create = `${base}/console/apps/${app.slug}/registration-tokens`;
      const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
      for (const form of [{ name: 'n', expires_in_days: '4000' }, { name: 'n', expires_in_days: 'soon' },
        { name: '', expires_in_days: '30' }]) {
        const bad = await context.request.post(create, { form: { csrf_token: csrf, ...form },
          headers: { origin: base }, maxRedirects: 0 });
        assert.equal(bad.status(), 400, JSON.stringify(form));
        assert.match(await bad.text(), /The registration token was not created/);
      }
      const forged = await context.request.post(create, { form: { name: 'forged', expires_in_days: '30' },
        headers: { origin: base }, maxRedirects: 0 });
      assert.equal(forged.status(), 403);
      assert.equal((await list('registration-tokens')).length, 1, 'nothing else was made');

      // Revoked with its row's button: gone, and the page says so.
      await row.getByRole('button', { name: /Revoke/ }).click();
      await page.waitForURL(/\/clients\?done=registration-token-revoked/);
      assert.match(await page.locator('main').innerText(), /registration token was revoked/);
      assert.deepEqual(await list('registration-tokens'), []);

      // On: the section explains where software registers.
      assertStatus(await fx.capi(fx.X, 'PATCH', `/apps/${app.slug}`, { json: { settings: { dynamic_registration: true } } }), 200);
      await until('the section follows the setting', async () => {
        await page.goto(clientsUrl);
        return /registers its own OAuth clients/.test(await section.innerText());
      });
      await shot(page, 'registration-tokens-on');
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
