"""The "Preview as visitor" page decides with the Edge API's code and says why."""

import json

import pytest
from django.urls import reverse

from personalize_admin.audiences.models import AttributeType
from personalize_admin.edge.models import Visitor
from personalize_admin.experiences import services as experience_services
from tests.edge.conftest import ab_test, country_audience, custom_rule, make_audience, segmented
from tests.factories import AttributeFactory
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def url(project, **params):
    from urllib.parse import urlencode

    return reverse("preview:page", args=[project.uid]) + ("?" + urlencode(params) if params else "")


def test_preview_without_a_visitor_shows_the_form(member_client, project):
    response = member_client.get(url(project))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Preview as visitor" in content
    assert "Describe a visitor" in content
    assert 'aria-current="page">Preview</a>' in content


def test_preview_shows_the_manifest_the_edge_api_gives(member_client, edge, project, owner, plan):
    us = country_audience(project, "US", name="US visitors")
    pro = make_audience(project, custom_rule(plan, "STRING_EQUALS", "pro"), name="Pro plan")
    hero = segmented(project, owner, [([pro], "AND"), ([us], "AND")], name="Home hero")
    split = ab_test(project, owner, [30, 70], name="Checkout test")
    paused = ab_test(project, owner, name="Paused test")
    experience_services.pause_version(version=paused.versions.get(), actor=owner)

    response = member_client.get(
        url(project, user_uid="visitor-9", country="us", **{"attr-plan": "free"})
    )
    served = edge.manifest(user_uid="visitor-9", live={"plan": "free"}, **{"X-Country": "US"})

    content = response.content.decode()
    shown = json.loads(response.context["result"].manifest)
    assert shown == served.json()
    assert shown["activeVariants"][hero.short_uid] == "1"
    assert "the first variant whose audiences match" in content
    assert "Country equals “US” (true)" in content
    assert "Plan (plan) equals “pro” (false)" in content
    assert "Paused: every visitor gets the base entry." in content
    decision = next(
        item for item in response.context["result"].explained if item.experience.id == split.pk
    )
    assert f"Bucket {decision.decision.bucket:,} of 10,000" in content


def test_preview_reads_stored_attributes_of_the_user(member_client, project, owner):
    age = AttributeFactory(project=project, name="Age", key="age", type=AttributeType.NUMBER)
    adults = make_audience(
        project, custom_rule(age, "NUMBER_GREATER_THAN", 17, options="NumberMatchOptions")
    )
    hero = segmented(project, owner, [([adults], "AND")])
    Visitor.objects.create(project=project, user_uid="known", attributes={"age": 40})

    stored = member_client.get(url(project, user_uid="known")).context["result"]
    overridden = member_client.get(url(project, user_uid="known", **{"attr-age": "12"})).context[
        "result"
    ]

    assert json.loads(stored.manifest)["activeVariants"] == {hero.short_uid: "0"}
    assert json.loads(overridden.manifest)["activeVariants"] == {hero.short_uid: None}


def test_preview_empty_user_uid_decides_for_a_new_visitor(member_client, project, owner):
    ab_test(project, owner)

    result = member_client.get(url(project, user_uid="")).context["result"]

    assert result.generated_uid is True
    assert len(result.user_uid) == 36


def test_preview_htmx_request_gets_only_the_result(member_client, project, owner):
    ab_test(project, owner)

    response = member_client.get(url(project, user_uid="v"), headers={"HX-Request": "true"})

    content = response.content.decode()
    assert 'id="preview-result"' in content
    assert "<html" not in content and 'name="page_url"' not in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"user_uid": "x" * 129}, "at most 128 characters"),
        ({"user_uid": "v", "tags": "a b c d e f g h i j k"}, "at most 10 tags"),
    ],
)
def test_preview_bad_input_says_why(member_client, project, params, message):
    response = member_client.get(url(project, **params))

    assert response.status_code == 200
    assert message in response.content.decode()


def test_preview_query_count_is_constant(member_client, project, owner):
    numbers = iter(range(100))

    def add_rows(count):
        for _ in range(count):
            ab_test(project, owner)
            audience = country_audience(project, "US", name=f"Audience {next(numbers)}")
            segmented(project, owner, [([audience], "AND")])

    # Warm the snapshot each time: the page reads it like the Edge API does.
    assert_constant_queries(member_client, url(project, user_uid="v"), add_rows, sizes=(1, 8))
