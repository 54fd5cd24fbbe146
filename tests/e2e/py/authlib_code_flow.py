#!/usr/bin/python3
"""The OpenID Connect code flow with Authlib (Debian's python3-authlib), against a running Tessera.

Run by tests/e2e/oidc_authlib.test.mjs, which starts the server, registers the client and the
user, and passes them as one JSON object on stdin:
  {"issuer", "client_id", "client_secret", "redirect_uri", "email", "password"}
The user agent is a plain requests.Session that fills in the hosted login and consent forms. Authlib
does the client side: the authorization URL with PKCE (S256), the code exchange
(client_secret_basic), ID token validation (signature from the JWKS, iss, aud, exp, nonce,
at_hash), userinfo, refresh, introspection and revocation.

Prints one JSON object with what it saw; exits 1 with a message on stderr when a check fails.
Needs AUTHLIB_INSECURE_TRANSPORT=1 for the http:// issuer of the tests (the test sets it).
"""
import json
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, parse_qs

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


class Forms(HTMLParser):
    """Collects the forms of a page: action, fields (named inputs) and buttons (name, value)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "buttons": []})
        elif self.forms and tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "button"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""
        elif self.forms and tag == "button":
            self.forms[-1]["buttons"].append((a.get("name"), a.get("value")))


def forms_of(html):
    p = Forms()
    p.feed(html)
    return p.forms


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def run(cfg):
    issuer, redirect_uri = cfg["issuer"], cfg["redirect_uri"]
    meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10)
    check(meta.status_code == 200, f"discovery: HTTP {meta.status_code}")
    meta = meta.json()
    check(meta["issuer"] == issuer, f"discovery issuer {meta['issuer']!r} != {issuer!r}")

    client = OAuth2Session(cfg["client_id"], cfg["client_secret"], scope="openid profile email offline_access",
                           redirect_uri=redirect_uri, code_challenge_method="S256",
                           token_endpoint_auth_method="client_secret_basic")
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

    # The user agent: follow redirects by hand, sign in, consent.
    ua = requests.Session()
    seen = []
    res = ua.get(url, allow_redirects=False, timeout=10)
    callback = None
    for _ in range(12):
        if res.is_redirect:
            loc = urljoin(res.url, res.headers["Location"])
            if loc.startswith(redirect_uri):
                callback = loc
                break
            res = ua.get(loc, allow_redirects=False, timeout=10)
            continue
        check(res.status_code == 200, f"unexpected HTTP {res.status_code} at {res.url}: {res.text[:300]}")
        forms = forms_of(res.text)
        login = next((f for f in forms if "identifier" in f["fields"]), None)
        consent = next((f for f in forms if ("decision", "allow") in f["buttons"]), None)
        if login:
            seen.append("login")
            data = dict(login["fields"], identifier=cfg["email"], password=cfg["password"])
        elif consent:
            seen.append("consent")
            data = dict(consent["fields"], decision="allow")
        else:
            raise AssertionError(f"neither login nor consent at {res.url}: {res.text[:300]}")
        form = login or consent
        res = ua.post(urljoin(res.url, form["action"] or res.url), data=data, allow_redirects=False, timeout=10,
                      headers={"Origin": "{0.scheme}://{0.netloc}".format(urlsplit(res.url))})
    check(callback, "never redirected back to the client")
    q = parse_qs(urlsplit(callback).query)
    check(q.get("iss") == [issuer], f"iss in the authorization response: {q.get('iss')}")

    token = client.fetch_token(meta["token_endpoint"], authorization_response=callback, state=state,
                               code_verifier=verifier)
    check(token.get("token_type", "").lower() == "bearer", f"token_type {token.get('token_type')}")
    check("refresh_token" in token and "id_token" in token, f"token response keys {sorted(token)}")

    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], jwks, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": issuer}},
                        claims_params={"nonce": nonce, "client_id": cfg["client_id"],
                                       "access_token": token["access_token"]})
    claims.validate()  # iss, aud, exp, iat, nonce, at_hash (CodeIDToken)

    info = client.get(meta["userinfo_endpoint"], timeout=10)
    check(info.status_code == 200, f"userinfo: HTTP {info.status_code} {info.text[:200]}")
    info = info.json()
    check(info["sub"] == claims["sub"], "userinfo sub == ID token sub")

    old_refresh = token["refresh_token"]
    new = client.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    check(new["refresh_token"] != old_refresh, "the refresh token rotates")

    intro = client.introspect_token(meta["introspection_endpoint"], token=new["access_token"])
    check(intro.status_code == 200, f"introspection: HTTP {intro.status_code}")
    active = intro.json()
    rev = client.revoke_token(meta["revocation_endpoint"], token=new["refresh_token"], token_type_hint="refresh_token")
    check(rev.status_code == 200, f"revocation: HTTP {rev.status_code}")
    after = client.introspect_token(meta["introspection_endpoint"], token=new["refresh_token"]).json()
    return {"seen": seen, "sub": claims["sub"], "email": claims.get("email"), "aud": claims["aud"],
            "userinfo": info, "introspection": active, "revoked_refresh_active": after.get("active"),
            "scope": token.get("scope")}


def main():
    cfg = json.load(sys.stdin)
    try:
        print(json.dumps(run(cfg)))
    except Exception as e:  # report any failure (assertion, OAuth error, JOSE error) the same way
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
