"""``/api/experiences``, their versions and ``/api/experiences-priority``.

Every change goes through ``experiences.services`` and every version's content
through ``experiences.content.validate_content``: the functions the experience
pages call, so the API and the UI accept and refuse the same things.
"""

from django.db import models, transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.revisions import lock_for_update
from personalize_admin.experiences import services
from personalize_admin.experiences.content import validate_content, version_content
from personalize_admin.experiences.models import (
    Experience,
    Metric,
    Variant,
    Version,
    VersionStatus,
)

from ..exceptions import VALIDATION_FAILED
from ..schema import errors
from ..serializers.experiences import (
    ExperienceCreateSerializer,
    ExperienceSerializer,
    ExperienceUpdateSerializer,
    PriorityOrderSerializer,
    VersionCreateSerializer,
    VersionSerializer,
    VersionUpdateSerializer,
)
from .base import ProjectScopedApiView, get_object_or_404

EXPERIENCES = ["Experiences"]
VERSIONS = ["Versions"]
PRIORITY = ["Experiences"]
VERSION_UID = OpenApiParameter(
    "versionUid",
    {"type": "string", "pattern": "^[0-9a-f]{24}$"},
    OpenApiParameter.PATH,
    description="The version's uid.",
)
VERSIONS_CODE = "personalize.EXPERIENCES.VERSIONS"
STALE_VERSION = f"{VERSIONS_CODE}.STALE_REVISION"
LOCKED = f"{VERSIONS_CODE}.CANNOT_UPDATE_LOCKED_VERSION"
INVALID_STATUS_CHANGE = f"{VERSIONS_CODE}.INVALID_STATUS_CHANGE"
CONTENT_KEYS = ("variants", "distributionType", "targeting", "metrics")

INVALID_EXPERIENCE = errors(
    VALIDATION_FAILED,
    "personalize.EXPERIENCES.NAME_REQUIRED",
    "personalize.EXPERIENCES.NAME_TOO_LONG",
    "personalize.EXPERIENCES.DESCRIPTION_TOO_LONG",
    "personalize.EXPERIENCES.INVALID_TYPE",
    "personalize.EXPERIENCES.INVALID_TAGS",
    description="Invalid fields; `errors` names each one.",
)
INVALID_VERSION = errors(
    VALIDATION_FAILED,
    f"{VERSIONS_CODE}.INVALID",
    f"{VERSIONS_CODE}.CANNOT_ACTIVATE_INVALID",
    description="Invalid content; `errors` names each field path, e.g. `variants[1].audiences`, "
    "`variants[0].trafficDistribution`, `targeting.audiences`, `metrics[0].event`.",
)


def _versions():
    """Versions with everything their JSON shows, in a constant number of queries."""
    return Version.objects.select_related("created_by", "updated_by").prefetch_related(
        models.Prefetch("variants", queryset=Variant.objects.prefetch_related("audiences")),
        "targeting_audiences",
        models.Prefetch("metrics", queryset=Metric.objects.select_related("event")),
    )


def _experiences(project):
    return (
        Experience.objects.for_project(project)
        .select_related("created_by", "updated_by")
        .prefetch_related(
            "tags",
            models.Prefetch(
                "versions",
                queryset=_versions().exclude(status=VersionStatus.ARCHIVED),
                to_attr="current_versions",
            ),
        )
    )


class ExperienceListView(ProjectScopedApiView):
    @extend_schema(
        tags=EXPERIENCES,
        summary="List experiences",
        description="The project's experiences in priority order (highest first), each with its "
        "latest version.",
        responses={200: ExperienceSerializer(many=True)},
    )
    def get(self, request):
        return self.respond(ExperienceSerializer, _experiences(self.project), many=True)

    @extend_schema(
        tags=EXPERIENCES,
        summary="Create an experience",
        description="Creates the experience, last in priority, with Version 1 as an empty "
        "draft (its uid is `latestVersion.uid`). Fill the draft with "
        "`PUT /experiences/{uid}/versions/{versionUid}`, then activate it.",
        request=ExperienceCreateSerializer,
        responses={
            201: ExperienceSerializer,
            409: errors(
                "personalize.EXPERIENCES.DUPLICATE_NAME", "personalize.EXPERIENCES.LIMIT_REACHED"
            ),
            422: INVALID_EXPERIENCE,
        },
    )
    def post(self, request):
        data = self.parse(ExperienceCreateSerializer)
        experience = services.create_experience(
            project=self.project,
            name=data["name"],
            description=data.get("description", ""),
            type=data["experience_type"],
            tags=data.get("tags", []),
            actor=request.user,
        )
        experience = _experiences(self.project).get(pk=experience.pk)
        return self.respond(ExperienceSerializer, experience, status=201)


class ExperienceMixin:
    def get_experience(self):
        return get_object_or_404(_experiences(self.project), uid=self.kwargs["uid"])


class VersionMixin:
    def get_experience(self):
        # Only the experience: its versions' JSON does not show it.
        return get_object_or_404(
            Experience.objects.for_project(self.project).select_related("project"),
            uid=self.kwargs["uid"],
        )


class ExperienceDetailView(ExperienceMixin, ProjectScopedApiView):
    @extend_schema(
        tags=EXPERIENCES, summary="Get an experience", responses={200: ExperienceSerializer}
    )
    def get(self, request, uid):
        return self.respond(ExperienceSerializer, self.get_experience())

    @extend_schema(
        tags=EXPERIENCES,
        summary="Change an experience's details",
        description="Name, description and tags (the variants are in its versions). An omitted "
        "`description` or `tags` stays as it is. Send the `revision` you read to make the write "
        "conditional.",
        request=ExperienceUpdateSerializer,
        responses={
            200: ExperienceSerializer,
            409: errors(
                "personalize.EXPERIENCES.DUPLICATE_NAME", "personalize.EXPERIENCES.STALE_REVISION"
            ),
            422: INVALID_EXPERIENCE,
        },
    )
    def put(self, request, uid):
        experience = self.get_experience()
        data = self.parse(ExperienceUpdateSerializer)
        services.update_experience(
            experience=experience,
            name=data["name"],
            description=data.get("description"),
            tags=data.get("tags"),
            expected_revision=data.get("revision"),
            actor=request.user,
        )
        return self.respond(ExperienceSerializer, self.get_experience())

    @extend_schema(
        tags=EXPERIENCES,
        summary="Delete an experience",
        description="Deletes the experience with all its versions and analytics, for good; the "
        "experiences after it move up in priority.",
        responses={204: None},
    )
    def delete(self, request, uid):
        services.delete_experience(experience=self.get_experience(), actor=request.user)
        return self.no_content()


class VersionListView(VersionMixin, ProjectScopedApiView):
    @extend_schema(
        tags=VERSIONS,
        summary="List an experience's versions",
        description="All versions, newest first.",
        responses={200: VersionSerializer(many=True)},
    )
    def get(self, request, uid):
        experience = self.get_experience()
        versions = list(_versions().filter(experience=experience).order_by("-number"))
        for version in versions:
            version.experience = experience
        return self.respond(VersionSerializer, versions, many=True)

    @extend_schema(
        tags=VERSIONS,
        summary="Create the draft",
        description="With `variants` (and, for A/B tests, `distributionType`, `targeting`, "
        "`metrics`) the draft gets that content; with none of them it is a copy of the live "
        "version (an empty draft when there is none). An experience has at most one draft.",
        request=VersionCreateSerializer,
        responses={
            201: VersionSerializer,
            409: errors(services.DRAFT_EXISTS_CODE),
            422: INVALID_VERSION,
        },
    )
    def post(self, request, uid):
        experience = self.get_experience()
        self.parse(VersionCreateSerializer)
        sent = {key: request.data[key] for key in CONTENT_KEYS if key in request.data}
        version = services.create_draft(
            experience=experience, actor=request.user, data=sent or None
        )
        return self.respond(VersionSerializer, self._reload(experience, version), status=201)

    def _reload(self, experience, version):
        version = _versions().get(pk=version.pk)
        version.experience = experience
        return version


def _comparable(experience, data):
    """The content ``data`` stands for, in a form two contents can be compared in."""
    content = validate_content(experience=experience, data=data)
    return (
        [
            (v.short_uid, v.name, [a.pk for a in v.audiences], v.combination, v.traffic_percent)
            for v in content.variants
        ],
        content.distribution_type,
        content.target_group,
        sorted(a.pk for a in content.targeting_audiences),
        content.targeting_combination,
        [event.pk for event in content.metrics],
    )


def _changes_content(experience, current, wanted):
    if wanted == current:
        return False
    try:
        return _comparable(experience, wanted) != _comparable(experience, current)
    except ValidationFailed:
        return True


@transaction.atomic
def _check_revision(version, expected_revision):
    lock_for_update(
        version, expected_revision, what=f"Version {version.number}", code=STALE_VERSION
    )


def update_version(*, version, status, sent, partial, expected_revision, actor):
    """Apply a PUT or PATCH of the API to ``version`` with the services.

    ``sent`` holds the content keys of the body (``variants``, ``distributionType``,
    ``targeting``, ``metrics``); PATCH keeps what it leaves out, PUT replaces the
    content with it. Returns the version, changed or not.
    """
    experience = version.experience
    current = version_content(version)
    if partial:
        wanted = {**current, **sent} if sent else None
    else:
        wanted = sent
    if status == version.status:
        status = None
    if version.is_draft:
        if status is None:
            if wanted is None:
                _check_revision(version, expected_revision)
                return version
            return services.save_draft(
                version=version, data=wanted, actor=actor, expected_revision=expected_revision
            )
        if status == VersionStatus.ACTIVE:
            return services.activate_version(
                version=version, actor=actor, expected_revision=expected_revision, data=wanted
            )
        if status == VersionStatus.PAUSED:  # refused by the service's guard, with its code
            return services.pause_version(
                version=version, actor=actor, expected_revision=expected_revision
            )
    else:
        if wanted is not None and _changes_content(experience, current, wanted):
            version.ensure_editable()  # refuses: only a draft's content may change
        if status is None:
            _check_revision(version, expected_revision)
            return version
        if status == VersionStatus.PAUSED:
            return services.pause_version(
                version=version, actor=actor, expected_revision=expected_revision
            )
        if status == VersionStatus.ACTIVE:
            return services.resume_version(
                version=version, actor=actor, expected_revision=expected_revision
            )
    raise Conflict(
        f"Version {version.number} is {version.get_status_display().lower()}; it cannot become "
        f"{VersionStatus(status).label.lower()}. Send ACTIVE to activate a draft or resume a "
        "paused version, PAUSED to pause the active one.",
        code=INVALID_STATUS_CHANGE,
    )


VERSION_CONFLICTS = errors(
    LOCKED,
    STALE_VERSION,
    INVALID_STATUS_CHANGE,
    f"{VERSIONS_CODE}.CANNOT_ACTIVATE_NON_DRAFT",
    f"{VERSIONS_CODE}.CANNOT_PAUSE",
    f"{VERSIONS_CODE}.CANNOT_RESUME",
    f"{VERSIONS_CODE}.GONE",
    description="The version's state does not allow the change, or it changed since `revision`; "
    "nothing was changed.",
)


class VersionDetailView(VersionMixin, ProjectScopedApiView):
    def get_version(self):
        experience = self.get_experience()
        version = get_object_or_404(
            _versions().filter(experience=experience), uid=self.kwargs["versionUid"]
        )
        version.experience = experience
        return version

    @extend_schema(
        tags=VERSIONS,
        summary="Get a version",
        parameters=[VERSION_UID],
        responses={200: VersionSerializer},
    )
    def get(self, request, uid, versionUid):  # noqa: N803 (the path parameter's name)
        return self.respond(VersionSerializer, self.get_version())

    def _write(self, request, *, partial):
        version = self.get_version()
        data = self.parse(VersionUpdateSerializer, partial=partial)
        sent = {key: request.data[key] for key in CONTENT_KEYS if key in request.data}
        update_version(
            version=version,
            status=data.get("status"),
            sent=sent,
            partial=partial,
            expected_revision=data.get("revision"),
            actor=request.user,
        )
        return self.respond(VersionSerializer, self.reload(version))

    def reload(self, version):
        fresh = _versions().get(pk=version.pk)
        fresh.experience = version.experience
        return fresh

    @extend_schema(
        tags=VERSIONS,
        summary="Replace a version",
        description="The whole version: on a draft, `variants` and the A/B settings replace the "
        "draft's (A/B settings left out take their defaults). A variant sent with an existing "
        "`shortUid` keeps it; one without gets the next number. `status: ACTIVE` activates the "
        "draft (the previous live version is archived) or resumes a paused version; "
        "`status: PAUSED` pauses the active version. On a non-draft, any change to the "
        "content answers 409 `…CANNOT_UPDATE_LOCKED_VERSION`. Send `revision` to make the "
        "write conditional.",
        parameters=[VERSION_UID],
        request=VersionUpdateSerializer,
        responses={200: VersionSerializer, 409: VERSION_CONFLICTS, 422: INVALID_VERSION},
    )
    def put(self, request, uid, versionUid):  # noqa: N803
        return self._write(request, partial=False)

    @extend_schema(
        tags=VERSIONS,
        summary="Change part of a version",
        description="Like PUT, but what the body leaves out stays as it is: "
        '`{"status": "PAUSED"}` pauses, `{"distributionType": "CUSTOM", "variants": [...]}` '
        "changes the draft's split.",
        parameters=[VERSION_UID],
        request=VersionUpdateSerializer,
        responses={200: VersionSerializer, 409: VERSION_CONFLICTS, 422: INVALID_VERSION},
    )
    def patch(self, request, uid, versionUid):  # noqa: N803
        return self._write(request, partial=True)

    @extend_schema(
        tags=VERSIONS,
        summary="Discard the draft",
        description="Deletes the draft (204). An experience that was never activated keeps its "
        "draft, emptied (200 with the empty draft). Live and archived versions cannot be "
        "deleted.",
        parameters=[VERSION_UID],
        responses={
            200: OpenApiResponse(VersionSerializer, description="The draft, emptied."),
            204: OpenApiResponse(description="The draft was deleted."),
            409: errors(f"{VERSIONS_CODE}.CANNOT_DELETE_NON_DRAFT"),
        },
    )
    def delete(self, request, uid, versionUid):  # noqa: N803
        version = self.get_version()
        kept = services.discard_draft(version=version, actor=request.user)
        if kept is None:
            return self.no_content()
        return self.respond(VersionSerializer, self.reload(version))


class PriorityView(ProjectScopedApiView):
    def order(self):
        uids = Experience.objects.for_project(self.project).values_list("uid", flat=True)
        return {"priority_order": list(uids)}

    @extend_schema(
        tags=PRIORITY,
        summary="Get the priority order",
        description="The uids of the project's experiences, highest priority first. The Edge "
        "API considers experiences in this order.",
        responses={200: PriorityOrderSerializer},
    )
    def get(self, request):
        return self.respond(PriorityOrderSerializer, self.order())

    @extend_schema(
        tags=PRIORITY,
        summary="Set the priority order",
        description="The full list: every experience of the project exactly once, highest "
        "priority first.",
        request=PriorityOrderSerializer,
        responses={
            200: PriorityOrderSerializer,
            422: errors(
                VALIDATION_FAILED,
                "personalize.EXPERIENCES.INVALID_ORDER",
                description="Not a list of uids, or not every experience exactly once.",
            ),
        },
    )
    def put(self, request):
        data = self.parse(PriorityOrderSerializer)
        services.set_priorities(
            project=self.project,
            ordered_experience_uids=data["priority_order"],
            actor=request.user,
        )
        return self.respond(PriorityOrderSerializer, self.order())
