"""Access tokens (RFC 9068 JWTs) from the real Tessera, verified locally: the good ones pass and
map to one local user; every kind of bad one is a 401 (never a 403 or a 500)."""
import hashlib
import hmac
import threading
import time

from cryptography.hazmat.primitives import serialization
from django.contrib.auth import get_user_model
from django.test import override_settings

import tessera_drf
from tessera_drf.access_tokens import verify_access_token
from tessera_drf.conf import get_config
from tessera_drf.jwks import cache_for
from tessera_drf.models import TesseraIdentity
from tests.support import (TesseraTestCase, b64, client_credentials, encode, jwt_parts, login,
                           logout, need, unb64, user)

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def tessera(**overrides):
    """override_settings(TESSERA=the test settings + overrides)."""
    from django.conf import settings
    return override_settings(TESSERA={**settings.TESSERA, **overrides})


class ValidAccessTokenTests(TesseraTestCase):
    def test_valid_access_token_creates_the_local_user_once(self):
        u = user("plain")
        token = login(need("issuer"), u["email"], u["password"])["access_token"]
        self.assertEqual(TesseraIdentity.objects.count(), 0)
        r1 = self.bearer("whoami", token)
        self.assert_status(r1, 200)
        self.assertEqual(r1.data["kind"], "access_token")
        self.assertEqual(r1.data["subject"], u["id"])
        self.assertEqual(r1.data["scopes"], ["account"])
        self.assertEqual(r1.data["client_id"], "account-api")
        self.assertFalse(r1.data["is_client_token"])
        ident = TesseraIdentity.objects.get()
        self.assertEqual((ident.issuer, ident.subject), (need("issuer"), u["id"]))
        self.assertEqual(ident.user_id, r1.data["user_id"])
        self.assertEqual(r1.data["username"], f"tessera-{u['id']}")
        self.assertFalse(ident.user.has_usable_password())

        # The second call (and another token of the same user) reuses the user.
        r2 = self.bearer("whoami", token)
        token2 = login(need("issuer"), u["email"], u["password"])["access_token"]
        r3 = self.bearer("whoami", token2)
        for r in (r2, r3):
            self.assert_status(r, 200)
            self.assertEqual(r.data["user_id"], r1.data["user_id"])
        self.assertEqual(TesseraIdentity.objects.count(), 1)
        self.assertEqual(get_user_model().objects.count(), 1)
        # One JWKS fetch for all of it.
        self.assertEqual(self.jwks_fetches(), 1)

    def test_request_auth_is_a_tessera_token(self):
        from rest_framework.test import APIRequestFactory

        from tessera_drf.authentication import TesseraAuthentication
        from tessera_drf.tokens import TesseraToken
        u = user("plain")
        token = login(need("issuer"), u["email"], u["password"])["access_token"]
        req = APIRequestFactory().get("/whoami", HTTP_AUTHORIZATION=f"bearer {token}")
        got_user, auth = TesseraAuthentication().authenticate(req)
        self.assertIsInstance(auth, TesseraToken)
        self.assertEqual(auth.kind, "access_token")
        self.assertEqual(auth.subject, u["id"])
        self.assertEqual(auth.claims["iss"], need("issuer"))
        self.assertEqual(auth.scopes, frozenset({"account"}))
        self.assertIsInstance(auth.roles, frozenset)
        self.assertEqual(auth.raw, token)
        self.assertNotIn(token, repr(auth))
        self.assertNotIn(token, str(auth))
        self.assertIsNotNone(auth.expires_at)
        self.assertEqual(got_user.tessera_identity.subject, u["id"])

    def test_oauth_client_access_token_is_accepted_with_its_scopes(self):
        """A token an OAuth client got in a code flow: aud is the issuer as well."""
        oauth = need("oauth")
        r = self.bearer("whoami", oauth["access_token"])
        self.assert_status(r, 200)
        self.assertEqual(r.data["client_id"], oauth["client_id"])
        self.assertEqual(set(r.data["scopes"]), set(oauth["scope"].split()))

    def test_client_credentials_token_is_a_client_identity(self):
        t = client_credentials(need("issuer"), need("client_id"), need("client_secret"), "invoices:read")
        r = self.bearer("whoami", t["access_token"])
        self.assert_status(r, 200)
        self.assertEqual(r.data["subject"], need("client_id"))
        self.assertTrue(r.data["is_client_token"])

    def test_disabled_local_user_is_refused(self):
        u = user("plain")
        token = login(need("issuer"), u["email"], u["password"])["access_token"]
        self.assert_status(self.bearer("whoami", token), 200)
        local = TesseraIdentity.objects.get(subject=u["id"]).user
        local.is_active = False
        local.save()
        self.assert_401(self.bearer("whoami", token), "inactive")

    def test_concurrent_first_requests_fetch_the_jwks_once(self):
        """Eight threads verify at once with an empty cache: one JWKS fetch, eight successes."""
        u = user("plain")
        token = login(need("issuer"), u["email"], u["password"])["access_token"]
        config = get_config()
        barrier = threading.Barrier(8)
        subjects, errors = [], []

        def verify():
            try:
                barrier.wait(timeout=10)
                subjects.append(verify_access_token(token, config)["sub"])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=verify) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(subjects, [u["id"]] * 8)
        self.assertEqual(self.jwks_fetches(), 1)

    def test_leeway_applies_to_exp(self):
        """A real token of the 2-second app, expired by a few seconds, passes within the leeway."""
        su = need("short_user")
        token = login(need("short_issuer"), su["email"], su["password"])["access_token"]
        _, claims, _ = jwt_parts(token)
        time.sleep(max(0, claims["exp"] - time.time()) + 1.5)
        with tessera(ISSUER=need("short_issuer"), LEEWAY_SECONDS=30):
            self.assert_status(self.bearer("whoami", token), 200)


class RefusedAccessTokenTests(TesseraTestCase):
    def fresh_token(self):
        u = user("plain")
        return login(need("issuer"), u["email"], u["password"])["access_token"]

    def test_expired_token(self):
        su = need("short_user")
        token = login(need("short_issuer"), su["email"], su["password"])["access_token"]
        _, claims, _ = jwt_parts(token)
        self.assertLessEqual(claims["exp"] - claims["iat"], 5, "the short app's tokens live 2 s")
        with tessera(ISSUER=need("short_issuer"), LEEWAY_SECONDS=0):
            self.assert_status(self.bearer("whoami", token), 200)
            time.sleep(max(0, claims["exp"] - time.time()) + 1.5)
            self.assert_401(self.bearer("whoami", token), "expired")

    def test_forged_signature(self):
        token = self.fresh_token()
        h, p, s = token.split(".")
        claims = jwt_parts(token)[1]
        # Another subject under the real signature.
        forged = f"{h}.{encode({}, {**claims, 'sub': user('admin')['id']}).split('.')[1]}.{s}"
        self.assert_401(self.bearer("whoami", forged), "bad signature")
        # A flipped bit in the signature.
        sig = bytearray(unb64(s))
        sig[5] ^= 1
        self.assert_401(self.bearer("whoami", f"{h}.{p}.{b64(bytes(sig))}"), "bad signature")
        # No signature at all.
        self.assert_401(self.bearer("whoami", f"{h}.{p}."), "malformed")

    def test_high_s_twin_of_a_valid_es256_signature(self):
        token = self.fresh_token()
        h, p, s = token.split(".")
        self.assertEqual(jwt_parts(token)[0]["alg"], "ES256")
        sig = unb64(s)
        twin_s = P256_ORDER - int.from_bytes(sig[32:], "big")
        twin = f"{h}.{p}.{b64(sig[:32] + twin_s.to_bytes(32, 'big'))}"
        self.assert_status(self.bearer("whoami", token), 200)
        self.assert_401(self.bearer("whoami", twin), "bad signature")

    def test_wrong_issuer(self):
        """Tessera's keys are the server's, shared by every app: a token of another app has a
        signature that verifies, and only `iss` tells them apart."""
        token = self.fresh_token()
        with tessera(ISSUER=need("other_issuer")):
            self.assert_401(self.bearer("whoami", token), "wrong issuer")
        self.assert_status(self.bearer("whoami", token), 200)

    def test_wrong_audience(self):
        token = self.fresh_token()
        with tessera(AUDIENCE="https://api.other.example"):
            self.assert_401(self.bearer("whoami", token), "wrong audience")
        with tessera(AUDIENCE=["https://api.other.example", need("issuer")]):
            self.assert_status(self.bearer("whoami", token), 200)

    def test_id_token_is_not_an_access_token(self):
        """A real ID token: signed by Tessera (RS256), iss right, aud = the client. Even with that
        audience allowed, its typ (JWT) refuses it."""
        oauth = need("oauth")
        header, claims, _ = jwt_parts(oauth["id_token"])
        self.assertEqual(header["typ"], "JWT")
        with tessera(AUDIENCE=[need("issuer"), oauth["client_id"]]):
            self.assert_401(self.bearer("whoami", oauth["id_token"]), "typ is not at+jwt")

    def test_typ_changed_or_missing(self):
        token = self.fresh_token()
        header, claims, s = jwt_parts(token)
        for typ in ("JWT", "jwt", "application/jwt", None):
            h = {**header}
            if typ is None:
                del h["typ"]
            else:
                h["typ"] = typ
            with self.subTest(typ=typ):
                self.assert_401(self.bearer("whoami", encode(h, claims, s)), "typ is not at+jwt")
        # The RFC 9068 long form is accepted as a type, and then the signature (over the
        # original header) does not match.
        long_form = encode({**header, "typ": "application/at+jwt"}, claims, s)
        self.assert_401(self.bearer("whoami", long_form), "bad signature")

    def test_alg_none(self):
        token = self.fresh_token()
        header, claims, _ = jwt_parts(token)
        for alg in ("none", "None", "NONE"):
            with self.subTest(alg=alg):
                self.assert_401(self.bearer("whoami", encode({**header, "alg": alg}, claims, "")), "malformed")
                self.assert_401(self.bearer("whoami", encode({**header, "alg": alg}, claims, "AA")),
                                "algorithm not allowed")

    def test_hs256_signed_with_the_public_key(self):
        """The classic confusion: HMAC with the issuer's public key (as PEM and as JWK JSON)."""
        token = self.fresh_token()
        header, claims, _ = jwt_parts(token)
        public = cache_for(get_config().jwks_url).key(header["kid"], get_config()).key
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        for secret in (pem, pem.strip(), header["kid"].encode()):
            for alg, digest in (("HS256", hashlib.sha256), ("HS512", hashlib.sha512)):
                h = {**header, "alg": alg}
                unsigned = encode(h, claims, "")[:-1]
                sig = hmac.new(secret, unsigned.encode(), digest).digest()
                with self.subTest(alg=alg, secret=secret[:20]):
                    self.assert_401(self.bearer("whoami", f"{unsigned}.{b64(sig)}"), "algorithm not allowed")

    def test_alg_not_matching_the_key(self):
        """The ES256 key's kid with RS256 in the header: refused before any verification."""
        token = self.fresh_token()
        header, claims, s = jwt_parts(token)
        self.assert_401(self.bearer("whoami", encode({**header, "alg": "RS256"}, claims, s)),
                        "algorithm does not match the key")

    def test_critical_header_and_missing_kid(self):
        token = self.fresh_token()
        header, claims, s = jwt_parts(token)
        self.assert_401(self.bearer("whoami", encode({**header, "crit": ["exp"]}, claims, s)), "critical")
        self.assert_401(self.bearer("whoami", encode({k: v for k, v in header.items() if k != "kid"}, claims, s)),
                        "no key id")

    def test_unknown_kid_refetches_at_most_once_per_interval(self):
        token = self.fresh_token()
        header, claims, s = jwt_parts(token)
        self.assert_status(self.bearer("whoami", token), 200)
        self.assertEqual(self.jwks_fetches(), 1)
        for i in range(5):
            forged = encode({**header, "kid": f"made-up-{i}"}, claims, s)
            self.assert_401(self.bearer("whoami", forged), "unknown key id")
        self.assertEqual(self.jwks_fetches(), 1, "no refetch within JWKS_MIN_REFETCH_SECONDS")
        with tessera(JWKS_MIN_REFETCH_SECONDS=0):
            self.assert_401(self.bearer("whoami", encode({**header, "kid": "made-up-x"}, claims, s)),
                            "unknown key id")
            self.assertEqual(self.jwks_fetches(), 2, "an unknown kid refetches once the interval passed")

    def test_jwt_in_the_token_scheme(self):
        token = self.fresh_token()
        self.assert_401(self.call("whoami", f"Token {token}"), "Invalid token")

    def test_garbage_jwts(self):
        for bad in ("a.b.c", "..", "e30.e30.", "W10.e30.AA", "e30.W10.AA", "!!.??.**",
                    "eyJhbGciOiJFUzI1NiJ9.e30.AA", "a.b.c.d", "x" * 9000 + ".a.b"):
            with self.subTest(token=bad[:40]):
                r = self.bearer("whoami", bad)
                self.assert_401(r)

    def test_revoked_session_still_verifies_locally_until_exp_unless_introspected(self):
        """Documented behaviour: a local check sees a logout only at exp; with
        INTROSPECT_ACCESS_TOKENS the logout is seen at once."""
        u = user("plain")
        tokens = login(need("issuer"), u["email"], u["password"])
        at = tokens["access_token"]
        with tessera(INTROSPECT_ACCESS_TOKENS=True, INTROSPECTION_CACHE_SECONDS=0):
            self.assert_status(self.bearer("whoami", at), 200)
        logout(need("issuer"), tokens["refresh_token"])
        self.assert_status(self.bearer("whoami", at), 200)
        with tessera(INTROSPECT_ACCESS_TOKENS=True, INTROSPECTION_CACHE_SECONDS=0):
            self.assert_401(self.bearer("whoami", at), "revoked")


class UnavailableTests(TesseraTestCase):
    def test_unreachable_jwks_is_503_never_accepted(self):
        u = user("plain")
        token = login(need("issuer"), u["email"], u["password"])["access_token"]
        with tessera(JWKS_URL="http://127.0.0.1:9/nothing", HTTP_TIMEOUT_SECONDS=2):
            r = self.bearer("whoami", token)
            self.assert_status(r, 503)
            self.assertEqual(r["Retry-After"], "5")
            self.assertEqual(r.data["detail"].code, "tessera_unavailable")
            # The failed attempt is not retried at once (rate limit): still 503, fast.
            t0 = time.monotonic()
            self.assert_status(self.bearer("whoami", token), 503)
            self.assertLess(time.monotonic() - t0, 1)

    def test_a_jwks_url_that_is_not_a_jwks_is_503(self):
        u = user("plain")
        token = login(need("issuer"), u["email"], u["password"])["access_token"]
        with tessera(JWKS_URL=need("issuer") + "/.well-known/openid-configuration"):
            self.assert_status(self.bearer("whoami", token), 503)


class LinkIdentityTest(TesseraTestCase):
    """tessera_drf.link_identity: a browser sign-in's ID token and the API's access token of
    one person are one local user; claims of another issuer link nobody."""

    def test_id_token_and_access_token_of_one_person_are_one_user(self):
        from rest_framework.exceptions import AuthenticationFailed
        oauth = need("oauth")
        _, claims, _ = jwt_parts(oauth["id_token"])
        user = tessera_drf.link_identity(claims, None, oauth["id_token"])
        self.assertIsNotNone(user.pk)
        again = tessera_drf.link_identity(claims, None)
        self.assertEqual(again.pk, user.pk)
        res = self.bearer("whoami", oauth["access_token"])
        self.assert_status(res, 200)
        self.assertEqual(res.data["username"], user.get_username())
        with self.assertRaises(AuthenticationFailed):
            tessera_drf.link_identity({**claims, "iss": "https://evil.example/apps/x"}, None)
        with self.assertRaises(AuthenticationFailed):
            tessera_drf.link_identity({k: v for k, v in claims.items() if k != "sub"}, None)
