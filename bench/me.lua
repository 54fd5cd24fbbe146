-- GET {issuer}/api/me with the Authorization header in $BENCH_AUTH: "Bearer <JWT>" or
-- "Bearer tpat_…" (a personal API token). The same credential on every request.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = os.getenv("BENCH_ISSUER_PATH") .. "/api/me"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
