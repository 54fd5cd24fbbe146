"""HasRole / HasScope on real Tessera credentials: the `roles` claim of access tokens, the
`roles` of API-token introspection answers, and the `scope` of OAuth tokens."""
from django.test import SimpleTestCase

from tessera_drf.permissions import HasAnyRole, HasRole, HasScope, IsTesseraAdmin
from tests.support import TesseraTestCase, client_credentials, introspect_raw, jwt_parts, login, need, user


class RoleTests(TesseraTestCase):
    def access_token(self, name):
        u = user(name)
        return login(need("issuer"), u["email"], u["password"])["access_token"]

    def test_access_token_carries_the_roles_claim(self):
        token = self.access_token("admin")
        claims = jwt_parts(token)[1]
        self.assertEqual(claims.get("roles"), user("admin")["roles"],
                         f"Tessera's access token has no `roles` claim yet: {claims}")

    def test_admin_role_passes_has_role_admin(self):
        token = self.access_token("admin")
        for path in ("admin-only", "admin-alias", "reports"):
            with self.subTest(path=path):
                r = self.bearer(path, token)
                self.assertEqual(r.status_code, 200,
                                 f"{r.data}; the token's claims: {jwt_parts(token)[1]}")
                self.assertEqual(r.data["roles"], ["admin"])

    def test_user_without_the_role_gets_403(self):
        token = self.access_token("plain")
        for path in ("admin-only", "admin-alias", "reports"):
            with self.subTest(path=path):
                r = self.bearer(path, token)
                self.assert_status(r, 403)
                if path != "reports":  # a composed permission has DRF's generic message
                    self.assertIn("needs the role 'admin'", str(r.data["detail"]))
        self.assert_status(self.bearer("whoami", token), 200)

    def test_no_credentials_is_401_not_403(self):
        for path in ("admin-only", "invoices", "whoami"):
            with self.subTest(path=path):
                r = self.call(path)
                self.assert_401(r)
                self.assertEqual(r["WWW-Authenticate"], 'Bearer realm="api"')

    def test_api_token_roles_come_from_introspection(self):
        a, p = user("admin"), user("plain")
        r = self.call("admin-only", f"Token {a['api_token']}")
        status, text = introspect_raw(need("issuer"), a["api_token"])
        self.assertEqual(r.status_code, 200, f"{r.data}; introspection: HTTP {status} {text[:300]}")
        self.assertEqual(r.data["kind"], "api_token")
        self.assertEqual(r.data["roles"], ["admin"])
        r = self.call("admin-only", f"Token {p['api_token']}")
        self.assert_status(r, 403)


class ScopeTests(TesseraTestCase):
    def test_client_credentials_scope(self):
        read = client_credentials(need("issuer"), need("client_id"), need("client_secret"), "invoices:read")
        self.assert_status(self.bearer("invoices", read["access_token"]), 200)
        self.assert_status(self.bearer("reports", read["access_token"]), 200)  # HasAnyRole(…) | HasScope
        r = self.bearer("invoices-write", read["access_token"])
        self.assert_status(r, 403)
        self.assertIn("each of the scopes", str(r.data["detail"]))
        both = client_credentials(need("issuer"), need("client_id"), need("client_secret"),
                                  "invoices:read invoices:write")
        self.assert_status(self.bearer("invoices-write", both["access_token"]), 200)

    def test_account_token_lacks_the_scope(self):
        u = user("plain")
        token = login(need("issuer"), u["email"], u["password"])["access_token"]
        r = self.bearer("invoices", token)
        self.assert_status(r, 403)
        self.assertIn("invoices:read", str(r.data["detail"]))

    def test_oauth_token_scopes(self):
        r = self.bearer("invoices", need("oauth")["access_token"])
        self.assert_status(r, 403)


class FactoryShapeTests(SimpleTestCase):
    def test_factories_return_cached_composable_classes(self):
        self.assertIs(HasRole("admin"), HasRole("admin"))
        self.assertIs(IsTesseraAdmin, HasRole("admin"))
        self.assertIsNot(HasRole("admin"), HasAnyRole("admin"))
        self.assertEqual(HasRole("admin").__name__, "HasRole('admin')")
        composed = HasRole("a") | HasScope("b")
        self.assertTrue(callable(composed))
        for bad in ((), ("",), (None,)):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                HasRole(*bad)

    def test_short_names(self):
        import tessera_drf
        from tessera_drf.authentication import TesseraAuthentication
        from tessera_drf.tokens import TesseraToken
        self.assertIs(tessera_drf.TesseraAuthentication, TesseraAuthentication)
        self.assertIs(tessera_drf.TesseraToken, TesseraToken)
        self.assertIs(tessera_drf.HasRole, HasRole)
        self.assertIs(tessera_drf.IsTesseraAdmin, IsTesseraAdmin)
        with self.assertRaises(AttributeError):
            tessera_drf.NoSuchThing  # noqa: B018
