// Shared by the email flow tests (email_flows_*.test.mjs, email_pages.test.mjs): a Tessera server
// wired to a real SMTP server (lib/smtp.mjs), fresh apps with given settings, and readers for
// the links and codes of the mails the flows send.
import assert from 'node:assert/strict';
import { startServer, rand, sleep, show, signup, assertStatus, assertUserShape } from './server.mjs';
import { SmtpServer, aiosmtpdAvailable } from './smtp.mjs';
import { parseForms } from './oidc.mjs';

export const skipWithoutSmtp = aiosmtpdAvailable() ? false : 'python3-aiosmtpd is not installed (scripts/setup.sh)';

/** Subjects of the flows' mails (src/mail/templates/*.subject.mustache). */
export const SUBJECT = {
  verify: /^Confirm your email address for /,
  reset: /^Reset your .+ password$/,
  passwordChanged: /^Your .+ password was changed$/,
  magic: /^Your sign-in link for /,
  code: /^\d{6} is your .+ code$/,
  changeEmail: /^Confirm your new email address for /,
  emailChanged: /^Your .+ email address was changed$/,
};

export const MAIL_FROM = 'Tessera Tests <no-reply@tessera.test>';

/**
 * An SMTP server and a Tessera server that sends to it (`args`: more serve options). On PostgreSQL the server gets a schema
 * of its own: every node's mail worker sends whatever is queued in its database.
 */
export async function startMailStack(backend, label, { args = [] } = {}) {
  const smtp = await new SmtpServer({ label: `smtp-${label}-${backend}` }).start();
  const srv = await startServer({
    postgres: backend === 'postgres',
    isolatedSchema: true,
    label: `${label}-${backend}`,
    args: ['--smtp-url', smtp.url, '--smtp-starttls', 'never', '--mail-from', MAIL_FROM, ...args],
  });
  return { smtp, srv };
}

/**
 * A new app (its own users, rate-limit counters and settings), configured before its first
 * request so the server's app cache never holds an older version. `settings`:
 * {allowSignup, requireVerifiedEmail, emailCodeLogin: booleans; redirectUris: [..]}.
 */
export async function freshApp(srv, settings = {}, { name } = {}) {
  const slug = `mail-${rand(10)}`;
  await srv.createApp(slug, name ?? `Mail ${slug}`);
  const args = ['update-app', '--app', slug];
  const flag = (opt, v) => { if (v !== undefined) args.push(opt, String(v)); };
  flag('--allow-signup', settings.allowSignup);
  flag('--require-verified-email', settings.requireVerifiedEmail);
  flag('--email-code-login', settings.emailCodeLogin);
  for (const u of settings.redirectUris ?? []) args.push('--redirect-uri', u);
  if (args.length > 4) await srv.admin(args);
  return slug;
}

/** The first link of a mail's text part that contains `part` (e.g. '/reset-password?token='). */
export function linkIn(mail, part) {
  const link = mail.links.find((l) => l.includes(part));
  assert.ok(link, `no link with "${part}" in the mail "${mail.subject}" to ${mail.to}:\n${mail.text}`);
  return link;
}

/** The token= parameter of a link; asserts the tet_ format (prefix + 256 bits, base64url). */
export function tokenOf(link) {
  const token = new URL(link).searchParams.get('token');
  assert.match(token ?? '', /^tet_[A-Za-z0-9_-]{43,}$/, `token in ${link}`);
  return token;
}

/** The 6-digit code of an email_code mail (subject and body agree). */
export function codeOf(mail) {
  const code = /^(\d{6}) is your /.exec(mail.subject)?.[1];
  assert.ok(code, `no code in the subject "${mail.subject}"`);
  assert.ok(mail.text.includes(code), `the text part carries the code: ${mail.text}`);
  return code;
}

/**
 * Opens a mailed link like a person (issue 11, item 13): its page (a GET, which changes
 * nothing), then the page's POST form to the same path, the Continue button. `web` is a
 * WebClient (lib/oidc.mjs). Returns the POST's answer.
 */
export async function openLink(web, link) {
  const page = await web.get(link);
  const path = new URL(link, page.url).pathname;
  const f = parseForms(page.text).find((x) => x.method === 'post' && new URL(x.action, page.url).pathname === path);
  assert.ok(f, `no Continue form to ${path} on ${show(page)}`);
  return web.submit(f, page.url);
}

/** A 6-digit code different from `code`. */
export const otherCode = (code, i = 1) => String((Number(code) + i) % 1_000_000).padStart(6, '0');

/** The n-th (1-based, oldest first) mail matching `filter`, waiting for it. */
export async function nthMail(smtp, n, filter, timeoutMs = 10_000) {
  const all = await smtp.waitForCount(n, filter, timeoutMs);
  return all[n - 1];
}

/**
 * Proves that nothing more was (or will be) sent to `to`: runs `sentinel` (an action that
 * queues a mail to `sentinelTo` through the same server, queued after everything before it),
 * waits for that mail, lets the worker settle, then counts the mails to `to`.
 */
export async function assertMailCount(smtp, to, expected, { sentinel, sentinelTo, sentinelSubject }) {
  const before = smtp.find({ to: sentinelTo, subject: sentinelSubject }).length;
  await sentinel();
  await smtp.waitForCount(before + 1, { to: sentinelTo, subject: sentinelSubject }, 10_000);
  await sleep(500);
  const got = smtp.find({ to });
  assert.equal(got.length, expected,
    `mails to ${to}: ${got.length}, expected ${expected}:\n${got.map((m) => m.subject).join('\n')}`);
  return got;
}

export const ACCEPTED = { status: 'accepted', detail: 'If the address can receive it, a message is on its way.' };

/** The email flow suites' helpers on `srv` and its `smtp`: api, post, mail, assertAccepted, assertTokens, signedUp. */
export function emailFlowHelpers(srv, smtp) {
  const api = (app, method, path, opts = {}) => srv.api(method, path, { ...opts, app });
  const post = (app, path, json, opts = {}) => api(app, 'POST', path, { json, ...opts });
  const mail = (to, subject, timeoutMs) => smtp.waitFor({ to, subject }, timeoutMs);

  function assertAccepted(res) {
    assertStatus(res, 202);
    assert.deepEqual(res.body, ACCEPTED, show(res));
  }

  function assertTokens(res, email) {
    assertStatus(res, 200);
    const b = res.body;
    assert.equal(b.token_type, 'Bearer', show(res));
    assert.equal(typeof b.access_token, 'string', show(res));
    assert.equal(b.access_token.split('.').length, 3, 'the access token is a JWT');
    assert.match(b.refresh_token, /^tsr_/, show(res));
    assert.ok(b.expires_in > 0, show(res));
    assertUserShape(b.user, { email, ctx: 'token response' });
    assert.equal(b.user.email_verified, true, 'signing in through the mailbox proves the address');
    return b;
  }

  /** A signed-up user whose verification mail has arrived: {email, password, user, verifyToken}. */
  async function signedUp(app, opts = {}) {
    const u = await signup(srv, { app, ...opts });
    const m = await mail(u.email, SUBJECT.verify);
    return { ...u, verifyToken: tokenOf(linkIn(m, '/verify-email?token=')) };
  }
  return { api, post, mail, assertAccepted, assertTokens, signedUp };
}
