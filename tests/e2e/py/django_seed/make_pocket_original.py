"""The original Pocket blog's database (the seed's "Pocket": Django, the first user made
admin, 64-hex tokens that expire after 12 hours, Post/Comment/Contact), set up from scratch in
a temporary folder with Debian's Django, with a few users and posts, and dumped with a real
`manage.py dumpdata`. Each user has a live token from signing in; the reader also an old one
that expired yesterday. Prints what it made (JSON: users with their passwords, `token` and
`expired_token` keys) for tests/e2e/example_pocket_migration.test.mjs.

Usage: make_pocket_original.py WORKDIR DUMPFILE
"""
import json
import secrets
from datetime import timedelta

from seed_project import arguments, dumpdata, setup_project

MODELS = '''
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
'''

workdir, dump_path = arguments(__doc__)
setup_project(workdir, "blog", {"models.py": MODELS},
              ["django.contrib.auth", "django.contrib.contenttypes", "blog"])

from django.contrib.auth.models import User
from django.utils import timezone

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

# A token of a sign-in two days ago: it ran out after its 12 hours (the original never
# deleted them).
old = AuthToken.objects.create(key=secrets.token_hex(32), user=reader,
                               expires_at=timezone.now() - timedelta(hours=36))
AuthToken.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=48))
made["users"][1]["expired_token"] = old.key

dumpdata(dump_path, "auth.user", "blog")
print(json.dumps(made))
