"""RFC 7662 token introspection at Tessera, with a short in-process cache.

The client (``CLIENT_ID``/``CLIENT_SECRET``) authenticates with ``client_secret_basic``; it
must be registered with ``--resource-server`` to be told about tokens that are not its own.
Answers are cached by the SHA-256 of the token (never the token itself): active ones for
``INTROSPECTION_CACHE_SECONDS`` (and never past the token's ``exp``), inactive ones for
``INTROSPECTION_INACTIVE_CACHE_SECONDS`` (at most the active lifetime: 0 turns caching off).
A revoked token is therefore still accepted for at most the active cache lifetime.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from typing import Dict, Tuple
from urllib.parse import quote

from .conf import TesseraConfig
from .exceptions import TesseraUnavailable
from .http import HttpError, request_json

log = logging.getLogger("tessera_drf")

MAX_ENTRIES = 10_000


def basic_credentials(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: id and secret form-encoded, then joined and base64'd."""
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("ascii")).decode("ascii")


class IntrospectionClient:
    def __init__(self, url: str, client_id: str):
        self.url = url
        self.client_id = client_id
        self._lock = threading.Lock()
        self._cache: Dict[str, Tuple[float, dict]] = {}
        self.calls = 0  # HTTP requests made (for tests, metrics)

    def _cached(self, digest: str):
        with self._lock:
            hit = self._cache.get(digest)
            if hit is None:
                return None
            if hit[0] <= time.monotonic():
                del self._cache[digest]
                return None
            return hit[1]

    def _store(self, digest: str, answer: dict, config: TesseraConfig) -> None:
        ttl = config.introspection_cache_seconds
        if answer.get("active") is True:
            exp = answer.get("exp")
            if isinstance(exp, (int, float)) and not isinstance(exp, bool):
                ttl = min(ttl, exp - time.time())
        else:
            ttl = min(ttl, config.introspection_inactive_cache_seconds)
        if ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._cache) >= MAX_ENTRIES:
                for k in [k for k, (until, _) in self._cache.items() if until <= now]:
                    del self._cache[k]
                if len(self._cache) >= MAX_ENTRIES:  # still full: drop the oldest half
                    for k in list(self._cache)[: MAX_ENTRIES // 2]:
                        del self._cache[k]
            self._cache[digest] = (now + ttl, answer)

    def introspect(self, token: str, config: TesseraConfig) -> dict:
        """Tessera's answer: a dict with a boolean `active`. Raises TesseraUnavailable when
        there is no usable answer (never treats that as active)."""
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        hit = self._cached(digest)
        if hit is not None:
            return hit
        with self._lock:
            self.calls += 1
        try:
            _, answer = request_json(
                "POST", self.url, timeout=config.http_timeout_seconds,
                data={"token": token},
                headers={"Authorization": basic_credentials(config.client_id, config.client_secret)},
            )
        except HttpError as e:
            if e.status in (400, 401, 403):
                log.error("tessera_drf: the introspection endpoint refused our client (%s): check "
                          "TESSERA['CLIENT_ID'] and ['CLIENT_SECRET'], and that the client is "
                          "registered with --resource-server", e)
            else:
                log.warning("tessera_drf: introspection failed: %s", e)
            raise TesseraUnavailable() from None
        if not isinstance(answer, dict) or not isinstance(answer.get("active"), bool):
            log.warning("tessera_drf: the introspection answer has no boolean `active`")
            raise TesseraUnavailable()
        self._store(digest, answer, config)
        return answer


_registry_lock = threading.Lock()
_registry: Dict[Tuple[str, str], IntrospectionClient] = {}


def client_for(config: TesseraConfig) -> IntrospectionClient:
    key = (config.introspection_url, config.client_id)
    with _registry_lock:
        c = _registry.get(key)
        if c is None:
            c = _registry[key] = IntrospectionClient(*key)
        return c


def reset() -> None:
    with _registry_lock:
        _registry.clear()
