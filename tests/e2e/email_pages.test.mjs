// The email flows on the hosted pages, end to end against a real SMTP server (lib/smtp.mjs):
// WebClient (a fetch-based browser with cookies, lib/oidc.mjs) fills in the forms, the tests
// read the mail Tessera really sent and open its link or type its code.
// - /forgot-password: the same "Check your email" page for any address;
// - /reset-password?token=…: policy errors keep the link, success signs every session out,
//   a used link says what to do;
// - /magic-link: method=link → /magic-link/continue (a button; a GET signs nobody in) → POST →
//   session; method=code → /email-code → session;
// - /verify-email?token=…, the account page's "Send verification email" and "Change email"
//   (→ /confirm-email-change?token=…), used and unknown links, each through its Continue
//   button (a GET changes nothing: email_links.test.mjs);
// - CSRF: every POST form of these pages refuses a request without its token (403).
// And ONE run in a real browser (chromium through playwright-core, lib/browser.mjs): forgot
// password → the mailed link → a new password → sign in; then a magic-link sign-in; with
// screenshots email-NN-*.png in the artifacts dir (build/e2e-artifacts by default).
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, show, signup, uniqEmail, rand, assertStatus, login,
} from './lib/server.mjs';
import { WebClient, htmlText, parseForms } from './lib/oidc.mjs';
import {
  skipWithoutSmtp as skip, startMailStack, freshApp, SUBJECT, linkIn, tokenOf, codeOf,
  otherCode, nthMail, assertMailCount, openLink,
} from './lib/mailflow.mjs';
import { launchBrowser, closeBrowser, newPage, screenshot, describePage } from './lib/browser.mjs';

const CANT_USE = 'This link can’t be used';

for (const backend of backends()) {
  describe(`email flows on the hosted pages [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'email-pages'));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    const mail = (to, subject, timeoutMs) => smtp.waitFor({ to, subject }, timeoutMs);
    const text = (res) => htmlText(res.text);
    const pathOf = (app, page) => new URL(`${srv.issuer(app)}/${page}`).pathname;

    function assertPage(res, status, ...patterns) {
      assert.equal(res.status, status, show(res));
      assert.match(res.headers.get('content-type') || '', /^text\/html/, show(res));
      for (const p of patterns) {
        if (typeof p === 'string') assert.ok(text(res).includes(p), `"${p}" not on the page: ${text(res).slice(0, 800)}`);
        else assert.match(text(res), p, show(res));
      }
    }

    /** A form on `res` posting to `{issuer}/{page}` (its fields, with csrf_token). */
    function formTo(res, app, page) {
      const path = pathOf(app, page);
      const f = parseForms(res.text).find((x) => new URL(x.action, res.url).pathname === path && x.method === 'post');
      assert.ok(f, `no POST form to ${path} on ${show(res)}`);
      assert.ok(f.fields.csrf_token, `the form to ${path} carries a csrf_token`);
      return f;
    }

    function assertRedirect(res, page, app) {
      assert.equal(res.status, 303, show(res));
      const loc = WebClient.location(res);
      assert.equal(loc.pathname, pathOf(app, page), show(res));
      return loc;
    }

    /** A web client signed in (password) as a fresh user of `app`: {web, email, password, user}. */
    async function signedIn(app) {
      const u = await signup(srv, { app });
      const web = new WebClient(srv, { app });
      assertRedirect(await web.signIn(u.email, u.password), 'account', app);
      assert.ok(web.sessionCookie());
      return { web, ...u };
    }

    test('/forgot-password: the same "Check your email" page for any address; mail only to an account', async () => {
      const app = await freshApp(srv);
      const u = await signup(srv, { app });
      const ghost = uniqEmail('ghost');
      const pages = [];
      for (const email of [u.email, ghost]) {
        const web = new WebClient(srv, { app });
        const page = await web.get('forgot-password');
        assertPage(page, 200, 'Reset your password');
        const res = await web.submit(formTo(page, app, 'forgot-password'), page.url, { email });
        assertPage(res, 200, 'Check your email',
          `If an account uses ${email}, we sent it a link to reset the password. The link works for 30 minutes.`);
        pages.push(text(res).replace(email, 'ADDRESS'));
      }
      assert.equal(pages[0], pages[1], 'identical pages but for the address typed');
      const m = await mail(u.email, SUBJECT.reset);
      assert.ok(linkIn(m, '/reset-password?token=').startsWith(`${srv.issuer(app)}/reset-password?token=tet_`));
      await assertMailCount(smtp, ghost, 0, {
        sentinel: () => srv.api('POST', '/api/magic-link', { app, json: { email: u.email } }),
        sentinelTo: u.email, sentinelSubject: SUBJECT.magic,
      });
      // A malformed address: the form again, with the problem.
      const web = new WebClient(srv, { app });
      const page = await web.get('forgot-password');
      const bad = await web.submit(formTo(page, app, 'forgot-password'), page.url, { email: 'not an address' });
      assertPage(bad, 400, 'Enter a valid email address.');
    });

    test('/reset-password: a weak password keeps the link; success signs every session out; a used link says what to do', async () => {
      const app = await freshApp(srv);
      const { web: other, ...u } = await signedIn(app);  // a browser session from before the reset
      const apiSession = await login(srv, { email: u.email }, u.password, { app });
      assertStatus(await srv.api('POST', '/api/password/forgot', { app, json: { email: u.email } }), 202);
      const link = linkIn(await mail(u.email, SUBJECT.reset), '/reset-password?token=');

      const web = new WebClient(srv, { app });
      const page = await web.get(link);
      assertPage(page, 200, 'Choose a new password');
      const form = formTo(page, app, 'reset-password');
      assert.equal(form.fields.token, tokenOf(link), 'the token rides along in the form');
      assert.ok(form.inputs.some((i) => i.name === 'new_password' && i.type === 'password'));

      const weak = await web.submit(form, page.url, { new_password: 'password' });
      assertPage(weak, 400, /The new password .+\./);
      const retryForm = formTo(weak, app, 'reset-password');
      assert.equal(retryForm.fields.token, form.fields.token, 'the form keeps the link');

      const fresh = `new-pass-${rand(12)}`;
      const done = await web.submit(retryForm, weak.url, { new_password: fresh });
      assertPage(done, 200, 'Your password was changed', 'Every session was signed out. Sign in with your new password.');
      assert.ok(done.text.includes(`href="${pathOf(app, 'login')}"`), 'a "Sign in" link');
      await mail(u.email, SUBJECT.passwordChanged);

      // The browser session from before is over, and so is the API session.
      assertRedirect(await other.get('account'), 'login', app);
      assert.equal((await srv.api('POST', '/api/token/refresh', { app, json: { refresh_token: apiSession.refresh_token } })).status, 401);
      assert.equal((await new WebClient(srv, { app }).signIn(u.email, u.password)).status, 401);
      assertRedirect(await new WebClient(srv, { app }).signIn(u.email, fresh), 'account', app);

      // The same link again (the form resubmitted): used, and what to do.
      const again = await web.submit(retryForm, weak.url, { new_password: `other-pass-${rand(12)}` });
      assertPage(again, 400, CANT_USE, 'This link has already been used (or a newer one was sent). Ask for a new password reset link.',
        'Ask for a new link');
      assert.ok(again.text.includes(`href="${pathOf(app, 'forgot-password')}"`), 'links to /forgot-password');
    });

    test('/magic-link (link): the continue page signs nobody in on GET; its POST does', async () => {
      const app = await freshApp(srv);
      const u = await signup(srv, { app });
      const web = new WebClient(srv, { app });
      const page = await web.get('magic-link');
      assertPage(page, 200, 'Sign in with email');
      const form = formTo(page, app, 'magic-link');
      assert.deepEqual(form.buttons.filter((b) => b.name === 'method').map((b) => b.value), ['link', 'code']);
      const sent = await web.submit(form, page.url, { email: u.email, method: 'link' });
      assertPage(sent, 200, 'Check your email', `If ${u.email} can sign in here, we sent it a link.`);
      const link = linkIn(await mail(u.email, SUBJECT.magic), '/magic-link/continue?token=');

      // Opened (twice, like a mail scanner and then the user): a button, no session.
      const reader = new WebClient(srv, { app });
      for (let i = 0; i < 2; i++) {
        const cont = await reader.get(link);
        assertPage(cont, 200, 'You opened a sign-in link. Continue to finish signing in.');
        const f = formTo(cont, app, 'magic-link/continue');
        assert.equal(f.fields.token, tokenOf(link));
        assert.ok(f.buttons.some((b) => b.text === 'Continue'), 'a Continue button');
        assert.equal(reader.sessionCookie(), undefined, 'no session from a GET');
      }
      assertRedirect(await reader.get('account'), 'login', app);

      const cont = await reader.get(link);
      const signedIn = await reader.submit(formTo(cont, app, 'magic-link/continue'), cont.url);
      assertRedirect(signedIn, 'account', app);
      assert.ok(reader.sessionCookie(), `a session cookie: ${show(signedIn)}`);
      const account = await reader.get('account');
      assertPage(account, 200, 'Your account', u.email);
      // The magic link proved the address.
      assert.ok(text(account).includes('Verified'), 'the address shows as verified');

      // The button again (back button, or another device): the link is spent.
      const other = new WebClient(srv, { app });
      const reuse = await other.get(link);
      const used = await other.submit(formTo(reuse, app, 'magic-link/continue'), reuse.url);
      assertPage(used, 400, CANT_USE, 'Ask for a new sign-in link.', 'Get a new link');
      assert.equal(other.sessionCookie(), undefined, 'no session from a spent link');
    });

    test('/magic-link (code): redirected to /email-code; a wrong code says so, the right one signs in', async () => {
      const app = await freshApp(srv);
      const u = await signup(srv, { app });
      const web = new WebClient(srv, { app });
      const page = await web.get('magic-link');
      const res = await web.submit(formTo(page, app, 'magic-link'), page.url, { email: u.email, method: 'code' });
      const loc = assertRedirect(res, 'email-code', app);
      assert.equal(loc.searchParams.get('email'), u.email);
      const codePage = await web.follow(res);
      assertPage(codePage, 200, 'Enter the code', `We sent a 6-digit code to ${u.email}`);
      const form = formTo(codePage, app, 'email-code');
      assert.equal(form.fields.email, u.email);
      const code = codeOf(await mail(u.email, SUBJECT.code));

      const wrong = await web.submit(form, codePage.url, { code: otherCode(code) });
      assertPage(wrong, 401, 'That code is not right. Check the latest email and try again.');
      assert.equal(web.sessionCookie(), undefined);
      const ok = await web.submit(formTo(wrong, app, 'email-code'), wrong.url, { code });
      assertRedirect(ok, 'account', app);
      assert.ok(web.sessionCookie());
      assertPage(await web.get('account'), 200, u.email);
    });

    test('/verify-email: verified (twice is fine); an unknown link says what to do; the account shows it', async () => {
      const app = await freshApp(srv);
      const { web, ...u } = await signedIn(app);
      assertPage(await web.get('account'), 200, 'Not verified', 'Send verification email');
      const link = linkIn(await mail(u.email, SUBJECT.verify), '/verify-email?token=');
      for (let i = 0; i < 2; i++) {
        const res = await openLink(new WebClient(srv, { app }), link);
        assertPage(res, 200, 'Your email is verified', `Thank you: ${u.email} is confirmed.`);
      }
      const account = await web.get('account');
      assertPage(account, 200, 'Verified');
      assert.ok(!text(account).includes('Not verified') && !text(account).includes('Send verification email'));

      const bad = await openLink(new WebClient(srv, { app }), `verify-email?token=tet_${'x'.repeat(43)}`);
      assertPage(bad, 400, CANT_USE, 'This link is not valid. Sign in and ask for a new verification email.', 'Go to your account');
      assertPage(await openLink(new WebClient(srv, { app }), 'verify-email'), 400, CANT_USE);
    });

    test('account page "Send verification email": a new link arrives and verifies', async () => {
      const app = await freshApp(srv);
      const { web, ...u } = await signedIn(app);
      const first = tokenOf(linkIn(await mail(u.email, SUBJECT.verify), 'token='));
      const account = await web.get('account');
      const res = await web.submit(formTo(account, app, 'account/verification'), account.url);
      const loc = assertRedirect(res, 'account', app);
      assert.equal(loc.searchParams.get('done'), 'verification');
      assertPage(await web.follow(res), 200, 'We sent you a verification link.');
      const link = linkIn(await nthMail(smtp, 2, { to: u.email, subject: SUBJECT.verify }), '/verify-email?token=');
      assert.notEqual(tokenOf(link), first);
      // The older link was voided by the newer one.
      assertPage(await openLink(new WebClient(srv, { app }), `verify-email?token=${first}`), 400, CANT_USE,
        'This link has already been used (or a newer one was sent).');
      assertPage(await openLink(web, link), 200, 'Your email is verified');
    });

    test('account page "Change email": password checked, link to the new address, changed, notice to the old', async () => {
      const app = await freshApp(srv);
      const { web, ...u } = await signedIn(app);
      const newEmail = uniqEmail('newaddr');
      let account = await web.get('account');
      assertPage(account, 200, 'Email address', 'Change email');

      const wrong = await web.submit(formTo(account, app, 'account/email'), account.url,
        { new_email: newEmail, current_password: 'not my password' });
      assert.equal(assertRedirect(wrong, 'account', app).searchParams.get('done'), 'email-password');
      assertPage(await web.follow(wrong), 200, 'Your email was not changed: the current password is incorrect.');

      account = await web.get('account');
      const res = await web.submit(formTo(account, app, 'account/email'), account.url,
        { new_email: newEmail, current_password: u.password });
      assert.equal(assertRedirect(res, 'account', app).searchParams.get('done'), 'email');
      assertPage(await web.follow(res), 200, 'Check your new address: we sent it a link to confirm the change.', u.email);

      const link = linkIn(await mail(newEmail, SUBJECT.changeEmail), '/confirm-email-change?token=');
      const confirmed = await openLink(web, link);
      assertPage(confirmed, 200, 'Your email address was changed', `You now sign in with ${newEmail}.`);
      const notice = await mail(u.email, SUBJECT.emailChanged);
      assert.ok(notice.text.includes(newEmail));

      account = await web.get('account');
      assertPage(account, 200, newEmail, 'Verified');
      assert.ok(!text(account).includes(u.email), 'the old address is gone from the account page');
      assertRedirect(await new WebClient(srv, { app }).signIn(newEmail, u.password), 'account', app);
      assert.equal((await new WebClient(srv, { app }).signIn(u.email, u.password)).status, 401);

      const reuse = await openLink(new WebClient(srv, { app }), link);
      assertPage(reuse, 400, CANT_USE, 'Ask for the change again from your account.', 'Go to your account');
    });

    test('CSRF: every POST form of the email pages refuses a request without its token (403), and does nothing', async () => {
      const app = await freshApp(srv);
      const { web, ...u } = await signedIn(app);
      // Live secrets, to show the refused requests did not spend them.
      assertStatus(await srv.api('POST', '/api/magic-link', { app, json: { email: u.email } }), 202);
      const magic = tokenOf(linkIn(await mail(u.email, SUBJECT.magic), 'token='));
      assertStatus(await srv.api('POST', '/api/password/forgot', { app, json: { email: u.email } }), 202);
      const reset = tokenOf(linkIn(await mail(u.email, SUBJECT.reset), 'token='));
      const csrf = web.jar.find(/csrf/);
      assert.ok(csrf, 'the client holds the CSRF cookie');

      const posts = [
        ['forgot-password', { email: u.email }],
        ['reset-password', { token: reset, new_password: `new-pass-${rand(12)}` }],
        ['magic-link', { email: u.email, method: 'link' }],
        ['magic-link', { email: u.email, method: 'code' }],
        ['magic-link/continue', { token: magic }],
        ['email-code', { email: u.email, code: '123456' }],
        ['account/email', { new_email: uniqEmail('csrf'), current_password: u.password }],
        ['account/verification', {}],
      ];
      for (const [page, fields] of posts) {
        for (const variant of [{}, { csrf_token: 'A'.repeat(43) }]) {
          const res = await web.post(page, { ...fields, ...variant });
          assertPage(res, 403, 'Session expired', 'Go back, reload the page and try again.');
          assert.ok(!res.headers.get('location'));
        }
        // The right token but from another site.
        const cross = await web.post(page, { ...fields, csrf_token: csrf[1].value },
          { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
        assert.equal(cross.status, 403, show(cross));
      }
      // Nothing was sent by the refused requests: still 1 verification, 1 magic link, 1 reset mail.
      const sentinel = uniqEmail('sentinel');
      await assertMailCount(smtp, u.email, 3, {
        sentinel: () => srv.api('POST', '/api/magic-link', { app, json: { email: sentinel } }),
        sentinelTo: sentinel, sentinelSubject: SUBJECT.magic,
      });
      // And the secrets still work.
      assertStatus(await srv.api('POST', '/api/magic-link/verify', { app, json: { token: magic } }), 200);
      assertStatus(await srv.api('POST', '/api/password/reset', { app, json: { token: reset, new_password: `new-pass-${rand(12)}` } }), 204);
    });

    // ONE real-browser run (on the first backend only): reset, then a magic-link sign-in.
    if (backend === backends()[0]) {
      test('chromium: forgot password → the mailed link → new password → sign in; then a magic-link sign-in', { timeout: 120_000 }, async () => {
        const app = await freshApp(srv, {}, { name: 'Email Flows Demo' });
        const u = await signup(srv, { app });
        const issuer = srv.issuer(app);
        const fresh = `brand new passphrase ${rand(6)}`;
        const browser = await launchBrowser();
        let page;
        try {
          // ---- password reset
          ({ page } = await newPage(browser));
          await page.goto(`${issuer}/login`);
          await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Forgot password?' }).click()]);
          assert.equal(new URL(page.url()).pathname, pathOf(app, 'forgot-password'), await describePage(page));
          await page.getByLabel('Email address').fill(u.email);
          await screenshot(page, 'email-01-forgot');
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send reset link' }).click()]);
          assert.match(await page.innerText('h1'), /Check your email/, await describePage(page));
          await screenshot(page, 'email-02-forgot-sent');

          // The mail as a mail client shows it (a blank tab: no page's CSP on its inline styles).
          const resetMail = await mail(u.email, SUBJECT.reset);
          const mailTab = await page.context().newPage();
          await mailTab.setContent(resetMail.html);
          await screenshot(mailTab, 'email-03-reset-mail');
          // The mail's button, clicked: it opens the link (target=_blank → a new tab).
          const button = mailTab.getByRole('link', { name: 'Choose a new password' });
          const href = await button.getAttribute('href');
          assert.equal(href, linkIn(resetMail, '/reset-password?token='));
          const [tab] = await Promise.all([page.context().waitForEvent('page'), button.click()]);
          await tab.waitForLoadState();
          page = tab;
          assert.match(await page.innerText('h1'), /Choose a new password/, await describePage(page));
          await page.getByLabel('New password').fill(fresh);
          await screenshot(page, 'email-04-reset');
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Set new password' }).click()]);
          assert.match(await page.innerText('h1'), /Your password was changed/, await describePage(page));
          await screenshot(page, 'email-05-reset-done');
          await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Sign in' }).click()]);
          await page.getByLabel('Email or username').fill(u.email);
          await page.locator('input[name="password"]').fill(fresh);
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
          assert.equal(new URL(page.url()).pathname, pathOf(app, 'account'), await describePage(page));
          assert.ok((await page.innerText('body')).includes(u.email), await describePage(page));
          await screenshot(page, 'email-06-signed-in-after-reset');
          await page.context().close();

          // ---- magic link, in a new browser context (no session)
          ({ page } = await newPage(browser));
          await page.goto(`${issuer}/login`);
          await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Email me a sign-in link' }).click()]);
          assert.equal(new URL(page.url()).pathname, pathOf(app, 'magic-link'), await describePage(page));
          await page.getByLabel('Email address').fill(u.email);
          await screenshot(page, 'email-07-magic-link');
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Email me a sign-in link' }).click()]);
          assert.match(await page.innerText('h1'), /Check your email/, await describePage(page));
          await screenshot(page, 'email-08-magic-sent');

          const magicMail = await mail(u.email, SUBJECT.magic);
          await page.goto(linkIn(magicMail, '/magic-link/continue?token='));
          assert.match(await page.innerText('body'), /Continue to finish signing in/, await describePage(page));
          assert.ok(!(await page.context().cookies()).some((c) => /tessera_session/.test(c.name)), 'no session before Continue');
          await screenshot(page, 'email-09-magic-continue');
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()]);
          assert.equal(new URL(page.url()).pathname, pathOf(app, 'account'), await describePage(page));
          assert.ok((await page.innerText('body')).includes(u.email), await describePage(page));
          assert.ok((await page.context().cookies()).some((c) => /tessera_session/.test(c.name)), 'a session cookie');
          await screenshot(page, 'email-10-magic-signed-in');
        } catch (e) {
          if (page) await screenshot(page, 'email-99-failure');
          throw e;
        } finally {
          await closeBrowser(browser);
        }
      });
    }
  });
}
