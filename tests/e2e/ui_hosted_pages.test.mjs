// Issue 13, items 3 and 6 (hosted part): every hosted page of an app, in chromium
// (lib/browser.mjs), fits 320 and 375 px and is no dead end (lib/layout.mjs checkPageAtWidths,
// screenshots hosted-<page>-<width>.png); and the dead ends the issue found are gone:
// - the magic link's "Check your email" offers the link again, a code instead, back to sign-in;
// - /email-code opened directly asks for an address instead of claiming a code was sent;
// - the unverified-address sign-in error offers a new link and marks no field wrong;
// - after sign-up the account page says a confirmation link is on its way.
// Mail goes through a real SMTP server (lib/smtp.mjs).
import assert from 'node:assert/strict';
import { test, describe, before, after, signup, uniqEmail, rand, assertStatus } from './lib/server.mjs';
import { skipWithoutSmtp as skip, startMailStack, freshApp, SUBJECT, linkIn } from './lib/mailflow.mjs';
import { registerClient, pkcePair } from './lib/oidc.mjs';
import { launchBrowser, closeBrowser, newPage, describePage } from './lib/browser.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';
import { pageChecker } from './lib/console_pages.mjs';

const axeCheck = pageChecker([]);

const RP = 'https://rp.example';

describe('hosted pages: fit phones, no dead ends (issue 13)', { skip }, () => {
  let smtp;
  let srv;
  let browser;
  before(async () => {
    ({ smtp, srv } = await startMailStack('sqlite', 'ui-hosted'));
    browser = await launchBrowser();
  });
  after(async () => {
    await closeBrowser(browser);
    await srv?.close();
    await smtp?.close();
  });

  const post = (app, path, json) => srv.api('POST', path, { app, json });
  const mail = (to, subject) => smtp.waitFor({ to, subject });
  const click = (page, role, name) =>
    Promise.all([page.waitForNavigation(), page.getByRole(role, { name }).click()]);

  /** Runs checkPageAtWidths and keeps its failure (one list for all pages, not the first). */
  async function sweep(page, failures, url, name) {
    try {
      await checkPageAtWidths(page, url, `hosted-${name}`);
      await axeCheck(page, `hosted-${name} at 320 px`);  // WCAG 2.2 AA, when axe-core is installed
    } catch (e) {
      failures.push(e.message.split('\n').slice(0, 8).join('\n'));
    }
  }

  async function signInOnPage(page, issuer, email, password) {
    await page.goto(`${issuer}/login`);
    await page.getByLabel('Email or username').fill(email);
    await page.locator('input[name="password"]').fill(password);
    await click(page, 'button', 'Sign in');
  }

  test('every hosted page fits 320 and 375 px and offers a way on', async () => {
    const app = await freshApp(srv);
    const issuer = srv.issuer(app);
    const client = await registerClient(srv, { app, name: 'Notes web', redirectUris: [`${RP}/cb`] });
    const u = await signup(srv, { app });
    const verifyLink = linkIn(await mail(u.email, SUBJECT.verify), '/verify-email?token=');
    assertStatus(await post(app, '/api/password/forgot', { email: u.email }), 202);
    const resetLink = linkIn(await mail(u.email, SUBJECT.reset), '/reset-password?token=');
    assertStatus(await post(app, '/api/magic-link', { email: u.email }), 202);
    const magicLink = linkIn(await mail(u.email, SUBJECT.magic), '/magic-link/continue?token=');
    const failures = [];
    const { context, page } = await newPage(browser);
    try {
      const direct = {
        login: `${issuer}/login`, signup: `${issuer}/signup`, forgot: `${issuer}/forgot-password`,
        magic: `${issuer}/magic-link`, 'email-code': `${issuer}/email-code`,
        'email-code-sent': `${issuer}/email-code?email=${encodeURIComponent(u.email)}`,
        'reset-valid': resetLink, 'reset-spent': `${issuer}/reset-password?token=tet_${'x'.repeat(43)}`,
        'magic-continue': magicLink, verify: verifyLink,
        'not-found': `${issuer}/no-such-page`, 'unknown-app': `${srv.baseUrl}/apps/no-such-app/login`,
        landing: `${srv.baseUrl}/`, 'app-home': issuer,
      };
      for (const [name, url] of Object.entries(direct)) await sweep(page, failures, url, name);
      // Pages a form leads to.
      await page.goto(`${issuer}/forgot-password`);
      await page.getByLabel('Email address').fill(u.email);
      await click(page, 'button', 'Send reset link');
      await sweep(page, failures, null, 'forgot-sent');
      await page.goto(`${issuer}/magic-link`);
      await page.getByLabel('Email address').fill(u.email);
      await click(page, 'button', 'Email me a sign-in link');
      await sweep(page, failures, null, 'magic-sent');
      // Signed in: the account page, the consent page, then signed out.
      await signInOnPage(page, issuer, u.email, u.password);
      await sweep(page, failures, `${issuer}/account`, 'account');
      const { challenge } = pkcePair();
      const authorize = new URL(`${issuer}/oauth/authorize`);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: client.client_id,
        redirect_uri: `${RP}/cb`, scope: 'openid profile email', state: rand(8),
        code_challenge: challenge, code_challenge_method: 'S256' })) authorize.searchParams.set(k, v);
      await sweep(page, failures, authorize.href, 'consent');
      await page.goto(`${issuer}/account`);
      await Promise.all([page.waitForNavigation(), page.locator('form.account-signout button').click()]);
      await sweep(page, failures, null, 'signed-out');
    } finally {
      await context.close();
    }
    assert.deepEqual(failures, []);
  });

  test('magic link "Check your email": the link again, a code instead, back to sign-in', async () => {
    const app = await freshApp(srv, { emailCodeLogin: true });
    const issuer = srv.issuer(app);
    const email = uniqEmail('magic');
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${issuer}/magic-link`);
      await page.getByLabel('Email address').fill(email);
      await click(page, 'button', 'Email me a sign-in link');
      const where = await describePage(page);
      assert.equal(await page.getByRole('button', { name: 'Send the link again' }).count(), 1, where);
      assert.equal(await page.getByRole('button', { name: 'Email me a code instead' }).count(), 1, where);
      assert.equal(await page.getByRole('link', { name: 'Back to sign in' }).count(), 1, where);
      await click(page, 'button', 'Email me a code instead');
      assert.match(new URL(page.url()).pathname, /\/email-code$/, await describePage(page));
      assert.match(await page.innerText('body'), new RegExp(`We sent a 6-digit code to ${email.replace(/[.+]/g, '\\$&')}`));
    } finally {
      await context.close();
    }
  });

  test('/email-code opened directly asks for an address and claims nothing was sent', async () => {
    const app = await freshApp(srv, { emailCodeLogin: true });
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${srv.issuer(app)}/email-code`);
      const text = await page.innerText('body');
      assert.doesNotMatch(text, /We sent/, await describePage(page));
      assert.equal(await page.locator('input[type="email"]').count(), 1, await describePage(page));
    } finally {
      await context.close();
    }
  });

  test('unverified address: the sign-in page offers a new link and marks no field wrong', async () => {
    const app = await freshApp(srv, { requireVerifiedEmail: true });
    const issuer = srv.issuer(app);
    const email = uniqEmail('unverified');
    const password = `pw-${rand(16)}`;
    assertStatus(await post(app, '/api/signup', { email, password }), 201);
    await mail(email, SUBJECT.verify);
    const { context, page } = await newPage(browser);
    try {
      await signInOnPage(page, issuer, email, password);
      const where = await describePage(page);
      assert.match(await page.innerText('body'), /Verify your email address first: open the link we sent you, or ask for a new one below/, where);
      assert.equal(await page.locator('[aria-invalid="true"]').count(), 0, `no field is marked wrong: ${where}`);
      await checkPageAtWidths(page, null, 'hosted-login-unverified');
      await click(page, 'button', 'Send a new confirmation link');
      assert.match(await page.innerText('body'), /Check your email/, await describePage(page));
      await smtp.waitForCount(2, { to: email, subject: SUBJECT.verify });
    } finally {
      await context.close();
    }
  });

  test('after sign-up on the page, the account page says to check the inbox', async () => {
    const app = await freshApp(srv);
    const email = uniqEmail('fresh');
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${srv.issuer(app)}/signup`);
      await page.getByLabel('Email').first().fill(email);
      await page.locator('input[name="password"]').fill(`pw-${rand(16)}`);
      await click(page, 'button', 'Create account');
      assert.match(new URL(page.url()).pathname, /\/account$/, await describePage(page));
      assert.match(await page.innerText('body'), /Check your inbox/, await describePage(page));
      await mail(email, SUBJECT.verify);
    } finally {
      await context.close();
    }
  });

  test('sign-up errors read as sentences next to their field (item 8)', async () => {
    const app = await freshApp(srv);
    const u = await signup(srv, { app });
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${srv.issuer(app)}/signup`);
      await page.getByLabel('Email').first().fill(u.email);
      await page.locator('input[name="password"]').fill(`pw-${rand(16)}`);
      await click(page, 'button', 'Create account');
      assert.equal(await page.locator('#email-error').innerText(), 'Email is already registered.', await describePage(page));
      await checkPageAtWidths(page, null, 'hosted-signup-error');
    } finally {
      await context.close();
    }
  });
});
