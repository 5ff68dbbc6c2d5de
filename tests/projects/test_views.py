import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from personalize_admin.audiences.models import Audience
from personalize_admin.projects.models import Membership, Project, Role
from tests.factories import AudienceFactory, UserFactory, make_project
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_landing_lists_only_projects_the_user_belongs_to(client, project, member):
    other = make_project(name="Someone else's")
    client.force_login(member)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    assert project.name.encode() in response.content
    assert other.name.encode() not in response.content


def test_landing_card_shows_counts(client, project, owner, member):
    AudienceFactory(project=project)
    AudienceFactory(project=project)
    client.force_login(owner)
    response = client.get(reverse("projects:list"))
    card = response.context["projects"][0]
    assert (card.audience_count, card.user_count, card.active_experience_count) == (2, 2, 0)
    assert b"2 Users" in response.content


def test_landing_search_filters_by_name(client, owner):
    make_project(owner=owner, name="Alpine Shop")
    make_project(owner=owner, name="Beach Club")
    client.force_login(owner)
    response = client.get(reverse("projects:list"), {"q": "alp"})
    names = [p.name for p in response.context["projects"]]
    assert names == ["Alpine Shop"]


def test_landing_search_via_htmx_renders_only_the_grid(client, owner):
    make_project(owner=owner, name="Alpine Shop")
    client.force_login(owner)
    response = client.get(reverse("projects:list"), {"q": "alp"}, HTTP_HX_REQUEST="true")
    assert b'id="project-grid"' in response.content
    assert b"<html" not in response.content


def test_landing_query_count_is_constant(client, owner):
    client.force_login(owner)

    def add_projects(n):
        for _ in range(n):
            project = make_project(owner=owner, members=[UserFactory()])
            Audience.objects.create(project=project, name="A")

    assert_constant_queries(client, reverse("projects:list"), add_projects, sizes=(1, 15))


def test_new_project_button_shown_only_to_those_who_may_create(client, member, project):
    client.force_login(member)
    assert b"New Personalize Project" not in client.get(reverse("projects:list")).content
    member.user_permissions.add(Permission.objects.get(codename="add_project"))
    assert b"New Personalize Project" in client.get(reverse("projects:list")).content


def test_create_project_with_add_project_permission_makes_creator_owner(client):
    creator = UserFactory()
    creator.user_permissions.add(Permission.objects.get(codename="add_project"))
    client.force_login(creator)
    response = client.post(reverse("projects:create"), {"name": "Fresh", "description": "New site"})
    project = Project.objects.get(name="Fresh")
    assert response.status_code == 303
    assert response["Location"] == project.get_absolute_url()
    assert Membership.objects.get(project=project, user=creator).role == Role.OWNER


def test_create_project_via_htmx_redirects_client(client):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("projects:create"), {"name": "Fresh"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == Project.objects.get(name="Fresh").get_absolute_url()


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Please enter a project name."), ("Acme Website", "already exists")],
)
def test_create_project_bad_input_shows_error_and_creates_nothing(client, project, name, message):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    before = Project.objects.count()
    response = client.post(reverse("projects:create"), {"name": name}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert message.encode() in response.content
    assert b'aria-invalid="true"' in response.content
    assert Project.objects.count() == before


def test_settings_rename_shows_success(client, owner, project):
    client.force_login(owner)
    url = reverse("projects:settings", args=[project.uid])
    response = client.post(
        url, {"name": "Acme Shop", "description": "x", "revision": project.revision}, follow=True
    )
    project.refresh_from_db()
    assert project.name == "Acme Shop"
    assert "Project settings saved." in [str(m) for m in response.context["messages"]]


def test_settings_stale_save_is_refused(client, owner, project):
    client.force_login(owner)
    url = reverse("projects:settings", args=[project.uid])
    stale = project.revision
    client.post(url, {"name": "First", "revision": stale})
    response = client.post(url, {"name": "Second", "revision": stale})
    assert response.status_code == 422
    assert b"after you opened it" in response.content
    project.refresh_from_db()
    assert project.name == "First"


def test_delete_project_wrong_confirmation_keeps_project(client, owner, project):
    client.force_login(owner)
    response = client.post(
        reverse("projects:delete", args=[project.uid]), {"confirmation": "delete"}
    )
    assert response.status_code == 422
    assert b"Type DELETE to confirm." in response.content
    assert Project.objects.filter(pk=project.pk).exists()


def test_delete_project_with_delete_removes_it(client, owner, project):
    client.force_login(owner)
    response = client.post(
        reverse("projects:delete", args=[project.uid]), {"confirmation": "DELETE"}
    )
    assert response.status_code == 303
    assert not Project.objects.filter(pk=project.pk).exists()


def test_add_member_unknown_user_shows_error(client, owner, project):
    client.force_login(owner)
    response = client.post(
        reverse("projects:members", args=[project.uid]), {"user": "ghost", "role": "MEMBER"}
    )
    assert response.status_code == 422
    assert b"No user with the username or email" in response.content
    assert project.memberships.count() == 2


def test_demoting_last_owner_shows_error_and_changes_nothing(client, owner, project):
    client.force_login(owner)
    membership = Membership.objects.get(project=project, user=owner)
    response = client.post(
        reverse("projects:member-role", args=[project.uid, membership.pk]),
        {"role": "MEMBER"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("last Owner" in m for m in messages)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_removing_last_owner_shows_error(client, owner, project):
    client.force_login(owner)
    membership = Membership.objects.get(project=project, user=owner)
    response = client.post(
        reverse("projects:member-remove", args=[project.uid, membership.pk]), follow=True
    )
    assert any("last Owner" in str(m) for m in response.context["messages"])
    assert project.memberships.filter(user=owner).exists()


def test_membership_of_another_project_is_404(client, owner, project):
    other = make_project(owner=owner)
    foreign = Membership.objects.get(project=other, user=owner)
    client.force_login(owner)
    response = client.post(reverse("projects:member-remove", args=[project.uid, foreign.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_settings_tab_only_for_owners(client, owner, member, project):
    url = reverse("experiences:list", args=[project.uid])
    settings_url = reverse("projects:settings", args=[project.uid]).encode()
    client.force_login(member)
    assert settings_url not in client.get(url).content
    client.force_login(owner)
    assert settings_url in client.get(url).content


def test_htmx_fragment_carries_pending_messages_out_of_band(client, owner, project):
    client.force_login(owner)
    # A plain POST stores its success message for the next response...
    client.post(reverse("projects:members", args=[project.uid]), {"user": "", "role": "MEMBER"})
    client.post(
        reverse("projects:settings", args=[project.uid]),
        {"name": "Renamed", "revision": project.revision},
    )
    # ...and an htmx fragment response delivers it into the toast region.
    response = client.get(reverse("projects:list"), {"q": "Ren"}, HTTP_HX_REQUEST="true")
    assert b'hx-swap-oob="beforeend"' in response.content
    assert b"Project settings saved." in response.content
