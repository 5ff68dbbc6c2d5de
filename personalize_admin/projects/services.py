"""Project and membership actions, shared by the web UI and the Management API.

Each function checks its rules, changes state in one transaction, writes the
audit entry, and raises a ``DomainError`` (nothing changed) when refused.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from personalize_admin.core import audit
from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.revisions import bump, lock_for_update

from .models import Membership, Project, Role
from .roles import sync_permissions

DELETE_CONFIRMATION = "DELETE"


def _clean_name(name):
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(
            "Please enter a project name.",
            code="personalize.PROJECTS.NAME_REQUIRED",
            field_errors={"name": ["Please enter a project name."]},
        )
    max_length = Project._meta.get_field("name").max_length
    if len(name) > max_length:
        raise ValidationFailed(
            f"A project name has at most {max_length} characters.",
            code="personalize.PROJECTS.NAME_TOO_LONG",
            field_errors={"name": [f"A project name has at most {max_length} characters."]},
        )
    return name


def _clean_description(description):
    description = (description or "").strip()
    max_length = Project._meta.get_field("description").max_length
    if len(description) > max_length:
        raise ValidationFailed(
            f"A description has at most {max_length} characters.",
            code="personalize.PROJECTS.DESCRIPTION_TOO_LONG",
            field_errors={"description": [f"A description has at most {max_length} characters."]},
        )
    return description


def _duplicate_name(name):
    message = f'A project named "{name}" already exists. Choose another name.'
    return Conflict(
        message, code="personalize.PROJECTS.DUPLICATE_NAME", field_errors={"name": [message]}
    )


def _save_with_unique_name(project, name):
    others = Project.objects.filter(name__iexact=name).exclude(pk=project.pk)
    if others.exists():
        raise _duplicate_name(name)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        # Another request took the name between the check and the save.
        raise _duplicate_name(name) from None


@transaction.atomic
def create_project(*, name, description="", actor):
    """Create a project; ``actor`` becomes its first Owner."""
    name = _clean_name(name)
    project = Project(name=name, description=_clean_description(description))
    project.created_by = project.updated_by = actor
    _save_with_unique_name(project, name)
    membership = Membership.objects.create(project=project, user=actor, role=Role.OWNER)
    sync_permissions(user=actor, project=project, role=Role.OWNER)
    audit.record(
        project=project,
        actor=actor,
        action="project.create",
        obj=project,
        message=f'Created project "{project.name}".',
    )
    audit.record(
        project=project,
        actor=actor,
        action="member.add",
        obj=project,
        message=f"Added {actor.get_username()} as {membership.get_role_display()}.",
    )
    return project


@transaction.atomic
def update_project(*, project, name, description, actor, expected_revision=None):
    name = _clean_name(name)
    description = _clean_description(description)
    project = lock_for_update(
        project, expected_revision, what="This project", code="personalize.PROJECTS.STALE_REVISION"
    )
    changed = {}
    if name != project.name:
        changed["name"] = [project.name, name]
    if description != project.description:
        changed["description"] = [project.description, description]
    project.name = name
    project.description = description
    project.updated_by = actor
    if changed:
        bump(project)
    _save_with_unique_name(project, name)
    if changed:
        audit.record(
            project=project,
            actor=actor,
            action="project.update",
            obj=project,
            message=f"Changed {', '.join(changed)}.",
            details=changed,
        )
    return project


@transaction.atomic
def delete_project(*, project, actor, confirmation):
    if (confirmation or "").strip() != DELETE_CONFIRMATION:
        message = f"Type {DELETE_CONFIRMATION} to confirm."
        raise ValidationFailed(
            message,
            code="personalize.PROJECTS.DELETE_NOT_CONFIRMED",
            field_errors={"confirmation": [message]},
        )
    audit.record(
        project=None,
        actor=actor,
        action="project.delete",
        obj=project,
        message=f'Deleted project "{project.name}".',
    )
    project.delete()


def find_user(identifier):
    """The active user whose username or email is ``identifier`` (case-insensitive)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    User = get_user_model()
    matches = list(
        User.objects.filter(is_active=True)
        .filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
        .order_by("pk")[:2]
    )
    if len(matches) == 1:
        return matches[0]
    # An email shared by several accounts is ambiguous; a username is not.
    exact = [user for user in matches if user.get_username().lower() == identifier.lower()]
    return exact[0] if len(exact) == 1 else None


def _clean_role(role):
    if role not in Role.values:
        message = f"Choose a role: {', '.join(Role.labels)}."
        raise ValidationFailed(
            message,
            code="personalize.PROJECTS.MEMBERS.INVALID_ROLE",
            field_errors={"role": [message]},
        )
    return Role(role)


@transaction.atomic
def add_member(*, project, user_identifier, role, actor):
    role = _clean_role(role)
    user = find_user(user_identifier)
    if user is None:
        message = f'No user with the username or email "{(user_identifier or "").strip()}".'
        raise ValidationFailed(
            message,
            code="personalize.PROJECTS.MEMBERS.USER_NOT_FOUND",
            field_errors={"user": [message]},
        )
    if Membership.objects.filter(project=project, user=user).exists():
        message = f"{user.get_username()} is already a member of this project."
        raise Conflict(
            message,
            code="personalize.PROJECTS.MEMBERS.ALREADY_MEMBER",
            field_errors={"user": [message]},
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(project=project, user=user, role=role)
    except IntegrityError:
        raise Conflict(
            f"{user.get_username()} is already a member of this project.",
            code="personalize.PROJECTS.MEMBERS.ALREADY_MEMBER",
        ) from None
    sync_permissions(user=user, project=project, role=role)
    audit.record(
        project=project,
        actor=actor,
        action="member.add",
        obj=project,
        message=f"Added {user.get_username()} as {membership.get_role_display()}.",
    )
    return membership


def _lock_memberships(project):
    """Lock the project's memberships so "at least one Owner" holds under concurrency."""
    return list(Membership.objects.select_for_update().filter(project=project).order_by("pk"))


def _refuse_losing_last_owner(memberships, membership, verb):
    owners = [m for m in memberships if m.role == Role.OWNER]
    if membership.role == Role.OWNER and len(owners) <= 1:
        raise Conflict(
            f"{membership.user.get_username()} is the last Owner of this project and cannot be "
            f"{verb}. Make another member an Owner first.",
            code="personalize.PROJECTS.MEMBERS.LAST_OWNER",
        )


@transaction.atomic
def change_member_role(*, membership, role, actor):
    role = _clean_role(role)
    memberships = _lock_memberships(membership.project)
    current = next((m for m in memberships if m.pk == membership.pk), None)
    if current is None:
        raise Conflict(
            "That member has left the project.", code="personalize.PROJECTS.MEMBERS.GONE"
        )
    if current.role == role:
        return current
    if role != Role.OWNER:
        _refuse_losing_last_owner(memberships, current, "demoted")
    previous = current.get_role_display()
    current.role = role
    current.save(update_fields=["role", "updated_at"])
    sync_permissions(user=current.user, project=current.project, role=role)
    audit.record(
        project=current.project,
        actor=actor,
        action="member.role",
        obj=current.project,
        message=f"Changed {current.user.get_username()} from {previous} to {current.get_role_display()}.",
    )
    return current


@transaction.atomic
def remove_member(*, membership, actor):
    memberships = _lock_memberships(membership.project)
    current = next((m for m in memberships if m.pk == membership.pk), None)
    if current is None:
        return
    _refuse_losing_last_owner(memberships, current, "removed")
    current.delete()
    sync_permissions(user=current.user, project=current.project, role=None)
    audit.record(
        project=current.project,
        actor=actor,
        action="member.remove",
        obj=current.project,
        message=f"Removed {current.user.get_username()}.",
    )


def touch_live_config(project):
    """Mark that what the Edge API serves for ``project`` has changed.

    Call inside the transaction of the change: the new revision becomes visible
    to every process exactly when the change commits, so the Edge API rebuilds
    its snapshot on its next request and never mixes old and new.
    """
    Project.objects.filter(pk=project.pk).update(live_config_revision=F("live_config_revision") + 1)
