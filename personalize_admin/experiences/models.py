import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from personalize_admin.core.errors import Conflict
from personalize_admin.core.models import TrackedModel, UidField
from personalize_admin.core.revisions import RevisionedModel


class ExperienceType(models.TextChoices):
    SEGMENTED = "SEGMENTED", "Segmented"
    AB_TEST = "AB_TEST", "A/B Test"


class VersionStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    ACTIVE = "ACTIVE", "Active"
    PAUSED = "PAUSED", "Paused"
    ARCHIVED = "ARCHIVED", "Archived"


LIVE_STATUSES = (VersionStatus.ACTIVE, VersionStatus.PAUSED)


class CombinationType(models.TextChoices):
    AND = "AND", "Match All"
    OR = "OR", "Match Any"


class DistributionType(models.TextChoices):
    EQUAL = "EQUAL", "Equal split"
    CUSTOM = "CUSTOM", "Custom percentages"


class TargetGroup(models.TextChoices):
    EVERYONE = "EVERYONE", "Everyone"
    SELECTIVE = "SELECTIVE", "Selective"


def new_seed():
    return secrets.token_hex(8)


class Tag(models.Model):
    """A tag used by a project's experiences: lowercase ``[a-z0-9-_:]``."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="tag_unique_in_project")
        ]

    def __str__(self):
        return self.name


class ExperienceQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)

    def with_current_versions(self):
        """Prefetch the draft and the live version with what a page shows of them.

        ``Experience.current_versions`` then holds at most two versions, so
        ``draft``, ``live_version`` and ``status`` need no further query.
        """
        current = (
            Version.objects.exclude(status=VersionStatus.ARCHIVED)
            .select_related("activated_by")
            .prefetch_related(
                models.Prefetch("variants", queryset=Variant.objects.prefetch_related("audiences")),
                "targeting_audiences",
                models.Prefetch("metrics", queryset=Metric.objects.select_related("event")),
            )
        )
        return self.prefetch_related(
            models.Prefetch("versions", queryset=current, to_attr="current_versions")
        )

    def with_status(self, status):
        """Experiences whose status (see ``Experience.status``) is ``status``."""
        live = Version.objects.filter(experience=models.OuterRef("pk"), status__in=LIVE_STATUSES)
        if status == VersionStatus.DRAFT:
            return self.filter(~models.Exists(live))
        if status in LIVE_STATUSES:
            return self.filter(models.Exists(live.filter(status=status)))
        return self.none()


class Experience(TrackedModel, RevisionedModel):
    uid = UidField()
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="experiences"
    )
    short_uid = models.CharField(max_length=10, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    type = models.CharField(max_length=10, choices=ExperienceType.choices)
    tags = models.ManyToManyField(Tag, blank=True, related_name="experiences")
    # 1 is the highest priority; the Edge API considers experiences in this order.
    priority = models.PositiveIntegerField(default=1)
    # Part of the A/B bucketing hash, so two experiences split visitors independently.
    seed = models.CharField(max_length=32, default=new_seed, editable=False)
    next_variant_short_uid = models.PositiveIntegerField(default=0, editable=False)

    objects = ExperienceQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "short_uid"], name="experience_short_uid_unique"
            ),
            models.UniqueConstraint(
                "project", Lower("name"), name="experience_name_unique_in_project"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "experiences:detail",
            kwargs={"project_uid": self.project.uid, "experience_uid": self.uid},
        )

    @property
    def is_ab_test(self):
        return self.type == ExperienceType.AB_TEST

    def _current_versions(self):
        current = getattr(self, "current_versions", None)
        if current is None:
            current = list(self.versions.exclude(status=VersionStatus.ARCHIVED))
            self.current_versions = current
        return current

    @property
    def draft(self):
        return next((v for v in self._current_versions() if v.status == VersionStatus.DRAFT), None)

    @property
    def live_version(self):
        return next((v for v in self._current_versions() if v.status in LIVE_STATUSES), None)

    @property
    def status(self):
        """The live version's status (Active or Paused), or Draft while it was never activated."""
        live = self.live_version
        return live.status if live else VersionStatus.DRAFT

    def get_status_display(self):
        return VersionStatus(self.status).label

    @property
    def current_version(self):
        """The version the experience is about now: the live one, else the draft."""
        return self.live_version or self.draft

    def clear_version_cache(self):
        self.__dict__.pop("current_versions", None)


class Version(TrackedModel, RevisionedModel):
    """One configuration of an experience's variants.

    Lifecycle: DRAFT → ACTIVE ⇄ PAUSED → ARCHIVED. At most one draft and at most
    one live (Active or Paused) version per experience, enforced by the database.
    """

    uid = UidField()
    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )

    # A/B test settings (unused by segmented experiences).
    distribution_type = models.CharField(
        max_length=10, choices=DistributionType.choices, default=DistributionType.EQUAL
    )
    target_group = models.CharField(
        max_length=10, choices=TargetGroup.choices, default=TargetGroup.EVERYONE
    )
    targeting_combination = models.CharField(
        max_length=3, choices=CombinationType.choices, default=CombinationType.AND
    )
    targeting_audiences = models.ManyToManyField(
        "audiences.Audience", blank=True, related_name="targeted_by_versions"
    )

    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The version this one was copied from (a draft of the live version, or a restore).
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["experience", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["experience", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["experience"],
                condition=Q(status=VersionStatus.DRAFT),
                name="experience_at_most_one_draft",
            ),
            models.UniqueConstraint(
                fields=["experience"],
                condition=Q(status__in=LIVE_STATUSES),
                name="experience_at_most_one_live_version",
            ),
        ]

    def __str__(self):
        return f"{self.experience} v{self.number} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse(
            "experiences:version",
            kwargs={
                "project_uid": self.experience.project.uid,
                "experience_uid": self.experience.uid,
                "number": self.number,
            },
        )

    @property
    def is_draft(self):
        return self.status == VersionStatus.DRAFT

    @property
    def is_archived(self):
        return self.status == VersionStatus.ARCHIVED

    @property
    def is_live(self):
        return self.status in LIVE_STATUSES

    @property
    def is_locked(self):
        """Only a draft's variants and settings may change."""
        return self.status != VersionStatus.DRAFT

    # Status guards: services call these before a move; they raise when it is not allowed.

    def ensure_editable(self):
        if self.is_locked:
            raise Conflict(
                f"Version {self.number} is {self.get_status_display().lower()}; only a draft can be "
                "edited. Create a draft to make changes.",
                code="personalize.EXPERIENCES.VERSIONS.CANNOT_UPDATE_LOCKED_VERSION",
            )

    def ensure_can_activate(self):
        if self.status != VersionStatus.DRAFT:
            raise Conflict(
                f"Version {self.number} is {self.get_status_display().lower()}; only a draft can be activated.",
                code="personalize.EXPERIENCES.VERSIONS.CANNOT_ACTIVATE_NON_DRAFT",
            )

    def ensure_can_pause(self):
        if self.status != VersionStatus.ACTIVE:
            raise Conflict(
                f"Version {self.number} is {self.get_status_display().lower()}; only an active version "
                "can be paused.",
                code="personalize.EXPERIENCES.VERSIONS.CANNOT_PAUSE",
            )

    def ensure_can_resume(self):
        if self.status != VersionStatus.PAUSED:
            raise Conflict(
                f"Version {self.number} is {self.get_status_display().lower()}; only a paused version "
                "can be resumed.",
                code="personalize.EXPERIENCES.VERSIONS.CANNOT_RESUME",
            )

    def ensure_can_discard(self):
        if self.status != VersionStatus.DRAFT:
            raise Conflict(
                f"Version {self.number} is {self.get_status_display().lower()}; only a draft can be "
                "discarded.",
                code="personalize.EXPERIENCES.VERSIONS.CANNOT_DELETE_NON_DRAFT",
            )

    def ensure_can_restore(self):
        if self.status != VersionStatus.ARCHIVED:
            raise Conflict(
                f"Version {self.number} is {self.get_status_display().lower()}; only an archived version "
                "can be restored as a draft.",
                code="personalize.EXPERIENCES.VERSIONS.CANNOT_RESTORE",
            )


class Variant(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="variants")
    short_uid = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    # Segmented experiences: the audiences a visitor must match.
    audience_combination = models.CharField(
        max_length=3, choices=CombinationType.choices, default=CombinationType.AND
    )
    audiences = models.ManyToManyField(
        "audiences.Audience", through="VariantAudience", blank=True, related_name="variants"
    )
    # A/B tests: the share of traffic in percent (used when the distribution is CUSTOM).
    traffic_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "short_uid"], name="variant_short_uid_unique_in_version"
            ),
        ]

    def __str__(self):
        return f"{self.short_uid}: {self.name}"


class VariantAudience(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="audience_links")
    # RESTRICT, not PROTECT: an audience in use cannot be deleted on its own (the
    # services soft-delete it instead), but deleting the whole project may cascade.
    audience = models.ForeignKey(
        "audiences.Audience", on_delete=models.RESTRICT, related_name="variant_links"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["variant", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "audience"], name="variant_audience_unique"),
        ]

    def __str__(self):
        return f"{self.variant} ← {self.audience}"


class Metric(models.Model):
    """An A/B version's metric; the one at position 0 is the primary metric."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="metrics")
    # RESTRICT for the same reason as VariantAudience.audience.
    event = models.ForeignKey("audiences.Event", on_delete=models.RESTRICT, related_name="metrics")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "event"], name="metric_event_unique")
        ]

    def __str__(self):
        return f"{'Primary' if self.is_primary else 'Secondary'}: {self.event}"

    @property
    def is_primary(self):
        return self.position == 0
