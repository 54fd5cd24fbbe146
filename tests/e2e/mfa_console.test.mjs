// The developer console and a user's second factors (issue 15: "the console … lets an app
// admin see a user's factors and reset them (audited)"): the user page lists the factors and
// the recovery codes left; "Reset two-step verification" removes them all, says so, records
// mfa.reset with the developer as actor, and the user's next API login needs no second
// factor. A user without factors shows "Off" and no reset button.
import assert from 'node:assert/strict';
import { backends, startServer, test, describe, before, after, rand, uniqEmail, assertStatus, show } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, screenshot } from './lib/browser.mjs';
import { developer } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { TotpDevice } from './lib/totp.mjs';

for (const backend of backends()) {
  describe(`console: a user's two-step verification [${backend}]`, () => {
    let srv, browser, dev, slug;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `mfa-console-${backend}` });
      browser = await launchBrowser();
      dev = await developer(srv, 'mfacon');
      slug = `mfk-${rand(8)}`;
      assertStatus(await srv.req('POST', '/api/console/apps', { token: dev.token, json: { slug, name: `App ${slug}` } }), 201);
    });
    after(async () => {
      await closeBrowser(browser);
      await srv?.close();
    });

    const api = (method, path, opts = {}) => srv.api(method, `/api${path}`, { app: slug, ...opts });

    async function userWithFactor() {
      const email = uniqEmail('mfk');
      const password = `pw-${rand(16)}`;
      const su = await api('POST', '/signup', { json: { email, password } });
      assertStatus(su, 201);
      const li = await api('POST', '/login', { json: { email, password } });
      assertStatus(li, 200);
      const begun = await api('POST', '/me/mfa/totp', { token: li.body.access_token });
      assertStatus(begun, 201);
      const device = new TotpDevice(begun.body.secret);
      assertStatus(await api('POST', `/me/mfa/totp/${begun.body.factor_id}/confirm`, {
        token: li.body.access_token, json: { code: device.now(), name: 'Work <phone>' } }), 200);
      return { email, password, id: su.body.id };
    }

    test('the user page lists the factors; the reset removes them, audited, and the next login needs none', async () => {
      const u = await userWithFactor();
      const blocked = await api('POST', '/login', { json: { email: u.email, password: u.password } });
      assert.equal(blocked.status, 403, show(blocked));
      const { context, page } = await newPage(browser);
      try {
        await consoleSignIn(page, srv.baseUrl, dev);
        await page.goto(`${srv.baseUrl}/console/apps/${slug}/users/${u.id}`);
        const panel = page.locator('section', { has: page.locator('#mfa-heading') });
        assert.equal(await panel.locator('h2').innerText(), 'Two-step verification');
        const row = await panel.locator('tbody tr').innerText();
        assert.match(row, /Authenticator app/);
        assert.match(row, /Work <phone>/, 'the name is shown as text');
        assert.match(await panel.innerText(), /10 of 10 recovery codes left/);
        await screenshot(page, `mfa-console-user-${backend}`);
        await page.getByRole('button', { name: 'Reset two-step verification' }).click();
        await page.waitForURL(/\/users\//);
        assert.match(await page.locator('body').innerText(), /Two-step verification was reset/);
        assert.match(await page.locator('section', { has: page.locator('#mfa-heading') }).innerText(), /Off: no second factor/);
        assert.equal(await page.getByRole('button', { name: 'Reset two-step verification' }).count(), 0);
      } finally {
        await context.close();
      }
      const direct = await api('POST', '/login', { json: { email: u.email, password: u.password } });
      assertStatus(direct, 200);
      assert.ok(direct.body.access_token, show(direct));
      const events = await srv.req('GET', `/api/console/apps/${slug}/audit-events?action=mfa.reset`, { token: dev.token });
      assertStatus(events, 200);
      const list = events.body.events;
      assert.equal(list.length, 1, show(events));
      assert.equal(list[0].subject_id, u.id, show(events));
      assert.equal(list[0].actor_type, 'developer', show(events));
    });
  });
}
