"""The TESSERA setting: defaults, refusals, and that the defaults are where Tessera publishes."""
import requests
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from tessera_drf.access_tokens import is_at_jwt_type
from tessera_drf.checks import check_tessera_settings
from tessera_drf.conf import build_config, get_config
from tessera_drf.introspection import basic_credentials
from tests.support import need

ISSUER = "https://id.example.com/apps/shop"


class SettingsTests(SimpleTestCase):
    def test_missing_issuer_is_improperly_configured(self):
        for raw in (None, {}, {"ISSUER": ""}, {"AUDIENCE": "x"}):
            with self.subTest(raw=raw), self.assertRaisesRegex(ImproperlyConfigured, "ISSUER"):
                build_config(raw)
        with override_settings(TESSERA={"CLIENT_ID": "x", "CLIENT_SECRET": "y"}):
            with self.assertRaisesRegex(ImproperlyConfigured, "ISSUER"):
                get_config()
            errors = check_tessera_settings(None)
            self.assertEqual([e.id for e in errors], ["tessera_drf.E001"])

    def test_defaults(self):
        c = build_config({"ISSUER": ISSUER})
        self.assertEqual(c.audiences, (ISSUER,))
        self.assertEqual(c.jwks_url, ISSUER + "/.well-known/jwks.json")
        self.assertEqual(c.introspection_url, ISSUER + "/oauth/introspect")
        self.assertEqual(c.jwks_cache_seconds, 300)
        self.assertEqual(c.jwks_min_refetch_seconds, 10)
        self.assertEqual(c.introspection_cache_seconds, 30)
        self.assertEqual(c.introspection_inactive_cache_seconds, 5)
        self.assertEqual(c.leeway_seconds, 30)
        self.assertEqual(c.http_timeout_seconds, 5)
        self.assertIsNone(c.user_factory)
        self.assertFalse(c.can_introspect)
        self.assertEqual(set(c.algorithms), {"ES256", "EdDSA", "RS256"})

    def test_symmetric_and_none_algorithms_are_refused(self):
        for algs in (["HS256"], ["ES256", "none"], ["ES256", "HS512"], []):
            with self.subTest(algs=algs), self.assertRaisesRegex(ImproperlyConfigured, "ALGORITHMS"):
                build_config({"ISSUER": ISSUER, "ALGORITHMS": algs})

    def test_other_mistakes_are_named(self):
        cases = [
            ({"ISSUER": ISSUER, "LEEWAY_SECOND": 3}, "unknown keys: LEEWAY_SECOND"),
            ({"ISSUER": ISSUER, "CLIENT_ID": "only-the-id"}, "CLIENT_SECRET"),
            ({"ISSUER": ISSUER, "JWKS_CACHE_SECONDS": -1}, "JWKS_CACHE_SECONDS"),
            ({"ISSUER": ISSUER, "HTTP_TIMEOUT_SECONDS": "5"}, "HTTP_TIMEOUT_SECONDS"),
            ({"ISSUER": ISSUER, "USER_FACTORY": "tests.nowhere.factory"}, "USER_FACTORY"),
            ({"ISSUER": "id.example.com/apps/shop"}, "ISSUER"),
            ({"ISSUER": "http://id.example.com/apps/shop"}, "plain http"),
            ({"ISSUER": ISSUER, "AUDIENCE": []}, "AUDIENCE"),
        ]
        for raw, message in cases:
            with self.subTest(raw=raw), self.assertRaisesRegex(ImproperlyConfigured, message):
                build_config(raw)
        # Loopback over http is development; other hosts need the explicit opt-in.
        build_config({"ISSUER": "http://127.0.0.1:8080/apps/default"})
        build_config({"ISSUER": "http://tessera:8080/apps/default", "ALLOW_INSECURE_HTTP": True})

    def test_typ_at_jwt_forms(self):
        for typ in ("at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT"):
            self.assertTrue(is_at_jwt_type(typ), typ)
        for typ in ("JWT", "jwt", "at+jwt2", "application/jwt", "", None, 1, ["at+jwt"], "x/at+jwt"):
            self.assertFalse(is_at_jwt_type(typ), typ)

    def test_basic_credentials_are_form_encoded(self):
        # RFC 6749 §2.3.1: "a b:c" → "a%20b%3Ac" before base64.
        import base64
        header = basic_credentials("a b:c", "s/é")
        self.assertEqual(base64.b64decode(header.split()[1]).decode(), "a%20b%3Ac:s%2F%C3%A9")


class DiscoveryTests(SimpleTestCase):
    def test_default_urls_are_the_ones_tessera_publishes(self):
        """The defaults ({issuer}/.well-known/jwks.json, {issuer}/oauth/introspect) are what the
        real server's discovery document names."""
        issuer = need("issuer")
        s = requests.Session()
        s.trust_env = False
        meta = s.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
        c = build_config({"ISSUER": issuer})
        self.assertEqual(meta["issuer"], issuer)
        self.assertEqual(meta["jwks_uri"], c.jwks_url)
        self.assertEqual(meta["introspection_endpoint"], c.introspection_url)
        self.assertIn("client_secret_basic", meta["introspection_endpoint_auth_methods_supported"])
        jwks = s.get(c.jwks_url, timeout=10)
        self.assertEqual(jwks.status_code, 200)
        algs = {k["alg"] for k in jwks.json()["keys"]}
        self.assertTrue(algs <= set(c.algorithms), algs)
