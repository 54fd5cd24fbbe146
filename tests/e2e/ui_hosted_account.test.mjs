// Issue 13, items 8 (hosted part) and 9: the account page in chromium (lib/browser.mjs).
// - sessions tell themselves apart (IP, last active, "This device"), and "Sign out all other
//   sessions" ends every other one while this browser stays signed in;
// - authorized apps list their scopes in the consent page's plain words, and the page links
//   back to the app (the origin of the most recently authorized client's redirect URI);
// - a profile error reads as a sentence next to its field, never as an API field path.
// Screenshots account-*.png at 1280/375/320 px (checkPageAtWidths).
import assert from 'node:assert/strict';
import { startServer, test, describe, before, after, signup, rand } from './lib/server.mjs';
import { registerClient, pkcePair, WebClient, startCallbackServer } from './lib/oidc.mjs';
import { launchBrowser, closeBrowser, newPage, describePage } from './lib/browser.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';

describe('the account page (issue 13, items 8 and 9)', () => {
  let srv;
  let browser;
  let app;
  let client;
  let rp;  // the relying party's callback (loopback http: a redirect URI Tessera accepts)
  before(async () => {
    srv = await startServer({ label: 'ui-account' });
    rp = await startCallbackServer();
    app = `acct-${rand(8)}`;
    await srv.createApp(app, 'Acme Notes');
    client = await registerClient(srv, { app, name: 'Notes web', redirectUris: [rp.url('/cb')] });
    browser = await launchBrowser();
  });
  after(async () => {
    await closeBrowser(browser);
    await rp?.close();
    await srv?.close();
  });

  const click = (page, role, name) =>
    Promise.all([page.waitForNavigation(), page.getByRole(role, { name }).click()]);

  async function signedInPage(u) {
    const { context, page } = await newPage(browser);
    await page.goto(`${srv.issuer(app)}/login`);
    await page.getByLabel('Email or username').fill(u.email);
    await page.locator('input[name="password"]').fill(u.password);
    await click(page, 'button', 'Sign in');
    return { context, page };
  }

  test('sessions: IP, last active, this device; "Sign out all other sessions" keeps this one', async () => {
    const u = await signup(srv, { app });
    const other = new WebClient(srv, { app });
    assert.equal((await other.signIn(u.email, u.password)).status, 303);
    const { context, page } = await signedInPage(u);
    try {
      await page.goto(`${srv.issuer(app)}/account`);
      const rows = await page.locator('#sessions-heading >> xpath=ancestor::section//li').allInnerTexts();
      assert.ok(rows.length >= 2, `two sessions at least: ${rows}`);
      for (const r of rows) assert.match(r, /IP 127\.0\.0\.1 · last active /, r);
      assert.equal(rows.filter((r) => r.includes('This device')).length, 1, rows.join('\n'));
      assert.equal(await page.getByRole('button', { name: 'Sign out all other sessions' }).count(), 1,
        await describePage(page));
      await click(page, 'button', 'Sign out all other sessions');
      const where = await describePage(page);
      assert.match(await page.innerText('body'), /Your other sessions were signed out/, where);
      assert.match(new URL(page.url()).pathname, /\/account$/, where);
      const after = await page.locator('#sessions-heading >> xpath=ancestor::section//li').allInnerTexts();
      assert.equal(after.length, 1, after.join('\n'));
      assert.equal((await other.get('account')).status, 303, 'the other browser is signed out');
      assert.equal(await page.getByRole('button', { name: 'Sign out all other sessions' }).count(), 0,
        'no button when there is no other session');
    } finally {
      await context.close();
    }
  });

  test('authorized apps in plain words, a link back to the app, profile errors next to their field', async () => {
    const u = await signup(srv, { app });
    const { context, page } = await signedInPage(u);
    try {
      // Consent to the client; its callback answers with a page.
      const authorize = new URL(`${srv.issuer(app)}/oauth/authorize`);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: client.client_id,
        redirect_uri: rp.url('/cb'), scope: 'openid profile email', state: rand(8),
        code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })) authorize.searchParams.set(k, v);
      await page.goto(authorize.href);
      await click(page, 'button', 'Allow');
      assert.equal(new URL(page.url()).origin, rp.origin, await describePage(page));
      await page.goto(`${srv.issuer(app)}/account`);
      const body = await page.innerText('body');
      assert.match(body, /Sign you in, Your profile, Your email address/, await describePage(page));
      assert.doesNotMatch(body, /openid/, 'no raw scope names');
      const back = page.getByRole('link', { name: 'Back to Acme Notes' });
      assert.equal(await back.getAttribute('href'), `${rp.origin}/`, await describePage(page));
      // A website the API refuses: a sentence next to the field, no "profile.website: …".
      await page.getByLabel('Website').fill('ftp://files.example');
      await click(page, 'button', 'Save profile');
      const text = await page.innerText('body');
      assert.doesNotMatch(text, /profile\.website/, await describePage(page));
      const fieldError = page.locator('#website-error');
      assert.equal(await fieldError.innerText(), 'Website must be a web address, like https://example.com.');
      assert.equal(await page.locator('#website').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#website').getAttribute('aria-describedby'), 'website-error');
      await checkPageAtWidths(page, null, 'account-errors');
      await checkPageAtWidths(page, `${srv.issuer(app)}/account`, 'account');
    } finally {
      await context.close();
    }
  });
});
