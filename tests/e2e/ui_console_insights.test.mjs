// Issue 20, "Console insight", in chromium: pictures of an app's use, drawn on the server.
//   - a developer's app gets 3 sign-ups, 5 sign-ins and 2 failed ones (wrong passwords) through
//     the account API; its Insights tab (right after Overview) says so in its headline numbers
//     (3 sign-ups, 5 sign-ins, 2 failed, 3 monthly active users), draws four charts as
//     <svg role="img"> with a title and a description, and has today's row in each chart's
//     numbers table (newest first); the sign-in methods say Password 5 (100%);
//   - the 30/90 days switch is two links, the current one aria-current: 90 days has 90 rows,
//     the same totals; any other ?days= shows 30 days; no <script> anywhere, no CSP report;
//   - someone who may not see the app gets the 404 page; a developer gets 404 at /admin/insights;
//   - the operator's /admin/insights shows every app together (at least this app's numbers)
//     and "This node": the mail queue, hash-pool shedding, deliveries, and the share of 4xx
//     and 5xx of the requests this node answered.
// Layout checked at 1280, 375 and 320 px. Screenshots: build/e2e-artifacts/insights-*.png.
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/ui_console_insights.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus, rand, uniqEmail } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { startConsoleFixture } from './lib/console.mjs';
import { consoleSignIn } from './lib/console_ui.mjs';
import { checkPageAtWidths } from './lib/layout.mjs';
import { pageChecker } from './lib/console_pages.mjs';

/** "1,234" → 1234. */
const number = (text) => Number(String(text).trim().replace(/,/g, ''));
/** Today in UTC, as the pages' dates ("2026-12-05"). */
const utcToday = () => new Date().toISOString().slice(0, 10);

for (const backend of backends()) {
  describe(`console insights [${backend}]`, () => {
    let fx, browser, base, app, insightsUrl, day;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const cspErrors = [];
    const checkPage = pageChecker(cspErrors);
    const open = async () => {
      const p = await newPage(browser);
      p.page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(`${p.page.url()}: ${m.text()}`);
      });
      return p;
    };

    before(async () => {
      browser = await launchBrowser();
      fx = await startConsoleFixture(backend, `ui-console-insights-${backend}`);
      base = fx.srv.baseUrl;
      app = await fx.newApp(fx.X, 'ins');
      insightsUrl = `${base}/console/apps/${app.slug}/insights`;
      // 3 sign-ups; 5 sign-ins (2 + 2 + 1: each user at least once) and 2 wrong passwords.
      const users = [];
      for (let i = 0; i < 3; i++) {
        const u = { email: uniqEmail(`ins${i}`), password: `pw-${rand(16)}` };
        assertStatus(await fx.srv.api('POST', '/api/signup', { app: app.slug, json: u }), 201);
        users.push(u);
      }
      const login = (u, password = u.password) =>
        fx.srv.api('POST', '/api/login', { app: app.slug, json: { login: u.email, password } });
      for (const u of [users[0], users[0], users[1], users[1], users[2]]) assertStatus(await login(u), 200);
      for (const u of [users[0], users[1]]) assertStatus(await login(u, `wrong-${rand(12)}`), 401);
      day = utcToday();
    });
    after(async () => {
      await closeBrowser(browser);
      await fx?.srv.close();
    });

    /** The text of the first row (today's: newest first) of a chart's numbers table, cells trimmed. */
    const todayRow = async (page, id) => {
      const cells = await page.locator(`#${id}-numbers tbody tr`).first().locator('td').allInnerTexts();
      return cells.map((c) => c.replace(/\s+/g, ' ').trim());
    };
    const headline = async (page) => ({
      signups: number(await page.locator('#stat-signups').innerText()),
      signins: number(await page.locator('#stat-signins').innerText()),
      failed: number(await page.locator('#stat-failed').innerText()),
      mau: number(await page.locator('#stat-mau').innerText()),
    });
    /** Every chart of the page is an image with a title and a description it is labelled by. */
    const assertCharts = async (page, n) => {
      const charts = page.locator('svg.chart-svg');
      assert.equal(await charts.count(), n, await describePage(page));
      for (let i = 0; i < n; i++) {
        const svg = charts.nth(i);
        assert.equal(await svg.getAttribute('role'), 'img');
        const id = await svg.getAttribute('id');
        const title = (await svg.locator(`#${id.replace(/-chart$/, '')}-title`).textContent()).trim();
        const desc = (await svg.locator(`#${id.replace(/-chart$/, '')}-desc`).textContent()).trim();
        assert.ok(title.length > 5 && desc.length > 5, `${id}: "${title}" / "${desc}"`);
        assert.equal(await svg.getAttribute('aria-labelledby'), `${id.replace(/-chart$/, '')}-title ${id.replace(/-chart$/, '')}-desc`);
        assert.ok(await svg.getAttribute('viewBox'), `${id} scales with its box`);
      }
    };

    test('the Insights tab: headline numbers, four charts and their numbers, 30 or 90 days', async () => {
      const { page, context } = await open();
      await consoleSignIn(page, base, fx.X);
      await page.goto(`${base}/console/apps/${app.slug}`);
      const tabs = page.getByRole('navigation', { name: 'App sections' });
      assert.deepEqual((await tabs.getByRole('link').allInnerTexts()).slice(0, 2), ['Overview', 'Insights'],
        'Insights comes right after Overview');
      await tabs.getByRole('link', { name: 'Insights' }).click();
      await page.waitForURL(insightsUrl);
      assert.equal(await tabs.getByRole('link', { name: 'Insights' }).getAttribute('aria-current'), 'page');
      assert.equal(await page.locator('h1').innerText(), 'Insights');
      assert.equal(utcToday(), day, 'the test ran across midnight UTC: run it again');

      assert.deepEqual(await headline(page), { signups: 3, signins: 5, failed: 2, mau: 3 }, await describePage(page));
      await assertCharts(page, 4);
      const signinsDesc = await page.locator('#signins-desc').textContent();
      assert.equal(signinsDesc, `5 sign-ins in 30 days, and 2 failed; most on ${day}: 5, and 2 failed.`);
      assert.match(await page.locator('#signups-desc').textContent(), new RegExp(`^3 sign-ups in 30 days; most on ${day}: 3\\.$`));

      const period = page.getByRole('navigation', { name: 'Period' });
      assert.equal(await period.getByRole('link', { name: '30 days' }).getAttribute('aria-current'), 'page');
      assert.equal(await period.getByRole('link', { name: '90 days' }).getAttribute('aria-current'), null);
      assert.match(await page.locator('#insights-source').innerText(), /audit log.*UTC.*today counts so far/);
      assert.equal(await page.locator('#insights-source').getByRole('link', { name: 'Open the audit log' }).getAttribute('href'),
        `/console/apps/${app.slug}/audit`);
      assert.ok(!(await page.content()).includes('<script'), 'no script on the page');
      await checkPageAtWidths(page, null, `insights-app${suffix}`);

      // Each chart's numbers under "Show the numbers", today first; they fit a phone too.
      assert.equal(await page.locator('#signins-numbers').isVisible(), false, 'closed at first');
      const summaries = page.locator('details.chart-numbers > summary');
      assert.equal(await summaries.count(), 4);
      for (const s of await summaries.all()) await s.click();
      assert.ok(await page.locator('#signins-numbers').isVisible(), 'Show the numbers opens the table');
      assert.equal(await page.locator('#signins-numbers tbody tr').count(), 30);
      assert.deepEqual(await todayRow(page, 'signins'), [`${day} today so far`, '5', '2']);
      assert.deepEqual(await todayRow(page, 'signups'), [`${day} today so far`, '3']);
      assert.deepEqual(await todayRow(page, 'active'), [`${day} today so far`, '3', '3']);
      assert.deepEqual(await page.locator('#methods-numbers tbody tr').first().locator('td').allInnerTexts(),
        ['Password', '5', '100%']);
      assert.match(await page.locator('#methods-desc').textContent(), /^5 sign-ins: Password 5 \(100%\)\.$/);
      await checkPageAtWidths(page, null, `insights-app-numbers${suffix}`);
      await checkPage(page, 'insights at 320 px, the numbers open');

      // 90 days: the same totals over 90 rows.
      await page.setViewportSize({ width: 1280, height: 800 });
      await period.getByRole('link', { name: '90 days' }).click();
      await page.waitForURL(`${insightsUrl}?days=90`);
      assert.equal(await period.getByRole('link', { name: '90 days' }).getAttribute('aria-current'), 'page');
      assert.equal(await period.getByRole('link', { name: '30 days' }).getAttribute('aria-current'), null);
      assert.deepEqual(await headline(page), { signups: 3, signins: 5, failed: 2, mau: 3 });
      for (const id of ['signups', 'signins', 'active']) {
        assert.equal(await page.locator(`#${id}-numbers tbody tr`).count(), 90, id);
      }
      assert.match(await page.locator('#signins-desc').textContent(), /^5 sign-ins in 90 days, and 2 failed;/);
      await assertCharts(page, 4);
      await checkPageAtWidths(page, null, `insights-app-90${suffix}`);

      // Any other period is 30 days.
      const res = await page.goto(`${insightsUrl}?days=7`);
      assert.equal(res.status(), 200);
      assert.equal(await page.locator('#signins-numbers tbody tr').count(), 30);
      assert.equal(await period.getByRole('link', { name: '30 days' }).getAttribute('aria-current'), 'page');
      assert.deepEqual(cspErrors, []);
      await context.close();
    });

    test('someone else’s app, and the operators’ page for a developer, are the 404 page', async () => {
      const { page, context } = await open();
      await consoleSignIn(page, base, fx.Y);
      let res = await page.goto(insightsUrl);
      assert.equal(res.status(), 404, await describePage(page));
      assert.equal(await page.locator('h1').innerText(), 'Not found');
      res = await page.goto(`${base}/admin/insights`);
      assert.equal(res.status(), 404, await describePage(page));
      await context.close();
    });

    test('the operator sees every app together, and this node’s numbers', async () => {
      const { page, context } = await open();
      await consoleSignIn(page, base, fx.OP, '/admin');
      const tabs = page.getByRole('navigation', { name: 'Operator sections' });
      await tabs.getByRole('link', { name: 'Insights' }).click();
      await page.waitForURL(`${base}/admin/insights`);
      assert.equal(await tabs.getByRole('link', { name: 'Insights' }).getAttribute('aria-current'), 'page');
      assert.equal(await page.locator('h1').innerText(), 'Insights');
      assert.equal(utcToday(), day, 'the test ran across midnight UTC: run it again');

      // Every app together: at least this app's (the console's own sign-ins come on top).
      const all = await headline(page);
      assert.ok(all.signups >= 3 && all.signins >= 5 && all.failed >= 2 && all.mau >= 3, JSON.stringify(all));
      await assertCharts(page, 5);  // the four, and requests by status class
      await page.locator('details.chart-numbers', { has: page.locator('#signins-numbers') }).locator('summary').click();
      const [date, ok, failed] = await todayRow(page, 'signins');
      assert.equal(date, `${day} today so far`);
      assert.ok(number(ok) >= 5 && number(failed) >= 2, `${ok} / ${failed}`);
      assert.ok(!(await page.content()).includes('<script'), 'no script on the page');

      // This node: what /metrics has, in words.
      const node = page.locator('section', { has: page.getByRole('heading', { name: 'This node' }) });
      assert.match(await node.innerText(), /since it started/);
      assert.match(await page.locator('#node-mail-queue').innerText(), /^[\d,]+ unsent$/);
      assert.match(await page.locator('#node-mail').innerText(), /^[\d,]+ sent, [\d,]+ failed attempts$/);
      assert.match(await page.locator('#node-hash-shed').innerText(), /^[\d,]+ sign-ins turned away .*, [\d,]+ of them over a client’s fair share$/);
      assert.match(await page.locator('#node-deliveries').innerText(), /^[\d,]+ pending, [\d,]+ sent, [\d,]+ failed attempts/);
      const fiveXx = await page.locator('#node-5xx').innerText();
      const m = fiveXx.match(/^(<?[\d.]+)% of ([\d,]+) requests \(([\d,]+)\)$/);
      assert.ok(m, fiveXx);
      assert.ok(number(m[2]) > 10, `this node answered requests: ${fiveXx}`);
      // The test's 2 wrong passwords (401) at least, and the 404s of the test before.
      const fourXx = (await page.locator('#node-4xx').innerText()).match(/^(<?[\d.]+)% of ([\d,]+) requests \(([\d,]+)\)$/);
      assert.ok(fourXx && number(fourXx[3]) >= 2, await page.locator('#node-4xx').innerText());
      assert.match(await page.locator('#status-desc').textContent(), /^[\d,]+ requests: 2xx /);
      await checkPageAtWidths(page, null, `insights-admin${suffix}`);
      await checkPage(page, 'admin insights at 320 px');

      // The operators' home links here.
      await page.goto(`${base}/admin`);
      assert.equal(await page.getByRole('navigation', { name: 'Operator sections' })
        .getByRole('link', { name: 'Insights' }).getAttribute('href'), '/admin/insights');
      await page.goto(`${base}/admin/insights?days=90`);
      assert.equal(await page.locator('#signins-numbers tbody tr').count(), 90);
      await screenshot(page, `insights-admin-90${suffix}`);
      assert.deepEqual(cspErrors, []);
      await context.close();
    });
  });
}
