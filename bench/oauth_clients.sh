# Sourced by bench/run.sh and bench/cluster.sh: reading the OAuth clients that
# `tessera admin create-client --json` makes, and authenticating as one.

# Prints "client_id client_secret" of create-client's JSON answer (standard input).
client_pair() {
  node -e 'const c = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (!c.client_id || !c.client_secret) throw new Error("no client_id/client_secret");
    console.log(c.client_id, c.client_secret);'
}
# client_secret_basic (RFC 6749 2.3.1): the id and secret are URL-safe already (base64url).
basic_auth() { printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"; }
