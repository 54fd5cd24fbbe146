// Black-box test harness for the Tessera server binary.
//
// startServer(opts) spawns `tessera serve` on a free port with a fresh temp data dir, waits for
// GET /readyz, and returns a TesseraServer. Output (stdout + stderr) is captured; the `test`
// exported here wraps node:test's and appends the output of every server started by this test
// file to a failing test's error.
//
// Run:   node --test tests/e2e/            (from the repo root; files run one after another)
//        cd tests/e2e && npm test           (same, two files at a time)
// Env:   TESSERA_BIN                  the binary (default <repo>/build/tessera)
//        TESSERA_TEST_POSTGRES_URL    also run the backend-parametrized suites on PostgreSQL,
//                                     e.g. the URL printed by scripts/postgres-test-server.sh
//        TESSERA_E2E_KEEP=1           keep the temp data dirs
// No TESSERA_* variable of the caller reaches the server. On PostgreSQL every server (test
// file) gets its own app with a random slug, and all of them share one master key file in the
// temp dir, because the sealed signing keys live in the shared database. A server started with
// `isolatedSchema: true` gets a schema of its own instead (created with psql, dropped on
// close): needed where nodes sharing the database would interfere, e.g. the mail outbox,
// which every node's worker sends from whatever app queued it.
//
// The harness lives in smaller modules, all re-exported here: tessera.mjs (the server process,
// the admin CLI, the test wrapper), http.mjs (requests and their assertions, raw sockets),
// users.mjs (users, signup/login, JWTs) and util.mjs (sleep, random values).
export * from './tessera.mjs';
export * from './http.mjs';
export * from './users.mjs';
export * from './util.mjs';
