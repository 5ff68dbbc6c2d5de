"""Previewing what a visitor gets, clicked through in Chromium."""

import json
import re

from playwright.sync_api import expect

from tests.edge.conftest import ab_test, country_audience, custom_rule, make_audience, segmented
from tests.factories import AttributeFactory
from tests.helpers.browser import screenshot


def test_member_previews_a_visitor_and_sees_why(signed_in, project, member, owner):
    plan = AttributeFactory(project=project, name="Plan", key="plan")
    us = country_audience(project, "US", name="US visitors")
    pro = make_audience(project, custom_rule(plan, "STRING_EQUALS", "pro"), name="Pro plan")
    hero = segmented(project, owner, [([pro], "AND"), ([us], "AND")], name="Home hero")
    split = ab_test(project, owner, [50, 50], name="Checkout button")
    page = signed_in(member)

    page.goto(f"/projects/{project.uid}/experiences/")
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview as visitor")).to_be_visible()
    expect(page.get_by_role("heading", name="Describe a visitor")).to_be_visible()

    page.get_by_role("button", name="Random").click()
    user_uid = page.get_by_label("User UID").input_value()
    assert re.fullmatch(r"[0-9a-f-]{36}", user_uid)
    page.get_by_label("Plan (plan)").fill("free")
    page.get_by_label("Country").fill("US")
    page.get_by_label("Page URL").fill("https://shop.example/?utm_source=newsletter")
    page.get_by_role("button", name="Preview").click()

    decisions = page.get_by_role("region", name="Decisions")
    expect(decisions.get_by_role("heading", name=re.compile("Home hero"))).to_be_visible()
    expect(
        decisions.get_by_text("Variant 1 “Variant 1”: the first variant whose audiences match.")
    ).to_be_visible()
    expect(decisions.get_by_text("Country equals “US” (true)")).to_be_visible()
    expect(decisions.get_by_text(re.compile(r"Bucket [\d,]+ of 10,000"))).to_be_visible()
    manifest = json.loads(page.get_by_label("Manifest JSON").inner_text())
    assert manifest["activeVariants"][hero.short_uid] == "1"
    assert manifest["activeVariants"][split.short_uid] in {"0", "1"}
    expect(page).to_have_url(re.compile(rf"user_uid={user_uid}"))
    screenshot(page, "preview-as-visitor")

    # Keyboard only: change the plan and submit with Enter.
    page.get_by_label("Plan (plan)").fill("pro")
    page.get_by_label("Plan (plan)").press("Enter")
    expect(
        decisions.get_by_text("Variant 0 “Variant 0”: the first variant whose audiences match.")
    ).to_be_visible()
