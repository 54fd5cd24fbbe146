"""What ``request.auth`` holds after a Tessera authentication."""
from __future__ import annotations

import datetime
from types import MappingProxyType
from typing import FrozenSet, Mapping, Optional

ACCESS_TOKEN = "access_token"
API_TOKEN = "api_token"
ID_TOKEN = "id_token"  # the claims of an ID token validated by the app's OIDC client


def _scopes(claims: Mapping) -> FrozenSet[str]:
    scope = claims.get("scope")
    if isinstance(scope, str):
        return frozenset(s for s in scope.split(" ") if s)
    scp = claims.get("scp")  # some issuers send a list; Tessera sends `scope`
    if isinstance(scp, list):
        return frozenset(s for s in scp if isinstance(s, str) and s)
    return frozenset()


def _roles(claims: Mapping) -> FrozenSet[str]:
    roles = claims.get("roles")
    if isinstance(roles, list):
        return frozenset(r for r in roles if isinstance(r, str) and r)
    return frozenset()


class TesseraToken:
    """A verified Tessera credential.

    - ``kind``: ``"access_token"`` (a JWT verified locally), ``"id_token"`` (a browser
      sign-in's ID token, see :func:`tessera_drf.link_identity`) or ``"api_token"`` (a personal API
      token, ``tpat_…``, or an imported DRF key, checked by introspection);
    - ``claims``: the JWT's claims, or the introspection answer (read-only mapping);
    - ``issuer``, ``subject`` (the user's id at Tessera; a client's id for client_credentials
      tokens), ``client_id``, ``scopes`` and ``roles`` (frozensets), ``expires_at`` (aware
      datetime or None);
    - ``raw``: the token itself, e.g. to call another API on the user's behalf. It is never
      part of ``repr()``.
    """

    __slots__ = ("kind", "claims", "issuer", "subject", "client_id", "scopes", "roles",
                 "expires_at", "_raw")

    def __init__(self, kind: str, claims: Mapping, raw: str, issuer: str):
        self.kind = kind
        self.claims = MappingProxyType(dict(claims))
        self.issuer = issuer
        self.subject: str = claims["sub"]
        client_id = claims.get("client_id")
        self.client_id: Optional[str] = client_id if isinstance(client_id, str) else None
        self.scopes = _scopes(claims)
        self.roles = _roles(claims)
        exp = claims.get("exp")
        self.expires_at = (datetime.datetime.fromtimestamp(exp, tz=datetime.timezone.utc)
                           if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None)
        self._raw = raw

    @property
    def raw(self) -> str:
        return self._raw

    @property
    def is_client_token(self) -> bool:
        """A client_credentials token: no user behind it (no session, sub = client_id)."""
        return self.kind == ACCESS_TOKEN and "sid" not in self.claims and self.subject == self.client_id

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def __repr__(self) -> str:
        return (f"<TesseraToken {self.kind} sub={self.subject!r} scopes={sorted(self.scopes)} "
                f"roles={sorted(self.roles)}>")

    # str(request.auth) must never print the secret either.
    __str__ = __repr__
