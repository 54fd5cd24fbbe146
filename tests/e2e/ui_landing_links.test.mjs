// Issue 13, items 6 and 7:
// - a browser (Accept: text/html) gets pages where it used to get JSON 404s: a landing page at
//   `/` (console, API docs, health), a page at the issuer URL `/apps/{app}` naming the app with
//   sign-in and account links, and an HTML 404 with a way on for unknown paths; API clients
//   (Accept: application/json, or none) keep the JSON problem details;
// - a password reset link is checked when its page opens: a spent or unknown link shows "This
//   link can’t be used" at once (with a link to ask for a new one), and looking at a live link
//   does not spend it. Screenshots in the artifacts dir (landing-*.png, reset-*.png).
import assert from 'node:assert/strict';
import { test, describe, before, after, show, signup, rand, assertStatus, assertProblem } from './lib/server.mjs';
import { skipWithoutSmtp as skip, startMailStack, freshApp, SUBJECT, linkIn, tokenOf } from './lib/mailflow.mjs';
import { htmlText, WebClient, parseForms } from './lib/oidc.mjs';
import { launchBrowser, closeBrowser, newPage, screenshot } from './lib/browser.mjs';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };

describe('browsers get pages, APIs get problems; reset links checked on opening (issue 13)', { skip }, () => {
  let smtp;
  let srv;
  let browser;
  before(async () => {
    ({ smtp, srv } = await startMailStack('sqlite', 'ui-landing'));
    browser = await launchBrowser();
  });
  after(async () => {
    await closeBrowser(browser);
    await srv?.close();
    await smtp?.close();
  });

  function assertHtml(res, status, ...texts) {
    assert.equal(res.status, status, show(res));
    assert.match(res.headers.get('content-type') || '', /^text\/html/, show(res));
    for (const t of texts) assert.ok(htmlText(res.text).includes(t), `"${t}" not in ${show(res)}`);
  }
  const hrefs = (res) => [...res.text.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

  test('/ : a landing page for browsers, the JSON problem for APIs', async () => {
    const page = await srv.req('GET', '/', { headers: HTML });
    assertHtml(page, 200, 'Developer console', 'API documentation', 'Health');
    for (const link of ['/console', '/api/docs', '/healthz']) assert.ok(hrefs(page).includes(link), `a link to ${link}: ${show(page)}`);
    assertProblem(await srv.req('GET', '/', { headers: JSON_ACCEPT }), 404, 'not-found');
    assertProblem(await srv.req('GET', '/'), 404, 'not-found');
  });

  test('/apps/{app}: a page naming the app with sign-in and account links; JSON for APIs', async () => {
    const app = await freshApp(srv, {}, { name: 'Acme Notes' });
    const page = await srv.req('GET', `/apps/${app}`, { headers: HTML });
    assertHtml(page, 200, 'Acme Notes', 'Sign in', 'Your account');
    for (const p of ['login', 'account']) assert.ok(hrefs(page).includes(`/apps/${app}/${p}`), `a link to ${p}: ${show(page)}`);
    assertProblem(await srv.req('GET', `/apps/${app}`, { headers: JSON_ACCEPT }), 404, 'not-found');
    assertProblem(await srv.req('GET', `/apps/${app}`), 404, 'not-found');
    // An app that does not exist: still a page for a browser.
    assertHtml(await srv.req('GET', '/apps/no-such-app', { headers: HTML }), 404, 'There is no such app here.');
  });

  test('unknown paths: an HTML 404 with a way on for browsers, the JSON problem for APIs', async () => {
    const app = await freshApp(srv);
    const under = await srv.req('GET', `/apps/${app}/no-such-page`, { headers: HTML });
    assertHtml(under, 404, 'Page not found', 'Go to sign in');
    assert.ok(hrefs(under).includes(`/apps/${app}/login`), show(under));
    const top = await srv.req('GET', '/no/such/thing', { headers: HTML });
    assertHtml(top, 404, 'Page not found', 'Go to the start page');
    assert.ok(hrefs(top).includes('/'), show(top));
    for (const path of [`/apps/${app}/no-such-page`, '/no/such/thing', `/apps/${app}/api/nope`]) {
      assertProblem(await srv.req('GET', path, { headers: JSON_ACCEPT }), 404, 'not-found');
      assertProblem(await srv.req('GET', path), 404, 'not-found');
    }
    const { context, page } = await newPage(browser);
    try {
      for (const [name, url] of [['root', `${srv.baseUrl}/`], ['app', srv.issuer(app)], ['404', `${srv.issuer(app)}/nope`]]) {
        for (const width of [1280, 375]) {
          await page.setViewportSize({ width, height: 800 });
          await page.goto(url);
          await screenshot(page, `landing-${name}-${width}`);
        }
      }
    } finally {
      await context.close();
    }
  });

  test('a spent or unknown reset link says so when it opens; looking does not spend a live one', async () => {
    const app = await freshApp(srv);
    const u = await signup(srv, { app });
    const web = new WebClient(srv, { app });
    const forgot = async () => {
      const before = smtp.find({ to: u.email, subject: SUBJECT.reset }).length;  // counted first: mail is quick
      assertStatus(await srv.api('POST', '/api/password/forgot', { app, json: { email: u.email } }), 202);
      const all = await smtp.waitForCount(before + 1, { to: u.email, subject: SUBJECT.reset }, 20_000);
      return linkIn(all.at(-1), '/reset-password?token=');
    };
    // Unknown: the "can't be used" page at once, with a link to ask for a new one.
    const unknown = await web.get(`reset-password?token=tet_${'A'.repeat(43)}`);
    assertHtml(unknown, 400, 'This link can’t be used', 'Ask for a new link');
    assert.ok(!parseForms(unknown.text).some((f) => 'new_password' in f.fields), 'no password form');
    // Live: the form, as often as it is opened; then used: "can't be used".
    const link = await forgot();
    for (let i = 0; i < 2; i++) assertHtml(await web.get(link), 200, 'Choose a new password');
    const fresh = `pw-${rand(16)}`;
    assertStatus(await srv.api('POST', '/api/password/reset', { app, json: { token: tokenOf(link), new_password: fresh } }), 204);
    const spent = await web.get(link);
    assertHtml(spent, 400, 'This link can’t be used', 'Ask for a new link');
    assert.ok(hrefs(spent).includes(`/apps/${app}/forgot-password`), show(spent));
    // A newer link voids the older one: the older one says so on opening too.
    const older = await forgot();
    const newer = await forgot();
    assertHtml(await web.get(older), 400, 'This link can’t be used');
    assertHtml(await web.get(newer), 200, 'Choose a new password');
    const { context, page } = await newPage(browser);
    try {
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(link);
        await screenshot(page, `reset-spent-${width}`);
      }
    } finally {
      await context.close();
    }
  });
});
