// Passkeys (WebAuthn) on the hosted pages, end to end: chromium with the DevTools protocol's
// virtual authenticator (a platform authenticator with resident keys and user verification)
// against the real binary.
// - the account page's "Add a passkey" → the page that runs navigator.credentials.create →
//   the recovery codes (a first factor) → the factor row; a second passkey goes straight back
//   to the account page; the security notice is mailed (the outbox);
// - the sign-in page's "Use a passkey" signs in alone (user verification: amr hwk + mfa, acr
//   mfa in an ID token); the autofill (conditional UI) signs in too;
// - password + passkey: the second-factor page's "Use a passkey";
// - without user verification a passkey is one factor: the second step follows;
// - a forged signature, a replayed answer, another app's passkey, another browser tab;
// - policy "required": a passkey instead of the QR code, and the passkey-only app;
// - the Content-Security-Policy: script-src 'self' on the passkey pages only, no inline script;
// - axe-core (WCAG 2.x A/AA) and screenshots (build/e2e-artifacts/passkey-*.png).
//
// The RP ID is PUBLIC_URL's host. Chromium refuses an IP address as RP ID ("This is an invalid
// domain"), so this server's PUBLIC_URL is http://localhost:<port> (not the harness's
// http://127.0.0.1:<port>) and the browser goes there. The virtual authenticator answers the
// sign-in page's conditional request (autofill) at once: the contexts that test the button
// make isConditionalMediationAvailable() say false (a browser without passkey autofill).
// Chromium gives no discoverable passkey without user verification (the sign-in page names no
// account): the sign-in "without user verification" is answered here, with the passkey's
// private key as the virtual authenticator exports it (handMadeAssertion).
//
// Run alone:  TESSERA_BIN=$PWD/build/tessera node --test tests/e2e/passkeys.test.mjs
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  backends, startServer, freePort, test, describe, before, after, signup, rand, request, show,
  assertStatus, sleep,
} from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage, screenshot } from './lib/browser.mjs';
import { layoutProblems, deadEndProblems } from './lib/layout.mjs';
import { AXE_SOURCE } from './lib/console_pages.mjs';
import { importOidcClient, registerClient, startCallbackServer } from './lib/oidc.mjs';

const client = await importOidcClient();
const MFA = 'urn:tessera:acr:mfa';
const RECOVERY_RE = /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/;
const PLATFORM = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
  hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true };

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/** axe-core, WCAG 2.0/2.1/2.2 A and AA rules only, every impact. */
async function axeCheck(page, what) {
  assert.ok(AXE_SOURCE, 'axe-core is installed (npm ci --prefix tests/e2e)');
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160)).join(' | '));
  });
  assert.deepEqual(violations, [], `axe on ${what}: ${page.url()}`);
}

/** The page's scripts: [{src, inline}] (inline: has no src). */
const scriptsOf = (page) => page.locator('script').evaluateAll((els) =>
  els.map((s) => ({ src: s.getAttribute('src'), inline: !s.hasAttribute('src') })));

/**
 * What a security key without user verification answers (flags: user present only), made here
 * with the credential's private key as the virtual authenticator exported it
 * (WebAuthn.getCredentials): PublicKeyCredential.toJSON() form, as static/passkeys.js posts it.
 */
function handMadeAssertion(credential, { challenge, origin, rpId, signCount, flags = 0x01 }) {
  const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin, crossOrigin: false }));
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount);
  const authData = Buffer.concat([sha256(rpId), Buffer.from([flags]), counter]);
  const key = crypto.createPrivateKey({ key: Buffer.from(credential.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientData)]), key); // DER (ECDSA)
  const id = b64url(Buffer.from(credential.credentialId, 'base64'));
  return JSON.stringify({ id, rawId: id, type: 'public-key', response: {
    clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature),
    userHandle: b64url(Buffer.from(credential.userHandle, 'base64')) } });
}

/** The text/plain part of a MIME message (.eml), decoded. */
function mailText(eml) {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(eml)?.[1];
  const parts = boundary ? eml.split(`--${boundary}`) : [eml];
  for (const part of parts) {
    const at = part.search(/\r?\n\r?\n/);
    if (at < 0) continue;
    const head = part.slice(0, at);
    if (boundary && !/content-type:\s*text\/plain/i.test(head)) continue;
    const body = part.slice(at).trim();
    if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      return Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    }
    return body;
  }
  return eml;
}

for (const backend of backends()) {
  describe(`passkeys on the hosted pages [${backend}]`, () => {
    let srv, browser, rp, web, A, B, R, P, oidc;
    const suffix = backend === 'sqlite' ? '' : `-${backend}`;
    const iss = (app = A) => `${web}/apps/${app}`;

    before(async () => {
      browser = await launchBrowser();
      rp = await startCallbackServer();
      const port = await freePort();
      // isolatedSchema: the mail outbox is read here (see lib/tessera.mjs).
      srv = await startServer({ port, publicUrl: `http://localhost:${port}`, postgres: backend === 'postgres',
        isolatedSchema: true, label: `passkeys-${backend}` });
      web = `http://localhost:${port}`;
      A = srv.app;
      B = `pkb-${rand(8)}`;
      await srv.createApp(B, 'Beta Books');
      // Set with the CLI before the server ever reads the app (no cached older copy).
      R = `pkr-${rand(8)}`;
      await srv.createApp(R, 'Acme Vault');
      await srv.admin(['update-app', '--app', R, '--mfa', 'required']);
      P = `pkp-${rand(8)}`;
      await srv.createApp(P, 'Keys Only');
      await srv.admin(['update-app', '--app', P, '--mfa', 'required', '--mfa-totp', 'false']);
      const c = await registerClient(srv, { app: A, name: 'Web', redirectUris: [rp.url('/callback')] });
      oidc = await client.discovery(new URL(iss(A)), c.client_id, c.client_secret,
        client.ClientSecretBasic(c.client_secret), { execute: [client.allowInsecureRequests] });
    });
    after(async () => {
      await closeBrowser(browser);
      await rp?.close();
      await srv?.close();
    });

    // ------------------------------------------------------------------ helpers
    const click = (page, role, name, opts = {}) =>
      Promise.all([page.waitForNavigation(), page.getByRole(role, { name, exact: true, ...opts }).click()]).then(([r]) => r);
    const mfaSection = (page) => page.locator('section', { has: page.locator('#mfa-heading') });
    const pathOf = (page) => new URL(page.url()).pathname;

    /**
     * A browser context with a virtual authenticator on its page: {context, page, cdp,
     * authenticatorId, credentials()}. `conditional: false` (the default) hides passkey
     * autofill from the pages, so only the button uses a passkey.
     */
    async function passkeyBrowser({ conditional = false, options = {} } = {}) {
      const { context, page } = await newPage(browser);
      if (!conditional) {
        await context.addInitScript(() => {
          if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
        });
      }
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      const b = { context, page, cdp };
      b.addAuthenticator = async (opts = {}) => {
        ({ authenticatorId: b.authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator',
          { options: { ...PLATFORM, ...opts } }));
        return b.authenticatorId;
      };
      b.credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId: b.authenticatorId })).credentials;
      b.close = () => context.close();
      await b.addAuthenticator(options);
      return b;
    }

    /** From `app`'s account page through the sign-in page with the password. */
    async function passwordSignIn(page, u, app = A) {
      await page.goto(`${iss(app)}/account`);
      assert.match(pathOf(page), /\/login$/, await describePage(page));
      await page.getByLabel('Email or username').fill(u.email);
      await page.locator('input[name="password"]').fill(u.password);
      return click(page, 'button', 'Sign in');
    }

    async function signOut(page, app = A) {
      await page.goto(`${iss(app)}/account`);
      await click(page, 'button', 'Sign out');
    }

    /** Where GET account lands: true when signed in to `app`. */
    async function signedIn(page, app = A) {
      await page.goto(`${iss(app)}/account`);
      return /\/account$/.test(pathOf(page)) && /Signed in as/.test(await page.innerText('body'));
    }

    /** On the account page (signed in): "Add a passkey" → the registration page; its form's options. */
    async function openRegistration(page) {
      await page.goto(`${iss()}/account`);
      const res = await click(page, 'button', 'Add a passkey');
      assert.match(pathOf(page), /\/account\/passkeys\/new$/, await describePage(page));
      const form = page.locator('form[data-passkey="register"]');
      await form.waitFor({ state: 'visible' });
      return { res, options: JSON.parse(await form.getAttribute('data-options')) };
    }

    /** A user of A with a passkey, added from the account page (and the recovery codes seen): {u, b, codes}. */
    async function userWithPasskey(bOpts) {
      const u = await signup(srv, { app: A });
      const b = await passkeyBrowser(bOpts);
      await passwordSignIn(b.page, u);
      await openRegistration(b.page);
      await click(b.page, 'button', 'Create a passkey');
      assert.equal(await b.page.locator('h1').innerText(), 'Save your recovery codes', await describePage(b.page));
      const codes = (await b.page.locator('ol.recovery-codes li').allInnerTexts()).map((s) => s.trim());
      await click(b.page, 'link', 'I saved them — continue');
      return { u, b, codes };
    }

    /** The sign-in page with its passkey form shown (by static/passkeys.js); its response. */
    async function signInPage(page, app = A, query = '') {
      const res = await page.goto(`${iss(app)}/login${query}`);
      await page.locator('form[data-passkey="authenticate"]').waitFor({ state: 'visible' });
      return res;
    }

    /** Screenshots at 1280 and 375 px (passkey-<name>-<width>.png): fits, no dead end, axe clean. */
    async function shots(page, name) {
      const problems = [];
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 800 });
        await screenshot(page, `passkey-${name}${suffix}-${width}`);
        problems.push(...(await layoutProblems(page)).map((p) => `${width} px: ${p}`));
        if (width === 1280) problems.push(...await deadEndProblems(page));
      }
      await page.setViewportSize({ width: 1000, height: 800 });
      assert.deepEqual(problems, [], `passkey-${name}: ${await describePage(page)}`);
      await axeCheck(page, `passkey-${name}`);
    }

    /** The security notices written to the outbox for `to` (the log lines, with the mail's text). */
    async function notices(to, count) {
      const end = Date.now() + 10_000;
      for (;;) {
        const lines = srv.output().split('\n').filter((l) => l.includes('mail_written_to_outbox'))
          .map((l) => { try { return JSON.parse(l); } catch { return null; } })
          .filter((l) => l && l.to === to && l.kind === 'security_notice');
        if (lines.length >= count || Date.now() > end) {
          return lines.map((l) => ({ ...l, text: mailText(fs.readFileSync(l.path, 'utf8')) }));
        }
        await sleep(100);
      }
    }

    /**
     * An authorization code flow of the OIDC client (app A) in `page`: `onLogin(page)` on the
     * sign-in page, `onSecondStep(page)` on the second-factor page, "Allow" on the consent page.
     * Returns {seen, claims}.
     */
    async function oidcFlow(page, { onLogin, onSecondStep } = {}) {
      const checks = { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: client.randomState(),
        expectedNonce: client.randomNonce() };
      const url = client.buildAuthorizationUrl(oidc, {
        redirect_uri: rp.url('/callback'), scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
        code_challenge_method: 'S256', state: checks.expectedState, nonce: checks.expectedNonce,
      });
      const callback = rp.next('/callback', { match: (u) => u.searchParams.get('state') === checks.expectedState });
      callback.catch(() => {});
      await page.goto(url.href);
      const seen = [];
      for (let step = 0; step < 6 && new URL(page.url()).origin !== rp.origin; step++) {
        const path = pathOf(page);
        if (path.endsWith('/login') && onLogin) {
          seen.push('login');
          await onLogin(page);
        } else if (path.endsWith('/login/mfa') && onSecondStep) {
          seen.push('mfa');
          await onSecondStep(page);
        } else if (await page.locator('button[name="decision"][value="allow"]').count()) {
          seen.push('consent');
          await click(page, 'button', 'Allow');
        } else {
          assert.fail(`an unexpected page (seen ${seen}): ${await describePage(page)}`);
        }
      }
      assert.equal(new URL(page.url()).origin, rp.origin, `back at the client: ${await describePage(page)}`);
      const tokens = await client.authorizationCodeGrant(oidc, await callback, checks);
      return { seen, claims: tokens.claims() };
    }
    const usePasskey = async (page) => {
      await page.locator('form[data-passkey]').waitFor({ state: 'visible' });
      return click(page, 'button', 'Use a passkey');
    };

    /**
     * POSTs `fields` from `page` with a form made in it (the pages' CSP allows no fetch): its
     * cookies, its Origin. {status, path} of where the browser ends.
     */
    async function postFrom(page, url, fields) {
      const [res] = await Promise.all([page.waitForNavigation(), page.evaluate(([u, f]) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = u;
        for (const [k, v] of Object.entries(f)) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = k;
          input.value = v;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      }, [url, fields])]);
      return { status: res.status(), path: pathOf(page), where: await describePage(page) };
    }

    /** The reasons of `app`'s mfa.failed audit events about `userId` (or with no user), newest first. */
    async function failures(app, userId) {
      const events = await srv.adminLines(['audit', '--app', app, '--action', 'mfa.failed', '--limit', '200']);
      return events.filter((e) => (userId ? e.subject_id === userId : !e.subject_id) && e.details?.method === 'passkey')
        .map((e) => e.details.reason);
    }

    // ------------------------------------------------------------------ tests
    test('(a) "Add a passkey" on the account page: the recovery codes, the factor row, a security notice; a second passkey goes straight back', async () => {
      const u = await signup(srv, { app: A });
      const b = await passkeyBrowser();
      const { page } = b;
      try {
        await passwordSignIn(page, u);
        const account = await page.goto(`${iss()}/account`);
        assert.match(await mfaSection(page).innerText(), /Two-step verification[\s\S]*Off\./);
        // The account page has buttons only: no script, no script-src.
        assert.doesNotMatch(account.headers()['content-security-policy'] || '', /script-src/, 'account page CSP');
        assert.deepEqual(await scriptsOf(page), []);

        const { res, options } = await openRegistration(page);
        assert.equal(res.status(), 200);
        assert.equal(await page.locator('h1').innerText(), 'Add a passkey');
        assert.match(res.headers()['cache-control'] || '', /no-store/);
        assert.match(res.headers()['content-security-policy'] || '', /(^|; )script-src 'self'(;|$)/, 'registration page CSP');
        const scripts = await scriptsOf(page);
        assert.equal(scripts.length, 1, JSON.stringify(scripts));
        assert.match(scripts[0].src, /\/assets\/passkeys\.js(\?|$)/);
        // What the browser is asked for: this host as RP ID, a resident key, no attestation.
        assert.equal(options.rp.id, 'localhost', JSON.stringify(options));
        assert.equal(options.user.displayName, u.email);
        assert.match(options.user.name, new RegExp(`^${u.email.replace(/[.]/g, '\\.')} · `), 'the user name names the app');
        assert.equal(options.authenticatorSelection.residentKey, 'required');
        assert.equal(options.attestation, 'none');
        assert.deepEqual(options.pubKeyCredParams.map((p) => p.alg), [-7, -8, -257]);
        assert.deepEqual(options.excludeCredentials, []);
        assert.match(options.challenge, /^[A-Za-z0-9_-]{43}$/);
        await shots(page, 'register');

        await page.getByLabel(/^Name/).fill('Laptop');
        const codesRes = await click(page, 'button', 'Create a passkey');
        assert.equal(await page.locator('h1').innerText(), 'Save your recovery codes', await describePage(page));
        assert.match(codesRes.headers()['cache-control'] || '', /no-store/);
        const codes = (await page.locator('ol.recovery-codes li').allInnerTexts()).map((s) => s.trim());
        assert.equal(codes.length, 10);
        for (const c of codes) assert.match(c, RECOVERY_RE);
        await click(page, 'link', 'I saved them — continue');
        assert.match(pathOf(page), /\/account$/, await describePage(page));
        assert.equal(new URL(page.url()).searchParams.get('done'), 'passkey-added');
        assert.match(await page.innerText('body'), /Passkey added/);
        const section = await mfaSection(page).innerText();
        assert.match(section, /Laptop/, section);
        assert.match(section, /Passkey · added/, section);
        assert.match(section, /10 of 10 recovery codes left/, section);
        assert.equal(await page.getByRole('button', { name: 'Remove Laptop' }).count(), 1);
        await shots(page, 'account');

        // The authenticator holds a discoverable credential for this host, of this user.
        const [cred] = await b.credentials();
        assert.equal(cred.rpId, 'localhost');
        assert.equal(cred.isResidentCredential, true);
        assert.equal(Buffer.from(cred.userHandle, 'base64').toString(), u.user.id);
        const [notice] = await notices(u.email, 1);
        assert.ok(notice, 'a security notice was mailed');
        assert.match(notice.subject, /sign-in security changed$/);
        assert.match(notice.text, /A passkey \("Laptop"\) was added/, notice.text.slice(0, 2000));

        // A second passkey (another device): the first one is excluded; no codes page this time.
        await b.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: b.authenticatorId });
        await b.addAuthenticator();
        const second = await openRegistration(page);
        assert.deepEqual(second.options.excludeCredentials.map((c) => c.id), [b64url(Buffer.from(cred.credentialId, 'base64'))]);
        await page.getByLabel(/^Name/).fill('Phone');
        await click(page, 'button', 'Create a passkey');
        assert.match(pathOf(page), /\/account$/, `straight back to the account page: ${await describePage(page)}`);
        assert.equal(new URL(page.url()).searchParams.get('done'), 'passkey-added');
        const both = await mfaSection(page).innerText();
        assert.match(both, /Laptop[\s\S]*Phone|Phone[\s\S]*Laptop/, both);
        assert.match(both, /10 of 10 recovery codes left/, 'the codes stay');
        assert.equal((await notices(u.email, 2)).length, 2, 'a notice for each passkey');
      } finally {
        await b.close();
      }
    });

    test('(b) "Use a passkey" on the sign-in page signs in alone; an ID token then says amr hwk + mfa, acr mfa; autofill signs in too', async () => {
      const { u, b } = await userWithPasskey();
      const { page } = b;
      try {
        await signOut(page);
        const res = await signInPage(page);
        // The sign-in page runs the one script, from /assets; nothing inline.
        assert.match(res.headers()['content-security-policy'] || '', /(^|; )script-src 'self'(;|$)/);
        const scripts = await scriptsOf(page);
        assert.deepEqual(scripts.filter((s) => s.inline), [], 'no inline script');
        assert.equal(scripts.length, 1);
        assert.match(scripts[0].src, /\/assets\/passkeys\.js(\?|$)/);
        const js = await request('GET', new URL(scripts[0].src, web).href);
        assertStatus(js, 200);
        assert.match(js.headers.get('content-type') || '', /javascript/);
        assert.equal(await page.getByLabel('Email or username').getAttribute('autocomplete'), 'username webauthn');
        assert.equal(await page.locator('form[data-passkey]').getAttribute('data-conditional'), 'true');
        const options = JSON.parse(await page.locator('form[data-passkey]').getAttribute('data-options'));
        assert.deepEqual(options.allowCredentials, [], 'discoverable: no account named before the passkey');
        assert.equal(options.rpId, 'localhost');
        await shots(page, 'login');
        // Pages without a passkey form send no script-src (and no script).
        for (const p of ['/signup', '/login/mfa', '/forgot-password']) {
          const other = await request('GET', `${iss()}${p}`);
          assert.ok([200, 400].includes(other.status), show(other));
          assert.doesNotMatch(other.headers.get('content-security-policy') || '', /script-src/, show(other));
          assert.doesNotMatch(other.text, /<script/i, show(other));
        }

        await usePasskey(page);
        assert.match(pathOf(page), /\/account$/, await describePage(page));
        assert.match(await page.innerText('body'), new RegExp(`Signed in as\\s+${u.email.replace(/[.]/g, '\\.')}`));

        // Through an OIDC client: the sign-in page's passkey (return_to kept), then the consent.
        await signOut(page);
        const r = await oidcFlow(page, { onLogin: usePasskey });
        assert.deepEqual(r.seen, ['login', 'consent']);
        assert.equal(r.claims.sub, u.user.id);
        assert.equal(r.claims.acr, MFA, JSON.stringify(r.claims));
        assert.ok(r.claims.amr.includes('mfa'), JSON.stringify(r.claims.amr));
        assert.ok(r.claims.amr.includes('hwk') || r.claims.amr.includes('swk'), JSON.stringify(r.claims.amr));
        assert.ok(!r.claims.amr.includes('pwd'), JSON.stringify(r.claims.amr));

        // Autofill (conditional UI): in a browser that offers it, the passkey chosen from the
        // identifier field's suggestions signs in (the virtual authenticator chooses at once).
        const [cred] = await b.credentials();
        const auto = await passkeyBrowser({ conditional: true });
        try {
          await auto.cdp.send('WebAuthn.addCredential', { authenticatorId: auto.authenticatorId, credential: { ...cred, signCount: cred.signCount + 10 } });
          await auto.page.goto(`${iss()}/login`);
          await auto.page.waitForURL(/\/account$/, { timeout: 10_000 });
          assert.match(await auto.page.innerText('body'), /Signed in as/, await describePage(auto.page));
        } finally {
          await auto.close();
        }
      } finally {
        await b.close();
      }
    });

    test('(c) password + passkey: the password, then the second-factor page\'s "Use a passkey"; amr pwd + hwk + mfa', async () => {
      const { u, b } = await userWithPasskey();
      const { page } = b;
      try {
        await signOut(page);
        const res = await passwordSignIn(page, u);
        assert.match(pathOf(page), /\/login\/mfa$/, await describePage(page));
        assert.match(res.headers()['content-security-policy'] || '', /(^|; )script-src 'self'(;|$)/);
        assert.deepEqual((await scriptsOf(page)).filter((s) => s.inline), []);
        assert.equal(await page.locator('h1').innerText(), 'Two-step verification');
        await page.locator('form[data-passkey="authenticate"]').waitFor({ state: 'visible' });
        const options = JSON.parse(await page.locator('form[data-passkey]').getAttribute('data-options'));
        const [cred] = await b.credentials();
        assert.deepEqual(options.allowCredentials.map((c) => c.id), [b64url(Buffer.from(cred.credentialId, 'base64'))],
          'the second step names the user\'s passkeys');
        // No authenticator app: the other way is a recovery code.
        assert.equal(await page.getByLabel('Recovery code').count(), 1);
        assert.equal((await b.context.request.get(`${iss()}/account`, { maxRedirects: 0 })).status(), 303,
          'the second step\'s page is no session yet');
        await shots(page, 'verify');

        await usePasskey(page);
        assert.match(pathOf(page), /\/account$/, await describePage(page));
        assert.match(await page.innerText('body'), /Signed in as/);
        const r = await oidcFlow(page);
        assert.deepEqual(r.seen, ['consent'], 'the session is used');
        assert.equal(r.claims.acr, MFA, JSON.stringify(r.claims));
        assert.deepEqual(r.claims.amr, ['pwd', 'hwk', 'mfa']);
      } finally {
        await b.close();
      }
    });

    test('(d) without user verification a passkey is one factor: the browser refuses such a sign-in; a made one gets the second step', async () => {
      const { u, b, codes } = await userWithPasskey();
      const { page } = b;
      try {
        await signOut(page);
        const [cred] = await b.credentials();
        // The screen lock fails: chromium asks for it ("preferred") and gives no passkey.
        await b.cdp.send('WebAuthn.setUserVerified', { authenticatorId: b.authenticatorId, isUserVerified: false });
        await signInPage(page);
        const posts = [];
        page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
        await page.getByRole('button', { name: 'Use a passkey', exact: true }).click();
        await page.locator('.passkey-error').waitFor({ state: 'visible' });
        assert.match(await page.locator('.passkey-error').innerText(), /No passkey was used/);
        assert.deepEqual(posts, [], 'nothing was posted');
        assert.match(pathOf(page), /\/login$/);

        // A security key without user verification (flags: user present only), made here with
        // the passkey's private key, answering this page's challenge through its form.
        await signInPage(page);
        const options = JSON.parse(await page.locator('form[data-passkey]').getAttribute('data-options'));
        const answer = handMadeAssertion(cred, { challenge: options.challenge, origin: web, rpId: 'localhost',
          signCount: cred.signCount + 1 });
        const [res] = await Promise.all([page.waitForNavigation(), page.evaluate((c) => {
          const f = document.querySelector('form[data-passkey]');
          f.querySelector('input[name="credential"]').value = c;
          f.submit();
        }, answer)]);
        assert.equal(res.status(), 200, await describePage(page));
        assert.match(pathOf(page), /\/login\/mfa$/, `the second step follows: ${await describePage(page)}`);
        assert.equal(await page.locator('h1').innerText(), 'Two-step verification');
        assert.equal((await b.context.request.get(`${iss()}/account`, { maxRedirects: 0 })).status(), 303, 'not signed in yet');
        // A recovery code completes it: hwk + mfa (the passkey, then something else).
        await page.getByLabel('Recovery code').fill(codes[0]);
        await click(page, 'button', 'Verify and sign in');
        assert.match(pathOf(page), /\/account$/, await describePage(page));
        const r = await oidcFlow(page);
        assert.equal(r.claims.acr, MFA, JSON.stringify(r.claims));
        assert.deepEqual(r.claims.amr, ['hwk', 'mfa']);
      } finally {
        await b.close();
      }
    });

    // A passkey without user verification is the first factor only; the second step then
    // refuses a passkey without user verification (the same one, present twice, is not two
    // factors).
    test('(d2) a passkey without user verification, then the same passkey as the second step: no session with "mfa"', async () => {
      const { b } = await userWithPasskey();
      const { page } = b;
      try {
        await signOut(page);
        const [cred] = await b.credentials();
        await signInPage(page);
        const options = JSON.parse(await page.locator('form[data-passkey]').getAttribute('data-options'));
        const answer = handMadeAssertion(cred, { challenge: options.challenge, origin: web, rpId: 'localhost',
          signCount: cred.signCount + 1 });
        await Promise.all([page.waitForNavigation(), page.evaluate((c) => {
          const f = document.querySelector('form[data-passkey]');
          f.querySelector('input[name="credential"]').value = c;
          f.submit();
        }, answer)]);
        assert.match(pathOf(page), /\/login\/mfa$/, await describePage(page));
        // The same passkey again, made the same way (user present only), on the second step.
        const second = JSON.parse(await page.locator('form[data-passkey]').getAttribute('data-options'));
        const again = handMadeAssertion(cred, { challenge: second.challenge, origin: web, rpId: 'localhost',
          signCount: cred.signCount + 2 });
        await Promise.all([page.waitForNavigation(), page.evaluate((c) => {
          const f = document.querySelector('form[data-passkey]');
          f.querySelector('input[name="credential"]').value = c;
          f.submit();
        }, again)]);
        const where = await describePage(page);
        if (/\/account$/.test(pathOf(page))) {
          const r = await oidcFlow(page);
          assert.ok(!r.claims.amr.includes('mfa'), `one passkey without user verification, used twice, ` +
            `made a session with amr ${JSON.stringify(r.claims.amr)} and acr ${r.claims.acr}: ${where}`);
        } else {
          assert.match(pathOf(page), /\/login(\/mfa(\/passkey)?)?$/, where);
        }
      } finally {
        await b.close();
      }
    });

    test('(e) a forged signature is "Not signed in" (401); a replayed answer is refused (the challenge is single use)', async () => {
      const { u, b } = await userWithPasskey();
      const { page, context } = b;
      try {
        await signOut(page);
        // Flip a bit of the signature (its last byte: the DER stays well-formed).
        await page.route('**/login/passkey', async (route) => {
          const req = route.request();
          if (req.method() !== 'POST') return route.continue();
          const form = new URLSearchParams(req.postData());
          const cred = JSON.parse(form.get('credential'));
          const sig = Buffer.from(cred.response.signature, 'base64url');
          sig[sig.length - 1] ^= 0x01;
          cred.response.signature = b64url(sig);
          form.set('credential', JSON.stringify(cred));
          return route.continue({ postData: form.toString() });
        });
        await signInPage(page);
        const forged = await usePasskey(page);
        assert.equal(forged.status(), 401, await describePage(page));
        assert.equal(await page.locator('h1').innerText(), 'Not signed in');
        assert.equal(await page.getByRole('link', { name: 'Back to sign in' }).count(), 1);
        assert.equal(await signedIn(page), false, 'no session');
        assert.deepEqual(await failures(A, u.user.id), ['invalid_assertion'], 'refused for its signature');
        await page.unroute('**/login/passkey');

        // A good answer, recorded with its binding cookie, signs in once…
        await signInPage(page);
        const binding = (await context.cookies(web)).find((c) => /tessera_passkey$/.test(c.name));
        assert.ok(binding, 'the sign-in page sets its passkey cookie');
        let posted = null;
        page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/login/passkey')) posted = r.postData(); });
        await usePasskey(page);
        assert.match(pathOf(page), /\/account$/, await describePage(page));
        const credential = new URLSearchParams(posted).get('credential');
        assert.ok(credential);
        await signOut(page);
        // …and is refused the second time: same answer, same cookie, a good CSRF token.
        await signInPage(page);
        await context.addCookies([{ name: binding.name, value: binding.value, url: web }]);
        const csrf = await page.locator('form[data-passkey] input[name="csrf_token"]').inputValue();
        const replay = await postFrom(page, `${iss()}/login/passkey`, { csrf_token: csrf, credential });
        assert.equal(replay.status, 401, replay.where);
        assert.match(replay.path, /\/login\/passkey$/, replay.where);
        assert.match(replay.where, /Not signed in/);
        assert.equal(await signedIn(page), false, 'no session');
      } finally {
        await b.close();
      }
    });

    test('(f) app A\'s passkey is unknown on app B: chosen on B\'s sign-in page, or A\'s answer posted to B', async () => {
      const { u, b } = await userWithPasskey();
      const { page, context } = b;
      try {
        // Same RP ID for every app: the authenticator offers A's passkey on B's page…
        await signInPage(page, B);
        const onB = await usePasskey(page);
        assert.equal(onB.status(), 401, await describePage(page));
        assert.equal(await page.locator('h1').innerText(), 'Not signed in');
        assert.equal(await signedIn(page, B), false, 'not signed in to B');
        assert.deepEqual(await failures(B, null), ['unknown_credential'], 'B knows no such passkey');
        await signOut(page);
        await signInPage(page);
        const bindingA = (await context.cookies(web)).find((c) => /tessera_passkey$/.test(c.name));
        // …and an answer made for A, taken before A sees it, posted to B: with B's passkey
        // cookie, and with the one A's challenge is bound to.
        let captured = null;
        await page.route('**/login/passkey', (route) => {
          captured = new URLSearchParams(route.request().postData()).get('credential');
          return route.abort();
        });
        await page.getByRole('button', { name: 'Use a passkey', exact: true }).click();
        for (let i = 0; i < 100 && !captured; i++) await sleep(50);
        assert.ok(captured, 'the answer for A was taken');
        await page.unroute('**/login/passkey');
        await signInPage(page, B);
        const csrf = await page.locator('form[data-passkey] input[name="csrf_token"]').inputValue();
        const withB = await postFrom(page, `${iss(B)}/login/passkey`, { csrf_token: csrf, credential: captured });
        assert.equal(withB.status, 401, `A's answer does not sign in to B: ${withB.where}`);
        assert.match(withB.where, /Not signed in/);
        await context.addCookies([{ name: bindingA.name, value: bindingA.value, url: web }]);
        const withA = await postFrom(page, `${iss(B)}/login/passkey`, { csrf_token: csrf, credential: captured });
        assert.equal(withA.status, 401, `A's answer with A's cookie does not sign in to B: ${withA.where}`);
        assert.equal(await signedIn(page, B), false, 'not signed in to B');
        // Still good on A (the refusals spent nothing of A's).
        await signInPage(page);
        await usePasskey(page);
        assert.match(await page.innerText('body'), new RegExp(`Signed in as\\s+${u.email.replace(/[.]/g, '\\.')}`), await describePage(page));
      } finally {
        await b.close();
      }
    });

    // The passkey cookie binds the browser, not one page: a sign-in page opened in a second tab
    // keeps the first tab's passkey usable.
    test('(f2) two sign-in tabs: the passkey works in the first one too', async () => {
      const { b } = await userWithPasskey();
      const { page, context } = b;
      try {
        await signOut(page);
        await signInPage(page);
        const other = await context.newPage();
        await other.goto(`${iss()}/login`);
        await other.close();
        const res = await usePasskey(page);
        assert.match(pathOf(page), /\/account$/, `status ${res.status()}: ${await describePage(page)}`);
      } finally {
        await b.close();
      }
    });

    // The passkey forms stay hidden until static/passkeys.js shows them: without JavaScript
    // (or WebAuthn) no passkey button shows.
    test('(g) without JavaScript no passkey button shows: the sign-in page, the registration page', async () => {
      const u = await signup(srv, { app: A });
      const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US', viewport: { width: 1000, height: 800 } });
      context.setDefaultTimeout(15_000);
      try {
        const page = await context.newPage();
        await passwordSignIn(page, u);
        await page.goto(`${iss()}/account`);
        await click(page, 'button', 'Add a passkey');
        assert.match(await page.innerText('main'), /Adding a passkey needs JavaScript/);
        await screenshot(page, `passkey-nojs-register${suffix}-1000`);
        const problems = [];
        if (await page.getByRole('button', { name: 'Create a passkey' }).isVisible()) problems.push('registration page: "Create a passkey" shows');
        await signOut(page);
        await page.goto(`${iss()}/login`);
        await screenshot(page, `passkey-nojs-login${suffix}-1000`);
        if (await page.getByRole('button', { name: 'Use a passkey' }).isVisible()) {
          const res = await click(page, 'button', 'Use a passkey');
          problems.push(`sign-in page: "Use a passkey" shows; it posts an empty answer → ${res.status()} "${await page.locator('h1').innerText()}"`);
        }
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    test('policy "required": the QR code page offers "Use a passkey instead"; an app of passkeys only asks for one', async () => {
      for (const [app, button] of [[R, 'Use a passkey instead'], [P, 'Create a passkey']]) {
        const u = await signup(srv, { app });
        const b = await passkeyBrowser();
        try {
          const res = await passwordSignIn(b.page, u, app);
          assert.match(pathOf(b.page), /\/login\/mfa$/, await describePage(b.page));
          assert.match(res.headers()['content-security-policy'] || '', /script-src 'self'/);
          if (app === R) {
            assert.equal(await b.page.locator('h1').innerText(), 'Add an authenticator app');
            assert.equal(await b.page.locator('#totp-secret').count(), 1);
          } else {
            assert.equal(await b.page.locator('h1').innerText(), 'Add a passkey');
            assert.match(await b.page.innerText('main'), /Keys Only asks everyone to use two-step verification/);
            assert.equal(await b.page.locator('#totp-secret').count(), 0, 'no authenticator app offered');
            await shots(b.page, 'required');
          }
          await b.page.locator('form[data-passkey="register"]').waitFor({ state: 'visible' });
          await click(b.page, 'button', button);
          assert.equal(await b.page.locator('h1').innerText(), 'Save your recovery codes', await describePage(b.page));
          await click(b.page, 'link', 'I saved them — continue');
          assert.match(pathOf(b.page), /\/account$/, await describePage(b.page));
          assert.match(await mfaSection(b.page).innerText(), /Passkey · added/);
          // The passkey signs in from now on.
          await signOut(b.page, app);
          await signInPage(b.page, app);
          await usePasskey(b.page);
          assert.match(pathOf(b.page), /\/account$/, await describePage(b.page));
        } finally {
          await b.close();
        }
      }
    });
  });
}
