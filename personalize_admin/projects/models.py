from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from personalize_admin.core.models import TrackedModel, UidField
from personalize_admin.core.revisions import RevisionedModel


class Role(models.TextChoices):
    OWNER = "OWNER", "Owner"
    MEMBER = "MEMBER", "Member"


class ProjectPermission(models.TextChoices):
    """Object permissions on a project. Roles are sets of these (see ``roles.py``)."""

    VIEW = "view_project", "View the project and its content"
    EDIT_CONTENT = (
        "edit_content",
        "Create, edit and delete experiences, audiences, attributes and events",
    )
    CHANGE = "change_project", "Change the project's name and description"
    MANAGE_MEMBERS = "manage_members", "Add and remove members and change their roles"
    DELETE = "delete_project", "Delete the project"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Projects ``user`` may open: all for superusers, else those they belong to."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user)


class Project(TrackedModel, RevisionedModel):
    uid = UidField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, max_length=2000)
    next_experience_short_uid = models.PositiveIntegerField(default=0, editable=False)
    # Bumped in the transaction of every change that affects what the Edge API
    # serves; decision snapshots are keyed by it.
    live_config_revision = models.PositiveBigIntegerField(default=0, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint(Lower("name"), name="project_name_unique_ci")]
        default_permissions = ("add", "change", "delete", "view")
        permissions = [
            ("edit_content", "Can edit the project's content"),
            ("manage_members", "Can manage the project's members"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("experiences:list", kwargs={"project_uid": self.uid})


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) in {self.project}"

    @property
    def is_owner(self):
        return self.role == Role.OWNER
