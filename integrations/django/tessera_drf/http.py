"""Small, bounded HTTP for the JWKS and introspection: one requests.Session per thread (keep-alive
connections, no sharing of a Session between threads), no redirects, a timeout, and answers
read up to a size limit."""
from __future__ import annotations

import json
import threading

import requests

MAX_BODY_BYTES = 1024 * 1024
_local = threading.local()


class HttpError(Exception):
    """Any failure to get a usable JSON answer; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _session() -> requests.Session:
    s = getattr(_local, "session", None)
    if s is None:
        s = requests.Session()
        s.trust_env = False  # no proxies or .netrc credentials picked up from the environment
        s.headers["User-Agent"] = "tessera-drf"
        _local.session = s
    return s


def request_json(method: str, url: str, *, timeout: float, **kwargs):
    """Returns (status, parsed JSON) for a 2xx JSON answer; raises HttpError otherwise."""
    try:
        with _session().request(method, url, timeout=timeout, allow_redirects=False, stream=True,
                                headers={"Accept": "application/json", **kwargs.pop("headers", {})},
                                **kwargs) as res:
            body = bytearray()
            for chunk in res.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    raise HttpError(f"{url}: answer larger than {MAX_BODY_BYTES} bytes", res.status_code)
            status = res.status_code
    except requests.RequestException as e:
        raise HttpError(f"{url}: {type(e).__name__}: {e}") from e
    if not 200 <= status < 300:
        raise HttpError(f"{url}: HTTP {status}", status)
    try:
        return status, json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise HttpError(f"{url}: the answer is not JSON ({e})", status) from e
