#!/usr/bin/env python3
"""Runs the tessera_drf tests with Django's test runner against a running Tessera.

    TESSERA_DRF_FIXTURES=/path/fixtures.json python3 integrations/django/runtests.py [labels…]

The fixtures (tests/fixtures.py says what they hold) are written by
tests/e2e/django_drf.test.mjs, which starts the server, prepares users, tokens and clients,
and runs this script; TESSERA_ISSUER, TESSERA_CLIENT_ID and TESSERA_CLIENT_SECRET override
the file's values. Exit status 0 when every test passed. Labels are Django's, e.g.
`tests.test_headers` or `tests.test_access_tokens.RefusedAccessTokenTests.test_alg_none`.
Uses Debian's python3-django, -djangorestframework, -jwt, -requests and -cryptography.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the working tree clean of __pycache__

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    sys.path.insert(0, HERE)
    os.chdir(HERE)  # the label "tests" must not name the caller's ./tests folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    from tests.fixtures import ENV_FILE, FIXTURES
    if not FIXTURES.get("issuer"):
        print(f"runtests.py: no Tessera to test against: set {ENV_FILE} to a fixtures JSON file "
              "(tests/e2e/django_drf.test.mjs writes one) or TESSERA_ISSUER.", file=sys.stderr)
        return 2

    import django
    from django.conf import settings
    from django.test.utils import get_runner

    django.setup()
    runner = get_runner(settings)(verbosity=int(os.environ.get("TESSERA_DRF_VERBOSITY", "2")),
                                  interactive=False, failfast=False)
    failures = runner.run_tests(argv or ["tests"])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
