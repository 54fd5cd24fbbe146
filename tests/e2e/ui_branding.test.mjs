// Issue 13, item 2: an app's branding everywhere. An app named "My App" with the display name
// "Acme Notes", an accent colour and a logo URL that does not load:
// - every mail of the flows (verify, reset, password changed, magic link, email code, change
//   email, email changed, account secured), sent through a real SMTP server (lib/smtp.mjs),
//   says "Acme Notes" and never "My App"; the HTML button takes the accent colour; lifetimes
//   read in words ("24 hours", not "1440 minutes");
// - every hosted page (chromium, lib/browser.mjs) says "Acme Notes" and never "My App",
//   including the signed-out page; the broken logo leaves the app's initial in its place
//   (screenshots brand-*.png in the artifacts dir).
import assert from 'node:assert/strict';
import { test, describe, before, after, signup, uniqEmail, rand, assertStatus, login } from './lib/server.mjs';
import {
  skipWithoutSmtp as skip, startMailStack, SUBJECT, linkIn, tokenOf, codeOf,
} from './lib/mailflow.mjs';
import { developer } from './lib/console.mjs';
import { launchBrowser, closeBrowser, newPage, screenshot } from './lib/browser.mjs';
import { brandingProblems } from './lib/layout.mjs';

const APP_NAME = 'My App';
const DISPLAY_NAME = 'Acme Notes';
const ACCENT = '#0f766e';  // dark teal: white text on it
const BROKEN_LOGO = 'http://127.0.0.1:9/acme-logo.png';  // loopback http is allowed; nothing listens
const names = { appName: APP_NAME, displayName: DISPLAY_NAME };

describe('branding in every mail and hosted page (issue 13, item 2)', { skip }, () => {
  let smtp;
  let srv;
  let app;
  let browser;
  before(async () => {
    ({ smtp, srv } = await startMailStack('sqlite', 'ui-branding'));
    const dev = await developer(srv, 'brand');
    app = `brand-${rand(8)}`;
    assertStatus(await srv.req('POST', '/api/console/apps', { token: dev.token, json: { slug: app, name: APP_NAME } }), 201);
    assertStatus(await srv.req('PATCH', `/api/console/apps/${app}`, {
      token: dev.token,
      json: { settings: { display_name: DISPLAY_NAME, accent_color: ACCENT, logo_url: BROKEN_LOGO } },
    }), 200);
    browser = await launchBrowser();
  });
  after(async () => {
    await closeBrowser(browser);
    await srv?.close();
    await smtp?.close();
  });

  const post = (path, json, opts = {}) => srv.api('POST', path, { app, json, ...opts });
  const mail = (to, subject) => smtp.waitFor({ to, subject });

  function mailProblems(m, kind) {
    const out = [
      ...brandingProblems(`${m.subject}\n${m.text}`, names, `the ${kind} mail's subject and text`),
      ...brandingProblems(m.html, names, `the ${kind} mail's HTML`),
    ];
    for (const part of [m.text, m.html]) {
      const minutes = /expires in (\d+) minutes/.exec(part);
      if (minutes && Number(minutes[1]) >= 60) out.push(`the ${kind} mail says "${minutes[0]}"`);
    }
    if (/<a [^>]*display:inline-block/.test(m.html)) {  // a mail with a button
      if (!m.html.includes(`background-color:${ACCENT}`)) out.push(`the ${kind} mail's button is not ${ACCENT}`);
    }
    return out;
  }

  test('every mail of the flows says the display name, with the accent button and durations in words', async () => {
    const problems = [];
    // Sign-up → verification (24 hours by default).
    const u = await signup(srv, { app });
    const verify = await mail(u.email, SUBJECT.verify);
    problems.push(...mailProblems(verify, 'verify_email'));
    if (!/expires in 24 hours\./.test(verify.text)) problems.push('the verify_email mail does not say "expires in 24 hours"');
    // Forgot → reset → password changed.
    assertStatus(await post('/api/password/forgot', { email: u.email }), 202);
    const reset = await mail(u.email, SUBJECT.reset);
    problems.push(...mailProblems(reset, 'password_reset'));
    const fresh = `pw-${rand(16)}`;
    assertStatus(await post('/api/password/reset', { token: tokenOf(linkIn(reset, 'token=')), new_password: fresh }), 204);
    problems.push(...mailProblems(await mail(u.email, SUBJECT.passwordChanged), 'password_changed'));
    // Magic link and email code.
    assertStatus(await post('/api/magic-link', { email: u.email }), 202);
    problems.push(...mailProblems(await mail(u.email, SUBJECT.magic), 'magic_link'));
    assertStatus(await post('/api/email-code', { email: u.email }), 202);
    const code = await mail(u.email, SUBJECT.code);
    codeOf(code);
    problems.push(...mailProblems(code, 'email_code'));
    // Change of address: the confirmation to the new one, the notice to the old one.
    const tokens = await login(srv, { email: u.email }, fresh, { app });
    const moved = uniqEmail('moved');
    assertStatus(await post('/api/me/email', { new_email: moved, current_password: fresh }, { token: tokens.access_token }), 202);
    const change = await mail(moved, SUBJECT.changeEmail);
    problems.push(...mailProblems(change, 'change_email'));
    assertStatus(await post('/api/email/change/confirm', { token: tokenOf(linkIn(change, 'token=')) }), 200);
    problems.push(...mailProblems(await mail(u.email, SUBJECT.emailChanged), 'email_changed'));
    // An account set up before its address was proven, then proven by a sign-in link.
    const planted = uniqEmail('planted');
    assertStatus(await post('/api/signup', { email: planted, password: `pw-${rand(16)}` }), 201);
    assertStatus(await post('/api/magic-link', { email: planted }), 202);
    const link = linkIn(await mail(planted, SUBJECT.magic), '/magic-link/continue?token=');
    assertStatus(await post('/api/magic-link/verify', { token: tokenOf(link) }), 200);
    problems.push(...mailProblems(await mail(planted, /secured/), 'account_secured'));
    assert.deepEqual(problems, []);
  });

  test('every hosted page says the display name; a broken logo leaves the initial', async () => {
    const issuer = srv.issuer(app);
    const u = await signup(srv, { app });
    const verifyLink = linkIn(await mail(u.email, SUBJECT.verify), '/verify-email?token=');
    assertStatus(await post('/api/password/forgot', { email: u.email }), 202);
    const resetLink = linkIn(await mail(u.email, SUBJECT.reset), '/reset-password?token=');
    const { context, page } = await newPage(browser);
    const problems = [];
    const check = async (name) => {
      const text = `${await page.title()}\n${await page.innerText('body')}`;
      problems.push(...brandingProblems(text, names, `${name} (${page.url()})`));
      await screenshot(page, `brand-${name}`);
    };
    try {
      for (const p of ['login', 'signup', 'forgot-password', 'magic-link', 'email-code',
        'reset-password?token=tet_unknown', 'no-such-page']) {
        await page.goto(`${issuer}/${p}`);
        await check(p.replace(/\?.*/, '').replace(/[^a-z-]/g, ''));
      }
      await page.goto(resetLink);
      await check('reset-password-valid');
      await page.goto(verifyLink);
      await check('verify-email');
      // The logo fails to load: the app's initial stands in its place, drawn by CSS alone.
      await page.goto(`${issuer}/login`);
      const logo = await page.locator('img.brand-logo').evaluate((img) => ({
        loaded: img.complete && img.naturalWidth > 0,
        fallback: getComputedStyle(img, '::after').content,
      }));
      assert.equal(logo.loaded, false, 'the logo URL is meant to fail');
      if (logo.fallback !== '"A"') problems.push(`the broken logo shows no initial (::after content ${logo.fallback})`);
      await screenshot(page, 'brand-broken-logo');
      // Signed in: the account page, then signed out.
      await page.getByLabel('Email or username').fill(u.email);
      await page.locator('input[name="password"]').fill(u.password);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
      await check('account');
      await Promise.all([page.waitForNavigation(), page.locator('form.account-signout button').click()]);
      await check('signed-out');
    } finally {
      await context.close();
    }
    assert.deepEqual(problems, []);
  });
});
