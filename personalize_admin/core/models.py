from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from .uids import UID_LENGTH, UID_PATTERN, new_uid


class UidField(models.CharField):
    """A 24-character lowercase hex identifier, generated on creation."""

    default_validators = [RegexValidator(rf"^{UID_PATTERN}$", "Enter 24 lowercase hex characters.")]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", UID_LENGTH)
        kwargs.setdefault("default", new_uid)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class TrackedModel(models.Model):
    """Created and updated times and actors, shown in sidebars and the API."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who did what to which object, and when.

    Written by the services of every app in the same transaction as the change
    it records, and shown on the object's page.
    """

    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32)
    object_uid = models.CharField(max_length=UID_LENGTH, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    message = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_uid", "-created_at"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'system'}: {self.message}"
