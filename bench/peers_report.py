#!/usr/bin/env python3
"""Renders a `make bench-peers` run (bench/peers.sh) as the side-by-side table of
docs/benchmarks.md, between the markers <!-- bench-peers:begin --> and <!-- bench-peers:end -->.

    python3 bench/peers_report.py bench/results/peers-<stamp> docs/benchmarks.md

Reads each peer's summary.md (the harness's medians), healthz.txt (wrk RESULT lines),
hash_rate.json (build/tessera_bench_hash) and meta.txt from the run folder. Sign-in and sign-up
count successful responses only (req/s × (1 − errors/requests)). Every ratio compares figures
from this one invocation.
"""
import json, os, re, statistics, sys

BEGIN, END = "<!-- bench-peers:begin -->", "<!-- bench-peers:end -->"


def summary(run, peer):
    """scenario -> dict of the harness's median columns, or {} when the peer did not run."""
    path = os.path.join(run, peer, "summary.md")
    if not os.path.exists(path):
        return {}
    rows = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 10 or cells[0] in ("scenario", "") or cells[0].startswith("---"):
            continue
        try:
            errors, requests = (int(x) for x in cells[5].split("/"))
            rps = float(cells[2])
        except ValueError:
            continue
        ok = rps * (1 - errors / requests) if requests else 0.0
        rows[cells[0]] = {"rps": rps, "ok_rps": ok, "errors": errors, "requests": requests,
                          "p99": float(cells[4]), "cores": float(cells[6]),
                          "rss_idle": float(cells[8]), "rss_peak": float(cells[9])}
    return rows


def healthz(run):
    path = os.path.join(run, "healthz.txt")
    rates = [float(m.group(1)) for m in re.finditer(r"rps=([0-9.]+)", open(path).read())] \
        if os.path.exists(path) else []
    return statistics.median(rates) if rates else None


def hash_rate(run, name="hash_rate.json"):
    try:
        return json.load(open(os.path.join(run, name)))["multi"]["hashes_per_s"]
    except (OSError, KeyError, ValueError):
        return None


def fmt(x, digits=0):
    return "–" if x is None else f"{x:,.{digits}f}"


def ratio(a, b):
    return None if a is None or not b else a / b


def verdict(value, target):
    return "–" if value is None else ("met" if value >= target else "**not met**")


def render(run):
    t, d, n = summary(run, "tessera"), summary(run, "django-seed"), summary(run, "node-oidc-provider")
    g = lambda rows, s, k="rps": rows.get(s, {}).get(k)
    meta = open(os.path.join(run, "meta.txt")).read().strip().splitlines() \
        if os.path.exists(os.path.join(run, "meta.txt")) else []
    hz, argon = healthz(run), hash_rate(run)
    out = [BEGIN, "", f"Run `{os.path.basename(run.rstrip('/'))}` (raw data: `bench/results/"
           f"{os.path.basename(run.rstrip('/'))}/`). " + "; ".join(meta) + ".", "",
           "| scenario | Tessera | Django stack | node-oidc-provider | ratio | target | |",
           "|---|---|---|---|---|---|---|"]

    def row(name, tv, dv, nv, r, target_text, target):
        out.append(f"| {name} | {fmt(tv)} | {fmt(dv)} | {fmt(nv)} | "
                   f"{'–' if r is None else f'{r:.1f}×'} | {target_text} | {verdict(r, target)} |")

    row("refresh (rotation) req/s", g(t, "refresh"), g(d, "refresh"), None,
        ratio(g(t, "refresh"), g(d, "refresh")), "≥ 30× Django", 30)
    share = ratio(g(t, "refresh"), hz)
    out.append(f"| refresh ÷ `/healthz` ({fmt(hz)}/s) | {'–' if share is None else f'{100 * share:.0f}%'}"
               f" | | | | ≥ 25% | {verdict(share, 0.25)} |")
    row("`me`, JWT req/s", g(t, "profile_jwt"), g(d, "profile_jwt"), None,
        ratio(g(t, "profile_jwt"), g(d, "profile_jwt")), "≥ 30× Django", 30)
    row("`me`, API token req/s", g(t, "token_profile"), g(d, "token_profile"), None,
        ratio(g(t, "token_profile"), g(d, "token_profile")), "≥ 30× Django", 30)
    row("client_credentials (JWT) req/s", g(t, "cc_token"), g(d, "cc_token"), g(n, "cc_token_jwt"),
        ratio(g(t, "cc_token"), g(n, "cc_token_jwt")), "≥ 6× node (JWT)", 6)
    row("introspection req/s", g(t, "introspect"), g(d, "introspect"), g(n, "introspect"),
        ratio(g(t, "introspect"), g(n, "introspect")), "≥ 5× node", 5)
    # Sign-in is judged against the rate measured just before the run (Tessera signs in within
    # its first minutes); the one after the run is shown beside it to show the drift.
    before = hash_rate(run, "hash_rate_before.json")
    judged = before if before is not None else argon
    login_share = ratio(g(t, "login", "ok_rps"), judged)
    errors = g(t, "login", "errors")
    rates = (f"{fmt(before, 1)}/s before the run, {fmt(argon, 1)}/s after" if before is not None
             else f"{fmt(argon, 1)}/s")
    out.append(f"| sign-in, successful/s (argon2id rate {rates}) | {fmt(g(t, 'login', 'ok_rps'), 1)}"
               f" ({fmt(errors)} errors) | {fmt(g(d, 'login', 'ok_rps'), 1)} | | "
               f"{'–' if login_share is None else f'{100 * login_share:.0f}% of argon2id'} | ≥ 90%, 0 errors | "
               f"{'met' if login_share and login_share >= 0.9 and errors == 0 else '**not met**'} |")
    row("sign-up, successful/s", g(t, "register", "ok_rps"), g(d, "register", "ok_rps"), None,
        ratio(g(t, "register", "ok_rps"), g(d, "register", "ok_rps")), "not worse", 0)
    idle = min((v["rss_idle"] for v in t.values()), default=None)
    peak = max((v["rss_peak"] for v in t.values()), default=None)
    out.append(f"| RSS idle / peak MiB | {fmt(idle, 1)} / {fmt(peak, 1)} | "
               f"{fmt(min((v['rss_idle'] for v in d.values()), default=None), 1)} / "
               f"{fmt(max((v['rss_peak'] for v in d.values()), default=None), 1)} | "
               f"{fmt(min((v['rss_idle'] for v in n.values()), default=None), 1)} / "
               f"{fmt(max((v['rss_peak'] for v in n.values()), default=None), 1)} | | ≤ 30 / ≤ 80 | "
               f"{'met' if idle is not None and idle <= 30 and peak <= 80 else '**not met**'} |")
    out += ["", "Tessera's server CPU per scenario (cores, median): " +
            ", ".join(f"{s} {v['cores']:.2f}" for s, v in t.items()) + ".", "", END]
    return "\n".join(out)


def main():
    run, doc = sys.argv[1], sys.argv[2]
    section = render(run)
    text = open(doc).read()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Side by side with the peers (`make bench-peers`)\n\n" + section + "\n"
    open(doc, "w").write(text)
    print(section)


if __name__ == "__main__":
    main()
