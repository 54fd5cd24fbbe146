-- POST {issuer}/oauth/token with grant_type=client_credentials: a confidential client
-- authenticates with client_secret_basic ($BENCH_AUTH = "Basic base64(client_id:secret)")
-- and gets a signed access token (JWT). The same request every time.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = os.getenv("BENCH_ISSUER_PATH") .. "/oauth/token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.body = "grant_type=client_credentials"
