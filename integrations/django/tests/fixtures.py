"""What the tests know about the running Tessera.

From a JSON file named by TESSERA_DRF_FIXTURES (written by tests/e2e/django_drf.test.mjs),
with TESSERA_ISSUER, TESSERA_CLIENT_ID and TESSERA_CLIENT_SECRET overriding its `issuer`,
`client_id` and `client_secret`. The file's shape (every member is used by some test):

    {
      "issuer": "http://127.0.0.1:PORT/apps/<app>",       access tokens live 600 s here
      "client_id": "…", "client_secret": "tcs_…",         a --resource-server client with the
                                                           client_credentials grant and the
                                                           scopes invoices:read invoices:write
      "other_issuer": "http://…/apps/<other>",            another app of the same server
      "short_issuer": "http://…/apps/<short>",            an app whose access tokens live 2 s
      "short_user": {"email", "password"},                a user of the short app
      "users": {                                          users of the app at `issuer`
        "admin":  {"id", "email", "password", "roles": ["admin"], "access_token",
                   "api_token", "api_token_id"},
        "plain":  {… the same, "roles": []},
        "linked": {… the same}                           for the USER_FACTORY test
      },
      "oauth": {"client_id", "id_token", "access_token", "scope"},  a code flow's tokens
      "rotate_command": ["/path/tessera", "keys", "rotate", "--stage-seconds", "0", …]
    }
"""
import json
import os

ENV_FILE = "TESSERA_DRF_FIXTURES"
ENV_OVERRIDES = {"TESSERA_ISSUER": "issuer", "TESSERA_CLIENT_ID": "client_id",
                 "TESSERA_CLIENT_SECRET": "client_secret"}


def load():
    data = {}
    path = os.environ.get(ENV_FILE)
    if path:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    for env, key in ENV_OVERRIDES.items():
        if os.environ.get(env):
            data[key] = os.environ[env]
    return data


FIXTURES = load()
