"""Who a Tessera identity is here: tessera_drf's USER_FACTORY (TESSERA in settings.py).

tessera_drf calls `user_for_identity` once per new identity (issuer, sub) — whether it first
comes with an access token, an API token (or imported DRF key), or through the dashboard's
OpenID Connect sign-in (api/oidc.py) — and stores the link (TesseraIdentity) in the same
transaction. It does what the original's `post_save` signal did, creating the Customer, and it
finds people imported from the old database:

- A local user with the same email address, not yet linked to another identity, is the same
  person when Tessera says the address is verified (allauth's verified addresses come over
  with `tessera import django`). Unverified addresses are never linked: anyone may sign up with
  an address they do not own.
- Otherwise a new local user, with Tessera's username when it is free here.

Access tokens carry no email: when MONTHLYSPECS_API_KEY (an app API key) is set, the person's
address comes from Tessera's server API (GET {issuer}/api/users/{sub}) whatever the credential;
without it, only credentials that carry one (the ID token of the dashboard sign-in,
introspection answers of API tokens) can link to an old row.
"""
import logging
import re
from urllib.parse import quote

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.exceptions import AuthenticationFailed

from tessera_drf.exceptions import TesseraUnavailable

from .models import Customer

log = logging.getLogger("monthlyspecs")
_DJANGO_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


def tessera_person(token):
    """{"email", "email_verified", "username", "roles"} of the token's subject, as Tessera
    knows them."""
    if settings.TESSERA_API_KEY:
        url = f"{settings.ISSUER}/api/users/{quote(token.subject, safe='')}"
        try:
            res = requests.get(url, headers={"Authorization": f"Bearer {settings.TESSERA_API_KEY}",
                                             "Accept": "application/json"},
                               timeout=5, allow_redirects=False)
        except requests.RequestException as e:
            log.warning("Tessera's server API cannot be reached: %s", e)
            raise TesseraUnavailable() from None
        if res.status_code == 404:
            raise AuthenticationFailed("Unknown user.")
        if res.status_code != 200:
            log.error("Tessera's server API answered %s for a user (is MONTHLYSPECS_API_KEY a key "
                      "of this app?)", res.status_code)
            raise TesseraUnavailable()
        u = res.json()["user"]
        return {"email": u.get("email"), "email_verified": u.get("email_verified") is True,
                "username": u.get("username"), "roles": u.get("roles") or []}
    c = token.claims
    return {"email": c.get("email"),
            "email_verified": c.get("email_verified") is True,
            "username": c.get("preferred_username") or c.get("username"),
            "roles": sorted(token.roles)}


def apply_roles(user, roles):
    """Tessera's roles decide who may use the Django admin site (the import made `staff` of
    is_staff and `admin` of is_superuser; the console or the server API changes them)."""
    roles = set(roles)
    user.is_staff = bool(roles & {"staff", "admin"})
    user.is_superuser = "admin" in roles


def user_for_identity(token, request):
    """TESSERA['USER_FACTORY']: the local user for an identity seen for the first time."""
    if token.is_client_token:
        return None  # a machine client (client_credentials): this API is for people
    User = get_user_model()
    person = tessera_person(token)
    email = person["email"] or ""
    user = None
    if email and person["email_verified"]:
        user = (User.objects.filter(email__iexact=email, tessera_identity__isnull=True)
                .order_by("pk").first())
        if user is not None:
            log.info("linked Tessera user %s to the existing local user %s (pk %s)",
                     token.subject, user.get_username(), user.pk)
    if user is None:
        name = person["username"]
        if not (name and _DJANGO_USERNAME.match(name)
                and not User.objects.filter(username__iexact=name).exists()):
            name = f"tessera-{token.subject}"[:150]
        user = User(username=name, email=email)
        user.set_unusable_password()
    apply_roles(user, person["roles"])
    user.save()
    # What the original's api/signals.py did on sign-up.
    Customer.objects.get_or_create(user=user)
    return user
