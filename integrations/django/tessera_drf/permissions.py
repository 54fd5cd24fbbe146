"""Permission classes on the roles and scopes of a Tessera credential.

    from tessera_drf.permissions import HasRole, HasScope, HasAnyRole, IsTesseraAdmin

    class InvoiceList(APIView):
        permission_classes = [HasScope("invoices:read")]
    class Users(APIView):
        permission_classes = [HasRole("admin")]           # same as IsTesseraAdmin
    class Reports(APIView):
        permission_classes = [HasAnyRole("admin", "auditor") | HasScope("reports")]

``HasRole(*roles)``/``HasScope(*scopes)`` need every one listed, ``HasAnyRole``/``HasAnyScope``
one of them. They return permission classes (cached: ``HasRole("admin") is HasRole("admin")``),
which compose with DRF's ``&``, ``|`` and ``~``. A request without a Tessera credential
(``request.auth`` is not a TesseraToken) never passes: 401 when nobody authenticated, 403 when
another authentication class did.
"""
from __future__ import annotations

import functools

from rest_framework.permissions import BasePermission

from .tokens import TesseraToken


def _check_names(kind, names):
    if not names:
        raise ValueError(f"{kind} needs at least one name")
    for n in names:
        if not isinstance(n, str) or not n:
            raise ValueError(f"{kind}: names are non-empty strings, not {n!r}")
    return frozenset(names)


def _permission(kind: str, attribute: str, names: tuple, any_of: bool):
    required = _check_names(kind, names)
    listed = ", ".join(repr(n) for n in names)
    noun = attribute[:-1]
    if len(names) == 1:
        message = f"This action needs the {noun} {listed}."
    else:
        message = f"This action needs {'one of' if any_of else 'each of'} the {attribute} {listed}."

    def has_permission(self, request, view):
        token = getattr(request, "auth", None)
        if not isinstance(token, TesseraToken):
            return False
        held = getattr(token, attribute)
        return bool(required & held) if any_of else required <= held

    name = f"{kind}({listed})"
    # BasePermission's metaclass gives the class DRF's &, | and ~.
    return type(BasePermission)(name, (BasePermission,), {
        "message": message,
        "required": required,
        "any_of": any_of,
        "has_permission": has_permission,
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"Passes when the Tessera credential holds {'one of' if any_of else 'every one of'} "
                   f"the {attribute} {listed}.",
    })


@functools.lru_cache(maxsize=None)
def HasRole(*roles: str):  # noqa: N802 - reads like a class in permission_classes
    """Every one of `roles` is in the credential's `roles` (the user's app roles at Tessera)."""
    return _permission("HasRole", "roles", roles, any_of=False)


@functools.lru_cache(maxsize=None)
def HasAnyRole(*roles: str):  # noqa: N802
    return _permission("HasAnyRole", "roles", roles, any_of=True)


@functools.lru_cache(maxsize=None)
def HasScope(*scopes: str):  # noqa: N802
    """Every one of `scopes` is in the credential's `scope` (space-separated, RFC 9068 §2.2.3)."""
    return _permission("HasScope", "scopes", scopes, any_of=False)


@functools.lru_cache(maxsize=None)
def HasAnyScope(*scopes: str):  # noqa: N802
    return _permission("HasAnyScope", "scopes", scopes, any_of=True)


IsTesseraAdmin = HasRole("admin")
