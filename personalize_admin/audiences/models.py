from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from personalize_admin.core.models import TrackedModel, UidField
from personalize_admin.core.revisions import RevisionedModel

KEY_PATTERN = r"^[A-Za-z0-9_]+$"
key_validator = RegexValidator(KEY_PATTERN, "Use only letters, digits and underscores.")


class AttributeType(models.TextChoices):
    STRING = "STRING", "String"
    NUMBER = "NUMBER", "Number"
    BOOLEAN = "BOOLEAN", "Boolean"
    DATE = "DATE", "Date"


class ProjectScopedQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)


class Attribute(TrackedModel, RevisionedModel):
    """A custom visitor attribute, set through the Edge API by its ``key``."""

    uid = UidField()
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="attributes"
    )
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100, validators=[key_validator])
    description = models.TextField(blank=True, max_length=1000)
    type = models.CharField(
        max_length=10, choices=AttributeType.choices, default=AttributeType.STRING
    )

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key"], name="attribute_key_unique_in_project"
            ),
        ]

    def __str__(self):
        return self.name


class EventQuerySet(ProjectScopedQuerySet):
    def for_project(self, project):
        """The project's events that have not been deleted."""
        return self.filter(project=project, deleted_at__isnull=True)


class Event(TrackedModel, RevisionedModel):
    """A custom event the SDK sends with ``triggerEvent(key)``; A/B metrics use it."""

    uid = UidField()
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=100, validators=[key_validator])
    description = models.TextField(blank=True, max_length=1000)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = [Lower("key"), "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key"],
                condition=Q(deleted_at__isnull=True),
                name="event_key_unique_in_project",
            ),
        ]

    def __str__(self):
        return self.key


class AudienceQuerySet(ProjectScopedQuerySet):
    def for_project(self, project):
        """The project's audiences that have not been deleted."""
        return self.filter(project=project, deleted_at__isnull=True)


class Audience(TrackedModel, RevisionedModel):
    """A named rule tree (see rules.md) that variants and A/B targeting refer to.

    Deleting an audience that only archived versions use keeps the row
    (``deleted_at``) so those versions stay readable as they were.
    """

    uid = UidField()
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="audiences"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, max_length=1000)
    definition = models.JSONField(default=dict, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AudienceQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [
            models.UniqueConstraint(
                "project",
                Lower("name"),
                condition=Q(deleted_at__isnull=True),
                name="audience_name_unique_in_project",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "audiences:edit", kwargs={"project_uid": self.project.uid, "audience_uid": self.uid}
        )

    @property
    def is_deleted(self):
        return self.deleted_at is not None
