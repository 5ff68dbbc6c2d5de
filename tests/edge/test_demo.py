import pytest

from personalize_admin.audiences import demo as audiences_demo
from personalize_admin.edge import demo
from personalize_admin.edge.models import EdgeEvent, EventKind, Visitor
from personalize_admin.experiences import demo as experiences_demo

pytestmark = pytest.mark.django_db


def test_demo_traffic_stores_visitors_impressions_and_conversions(project, owner):
    audiences_demo.load(project=project, user=owner)
    experiences_demo.load(project=project, user=owner)

    demo.load(project=project, user=owner, visitors=60)

    assert Visitor.objects.filter(project=project).count() == 60
    kinds = set(EdgeEvent.objects.filter(project=project).values_list("kind", flat=True))
    assert kinds == {EventKind.IMPRESSION, EventKind.EVENT, EventKind.CONVERSION}
    assert (
        EdgeEvent.objects.filter(kind=EventKind.IMPRESSION, version__status="PAUSED").count() == 0
    )
