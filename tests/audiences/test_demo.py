"""The demo content the experiences demo builds on."""

import pytest

from personalize_admin.audiences import demo
from personalize_admin.audiences.models import Attribute, Audience, Event
from personalize_admin.audiences.rules import Visitor, compile_definition

pytestmark = pytest.mark.django_db


def test_demo_loads_attributes_events_and_named_audiences(project, owner):
    demo.load(project=project, user=owner)
    assert {(a.key, a.type) for a in Attribute.objects.for_project(project)} == {
        ("age", "NUMBER"),
        ("membership_tier", "STRING"),
        ("newsletter", "BOOLEAN"),
    }
    assert {e.key for e in Event.objects.for_project(project)} == {
        "add_to_cart",
        "checkout_completed",
        "newsletter_signup",
    }
    names = set(Audience.objects.for_project(project).values_list("name", flat=True))
    assert {"US visitors", "Mobile shoppers", "Gold members", "Returning customers"} <= names


def test_demo_audiences_decide_as_their_names_say(project, owner):
    demo.load(project=project, user=owner)
    attributes = {a.uid: a for a in Attribute.objects.for_project(project)}

    def matches(name, presets=None, **custom):
        definition = Audience.objects.get(project=project, name=name).definition
        return compile_definition(definition, attributes_by_uid=attributes)(
            Visitor(presets or {}, custom)
        )

    assert matches("US visitors", {"COUNTRY": "US"}) and not matches(
        "US visitors", {"COUNTRY": "DE"}
    )
    assert matches("Mobile shoppers", {"DEVICE_TYPE": "Mobile"})
    assert matches("Gold members", membership_tier="Gold")
    assert matches("Returning customers", membership_tier="silver", age=30)
    assert matches("Returning customers", {"COUNTRY": "DE"}, newsletter=True)
    assert not matches("Returning customers", {"COUNTRY": "US"}, newsletter=True)
    assert matches("Campaign visitors", {"QUERY_PARAMETERS": {"utm_source": "Newsletter"}})
