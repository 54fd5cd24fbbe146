// The developer console and the operator console in a real browser (chromium through
// playwright-core), the way people use them: real clicks and typing, no JavaScript on the pages.
//   - a developer signs up at the console app's hosted signup page and lands on /console;
//   - creates an app (a taken slug is refused on the page), brands it (display name, accent
//     colour, a logo served from another origin) and sees the app's hosted login page take it
//     on, under the pages' strict CSP (the per-app /branding.css stylesheet);
//   - creates an API key and an OAuth client (reading the secrets, shown once, from the page),
//     and the credentials work: the key signs a user up through the server API, the client
//     authenticates at the token endpoint;
//   - finds that user under Users, disables them (their sign-in then fails with 401), enables
//     them again (it works);
//   - another developer gets 404 for every page of the first one's app;
//   - an operator (made with the CLI) sees both apps at /admin, disables one (its hosted
//     pages then 404) and reads the actions in the audit log at /admin/audit.
// Every main page is screenshot to build/e2e-artifacts (console-*.png, admin-*.png,
// branding-*.png) and checked for CSP violations and horizontal overflow; when axe-core is
// installed (tests/e2e/node_modules, or TESSERA_AXE_CORE=<path to axe.min.js>) it checks WCAG
// 2.2 AA too (checks and the logo server: lib/console_pages.mjs).
//
// Run alone:  node --test tests/e2e/console_browser.test.mjs
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, rand, request, show,
} from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage as openPage, screenshot, describePage } from './lib/browser.mjs';
import { AXE_SOURCE, startLogoServer, pageChecker, expectStatus } from './lib/console_pages.mjs';

const ACCENT = '#0f766e';
const ACCENT_RGB = 'rgb(15, 118, 110)';

for (const backend of backends()) {
  describe(`developer and operator consoles in chromium [${backend}]`, () => {
    let srv, browser, logo, base;
    let browserError = null;
    const dev = { email: `dev-${rand(10)}@example.com`, password: `pw-${rand(16)}` };
    const other = { email: `other-${rand(10)}@example.com`, password: `pw-${rand(16)}` };
    const operator = { email: `ops-${rand(10)}@example.com`, password: `pw-${rand(16)}` };
    const slug = `acme-${rand(8)}`;
    const otherSlug = `beta-${rand(8)}`;
    const endUser = { email: `end-${rand(10)}@example.com`, password: `pw-${rand(16)}` };
    let devPage, apiKey, clientId, clientSecret, endUserId;
    const cspErrors = [];
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const shot = (page, name) => screenshot(page, `${name}${suffix}`);

    before(async () => {
      browser = await launchBrowser().catch((e) => { browserError = e; return null; });
      logo = await startLogoServer();
      srv = await startServer({ postgres: backend === 'postgres', label: `console-browser-${backend}` });
      base = srv.baseUrl;
    });
    after(async () => {
      await closeBrowser(browser);
      await logo?.close();
      await srv?.close();
    });

    async function newPage() {
      if (browserError) throw browserError;
      const p = await openPage(browser);
      p.page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(`${p.page.url()}: ${m.text()}`);
      });
      return p;
    }

    const checkPage = pageChecker(cspErrors);

    const appUrl = (s, rest = '') => `${base}/console/apps/${s}${rest}`;
    const tab = (page, name) => page.getByRole('navigation', { name: 'App sections' })
      .getByRole('link', { name, exact: true });

    test('a developer signs up through the console app and lands on /console', async () => {
      ({ page: devPage } = await newPage());
      const res = await devPage.goto(`${base}/console`);
      assert.equal(res.status(), 200);
      assert.match(devPage.url(), /\/apps\/console\/login\?return_to=%2Fconsole$/, await describePage(devPage));
      await devPage.getByRole('link', { name: 'Create an account' }).click();
      await devPage.waitForURL(/\/apps\/console\/signup/);
      await devPage.getByLabel('Email').fill(dev.email);
      await devPage.getByLabel('Password').fill(dev.password);
      await devPage.getByRole('button', { name: 'Create account' }).click();
      await devPage.waitForURL(`${base}/console`);
      assert.equal(await devPage.locator('h1').innerText(), 'Your apps');
      assert.match(await devPage.locator('.topbar').innerText(), new RegExp(dev.email.replace('.', '\\.')));
      await shot(devPage, 'console-01-home');
      await checkPage(devPage, '/console');
    });

    test('creates an app; an invalid or taken slug is refused on the page', async () => {
      await devPage.getByLabel('Name').fill('Acme Photos');
      await devPage.getByLabel('Slug').fill('Not a slug!');
      await devPage.getByRole('button', { name: 'Create app' }).click();
      await devPage.locator('#app-slug-error').waitFor();
      assert.equal(await devPage.getByLabel('Name').inputValue(), 'Acme Photos', 'keeps what was typed');
      assert.equal(await devPage.getByLabel('Slug').getAttribute('aria-invalid'), 'true');

      await devPage.getByLabel('Slug').fill(slug);
      await devPage.getByRole('button', { name: 'Create app' }).click();
      await devPage.waitForURL(`${appUrl(slug)}?done=created`);
      assert.equal(await devPage.locator('h1').innerText(), 'Acme Photos');
      const text = await devPage.locator('main').innerText();
      assert.ok(text.includes(`${base}/apps/${slug}/.well-known/openid-configuration`), text);
      assert.ok(text.includes(`${base}/apps/${slug}/api/users`), 'quick-start snippet');
      await shot(devPage, 'console-02-overview');
      await checkPage(devPage, 'overview');

      // The same slug again: taken.
      await devPage.goto(`${base}/console`);
      await devPage.getByLabel('Name').fill('Acme again');
      await devPage.getByLabel('Slug').fill(slug);
      const [resp] = await Promise.all([
        devPage.waitForResponse((r) => r.url() === `${base}/console/apps` && r.request().method() === 'POST'),
        devPage.getByRole('button', { name: 'Create app' }).click(),
      ]);
      assert.equal(resp.status(), 409);
      assert.match(await devPage.locator('#app-slug-error').innerText(), /taken/i);
      assert.equal(await devPage.locator('.rows .row').count(), 1, 'still one app');
    });

    test('settings: field errors next to the fields; branding shows on the hosted login page', async () => {
      await devPage.goto(appUrl(slug));
      await tab(devPage, 'Settings').click();
      await devPage.waitForURL(appUrl(slug, '/settings'));
      await devPage.getByLabel('Minimum password length').fill('5');
      await devPage.getByLabel('Display name').fill('Acme Photo Cloud');
      await devPage.getByRole('button', { name: 'Save settings' }).click();
      await devPage.locator('#s-password-min-error').waitFor();
      assert.match(await devPage.locator('#s-password-min-error').innerText(), /8/);
      assert.equal(await devPage.getByLabel('Display name').inputValue(), 'Acme Photo Cloud', 'keeps what was typed');

      await devPage.getByLabel('Minimum password length').fill('10');
      await devPage.getByLabel('Logo URL').fill(logo.url);
      await devPage.getByLabel('Use my own accent colour').check();
      await devPage.getByLabel('Accent colour', { exact: true }).fill(ACCENT);
      await devPage.getByLabel('Access token lifetime (seconds)').fill('900');
      await devPage.getByLabel('Where email links started through the API may send users')
        .fill('https://app.example.com/welcome');
      await devPage.getByRole('button', { name: 'Save settings' }).click();
      await devPage.waitForURL(`${appUrl(slug, '/settings')}?done=settings`);
      assert.match(await devPage.locator('#form-notice').innerText(), /Settings saved/);
      assert.equal(await devPage.getByLabel('Accent colour', { exact: true }).inputValue(), ACCENT);
      assert.equal(await devPage.getByLabel('Display name').inputValue(), 'Acme Photo Cloud');
      assert.equal(await devPage.getByLabel('Access token lifetime (seconds)').inputValue(), '900');
      await shot(devPage, 'console-03-settings');
      await checkPage(devPage, 'settings');

      // The app's hosted login page, as its users see it.
      const { page } = await newPage();
      const res = await expectStatus(page, `${base}/apps/${slug}/login`, 200);
      const csp = res.headers()['content-security-policy'];
      assert.match(csp, new RegExp(`img-src 'self' data: ${logo.origin.replace(/[.]/g, '\\.')};`), csp);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(await page.locator('h1').innerText(), 'Sign in to Acme Photo Cloud');
      assert.equal(await page.locator('.brand-name').innerText(), 'Acme Photo Cloud');
      assert.match(await page.title(), /Acme Photo Cloud/);
      const bg = await page.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor);
      assert.equal(bg, ACCENT_RGB, 'the accent colour on the primary button');
      const logoWidth = await page.locator('img.brand-logo').evaluate((img) => img.naturalWidth);
      assert.ok(logoWidth > 0, 'the logo loaded under the CSP');
      assert.ok(logo.hits() > 0);
      await shot(page, 'branding-01-login');
      await checkPage(page, 'branded login');
      // Dark mode keeps the accent on buttons too.
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor), ACCENT_RGB);
      await shot(page, 'branding-02-login-dark');
      await page.context().close();

      // The stylesheet itself: only the validated colour, cacheable, revalidated by ETag.
      const css = await request('GET', `${base}/apps/${slug}/branding.css`);
      assert.equal(css.status, 200, show(css));
      assert.match(css.headers.get('content-type'), /^text\/css/);
      assert.match(css.text, /--primary: #0f766e;/);
      assert.match(css.headers.get('cache-control'), /max-age=\d+/);
      const again = await request('GET', `${base}/apps/${slug}/branding.css`, { headers: { 'if-none-match': css.headers.get('etag') } });
      assert.equal(again.status, 304);
      assert.equal((await request('GET', `${base}/apps/nope-${rand(6)}/branding.css`)).status, 404);
      // Every hosted page of the app carries the branding; an app without any carries none.
      for (const p of ['signup', 'forgot-password', 'magic-link']) {
        const res = await request('GET', `${base}/apps/${slug}/${p}`);
        assert.equal(res.status, 200, show(res));
        assert.match(res.text, /<link rel="stylesheet" href="\/apps\/[a-z0-9-]+\/branding\.css\?v=[0-9a-f]{12}">/, p);
        assert.ok(res.text.includes('Acme Photo Cloud') && res.text.includes(`src="${logo.url}"`), p);
      }
      const plain = await request('GET', `${base}/apps/default/login`);
      assert.ok(!plain.text.includes('branding.css') && !plain.text.includes('brand-logo'));
      // The sign-in page runs the one first-party script (passkeys: script-src 'self').
      assert.equal(plain.headers.get('content-security-policy'),
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
    });

    test('creates an API key (shown once) and an OAuth client (id and secret shown once)', async () => {
      await tab(devPage, 'API keys').click();
      await devPage.waitForURL(appUrl(slug, '/api-keys'));
      await devPage.getByLabel('Name').fill('Production backend');
      await devPage.getByRole('button', { name: 'Create key' }).click();
      apiKey = (await devPage.locator('#new-api-key').innerText()).trim();
      assert.match(apiKey, /^tsk_[A-Za-z0-9_-]{20,}$/);
      const row = devPage.locator('tbody tr', { hasText: 'Production backend' });
      assert.match(await row.innerText(), new RegExp(apiKey.slice(0, 11)));
      await shot(devPage, 'console-04-api-key');
      await checkPage(devPage, 'api keys');
      // Shown once: the list page never has it again.
      await devPage.goto(appUrl(slug, '/api-keys'));
      assert.ok(!(await devPage.content()).includes(apiKey), 'the key is not on the list page');

      await tab(devPage, 'OAuth clients').click();
      await devPage.waitForURL(appUrl(slug, '/clients'));
      await devPage.getByLabel('Name').fill('Acme web');
      await devPage.getByLabel('Redirect URIs', { exact: true }).fill('https://app.example.com/callback');
      await devPage.getByRole('button', { name: 'Create client' }).click();
      clientId = (await devPage.locator('#client-id').innerText()).trim();
      clientSecret = (await devPage.locator('#client-secret').innerText()).trim();
      assert.ok(clientId.length > 8, clientId);
      assert.match(clientSecret, /^tcs_/);
      await shot(devPage, 'console-05-client');
      await checkPage(devPage, 'client');

      // The client's credentials authenticate at the token endpoint (the grant is what fails).
      const token = (secret) => request('POST', `${base}/apps/${slug}/oauth/token`, {
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'tsr_nothing' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` },
      });
      const good = await token(clientSecret);
      assert.equal(good.body?.error, 'invalid_grant', show(good));
      const bad = await token(`${clientSecret}x`);
      assert.equal(bad.body?.error, 'invalid_client', show(bad));
    });

    test('the key signs a user up; the developer finds, disables and enables them', async () => {
      const created = await request('POST', `${base}/apps/${slug}/api/users`, {
        token: apiKey, json: { email: endUser.email, password: endUser.password } });
      assert.equal(created.status, 201, show(created));
      endUserId = created.body.id ?? created.body.user?.id;
      assert.ok(endUserId, show(created));
      const login = () => request('POST', `${base}/apps/${slug}/api/login`, {
        json: { login: endUser.email, password: endUser.password } });
      assert.equal((await login()).status, 200);

      await tab(devPage, 'Users').click();
      await devPage.waitForURL(appUrl(slug, '/users'));
      await devPage.getByLabel('Search users by email or username').fill(endUser.email.slice(0, 12));
      await devPage.getByRole('button', { name: 'Search' }).click();
      await devPage.waitForURL(/\/users\?q=/);
      await devPage.getByRole('link', { name: endUser.email }).click();
      await devPage.waitForURL(appUrl(slug, `/users/${endUserId}`));
      assert.match(await devPage.locator('main').innerText(), /Live sessions/);
      await shot(devPage, 'console-06-user');
      await checkPage(devPage, 'user');

      await devPage.getByRole('button', { name: 'Disable user' }).click();
      await devPage.waitForURL(/done=user-disabled/);
      assert.match(await devPage.locator('.panel').first().innerText(), /Disabled/);
      assert.equal((await login()).status, 401, 'a disabled user cannot sign in');

      await devPage.getByRole('button', { name: 'Enable user' }).click();
      await devPage.waitForURL(/done=user-enabled/);
      assert.equal((await login()).status, 200, 'enabled again');

      // Deleting asks for the address first.
      await devPage.getByRole('link', { name: 'Delete user…' }).click();
      await devPage.getByLabel('Type the user’s email address to confirm').fill('someone@else.example');
      await devPage.getByRole('button', { name: 'Delete user' }).click();
      await devPage.locator('#confirm-email-error').waitFor();
      await shot(devPage, 'console-07-delete-confirm');
      await checkPage(devPage, 'delete confirmation');

      await devPage.goto(appUrl(slug, '/members'));
      assert.match(await devPage.locator('tbody').innerText(), new RegExp(`${dev.email.replace('.', '\\.')}[\\s\\S]*Owner`));
      await shot(devPage, 'console-08-members');
      await checkPage(devPage, 'members');

      await devPage.goto(appUrl(slug, '/audit'));
      const audit = await devPage.locator('tbody').innerText();
      for (const action of ['user.disabled', 'user.enabled', 'app_api_key.created', 'oauth_client.created', 'app.settings_changed']) {
        assert.ok(audit.includes(action), `${action} in the app's audit log: ${audit.slice(0, 800)}`);
      }
      await devPage.getByLabel('Action').fill('user.disabled');
      await devPage.getByRole('button', { name: 'Filter' }).click();
      await devPage.waitForURL(/action=user\.disabled/);
      assert.equal(await devPage.locator('tbody tr').count(), 1);
      await shot(devPage, 'console-09-audit');
      await checkPage(devPage, 'audit');

      // A phone's width: still no horizontal overflow.
      await devPage.setViewportSize({ width: 320, height: 720 });
      for (const p of ['', '/settings', '/users', '/audit']) {
        await devPage.goto(appUrl(slug, p));
        await checkPage(devPage, `320px ${p || 'overview'}`);
      }
      await shot(devPage, 'console-10-audit-320px');
      await devPage.setViewportSize({ width: 1000, height: 800 });
    });

    test('another developer cannot open the first one’s app (404 everywhere)', async () => {
      const { page, context } = await newPage();
      await page.goto(`${base}/apps/console/signup`);
      await page.getByLabel('Email').fill(other.email);
      await page.getByLabel('Password').fill(other.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${base}/console`);
      assert.equal(await page.locator('.rows .row').count(), 0, 'no apps of the first developer listed');
      await page.getByLabel('Name').fill('Beta');
      await page.getByLabel('Slug').fill(otherSlug);
      await page.getByRole('button', { name: 'Create app' }).click();
      await page.waitForURL(`${appUrl(otherSlug)}?done=created`);

      for (const p of ['', '/settings', '/api-keys', '/clients', `/clients/${encodeURIComponent(clientId)}`, '/users',
        `/users/${endUserId}`, '/members', '/audit']) {
        await expectStatus(page, appUrl(slug, p), 404);
      }
      const unknown = await expectStatus(page, appUrl(`nope-${rand(6)}`), 404);
      assert.ok(unknown);
      await shot(page, 'console-11-not-yours');
      // A form POST to their app (with this browser's cookies and a valid CSRF token): 404 too.
      await page.goto(appUrl(otherSlug, '/api-keys'));
      const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
      for (const p of ['/api-keys', '/settings', `/users/${endUserId}/disable`]) {
        const r = await context.request.post(appUrl(slug, p), { form: { csrf_token: csrf, name: 'stolen' },
          headers: { origin: base }, maxRedirects: 0 });
        assert.equal(r.status(), 404, `POST ${p}`);
      }
      const own = await context.request.post(appUrl(otherSlug, '/api-keys'), { form: { csrf_token: csrf, name: 'mine' },
        headers: { origin: base }, maxRedirects: 0 });
      assert.equal(own.status(), 303, 'the same request works on their own app (POST/redirect/GET)');
      await expectStatus(page, `${base}/admin`, 404);
      await context.close();
    });

    test('an operator sees every app at /admin, disables one and reads the audit log', async () => {
      await srv.createUser({ app: 'console', email: operator.email, password: operator.password, admin: true });
      const { page, context } = await newPage();
      await page.goto(`${base}/admin`);
      assert.match(page.url(), /\/apps\/console\/login\?return_to=%2Fadmin$/);
      await page.getByLabel('Email or username').fill(operator.email);
      await page.getByLabel('Password').fill(operator.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/admin`);
      const table = await page.locator('tbody').innerText();
      assert.ok(table.includes(slug) && table.includes(otherSlug), table);
      await shot(page, 'admin-01-apps');
      await checkPage(page, '/admin');

      await page.getByRole('button', { name: `Disable ${slug}` }).click();
      await page.waitForURL(/\/admin\?done=app-disabled/);
      assert.match(await page.locator('tr', { hasText: slug }).innerText(), /Disabled/);
      assert.equal((await request('GET', `${base}/apps/${slug}/login`)).status, 404, 'its hosted login page is gone');
      assert.equal((await request('POST', `${base}/apps/${slug}/api/login`, {
        json: { login: endUser.email, password: endUser.password } })).status, 404);

      // The operator may manage any app in the console pages.
      await expectStatus(page, appUrl(slug), 200);
      assert.match(await page.locator('.console-meta').innerText(), /operator[\s\S]*Disabled/);

      await page.goto(`${base}/admin/audit`);
      const all = await page.locator('tbody').innerText();
      assert.ok(all.includes('app.disabled'), all.slice(0, 800));
      await page.getByLabel('App slug').fill(slug);
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/\/admin\/audit\?app=/);
      const rows = await page.locator('tbody').innerText();
      for (const action of ['app.disabled', 'user.disabled', 'app_api_key.created', 'app.created']) {
        assert.ok(rows.includes(action), `${action}: ${rows.slice(0, 800)}`);
      }
      assert.ok(!rows.includes(otherSlug), 'only the chosen app');
      await shot(page, 'admin-02-audit');
      await checkPage(page, '/admin/audit');

      await page.goto(`${base}/admin`);
      await page.getByRole('button', { name: `Enable ${slug}` }).click();
      await page.waitForURL(/\/admin\?done=app-enabled/);
      assert.equal((await request('GET', `${base}/apps/${slug}/login`)).status, 200);
      await context.close();
    });

    test('the console sign-in returns only to the console’s own pages (no open redirect)', async () => {
      const returnTo = async (value) => {
        const res = await request('GET', `${base}/apps/console/login?return_to=${encodeURIComponent(value)}`);
        assert.equal(res.status, 200, show(res));
        return /name="return_to" value="([^"]*)"/.exec(res.text)?.[1];
      };
      for (const ok of ['/console', '/console/apps/x/users?q=a', '/admin', '/admin/audit?app=x',
        '/apps/console/account']) {
        assert.equal(await returnTo(ok), ok.replace(/&/g, '&amp;'), ok);
      }
      for (const bad of ['//evil.example/console', 'https://evil.example/console', '/consolex', '/administrator',
        '/console/../apps/other/account', '/console/%2e%2e/apps/x', '/console\\@evil', '/apps/default/account',
        '/console/a b']) {
        assert.equal(await returnTo(bad), '', bad);
      }
      // Other apps' sign-ins never return to the console.
      const res = await request('GET', `${base}/apps/default/login?return_to=%2Fconsole`);
      assert.match(res.text, /name="return_to" value=""/);
    });

    test('the accessibility check ran (axe-core installed)', { skip: AXE_SOURCE ? false :
      'axe-core is not installed: add it to tests/e2e (npm) or set TESSERA_AXE_CORE' }, () => {
      assert.ok(AXE_SOURCE);
    });
  });
}
