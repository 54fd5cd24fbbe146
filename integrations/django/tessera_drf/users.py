"""From a verified Tessera token to a local Django user.

The (issuer, subject) pair is looked up in TesseraIdentity. On first sight the user factory
(``TESSERA['USER_FACTORY']``, or :func:`default_user_factory`) gives a user and the link is
stored, both in one transaction: a factory that creates a user and a link that fails (two first
requests at once) leave nothing behind, and the second request uses the first one's link.
"""
from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework.exceptions import AuthenticationFailed

from .tokens import TesseraToken

log = logging.getLogger("tessera_drf")


def _claim_str(token: TesseraToken, name: str):
    v = token.claims.get(name)
    return v if isinstance(v, str) and v else None


def default_user_factory(token: TesseraToken, request):
    """A new local user for every new Tessera identity; never links to an existing account
    (a user named like the token's `username` claim may be someone else entirely).

    Its username is ``tessera-<subject>`` (or a hash of issuer and subject when that does not
    fit or is taken), its password unusable, and its email the token's ``email`` claim when
    there is one (introspection answers carry it)."""
    User = get_user_model()
    field = User._meta.get_field(User.USERNAME_FIELD)
    max_length = field.max_length or 150
    candidates = [f"tessera-{token.subject}"]
    digest = hashlib.sha256(f"{token.issuer}\n{token.subject}".encode()).hexdigest()
    candidates.append(f"tessera-{digest[:32]}")
    username = next((c for c in candidates
                     if len(c) <= max_length
                     and not User._default_manager.filter(**{User.USERNAME_FIELD: c}).exists()),
                    None)
    if username is None:
        username = f"t-{digest}"[:max_length]
    user = User(**{User.USERNAME_FIELD: username})
    email = _claim_str(token, "email")
    if email and User.USERNAME_FIELD != "email" and hasattr(user, "email"):
        user.email = email
    user.set_unusable_password()
    user.save()
    return user


def user_for_token(token: TesseraToken, request, factory) -> object:
    """The local user of `token`'s identity, created (or linked by `factory`) on first sight."""
    # Imported here, not at the top: `tessera_drf.TesseraAuthentication` may be resolved while
    # Django is still loading apps (DRF reads its settings when rest_framework.views loads).
    from .models import TesseraIdentity
    found = (TesseraIdentity.objects.select_related("user")
             .filter(issuer=token.issuer, subject=token.subject).first())
    if found is not None:
        return found.user
    factory = factory or default_user_factory
    try:
        with transaction.atomic():
            user = factory(token, request)
            if user is None:
                raise AuthenticationFailed("No local account may be made for this identity.")
            if user.pk is None:
                user.save()
            TesseraIdentity.objects.create(user=user, issuer=token.issuer, subject=token.subject)
            return user
    except IntegrityError:
        # Either another request linked this identity first (use its link), or the factory
        # returned a user that is linked to another identity already (refuse).
        found = (TesseraIdentity.objects.select_related("user")
                 .filter(issuer=token.issuer, subject=token.subject).first())
        if found is not None:
            return found.user
        log.warning("tessera_drf: USER_FACTORY returned a user already linked to another "
                    "Tessera identity (subject %s)", token.subject)
        raise AuthenticationFailed("This account is linked to another identity.") from None


def link_identity(id_token_claims, request, raw_id_token: str = ""):
    """The local user of a browser sign-in: `id_token_claims` are those of an ID token the
    app's own OIDC client has validated (signature, iss, aud, nonce). The same identity →
    user mapping as the API's tokens (TesseraIdentity and the USER_FACTORY), so a person who
    signs in in the browser and calls the API is one local user. Raises AuthenticationFailed
    when the claims are not of the configured issuer or the factory refuses."""
    from .conf import get_config
    config = get_config()
    claims = dict(id_token_claims or {})
    if claims.get("iss") != config.issuer or not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise AuthenticationFailed("The ID token is not of this Tessera issuer.")
    from .tokens import ID_TOKEN
    token = TesseraToken(ID_TOKEN, claims, raw_id_token, config.issuer)
    return user_for_token(token, request, config.user_factory)
