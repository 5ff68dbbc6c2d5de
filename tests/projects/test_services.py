import pytest
from guardian.shortcuts import get_user_perms

from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.models import AuditEntry
from personalize_admin.projects import services
from personalize_admin.projects.models import Membership, Project, Role
from personalize_admin.projects.roles import ROLE_PERMISSIONS
from tests.factories import UserFactory, make_project

pytestmark = pytest.mark.django_db


def test_create_project_makes_creator_owner_with_owner_permissions():
    user = UserFactory()
    project = services.create_project(name="  Shop  ", description="d", actor=user)
    assert project.name == "Shop"
    assert len(project.uid) == 24 and all(c in "0123456789abcdef" for c in project.uid)
    membership = Membership.objects.get(project=project, user=user)
    assert membership.role == Role.OWNER
    assert set(get_user_perms(user, project)) == ROLE_PERMISSIONS[Role.OWNER]
    assert AuditEntry.objects.filter(project=project, action="project.create").exists()


def test_create_project_duplicate_name_case_insensitive_is_refused():
    user = UserFactory()
    services.create_project(name="Shop", actor=user)
    with pytest.raises(Conflict) as caught:
        services.create_project(name="shop", actor=user)
    assert caught.value.code == "personalize.PROJECTS.DUPLICATE_NAME"
    assert "name" in caught.value.field_errors
    assert Project.objects.count() == 1


@pytest.mark.parametrize("name", ["", "   ", None])
def test_create_project_empty_name_is_refused(name):
    with pytest.raises(ValidationFailed) as caught:
        services.create_project(name=name, actor=UserFactory())
    assert caught.value.field_errors == {"name": ["Please enter a project name."]}
    assert Project.objects.count() == 0


def test_update_project_with_stale_revision_is_refused_and_changes_nothing(owner):
    project = make_project(owner=owner, name="Original")
    stale = project.revision
    services.update_project(
        project=project, name="First", description="", actor=owner, expected_revision=stale
    )
    with pytest.raises(Conflict) as caught:
        services.update_project(
            project=project, name="Second", description="", actor=owner, expected_revision=stale
        )
    assert "changed by olivia" in caught.value.message
    project.refresh_from_db()
    assert project.name == "First"


def test_update_project_to_another_projects_name_is_refused(owner):
    make_project(owner=owner, name="Taken")
    project = make_project(owner=owner, name="Mine")
    with pytest.raises(Conflict):
        services.update_project(project=project, name="TAKEN", description="", actor=owner)
    project.refresh_from_db()
    assert project.name == "Mine"


def test_delete_project_requires_typing_delete(owner):
    project = make_project(owner=owner)
    for wrong in ["", "delete", "DELET", None]:
        with pytest.raises(ValidationFailed):
            services.delete_project(project=project, actor=owner, confirmation=wrong)
    assert Project.objects.filter(pk=project.pk).exists()
    services.delete_project(project=project, actor=owner, confirmation="DELETE")
    assert not Project.objects.filter(pk=project.pk).exists()


def test_add_member_by_email_gives_member_permissions(owner):
    project = make_project(owner=owner)
    newcomer = UserFactory(username="sam", email="Sam@Example.com")
    membership = services.add_member(
        project=project, user_identifier="sam@example.com", role="MEMBER", actor=owner
    )
    assert membership.user == newcomer
    assert set(get_user_perms(newcomer, project)) == ROLE_PERMISSIONS[Role.MEMBER]


def test_add_member_unknown_user_is_refused(owner):
    project = make_project(owner=owner)
    with pytest.raises(ValidationFailed) as caught:
        services.add_member(project=project, user_identifier="ghost", role="MEMBER", actor=owner)
    assert caught.value.code == "personalize.PROJECTS.MEMBERS.USER_NOT_FOUND"
    assert project.memberships.count() == 1


def test_add_member_twice_is_refused(owner, member):
    project = make_project(owner=owner, members=[member])
    with pytest.raises(Conflict):
        services.add_member(
            project=project, user_identifier=member.username, role="OWNER", actor=owner
        )
    assert Membership.objects.get(project=project, user=member).role == Role.MEMBER


def test_add_member_invalid_role_is_refused(owner, member):
    project = make_project(owner=owner)
    with pytest.raises(ValidationFailed):
        services.add_member(
            project=project, user_identifier=member.username, role="ADMIN", actor=owner
        )


def test_last_owner_cannot_be_demoted_or_removed(owner):
    project = make_project(owner=owner)
    membership = Membership.objects.get(project=project, user=owner)
    with pytest.raises(Conflict) as caught:
        services.change_member_role(membership=membership, role="MEMBER", actor=owner)
    assert "last Owner" in caught.value.message
    with pytest.raises(Conflict):
        services.remove_member(membership=membership, actor=owner)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    assert set(get_user_perms(owner, project)) == ROLE_PERMISSIONS[Role.OWNER]


def test_owner_can_be_demoted_when_another_owner_remains(owner, member):
    project = make_project(owner=owner, owners=[member])
    membership = Membership.objects.get(project=project, user=owner)
    services.change_member_role(membership=membership, role="MEMBER", actor=owner)
    assert set(get_user_perms(owner, project)) == ROLE_PERMISSIONS[Role.MEMBER]


def test_remove_member_revokes_all_permissions(owner, member):
    project = make_project(owner=owner, members=[member])
    services.remove_member(
        membership=Membership.objects.get(project=project, user=member), actor=owner
    )
    assert set(get_user_perms(member, project)) == set()
    assert not project.memberships.filter(user=member).exists()


def test_touch_live_config_increments_revision(owner):
    project = make_project(owner=owner)
    before = project.live_config_revision
    services.touch_live_config(project)
    project.refresh_from_db()
    assert project.live_config_revision == before + 1


def test_delete_project_with_experiences_audiences_and_metrics_removes_everything(owner):
    from personalize_admin.audiences.models import Audience, Event
    from personalize_admin.experiences.models import Experience, Metric, VariantAudience
    from tests.factories import (
        AudienceFactory,
        EventFactory,
        ab_variants,
        make_experience,
        segmented_variants,
    )

    project = make_project(owner=owner)
    audience = AudienceFactory(project=project)
    event = EventFactory(project=project)
    make_experience(
        project=project, actor=owner, variants=segmented_variants([audience]), activate=True
    )
    make_experience(
        project=project,
        actor=owner,
        type="AB_TEST",
        variants=ab_variants("Control", "Treatment"),
        metrics=[{"__type": "Primary", "event": event.uid}],
        activate=True,
    )
    assert VariantAudience.objects.filter(audience=audience).exists()
    assert Metric.objects.filter(event=event).exists()

    services.delete_project(project=project, actor=owner, confirmation="DELETE")

    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Experience.objects.filter(project_id=project.pk).exists()
    assert not Audience.objects.filter(project_id=project.pk).exists()
    assert not Event.objects.filter(project_id=project.pk).exists()
