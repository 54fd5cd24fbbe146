"""The dashboard's sign-in: OpenID Connect (authorization code flow, PKCE S256) with Tessera's
hosted pages, as a confidential client, with Authlib's Django client.

    GET  /login/            → Tessera's authorization endpoint (state, nonce, code_challenge)
    GET  /oidc/callback/    ← Tessera; the code is exchanged (client_secret_basic + verifier),
                              the ID token validated (signature from the JWKS, iss, aud, exp,
                              nonce, at_hash), the Tessera user mapped to a local user through
                              tessera_drf's TesseraIdentity, and Django's session started
    GET  /logout/           a page with the sign-out button (the admin site's "Log out" link)
    POST /logout/           → Django's session ends, then Tessera's end_session_endpoint
                              (id_token_hint, post_logout_redirect_uri) ends Tessera's

This replaces allauth's /accounts/login/, /accounts/signup/ (the hosted sign-in page links to
sign-up), /accounts/logout/ and /accounts/password/reset/ (the hosted pages have it).
"""
import logging
from urllib.parse import urlencode

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib import auth
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.exceptions import APIException

from tessera_drf import link_identity

from .models import Customer
from .tessera_users import apply_roles

log = logging.getLogger("monthlyspecs")

oauth = OAuth()
oauth.register(
    name="tessera",
    client_id=settings.OIDC_CLIENT["client_id"],
    client_secret=settings.OIDC_CLIENT["client_secret"],
    server_metadata_url=settings.OIDC_CLIENT["server_metadata_url"],
    client_kwargs={
        "scope": settings.OIDC_CLIENT["scope"],
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": "client_secret_basic",
        "timeout": 10,
    },
)
NEXT = "monthlyspecs_next"


def _tessera():
    return oauth.create_client("tessera")


def _failure(request, message, status):
    return render(request, "api/signin_failed.html", {"message": message}, status=status)


@require_GET
def login(request):
    if not (settings.OIDC_CLIENT["client_id"] and settings.OIDC_CLIENT["client_secret"]):
        log.error("MONTHLYSPECS_WEB_CLIENT_ID and MONTHLYSPECS_WEB_CLIENT_SECRET are not set")
        return _failure(request, "Signing in is not configured on this server.", 503)
    nxt = request.GET.get("next") or reverse("dashboard")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        nxt = reverse("dashboard")
    request.session[NEXT] = nxt
    redirect_uri = request.build_absolute_uri(reverse("oidc-callback"))
    return _tessera().authorize_redirect(request, redirect_uri)


@require_GET
def callback(request):
    # RFC 9207: Tessera names its issuer in every authorization response (discovery says
    # authorization_response_iss_parameter_supported); a missing or other one is a mix-up.
    if request.GET.get("iss") != settings.ISSUER:
        return _failure(request, "The answer came from another identity provider.", 400)
    try:
        token = _tessera().authorize_access_token(request)
    except OAuthError as e:
        # access_denied, an expired code, a state this browser never asked for (a reused or
        # forged callback URL), an ID token that does not validate …
        log.warning("sign-in failed: %s %s", e.error, e.description)
        return _failure(request, f"Signing in did not work ({e.error}). Please try again.", 400)
    claims = token.get("userinfo")  # the validated ID token's claims
    if not claims or claims.get("iss") != settings.ISSUER or not claims.get("sub"):
        return _failure(request, "The sign-in answer carried no usable ID token.", 400)

    try:
        with transaction.atomic():
            user = link_identity(claims, request, token["id_token"])
            if not user.is_active:
                return _failure(request, "This account is disabled.", 403)
            if isinstance(claims.get("roles"), list):  # granted the `roles` scope
                apply_roles(user, claims["roles"])
                user.save(update_fields=["is_staff", "is_superuser"])
            Customer.objects.get_or_create(user=user)
    except APIException as e:  # tessera_drf: AuthenticationFailed (401), TesseraUnavailable (503)
        return _failure(request, str(e.detail), e.status_code)

    nxt = request.session.pop(NEXT, None) or reverse("dashboard")
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # Kept for logout (id_token_hint); the access token is not needed by the pages.
    request.session["tessera"] = {"sub": claims["sub"], "sid": claims.get("sid"),
                                  "id_token": token["id_token"]}
    return redirect(nxt)


@require_http_methods(["GET", "POST"])
def logout(request):
    if request.method == "GET":  # e.g. the admin site's "Log out" link: confirm first (CSRF)
        if not request.user.is_authenticated:
            return redirect("home")
        return render(request, "api/logout.html")
    id_token = (request.session.get("tessera") or {}).get("id_token")
    auth.logout(request)  # flushes Django's session
    end_session = _tessera().load_server_metadata().get("end_session_endpoint")
    if not end_session:
        return redirect("home")
    params = {"client_id": settings.OIDC_CLIENT["client_id"],
              "post_logout_redirect_uri": request.build_absolute_uri(reverse("home"))}
    if id_token:
        params["id_token_hint"] = id_token
    return redirect(f"{end_session}?{urlencode(params)}")
