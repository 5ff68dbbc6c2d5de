"""``/api/experiences/{uid}/analytics/summary`` and ``…/time-series``."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.analytics.conftest import (
    ab_test,
    activate_new_version,
    add_daily,
    backdate,
    event,
    impression,
    ingest,
)
from tests.factories import EventFactory, make_experience

pytestmark = pytest.mark.django_db


def summary_url(experience, query=""):
    return reverse("api:analytics-summary", kwargs={"uid": experience.uid}) + query


def series_url(experience, query=""):
    return reverse("api:analytics-time-series", kwargs={"uid": experience.uid}) + query


@pytest.fixture
def signup(project):
    return EventFactory(project=project, key="signup")


@pytest.fixture
def checkout(project, owner, signup):
    """Version 1 (archived) with a clear winner over 20 days, version 2 live with a little."""
    split = ab_test(project, owner, names=["Control", "Treatment"], metrics=[signup])
    first = backdate(split.versions.get(), 25)
    today = timezone.now().date()
    for offset in range(5, 25):
        add_daily(
            first,
            today - timedelta(days=offset),
            {"0": 100, "1": 100},
            {("0", signup): 3, ("1", signup): 6},
        )
    second = activate_new_version(split, owner)
    ingest(project, "u1", impression(split, "1"), event("signup"))
    ingest(project, "u2", impression(split, "0"))
    return split, first, second


def test_summary_defaults_to_the_live_version(member_api, checkout):
    split, _first, second = checkout

    body = member_api.get(summary_url(split)).json()

    assert body["version"]["uid"] == second.uid and body["version"]["status"] == "ACTIVE"
    assert body["impressions"] == 2
    assert [(v["shortUid"], v["impressions"]) for v in body["variants"]] == [("0", 1), ("1", 1)]
    metric = body["metrics"][0]
    assert (metric["eventKey"], metric["primary"], metric["conversions"]) == ("signup", True, 1)
    assert metric["verdict"] == "NOT_ENOUGH_DATA" and metric["winner"] is None


def test_summary_of_an_archived_version_has_its_own_numbers_and_winner(member_api, checkout):
    split, first, _second = checkout

    body = member_api.get(summary_url(split, f"?version={first.uid}")).json()

    assert body["version"]["status"] == "ARCHIVED"
    assert body["impressions"] == 4000 and body["daysRunning"] == 25
    metric = body["metrics"][0]
    assert metric["verdict"] == "WINNER" and metric["winner"] == "1"
    control, treatment = metric["variants"]
    assert (control["conversions"], control["conversionRate"]) == (60, pytest.approx(0.03))
    assert control["isControl"] and control["uplift"] is None
    assert treatment["uplift"] == pytest.approx(1.0)
    assert treatment["upliftLow"] < 1.0 < treatment["upliftHigh"]
    assert treatment["probabilityToBeBest"] > 0.999 and treatment["isWinner"]


def test_summary_numbers_are_exactly_what_the_tab_shows(owner_api, owner_client, checkout):
    split, first, _second = checkout
    body = owner_api.get(summary_url(split, f"?version={first.uid}")).json()

    tab = owner_client.get(
        reverse("analytics:tab", args=[split.project.uid, split.uid]) + "?version=1&view=table"
    ).content.decode()

    rows = re.findall(
        r'<td class="cell-number">([\d,]+)</td>\s*<td class="cell-number">([\d,]+)</td>\s*'
        r'<td class="cell-number">([\d.]+)%</td>',
        tab,
    )
    api_rows = [
        (f"{v['impressions']:,}", f"{v['conversions']:,}", f"{v['conversionRate'] * 100:.2f}")
        for v in body["metrics"][0]["variants"]
    ]
    assert rows == api_rows
    probability = body["metrics"][0]["variants"][1]["probabilityToBeBest"]
    assert probability > 0.9995 and "&gt; 99.9%" in tab
    assert f"{body['impressions']:,}" in tab


def test_time_series_matches_the_tab_chart_day_by_day(member_api, member_client, checkout):
    split, first, _second = checkout
    today = timezone.now().date()
    start, end = today - timedelta(days=9), today - timedelta(days=3)

    body = member_api.get(series_url(split, f"?version={first.uid}&from={start}&to={end}")).json()

    assert body["from"] == start.isoformat() and body["to"] == end.isoformat()
    assert len(body["days"]) == 7
    control = body["variants"][0]
    # Version 1's counts end 5 days ago.
    assert control["impressions"] == [100, 100, 100, 100, 100, 0, 0]
    assert control["conversions"][0]["eventKey"] == "signup"
    assert control["conversions"][0]["values"] == [3, 3, 3, 3, 3, 0, 0]
    full = member_api.get(series_url(split, f"?version={first.uid}")).json()
    assert sum(full["variants"][1]["impressions"]) == 2000
    tab = member_client.get(
        reverse("analytics:tab", args=[split.project.uid, split.uid]) + "?version=1"
    ).content.decode()
    assert "Treatment: 2,000 in total" in tab


def test_time_series_of_a_segmented_experience_has_impressions_only(member_api, project, owner):
    hero = make_experience(project=project, actor=owner, activate=True)
    ingest(project, "u1", impression(hero, "0"))

    body = member_api.get(series_url(hero)).json()

    assert body["variants"][0]["impressions"] == [1]
    assert body["variants"][0]["conversions"] == []


def test_time_series_refuses_a_range_that_ends_before_it_starts(member_api, checkout):
    split, _first, _second = checkout

    response = member_api.get(series_url(split, "?from=2027-03-10&to=2027-03-01"))

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "from": ["Choose a day on or before the end of the range."]
    }


def test_time_series_refuses_a_malformed_day(member_api, checkout):
    split, _first, _second = checkout

    response = member_api.get(series_url(split, "?from=yesterday"))

    assert response.status_code == 422
    assert "from" in response.json()["errors"]


def test_time_series_refuses_more_than_a_thousand_days(member_api, checkout):
    split, _first, _second = checkout

    response = member_api.get(series_url(split, "?from=2020-01-01&to=2027-01-01"))

    assert response.status_code == 422


def test_summary_of_a_never_activated_experience_is_a_conflict(member_api, project, owner):
    draft_only = make_experience(project=project, actor=owner)

    response = member_api.get(summary_url(draft_only))

    assert response.status_code == 409
    assert response.json()["error"] == "personalize.ANALYTICS.VERSION_NOT_ACTIVATED"


def test_summary_of_a_version_of_another_experience_is_not_found(
    member_api, project, owner, checkout
):
    split, _first, _second = checkout
    other = make_experience(project=project, actor=owner, activate=True)

    response = member_api.get(summary_url(split, f"?version={other.versions.get().uid}"))

    assert response.status_code == 404


def test_summary_with_a_malformed_version_is_not_found(member_api, checkout):
    split, _first, _second = checkout

    assert member_api.get(summary_url(split, "?version=nope")).status_code == 404


def test_summary_of_another_projects_experience_is_not_found(member_api, outsider, checkout):
    from tests.factories import make_project

    elsewhere = make_project(owner=outsider, name="Elsewhere")
    foreign = make_experience(project=elsewhere, actor=outsider, activate=True)

    assert member_api.get(summary_url(foreign)).status_code == 404
