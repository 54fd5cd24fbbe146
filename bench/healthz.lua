-- GET /healthz: the HTTP layer's ceiling (no database, no crypto).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = "/healthz"
