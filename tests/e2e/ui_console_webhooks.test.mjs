// The developer console's "Webhooks" pages, in chromium: a developer connects their backend in
// a minute —
//   - the add form (URL, events) leads to the endpoint's page, which shows the signing secret
//     once (a reload does not show it again), and a field error says what is wrong by the field;
//   - "Send test event" reaches a real receiver on loopback, which verifies it with the
//     Standard Webhooks library and the secret copied from the page; the delivery log shows
//     it delivered with the receiver's answer;
//   - "Redeliver" sends the same event (same webhook-id) again;
//   - "Rotate secret" shows a new secret once, and both secrets verify for a day;
//   - deleting asks for the confirmation box first.
// Layout checked at 1280, 375 and 320 px. Screenshots: build/e2e-artifacts/webhooks-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/ui_console_webhooks.test.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { Webhook } from 'standardwebhooks';
import { backends, test, describe, before, after, assertStatus } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage } from './lib/browser.mjs';
import { startConsoleFixture, until } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';

async function startReceiver() {
  const received = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/tessera-events`, received,
    close: () => new Promise((r) => server.close(r)) };
}

const verify = (r, secret) => new Webhook(secret).verify(r.body, {
  'webhook-id': r.headers['webhook-id'], 'webhook-timestamp': r.headers['webhook-timestamp'],
  'webhook-signature': r.headers['webhook-signature'] });

for (const backend of backends()) {
  describe(`console webhooks pages [${backend}]`, () => {
    let fx, browser, base, app, list, receiver;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;

    before(async () => {
      browser = await launchBrowser();
      receiver = await startReceiver();
      fx = await startConsoleFixture(backend, `ui-console-webhooks-${backend}`, { isolatedSchema: true });
      base = fx.srv.baseUrl;
      app = await fx.newApp(fx.X, 'hooks');
      list = `${base}/console/apps/${app.slug}/webhooks`;
    });
    after(async () => {
      await closeBrowser(browser);
      await fx?.srv.close();
      await receiver?.close();
    });

    test('add an endpoint, copy its secret once, send a test event, redeliver, rotate, delete', async () => {
      const { page, context } = await newPage(browser);
      try {
        await consoleSignIn(page, base, fx.X);
        await page.goto(`${base}/console/apps/${app.slug}`);
        await page.getByRole('navigation', { name: 'App sections' }).getByRole('link', { name: 'Webhooks' }).click();
        await page.waitForURL(list);
        assert.equal(await page.getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current'), 'page');
        await checkPageAtWidths(page, null, `webhooks-empty${suffix}`);
        await page.setViewportSize({ width: 1280, height: 800 });

        // A URL off loopback over http, and no events: said by the fields, nothing added.
        await page.getByLabel('URL', { exact: true }).fill('http://api.example.com/hooks');
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        assert.match(await page.locator('#w-events-error').innerText(), /event/i);
        await page.getByLabel('URL', { exact: true }).fill('http://api.example.com/hooks');
        await page.locator('#w-event-user-created').check();
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        assert.match(await page.locator('#w-url-error').innerText(), /https/i);
        const none = await fx.capi(fx.X, 'GET', `/apps/${app.slug}/webhooks`);
        assert.deepEqual(none.body.webhooks, [], 'nothing added from refusals');

        await page.getByLabel('URL', { exact: true }).fill(receiver.url);
        await page.getByLabel('Description').fill('Create a <Customer> for each new user');
        await page.locator('#w-event-user-created').check();
        await page.locator('#w-event-user-deleted').check();
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        await page.waitForURL(/\/webhooks\/whe_[^/?]+\?/);
        const secret = (await page.locator('code#webhook-secret').innerText()).trim();
        assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
        assert.match(await page.locator('main').innerText(), /not shown again/i);
        assert.equal(await page.locator('h1').innerText(), 'Create a <Customer> for each new user');
        await checkPageAtWidths(page, null, `webhooks-secret${suffix}`);
        await page.setViewportSize({ width: 1280, height: 800 });
        const endpointUrl = page.url().split('?')[0];
        await page.reload();
        assert.equal(await page.locator('code#webhook-secret').count(), 0, 'the secret is not shown twice');
        assert.ok(!(await page.content()).includes(secret));

        // The test button: a real request the receiver verifies with the copied secret.
        await page.goto(endpointUrl);
        await page.getByRole('button', { name: 'Send test event' }).click();
        await page.waitForURL(/done=test-sent/);
        await until('the test event', () => receiver.received.length >= 1, 15_000);
        const event = verify(receiver.received[0], secret);
        assert.equal(event.type, 'webhook.test');
        // The log shows it delivered with the receiver's 200.
        await until('the log to say delivered', async () => {
          await page.goto(endpointUrl);
          return /Delivered/.test(await page.locator('main table').innerText());
        }, 15_000);
        const row = await page.locator('main table tbody tr').first().innerText();
        assert.match(row, /webhook\.test/);
        assert.match(row, /200/);
        await checkPageAtWidths(page, null, `webhooks-log${suffix}`);
        await page.setViewportSize({ width: 1280, height: 800 });

        // Redeliver: the same event again, under the same webhook-id.
        await page.getByRole('button', { name: /Redeliver/ }).first().click();
        await page.waitForURL(/done=redelivered/);
        await until('the redelivery', () => receiver.received.length >= 2, 15_000);
        assert.equal(receiver.received[1].headers['webhook-id'], receiver.received[0].headers['webhook-id']);

        // Rotate: a new secret shown once; both verify the next event.
        await page.goto(endpointUrl);
        await page.getByRole('button', { name: 'Rotate secret' }).click();
        await page.waitForURL(/done=secret-rotated/);
        const rotated = (await page.locator('code#webhook-secret').innerText()).trim();
        assert.notEqual(rotated, secret);
        assert.match(await page.locator('main').innerText(), /24 hours/);
        const signup = await fx.srv.api('POST', '/api/signup', { app: app.slug,
          json: { email: `new-${Date.now()}@example.com`, password: 'a sturdy passphrase 1' } });
        assertStatus(signup, 201);
        await until('the user.created event', () => receiver.received.length >= 3, 15_000);
        assert.equal(verify(receiver.received[2], rotated).type, 'user.created');
        assert.equal(verify(receiver.received[2], secret).type, 'user.created');

        // Delete asks for the box first (the browser's check; the server refuses without it too).
        await page.goto(endpointUrl);
        await page.getByRole('button', { name: 'Delete endpoint' }).click();
        assert.equal(page.url(), endpointUrl, 'not sent without the box');
        assert.equal(await page.locator('#w-delete-confirm').evaluate((el) => el.validity.valueMissing), true);
        const csrf = await page.locator('form[action$="/delete"] input[name=csrf_token]').inputValue();
        const unconfirmed = await page.request.post(`${endpointUrl}/delete`, {
          form: { csrf_token: csrf }, headers: { origin: base }, maxRedirects: 0 });
        assert.equal(unconfirmed.status(), 400);
        assert.equal((await fx.capi(fx.X, 'GET', `/apps/${app.slug}/webhooks`)).body.webhooks.length, 1);
        await page.locator('#w-delete-confirm').check();
        await page.getByRole('button', { name: 'Delete endpoint' }).click();
        await page.waitForURL(/done=deleted/);
        const left = await fx.capi(fx.X, 'GET', `/apps/${app.slug}/webhooks`);
        assert.deepEqual(left.body.webhooks, []);
      } finally {
        await context.close();
      }
    });
  });
}
