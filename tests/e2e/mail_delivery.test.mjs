// Mail delivery against a real SMTP server (Debian's aiosmtpd, tests/e2e/lib/smtp.mjs):
// - `tessera admin send-test-mail` arrives well-formed (headers, multipart/alternative);
// - reliability: mail queued while the SMTP server is down survives kill -9 and a restart and
//   is delivered exactly once when the server comes up; mail queued by the CLI while Tessera
//   is down is picked up too;
// - without --smtp-url, mail goes to DATA_DIR/outbox as .eml files and its links are logged.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, backends, test, describe, before, after, rand, sleep,
} from './lib/server.mjs';
import { SmtpServer, aiosmtpdAvailable, parseMessage } from './lib/smtp.mjs';

const skip = aiosmtpdAvailable() ? false : 'python3-aiosmtpd is not installed (scripts/setup.sh)';
const MESSAGE_ID_RE = /^<[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}@[^<>@\s]+>$/;

/** JSON log lines of a server's output with msg `msg`. */
function logLines(srv, msg) {
  const out = [];
  for (const line of srv.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line);
      if (v.msg === msg) out.push(v);
    } catch { /* not a log line */ }
  }
  return out;
}

async function until(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function metric(srv, name) {
  const res = await srv.req('GET', '/metrics');
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(res.text);
  return m ? Number(m[1]) : null;
}

function sendTestMail(srv, to) {
  return srv.admin(['send-test-mail', '--app', srv.app, '--to', to]);
}

for (const backend of backends()) {
  const postgres = backend === 'postgres';

  describe(`mail delivery over SMTP [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    before(async () => {
      smtp = await new SmtpServer({ label: `smtp-${backend}` }).start();
      // A schema of its own on PostgreSQL: other test files' servers share the database, and
      // every node's worker sends whatever is queued there.
      srv = await startServer({
        postgres,
        isolatedSchema: true,
        label: `mail-${backend}`,
        args: ['--smtp-url', smtp.url, '--smtp-starttls', 'never',
          '--mail-from', 'Tessera Tests <no-reply@tessera.test>'],
      });
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    test('send-test-mail arrives, well-formed', async () => {
      const to = `ops-${rand(10)}@example.com`;
      const queued = await sendTestMail(srv, to);
      assert.equal(queued.queued, true);
      assert.equal(queued.to, to);
      const m = await smtp.waitFor({ to }, 10_000);

      assert.equal(m.from, 'Tessera Tests <no-reply@tessera.test>');
      assert.equal(m.to, to);
      assert.deepEqual(m.envelopeTo, [to]);
      assert.equal(m.header('x-mailfrom'), 'no-reply@tessera.test');
      assert.match(m.subject, /^Test mail from /);
      assert.equal(m.subject, queued.subject);
      assert.ok(m.date && !Number.isNaN(Date.parse(m.date)), `Date: ${m.date}`);
      assert.ok(Math.abs(Date.parse(m.date) - Date.now()) < 5 * 60_000, `Date: ${m.date}`);
      assert.match(m.date, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/);
      assert.match(m.messageId, MESSAGE_ID_RE);
      assert.ok(m.messageId.endsWith('@tessera.test>'), m.messageId);
      assert.equal(m.header('mime-version'), '1.0');
      assert.equal(m.header('auto-submitted'), 'auto-generated');
      assert.match(m.contentType, /^multipart\/alternative;\s*boundary="[^"]+"$/);
      assert.deepEqual(m.parts.map((p) => p.type), ['text/plain', 'text/html']);
      for (const p of m.parts) {
        assert.match(p.headers.find((h) => h.name === 'content-type').value, /charset=UTF-8/i);
      }
      assert.match(m.text, /Mail delivery works/);
      assert.match(m.text, /If you did not ask for this, you can ignore this email\./);
      assert.match(m.html, /<!DOCTYPE html>/);
      assert.match(m.html, /Mail delivery works/);
      assert.deepEqual(m.links, [`${srv.issuer()}/login`]);
      for (const k of ['from', 'to', 'subject', 'date', 'message-id']) {
        assert.equal(m.headerAll(k).length, 1, `exactly one ${k} header`);
      }

      // The worker logged the send without the body or links, and counted it.
      const sent = await until('mail_sent log', () => logLines(srv, 'mail_sent')
        .find((l) => l.kind === 'test'), 5000);
      assert.equal(sent.attempts, 1);
      assert.equal(sent.transport, 'smtp');
      assert.ok(!srv.output().includes(`${srv.issuer()}/login`), 'a link reached the log');
      assert.ok(await metric(srv, 'tessera_mail_sent_total') >= 1);
      await until('outbox gauge at 0', async () => (await metric(srv, 'tessera_mail_outbox_unsent')) === 0, 5000);
    });

    test('an address that could inject a header is refused by the CLI', async () => {
      await assert.rejects(sendTestMail(srv, 'a@example.com\r\nBcc: eve@evil.example'),
        /to|address|validation/i);
      await assert.rejects(sendTestMail(srv, 'a@example.com, eve@evil.example'),
        /to|address|validation/i);
    });

    test('a mail of a non-ASCII app name has an RFC 2047 subject that decodes back', async () => {
      const slug = `mail-${rand(8)}`;
      await srv.createApp(slug, 'Zürich Café ✓');
      const to = `utf8-${rand(10)}@example.com`;
      await srv.admin(['send-test-mail', '--app', slug, '--to', to]);
      const m = await smtp.waitFor({ to }, 10_000);
      assert.match(m.header('subject'), /^=\?UTF-8\?B\?/);
      assert.equal(m.subject, 'Test mail from Zürich Café ✓');
      assert.match(m.text, /Zürich Café ✓/);
      assert.match(m.html, /Zürich Café ✓/);
    });
  });

  describe(`mail reliability: SMTP down, kill -9, restart [${backend}]`, { skip }, () => {
    let smtp;
    let srv;
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    test('every queued mail is delivered exactly once when the SMTP server comes up', { timeout: 180_000 }, async () => {
      smtp = await new SmtpServer({ label: `smtp-down-${backend}` }).reserve();  // port, not listening
      srv = await startServer({
        postgres,
        isolatedSchema: true,
        label: `mail-down-${backend}`,
        args: ['--smtp-url', smtp.url, '--smtp-starttls', 'never', '--mail-retry-base', '1'],
      });
      const tag = rand(10);
      const recipients = Array.from({ length: 6 }, (_, i) => `down-${i}-${tag}@example.com`);
      const mine = new RegExp(tag);

      // Queued while the server runs and SMTP is down: tried, failed, kept.
      for (const to of recipients.slice(0, 4)) await sendTestMail(srv, to);
      await until('a failed attempt for each', () => {
        const failed = new Set(logLines(srv, 'mail_send_failed').map((l) => l.id));
        return failed.size >= 4;
      }, 15_000);
      const failure = logLines(srv, 'mail_send_failed')[0];
      assert.match(failure.error, /connect/i);
      assert.equal(failure.kind, 'test');
      assert.ok(!('subject' in failure) && !('text' in failure), 'no content in the failure log');
      assert.ok(await metric(srv, 'tessera_mail_send_failures_total') >= 4);

      await srv.kill9();
      // Queued by the CLI while no Tessera runs at all.
      for (const to of recipients.slice(4)) await sendTestMail(srv, to);
      await srv.restart();
      // Still down after the restart: more attempts fail, nothing arrives, nothing is lost.
      const failuresBefore = logLines(srv, 'mail_send_failed').length;
      await until('failures after the restart', () =>
        logLines(srv, 'mail_send_failed').length > failuresBefore, 15_000);
      assert.equal(smtp.messages().length, 0);
      // The gauge is set when a pass over the due mail ends, after its failure lines.
      await until('the outbox gauge counts every mail', async () =>
        (await metric(srv, 'tessera_mail_outbox_unsent')) === recipients.length, 15_000);

      await smtp.start();
      // Within the retry backoff (base 1 s), or the 60 s lease if the kill caught a send.
      const got = await smtp.waitForCount(recipients.length, { to: mine }, 90_000);
      // Give any duplicate (a retry of a mail already sent) time to show up.
      await sleep(4000);
      const all = smtp.find({ to: mine });
      assert.equal(all.length, recipients.length,
        `delivered ${all.length} mails for ${recipients.length} queued:\n${all.map((m) => `${m.to} ${m.messageId}`).join('\n')}`);
      assert.deepEqual(all.map((m) => m.to).sort(), [...recipients].sort(), 'one mail per recipient');
      const ids = new Set(all.map((m) => m.messageId));
      assert.equal(ids.size, recipients.length, 'distinct Message-IDs');
      for (const m of got) assert.match(m.messageId, MESSAGE_ID_RE);
      await until('outbox empty', async () => (await metric(srv, 'tessera_mail_outbox_unsent')) === 0, 10_000);
      const sent = logLines(srv, 'mail_sent').filter((l) => l.kind === 'test');
      assert.equal(new Set(sent.map((l) => l.id)).size, recipients.length);
      assert.equal(sent.length, recipients.length, 'each mail sent once');
    });
  });
}

describe('mail without SMTP: the outbox folder', () => {
  let srv;
  before(async () => {
    srv = await startServer({ label: 'mail-outbox' });
  });
  after(() => srv?.close());

  test('send-test-mail writes a private .eml file and logs its links', async () => {
    const to = `dev-${rand(10)}@example.com`;
    await sendTestMail(srv, to);
    const line = await until('mail_written_to_outbox log', () =>
      logLines(srv, 'mail_written_to_outbox').find((l) => l.to === to), 10_000);
    assert.match(line.subject, /^Test mail from /);
    assert.deepEqual(line.links, [`${srv.issuer()}/login`]);
    assert.equal(line.kind, 'test');

    const dir = path.join(srv.dataDir, 'outbox');
    assert.equal(line.path, path.join(dir, path.basename(line.path)));
    assert.match(path.basename(line.path), /^\d{8}T\d{6}Z-[0-9a-f-]{36}\.eml$/);
    assert.equal(fs.statSync(line.path).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const raw = fs.readFileSync(line.path, 'latin1');
    assert.ok(!/[^\r]\n/.test(raw), 'every line ends in CRLF');
    const m = parseMessage(raw);
    assert.equal(m.to, to);
    assert.equal(m.from, 'Tessera <no-reply@localhost>');
    assert.match(m.contentType, /^multipart\/alternative/);
    assert.deepEqual(m.links, [`${srv.issuer()}/login`]);
    const sent = await until('mail_sent', () => logLines(srv, 'mail_sent').find((l) => l.transport === 'outbox_dir'), 5000);
    assert.equal(sent.kind, 'test');
  });
});
