// Page checks for issue 13 ("What a new user trips over"), shared by the browser sweeps:
//   - fits the viewport: at 320 and 375 px nothing lays out wider than the screen — neither the
//     document, nor an element poking out of it (a visually-hidden label escaping its box),
//     nor a region that scrolls sideways (a table kept at desktop width inside
//     `overflow-x: auto`: tables must become stacked rows), nor a word broken in the middle
//     ("Confid ential");
//   - no dead end: every page offers a way on (a link to another page, or a form to submit);
//   - branding: a page or mail never shows the app's own name where a display name is set.
// Each check returns a list of problems (empty when fine), so a test can say all of them.
import assert from 'node:assert/strict';
import { describePage, screenshot } from './browser.mjs';

export const PHONE_WIDTHS = [320, 375];

/** What does not fit a `page` of the current viewport width (list of strings). */
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const vw = window.innerWidth;
    const doc = document.documentElement;
    if (doc.scrollWidth > vw + 1) out.push(`the page is ${doc.scrollWidth} px wide in a ${vw} px viewport`);
    const name = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += `#${el.id}`;
      if (el.classList.length) s += `.${[...el.classList].join('.')}`;
      const text = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return text ? `${s} "${text}"` : s;
    };
    // Clipped by an ancestor that hides its overflow (e.g. the .visually-hidden pattern),
    // an element's own box may stick out without anything showing: judge what is visible.
    // (Or inside such an element: the children of a visually-hidden table header.)
    const clippedAway = (el) => {
      for (let e = el; e && e !== document.body; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.clip === 'rect(0px, 0px, 0px, 0px)' || cs.clipPath === 'inset(50%)') return true;
      }
      return el.getBoundingClientRect().width <= 1 && el.getBoundingClientRect().height <= 1;
    };
    for (const el of document.body.querySelectorAll('*')) {
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const scrollsSideways = (cs.overflowX === 'auto' || cs.overflowX === 'scroll') &&
        el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute('data-scroll-ok');
      if (scrollsSideways) {
        out.push(`${name(el)} scrolls sideways (${el.scrollWidth} px of content in ${el.clientWidth} px)`);
        continue;
      }
      if (!clippedAway(el) && (r.right > vw + 1 || r.left < -1)) {
        out.push(`${name(el)} reaches ${Math.round(r.left)}…${Math.round(r.right)} px (viewport ${vw} px)`);
      }
    }
    // A word broken mid-word: a text node whose single word wraps onto two lines.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest('pre, code, [data-break-ok], .visually-hidden')) continue;
      const cs = getComputedStyle(parent);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      for (const m of n.data.matchAll(/[A-Za-z]{4,}/g)) {
        // An email address or URL may wrap anywhere (overflow-wrap: anywhere): it is one long
        // token with no better place to break.
        const token = n.data.slice(0, m.index).split(/\s/).pop() + n.data.slice(m.index).split(/\s/)[0];
        if (/@|:\/\//.test(token)) continue;
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
        if (lines.size > 1) out.push(`"${m[0]}" is broken across lines in ${name(parent)}`);
      }
    }
    return [...new Set(out)].slice(0, 20);
  });
}

/** Why `page` is a dead end (list of strings; empty when it offers a way on). */
export async function deadEndProblems(page) {
  return page.evaluate(() => {
    const here = new URL(location.href);
    here.hash = '';
    const visible = (el) => {
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return cs.display !== 'none' && cs.visibility !== 'hidden' && r.width > 0 && r.height > 0;
    };
    const links = [...document.querySelectorAll('a[href]')].filter(visible).filter((a) => {
      const u = new URL(a.href, location.href);
      u.hash = '';
      return u.href !== here.href && /^https?:$/.test(u.protocol);
    });
    const actions = [...document.querySelectorAll('form')].filter((f) =>
      [...f.querySelectorAll('button, input[type=submit]')].some(visible));
    return links.length + actions.length > 0 ? [] : [`no link to another page and no form on ${location.pathname}`];
  });
}

/** Problems when `text` (a page's or a mail's) names the app `appName` while it has a display name. */
export function brandingProblems(text, { appName, displayName }, where) {
  const out = [];
  if (appName && appName !== displayName && text.includes(appName)) {
    out.push(`${where} says "${appName}" (the app's own name) although its display name is "${displayName}"`);
  }
  if (displayName && !text.includes(displayName)) out.push(`${where} never says "${displayName}"`);
  return out;
}

/**
 * Opens `url` at 1280 px and each phone width, screenshots it as `<name>-<width>` and asserts
 * it fits at every width (a desktop table squeezed to a letter a line is as broken as a phone
 * page too wide) and is no dead end. `opts.deadEndOk` skips the dead-end check (e.g. an API answer).
 */
export async function checkPageAtWidths(page, url, name, opts = {}) {
  const problems = [];
  for (const width of [1280, ...PHONE_WIDTHS]) {
    await page.setViewportSize({ width, height: 800 });
    if (url) await page.goto(url);
    await screenshot(page, `${name}-${width}`);
    problems.push(...(await layoutProblems(page)).map((p) => `${width} px: ${p}`));
    if (!opts.deadEndOk && width === 1280) problems.push(...await deadEndProblems(page));
  }
  assert.deepEqual(problems, [], `${name}: ${await describePage(page)}`);
}
