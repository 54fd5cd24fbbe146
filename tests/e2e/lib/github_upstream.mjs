// A GitHub-shaped upstream for the e2e tests of sign-in through GitHub (issue 14): node:http on
// a free loopback port, speaking the parts of GitHub's OAuth app flow and REST API Tessera's
// GitHub connector uses, with GitHub's quirks kept — a refused code is 200 {"error": …}, the
// API refuses calls without a User-Agent, /user/emails needs the user:email scope, codes are
// single use and bound to redirect_uri and the PKCE challenge.
//
//   const gh = await startGithubUpstream({ clientId: 'gh-client', clientSecret: 'gh-secret' });
//   gh.setUser({ id: 583231, login: 'octocat', name: 'The Octocat',
//                emails: [{ email: 'octo@example.com', primary: true, verified: true }] });
//   … provider record: issuer = gh.url, userinfo_endpoint = gh.url (the API base) …
//   gh.setMode('denied');                       // the next authorize answers error=access_denied
//   gh.setFailures({ tokenStatus: 500 });       // or { slowMs: 3000, slowPaths: ['/user'] }
//   gh.requests                                 // [{ method, path, query, headers, body }]
//   await gh.close();
//
// /login/oauth/authorize shows nothing: it 302s straight back to redirect_uri with a code (for
// the current user) and the state, as if the person had approved the app.
import crypto from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { sleep } from './util.mjs';

const CODE_TTL_MS = 10 * 60 * 1000;  // GitHub's codes expire after ten minutes
const MAX_BODY = 64 * 1024;

function sha256url(text) {
  return crypto.createHash('sha256').update(text).digest('base64url');
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function text(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// The token request's parameters: GitHub takes them from the query, a form or a JSON body,
// and the client's credentials from them or from HTTP Basic.
function tokenParams(req, url, body) {
  const params = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    try { Object.assign(params, JSON.parse(body || '{}')); } catch { /* as empty */ }
  } else if (body) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
  }
  const auth = req.headers.authorization || '';
  if (auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.client_id ??= decodeURIComponent(decoded.slice(0, colon));
      params.client_secret ??= decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  return params;
}

function bearer(req) {
  const m = /^(?:Bearer|token) (\S+)$/i.exec(req.headers.authorization || '');
  return m ? m[1] : null;
}

function publicUser(user) {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: user.avatar_url ?? `https://avatars.example/u/${user.id}`,
    type: 'User',
    name: user.name ?? null,
    email: user.public_email ?? null,  // the profile's address: GitHub does not vouch for it
  };
}

/**
 * Starts the server. Options: clientId, clientSecret, callbackUrl (when set, redirect_uri must
 * lie under it, as GitHub requires), user (the current user), mode ('ok' | 'denied'),
 * failures ({ tokenStatus, slowMs, slowPaths }).
 */
export async function startGithubUpstream(options = {}) {
  const clientId = options.clientId ?? 'gh-client';
  const clientSecret = options.clientSecret ?? 'gh-secret';
  const callbackUrl = options.callbackUrl ?? null;
  const users = new Map();   // id → user
  const codes = new Map();   // code → { userId, clientId, redirectUri, challenge, scope, expires }
  const tokens = new Map();  // access token → { userId, scope }
  const requests = [];
  let currentUserId = null;
  let mode = options.mode ?? 'ok';
  let failures = { tokenStatus: 0, slowMs: 0, slowPaths: null, ...(options.failures || {}) };

  function setUser(user) {
    if (!Number.isSafeInteger(user?.id) || user.id <= 0) throw new Error('setUser: a positive numeric id');
    const stored = { emails: [], ...users.get(user.id), ...user };
    users.set(user.id, stored);
    currentUserId = user.id;
    return stored;
  }
  if (options.user) setUser(options.user);

  function authorize(res, url) {
    const q = url.searchParams;
    if (q.get('client_id') !== clientId) return text(res, 404, 'Not Found (unknown client_id)');
    const redirectUri = q.get('redirect_uri') || callbackUrl;
    if (!redirectUri) return text(res, 400, 'redirect_uri is required here (no callbackUrl set)');
    if (callbackUrl && !redirectUri.startsWith(callbackUrl)) {
      return text(res, 400, 'The redirect_uri is not associated with this application.');
    }
    const challenge = q.get('code_challenge');
    if (challenge && q.get('code_challenge_method') !== 'S256') {
      return text(res, 400, 'code_challenge_method must be S256');
    }
    const back = new URL(redirectUri);
    if (mode === 'denied') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
      back.searchParams.set('error_uri', 'https://docs.github.com/apps/troubleshooting');
    } else {
      if (currentUserId === null) return text(res, 500, 'github_upstream: no current user (setUser)');
      const code = crypto.randomBytes(10).toString('hex');
      codes.set(code, {
        userId: currentUserId, clientId, redirectUri, challenge,
        scope: (q.get('scope') || '').split(/[ ,]+/).filter(Boolean).join(','),
        expires: Date.now() + CODE_TTL_MS,
      });
      back.searchParams.set('code', code);
    }
    if (q.has('state')) back.searchParams.set('state', q.get('state'));
    res.writeHead(302, { location: back.toString(), 'content-type': 'text/html; charset=utf-8' });
    res.end(`<html><body>You are being <a href="${back}">redirected</a>.</body></html>`);
  }

  // GitHub answers JSON only when asked (Accept: application/json); a form otherwise.
  function tokenAnswer(req, res, body) {
    if ((req.headers.accept || '').includes('application/json')) return json(res, 200, body);
    res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    res.end(new URLSearchParams(body).toString());
  }

  function tokenError(req, res, error, description) {
    tokenAnswer(req, res, {
      error, error_description: description,
      error_uri: `https://docs.github.com/apps/troubleshooting#${error}`,
    });
  }

  async function accessToken(req, res, url, record) {
    record.body = await readBody(req);
    if (failures.tokenStatus) {
      return json(res, failures.tokenStatus, { message: 'Server Error' });
    }
    const p = tokenParams(req, url, record.body);
    if (p.client_id !== clientId || p.client_secret !== clientSecret) {
      return tokenError(req, res, 'incorrect_client_credentials',
        'The client_id and/or client_secret passed are incorrect.');
    }
    const grant = codes.get(p.code);
    codes.delete(p.code);  // single use, whatever happens next
    if (!grant || grant.expires < Date.now() || grant.clientId !== p.client_id) {
      return tokenError(req, res, 'bad_verification_code', 'The code passed is incorrect or expired.');
    }
    if (p.redirect_uri && p.redirect_uri !== grant.redirectUri) {
      return tokenError(req, res, 'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.');
    }
    if (grant.challenge && (!p.code_verifier || sha256url(p.code_verifier) !== grant.challenge)) {
      return tokenError(req, res, 'bad_verification_code', 'The code_verifier does not match.');
    }
    const token = `gho_${crypto.randomBytes(18).toString('base64url')}`;
    tokens.set(token, { userId: grant.userId, scope: grant.scope });
    tokenAnswer(req, res, { access_token: token, token_type: 'bearer', scope: grant.scope });
  }

  // The REST API's gate: a User-Agent, then a known token.
  function apiCaller(req, res) {
    if (!req.headers['user-agent']) {
      text(res, 403, 'Request forbidden by administrative rules. ' +
        'Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).');
      return null;
    }
    const grant = tokens.get(bearer(req));
    const user = grant && users.get(grant.userId);
    if (!user) {
      json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return null;
    }
    return { grant, user };
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const record = {
      method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers }, body: '',
    };
    requests.push(record);
    try {
      if (failures.slowMs && (!failures.slowPaths || failures.slowPaths.includes(url.pathname))) {
        await sleep(failures.slowMs);
      }
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(res, url);
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        return await accessToken(req, res, url, record);
      }
      if (req.method === 'GET' && url.pathname === '/user') {
        const caller = apiCaller(req, res);
        if (caller) json(res, 200, publicUser(caller.user));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/user/emails') {
        const caller = apiCaller(req, res);
        if (!caller) return;
        const scopes = caller.grant.scope.split(',');
        if (!scopes.includes('user:email') && !scopes.includes('user')) {
          return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        }
        return json(res, 200, caller.user.emails.map((e) => ({
          email: e.email, primary: !!e.primary, verified: !!e.verified,
          visibility: e.primary ? 'private' : null,
        })));
      }
      json(res, 404, { message: 'Not Found' });
    } catch (err) {
      if (!res.headersSent) json(res, 500, { message: String(err.message || err) });
    }
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setUser,
    /** 'ok' (approve at once) or 'denied' (error=access_denied). */
    setMode(next) { mode = next; },
    /** { tokenStatus: 500 } answers the token endpoint so; { slowMs, slowPaths } delays answers. */
    setFailures(next = {}) { failures = { tokenStatus: 0, slowMs: 0, slowPaths: null, ...next }; },
    /** The access tokens issued so far (for asserting on what reached the API). */
    issuedTokens: () => [...tokens.keys()],
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
