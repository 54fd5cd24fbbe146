"""Local verification of Tessera access tokens (RFC 9068 JWTs) against the issuer's JWKS."""
from __future__ import annotations

import base64
import binascii
import json
import re

import jwt

from .conf import TesseraConfig
from .exceptions import InvalidToken
from .jwks import cache_for

_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
# The order of P-256: an ES256 signature (r, s) with s > n/2 is the "high-s" twin of a valid
# one. Tessera signs low-s only and refuses high-s (docs/oidc.md), so a token has exactly one
# valid form; we refuse the twin as well.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def is_at_jwt_type(typ) -> bool:
    """RFC 9068 §2.1: `at+jwt`, or the full media type `application/at+jwt` (RFC 7515 §4.1.9
    allows leaving out `application/`); media types compare case-insensitively."""
    if not isinstance(typ, str):
        return False
    t = typ.strip().lower()
    if t.startswith("application/"):
        t = t[len("application/"):]
    return t == "at+jwt"


def _b64url_json(segment: str):
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidToken("malformed token") from None
    if not isinstance(value, dict):
        raise InvalidToken("malformed token")
    return value


def _high_s(signature_segment: str) -> bool:
    sig = base64.urlsafe_b64decode(signature_segment + "=" * (-len(signature_segment) % 4))
    if len(sig) != 64:
        return True  # not a raw r||s P-256 signature: let it fail as a bad signature
    return int.from_bytes(sig[32:], "big") > _P256_ORDER // 2


def verify_access_token(token: str, config: TesseraConfig) -> dict:
    """The claims of a valid access token; raises InvalidToken (a short reason) otherwise, and
    TesseraUnavailable when the keys cannot be had."""
    if len(token) > config.max_token_bytes:
        raise InvalidToken("token too large")
    parts = token.split(".")
    if len(parts) != 3 or not all(_B64URL.match(p) for p in parts):
        raise InvalidToken("malformed token")
    header = _b64url_json(parts[0])
    if not is_at_jwt_type(header.get("typ")):
        raise InvalidToken("not an access token (typ is not at+jwt)")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in config.algorithms:
        raise InvalidToken("algorithm not allowed")
    if "crit" in header:
        raise InvalidToken("unsupported critical header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 256:
        raise InvalidToken("no key id")
    key = cache_for(config.jwks_url).key(kid, config)
    if alg not in key.algorithms:
        raise InvalidToken("algorithm does not match the key")
    if alg == "ES256" and _high_s(parts[2]):
        raise InvalidToken("bad signature")
    try:
        claims = jwt.decode(
            token, key.key, algorithms=[alg],
            audience=list(config.audiences), issuer=config.issuer,
            leeway=config.leeway_seconds,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token expired") from None
    except jwt.InvalidIssuerError:
        raise InvalidToken("wrong issuer") from None
    except jwt.InvalidAudienceError:
        raise InvalidToken("wrong audience") from None
    except jwt.ImmatureSignatureError:
        raise InvalidToken("token not yet valid") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("bad signature") from None
    except jwt.MissingRequiredClaimError as e:
        raise InvalidToken(f"missing claim {e.claim}") from None
    except jwt.PyJWTError:
        raise InvalidToken("malformed token") from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidToken("malformed token")
    return claims
