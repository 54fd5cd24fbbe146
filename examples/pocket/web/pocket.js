// Pocket's front end: one module for both pages (body[data-page] = "index" | "admin").
//
// Sign-in is OpenID Connect's authorization code flow with PKCE (S256) against Tessera's
// hosted pages, as a public client (no secret). Tokens live in this page's memory only.
// sessionStorage holds, during a redirect, the PKCE verifier, nonce and where to come back
// (keyed by the random `state`), plus one non-secret flag "signed in" so the next page knows
// to fetch its own tokens. That fetch is a top-level redirect to Tessera with prompt=none: the
// browser's Tessera session answers at once, without a page of its own.
//
// After an interactive sign-in the ID token's `roles` decide the landing page: admins go to
// admin.html, everybody else stays on index.html. The API itself checks the access token's
// roles; the page's choice is only convenience.

const STATE_PREFIX = 'pocket.auth.';
const SIGNED_IN_FLAG = 'pocket.signedIn';
const SILENT_ERRORS = new Set(['login_required', 'interaction_required', 'consent_required',
  'account_selection_required']);

const page = document.body.dataset.page;
const $ = (id) => document.getElementById(id);

let config;      // {issuer, client_id, scope} from /config.json
let provider;    // Tessera's discovery document
let session = null;  // {accessToken, idToken, claims, expiresAt, obtainedAt}

// ---------- small helpers ----------

function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlBytes(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function b64urlJson(text) {
  return JSON.parse(new TextDecoder().decode(b64urlBytes(text)));
}

function randomToken() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

function showNotice(text) {
  const n = $('notice');
  n.textContent = text;
  n.hidden = !text;
}

function setStatus(el, text, kind) {
  el.textContent = text;
  el.classList.toggle('error', kind === 'error');
  el.classList.toggle('ok', kind === 'ok');
}

function displayName(claims) {
  return claims?.name || claims?.preferred_username || claims?.email || '';
}

function isAdmin() {
  return Array.isArray(session?.claims?.roles) && session.claims.roles.includes('admin');
}

function pageUrl(name) {
  return new URL(name, window.location.origin).href;
}

function formatDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

// ---------- OpenID Connect ----------

async function loadProvider() {
  const res = await fetch(`${config.issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`discovery answered ${res.status}`);
  const doc = await res.json();
  if (doc.issuer !== config.issuer) throw new Error('discovery names another issuer');
  return doc;
}

/** Sends the browser to Tessera. `silent`: prompt=none (no page, only the session). */
async function signIn({ silent = false, redirectPage = 'index.html' } = {}) {
  const state = randomToken();
  const nonce = randomToken();
  const verifier = randomToken();
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const redirectUri = pageUrl(redirectPage);
  sessionStorage.setItem(STATE_PREFIX + state, JSON.stringify({
    verifier, nonce, redirectUri, silent, created: Date.now(),
  }));
  const url = new URL(provider.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: config.client_id, redirect_uri: redirectUri,
    scope: config.scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
    ...(silent ? { prompt: 'none' } : {}),
  }).toString();
  window.location.assign(url.href);
  return new Promise(() => {});  // the page is going away
}

/** Checks the ID token: signature (JWKS, WebCrypto), iss, aud, azp, exp, iat, nonce. */
async function verifyIdToken(idToken, nonce) {
  const parts = idToken.split('.');
  if (parts.length !== 3) throw new Error('the ID token is not a JWT');
  const header = b64urlJson(parts[0]);
  const claims = b64urlJson(parts[1]);
  const algs = {
    RS256: [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }],
    ES256: [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }],
    EdDSA: [{ name: 'Ed25519' }, { name: 'Ed25519' }],
  };
  const alg = algs[header.alg];
  if (!alg) throw new Error(`ID token algorithm ${header.alg} is not accepted`);
  const jwks = await (await fetch(provider.jwks_uri)).json();
  const jwk = (jwks.keys || []).find((k) => k.kid === header.kid && (!k.alg || k.alg === header.alg));
  if (!jwk) throw new Error('the ID token names an unknown key');
  const { kty, n, e, crv, x, y } = jwk;
  const key = await crypto.subtle.importKey('jwk', { kty, n, e, crv, x, y, ext: true }, alg[0], false, ['verify']);
  const ok = await crypto.subtle.verify(alg[1], key, b64urlBytes(parts[2]),
    new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
  if (!ok) throw new Error('the ID token signature does not verify');
  const now = Math.floor(Date.now() / 1000);
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== config.issuer) throw new Error('the ID token comes from another issuer');
  if (!aud.includes(config.client_id)) throw new Error('the ID token is for another client');
  if (claims.azp && claims.azp !== config.client_id) throw new Error('the ID token azp is another client');
  if (typeof claims.exp !== 'number' || claims.exp < now - 60) throw new Error('the ID token has expired');
  if (typeof claims.iat !== 'number' || claims.iat > now + 300) throw new Error('the ID token is from the future');
  if (claims.nonce !== nonce) throw new Error('the ID token nonce does not match');
  return claims;
}

/**
 * Completes a redirect back from Tessera (?code or ?error with state). Returns
 * {signedIn, silent} or null when the URL is no sign-in response.
 */
async function completeSignIn() {
  const params = new URLSearchParams(window.location.search);
  const state = params.get('state');
  if (!state || !(params.has('code') || params.has('error'))) return null;
  // Leave no code in the address bar or history, whatever happens next.
  window.history.replaceState(null, '', window.location.pathname);
  const saved = sessionStorage.getItem(STATE_PREFIX + state);
  sessionStorage.removeItem(STATE_PREFIX + state);
  if (!saved) throw new Error('this sign-in response was not expected here (state); please sign in again');
  const pending = JSON.parse(saved);
  // RFC 9207: the response names its issuer (mix-up defence).
  if (params.has('iss') && params.get('iss') !== config.issuer) throw new Error('the sign-in response comes from another issuer');
  if (params.has('error')) {
    if (pending.silent && SILENT_ERRORS.has(params.get('error'))) {
      sessionStorage.removeItem(SIGNED_IN_FLAG);
      return { signedIn: false, silent: true };
    }
    throw new Error(`sign-in failed: ${params.get('error_description') || params.get('error')}`);
  }
  const res = await fetch(provider.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: pending.redirectUri,
      client_id: config.client_id, code_verifier: pending.verifier,
    }),
  });
  const tokens = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`the token endpoint refused the code: ${tokens.error_description || tokens.error || res.status}`);
  if (!tokens.id_token || !tokens.access_token) throw new Error('the token response lacks a token');
  const claims = await verifyIdToken(tokens.id_token, pending.nonce);
  session = {
    accessToken: tokens.access_token,
    idToken: tokens.id_token,
    claims,
    expiresAt: Date.now() + (Number(tokens.expires_in) || 300) * 1000,
    obtainedAt: Date.now(),
  };
  sessionStorage.setItem(SIGNED_IN_FLAG, '1');
  return { signedIn: true, silent: pending.silent };
}

async function signOut() {
  const current = session;
  session = null;
  sessionStorage.removeItem(SIGNED_IN_FLAG);
  if (!current) {
    window.location.assign(pageUrl('index.html'));
    return;
  }
  // The access token stays valid until it expires for APIs that check it locally; revoking
  // it makes Tessera (userinfo, introspection) refuse it at once.
  if (provider.revocation_endpoint) {
    await fetch(provider.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: current.accessToken, token_type_hint: 'access_token', client_id: config.client_id }),
    }).catch(() => {});
  }
  // RP-initiated logout ends the Tessera session and comes back to the blog.
  const url = new URL(provider.end_session_endpoint);
  url.search = new URLSearchParams({
    id_token_hint: current.idToken, client_id: config.client_id,
    post_logout_redirect_uri: pageUrl('index.html'),
  }).toString();
  window.location.assign(url.href);
}

// Tokens die with the page (they are in its memory), but each code exchange made a grant at
// Tessera that would otherwise stay listed on the user's account page and live on past a
// sign-out. Revoking the page's access token as it goes ends that grant.
window.addEventListener('pagehide', () => {
  if (!session || !provider?.revocation_endpoint) return;
  navigator.sendBeacon(provider.revocation_endpoint, new URLSearchParams({
    token: session.accessToken, token_type_hint: 'access_token', client_id: config.client_id,
  }));
});
// A page restored from the back/forward cache holds a revoked token: load it anew.
window.addEventListener('pageshow', (ev) => {
  if (ev.persisted) window.location.reload();
});

// ---------- the API ----------

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.fields = body?.fields || {};
  }
}

async function api(method, path, body) {
  const margin = session ? Math.min(15_000, (session.expiresAt - session.obtainedAt) / 4) : 0;
  if (session && Date.now() > session.expiresAt - margin) {
    // The access token is (almost) spent: get a new one from the Tessera session.
    await signIn({ silent: true, redirectPage: `${page}.html` });
  }
  const headers = {};
  if (session) headers.Authorization = `Bearer ${session.accessToken}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && session && Date.now() - session.obtainedAt > 60_000) {
    // Refused after a while (expired early, keys rotated…): get a fresh token. A token refused
    // right after sign-in is a configuration problem: say so rather than loop.
    await signIn({ silent: true, redirectPage: `${page}.html` });
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function describeError(e) {
  const fields = Object.entries(e.fields || {}).map(([k, v]) => `${k} ${v}`);
  return fields.length ? `${e.message} (${fields.join('; ')})` : e.message;
}

// ---------- rendering ----------

function renderAccount() {
  const who = $('who');
  who.hidden = !session;
  who.textContent = session ? `Signed in as ${displayName(session.claims) || 'you'}` : '';
  $('sign-in').hidden = !!session;
  $('sign-out').hidden = !session;
  const adminLink = $('admin-link');
  if (adminLink) adminLink.hidden = !isAdmin();
}

function commentItem(c) {
  const li = document.createElement('li');
  const author = document.createElement('span');
  author.className = 'comment-author';
  author.textContent = c.author.name;
  const text = document.createElement('span');
  text.className = 'comment-text';
  text.textContent = c.content;
  li.append(author, text);
  return li;
}

async function renderPost(post) {
  const node = $('post-template').content.firstElementChild.cloneNode(true);
  node.dataset.postId = post.id;
  node.querySelector('.post-title').textContent = post.title;
  node.querySelector('.meta').textContent = `${post.author.name} · ${formatDate(post.created_at)}`;
  node.querySelector('.post-content').textContent = post.content;
  const list = node.querySelector('.comment-list');
  const { comments } = await api('GET', `/api/posts/${post.id}/comments`);
  for (const c of comments) list.append(commentItem(c));
  const form = node.querySelector('.comment-form');
  const textarea = form.querySelector('textarea');
  textarea.id = `comment-${post.id}`;
  form.querySelector('label').htmlFor = textarea.id;
  form.hidden = !session;
  node.querySelector('.comment-sign-in').hidden = !!session;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const status = form.querySelector('.form-status');
    try {
      const c = await api('POST', `/api/posts/${post.id}/comments`,
        { content: textarea.value, name: displayName(session?.claims) });
      list.append(commentItem(c));
      textarea.value = '';
      setStatus(status, 'Comment posted.', 'ok');
    } catch (e) {
      setStatus(status, describeError(e), 'error');
    }
  });
  return node;
}

async function renderPosts() {
  const { posts } = await api('GET', '/api/posts?limit=50');
  $('posts-empty').hidden = posts.length > 0;
  const nodes = await Promise.all(posts.map(renderPost));
  $('posts').replaceChildren(...nodes);
}

function bindContactForm() {
  const form = $('contact-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const status = $('contact-status');
    const data = Object.fromEntries(new FormData(form));
    try {
      const res = await api('POST', '/api/contact', data);
      form.reset();
      setStatus(status, res.message, 'ok');
    } catch (e) {
      setStatus(status, describeError(e), 'error');
    }
  });
}

// ---------- admin page ----------

async function renderAdminPosts() {
  const { posts } = await api('GET', '/api/posts?limit=100');
  $('admin-posts-empty').hidden = posts.length > 0;
  $('admin-posts').replaceChildren(...posts.map((p) => {
    const li = document.createElement('li');
    li.dataset.postId = p.id;
    const main = document.createElement('div');
    main.className = 'row-main';
    const title = document.createElement('p');
    title.className = 'row-title';
    title.textContent = p.title;
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = `${formatDate(p.created_at)} · ${p.comment_count} comment${p.comment_count === 1 ? '' : 's'}`;
    main.append(title, meta);
    const actions = document.createElement('div');
    actions.className = 'actions';
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.className = 'button button-quiet';
    edit.textContent = 'Edit';
    edit.setAttribute('aria-label', `Edit “${p.title}”`);
    edit.addEventListener('click', () => startEditing(p));
    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'button button-danger';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', `Delete “${p.title}”`);
    del.addEventListener('click', async () => {
      if (!window.confirm(`Delete “${p.title}” and its comments?`)) return;
      try {
        await api('DELETE', `/api/posts/${p.id}`);
        await renderAdminPosts();
      } catch (e) {
        setStatus($('post-status'), describeError(e), 'error');
      }
    });
    actions.append(edit, del);
    li.append(main, actions);
    return li;
  }));
}

function startEditing(p) {
  const form = $('post-form');
  form.elements.id.value = String(p.id);
  form.elements.title.value = p.title;
  form.elements.content.value = p.content;
  $('post-submit').textContent = 'Save changes';
  $('post-cancel').hidden = false;
  form.elements.title.focus();
}

function stopEditing() {
  const form = $('post-form');
  form.reset();
  form.elements.id.value = '';
  $('post-submit').textContent = 'Publish';
  $('post-cancel').hidden = true;
}

async function renderMessages() {
  const { messages } = await api('GET', '/api/contact');
  $('messages-empty').hidden = messages.length > 0;
  $('messages').replaceChildren(...messages.map((m) => {
    const li = document.createElement('li');
    const main = document.createElement('div');
    main.className = 'row-main';
    const subject = document.createElement('p');
    subject.className = 'row-title';
    subject.textContent = m.subject;
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = `${m.name} <${m.email}> · ${formatDate(m.created_at)}`;
    const body = document.createElement('p');
    body.className = 'message-body';
    body.textContent = m.message;
    main.append(subject, meta, body);
    li.append(main);
    return li;
  }));
}

function bindPostForm() {
  const form = $('post-form');
  $('post-cancel').addEventListener('click', stopEditing);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const status = $('post-status');
    const id = form.elements.id.value;
    const body = { title: form.elements.title.value, content: form.elements.content.value };
    try {
      if (id) {
        await api('PUT', `/api/posts/${id}`, body);
        setStatus(status, 'Changes saved.', 'ok');
      } else {
        await api('POST', '/api/posts', { ...body, author_name: displayName(session?.claims) });
        setStatus(status, 'Post published.', 'ok');
      }
      stopEditing();
      await renderAdminPosts();
    } catch (e) {
      setStatus(status, describeError(e), 'error');
    }
  });
}

// ---------- start ----------

async function main() {
  $('sign-in').addEventListener('click', () => signIn({ redirectPage: 'index.html' }));
  $('sign-out').addEventListener('click', () => signOut());
  config = await (await fetch('/config.json')).json();
  provider = await loadProvider();
  for (const key of Object.keys(sessionStorage)) {  // forget abandoned sign-ins
    if (!key.startsWith(STATE_PREFIX)) continue;
    const created = JSON.parse(sessionStorage.getItem(key) || '{}').created || 0;
    if (Date.now() - created > 10 * 60_000) sessionStorage.removeItem(key);
  }

  let result = null;
  try {
    result = await completeSignIn();
  } catch (e) {
    sessionStorage.removeItem(SIGNED_IN_FLAG);
    showNotice(e.message);
  }
  if (result?.signedIn && !result.silent) {
    // An interactive sign-in: the ID token's roles pick the page.
    if (isAdmin() && page !== 'admin') return signIn({ silent: true, redirectPage: 'admin.html' });
  }
  if (result === null && !session) {
    // A fresh page: fetch tokens from the Tessera session when we were signed in before,
    // and always on the admin page, which needs them.
    if (page === 'admin' || sessionStorage.getItem(SIGNED_IN_FLAG) === '1') {
      return signIn({ silent: true, redirectPage: `${page}.html` });
    }
  }
  if (page === 'admin' && session && !isAdmin()) {
    window.location.replace(pageUrl('index.html'));
    return;
  }
  renderAccount();
  document.body.dataset.ready = session ? 'signed-in' : 'signed-out';

  if (page === 'index') {
    bindContactForm();
    await renderPosts();
  } else if (session) {
    $('admin').hidden = false;
    bindPostForm();
    await Promise.all([renderAdminPosts(), renderMessages()]);
  } else {
    $('signed-out').hidden = false;
  }
  document.body.dataset.loaded = 'true';
}

main().catch((e) => {
  showNotice(`Something went wrong: ${e.message}`);
  document.body.dataset.loaded = 'error';
});
