// bench/fixtures.mjs: creates the benchmark fixtures through the HTTP API (node >= 18, fetch).
//   node bench/fixtures.mjs users    ISSUER_URL PASSWORD PREFIX N   -> N new users; prints their emails, comma-separated
//   node bench/fixtures.mjs sessions ISSUER_URL PASSWORD EMAIL N    -> N logins; prints the refresh tokens, one a line
//   node bench/fixtures.mjs jwt      ISSUER_URL PASSWORD EMAIL      -> one login; prints the access token (JWT)
//   node bench/fixtures.mjs apitoken ISSUER_URL PASSWORD EMAIL      -> one login + POST /api/me/tokens; prints tpat_…
// Logins are sent two at a time: each costs one argon2id verification and the server runs
// one per core, with a short queue (--hash-queue) before it answers 503.
const [cmd, issuer, password, a, b] = process.argv.slice(2);

async function call(method, path, body, auth) {
  const headers = { 'Content-Type': 'application/json' };
  if (auth) headers.Authorization = auth;
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(issuer + path, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 503 && attempt < 20) {  // hashing queue full: back off and retry
      await new Promise((r) => setTimeout(r, 100 * attempt));
      continue;
    }
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

const login = (email) => call('POST', '/api/login', { email, password });

async function inBatches(n, width, fn) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return out;
}

async function main() {
  switch (cmd) {
    case 'users': {
      const emails = await inBatches(Number(b), 2, async (i) => {
        const email = `${a}-${i}@bench.example`;
        await call('POST', '/api/signup', { email, password });
        return email;
      });
      console.log(emails.join(','));
      break;
    }
    case 'sessions': {
      const tokens = await inBatches(Number(b), 2, async () => (await login(a)).refresh_token);
      console.log(tokens.join('\n'));
      break;
    }
    case 'jwt':
      console.log((await login(a)).access_token);
      break;
    case 'apitoken': {
      const jwt = (await login(a)).access_token;
      const t = await call('POST', '/api/me/tokens', { name: 'bench' }, `Bearer ${jwt}`);
      console.log(t.token);
      break;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

main().catch((e) => {
  console.error(`fixtures: ${e.message}`);
  process.exit(1);
});
