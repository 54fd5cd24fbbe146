// Issue 14, "linking needs proof that the person owns the existing account (sign in with its
// password or an email link sent to it)": the emailed link, end to end on the real binary with
// a real SMTP server, in chromium, against the GitHub-shaped server on loopback.
//   - An account with a password may also choose "Email me a link": the mail names the
//     provider and the GitHub login; its link opens a page that asks first (mail scanners open
//     links; GET links nothing); "Link and sign in" links and signs in.
//   - The link works only in the browser that asked for it: opened elsewhere (the account's
//     owner lured by someone else's sign-in) nothing is linked, and it still works where it
//     was asked for; then never again.
//   - An account without a password (made by signing up with GitHub) is offered only the
//     mailed link; a second GitHub identity with its address links through it.
// Screenshots: build/e2e-artifacts/fed-mail-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/federation_mail_proof.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus, rand, uniqEmail } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { developer, appWithKey } from './lib/console.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';
import { startMailStack, skipWithoutSmtp, linkIn } from './lib/mailflow.mjs';
import { startGithubUpstream } from './lib/github_upstream.mjs';

const SUBJECT = /^Link .+ to your .+ account\?$/;

for (const backend of backends()) {
  describe(`linking proven by a mailed link [${backend}]`, { skip: skipWithoutSmtp }, () => {
    let smtp, srv, browser, gh, ghe, dev, app, provider, issuer;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const shot = (page, n) => screenshot(page, `fed-mail-${n}${suffix}`);
    const capi = (method, path, opts = {}) =>
      srv.req(method, `/api/console${path}`, { token: dev.token, ...opts });
    const sapi = (method, path, opts = {}) =>
      srv.api(method, `/api${path}`, { app: app.slug, token: app.key, ...opts });
    /** Whether the current GitHub user is linked: a fresh browser's "Continue with GitHub"
     * signs straight in, or stops at the proof page. */
    const linkedNow = async (name = 'GitHub') => {
      const { page, context } = await newPage(browser);
      await page.goto(`${issuer}/login`);
      await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login') && !u.pathname.includes('/start')),
        page.getByRole('link', { name: `Continue with ${name}`, exact: true }).click()]);
      const url = new URL(page.url());
      await context.close();
      return !url.pathname.includes('/federation/');
    };

    /** From the app's sign-in page through GitHub to the proof page, in `page`. */
    async function toProofPage(page, name = 'GitHub') {
      await page.goto(`${issuer}/login`);
      await Promise.all([page.waitForURL(/\/federation\/link\?ticket=/),
        page.getByRole('link', { name: `Continue with ${name}`, exact: true }).click()]);
      assert.match(await page.locator('h1').innerText(), new RegExp(`Link your ${name} account`));
    }

    /** Asks for the mail in `page`; returns the link it carries. */
    async function mailedLink(page, email) {
      const before = smtp.find({ to: email, subject: SUBJECT }).length;
      await page.getByRole('button', { name: `Email me a link to ${email}` }).click();
      await page.waitForURL(/\/federation\/link\/email$/);
      assert.match(await page.locator('main').innerText(), /Check your email[\s\S]*Open it in this browser/);
      const mails = await smtp.waitForCount(before + 1, { to: email, subject: SUBJECT });
      const mail = mails[before];
      return { mail, link: linkIn(mail, '/federation/link/confirm?token=') };
    }

    before(async () => {
      browser = await launchBrowser();
      ({ smtp, srv } = await startMailStack(backend, 'fed-mail'));
      dev = await developer(srv);
      app = await appWithKey(srv, dev, 'fm');
      issuer = srv.issuer(app.slug);
      gh = await startGithubUpstream({ clientId: 'gh-client', clientSecret: 'gh-secret' });
      // The app does not take GitHub's word for addresses: an existing account needs proof.
      const added = await capi('POST', `/apps/${app.slug}/identity-providers`, { json: {
        kind: 'github', client_id: 'gh-client', client_secret: 'gh-secret', issuer: gh.url,
        userinfo_endpoint: gh.url, trust_email: false } });
      assertStatus(added, 201);
      provider = added.body;
      // A second GitHub (an Enterprise server) for accounts that have GitHub already.
      ghe = await startGithubUpstream({ clientId: 'ghe-client', clientSecret: 'ghe-secret' });
      assertStatus(await capi('POST', `/apps/${app.slug}/identity-providers`, { json: {
        kind: 'github', slug: 'ghe', display_name: 'GitHub Enterprise', client_id: 'ghe-client',
        client_secret: 'ghe-secret', issuer: ghe.url, userinfo_endpoint: ghe.url, trust_email: false } }), 201);
    });
    after(async () => {
      await closeBrowser(browser);
      await gh?.close();
      await ghe?.close();
      await srv?.close();
      await smtp?.stop?.();
    });

    test('an account with a password: the mailed link links only in the browser that asked', async () => {
      const email = uniqEmail('ada');
      assertStatus(await sapi('POST', '/users', { json: { email, password: `pw-${rand(16)}`, email_verified: true } }), 201);
      gh.setUser({ id: 7101, login: 'ada-gh', name: 'Ada', emails: [{ email, primary: true, verified: true }] });
      const mine = await newPage(browser);
      await toProofPage(mine.page);
      await shot(mine.page, 'proof-choice');
      await checkPageAtWidths(mine.page, null, `fed-mail-proof-choice${suffix}`);
      await mine.page.setViewportSize({ width: 1280, height: 800 });
      const { mail, link } = await mailedLink(mine.page, email);
      assert.match(mail.text, /GitHub \(ada-gh\)/);
      assert.ok(mail.text.includes(email), 'the mail names the account');
      await shot(mine.page, 'check-mail');

      // The account's owner opens it in another browser: it asks, and links nothing.
      const other = await newPage(browser);
      await other.page.goto(link);
      assert.match(await other.page.locator('main').innerText(), /Link GitHub \(ada-gh\) to your account/);
      assert.equal(await linkedNow(), false, 'opening the link links nothing');
      await other.page.getByRole('button', { name: 'Link and sign in' }).click();
      await other.page.waitForLoadState();
      assert.match(await other.page.locator('main').innerText(), /only in the browser where you asked for it/,
        await describePage(other.page));
      await shot(other.page, 'other-browser');
      assert.equal(await linkedNow(), false, 'nothing linked from another browser');
      await other.context.close();

      // Where it was asked for: linked and signed in.
      await mine.page.goto(link);
      await shot(mine.page, 'confirm');
      await checkPageAtWidths(mine.page, null, `fed-mail-confirm${suffix}`);
      await mine.page.setViewportSize({ width: 1280, height: 800 });
      await Promise.all([mine.page.waitForURL((u) => !u.pathname.includes('/federation/')),
        mine.page.getByRole('button', { name: 'Link and sign in' }).click()]);
      await mine.page.goto(`${issuer}/account`);
      const methods = mine.page.locator('section', { has: mine.page.locator('#identities-heading') });
      assert.match(await methods.innerText(), /GitHub[\s\S]*ada-gh/);
      assert.equal(await linkedNow(), true, 'GitHub now signs in to the account');

      // Never again, from anywhere.
      await mine.page.goto(link);
      assert.match(await mine.page.locator('h1').innerText(), /expired/);
      await mine.context.close();
    });

    test('an account without a password is offered the mailed link, and links through it', async () => {
      const email = uniqEmail('fed-only');
      // Made by signing up with GitHub (trusted for that moment): no password.
      assertStatus(await capi('PATCH', `/apps/${app.slug}/identity-providers/${provider.id}`, { json: { trust_email: true } }), 200);
      gh.setUser({ id: 7201, login: 'first-gh', name: 'First', emails: [{ email, primary: true, verified: true }] });
      const first = await newPage(browser);
      await first.page.goto(`${issuer}/login`);
      await Promise.all([first.page.waitForURL((u) => !u.pathname.includes('/federation/') && !u.pathname.endsWith('/login')),
        first.page.getByRole('link', { name: 'Continue with GitHub', exact: true }).click()]);
      await first.context.close();
      assertStatus(await capi('PATCH', `/apps/${app.slug}/identity-providers/${provider.id}`, { json: { trust_email: false } }), 200);

      // GitHub Enterprise with the same address: proof by mail is the only way.
      ghe.setUser({ id: 7202, login: 'second-ghe', name: 'Second', emails: [{ email, primary: true, verified: true }] });
      const { page, context } = await newPage(browser);
      await toProofPage(page, 'GitHub Enterprise');
      assert.equal(await page.getByLabel(/Password of/).count(), 0, 'no password field');
      assert.match(await page.locator('main').innerText(), /has no password/);
      await shot(page, 'proof-no-password');
      await checkPageAtWidths(page, null, `fed-mail-proof-no-password${suffix}`);
      await page.setViewportSize({ width: 1280, height: 800 });
      const { link } = await mailedLink(page, email);
      await page.goto(link);
      await Promise.all([page.waitForURL((u) => !u.pathname.includes('/federation/')),
        page.getByRole('button', { name: 'Link and sign in' }).click()]);
      await page.goto(`${issuer}/account`);
      const methods = page.locator('section', { has: page.locator('#identities-heading') });
      const text = await methods.innerText();
      assert.match(text, /first-gh/);
      assert.match(text, /second-ghe/);
      await context.close();
      assert.equal(await linkedNow('GitHub Enterprise'), true);
    });

    test('a forged or malformed token is the expired page, never a 500', async () => {
      for (const token of ['tfl_forged', 'x'.repeat(300), '%FF%FE', '<script>']) {
        const res = await srv.req('GET', `/apps/${app.slug}/federation/link/confirm?token=${encodeURIComponent(token)}`);
        assert.equal(res.status, 410, `${token}: ${res.status}`);
        assert.doesNotMatch(res.text, /<script>/);
      }
    });
  });
}
