import hashlib
import secrets

from django.conf import settings
from django.db import models

from personalize_admin.core.models import UidField

TOKEN_PREFIX = "pa_"
# What the token list shows of a key: enough to tell tokens apart, far too little to use one.
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6


def generate_key():
    """A new secret: 256 random bits, prefixed so secret scanners can recognise it."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_key(key):
    """Keys are long random secrets, so one SHA-256 is enough to store them safely
    (a slow password hash would only make every API request slower)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def for_user(self, user):
        return self.filter(user=user)

    def for_key(self, key):
        """The active token whose key is ``key``, or ``None``."""
        if not isinstance(key, str) or not key or len(key) > 200:
            return None
        return self.active().select_related("user").filter(key_hash=hash_key(key)).first()


class ApiToken(models.Model):
    """A user's secret for the Management API. Only a hash of the key is stored;
    the key itself is shown once, when the token is created."""

    uid = UidField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(max_length=DISPLAY_PREFIX_LENGTH, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
