// bench/report.mjs: assembles bench/run.sh's measurements into one JSON file and prints the
// Markdown tables of docs/benchmarks.md, with the targets checked.
//   node bench/report.mjs WORK_DIR OUT_JSON
// WORK_DIR holds meta.json, hash.json (tessera_bench_hash, or null), runs.jsonl (one run a
// line) and backends.jsonl (idle RSS per backend).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [work, out] = process.argv.slice(2);
const read = (f) => readFileSync(join(work, f), 'utf8');
const lines = (f) => read(f).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

const meta = JSON.parse(read('meta.json'));
const hash = JSON.parse(read('hash.json'));
const runs = lines('runs.jsonl');
const backends = lines('backends.jsonl');

const MiB = 1024;  // kB per MiB (VmRSS is in KiB)
const TARGETS = {
  me_jwt_vs_healthz: 0.5,
  refresh_sqlite_rps: 5000,
  login_vs_hash_rate: 0.8,
  idle_rss_mib: 30,
};

const run = (backend, scenario) => runs.find((r) => r.backend === backend && r.scenario === scenario);
const hashRate = hash ? hash.multi.hashes_per_s : null;

const targets = [];
for (const b of backends.map((x) => x.backend)) {
  const healthz = run(b, 'healthz'), meJwt = run(b, 'me_jwt'), login = run(b, 'login');
  const refresh = run(b, 'refresh');
  if (healthz && meJwt) {
    const ratio = meJwt.wrk.rps / healthz.wrk.rps;
    targets.push({ target: 'me (JWT) ≥ 50% of /healthz', backend: b,
                   measured: `${fmt(meJwt.wrk.rps)} vs ${fmt(healthz.wrk.rps)} req/s`,
                   ratio, met: ratio >= TARGETS.me_jwt_vs_healthz });
  }
  if (refresh && b === 'sqlite') {
    const ratio = refresh.wrk.rps / TARGETS.refresh_sqlite_rps;
    targets.push({ target: 'refresh ≥ 5,000/s on SQLite', backend: b,
                   measured: `${fmt(refresh.wrk.rps)} req/s (non-2xx ${refresh.wrk.non2xx})`,
                   ratio, met: refresh.wrk.rps >= TARGETS.refresh_sqlite_rps && refresh.wrk.non2xx === 0 });
  }
  if (login && hashRate) {
    const ratio = login.wrk.rps / hashRate;
    targets.push({ target: 'login ≥ 80% of the argon2id hash rate', backend: b,
                   measured: `${fmt(login.wrk.rps, 1)} vs ${fmt(hashRate, 1)} hashes/s`,
                   ratio, met: ratio >= TARGETS.login_vs_hash_rate && login.wrk.non2xx === 0 });
  }
  const be = backends.find((x) => x.backend === b);
  const idle = Math.max(be.idle_rss_start_kb, be.idle_rss_end_kb) / MiB;
  targets.push({ target: 'idle RSS ≤ 30 MiB', backend: b,
                 measured: `${fmt(be.idle_rss_start_kb / MiB, 1)} MiB after start, ` +
                           `${fmt(be.idle_rss_end_kb / MiB, 1)} MiB after the runs`,
                 ratio: idle / TARGETS.idle_rss_mib, met: idle <= TARGETS.idle_rss_mib });
}

writeFileSync(out, JSON.stringify({ meta, hash_rate: hash, backends, runs, targets }, null, 2) + '\n');

function fmt(x, digits = 0) {
  return Number(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const ms = (us) => fmt(us / 1000, us < 10000 ? 2 : 1);
const md = [];
md.push(`Run ${meta.date} on ${meta.nproc} × ${meta.cpu_model}, ${fmt(meta.mem_total_kb / MiB / 1024, 1)} GiB, ` +
        `${meta.build_type} build ${meta.commit}; wrk ${meta.wrk}, ${meta.wrk_threads} thread, ` +
        `${meta.seconds} s per run, ${meta.connections} connections ` +
        `(signup/login: ${meta.hash_connections}); server --log-level ${meta.log_level}` +
        `${meta.server_args ? ' ' + meta.server_args : ''}; load average before: ${meta.load_before[0]}.`);
md.push('');
if (hash) {
  md.push(`argon2id (19 MiB, t=2) hash rate: ${fmt(hash.single.hashes_per_s, 1)}/s with 1 thread, ` +
          `${fmt(hash.multi.hashes_per_s, 1)}/s with ${hash.multi.threads} threads.`);
  md.push('');
}
const names = { healthz: 'GET /healthz', signup: 'POST signup', login: 'POST login',
                refresh: 'POST token/refresh', me_jwt: 'GET /api/me (JWT)', me_token: 'GET /api/me (API token)' };
for (const be of backends) {
  md.push(`### ${be.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`);
  md.push('');
  md.push('| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | server CPU % | wrk CPU % | machine CPU % | RSS after MiB |');
  md.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of runs.filter((x) => x.backend === be.backend)) {
    const w = r.wrk;
    const errs = w.socket_errors.connect + w.socket_errors.read + w.socket_errors.write + w.socket_errors.timeout;
    md.push(`| ${names[r.scenario] ?? r.scenario} | ${r.connections} | ${fmt(w.rps, w.rps < 1000 ? 1 : 0)} | ` +
            `${ms(w.latency_us.p50)} | ${ms(w.latency_us.p99)} | ${w.non2xx}${errs ? ` (+${errs} socket errors)` : ''}` +
            `${w.starved ? ` (${w.starved} starved)` : ''} | ${fmt(r.server_cpu_pct)} | ${fmt(r.wrk_cpu_pct)} | ` +
            `${fmt(r.machine_cpu_pct)} | ${fmt(r.rss_after_kb / MiB, 1)} |`);
  }
  md.push('');
  md.push(`Idle RSS: ${fmt(be.idle_rss_start_kb / MiB, 1)} MiB right after start, ` +
          `${fmt(be.idle_rss_end_kb / MiB, 1)} MiB idle after all runs.`);
  md.push('');
}
md.push('### Targets');
md.push('');
md.push('| target | backend | measured | ratio | met |');
md.push('|---|---|---|---:|---|');
for (const t of targets) {
  md.push(`| ${t.target} | ${t.backend} | ${t.measured} | ${fmt(t.ratio * 100)}% | ${t.met ? 'met' : '**not met**'} |`);
}
console.log(md.join('\n'));
