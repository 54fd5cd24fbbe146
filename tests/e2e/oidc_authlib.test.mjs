// A second, independent OpenID Connect client: Authlib (Python, Debian's python3-authlib and
// python3-requests), in py/authlib_code_flow.py. It runs the code flow with PKCE against the
// server (signing in and consenting through the hosted forms with requests), validates the ID
// token (signature, iss, aud, nonce, at_hash), calls userinfo, refreshes, introspects, revokes.
//
// Uses Debian's interpreter (/usr/bin/python3, where apt puts the packages) unless
// TESSERA_PYTHON names another. A missing interpreter or package fails the test with what to
// install (scripts/setup.sh installs both).
//
// Run alone:  node --test tests/e2e/oidc_authlib.test.mjs
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, backends, test, describe, before, after, signup } from './lib/server.mjs';
import { registerClient } from './lib/oidc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(here, 'py', 'authlib_code_flow.py');
const PYTHON = process.env.TESSERA_PYTHON || '/usr/bin/python3';
const REDIRECT = 'https://rp.example/authlib/callback';

function checkPython() {
  try {
    execFileSync(PYTHON, ['-c', 'import authlib, requests, cryptography'], { stdio: 'pipe', timeout: 20_000 });
  } catch (e) {
    throw new Error(`${PYTHON} cannot import authlib, requests and cryptography (${String(e.stderr || e.message).trim()}). ` +
      'Install Debian\'s python3-authlib and python3-requests (scripts/setup.sh does), or set TESSERA_PYTHON.');
  }
}

function runScript(input) {
  return new Promise((resolve) => {
    const child = execFile(PYTHON, [SCRIPT], {
      timeout: 60_000, env: { ...process.env, AUTHLIB_INSECURE_TRANSPORT: '1' },
    }, (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 'error') : 0, stdout, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}

for (const backend of backends()) {
  describe(`OpenID Connect with Authlib (Python) [${backend}]`, () => {
    let srv, pythonError = null;
    before(async () => {
      try { checkPython(); } catch (e) { pythonError = e; }
      srv = await startServer({ postgres: backend === 'postgres', label: `oidc-authlib-${backend}` });
    });
    after(() => srv?.close());

    test('Authlib: code flow with PKCE, ID token validation, userinfo, refresh, introspection, revocation', async () => {
      if (pythonError) throw pythonError; // a failure, not a skip
      const c = await registerClient(srv, { name: 'Authlib RP', redirectUris: [REDIRECT] });
      const who = await signup(srv, { profile: { name: 'Katherine Johnson' } });
      const r = await runScript({ issuer: srv.issuer(), client_id: c.client_id, client_secret: c.client_secret,
        redirect_uri: REDIRECT, email: who.email, password: who.password });
      assert.equal(r.code, 0, `authlib_code_flow.py failed:\n${r.stderr}\n${r.stdout}`);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.seen, ['login', 'consent']);
      assert.equal(out.sub, who.user.id);
      assert.equal(out.email, who.email);
      assert.equal(out.userinfo.name, 'Katherine Johnson');
      assert.equal(out.introspection.active, true);
      assert.equal(out.introspection.client_id, c.client_id);
      assert.equal(out.revoked_refresh_active, false);
    });
  });
}
