// Hosted pages and mails in the user's language (issue 20): English, German, Spanish and Arabic
// (right to left) from the message catalogues (src/i18n/locales), chosen by
//   the language menu (?lang=, kept in a cookie) → the OIDC request's ui_locales → the user's
//   saved locale → Accept-Language → the app's default → English;
// and an app's own wording of any message, set through the console API (checked: a known key,
// an ICU message, only the original's arguments) and the console's Texts page.
// Screenshots of the sign-in page in each language: build/e2e-artifacts/i18n-login-<lang>.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/i18n.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backends, test, describe, before, after, assertStatus, show, rand, uniqEmail, signup } from './lib/server.mjs';
import { launchBrowser, closeBrowser, screenshot, describePage } from './lib/browser.mjs';
import { startConsoleFixture, until } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { registerClient, pkcePair } from './lib/oidc.mjs';
import { SmtpServer, aiosmtpdAvailable } from './lib/smtp.mjs';

const LOCALES = ['en', 'de', 'es', 'ar'];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/i18n/locales');
/** The catalogue of one language: every group's file merged ({key: ICU message}). */
function catalogue(locale) {
  const out = {};
  for (const f of fs.readdirSync(path.join(root, locale))) {
    Object.assign(out, JSON.parse(fs.readFileSync(path.join(root, locale, f), 'utf8')));
  }
  return out;
}
const CAT = Object.fromEntries(LOCALES.map((l) => [l, catalogue(l)]));
const htmlAttr = (html, name) => (html.match(new RegExp(`<html[^>]*\\s${name}="([^"]*)"`)) || [])[1];
const decode = (s) => s.replace(/&amp;/g, '&').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

for (const backend of backends()) {
  describe(`hosted pages in the user's language [${backend}]`, () => {
    let fx, srv, browser, app, slug, submitKey;

    before(async () => {
      browser = await launchBrowser();
      fx = await startConsoleFixture(backend, `i18n-${backend}`, { isolatedSchema: true });
      srv = fx.srv;
      app = await fx.newApp(fx.X, 'lang');
      slug = app.slug;
      submitKey = 'login.submit';
      assert.equal(CAT.en[submitKey], 'Sign in');
    });
    after(async () => {
      await closeBrowser(browser);
      await srv?.close();
    });

    const loginPage = (headers = {}, query = '') => srv.api('GET', `/login${query}`, { app: slug, headers });

    test('the sign-in page speaks each language the browser prefers, Arabic right to left; screenshots', async () => {
      for (const locale of LOCALES) {
        const ctx = await browser.newContext({ locale: locale === 'en' ? 'en-US' : locale, viewport: { width: 1000, height: 800 } });
        try {
          const page = await ctx.newPage();
          const res = await page.goto(`${srv.issuer(slug)}/login`);
          assert.equal(res.status(), 200, await describePage(page));
          assert.equal(await page.getAttribute('html', 'lang'), locale);
          assert.equal(await page.getAttribute('html', 'dir'), locale === 'ar' ? 'rtl' : 'ltr');
          assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), locale === 'ar' ? 'rtl' : 'ltr');
          const button = page.locator('form button[type=submit]').first();
          assert.equal((await button.innerText()).trim(), CAT[locale][submitKey], `${locale}: the sign-in button`);
          // The language menu names every language in its own words and marks this one.
          for (const other of LOCALES) {
            assert.equal(await page.locator(`a[hreflang="${other}"], a[href$="lang=${other}"]`).count() > 0, true, `${locale}: a link to ${other}`);
          }
          await screenshot(page, `i18n-login-${locale}`);
        } finally {
          await ctx.close();
        }
      }
    });

    test('Accept-Language: quality values, regions and unsupported languages; never a 4xx', async () => {
      const cases = [
        ['de-AT,de;q=0.9,en;q=0.5', 'de'], ['fr-CH, fr;q=0.9, es;q=0.8', 'es'], ['ar-EG', 'ar'],
        ['fr, it', 'en'], ['*', 'en'], ['', 'en'], ['de;q=0, es;q=0.1', 'es'],
        ['x'.repeat(3000), 'en'], ['de;q=abc, es;q=0.2', 'es'], ['<script>,"de"', 'en'],
      ];
      for (const [header, want] of cases) {
        const res = await loginPage({ 'accept-language': header });
        assertStatus(res, 200);
        assert.equal(htmlAttr(res.text, 'lang'), want, `Accept-Language: ${header.slice(0, 40)}`);
      }
    });

    test('the language menu\'s choice is kept in a cookie and beats the browser', async () => {
      const ctx = await browser.newContext({ locale: 'de-DE' });
      try {
        const page = await ctx.newPage();
        await page.goto(`${srv.issuer(slug)}/login`);
        assert.equal(await page.getAttribute('html', 'lang'), 'de');
        await page.locator('a[href$="lang=es"]').first().click();
        await page.waitForURL(/lang=es/);
        assert.equal(await page.getAttribute('html', 'lang'), 'es');
        // Another page, no parameter: the cookie speaks.
        await page.goto(`${srv.issuer(slug)}/signup`);
        assert.equal(await page.getAttribute('html', 'lang'), 'es');
        const cookies = await ctx.cookies();
        assert.ok(cookies.some((c) => c.name === 'tessera_lang' && c.value === 'es' && c.httpOnly), JSON.stringify(cookies));
        // An unknown language in the menu's parameter changes nothing.
        await page.goto(`${srv.issuer(slug)}/login?lang=xx`);
        assert.equal(await page.getAttribute('html', 'lang'), 'es');
      } finally {
        await ctx.close();
      }
    });

    test('an OpenID request\'s ui_locales beats the browser, through the sign-in page and its refusal', async () => {
      const redirect = 'https://rp.example/callback';
      const client = (await registerClient(srv, { app: slug, redirectUris: [redirect] }));
      const { challenge } = pkcePair();
      const q = new URLSearchParams({
        client_id: client.client_id, redirect_uri: redirect, response_type: 'code', scope: 'openid',
        code_challenge: challenge, code_challenge_method: 'S256', state: rand(8), nonce: rand(8), ui_locales: 'fr-CA es-MX de',
      });
      const authz = await srv.api('GET', `/oauth/authorize?${q}`, { app: slug, headers: { 'accept-language': 'de' } });
      assert.ok([302, 303].includes(authz.status), show(authz));
      const login = authz.headers.get('location');
      const page = await srv.req('GET', login, { headers: { 'accept-language': 'de' } });
      assertStatus(page, 200);
      assert.equal(htmlAttr(page.text, 'lang'), 'es', 'ui_locales: the first supported one');
      // A refused sign-in shows the form again in the same language (its return_to carries it).
      const csrf = (page.text.match(/name="csrf_token" value="([^"]+)"/) || [])[1];
      const returnTo = decode((page.text.match(/name="return_to" value="([^"]+)"/) || [])[1] || '');
      const cookie = page.headers.get('set-cookie').split(';')[0];
      const refused = await srv.req('POST', login.split('?')[0], {
        headers: { 'accept-language': 'de', cookie, origin: srv.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf_token: csrf, return_to: returnTo, identifier: uniqEmail('nobody'), password: 'wrong-password-1' }).toString(),
      });
      assert.ok(refused.status >= 400 && refused.status < 500, show(refused));
      assert.equal(htmlAttr(refused.text, 'lang'), 'es', show(refused));
    });

    test('a pushed request\'s ui_locales (PAR: not in any URL the browser sees) reaches the sign-in page and its form', async () => {
      const redirect = 'https://rp.example/callback';
      assertStatus(await fx.capi(fx.X, 'PATCH', `/apps/${slug}`, { json: { settings: { par: true } } }), 200);
      const client = await registerClient(srv, { app: slug, redirectUris: [redirect] });
      const { challenge } = pkcePair();
      const pushed = await srv.api('POST', '/oauth/par', {
        app: slug,
        headers: { 'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64') },
        body: new URLSearchParams({ response_type: 'code', redirect_uri: redirect, scope: 'openid', state: rand(8),
          code_challenge: challenge, code_challenge_method: 'S256', ui_locales: 'ar' }).toString(),
      });
      assertStatus(pushed, 201);
      const authz = await srv.api('GET', `/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: pushed.body.request_uri })}`,
        { app: slug, headers: { 'accept-language': 'de' } });
      assert.ok([302, 303].includes(authz.status), show(authz));
      const login = authz.headers.get('location');
      const page = await srv.req('GET', login, { headers: { 'accept-language': 'de' } });
      assertStatus(page, 200);
      assert.equal(htmlAttr(page.text, 'lang'), 'ar');
      assert.equal(htmlAttr(page.text, 'dir'), 'rtl');
      assert.match(page.text, /name="ui_locales" value="ar"/, 'the form carries it');
      const csrf = (page.text.match(/name="csrf_token" value="([^"]+)"/) || [])[1];
      const returnTo = decode((page.text.match(/name="return_to" value="([^"]+)"/) || [])[1] || '');
      const cookie = page.headers.get('set-cookie').split(';')[0];
      const refused = await srv.req('POST', login.split('?')[0], {
        headers: { 'accept-language': 'de', cookie, origin: srv.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf_token: csrf, return_to: returnTo, ui_locales: 'ar', identifier: uniqEmail('nobody'), password: 'wrong-password-1' }).toString(),
      });
      assert.ok(refused.status >= 400 && refused.status < 500, show(refused));
      assert.equal(htmlAttr(refused.text, 'lang'), 'ar', show(refused));
    });

    test('a signed-in user\'s saved locale beats the browser on their account page', async () => {
      const u = await signup(srv, { app: slug, profile: { locale: 'es-ES' } });
      const ctx = await browser.newContext({ locale: 'en-US' });
      try {
        const page = await ctx.newPage();
        await page.goto(`${srv.issuer(slug)}/login?return_to=${encodeURIComponent(`/apps/${slug}/account`)}`);
        assert.equal(await page.getAttribute('html', 'lang'), 'en', 'not signed in: the browser\'s');
        await page.locator('input[name=identifier]').fill(u.email);
        await page.locator('input[name=password]').fill(u.password);
        await page.locator('form button[type=submit]').first().click();
        await page.waitForURL(/\/account/);
        assert.equal(await page.getAttribute('html', 'lang'), 'es', await describePage(page));
        await screenshot(page, 'i18n-account-es');
      } finally {
        await ctx.close();
      }
    });

    test('the app\'s default language, and its own wording of a message (console API), checked', async () => {
      const capi = (method, json) => fx.capi(fx.X, method, `/apps/${slug}`, { json });
      let res = await capi('PATCH', { settings: { default_locale: 'de' } });
      assertStatus(res, 200);
      assert.equal(res.body.settings.default_locale, 'de');
      assert.equal(htmlAttr((await loginPage({ 'accept-language': 'fr' })).text, 'lang'), 'de', 'no supported browser language: the app\'s');
      assert.equal(htmlAttr((await loginPage({ 'accept-language': 'es' })).text, 'lang'), 'es', 'the browser\'s beats the app\'s');

      const mine = `Jetzt <einloggen> & "los" ${rand(4)}`;
      res = await capi('PATCH', { settings: { messages: { de: { [submitKey]: mine } } } });
      assertStatus(res, 200);
      assert.deepEqual(res.body.settings.messages, { de: { [submitKey]: mine } });
      let html = (await loginPage({ 'accept-language': 'fr' })).text;
      assert.ok(html.includes(mine.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')), 'the app\'s text, HTML-escaped');
      assert.ok(!html.includes('<einloggen>'), 'never as markup');
      // Other languages keep the catalogue's.
      assert.ok((await loginPage({ 'accept-language': 'es' })).text.includes(`>${CAT.es[submitKey]}<`) ||
        (await loginPage({ 'accept-language': 'es' })).text.includes(CAT.es[submitKey]));

      // Refused: an unknown key, a broken message, an argument the original has not, an
      // unknown language, a wrong type. Nothing of a refused PATCH is saved.
      const refusals = [
        [{ de: { 'login.no_such_message': 'x' } }, 'settings.messages.de.login.no_such_message'],
        [{ de: { [submitKey]: 'Hallo {app_name' } }, `settings.messages.de.${submitKey}`],
        [{ de: { [submitKey]: 'Hallo {password}' } }, `settings.messages.de.${submitKey}`],
        [{ fr: { [submitKey]: 'Bonjour' } }, 'settings.messages.fr'],
        [{ de: { [submitKey]: 42 } }, `settings.messages.de.${submitKey}`],
        [{ de: 'text' }, 'settings.messages.de'],
      ];
      for (const [messages, field] of refusals) {
        res = await capi('PATCH', { settings: { messages, default_locale: 'es' } });
        assertStatus(res, 400);
        assert.ok((res.body.errors || []).some((e) => (e.field || e.pointer || e.name) === field), `${field}: ${show(res)}`);
      }
      res = await capi('PATCH', { settings: { default_locale: 'xx' } });
      assertStatus(res, 400);
      res = await fx.capi(fx.X, 'GET', `/apps/${slug}`);
      assert.equal(res.body.settings.default_locale, 'de', 'a refused PATCH saved nothing');
      assert.deepEqual(res.body.settings.messages, { de: { [submitKey]: mine } });

      // null: back to the catalogue's.
      res = await capi('PATCH', { settings: { messages: { de: { [submitKey]: null } }, default_locale: '' } });
      assertStatus(res, 200);
      assert.deepEqual(res.body.settings.messages, {});
      html = (await loginPage({ 'accept-language': 'de' })).text;
      assert.ok(html.includes(CAT.de[submitKey]), 'the catalogue\'s text again');
    });

    test('the console\'s Texts page changes a message of the sign-in page; a broken one is refused by its field', async () => {
      const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
      try {
        const page = await ctx.newPage();
        await consoleSignIn(page, srv.baseUrl, fx.X);
        await page.goto(`${srv.baseUrl}/console/apps/${slug}/texts?locale=es&group=login`);
        assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the console speaks English');
        const field = page.locator(`textarea[name="m.${submitKey}"]`);
        await field.fill('Entrar {app_name');
        await page.getByRole('button', { name: 'Save texts' }).click();
        assert.equal(await field.getAttribute('aria-invalid'), 'true', await describePage(page));
        await field.fill('¡Entra ya! ✓');
        await page.getByRole('button', { name: 'Save texts' }).click();
        await page.waitForURL(/done=texts/);
        assert.equal(await field.inputValue(), '¡Entra ya! ✓');
        await screenshot(page, 'i18n-console-texts');
        const html = (await loginPage({ 'accept-language': 'es' })).text;
        assert.ok(html.includes('¡Entra ya! ✓'), 'the sign-in page shows the app\'s text');
        // Blank: Tessera's wording again.
        await field.fill('');
        await page.getByRole('button', { name: 'Save texts' }).click();
        await page.waitForURL(/done=texts/);
        assert.ok((await loginPage({ 'accept-language': 'es' })).text.includes(CAT.es[submitKey]));
      } finally {
        await ctx.close();
      }
    });
  });
}

describe('mails in the user\'s language', { skip: aiosmtpdAvailable() ? false : 'python3-aiosmtpd is not installed' }, () => {
  let smtp, srv, slug;
  before(async () => {
    smtp = await new SmtpServer({ label: 'smtp-i18n' }).start();
    const { startServer } = await import('./lib/server.mjs');
    srv = await startServer({ label: 'i18n-mail', args: ['--smtp-url', smtp.url, '--smtp-starttls', 'never', '--mail-from', 'Tests <no-reply@tessera.test>'] });
    slug = `mail-${rand(8)}`;
    await srv.createApp(slug, 'Lingua');
  });
  after(async () => {
    await srv?.close();
    await smtp?.stop?.();
  });

  test('mails speak the user\'s saved language: the verification mail and a password reset', async () => {
    const de = await signup(srv, { app: slug, profile: { locale: 'de' } });
    const mailTo = (to, part) => until(`a mail to ${to} with ${part}`, () =>
      smtp.messages().find((m) => m.to.includes(to) && m.links.some((l) => l.includes(part))), 15_000);
    const verify = await mailTo(de.email, '/verify-email?token=');
    assert.match(verify.html || '', /<html[^>]*lang="de"/, 'the HTML part says its language');
    assertStatus(await srv.api('POST', '/api/password/forgot', { app: slug, json: { email: de.email } }), 202);
    const reset = await mailTo(de.email, '/reset-password?token=');
    assert.ok(!/Reset your/.test(reset.subject), `a German subject: ${reset.subject}`);
    assert.match(reset.html || '', /<html[^>]*lang="de"/);
    // A user without a saved language: English (the app has no default).
    const en = await signup(srv, { app: slug });
    const plain = await mailTo(en.email, '/verify-email?token=');
    assert.match(plain.html || '', /<html[^>]*lang="en"/);
  });
});
