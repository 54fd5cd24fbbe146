"""API tokens (`tpat_…`, and imported DRF keys) checked by introspection at the real Tessera,
with the resource-server client of the fixtures."""
import time

from django.contrib.auth import get_user_model
from django.test import override_settings

from tessera_drf.models import TesseraIdentity
from tests.support import (TesseraTestCase, create_api_token, introspect_raw, login, need,
                           revoke_api_token, user)


def tessera(**overrides):
    from django.conf import settings
    return override_settings(TESSERA={**settings.TESSERA, **overrides})


class ApiTokenTests(TesseraTestCase):
    def introspection_answer(self, token):
        """What Tessera says about `token`, for the failure messages."""
        status, text = introspect_raw(need("issuer"), token)
        return f"(introspection of the token at Tessera: HTTP {status} {text[:300]})"

    def test_api_token_in_the_token_scheme(self):
        u = user("plain")
        r = self.call("whoami", f"Token {u['api_token']}")
        self.assertEqual(r.status_code, 200, f"{r.data} {self.introspection_answer(u['api_token'])}")
        self.assertEqual(r.data["kind"], "api_token")
        self.assertEqual(r.data["subject"], u["id"])
        self.assertIn("account", r.data["scopes"])
        # Same user as with the user's access token.
        at = login(need("issuer"), u["email"], u["password"])["access_token"]
        self.assertEqual(self.bearer("whoami", at).data["user_id"], r.data["user_id"])
        self.assertEqual(TesseraIdentity.objects.filter(subject=u["id"]).count(), 1)

    def test_api_token_as_bearer(self):
        u = user("plain")
        r = self.bearer("whoami", u["api_token"])
        self.assertEqual(r.status_code, 200, f"{r.data} {self.introspection_answer(u['api_token'])}")
        self.assertEqual(r.data["kind"], "api_token")

    def test_answers_are_cached_for_the_configured_time(self):
        u = user("plain")
        with tessera(INTROSPECTION_CACHE_SECONDS=30):
            for _ in range(3):
                r = self.call("whoami", f"Token {u['api_token']}")
                self.assertEqual(r.status_code, 200, f"{r.data} {self.introspection_answer(u['api_token'])}")
            self.assertEqual(self.introspections(), 1)

    def test_revoked_api_token_is_refused_after_the_cache_time(self):
        issuer = need("issuer")
        u = user("plain")
        session = login(issuer, u["email"], u["password"])["access_token"]
        made = create_api_token(issuer, session, "revoke me")
        token = made["token"]
        self.assertTrue(token.startswith("tpat_"), made)
        with tessera(INTROSPECTION_CACHE_SECONDS=2, INTROSPECTION_INACTIVE_CACHE_SECONDS=2):
            r = self.call("whoami", f"Token {token}")
            self.assertEqual(r.status_code, 200, f"{r.data} {self.introspection_answer(token)}")
            revoke_api_token(issuer, session, made["id"])
            # Within the cache time the cached answer still stands (documented)…
            self.assert_status(self.call("whoami", f"Token {token}"), 200)
            time.sleep(2.2)
            # … after it, Tessera says inactive.
            self.assert_401(self.call("whoami", f"Token {token}"), "Invalid token")
            calls = self.introspections()
            # The inactive answer is cached too (briefly).
            self.assert_401(self.call("whoami", f"Token {token}"))
            self.assertEqual(self.introspections(), calls)

    def test_unknown_tokens_are_401(self):
        for token in ("tpat_" + "A" * 43, "0123456789abcdef0123456789abcdef01234567"):
            with self.subTest(token=token[:10]):
                self.assert_401(self.call("whoami", f"Token {token}"), "Invalid token")
                self.assert_401(self.bearer("whoami", token), "Invalid token")
        # Shapes that are neither an API token nor a DRF key never reach Tessera.
        before = self.introspections()
        for token in ("tpat_short", "tsr_" + "A" * 43, "0123456789abcdef", "g" * 40, "tsk_" + "A" * 43):
            with self.subTest(token=token[:10]):
                self.assert_401(self.call("whoami", f"Token {token}"), "Invalid token")
        self.assertEqual(self.introspections(), before)

    def test_wrong_client_secret_is_503_not_401_nor_200(self):
        u = user("plain")
        with tessera(CLIENT_SECRET="tcs_wrong"):
            r = self.call("whoami", f"Token {u['api_token']}")
            self.assert_status(r, 503)

    def test_without_client_credentials_api_tokens_are_refused(self):
        u = user("plain")
        with tessera(CLIENT_ID=None, CLIENT_SECRET=None):
            self.assert_401(self.call("whoami", f"Token {u['api_token']}"), "Invalid token")

    def test_unreachable_introspection_is_503(self):
        u = user("plain")
        with tessera(INTROSPECTION_URL="http://127.0.0.1:9/oauth/introspect", HTTP_TIMEOUT_SECONDS=2):
            self.assert_status(self.call("whoami", f"Token {u['api_token']}"), 503)

    def test_api_token_of_a_disabled_local_user(self):
        u = user("plain")
        r = self.call("whoami", f"Token {u['api_token']}")
        self.assertEqual(r.status_code, 200, f"{r.data} {self.introspection_answer(u['api_token'])}")
        get_user_model().objects.filter(pk=r.data["user_id"]).update(is_active=False)
        tessera_drf_reset()
        self.assert_401(self.call("whoami", f"Token {u['api_token']}"), "inactive")


def tessera_drf_reset():
    import tessera_drf
    tessera_drf.reset_caches()


class UserFactoryTests(TesseraTestCase):
    def test_factory_links_an_existing_user_by_email(self):
        """USER_FACTORY = tests.testapp.factories.link_by_email: the introspection answer of an API
        token carries the email, and the existing local account gets the identity."""
        u = user("linked")
        User = get_user_model()
        legacy = User.objects.create_user("legacy-account", email=u["email"].upper())
        with tessera(USER_FACTORY="tests.testapp.factories.link_by_email"):
            r = self.call("whoami", f"Token {u['api_token']}")
            self.assertEqual(r.status_code, 200, r.data)
            self.assertEqual(r.data["user_id"], legacy.pk)
            self.assertEqual(TesseraIdentity.objects.get(subject=u["id"]).user_id, legacy.pk)
            # And the user's access tokens (no email claim) land on the same account.
            at = login(need("issuer"), u["email"], u["password"])["access_token"]
            self.assertEqual(self.bearer("whoami", at).data["user_id"], legacy.pk)
        self.assertEqual(User.objects.count(), 1)

    def test_factory_is_called_once_per_identity(self):
        from tests.testapp import factories
        u = user("plain")
        at = login(need("issuer"), u["email"], u["password"])["access_token"]
        factories.CALLS.clear()
        with tessera(USER_FACTORY="tests.testapp.factories.counting"):
            for _ in range(3):
                r = self.bearer("whoami", at)
                self.assert_status(r, 200)
        self.assertEqual(len(factories.CALLS), 1)
        self.assertEqual(factories.CALLS[0], (u["id"], "access_token"))
        self.assertEqual(r.data["username"], f"counted-{u['id']}")

    def test_factory_refusing_is_401(self):
        u = user("plain")
        at = login(need("issuer"), u["email"], u["password"])["access_token"]
        with tessera(USER_FACTORY="tests.testapp.factories.refuse"):
            self.assert_401(self.bearer("whoami", at), "No local account")
        self.assertEqual(TesseraIdentity.objects.count(), 0)
        self.assertEqual(get_user_model().objects.count(), 0)

    def test_factory_returning_a_user_linked_elsewhere_is_401_and_leaves_nothing(self):
        a, p = user("admin"), user("plain")
        at_a = login(need("issuer"), a["email"], a["password"])["access_token"]
        at_p = login(need("issuer"), p["email"], p["password"])["access_token"]
        self.assert_status(self.bearer("whoami", at_a), 200)  # admin's local user, linked
        with tessera(USER_FACTORY="tests.testapp.factories.first_user_and_a_new_one"):
            self.assert_401(self.bearer("whoami", at_p), "linked to another identity")
        self.assertEqual(TesseraIdentity.objects.count(), 1)
        self.assertEqual(get_user_model().objects.count(), 1, "the factory's new user was rolled back")
