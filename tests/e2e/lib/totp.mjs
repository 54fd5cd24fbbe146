// TOTP (RFC 6238) for the second-factor tests: what an authenticator app computes from the
// base32 key Tessera shows (HMAC-SHA1, 30-second steps, 6 digits; RFC 4226 dynamic truncation),
// with node:crypto only.
//
//   const device = new TotpDevice(secret);     // secret: base32, spaces and case ignored
//   device.now()                                // the code of the current step
//   await device.next()                         // a code of a step the server has not seen
//
// Tessera accepts the steps current-1 … current+1, and each step at most once per factor,
// always later than the last one used (a step is "spent" by enrolment and by every sign-in).
// A TotpDevice remembers the last step it handed out: next() gives the following step, and
// waits for the clock when that step would be more than one step ahead of the server.
import crypto from 'node:crypto';
import { sleep } from './util.mjs';

export const STEP_SECONDS = 30;
export const DIGITS = 6;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 to bytes; spaces, '=' padding and case are ignored. Throws on other characters. */
export function base32Decode(text) {
  const clean = String(text).replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP of `key` (bytes) at `counter`. */
export function hotp(key, counter, digits = DIGITS) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The time step of `ms` (Unix milliseconds). */
export const stepAt = (ms = Date.now()) => Math.floor(ms / 1000 / STEP_SECONDS);

/** The code of a base32 `secret` at step `stepAt(now) + offset`. */
export function totp(secret, { offset = 0, now = Date.now() } = {}) {
  return hotp(base32Decode(secret), stepAt(now) + offset);
}

/** The code of `secret` at time step `step`. */
export const totpAtStep = (secret, step) => hotp(base32Decode(secret), step);

/** A 6-digit code that is none of the codes the server would accept now (steps -2 … +2). */
export function wrongCode(secret, seed = 0) {
  const key = base32Decode(secret);
  const near = new Set();
  const s = stepAt();
  for (let d = -2; d <= 2; d++) near.add(hotp(key, s + d));
  for (let i = 0; ; i++) {
    const c = String((123456 + seed * 7919 + i * 104729) % 1_000_000).padStart(6, '0');
    if (!near.has(c)) return c;
  }
}

/** An authenticator app holding one key, handing out codes of steps the server has not seen. */
export class TotpDevice {
  constructor(secret) {
    this.secret = String(secret).replace(/\s+/g, '');
    this.key = base32Decode(this.secret);
    this.lastStep = -Infinity;
  }

  /** The code of the current step (and remembers it as used). */
  now() {
    const s = Math.max(stepAt(), this.lastStep + 1);
    if (s > stepAt() + 1) throw new Error('no fresh step right now: use next()');
    this.lastStep = s;
    return hotp(this.key, s);
  }

  /** The code of the step after the last one used: the current step, or the next one (which
   * the server accepts a step early); waits for the clock when even that was used. */
  async next() {
    for (;;) {
      const current = stepAt();
      const s = Math.max(current, this.lastStep + 1);
      if (s <= current + 1) {
        this.lastStep = s;
        return hotp(this.key, s);
      }
      // Wait until step s-1 begins (plus a little, for the server's clock reading).
      const waitMs = (s - 1) * STEP_SECONDS * 1000 - Date.now() + 250;
      await sleep(Math.max(50, waitMs));
    }
  }

  /** The code of `step` without remembering it (for replays). */
  at(step) { return hotp(this.key, step); }
}
