"""The TESSERA setting, read and checked.

``settings.TESSERA`` is a dict; :func:`get_config` turns it into a frozen :class:`TesseraConfig`
(cached until Django's ``setting_changed`` signal says TESSERA changed, so ``override_settings``
works in tests). Every mistake is an ``ImproperlyConfigured`` naming the key.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import threading
from typing import Callable, Optional, Tuple
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

# Asymmetric JWS algorithms only. HS* (a shared secret: with a public JWKS anyone could forge)
# and "none" can never be allowed, whatever the setting says.
ASYMMETRIC_ALGORITHMS = frozenset({
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512", "EdDSA",
})
# What Tessera signs access tokens with (--jwt-alg: ES256 by default, EdDSA or RS256).
DEFAULT_ALGORITHMS = ("ES256", "EdDSA", "RS256")

DEFAULTS = {
    "ISSUER": None,
    "AUDIENCE": None,                 # default: ISSUER (Tessera's access tokens: aud = issuer)
    "CLIENT_ID": None,                # a confidential client registered with --resource-server
    "CLIENT_SECRET": None,
    "JWKS_URL": None,                 # default: {ISSUER}/.well-known/jwks.json
    "INTROSPECTION_URL": None,        # default: {ISSUER}/oauth/introspect
    "ALGORITHMS": DEFAULT_ALGORITHMS,
    "JWKS_CACHE_SECONDS": 300,
    "JWKS_MIN_REFETCH_SECONDS": 10,   # an unknown kid refetches at most this often
    "INTROSPECTION_CACHE_SECONDS": 30,
    "INTROSPECTION_INACTIVE_CACHE_SECONDS": 5,
    "INTROSPECT_ACCESS_TOKENS": False,  # also ask Tessera about JWTs (sees logouts at once)
    "LEEWAY_SECONDS": 30,
    "HTTP_TIMEOUT_SECONDS": 5,
    "USER_FACTORY": None,             # dotted path: factory(token, request) -> user | None
    "REALM": "api",
    "MAX_TOKEN_BYTES": 8192,          # Tessera's own limit for a JWT
    "ALLOW_INSECURE_HTTP": False,     # http:// issuers other than loopback
}


@dataclasses.dataclass(frozen=True)
class TesseraConfig:
    issuer: str
    audiences: Tuple[str, ...]
    client_id: Optional[str]
    client_secret: Optional[str]
    jwks_url: str
    introspection_url: str
    algorithms: Tuple[str, ...]
    jwks_cache_seconds: float
    jwks_min_refetch_seconds: float
    introspection_cache_seconds: float
    introspection_inactive_cache_seconds: float
    introspect_access_tokens: bool
    leeway_seconds: float
    http_timeout_seconds: float
    user_factory: Optional[Callable]
    realm: str
    max_token_bytes: int

    @property
    def can_introspect(self) -> bool:
        return bool(self.client_id and self.client_secret)


def _number(raw, key, minimum=0):
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ImproperlyConfigured(f"TESSERA['{key}'] must be a number >= {minimum}, not {value!r}")
    return value


def _url(value, key, allow_insecure):
    if not isinstance(value, str) or not value:
        raise ImproperlyConfigured(f"TESSERA['{key}'] must be a non-empty URL string")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ImproperlyConfigured(f"TESSERA['{key}'] must be an absolute https URL, not {value!r}")
    if parts.scheme == "http" and not allow_insecure and not _is_loopback(parts.hostname):
        raise ImproperlyConfigured(
            f"TESSERA['{key}'] is plain http on a host that is not loopback ({value!r}); use https, "
            "or set TESSERA['ALLOW_INSECURE_HTTP'] = True on a closed test network")
    return value


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_config(raw_settings) -> TesseraConfig:
    """Checks a TESSERA dict and fills in the defaults."""
    if raw_settings is None:
        raise ImproperlyConfigured(
            "settings.TESSERA is missing: set at least TESSERA = {'ISSUER': "
            "'https://id.example.com/apps/<app>'}")
    if not isinstance(raw_settings, dict):
        raise ImproperlyConfigured("settings.TESSERA must be a dict")
    unknown = sorted(set(raw_settings) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(f"settings.TESSERA has unknown keys: {', '.join(unknown)}")
    raw = {**DEFAULTS, **raw_settings}

    allow_insecure = bool(raw["ALLOW_INSECURE_HTTP"])
    if not raw["ISSUER"]:
        raise ImproperlyConfigured(
            "TESSERA['ISSUER'] is required: the app's issuer, {PUBLIC_URL}/apps/{app}, exactly as "
            "the `iss` of its tokens (and `issuer` in its discovery document)")
    issuer = _url(raw["ISSUER"], "ISSUER", allow_insecure)
    base = issuer.rstrip("/")

    audience = raw["AUDIENCE"] if raw["AUDIENCE"] is not None else issuer
    audiences = (audience,) if isinstance(audience, str) else tuple(audience)
    if not audiences or not all(isinstance(a, str) and a for a in audiences):
        raise ImproperlyConfigured("TESSERA['AUDIENCE'] must be a string or a list of strings")

    algorithms = raw["ALGORITHMS"]
    if isinstance(algorithms, str):
        algorithms = (algorithms,)
    algorithms = tuple(algorithms)
    bad = [a for a in algorithms if a not in ASYMMETRIC_ALGORITHMS]
    if bad or not algorithms:
        raise ImproperlyConfigured(
            f"TESSERA['ALGORITHMS'] may hold only asymmetric JWS algorithms "
            f"({', '.join(sorted(ASYMMETRIC_ALGORITHMS))}); refused: {bad or 'an empty list'}")

    client_id, client_secret = raw["CLIENT_ID"], raw["CLIENT_SECRET"]
    if bool(client_id) != bool(client_secret):
        raise ImproperlyConfigured("TESSERA['CLIENT_ID'] and TESSERA['CLIENT_SECRET'] go together")

    factory = raw["USER_FACTORY"]
    if isinstance(factory, str):
        try:
            factory = import_string(factory)
        except ImportError as e:
            raise ImproperlyConfigured(f"TESSERA['USER_FACTORY'] cannot be imported: {e}") from e
    if factory is not None and not callable(factory):
        raise ImproperlyConfigured("TESSERA['USER_FACTORY'] must be a dotted path or a callable")

    max_token_bytes = _number(raw, "MAX_TOKEN_BYTES", minimum=64)
    return TesseraConfig(
        issuer=issuer,
        audiences=audiences,
        client_id=client_id or None,
        client_secret=client_secret or None,
        jwks_url=_url(raw["JWKS_URL"] or base + "/.well-known/jwks.json", "JWKS_URL", allow_insecure),
        introspection_url=_url(raw["INTROSPECTION_URL"] or base + "/oauth/introspect",
                               "INTROSPECTION_URL", allow_insecure),
        algorithms=algorithms,
        jwks_cache_seconds=_number(raw, "JWKS_CACHE_SECONDS"),
        jwks_min_refetch_seconds=_number(raw, "JWKS_MIN_REFETCH_SECONDS"),
        introspection_cache_seconds=_number(raw, "INTROSPECTION_CACHE_SECONDS"),
        introspection_inactive_cache_seconds=_number(raw, "INTROSPECTION_INACTIVE_CACHE_SECONDS"),
        introspect_access_tokens=bool(raw["INTROSPECT_ACCESS_TOKENS"]),
        leeway_seconds=_number(raw, "LEEWAY_SECONDS"),
        http_timeout_seconds=_number(raw, "HTTP_TIMEOUT_SECONDS", minimum=0.001),
        user_factory=factory,
        realm=str(raw["REALM"]).replace("\\", "").replace('"', ""),
        max_token_bytes=int(max_token_bytes),
    )


_lock = threading.Lock()
_cached: Optional[TesseraConfig] = None


def get_config() -> TesseraConfig:
    global _cached
    config = _cached
    if config is not None:
        return config
    from django.conf import settings
    with _lock:
        if _cached is None:
            _cached = build_config(getattr(settings, "TESSERA", None))
        return _cached


def _reset(*, setting=None, **kwargs):
    global _cached
    if setting == "TESSERA":
        with _lock:
            _cached = None


setting_changed.connect(_reset, dispatch_uid="tessera_drf.conf.reset")
