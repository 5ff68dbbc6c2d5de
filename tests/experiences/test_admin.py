import pytest
from django.urls import reverse

from personalize_admin.experiences import services
from personalize_admin.experiences.models import VersionStatus
from tests.factories import UserFactory, make_experience

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def experience(project, owner):
    experience = make_experience(project=project, actor=owner, name="Hero", activate=True)
    services.activate_version(
        version=services.create_draft(experience=experience, actor=owner), actor=owner
    )
    services.create_draft(experience=experience, actor=owner)
    return experience


def test_admin_experience_page_lists_its_versions_inline(admin_client, experience):
    response = admin_client.get(
        reverse("admin:experiences_experience_change", args=[experience.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    for number in (1, 2, 3):
        assert f">Version {number}</a>" in body
    assert (
        admin_client.get(
            reverse("admin:experiences_experience_changelist"), {"q": "hero"}
        ).status_code
        == 200
    )


def test_admin_archived_version_is_read_only(admin_client, experience):
    archived = experience.versions.get(status=VersionStatus.ARCHIVED)
    url = reverse("admin:experiences_version_change", args=[archived.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="distribution_type"' not in response.content.decode()
    admin_client.post(url, {"distribution_type": "CUSTOM"})
    archived.refresh_from_db()
    assert archived.distribution_type == "EQUAL"


def test_admin_draft_version_is_editable(admin_client, experience):
    draft = experience.versions.get(status=VersionStatus.DRAFT)
    response = admin_client.get(reverse("admin:experiences_version_change", args=[draft.pk]))
    assert 'name="distribution_type"' in response.content.decode()
