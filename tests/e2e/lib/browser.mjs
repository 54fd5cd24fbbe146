// A real browser for the black-box tests: the system's chromium (Debian's `chromium`, installed by
// scripts/setup.sh), driven through playwright-core (tests/e2e/package.json; `npm ci --prefix
// tests/e2e` installs it — scripts/test.sh does that when needed). No browser download: we only
// ever point playwright-core at an existing executable.
//
// A missing chromium or playwright-core makes launchBrowser() throw with what to do — the
// browser tests then FAIL (never skip silently).
//
// Env:   TESSERA_CHROMIUM        the browser executable (default: /usr/bin/chromium, or another
//                                usual location of chromium / chrome)
//        TESSERA_E2E_ARTIFACTS   where screenshots go (default <repo>/build/e2e-artifacts)
//        TESSERA_E2E_HEADED=1    show the browser window (needs a display)
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './server.mjs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable'];

export const ARTIFACTS_DIR = path.resolve(process.env.TESSERA_E2E_ARTIFACTS ||
  path.join(REPO_ROOT, 'build', 'e2e-artifacts'));

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The browser executable, or null. TESSERA_CHROMIUM wins when set (and must exist). */
export function chromiumPath() {
  const env = process.env.TESSERA_CHROMIUM;
  if (env) return isExecutable(env) ? env : null;
  return CANDIDATES.find(isExecutable) ?? null;
}

async function importPlaywright() {
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new Error('playwright-core is not installed for the e2e tests: run ' +
      '`npm ci --prefix tests/e2e` (scripts/test.sh does it when needed). Cause: ' + e.message);
  }
}

/**
 * Launches chromium headless (no sandbox: the tests run as root). Throws a clear error when the
 * browser or playwright-core is missing. Returns a playwright Browser; close it with
 * closeBrowser().
 */
export async function launchBrowser() {
  const exe = chromiumPath();
  if (!exe) {
    throw new Error(`chromium not found (${process.env.TESSERA_CHROMIUM
      ? `TESSERA_CHROMIUM=${process.env.TESSERA_CHROMIUM} is not an executable`
      : `looked for ${CANDIDATES.join(', ')}`}). The browser tests need it: install Debian's ` +
      '`chromium` (scripts/setup.sh does) or set TESSERA_CHROMIUM to a chromium/chrome binary.');
  }
  const { chromium } = await importPlaywright();
  try {
    return await chromium.launch({
      executablePath: exe,
      headless: !process.env.TESSERA_E2E_HEADED,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run', '--disable-gpu'],
      timeout: 30_000,
    });
  } catch (e) {
    throw new Error(`cannot launch ${exe} through playwright-core: ${e.message}`);
  }
}

export async function closeBrowser(browser) {
  try { await browser?.close(); } catch { /* already gone */ }
}

/**
 * A fresh browser context (its own cookie jar) and a page in it, with short timeouts so a page
 * that never comes fails the test instead of hanging it.
 */
export async function newPage(browser, { timeoutMs = 15_000 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 },
    locale: 'en-US', userAgent: 'tessera-e2e chromium' });
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  const page = await context.newPage();
  return { context, page };
}

let artifactsReady = null;
export function artifactsDir() {
  artifactsReady ??= fsp.mkdir(ARTIFACTS_DIR, { recursive: true }).then(() => ARTIFACTS_DIR);
  return artifactsReady;
}

/**
 * Saves a full-page PNG screenshot as `<artifacts>/<name>.png` (e.g. `oidc-01-login`) and
 * returns its path. Never throws: a failed screenshot must not hide the real test result.
 */
export async function screenshot(page, name) {
  const safe = String(name).replace(/\.png$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-');
  const file = path.join(await artifactsDir(), `${safe}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch (e) {
    process.stderr.write(`screenshot ${file} failed: ${e.message}\n`);
    return null;
  }
}

/** For assertion messages: where the page is and the start of its text. */
export async function describePage(page) {
  let text = '';
  try { text = (await page.innerText('body', { timeout: 2000 })).replace(/\s+/g, ' ').slice(0, 600); } catch { /* none */ }
  return `page ${page.url()} — "${text}"`;
}
