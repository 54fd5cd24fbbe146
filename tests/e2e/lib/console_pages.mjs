// Browser checks and fixtures of the console page suite (console_browser.test.mjs): axe-core
// when installed, page checks (CSP, overflow, WCAG) and a logo server on another origin.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { describePage } from './browser.mjs';

/** axe-core's browser bundle, or null when it is not installed. */
export function loadAxe() {
  const candidates = [];
  if (process.env.TESSERA_AXE_CORE) candidates.push(process.env.TESSERA_AXE_CORE);
  try {
    candidates.push(createRequire(import.meta.url).resolve('axe-core/axe.min.js'));
  } catch { /* not installed */ }
  for (const file of candidates) {
    try { return fs.readFileSync(file, 'utf8'); } catch { /* next */ }
  }
  return null;
}
export const AXE_SOURCE = loadAxe();

/** A tiny image server on another origin: the app's logo. */
export async function startLogoServer() {
  let hits = 0;
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40">' +
    '<rect width="40" height="40" rx="8" fill="#0f766e"/><circle cx="20" cy="20" r="9" fill="#fff"/></svg>';
  const server = http.createServer((req, res) => {
    if (req.url !== '/logo.svg') { res.writeHead(404); res.end(); return; }
    hits++;
    res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' });
    res.end(svg);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/logo.svg`,
    origin: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Page checks: no CSP violation so far (`cspErrors`, collected by the caller), no horizontal overflow; axe when installed. */
export function pageChecker(cspErrors) {
  return async function checkPage(page, what) {
    assert.deepEqual(cspErrors, [], `CSP violations (${what})`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, `${what} overflows horizontally: ${await describePage(page)}`);
    if (!AXE_SOURCE) return;
    // The pages' CSP forbids every script: evaluate the bundle through devtools instead.
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const r = await globalThis.axe.run(document, {
        runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.html.slice(0, 120)).join(' | ')}`);
    });
    assert.deepEqual(violations, [], `axe (${what})`);
  };
}

export async function expectStatus(page, url, status) {
  const res = await page.goto(url);
  assert.equal(res?.status(), status, `GET ${url}: ${await describePage(page)}`);
  return res;
}
