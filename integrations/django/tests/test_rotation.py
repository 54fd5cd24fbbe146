"""Key rotation with the real CLI: `tessera keys rotate --stage-seconds 0` (a key that leaked:
the new key signs at once). The JWKS cached here does not know the new kid; the first token
signed by it triggers one refetch and is accepted."""
import time

from django.test import override_settings

from tests.support import TesseraTestCase, kid_of, login, need, rotate_keys, user, wait_until

REFETCH_INTERVAL = 3


class KeyRotationTests(TesseraTestCase):
    def test_unknown_kid_after_rotation_refetches_and_accepts(self):
        from django.conf import settings
        issuer = need("issuer")
        u = user("plain")
        sign_in = lambda: login(issuer, u["email"], u["password"])["access_token"]  # noqa: E731
        with override_settings(TESSERA={**settings.TESSERA, "JWKS_MIN_REFETCH_SECONDS": REFETCH_INTERVAL}):
            old = sign_in()
            self.assert_status(self.bearer("whoami", old), 200)
            self.assertEqual(self.jwks_fetches(), 1)
            fetched_at = time.monotonic()

            rotated = rotate_keys()
            new_kids = {k["kid"] for k in rotated["keys"]}
            self.assertNotIn(kid_of(old), new_kids)
            # The server reloads its keys within 30 s of a CLI rotation (SQLite: no notice).
            new = wait_until("a token signed with a rotated key",
                             lambda: (t := sign_in()) and kid_of(t) in new_kids and t, timeout=75, every=1)
            time.sleep(max(0.0, REFETCH_INTERVAL - (time.monotonic() - fetched_at)) + 0.1)

            r = self.bearer("whoami", new)
            self.assertEqual(r.status_code, 200, r.data)
            self.assertEqual(self.jwks_fetches(), 2, "exactly one refetch for the new kid")
            # Tokens of the replaced key stay good (it stays published), without a fetch.
            self.assert_status(self.bearer("whoami", old), 200)
            self.assert_status(self.bearer("whoami", sign_in()), 200)
            self.assertEqual(self.jwks_fetches(), 2)
            self.assertEqual(r.data["user_id"], self.bearer("whoami", old).data["user_id"])
