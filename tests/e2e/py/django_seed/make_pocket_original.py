"""The original Pocket blog's database (the seed's "Pocket": Django, the first user made
admin, 64-hex tokens that expire after 12 hours, Post/Comment/Contact), set up from scratch in
a temporary folder with Debian's Django, with a few users and posts, and dumped with a real
`manage.py dumpdata`. Prints what it made (JSON) for tests/e2e/example_pocket_migration.test.mjs.

Usage: make_pocket_original.py WORKDIR DUMPFILE
"""
import json
import os
import secrets
import sys
from datetime import timedelta

workdir, dump_path = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(workdir, "blog", "migrations"), exist_ok=True)
open(os.path.join(workdir, "blog", "__init__.py"), "w").close()
open(os.path.join(workdir, "blog", "migrations", "__init__.py"), "w").close()
with open(os.path.join(workdir, "blog", "models.py"), "w") as f:
    f.write('''
from django.conf import settings
from django.db import models

class AuthToken(models.Model):
    """The original's own tokens: 64 hex characters, valid for 12 hours."""
    key = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

class Post(models.Model):
    title = models.CharField(max_length=200)
    content = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    content = models.TextField()

class Contact(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField()
    message = models.TextField()
''')
sys.path.insert(0, workdir)

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="test-only",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": os.path.join(workdir, "db.sqlite3")}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "blog"],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

call_command("makemigrations", "blog", verbosity=0)
call_command("migrate", verbosity=0)

from blog.models import AuthToken, Comment, Contact, Post

made = {"users": []}


def register(username, email, password):
    # The original's rule: the first user to register is the admin (is_staff).
    first = not User.objects.exists()
    u = User.objects.create_user(username=username, email=email, password=password,
                                 is_staff=first)
    token = AuthToken.objects.create(key=secrets.token_hex(32), user=u,
                                     expires_at=timezone.now() + timedelta(hours=12))
    made["users"].append({"username": username, "email": email, "password": password,
                          "admin": first, "token": token.key})
    return u


admin = register("editor", "editor@pocket.example", "editor-old-pässword")
reader = register("reader", "reader@pocket.example", "reader-old-password")
post = Post.objects.create(title="Hello", content="The first post.", author=admin)
Comment.objects.create(post=post, author=reader, content="Nice!")
Contact.objects.create(name="Visitor", email="visitor@example.com", message="Hi")

with open(dump_path, "w") as f:
    call_command("dumpdata", "auth.user", "blog", indent=2, stdout=f)
print(json.dumps(made))
