"""A MonthlySpecs-style Django project (django-allauth accounts, a Customer profile made with
each user, DRF tokens), set up from scratch in a temporary folder with Debian's Django: its
users are made the way the original made them, and `manage.py dumpdata` writes the fixture
`tessera import django` reads. Prints a JSON description of what it made (passwords, token
keys) for the test that drives it (tests/e2e/django_import.test.mjs).

Usage: make_dump.py WORKDIR DUMPFILE
"""
import json

from seed_project import ALLAUTH_DRF_APPS, arguments, dumpdata, setup_project

MODELS = '''
from django.conf import settings
from django.db import models

class Customer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    bio = models.TextField(blank=True)
    profile_picture = models.ImageField(upload_to="profile_pics/", blank=True)

class Company(models.Model):
    name = models.CharField(max_length=100)
'''

workdir, dump_path = arguments(__doc__)
setup_project(
    workdir, "api", {"models.py": MODELS}, ALLAUTH_DRF_APPS + ["api"],
    SITE_ID=1,
    # The original's default (PBKDF2-SHA256) first; the others are what older or hardened
    # Django projects have in their databases.
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
    ],
)

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token

from api.models import Company, Customer

made = {"users": []}

def user(username, email, password, hasher="pbkdf2_sha256", verified=True, **extra):
    u = User.objects.create(username=username, email=email,
                            password=make_password(password, None, hasher), **extra)
    Customer.objects.create(user=u, phone="+4930123456", address="Hauptstr. 1, Berlin",
                            bio="Customer of " + username,
                            profile_picture="profile_pics/%s.jpg" % username)
    EmailAddress.objects.create(user=u, email=email, verified=verified, primary=True)
    token = Token.objects.create(user=u)
    made["users"].append({"username": username, "email": email, "password": password,
                          "hasher": hasher, "token": token.key, "pk": u.pk,
                          "active": u.is_active, "staff": u.is_staff,
                          "superuser": u.is_superuser, "verified": verified})
    return u

user("alice", "alice@example.com", "alice-old-pässword", first_name="Alice", last_name="Liddell",
     is_staff=True, is_superuser=True)
user("bob", "Bob@Example.com", "bob-old-password", hasher="pbkdf2_sha1")
user("carol", "carol@example.com", "carol-old-password", hasher="argon2", verified=False)
user("dave", "dave@example.com", "dave-old-password", hasher="bcrypt_sha256")
user("erin", "erin@example.com", "erin-old-password", hasher="bcrypt")
user("mallory", "mallory@example.com", "mallory-old-password", is_active=False)
# A user who never set a password (signed up through a social account): unusable.
u = User.objects.create(username="frank", email="frank@example.com")
u.set_unusable_password()
u.save()
made["users"].append({"username": "frank", "email": "frank@example.com", "password": None,
                      "pk": u.pk, "active": True})
# A username Tessera's rules refuse (Django allows '@' and '+'): imported without it.
user("grace+shop@x", "grace@example.com", "grace-old-password")
Company.objects.create(name="Acme")

dumpdata(dump_path, "auth.user", "account.emailaddress", "authtoken.token", "api.customer",
         "api.company")
print(json.dumps(made))
