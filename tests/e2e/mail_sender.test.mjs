// Issue 11, item 8, black-box against the real binary and a real SMTP server (aiosmtpd, which
// records the SMTP envelope sender as X-MailFrom): an app's mail_from is only used as the
// sender when its domain is allowed by the operator (--mail-allowed-domains) or verified by a
// DNS TXT record; otherwise the mail goes out From the server's sender (header and envelope),
// with the app's display name and Reply-To the app's address. Names that read as an address
// are refused. DNS verification cannot reach a real zone offline: the "not verified" path is
// tested end to end here; the TXT matching and the decision are unit tests
// (src/tenancy/mail_sender_test.cc, src/mail/dns_txt_test.cc).
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, show, signup, rand, assertStatus, assertProblem } from './lib/server.mjs';
import { skipWithoutSmtp as skip, startMailStack, SUBJECT } from './lib/mailflow.mjs';
import { developer } from './lib/console.mjs';
import { WebClient, htmlText, parseForms } from './lib/oidc.mjs';

const SERVER_ADDRESS = 'no-reply@tessera.test';  // MAIL_FROM of lib/mailflow.mjs
const ALLOWED = 'allowed.example';

for (const backend of backends()) {
  describe(`who an app's mail is from [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'mail-sender', { args: ['--mail-allowed-domains', `${ALLOWED},other.example`] }));
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    /** An app of a fresh developer (console API) with `settings`: {slug, dev, patch}. */
    async function devApp(settings) {
      const dev = await developer(srv, 'sender');
      const slug = `sender-${rand(10)}`;
      assertStatus(await srv.req('POST', '/api/console/apps', { token: dev.token, json: { slug, name: `Sender ${slug}` } }), 201);
      const patch = (s) => srv.req('PATCH', `/api/console/apps/${slug}`, { token: dev.token, json: { settings: s } });
      if (settings) assertStatus(await patch(settings), 200);
      return { slug, dev, patch };
    }

    /** The reset mail a fresh user of `app` gets. */
    async function resetMail(app) {
      const u = await signup(srv, { app });
      assertStatus(await srv.api('POST', '/api/password/forgot', { app, json: { email: u.email } }), 202);
      return smtp.waitFor({ to: u.email, subject: SUBJECT.reset });
    }
    const envelopeFrom = (m) => (m.header('x-mailfrom') ?? '').replace(/[<>]/g, '').trim();

    test('service@paypal.com unverified: From and envelope are the server\'s, Reply-To the app\'s', async () => {
      const { slug } = await devApp({ mail_from: 'PayPal Security Team <service@paypal.com>' });
      const m = await resetMail(slug);
      assert.equal(envelopeFrom(m), SERVER_ADDRESS, `envelope sender: ${m.header('x-mailfrom')}`);
      assert.ok(m.from.endsWith(`<${SERVER_ADDRESS}>`), `From: ${m.from}`);
      assert.ok(!m.from.includes('paypal.com'), `From: ${m.from}`);
      assert.match(m.from, /PayPal Security Team/, 'the display name is the app\'s');
      assert.equal(m.header('reply-to'), 'service@paypal.com');
    });

    test('a display name that carries an address is refused', async () => {
      const { patch } = await devApp();
      for (const settings of [
        { mail_sender_name: 'PayPal <service@paypal.com>' },
        { mail_sender_name: 'service@paypal.com' },
        { mail_from: '"service@paypal.com" <me@dev.example>' },
        { mail_from: '"PayPal <service@paypal.com>" <service@paypal.com>' },
      ]) {
        const res = await patch(settings);
        assertProblem(res, 400, 'validation-error', { field: `settings.${Object.keys(settings)[0]}` });
      }
    });

    test('a domain the operator allows: From (and envelope) is the app\'s own address', async () => {
      const { slug } = await devApp({ mail_from: `Acme <hello@${ALLOWED}>` });
      const m = await resetMail(slug);
      assert.equal(envelopeFrom(m), `hello@${ALLOWED}`, `envelope sender: ${m.header('x-mailfrom')}`);
      assert.equal(m.from, `Acme <hello@${ALLOWED}>`);
      assert.equal(m.header('reply-to'), null);
    });

    test('domain verification: the TXT record to publish; a check that finds none leaves it unverified', async () => {
      const { slug, dev } = await devApp({ mail_from: 'Acme <hello@acme-unverified.invalid>' });
      const path = `/api/console/apps/${slug}/mail-domain`;
      const got = await srv.req('GET', path, { token: dev.token });
      assertStatus(got, 200);
      assert.equal(got.body.sender, 'server', show(got));
      assert.equal(got.body.domain, 'acme-unverified.invalid');
      assert.equal(got.body.verified, false);
      assert.equal(got.body.allowed_by_operator, false);
      assert.equal(got.body.txt_record.name, '_tessera.acme-unverified.invalid');
      assert.match(got.body.txt_record.value, /^tessera-verification=[A-Za-z0-9_-]{22}$/);
      const again = await srv.req('GET', path, { token: dev.token });
      assert.equal(again.body.txt_record.value, got.body.txt_record.value, 'the value is stable');

      const started = Date.now();
      const checked = await srv.req('POST', `${path}/verify`, { token: dev.token });
      assertStatus(checked, 200);
      assert.equal(checked.body.verified, false, show(checked));
      assert.equal(checked.body.sender, 'server');
      assert.ok(Date.now() - started < 20_000, 'the lookup has a timeout');
      const m = await resetMail(slug);
      assert.equal(envelopeFrom(m), SERVER_ADDRESS);
      assert.equal(m.header('reply-to'), 'hello@acme-unverified.invalid');

      // Someone else's app: 404, as for an unknown one.
      const other = await developer(srv, 'stranger');
      assert.equal((await srv.req('GET', path, { token: other.token })).status, 404);
      // No mail_from: nothing to verify.
      const { slug: plain, dev: pdev } = await devApp();
      const none = await srv.req('GET', `/api/console/apps/${plain}/mail-domain`, { token: pdev.token });
      assert.deepEqual(none.body, { mail_from: '', sender: 'server' });
      assertProblem(await srv.req('POST', `/api/console/apps/${plain}/mail-domain/verify`, { token: pdev.token }), 409, 'conflict');
    });

    test('the console page shows the TXT record and a Verify button; a check that finds none says so', async () => {
      const { slug, dev } = await devApp({ mail_from: 'hello@acme-page.invalid' });
      const web = new WebClient(srv, { app: 'console' });
      assert.equal((await web.signIn(dev.email, dev.password)).status, 303);
      const settings = await web.get(`/console/apps/${slug}/settings`);
      assert.ok(settings.text.includes(`/console/apps/${slug}/mail-domain`), 'the settings page links to it');
      const page = await web.get(`/console/apps/${slug}/mail-domain`);
      assert.equal(page.status, 200, show(page));
      const text = htmlText(page.text);
      const api = await srv.req('GET', `/api/console/apps/${slug}/mail-domain`, { token: dev.token });
      for (const s of ['replies go to hello@acme-page.invalid', api.body.txt_record.name, api.body.txt_record.value]) {
        assert.ok(text.includes(s), `"${s}" not on the page: ${text.slice(0, 800)}`);
      }
      const form = parseForms(page.text).find((f) => f.method === 'post' && f.action.endsWith('/mail-domain/verify'));
      assert.ok(form?.fields.csrf_token, 'a Verify form with its CSRF token');
      const done = await web.submit(form, page.url);
      assert.equal(done.status, 303, show(done));
      assert.match(htmlText((await web.follow(done)).text), /The TXT record was not found/);
      assert.equal((await web.post(`/console/apps/${slug}/mail-domain/verify`, {})).status, 403, 'CSRF-checked');
    });
  });
}
