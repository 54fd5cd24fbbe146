"""The original's resources, unchanged in shape: a Customer per user (one-to-one), Companies and
Items linked to Customers many-to-many. The tables are the original's (`api_customer`, …), so an
existing database keeps its rows; only authentication moved to Tessera."""
from django.conf import settings
from django.db import models


class Company(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name


class Item(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="customer")
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    bio = models.TextField(blank=True)
    # The original's ImageField needs Pillow, which this example does without; a FileField has
    # the same column (a path under MEDIA_ROOT).
    profile_picture = models.FileField(upload_to="profile_pics/", blank=True)
    companies = models.ManyToManyField(Company, related_name="customers", blank=True)
    items = models.ManyToManyField(Item, related_name="customers", blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Customer {self.user}"
