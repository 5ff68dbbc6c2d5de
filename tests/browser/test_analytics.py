"""The Analytics tab in Chromium: versions, series, chart and table."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from personalize_admin.experiences.models import Version
from tests.analytics.conftest import activate_new_version, event, impression, ingest
from tests.edge.conftest import ab_test
from tests.factories import EventFactory
from tests.helpers.browser import screenshot


@pytest.fixture
def checkout(project, owner):
    """An A/B test whose version 1 ran from 12 to 5 days ago and version 2 since."""
    purchase = EventFactory(project=project, key="purchase")
    split = ab_test(
        project, owner, names=["Blue button", "Green button"], metrics=[purchase], name="Checkout"
    )
    now = timezone.now()
    first = split.versions.get()
    Version.objects.filter(pk=first.pk).update(activated_at=now - timedelta(days=12))
    for number in range(60):
        when = now - timedelta(days=12 - number % 7, hours=1)
        variant = str(number % 2)
        ingest(project, f"v1-{number}", impression(split, variant), now=when)
        if number % 6 in ((0, 2) if variant == "0" else (1, 3, 5)):
            ingest(project, f"v1-{number}", event("purchase"), now=when + timedelta(minutes=5))
    second = activate_new_version(split, owner)
    Version.objects.filter(pk=first.pk).update(archived_at=now - timedelta(days=5))
    Version.objects.filter(pk=second.pk).update(activated_at=now - timedelta(days=5))
    for number in range(24):
        when = now - timedelta(days=4 - number % 5, hours=1)
        ingest(project, f"v2-{number}", impression(split, str(number % 2)), now=when)
    return split


def test_analytics_tab_switches_versions_series_and_table(signed_in, member, project, checkout):
    page = signed_in(member)
    page.goto(f"/projects/{project.uid}/experiences/{checkout.uid}/")
    page.get_by_role("link", name="Analytics").click()

    # The live version by default, its chart with both variants.
    version = page.get_by_role("combobox", name="Version", exact=True)
    expect(version).to_have_value("2")
    expect(page.get_by_role("heading", name=re.compile("Version 2"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Unique impressions per day"))).to_be_visible()
    expect(page.locator(".analytics__totals")).to_contain_text("24")

    # The archived version keeps its own numbers; the URL follows.
    version.select_option("1")
    expect(page.get_by_role("heading", name=re.compile("Version 1"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"version=1"))
    expect(page.locator(".analytics__totals")).to_contain_text("60")
    expect(
        page.get_by_role("img", name=re.compile("Conversions per day: purchase"))
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile("Data from activation on .* to archival on"))
    ).to_be_visible()

    # Hide a series from the legend (a toggle button), by keyboard.
    green = page.get_by_role("button", name="Green button")
    expect(green).to_have_attribute("aria-pressed", "true")
    green.focus()
    page.keyboard.press("Enter")
    expect(green).to_have_attribute("aria-pressed", "false")
    expect(page.locator('#impressions-chart [data-series="1"]')).to_be_hidden()
    expect(page.locator('#impressions-chart [data-series="0"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"hide=1"))
    screenshot(page, "analytics-chart")

    # The table: rates, uplift and probability to be best per variant.
    page.get_by_role("radio", name="Table").check()
    expect(page.get_by_role("radio", name="Table")).to_be_focused()
    table = page.get_by_role("table", name=re.compile("Totals since activation"))
    expect(table).to_be_visible()
    expect(page).to_have_url(re.compile(r"view=table"))
    blue = table.get_by_role("row", name=re.compile("Blue button"))
    expect(blue).to_contain_text("30")
    expect(blue).to_contain_text("20")
    expect(blue).to_contain_text("Control")
    expect(page.get_by_text("Not enough data yet").first).to_be_visible()
    expect(page.get_by_role("link", name="Download CSV")).to_have_attribute(
        "href", re.compile(r"export\.csv\?version=1")
    )
    screenshot(page, "analytics-table")

    # Back and forward keep the bookmarked state.
    page.go_back()
    expect(page.get_by_role("img", name=re.compile("Unique impressions per day"))).to_be_visible()
