"""Roles are named sets of object permissions on a project (django-guardian)."""

from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from .models import ProjectPermission, Role

ROLE_PERMISSIONS = {
    Role.MEMBER: frozenset({ProjectPermission.VIEW, ProjectPermission.EDIT_CONTENT}),
    Role.OWNER: frozenset(ProjectPermission.values),
}
ALL_PERMISSIONS = frozenset(ProjectPermission.values)


def role_for_permissions(perms):
    """The role a set of permissions amounts to (``None`` when it grants no access)."""
    perms = set(perms)
    if ROLE_PERMISSIONS[Role.OWNER] <= perms:
        return Role.OWNER
    if ProjectPermission.VIEW in perms:
        return Role.MEMBER
    return None


def sync_permissions(*, user, project, role):
    """Make ``user``'s object permissions on ``project`` exactly those of ``role``.

    ``role=None`` removes them all (the user left the project).
    """
    wanted = ROLE_PERMISSIONS[role] if role else frozenset()
    current = set(get_user_perms(user, project)) & ALL_PERMISSIONS
    for perm in wanted - current:
        assign_perm(perm, user, project)
    for perm in current - wanted:
        remove_perm(perm, user, project)
