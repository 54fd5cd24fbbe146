// Small shared helpers of the e2e harness: delays and random test values.
import crypto from 'node:crypto';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Like sleep, but does not keep the process alive (for Promise.race deadlines). */
export const deadline = (ms, value = 'timeout') => new Promise((r) => setTimeout(() => r(value), ms).unref());



/** Random lowercase token, safe in emails, usernames and app slugs. */
export function rand(n = 10) {
  return crypto.randomBytes(n).toString('hex').slice(0, n);
}
export const uniqEmail = (tag = 'user') => `${tag}-${rand(12)}@example.com`;
export const uniqUsername = (tag = 'u') => `${tag}${rand(12)}`;
