-- GET {issuer}/oauth/userinfo with $BENCH_AUTH = "Bearer <access token>" from the
-- authorization-code flow (scope openid profile email). The same token every time.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = os.getenv("BENCH_ISSUER_PATH") .. "/oauth/userinfo"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
