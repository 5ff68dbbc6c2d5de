import pytest
from django.urls import reverse
from guardian.shortcuts import get_user_perms

from personalize_admin.projects.models import Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["projects/project", "projects/membership", "core/auditentry"])
def test_admin_changelists_render_with_search(admin_client, project, model):
    url = f"/admin/{model}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "acme"}).status_code == 200


def test_admin_is_closed_to_non_staff(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_membership_change_syncs_permissions(admin_client, project, member):
    membership = Membership.objects.get(project=project, user=member)
    url = reverse("admin:projects_membership_change", args=[membership.pk])
    response = admin_client.post(
        url, {"project": project.pk, "user": member.pk, "role": Role.OWNER}
    )
    assert response.status_code == 302
    assert "manage_members" in get_user_perms(member, project)
