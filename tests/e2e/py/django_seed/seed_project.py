"""What the seed scripts here share: a throwaway Django project in WORKDIR — one app package
written from source text, Django configured on a fresh SQLite database in that folder, the
app's migrations made and every migration applied — and the `manage.py dumpdata` at the end.

Run the scripts with Debian's Django (/usr/bin/python3, python3-django and friends), which is
what the e2e tests do; a python3 from elsewhere may lack Django or have another version.

    from seed_project import arguments, dumpdata, setup_project

    workdir, dump_path = arguments(__doc__)
    setup_project(workdir, "blog", {"models.py": MODELS}, ["django.contrib.auth", …, "blog"])
    from blog.models import Post   # only after setup_project: Django is ready then
    …
    dumpdata(dump_path, "auth.user", "blog")
"""
import os
import sys

# The MonthlySpecs stack (make_dump.py, make_original.py): django-allauth's accounts and DRF's
# tokens, on Django's own auth, content types, sessions and sites (SITE_ID=1).
ALLAUTH_DRF_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.sites", "allauth", "allauth.account", "rest_framework",
    "rest_framework.authtoken",
]


def arguments(usage):
    """WORKDIR and DUMPFILE from the command line (the script's usage when they are missing)."""
    if len(sys.argv) != 3:
        sys.exit(usage.strip())
    return sys.argv[1], sys.argv[2]


def write_app(workdir, app, files):
    """WORKDIR/APP as a Django app package: `files` (name → source text), an empty
    __init__.py unless given, and an empty migrations package."""
    os.makedirs(os.path.join(workdir, app, "migrations"), exist_ok=True)
    open(os.path.join(workdir, app, "migrations", "__init__.py"), "w").close()
    files = {"__init__.py": "", **files}
    for name, text in files.items():
        with open(os.path.join(workdir, app, name), "w") as f:
            f.write(text)


def setup_project(workdir, app, files, installed_apps, **settings):
    """Writes the app, configures Django (SQLite in WORKDIR/db.sqlite3, USE_TZ, AutoField keys,
    plus `settings`), sets it up, makes the app's migrations and applies all of them."""
    write_app(workdir, app, files)
    sys.path.insert(0, workdir)

    import django
    from django.conf import settings as django_settings

    django_settings.configure(
        DEBUG=False,
        SECRET_KEY="test-only",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": os.path.join(workdir, "db.sqlite3")}},
        INSTALLED_APPS=installed_apps,
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        **settings,
    )
    django.setup()

    from django.core.management import call_command

    call_command("makemigrations", app, verbosity=0)
    call_command("migrate", verbosity=0)


def dumpdata(dump_path, *labels):
    """`manage.py dumpdata LABEL… --indent 2` into DUMPFILE: what `tessera import django` reads."""
    from django.core.management import call_command

    with open(dump_path, "w") as f:
        call_command("dumpdata", *labels, indent=2, stdout=f)
