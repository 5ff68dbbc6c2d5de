import pytest
from django.http import Http404

from personalize_admin.core.uids import new_uid
from personalize_admin.projects.access import resolve_access
from personalize_admin.projects.models import ProjectPermission, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_resolve_access_gives_member_role(project, member):
    access = resolve_access(member, project.uid)
    assert access.role == Role.MEMBER
    assert access.can(ProjectPermission.EDIT_CONTENT)
    assert not access.can(ProjectPermission.MANAGE_MEMBERS)


def test_resolve_access_gives_owner_role(project, owner):
    access = resolve_access(owner, project.uid)
    assert access.is_owner and access.can(ProjectPermission.DELETE)


def test_resolve_access_hides_project_from_non_member(project, outsider):
    with pytest.raises(Http404):
        resolve_access(outsider, project.uid)


@pytest.mark.parametrize("uid", ["not-a-uid", new_uid(), "A" * 24, ""])
def test_resolve_access_unknown_or_malformed_uid_is_404(project, owner, uid):
    with pytest.raises(Http404):
        resolve_access(owner, uid)


def test_resolve_access_superuser_acts_as_owner(project):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert resolve_access(admin, project.uid).is_owner


def test_resolve_access_costs_constant_queries(project, member, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        resolve_access(member, project.uid)
