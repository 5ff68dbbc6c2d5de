"""The Analytics tab and its CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from personalize_admin.analytics.models import DailyImpressions
from personalize_admin.experiences.models import Version
from tests.analytics.conftest import activate_new_version, add_daily, backdate
from tests.factories import make_experience
from tests.helpers.queries import count_queries

pytestmark = pytest.mark.django_db


def tab_url(experience, query=""):
    return reverse("analytics:tab", args=[experience.project.uid, experience.uid]) + query


def export_url(experience, query=""):
    return reverse("analytics:export", args=[experience.project.uid, experience.uid]) + query


def winning(split, signup, days=20):
    """Version 1 of ``split`` activated ``days`` ago, with a clear winner (Treatment)."""
    version = backdate(split.versions.get(), days)
    today = timezone.now().date()
    for offset in range(days):
        add_daily(
            version,
            today - timedelta(days=offset),
            {"0": 100, "1": 100},
            {("0", signup): 3, ("1", signup): 6},
        )
    return version


def test_tab_is_listed_on_the_experience_page(member_client, split):
    response = member_client.get(split.get_absolute_url())

    assert f'href="{tab_url(split)}"' in response.content.decode()


def test_tab_of_a_never_activated_experience_explains_when_analytics_start(
    member_client, project, owner
):
    draft_only = make_experience(project=project, actor=owner)

    response = member_client.get(tab_url(draft_only))

    assert response.status_code == 200
    assert "No analytics yet" in response.content.decode()


def test_tab_of_a_version_without_events_has_an_empty_state(member_client, split):
    response = member_client.get(tab_url(split))

    page = response.content.decode()
    assert "No data yet" in page and "No events counted yet" in page
    assert '<svg class="chart__svg"' not in page


def test_tab_shows_the_live_version_by_default_and_every_version_that_was_live(
    member_client, split, owner, signup
):
    first = split.versions.get()
    second = activate_new_version(split, owner)
    from personalize_admin.experiences import services as experience_services

    experience_services.create_draft(experience=split, actor=owner)  # version 3, never live

    page = member_client.get(tab_url(split)).content.decode()

    assert f'<option value="{second.number}" selected>' in page
    assert f'<option value="{first.number}">Version 1 · Archived' in page
    assert '<option value="3"' not in page


def test_tab_shows_each_versions_own_numbers(member_client, split, owner, signup):
    first = split.versions.get()
    second = activate_new_version(split, owner)
    today = timezone.now().date()
    add_daily(first, today, {"0": 1234, "1": 999})
    add_daily(second, today, {"0": 7, "1": 8})

    archived = member_client.get(tab_url(split, "?version=1&view=table")).content.decode()
    live = member_client.get(tab_url(split, "?view=table")).content.decode()

    assert "1,234" in archived and "2,233" in archived
    assert "1,234" not in live and ">15<" in live


def test_tab_table_shows_the_winner_with_its_statistics(member_client, split, signup):
    winning(split, signup)

    page = member_client.get(tab_url(split, "?view=table")).content.decode()

    assert "Winner: Treatment" in page
    assert 'class="tag tag--success">Winner</span>' in page
    assert "+100.0%" in page  # uplift: 6 % against 3 %
    assert "&gt; 99.9%" in page  # probability to be best


def test_tab_before_fourteen_days_has_no_winner_yet(member_client, split, signup):
    winning(split, signup, days=10)

    page = member_client.get(tab_url(split, "?view=table")).content.decode()

    assert "No winner yet." in page and "Treatment leads" in page
    assert "Winner:" not in page


def test_tab_chart_draws_a_series_per_variant_with_distinct_styles(member_client, split, signup):
    winning(split, signup, days=5)

    page = member_client.get(tab_url(split, "?range=7d&hide=1")).content.decode()

    assert page.count('data-series="0"') == 2  # impressions and conversions
    assert 'class="chart__series series-1 is-hidden" data-series="1"' in page
    assert 'aria-pressed="false" data-series-toggle="1"' in page
    assert 'stroke-dasharray="7 4"' in page
    assert '<title id="impressions-chart-title">Unique impressions per day</title>' in page
    assert "Control: 500 in total" in page


def test_tab_date_range_limits_the_chart_to_the_last_days(member_client, split, signup):
    winning(split, signup, days=20)

    page = member_client.get(tab_url(split, "?range=7d")).content.decode()

    assert "Control: 700 in total" in page


def test_tab_htmx_request_answers_the_panel_only(member_client, split, signup):
    winning(split, signup, days=3)

    response = member_client.get(tab_url(split, "?view=table"), headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="analytics-panel"')
    assert "<html" not in page


def test_tab_history_restore_answers_the_whole_page(member_client, split):
    response = member_client.get(
        tab_url(split), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()


def test_tab_with_an_unknown_version_answers_404(member_client, split):
    assert member_client.get(tab_url(split, "?version=9")).status_code == 404
    assert member_client.get(tab_url(split, "?version=x")).status_code == 404


def test_tab_ignores_unknown_options(member_client, split, signup):
    winning(split, signup, days=3)

    response = member_client.get(tab_url(split, "?range=forever&view=pie&hide=<x>&metric=zz"))

    assert response.status_code == 200
    assert 'value="all" selected' in response.content.decode()


def test_tab_query_count_does_not_grow_with_days_variants_or_events(
    member_client, project, owner, signup
):
    from tests.analytics.conftest import ab_test

    small = ab_test(project, owner, metrics=[signup], name="Small")
    large = ab_test(project, owner, names=[f"V{n}" for n in range(6)], metrics=[signup])
    backdate(small.versions.get(), 2)
    backdate(large.versions.get(), 60)
    today = timezone.now().date()
    add_daily(small.versions.get(), today, {"0": 1, "1": 1}, {("0", signup): 1})
    for offset in range(60):
        add_daily(
            large.versions.get(),
            today - timedelta(days=offset),
            {str(n): 10_000 for n in range(6)},
            {(str(n), signup): 500 for n in range(6)},
        )

    for view in ("chart", "table"):
        few, _ = count_queries(member_client, tab_url(small, f"?view={view}"))
        many, queries = count_queries(member_client, tab_url(large, f"?view={view}"))
        assert few == many, [q["sql"][:150] for q in queries]


def test_export_writes_every_metric_of_every_variant(member_client, split, signup):
    winning(split, signup)

    response = member_client.get(export_url(split, "?version=1"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="experience-')
    assert response["Content-Disposition"].endswith('-v1-analytics.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == [
        "Metric",
        "Variant short UID",
        "Variant",
        "Impressions",
        "Conversions",
        "Conversion rate",
    ]
    assert rows[1][:7] == ["signup", "0", "Control", "2000", "60", "3.00%", ""]
    assert rows[2][:7] == ["signup", "1", "Treatment", "2000", "120", "6.00%", "+100.0%"]
    assert rows[1][-1] == "Control" and rows[2][-1] == "Winner"


def test_export_guards_against_formulas_in_variant_names(member_client, project, owner):
    hero = make_experience(project=project, actor=owner, activate=True)
    version = hero.versions.get()
    version.variants.update(name='=HYPERLINK("http://evil.example","x"), "quoted"')
    add_daily(version, timezone.now().date(), {"0": 5})

    response = member_client.get(export_url(hero))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Variant short UID", "Variant", "Impressions", "Share of impressions"]
    assert rows[1] == ["0", '\'=HYPERLINK("http://evil.example","x"), "quoted"', "5", "100.0%"]


def test_export_of_an_experience_without_analytics_answers_404(member_client, project, owner):
    draft_only = make_experience(project=project, actor=owner)

    assert member_client.get(export_url(draft_only)).status_code == 404


def test_tab_for_outsiders_answers_404(client, outsider, split):
    client.force_login(outsider)

    assert client.get(tab_url(split)).status_code == 404
    assert not DailyImpressions.objects.exists()
    assert Version.objects.count() == 1
