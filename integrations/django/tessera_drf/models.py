from django.conf import settings
from django.db import models


class TesseraIdentity(models.Model):
    """Links a local user to one identity at one Tessera issuer (an app): the (issuer, subject)
    pair is unique, and a user has at most one. Created on the first authenticated request."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="tessera_identity")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Tessera identity"
        verbose_name_plural = "Tessera identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="tessera_identity_issuer_subject"),
        ]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"
