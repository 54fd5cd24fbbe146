// The developer console's "Sign-in providers" page, in chromium: a developer turns GitHub on
// for their app in a minute —
//   - the add form (kind, client ID, client secret) leads to the provider's page, which shows
//     the callback URL to register with GitHub, {issuer}/federation/github/callback, and the
//     secret nowhere (not in a form, not in the HTML);
//   - a bad OpenID issuer (http on a public host) is said next to the Issuer field, and the
//     typed secret is not sent back;
//   - the app's hosted sign-in page offers "Continue with GitHub" while the provider is on,
//     and not once it is turned off (the console says "Off");
//   - deleting asks for the confirmation box first.
// Layout checked at 1280, 375 and 320 px. Screenshots: build/e2e-artifacts/providers-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/ui_console_providers.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus, rand } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { startConsoleFixture } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';

for (const backend of backends()) {
  describe(`console sign-in providers page [${backend}]`, () => {
    let fx, browser, base, app, list, githubPage;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const shot = (page, n) => screenshot(page, `providers-${n}${suffix}`);
    const secret = `gh-secret-${rand(24)}`;

    before(async () => {
      browser = await launchBrowser();
      fx = await startConsoleFixture(backend, `ui-console-providers-${backend}`);
      base = fx.srv.baseUrl;
      app = await fx.newApp(fx.X, 'prov');
      list = `${base}/console/apps/${app.slug}/sign-in-providers`;
    });
    after(async () => {
      await closeBrowser(browser);
      await fx?.srv.close();
    });

    /** The app's providers through the console API. */
    const providers = async () => {
      const res = await fx.capi(fx.X, 'GET', `/apps/${app.slug}/identity-providers`);
      assertStatus(res, 200);
      return res.body.identity_providers;
    };

    /** The buttons of the app's hosted sign-in page, seen by a browser that is signed in nowhere. */
    const signInButtons = async () => {
      const { page, context } = await newPage(browser);
      try {
        await page.goto(`${base}/apps/${app.slug}/login`);
        await page.getByLabel('Email or username').waitFor();
        return { names: await page.locator('.provider-buttons a').allInnerTexts(), page, context };
      } catch (e) {
        await context.close();
        throw e;
      }
    };

    test('add GitHub: its page shows the callback URL to register, and the secret nowhere', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.goto(`${base}/console/apps/${app.slug}`);
      await page.getByRole('navigation', { name: 'App sections' }).getByRole('link', { name: 'Sign-in providers' }).click();
      await page.waitForURL(list);
      assert.equal(await page.getByRole('link', { name: 'Sign-in providers' }).getAttribute('aria-current'), 'page');
      assert.match(await page.locator('main').innerText(), /No sign-in providers yet/);
      // GitHub is the kind chosen; its help says where to make the OAuth app, and the OpenID
      // fields are out of the way.
      assert.ok(await page.getByRole('radio', { name: 'GitHub' }).isChecked());
      assert.match(await page.locator('#p-kind-github-hint').innerText(),
        /Settings → Developer settings → OAuth Apps.*callback URL is .*\/federation\/github\/callback \(shown again after adding\)/);
      assert.match(await page.locator('#p-kind-google-hint').innerText(), /Google Cloud console: APIs & Services → Credentials/);
      assert.equal(await page.getByLabel('Issuer URL').isVisible(), false, 'OpenID fields hidden for GitHub');
      const secretField = page.getByLabel('Client secret');
      assert.equal(await secretField.getAttribute('type'), 'password');
      assert.equal(await secretField.getAttribute('autocomplete'), 'off');
      await checkPageAtWidths(page, null, `providers-empty${suffix}`);

      await page.setViewportSize({ width: 1280, height: 800 });
      await page.getByLabel('Client ID').fill('Iv1.0a1b2c3d4e5f6a7b');
      await secretField.fill(secret);
      await page.getByRole('button', { name: 'Add provider' }).click();
      await page.waitForURL(/\/sign-in-providers\/[^/?]+\?done=created$/);
      githubPage = page.url().replace(/\?.*$/, '');

      assert.equal(await page.locator('h1').innerText(), 'GitHub');
      assert.equal(await page.getByRole('heading', { level: 2, name: 'Register this callback URL with GitHub' }).count(), 1);
      assert.equal(await page.locator('#callback-url').innerText(), `${app.issuer}/federation/github/callback`);
      assert.equal(`${app.issuer}`, `${base}/apps/${app.slug}`);
      assert.match(await page.locator('#form-notice').innerText(), /GitHub was added\. Register the callback URL/);
      assert.match(await page.locator('#provider-status').innerText(), /^On\b/);
      assert.match(await page.locator('#p-client-secret-hint').innerText(), /A secret is set/);
      assert.equal(await page.getByLabel('New client secret').inputValue(), '');
      assert.ok(!(await page.content()).includes(secret), 'the secret is not in the page');
      await checkPageAtWidths(page, null, `providers-github${suffix}`);

      await page.goto(list);
      const row = page.locator('tbody tr', { hasText: 'GitHub' });
      assert.match(await row.innerText(), /GitHub\s+GitHub\s+On\s+/);
      assert.equal(await row.locator('code').innerText(), `${app.issuer}/federation/github/callback`);
      assert.ok(!(await page.content()).includes(secret), 'nor in the list');
      await checkPageAtWidths(page, null, `providers-list${suffix}`);
      const [p] = await providers();
      assert.equal(p.has_client_secret, true, JSON.stringify(p));
      assert.equal(JSON.stringify(p).includes(secret), false);
      await context.close();
    });

    test('the hosted sign-in page offers “Continue with GitHub” while it is on', async () => {
      const { names, page, context } = await signInButtons();
      assert.deepEqual(names, ['Continue with GitHub'], await describePage(page));
      await shot(page, 'hosted-login-on');
      await context.close();
    });

    test('a bad OpenID issuer is said next to Issuer; the secret is not sent back', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(list);
      await page.getByRole('radio', { name: 'OpenID Connect' }).check();
      assert.ok(await page.getByLabel('Issuer URL').isVisible(), 'OpenID fields shown for OpenID');
      await page.getByLabel('Display name').fill('Corp SSO');
      await page.getByLabel('Issuer URL').fill('http://idp.example.com');
      await page.getByLabel('Client ID').fill('tessera-corp');
      await page.getByLabel('Client secret').fill(`oidc-${secret}`);
      await page.getByRole('button', { name: 'Add provider' }).click();
      await page.locator('#p-issuer-error').waitFor();
      assert.equal(page.url(), list);
      const issuerField = page.locator('.field', { has: page.getByLabel('Issuer URL') });
      assert.match(await issuerField.locator('.field-error').innerText(), /https URL \(http only on localhost\)/);
      assert.equal(await page.getByLabel('Issuer URL').getAttribute('aria-invalid'), 'true');
      assert.match(await page.getByLabel('Issuer URL').getAttribute('aria-describedby'), /p-issuer-error/);
      assert.match(await page.locator('#form-error').innerText(), /The provider was not added: please check the highlighted fields\./);
      // What was typed stays (OpenID still chosen), but the secret is asked for again.
      assert.ok(await page.getByRole('radio', { name: 'OpenID Connect' }).isChecked());
      assert.equal(await page.getByLabel('Issuer URL').inputValue(), 'http://idp.example.com');
      assert.equal(await page.getByLabel('Display name').inputValue(), 'Corp SSO');
      assert.equal(await page.getByLabel('Client secret').inputValue(), '');
      assert.match(await page.locator('#p-client-secret-hint').innerText(), /Enter it again/);
      assert.ok(!(await page.content()).includes(secret), 'the typed secret is not in the page');
      await checkPageAtWidths(page, null, `providers-issuer-error${suffix}`);
      assert.equal((await providers()).length, 1, 'nothing added');
      await context.close();
    });

    test('turned off: the console says Off and the sign-in page no longer offers it', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(githubPage);
      const on = page.getByLabel('On', { exact: true });
      assert.ok(await on.isChecked());
      await on.uncheck();
      await page.getByRole('button', { name: 'Save provider' }).click();
      await page.waitForURL(`${githubPage}?done=saved`);
      assert.match(await page.locator('#provider-status').innerText(), /^Off\b/);
      assert.match(await page.locator('#form-notice').innerText(), /It is off/);
      assert.equal(await page.getByLabel('On', { exact: true }).isChecked(), false);
      const [p] = await providers();
      assert.equal(p.enabled, false);
      assert.equal(p.has_client_secret, true, 'saving with a blank secret keeps it');
      await shot(page, 'github-off');
      await page.goto(list);
      assert.match(await page.locator('tbody tr', { hasText: 'GitHub' }).innerText(), /\bOff\b/);
      await shot(page, 'list-off');

      // The app's audit log names the provider and links to its page, no raw id.
      await page.goto(`${base}/console/apps/${app.slug}/audit?action=identity_provider.updated`);
      const row = page.locator('tbody tr').first();
      assert.match(await row.innerText(), /Sign-in provider/);
      const link = row.getByRole('link', { name: 'GitHub' });
      assert.equal(await link.getAttribute('href'), new URL(githubPage).pathname);
      assert.doesNotMatch(await page.locator('tbody').innerText(), /[0-9a-f]{8}-[0-9a-f]{4}-/);

      const hosted = await signInButtons();
      assert.deepEqual(hosted.names, [], await describePage(hosted.page));
      await shot(hosted.page, 'hosted-login-off');
      await hosted.context.close();
      await context.close();
    });

    test('delete asks for the confirmation box first', async () => {
      const { page, context } = await newPage(browser);
      await consoleSignIn(page, base, fx.X);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(githubPage);
      const danger = page.locator('section.panel-danger');
      await danger.getByRole('button', { name: 'Delete provider' }).click();
      // The box is required: the browser does not send the form without it.
      await page.waitForTimeout(300);
      assert.equal(page.url(), githubPage);
      assert.equal((await providers()).length, 1, 'not deleted without the box');
      await danger.getByLabel(/I understand that sign-ins with GitHub stop/).check();
      await danger.getByRole('button', { name: 'Delete provider' }).click();
      await page.waitForURL(`${list}?done=provider-deleted`);
      assert.match(await page.locator('#form-notice').innerText(), /The sign-in provider was deleted/);
      assert.match(await page.locator('main').innerText(), /No sign-in providers yet/);
      assert.deepEqual(await providers(), []);
      await shot(page, 'deleted');
      await page.goto(githubPage);
      assert.equal(await page.locator('h1').innerText(), 'Not found');
      await context.close();
    });
  });
}
