"""Settings of the MonthlySpecs example: the original's Customer/Company/Item API and dashboard,
with every sign-in done by Tessera.

Everything that differs between installations comes from the environment (run.sh sets it):

    MONTHLYSPECS_ISSUER             the Tessera app's issuer, {PUBLIC_URL}/apps/{app} (required)
    MONTHLYSPECS_WEB_CLIENT_ID      the confidential OpenID Connect client of the dashboard
    MONTHLYSPECS_WEB_CLIENT_SECRET    (create-client --redirect-uri …/oidc/callback/)
    MONTHLYSPECS_API_CLIENT_ID      the resource-server client tessera_drf introspects with
    MONTHLYSPECS_API_CLIENT_SECRET    (create-client --resource-server)
    MONTHLYSPECS_API_KEY            optional: an app API key (tsk_…), to learn the email of a
                                    person seen first through an access token (api/tessera_users.py)
    MONTHLYSPECS_SECRET_KEY         Django's SECRET_KEY (sessions, CSRF)
    MONTHLYSPECS_DATABASE           the SQLite file (default: db.sqlite3 beside manage.py)
    MONTHLYSPECS_ALLOWED_HOSTS      comma-separated (default: 127.0.0.1,localhost)
    MONTHLYSPECS_DEBUG              1 for Django's debug pages
    MONTHLYSPECS_SECURE_COOKIES     1 behind https (Secure session and CSRF cookies)
"""
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    value = os.environ.get(name, "")
    return value if value else default


DEBUG = env("MONTHLYSPECS_DEBUG") == "1"
# Without a key, one per process: sessions then end when the server restarts.
SECRET_KEY = env("MONTHLYSPECS_SECRET_KEY") or get_random_secret_key()
ALLOWED_HOSTS = env("MONTHLYSPECS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

ISSUER = env("MONTHLYSPECS_ISSUER")
if not ISSUER:
    raise ImproperlyConfigured("MONTHLYSPECS_ISSUER is not set: the Tessera app's issuer, e.g. "
                               "http://127.0.0.1:8080/apps/monthlyspecs (run.sh sets it)")
ISSUER = ISSUER.rstrip("/")
_issuer_host = urlsplit(ISSUER).hostname or ""
if urlsplit(ISSUER).scheme == "http" and _issuer_host in ("127.0.0.1", "localhost", "::1"):
    # Authlib refuses plain-http OAuth endpoints unless told; only ever for a local Tessera.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "tessera_drf",            # TesseraIdentity: Tessera user (issuer, sub) <-> local user
    "api",
    # Gone: allauth, allauth.account, rest_framework.authtoken (Tessera does sign-up, sign-in,
    # passwords, mail confirmation and the API tokens now).
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "monthlyspecs.urls"
WSGI_APPLICATION = "monthlyspecs.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": env("MONTHLYSPECS_DATABASE", str(BASE_DIR / "db.sqlite3")),
}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"  # the original's integer keys

# No local passwords any more: users are made by tessera_drf on first sight and signed in to
# the Django session by the OpenID Connect callback (api/oidc.py). ModelBackend stays only to
# load the session's user.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "oidc-login"
LOGIN_REDIRECT_URL = "dashboard"

# Tessera serves its hosted pages on the same host (another port in development): cookie names
# of our own, so that neither side ever reads the other's.
SESSION_COOKIE_NAME = "monthlyspecs_session"
CSRF_COOKIE_NAME = "monthlyspecs_csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"   # the callback from Tessera is a top-level GET: sent
# Behind https in production: MONTHLYSPECS_SECURE_COOKIES=1 (the dev server is plain http).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env("MONTHLYSPECS_SECURE_COOKIES") == "1"

REST_FRAMEWORK = {
    # The original: TokenAuthentication (DRF keys) and SessionAuthentication. Now Tessera
    # credentials only: `Bearer <access token>` (checked locally against the JWKS) and
    # `Token <key>`: personal API tokens and the DRF keys imported from the old database
    # (checked by introspection with the resource-server client).
    "DEFAULT_AUTHENTICATION_CLASSES": ["tessera_drf.TesseraAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

TESSERA = {
    "ISSUER": ISSUER,
    "CLIENT_ID": env("MONTHLYSPECS_API_CLIENT_ID"),
    "CLIENT_SECRET": env("MONTHLYSPECS_API_CLIENT_SECRET"),
    # What the original's post_save signal did (a Customer per user), and linking people who
    # were imported from the old database to their old rows.
    "USER_FACTORY": "api.tessera_users.user_for_identity",
}

# The dashboard's sign-in (api/oidc.py): Authlib's Django client, confidential, PKCE S256.
OIDC_CLIENT = {
    "client_id": env("MONTHLYSPECS_WEB_CLIENT_ID"),
    "client_secret": env("MONTHLYSPECS_WEB_CLIENT_SECRET"),
    "server_metadata_url": ISSUER + "/.well-known/openid-configuration",
    # `roles` puts the user's Tessera roles in the ID token (is_staff for the admin site).
    "scope": "openid profile email roles",
}
# Optional: the app's server API key (see api/tessera_users.py).
TESSERA_API_KEY = env("MONTHLYSPECS_API_KEY")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "tessera_drf": {"handlers": ["console"], "level": "INFO"},
        "monthlyspecs": {"handlers": ["console"], "level": "INFO"},
    },
}
