"""TesseraAuthentication: DRF authentication with Tessera credentials.

    Authorization: Bearer <access token>   an RFC 9068 JWT, verified locally (JWKS)
    Authorization: Bearer tpat_…           a personal API token, checked by introspection
    Authorization: Token tpat_…            the same, in DRF's TokenAuthentication scheme
    Authorization: Token <40 hex>          a DRF token key imported into Tessera

Any other scheme (Basic, …) is not ours: authenticate() returns None and the next
authentication class may try. A credential in one of our schemes that is not good is a 401
(AuthenticationFailed) with ``WWW-Authenticate: Bearer realm="…", error="invalid_token"``;
when Tessera cannot be asked it is a 503 (TesseraUnavailable), never an acceptance.
"""
from __future__ import annotations

import logging
import re
import time

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import introspection
from .access_tokens import looks_like_jwt, verify_access_token
from .conf import get_config
from .exceptions import InvalidToken
from .tokens import ACCESS_TOKEN, API_TOKEN, TesseraToken
from .users import user_for_token

log = logging.getLogger("tessera_drf")

SCHEMES = ("bearer", "token")
# Opaque credentials worth a round trip to Tessera: its API tokens, and DRF token keys
# (40 hex digits, binascii.hexlify(os.urandom(20))) imported into it.
_API_TOKEN = re.compile(r"^tpat_[A-Za-z0-9_-]{16,123}$")
_DRF_KEY = re.compile(r"^[0-9a-fA-F]{40}$")
API_TOKEN_TYPES = frozenset({"api_token"})


def _fail(message: str):
    return AuthenticationFailed(message)


class TesseraAuthentication(BaseAuthentication):
    def _header(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if isinstance(header, bytes):
            header = header.decode("latin-1")
        return header or None

    def _our_scheme(self, header) -> bool:
        scheme = header.split(None, 1)[0] if header.strip() else ""
        return scheme.lower() in SCHEMES

    def authenticate(self, request):
        header = self._header(request)
        if header is None or not self._our_scheme(header):
            return None
        config = get_config()
        if len(header) > config.max_token_bytes + 16:
            raise _fail("Invalid token header: too large.")
        if not header.isascii() or not header.isprintable():
            raise _fail("Invalid token header: only printable ASCII is allowed.")
        parts = header.split()
        if len(parts) == 1:
            raise _fail("Invalid token header. No credentials provided.")
        if len(parts) > 2:
            raise _fail("Invalid token header. Token string should not contain spaces.")
        scheme, credential = parts[0].lower(), parts[1]

        if scheme == "bearer" and looks_like_jwt(credential):
            token = self._access_token(credential, config)
        elif _API_TOKEN.match(credential) or _DRF_KEY.match(credential):
            token = self._api_token(credential, config)
        else:
            # A JWT in the Token scheme too: Tessera's own rule (tokens/authenticator.cc).
            raise _fail("Invalid token.")

        user = user_for_token(token, request, config.user_factory)
        if not user.is_active:
            raise _fail("User inactive or deleted.")
        return user, token

    def _access_token(self, credential: str, config) -> TesseraToken:
        try:
            claims = verify_access_token(credential, config)
        except InvalidToken as e:
            raise _fail(f"Invalid access token: {e.reason}.") from None
        if config.introspect_access_tokens:
            if not config.can_introspect:
                log.error("tessera_drf: INTROSPECT_ACCESS_TOKENS needs CLIENT_ID and CLIENT_SECRET")
                raise _fail("Invalid access token.")
            answer = introspection.client_for(config).introspect(credential, config)
            if answer.get("active") is not True or answer.get("sub") != claims["sub"]:
                raise _fail("Invalid access token: revoked.")
        return TesseraToken(ACCESS_TOKEN, claims, credential, config.issuer)

    def _api_token(self, credential: str, config) -> TesseraToken:
        if not config.can_introspect:
            log.error("tessera_drf: an API token was presented, but TESSERA has no CLIENT_ID and "
                      "CLIENT_SECRET to introspect it with")
            raise _fail("Invalid token.")
        answer = introspection.client_for(config).introspect(credential, config)
        if answer.get("active") is not True:
            raise _fail("Invalid token.")
        sub, iss = answer.get("sub"), answer.get("iss")
        if not isinstance(sub, str) or not sub:
            log.warning("tessera_drf: an active introspection answer without `sub`")
            raise _fail("Invalid token.")
        if iss is not None and iss != config.issuer:
            log.warning("tessera_drf: introspection answered for issuer %r, not %r", iss, config.issuer)
            raise _fail("Invalid token.")
        if answer.get("token_type") not in API_TOKEN_TYPES:
            log.warning("tessera_drf: introspection called an API token's type %r, not api_token",
                        answer.get("token_type"))
            raise _fail("Invalid token.")
        exp = answer.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            if exp <= time.time() - config.leeway_seconds:
                raise _fail("Invalid token: expired.")
        return TesseraToken(API_TOKEN, answer, credential, config.issuer)

    def authenticate_header(self, request):
        """The challenge of a 401 (RFC 6750 §3): with it DRF answers 401, not 403."""
        try:
            realm = get_config().realm
        except Exception:  # noqa: BLE001 - a broken setting must not hide the 401
            realm = "api"
        challenge = f'Bearer realm="{realm}"'
        header = self._header(request)
        if header is not None and self._our_scheme(header):
            challenge += ', error="invalid_token"'
        return challenge
