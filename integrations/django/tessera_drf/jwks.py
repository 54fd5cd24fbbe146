"""The issuer's public keys (JWKS), cached in-process.

One :class:`JwksCache` per JWKS URL, shared by every thread. Rules:

- Keys fetched less than ``JWKS_CACHE_SECONDS`` ago are used as they are.
- An unknown ``kid`` (a key rotated in since the last fetch) or an expired cache fetches again,
  but never more often than every ``JWKS_MIN_REFETCH_SECONDS`` (counted from the last attempt,
  successful or not), so tokens with made-up kids cannot turn this process into a JWKS flood.
- A fetch that fails (network, timeout, non-2xx, not a JWKS) keeps the keys already known for
  up to ``STALE_GRACE_SECONDS`` past their cache lifetime (Tessera keeps a replaced key
  published for 7 days, so a known kid stays right); with nothing usable the request gets
  TesseraUnavailable (503), never an acceptance.
- Only one thread fetches at a time; the others wait for its result (bounded by the timeout).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional

from jwt.algorithms import get_default_algorithms

from .conf import ASYMMETRIC_ALGORITHMS, TesseraConfig
from .exceptions import InvalidToken, TesseraUnavailable
from .http import HttpError, request_json

log = logging.getLogger("tessera_drf")

STALE_GRACE_SECONDS = 3600
MAX_KEYS = 100

_RSA_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC_CURVE_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}


@dataclass(frozen=True)
class PublicKey:
    kid: str
    key: object                    # a cryptography public key
    algorithms: FrozenSet[str]     # what this key may verify


def _parse_key(jwk) -> Optional[PublicKey]:
    """A usable signature-verification key from one JWK, or None (skipped)."""
    if not isinstance(jwk, dict):
        return None
    kid, kty, alg = jwk.get("kid"), jwk.get("kty"), jwk.get("alg")
    if not isinstance(kid, str) or not kid:
        return None
    if jwk.get("use", "sig") != "sig" or "d" in jwk:  # encryption keys; private keys never
        return None
    if kty == "RSA":
        algs = _RSA_ALGS
    elif kty == "EC":
        curve_alg = _EC_CURVE_ALG.get(jwk.get("crv"))
        algs = frozenset({curve_alg}) if curve_alg else frozenset()
    elif kty == "OKP" and jwk.get("crv") == "Ed25519":
        algs = frozenset({"EdDSA"})
    else:
        return None  # "oct" (symmetric) and anything unknown
    if alg is not None:
        # A key that names its algorithm verifies only that one (no RS256 key used for PS256,
        # no algorithm confusion).
        algs = algs & {alg} if alg in ASYMMETRIC_ALGORITHMS else frozenset()
    if not algs:
        return None
    try:
        impl = get_default_algorithms()[next(iter(sorted(algs)))]
        key = impl.from_jwk(jwk)
    except Exception as e:  # noqa: BLE001 - a malformed key is skipped, not fatal
        log.warning("tessera_drf: skipping JWK %r: %s", kid, e)
        return None
    if hasattr(key, "private_bytes"):
        return None
    return PublicKey(kid, key, algs)


def parse_jwks(document) -> Dict[str, PublicKey]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise HttpError("the JWKS is not a JSON object with a `keys` array")
    keys: Dict[str, PublicKey] = {}
    for jwk in document["keys"][:MAX_KEYS]:
        k = _parse_key(jwk)
        if k is not None and k.kid not in keys:
            keys[k.kid] = k
    if not keys:
        raise HttpError("the JWKS holds no usable signature keys")
    return keys


class JwksCache:
    def __init__(self, url: str):
        self.url = url
        self._lock = threading.Lock()
        self._keys: Dict[str, PublicKey] = {}
        self._fetched_at: Optional[float] = None    # monotonic time of the last good fetch
        self._attempted_at: Optional[float] = None  # … of the last attempt, good or not
        self._last_error: Optional[str] = None
        self.fetches = 0                            # HTTP requests made (for tests, metrics)

    def _fetch(self, config: TesseraConfig, now: float) -> None:
        self._attempted_at = now
        self.fetches += 1
        try:
            _, document = request_json("GET", self.url, timeout=config.http_timeout_seconds)
            keys = parse_jwks(document)
        except HttpError as e:
            self._last_error = str(e)
            log.warning("tessera_drf: fetching the JWKS failed: %s", e)
            return
        self._keys, self._fetched_at, self._last_error = keys, time.monotonic(), None

    def key(self, kid: str, config: TesseraConfig) -> PublicKey:
        with self._lock:
            now = time.monotonic()
            fresh = self._fetched_at is not None and now - self._fetched_at < config.jwks_cache_seconds
            if fresh and kid in self._keys:
                return self._keys[kid]
            may_fetch = (self._attempted_at is None
                         or now - self._attempted_at >= config.jwks_min_refetch_seconds)
            if may_fetch:
                self._fetch(config, now)
                now = time.monotonic()
            usable = (self._fetched_at is not None and now - self._fetched_at
                      <= config.jwks_cache_seconds + STALE_GRACE_SECONDS)
            if usable and kid in self._keys:
                return self._keys[kid]
            if not usable or self._last_error is not None:
                # No keys we may trust, or the refetch an unknown kid asked for failed: we
                # cannot tell a good token from a bad one.
                raise TesseraUnavailable()
            raise InvalidToken("unknown key id")

    def stats(self) -> dict:
        with self._lock:
            return {"fetches": self.fetches, "kids": sorted(self._keys), "last_error": self._last_error}


_registry_lock = threading.Lock()
_registry: Dict[str, JwksCache] = {}


def cache_for(url: str) -> JwksCache:
    with _registry_lock:
        c = _registry.get(url)
        if c is None:
            c = _registry[url] = JwksCache(url)
        return c


def reset() -> None:
    with _registry_lock:
        _registry.clear()
