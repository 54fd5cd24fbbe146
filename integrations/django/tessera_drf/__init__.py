"""Django REST framework authentication for Tessera: access tokens (RFC 9068 JWTs) verified
locally against the issuer's JWKS, API tokens checked by introspection (RFC 7662).

    REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["tessera_drf.TesseraAuthentication"]}
    TESSERA = {"ISSUER": "https://id.example.com/apps/myapp", "CLIENT_ID": …, "CLIENT_SECRET": …}

See integrations/django/README.md.
"""
__version__ = "0.1.0"


def reset_caches():
    """Forgets every cached JWKS and introspection answer (tests; a manual key revocation)."""
    from . import introspection, jwks
    jwks.reset()
    introspection.reset()


# Short names (`tessera_drf.TesseraAuthentication`, `tessera_drf.HasRole`, …), imported on first
# use so that listing "tessera_drf" in INSTALLED_APPS imports no models before Django is ready.
_EXPORTS = {
    "TesseraAuthentication": "authentication",
    "TesseraToken": "tokens",
    "TesseraUnavailable": "exceptions",
    "HasRole": "permissions",
    "HasAnyRole": "permissions",
    "HasScope": "permissions",
    "HasAnyScope": "permissions",
    "IsTesseraAdmin": "permissions",
    "default_user_factory": "users",
    "link_identity": "users",
}
__all__ = ["reset_caches", *_EXPORTS]


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tessera_drf' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f".{module}", __name__), name)
