"""Loads the original MonthlySpecs server's data from its `manage.py dumpdata` JSON: users
(without their passwords: Tessera has them now), customers, companies and items, with their
primary keys and links. Records of the models Tessera took over (allauth addresses, DRF tokens)
and of any other model are left out.

    python3 manage.py load_original dump.json

This stands in for keeping the original's database: in a real move you keep it, run `migrate`
(it only adds tessera_drf's table) and need no loading at all. Run again, it updates the same
rows (found by primary key). On PostgreSQL, run `manage.py sqlsequencereset auth api` after it.
"""
import json

from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

KEPT = ("auth.user", "api.company", "api.item", "api.customer")  # in this order
TAKEN_OVER = {"account.emailaddress", "authtoken.token", "socialaccount.socialaccount"}


class Command(BaseCommand):
    help = "Load users (no passwords), customers, companies and items from the original's dumpdata JSON."

    def add_arguments(self, parser):
        parser.add_argument("dump", help="the JSON written by the original's `manage.py dumpdata`")

    def handle(self, dump, **options):
        try:
            with open(dump, encoding="utf-8") as f:
                records = json.load(f)
        except (OSError, ValueError) as e:
            raise CommandError(f"{dump}: {e}") from e
        if not isinstance(records, list):
            raise CommandError(f"{dump}: not a dumpdata JSON list")
        by_model = {m: [] for m in KEPT}
        left_out = {}
        for r in records:
            model = str(r.get("model", "")).lower() if isinstance(r, dict) else ""
            if model in by_model:
                by_model[model].append(r)
            else:
                left_out[model] = left_out.get(model, 0) + 1
        counts = {}
        with transaction.atomic():
            for model in KEPT:
                for r in by_model[model]:
                    if model == "auth.user":
                        # Passwords live in Tessera now; this row is only what Customer points at.
                        r = {**r, "fields": {**r.get("fields", {}), "password": make_password(None)}}
                    for obj in serializers.deserialize("python", [r], ignorenonexistent=True):
                        obj.save()
                counts[model] = len(by_model[model])
        summary = ", ".join(f"{n} {m}" for m, n in counts.items())
        self.stdout.write(f"Loaded {summary}.")
        for model, n in sorted(left_out.items()):
            why = "Tessera has them now" if model in TAKEN_OVER else "not part of this example"
            self.stdout.write(f"Left out {n} {model or '(no model)'} record(s): {why}.")
