#!/usr/bin/python3
"""The original MonthlySpecs server, as far as its database goes, made from scratch with Debian's
Django in a temporary folder: django-allauth addresses, DRF tokens, the Customer profile made by
a `post_save` signal on User (as the original's api/signals.py did), and the Company and Item
resources with the Customer <-> Company and Customer <-> Item many-to-many links. Users get
their passwords from Django's default hasher (PBKDF2-SHA256). Then `manage.py dumpdata` writes
the fixture that both `tessera import django` (the users) and the Tessera-based example
(examples/monthlyspecs: `manage.py load_original`, the resources) read.

Prints a JSON description of what it made (passwords, token keys, companies and items per user)
for the test that drives it (tests/e2e/example_monthlyspecs.test.mjs).

Usage: make_original.py WORKDIR DUMPFILE
"""
import json

from seed_project import ALLAUTH_DRF_APPS, arguments, dumpdata, setup_project

APPS = '''
from django.apps import AppConfig

class ApiConfig(AppConfig):
    name = "api"

    def ready(self):
        from . import signals  # noqa: F401
'''

MODELS = '''
from django.conf import settings
from django.db import models

class Company(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)

class Item(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

class Customer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer")
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    bio = models.TextField(blank=True)
    profile_picture = models.ImageField(upload_to="profile_pics/", blank=True)
    companies = models.ManyToManyField(Company, related_name="customers", blank=True)
    items = models.ManyToManyField(Item, related_name="customers", blank=True)
'''

SIGNALS = '''
from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from .models import Customer

@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_customer(sender, instance, created, **kwargs):
    if created:
        Customer.objects.create(user=instance)
'''

workdir, dump_path = arguments(__doc__)
setup_project(
    workdir, "api",
    {"__init__.py": 'default_app_config = "api.apps.ApiConfig"\n', "apps.py": APPS,
     "models.py": MODELS, "signals.py": SIGNALS},
    ALLAUTH_DRF_APPS + ["api"],
    SITE_ID=1,
    # Django's default hashers: new passwords are PBKDF2-SHA256 (260000 iterations in 3.2).
)

from django.contrib.auth.models import User
from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token

from api.models import Company, Item

acme = Company.objects.create(name="Acme Ltd", email="office@acme.example", phone="+44 20 7946 0000",
                              address="1 Road Runner Way, London")
globex = Company.objects.create(name="Globex", email="hello@globex.example", address="Cypress Creek")
initech = Company.objects.create(name="Initech", phone="+1 555 0100")
widget = Item.objects.create(name="Widget", description="The monthly widget box")
gadget = Item.objects.create(name="Gadget", description="")

made = {"users": [], "companies": {c.name: c.pk for c in (acme, globex, initech)},
        "items": {i.name: i.pk for i in (widget, gadget)}}


def user(username, email, password, verified=True, companies=(), items=(), **extra):
    # As allauth's sign-up did: create_user (the default hasher), then the signal made the
    # Customer; the address row; a DRF token from POST /api/auth/login/.
    u = User.objects.create_user(username=username, email=email, password=password, **extra)
    customer = u.customer  # made by the post_save signal
    customer.phone = "+49 30 123456"
    customer.address = "Hauptstr. 1, Berlin"
    customer.bio = "Customer " + username
    customer.save()
    customer.companies.set(companies)
    customer.items.set(items)
    EmailAddress.objects.create(user=u, email=email, verified=verified, primary=True)
    token = Token.objects.create(user=u)
    assert u.password.startswith("pbkdf2_sha256$"), u.password
    made["users"].append({"username": username, "email": u.email, "password": password,
                          "token": token.key, "pk": u.pk, "customer": customer.pk,
                          "active": u.is_active, "staff": u.is_staff, "superuser": u.is_superuser,
                          "verified": verified,
                          "companies": sorted(c.name for c in companies),
                          "items": sorted(i.name for i in items)})
    return u


user("ada", "ada@monthlyspecs.example", "ada-old-pässword", companies=[acme, globex], items=[widget],
     first_name="Ada", last_name="Lovelace", is_staff=True, is_superuser=True)
user("bob", "Bob@MonthlySpecs.example", "bob-old-password", companies=[initech], items=[gadget])
user("cleo", "cleo@monthlyspecs.example", "cleo-old-password", verified=False, companies=[acme])
user("dan", "dan@monthlyspecs.example", "dan-old-password", is_active=False, companies=[globex])

dumpdata(dump_path, "auth.user", "account.emailaddress", "authtoken.token", "api.customer",
         "api.company", "api.item")
print(json.dumps(made))
