import pytest
from django.core.management import call_command

from personalize_admin.audiences.models import Audience
from personalize_admin.experiences import demo
from personalize_admin.experiences.models import Experience, Version, VersionStatus
from tests.factories import AudienceFactory

pytestmark = pytest.mark.django_db


def test_demo_creates_experiences_in_every_state(project, owner):
    demo.load(project=project, user=owner)
    experiences = {
        e.name: e for e in Experience.objects.for_project(project).with_current_versions()
    }
    statuses = {name: (e.status, e.draft is not None) for name, e in experiences.items()}
    assert statuses["Winter sale teaser"] == (VersionStatus.DRAFT, True)
    assert statuses["Home page hero"] == (VersionStatus.ACTIVE, False)
    assert statuses["Free shipping bar"] == (VersionStatus.ACTIVE, True)
    assert statuses["Newsletter prompt"] == (VersionStatus.PAUSED, False)
    archived = Version.objects.filter(
        experience=experiences["Product page recommendations"], status=VersionStatus.ARCHIVED
    )
    assert archived.count() == 2
    ab_test = experiences["Checkout button color"]
    assert ab_test.is_ab_test and ab_test.status == VersionStatus.ACTIVE
    assert ab_test.live_version.metrics.all()[0].event.key == "checkout_completed"
    assert all(e.tags.exists() for e in experiences.values())


def test_demo_uses_the_audiences_it_finds_by_name(project, owner):
    gold = AudienceFactory(project=project, name="Gold members")
    demo.load(project=project, user=owner)
    assert Audience.objects.filter(project=project, name="Gold members").get() == gold
    assert Audience.objects.filter(project=project).count() == 4


def test_load_demo_command_counts_active_experiences_as_the_landing_page_does():
    call_command("load_demo", verbosity=0)
    experiences = Experience.objects.with_current_versions()
    active = [e for e in experiences if e.status == VersionStatus.ACTIVE]
    assert len(active) == Version.objects.filter(status=VersionStatus.ACTIVE).count() == 4
