"""USER_FACTORY examples for the tests (and for README readers)."""
from django.contrib.auth import get_user_model

from tessera_drf.users import default_user_factory

CALLS = []


def link_by_email(token, request):
    """Links a Tessera identity to the existing local account with the same email, when the
    credential tells one (introspection answers of API tokens do); else a new user. Only sound
    when Tessera's addresses are verified: the app should require verified email."""
    email = token.claims.get("email")
    if isinstance(email, str) and email:
        existing = get_user_model().objects.filter(email__iexact=email).first()
        if existing is not None:
            return existing
    return default_user_factory(token, request)


def counting(token, request):
    CALLS.append((token.subject, token.kind))
    User = get_user_model()
    user = User(username=f"counted-{token.subject}")
    user.set_unusable_password()
    user.save()
    return user


def refuse(token, request):
    return None


def first_user_and_a_new_one(token, request):
    """A broken factory: creates a user (which must be rolled back) and returns another one that
    is linked to another identity already."""
    User = get_user_model()
    first = User.objects.order_by("pk").first()
    User.objects.create_user(f"orphan-{token.subject}")
    return first
