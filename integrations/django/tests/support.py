"""Shared helpers: the fixtures, calls to the real Tessera (sign-in, API tokens, client
credentials), JWT surgery for forged tokens, and the base test case."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import time

import requests
from django.test import TestCase
from rest_framework.test import APIClient

import tessera_drf
from tessera_drf import introspection, jwks
from tessera_drf.conf import get_config
from tests.fixtures import FIXTURES, ENV_FILE

HTTP_TIMEOUT = 15
_http = requests.Session()
_http.trust_env = False  # no proxy from the environment for 127.0.0.1


def need(*path):
    """fixtures[path…], or a failure that says what is missing (never a skip)."""
    value = FIXTURES
    for p in path:
        if not isinstance(value, dict) or p not in value:
            raise AssertionError(
                f"fixture {'.'.join(path)} is missing: run through tests/e2e/django_drf.test.mjs, "
                f"or give a JSON file in {ENV_FILE} (see tests/fixtures.py)")
        value = value[p]
    return value


def user(name):
    return need("users", name)


# ------------------------------------------------------------------ Tessera, for real
def login(issuer, email, password):
    """An account-API sign-in: the token response (access_token, refresh_token, user)."""
    r = _http.post(f"{issuer}/api/login", json={"email": email, "password": password},
                      timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"login {email} at {issuer}: {r.status_code} {r.text[:500]}"
    return r.json()


def logout(issuer, refresh_token):
    r = _http.post(f"{issuer}/api/logout", json={"refresh_token": refresh_token}, timeout=HTTP_TIMEOUT)
    assert r.status_code in (200, 204), f"logout: {r.status_code} {r.text[:500]}"


def create_api_token(issuer, access_token, name="drf test"):
    r = _http.post(f"{issuer}/api/me/tokens", json={"name": name},
                      headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT)
    assert r.status_code == 201, f"create API token: {r.status_code} {r.text[:500]}"
    return r.json()


def revoke_api_token(issuer, access_token, token_id):
    r = _http.delete(f"{issuer}/api/me/tokens/{token_id}",
                        headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT)
    assert r.status_code == 204, f"revoke API token: {r.status_code} {r.text[:500]}"


def client_credentials(issuer, client_id, client_secret, scope):
    r = _http.post(f"{issuer}/oauth/token", data={"grant_type": "client_credentials", "scope": scope},
                      auth=(client_id, client_secret), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, f"client_credentials: {r.status_code} {r.text[:500]}"
    return r.json()


def introspect_raw(issuer, token):
    r = _http.post(f"{issuer}/oauth/introspect", data={"token": token},
                      auth=(need("client_id"), need("client_secret")), timeout=HTTP_TIMEOUT)
    return r.status_code, r.text


def rotate_keys():
    """`tessera keys rotate --stage-seconds 0` on the test server's data: the new keys sign at
    once (the server sees the rotation within its key reload interval, 30 s)."""
    argv = need("rotate_command")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"{' '.join(argv)} → {p.returncode}\n{p.stdout}\n{p.stderr}"
    return json.loads(p.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ JWT surgery
def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(seg: str) -> bytes:
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(unb64(h)), json.loads(unb64(p)), s


def encode(header, claims, signature=""):
    enc = lambda o: b64(json.dumps(o, separators=(",", ":")).encode())  # noqa: E731
    return f"{enc(header)}.{enc(claims)}.{signature}"


def kid_of(token):
    return jwt_parts(token)[0]["kid"]


def wait_until(what, fn, timeout, every=0.5):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


# ------------------------------------------------------------------ the base test case
class TesseraTestCase(TestCase):
    """Fresh caches for every test, and an APIClient."""

    def setUp(self):
        tessera_drf.reset_caches()
        self.api = APIClient()

    def call(self, path, authorization=None):
        extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
        return self.api.get(f"/{path}", **extra)

    def bearer(self, path, token):
        return self.call(path, f"Bearer {token}")

    def assert_status(self, res, status):
        body = getattr(res, "data", None)
        self.assertEqual(res.status_code, status, f"expected {status}, got {res.status_code}: {body}")

    def assert_401(self, res, reason=None):
        """A 401 with a Bearer challenge (so DRF did not make it a 403)."""
        self.assert_status(res, 401)
        self.assertTrue(res["WWW-Authenticate"].startswith('Bearer realm="'), res["WWW-Authenticate"])
        if reason is not None:
            self.assertIn(reason, str(res.data.get("detail")))

    @staticmethod
    def jwks_fetches():
        return jwks.cache_for(get_config().jwks_url).fetches

    @staticmethod
    def introspections():
        return introspection.client_for(get_config()).calls
