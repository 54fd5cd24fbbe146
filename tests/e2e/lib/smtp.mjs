// A real SMTP server for the black-box tests: Debian's aiosmtpd (python3-aiosmtpd) on a free
// loopback port, storing what it receives in a Maildir, plus a small RFC 5322 / MIME reader.
//
//   const smtp = new SmtpServer();            // picks a free port; not started yet
//   await smtp.start();                        // `smtp.url` = smtp://127.0.0.1:PORT
//   … tessera serve --smtp-url smtp.url --smtp-starttls never …
//   const m = await smtp.waitFor({ to: 'ann@example.com', subject: /Confirm/ }, 10_000);
//   m.header('message-id'); m.subject; m.text; m.html; m.links
//   await smtp.stop(); await smtp.start();     // same port and Maildir
//   await smtp.close();                        // stops and removes the Maildir
//
// The server runs as `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c
// aiosmtpd.handlers.Mailbox MAILDIR` (the system Python: `python3` on PATH may be another
// one without the package). It adds X-Peer, X-MailFrom and X-RcptTo headers to each message.
// Messages are re-serialized by Python's email package, so line endings read back as LF:
// check CRLF in unit tests, not here.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './server.mjs';

export const SYSTEM_PYTHON = '/usr/bin/python3';
const READY_TIMEOUT_MS = 15_000;

/** True when Debian's aiosmtpd can run (python3-aiosmtpd is installed). */
export function aiosmtpdAvailable() {
  try {
    fs.accessSync(SYSTEM_PYTHON, fs.constants.X_OK);
  } catch {
    return false;
  }
  return fs.existsSync('/usr/lib/python3/dist-packages/aiosmtpd');
}

export class SmtpServer {
  constructor({ port, label = 'smtp' } = {}) {
    this.port = port || null;
    this.label = label;
    this.proc = null;
    this.out = '';
    this.maildir = null;
  }

  get url() { return `smtp://127.0.0.1:${this.port}`; }
  get running() { return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }
  output() { return this.out; }

  /** Reserves the port (without listening) and the Maildir: Tessera can be pointed at it. */
  async reserve() {
    if (!this.port) this.port = await freePort();
    if (!this.maildir) this.maildir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-smtp-'));
    return this;
  }

  async start() {
    await this.reserve();
    if (this.running) return this;
    const args = ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${this.port}`,
      '-c', 'aiosmtpd.handlers.Mailbox', path.join(this.maildir, 'Maildir')];
    this.out += `\n=== [${this.label}] ${SYSTEM_PYTHON} ${args.join(' ')}\n`;
    const proc = spawn(SYSTEM_PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d) => { this.out += d; });
    proc.stderr.on('data', (d) => { this.out += d; });
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
      this.out += `\n=== [${this.label}] exited code=${code} signal=${signal}\n`;
      resolve({ code, signal });
    }));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`aiosmtpd exited before ready:\n${this.out}`);
      if (await banner(this.port)) return this;
      await sleep(100);
    }
    await this.stop();
    throw new Error(`aiosmtpd not ready on ${this.port} within ${READY_TIMEOUT_MS} ms:\n${this.out}`);
  }

  /** SIGTERM (SIGKILL after 5 s); the port is free again afterwards. */
  async stop() {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }

  async restart() {
    await this.stop();
    return this.start();
  }

  async close() {
    await this.stop();
    if (this.maildir && !process.env.TESSERA_E2E_KEEP) {
      await fsp.rm(this.maildir, { recursive: true, force: true });
    }
  }

  /** Every message received so far, parsed, oldest first. */
  messages() {
    if (!this.maildir) return [];
    const files = [];
    for (const sub of ['new', 'cur']) {
      const dir = path.join(this.maildir, 'Maildir', sub);
      let names = [];
      try { names = fs.readdirSync(dir); } catch { continue; }
      for (const n of names) {
        const file = path.join(dir, n);
        files.push({ file, mtime: fs.statSync(file).mtimeMs });
      }
    }
    files.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
    return files.map(({ file }) => ({ file, ...parseMessage(fs.readFileSync(file, 'latin1')) }));
  }

  /** Messages matching {to, subject} (strings match exactly, case-insensitively for `to`; RegExps test). */
  find({ to, subject } = {}) {
    return this.messages().filter((m) => matches(m, to, subject));
  }

  /** The first message matching {to, subject}, waiting up to timeoutMs for it. */
  async waitFor(filter = {}, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(filter);
      if (found.length) return found[0];
      if (Date.now() > deadline) {
        const seen = this.messages().map((m) => `${m.to} | ${m.subject}`).join('\n  ');
        throw new Error(`no mail matching ${describe(filter)} within ${timeoutMs} ms; received:\n  ${seen || '(none)'}`);
      }
      await sleep(100);
    }
  }

  /** Waits until at least `n` messages match `filter`; returns them. */
  async waitForCount(n, filter = {}, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(filter);
      if (found.length >= n) return found;
      if (Date.now() > deadline) {
        throw new Error(`only ${found.length} of ${n} mails matching ${describe(filter)} within ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }
}

function describe(filter) {
  return JSON.stringify({ to: String(filter.to ?? ''), subject: String(filter.subject ?? '') });
}

function matches(m, to, subject) {
  if (to !== undefined) {
    const rcpts = [m.to, ...m.envelopeTo].map((s) => s.toLowerCase());
    if (to instanceof RegExp ? !rcpts.some((r) => to.test(r)) : !rcpts.some((r) => r.includes(to.toLowerCase()))) {
      return false;
    }
  }
  if (subject !== undefined) {
    if (subject instanceof RegExp ? !subject.test(m.subject) : m.subject !== subject) return false;
  }
  return true;
}

/** Connects and reads the 220 greeting: the server is ready. */
function banner(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const done = (ok) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1000, () => done(false));
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (/^220[ -]/.test(data)) {
        sock.write('QUIT\r\n');
        done(true);
      }
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(/^220/.test(data)));
  });
}

// ---------- RFC 5322 / MIME reading ----------

/** Splits a raw message (latin1 string of bytes) into an unfolded header list and a body. */
export function splitHeaders(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].value += ' ' + line.trim();
    else {
      const i = line.indexOf(':');
      if (i > 0) headers.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    }
  }
  return { headers, body };
}

/** RFC 2047 encoded words (B and Q) to text; bytes outside words are read as UTF-8. */
export function decodeHeader(value) {
  const joined = value.replace(/\?=\s+=\?/g, '?==?');
  const text = joined.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, data) => {
    const bytes = enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return bytes.toString('latin1');
  });
  return Buffer.from(text, 'latin1').toString('utf8');
}

function param(value, name) {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value || '');
  return m ? (m[1] ?? m[2]) : null;
}

function decodeBody(body, encoding) {
  const enc = (encoding || '7bit').toLowerCase();
  let bytes;
  if (enc === 'base64') bytes = Buffer.from(body.replace(/[\r\n\s]/g, ''), 'base64');
  else if (enc === 'quoted-printable') {
    bytes = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  } else bytes = Buffer.from(body, 'latin1');
  return bytes.toString('utf8');
}

/** Leaf parts of a MIME entity: [{type, headers, content}]. */
function leafParts(headers, body) {
  const get = (n) => headers.find((h) => h.name === n)?.value ?? '';
  const type = get('content-type') || 'text/plain';
  const mediaType = type.split(';')[0].trim().toLowerCase();
  if (mediaType.startsWith('multipart/')) {
    const boundary = param(type, 'boundary');
    if (!boundary) return [];
    const chunks = body.split(new RegExp(`(?:^|\\r?\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*(?:\\r?\\n|$)`));
    const parts = [];
    for (const chunk of chunks.slice(1, -1)) {
      const sub = splitHeaders(chunk);
      parts.push(...leafParts(sub.headers, sub.body));
    }
    return parts;
  }
  return [{ type: mediaType, headers, content: decodeBody(body, get('content-transfer-encoding')) }];
}

/** http(s) URLs of a text, without trailing punctuation (the same rule as the server's). */
export function extractLinks(text) {
  const out = [];
  for (const m of (text || '').matchAll(/https?:\/\/[^\s<>"']+/g)) out.push(m[0].replace(/[.,;:!?)\]]+$/, ''));
  return out;
}

/** Parses a raw message: {headers, header(name), headerAll(name), from, to, subject, date,
 *  messageId, contentType, envelopeTo, parts, text, html, links}. */
export function parseMessage(raw) {
  const { headers, body } = splitHeaders(raw);
  const header = (n) => headers.find((h) => h.name === n.toLowerCase())?.value ?? null;
  const headerAll = (n) => headers.filter((h) => h.name === n.toLowerCase()).map((h) => h.value);
  const parts = leafParts(headers, body);
  const text = parts.find((p) => p.type === 'text/plain')?.content ?? null;
  const html = parts.find((p) => p.type === 'text/html')?.content ?? null;
  return {
    raw,
    headers,
    header,
    headerAll,
    from: decodeHeader(header('from') ?? ''),
    to: decodeHeader(header('to') ?? ''),
    subject: decodeHeader(header('subject') ?? ''),
    date: header('date'),
    messageId: header('message-id'),
    contentType: header('content-type'),
    envelopeTo: headerAll('x-rcptto').flatMap((v) => v.split(',').map((s) => s.trim())),
    parts,
    text,
    html,
    links: extractLinks(text),
  };
}
