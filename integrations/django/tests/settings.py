"""Minimal Django settings for the tessera_drf tests (runtests.py)."""
import os

from tests.fixtures import FIXTURES

SECRET_KEY = "tessera-drf-tests-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "tessera_drf",
    "tests.testapp",
]
MIDDLEWARE = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "tests.testapp.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tessera_drf.TesseraAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# The test server's app. Short caches, so revocation shows within the tests; the rotation
# test shortens the refetch interval itself.
TESSERA = {
    "ISSUER": FIXTURES.get("issuer") or "http://127.0.0.1:9/apps/missing",
    "CLIENT_ID": FIXTURES.get("client_id"),
    "CLIENT_SECRET": FIXTURES.get("client_secret"),
    "INTROSPECTION_CACHE_SECONDS": 1,
    "INTROSPECTION_INACTIVE_CACHE_SECONDS": 1,
    "HTTP_TIMEOUT_SECONDS": 5,
}

# The library logs refused configurations and unreachable servers at WARNING/ERROR; the
# negative tests provoke them on purpose. TESSERA_DRF_TEST_LOG=1 shows them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}, "null": {"class": "logging.NullHandler"}},
    "loggers": {"tessera_drf": {
        "handlers": ["stderr" if os.environ.get("TESSERA_DRF_TEST_LOG") else "null"],
        "level": "DEBUG", "propagate": False}},
}
