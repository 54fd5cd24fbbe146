// The Pocket blog example's backend (examples/pocket, build/pocket_server) for the browser
// tests: finding and starting the binary, and waiting for a Pocket page to finish loading.
// Used by example_pocket.test.mjs and example_pocket_migration.test.mjs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, TESSERA_BIN } from './tessera.mjs';
import { request } from './http.mjs';
import { rand, sleep } from './util.mjs';
import { screenshot, describePage, closeBrowser } from './browser.mjs';
import fsp from 'node:fs/promises';

// Beside the tessera binary under test (build/ unless TESSERA_BIN says otherwise).
const POCKET_BIN = process.env.POCKET_SERVER_BIN || path.join(path.dirname(TESSERA_BIN), 'pocket_server');
const WEB_DIR = path.join(REPO_ROOT, 'examples', 'pocket', 'web');

export function pocketBinary() {
  try {
    fs.accessSync(POCKET_BIN, fs.constants.X_OK);
    return POCKET_BIN;
  } catch {
    throw new Error(`${POCKET_BIN} is missing: build the Pocket example's backend first with ` +
      '`cmake --build build --target pocket_server` (or `make build`), or set POCKET_SERVER_BIN.');
  }
}

/**
 * Starts build/pocket_server on `port`; resolves once it answers /config.json. With
 * `introspection` ({clientId, clientSecret} of a resource-server client), Pocket also accepts
 * API tokens by introspection; the secret goes through the environment, not the arguments.
 */
export async function startPocket({ port, issuer, clientId, dataDir, introspection }) {
  const args = ['--issuer', issuer, '--client-id', clientId, '--listen', `127.0.0.1:${port}`,
    '--db', path.join(dataDir, 'pocket.db'), '--web-dir', WEB_DIR];
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('POCKET_')) delete env[k];
  if (introspection) {
    args.push('--introspection-client-id', introspection.clientId);
    env.POCKET_INTROSPECTION_CLIENT_SECRET = introspection.clientSecret;
  }
  const proc = spawn(pocketBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`pocket_server exited (${proc.exitCode}):\n${out}`);
    try {
      if ((await request('GET', `${url}/config.json`, { timeoutMs: 1000 })).status === 200) break;
    } catch { /* not yet */ }
    await sleep(100);
  }
  return {
    url,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

/**
 * Waits until a Pocket page (any, or `pathname`) of `pocket` (startPocket's) has finished
 * loading; returns its state. Fails with a screenshot and the backend's output otherwise.
 */
export async function pocketLoaded(page, pocket, pathname) {
  const until = Date.now() + 15_000;
  let last = null;
  while (Date.now() < until) {
    try {
      last = await page.evaluate(() => ({ origin: location.origin, path: location.pathname,
        search: location.search, loaded: document.body?.dataset.loaded, ready: document.body?.dataset.ready,
        notice: document.getElementById('notice')?.textContent || '' }));
      if (last.origin === pocket.url && last.loaded === 'error') assert.fail(`Pocket failed: ${last.notice}`);
      if (last.origin === pocket.url && last.loaded === 'true' && (!pathname || last.path === pathname)) return last;
    } catch (e) {
      if (e.code === 'ERR_ASSERTION') throw e;  // else: navigating
    }
    await sleep(100);
  }
  const file = await screenshot(page, `pocket-failure-${rand(4)}`);
  assert.fail(`Pocket did not finish loading ${pathname ?? ''} (last ${JSON.stringify(last)}): ` +
    `${await describePage(page)}${file ? ` (screenshot ${file})` : ''}\n--- pocket_server ---\n${pocket.output().slice(-3000)}`);
}

/** Ends a Pocket suite: its browser contexts and browser, Pocket, Tessera and its work folder. */
export async function closePocketSuite({ contexts = [], browser, pocket, srv, dir }) {
  for (const c of contexts) await c.close().catch(() => {});
  await closeBrowser(browser);
  await pocket?.stop();
  await srv?.close();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
}
