"""Audiences, attributes and events, clicked through in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from personalize_admin.audiences.models import Attribute, Audience, Event
from tests.audiences.rules_helpers import all_of, custom, preset, rule
from tests.audiences.usage import version_using
from tests.factories import AttributeFactory, AudienceFactory
from tests.helpers.browser import screenshot


def rule_group(page, label):
    return page.get_by_role("group", name=f"Rule {label}", exact=True)


@pytest.fixture
def attributes(project):
    return {
        "tier": AttributeFactory(
            project=project, name="Membership tier", key="membership_tier", type="STRING"
        ),
        "age": AttributeFactory(project=project, name="Age", key="age", type="NUMBER"),
    }


def test_build_two_level_audience_by_clicking_save_and_reopen(
    signed_in, member, project, attributes
):
    page = signed_in(member)
    page.goto(f"/projects/{project.uid}/")
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Audiences").click()
    expect(page.get_by_text("No audiences yet")).to_be_visible()
    page.get_by_role("link", name="New Audience").first.click()
    expect(page.get_by_role("heading", name="New Audience", exact=True)).to_be_visible()

    page.get_by_label("Name").fill("Loyal Americans")
    first = rule_group(page, "1")
    first.get_by_label("Attribute").select_option(label="Country")
    expect(first.get_by_label("Operator")).to_have_value("STRING_EQUALS")
    first.get_by_label("Value", exact=True).fill("US")

    page.get_by_role("button", name="Add Group", exact=True).click()
    group = page.get_by_role("group", name="Group 2", exact=True)
    nested = rule_group(page, "2.1")
    expect(nested.get_by_label("Attribute")).to_be_focused()
    # What was typed before the swap is still there.
    expect(first.get_by_label("Value", exact=True)).to_have_value("US")
    nested.get_by_label("Attribute").select_option(label="Membership tier (membership_tier)")
    nested.get_by_label("Value", exact=True).fill("gold")

    group.get_by_role("button", name="Add Rule to group 2").click()
    second = rule_group(page, "2.2")
    second.get_by_label("Attribute").select_option(label="Age (age)")
    expect(second.get_by_label("Operator")).to_have_value("NUMBER_EQUAL_TO")
    second.get_by_label("Operator").select_option(label="is greater than")
    second.get_by_label("Value", exact=True).fill("30")
    group.get_by_text("Match Any", exact=True).click()
    expect(group.get_by_role("radio", name="Match Any")).to_be_checked()
    expect(nested.get_by_label("Value", exact=True)).to_have_value("gold")
    screenshot(page, "audience-editor-two-levels")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Audience “Loyal Americans” saved.")).to_be_visible()
    audience = Audience.objects.get(name="Loyal Americans")
    assert audience.definition == all_of(
        rule(preset("COUNTRY"), "STRING_EQUALS", value="US"),
        {
            "__type": "RuleCombination",
            "combinationType": "OR",
            "rules": [
                rule(custom(attributes["tier"].uid), "STRING_EQUALS", value="gold"),
                rule(custom(attributes["age"].uid), "NUMBER_GREATER_THAN", value=30),
            ],
        },
    )

    # Reopen it from the list: everything is as it was saved.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Audiences").click()
    page.get_by_role("row", name=re.compile("Loyal Americans")).get_by_role("cell").nth(1).click()
    expect(page.get_by_role("heading", name="Edit Audience")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Loyal Americans")
    expect(rule_group(page, "1").get_by_label("Attribute")).to_have_value("preset:COUNTRY")
    expect(rule_group(page, "1").get_by_label("Value", exact=True)).to_have_value("US")
    group = page.get_by_role("group", name="Group 2", exact=True)
    expect(group.get_by_role("radio", name="Match Any")).to_be_checked()
    expect(rule_group(page, "2.1").get_by_label("Value", exact=True)).to_have_value("gold")
    expect(rule_group(page, "2.2").get_by_label("Operator")).to_have_value("NUMBER_GREATER_THAN")
    expect(rule_group(page, "2.2").get_by_label("Value", exact=True)).to_have_value("30")


def test_editing_an_audience_used_by_an_experience_warns_before_and_after_saving(
    signed_in, member, project
):
    audience = AudienceFactory(project=project, name="US visitors")
    version_using(audience, status="ACTIVE", name="Homepage hero")
    page = signed_in(member)
    page.goto(f"/projects/{project.uid}/audiences/")
    page.get_by_role("row", name=re.compile("US visitors")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Edit").click()
    warning = page.get_by_role("status").filter(has_text="This audience is used by 1 experience.")
    expect(warning).to_be_visible()
    expect(warning.get_by_text("Homepage hero")).to_be_visible()
    expect(warning.get_by_text("Active")).to_be_visible()
    screenshot(page, "audience-editor-in-use")

    page.get_by_label("Description").fill("Visitors from the United States")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Audience “US visitors” saved.")).to_be_visible()
    expect(
        page.get_by_text("This audience is used by “Homepage hero”; they use the new rules now.")
    ).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="This audience is used by 1 experience.")
    ).to_be_visible()


def test_invalid_save_shows_errors_next_to_rules_and_keyboard_edits_rules(
    signed_in, member, project
):
    page = signed_in(member)
    page.goto(f"/projects/{project.uid}/audiences/new/")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Please enter an audience name.")).to_be_visible()
    expect(rule_group(page, "1").get_by_text("Select an attribute.")).to_be_visible()
    assert not Audience.objects.exists()

    # Keyboard only: add a rule, then remove it again.
    add_rule = page.get_by_role("button", name="Add Rule", exact=True)
    add_rule.focus()
    page.keyboard.press("Enter")
    expect(rule_group(page, "2").get_by_label("Attribute")).to_be_focused()
    page.keyboard.press("ArrowDown")  # picks the first attribute, Country
    expect(rule_group(page, "2").get_by_label("Operator")).to_have_value("STRING_EQUALS")
    expect(rule_group(page, "2").get_by_label("Attribute")).to_be_focused()
    page.get_by_role("button", name="Remove rule 2").focus()
    page.keyboard.press("Enter")
    expect(rule_group(page, "2")).to_have_count(0)
    expect(page.get_by_role("button", name="Add Rule", exact=True)).to_be_focused()

    page.get_by_role("button", name="Clear Rules").click()
    expect(page.get_by_text("No rules yet.")).to_be_visible()


def test_test_this_audience_panel_says_whether_it_matches_and_why(signed_in, member, project):
    audience = AudienceFactory(project=project, name="US visitors")
    page = signed_in(member)
    page.goto(audience.get_absolute_url())
    panel = page.get_by_role("region", name="Test this audience")
    panel.get_by_label("Country").fill("de")
    panel.get_by_role("button", name="Test").click()
    expect(panel.get_by_text("No match: this visitor is not in the audience.")).to_be_visible()
    expect(panel.get_by_text("Decided by Rule 1.")).to_be_visible()
    panel.get_by_label("Country").fill(" us ")
    panel.get_by_role("button", name="Test").click()
    expect(panel.get_by_text("Matches: this visitor is in the audience.")).to_be_visible()
    screenshot(page, "audience-editor-test-panel")


def test_delete_audience_from_the_list(signed_in, member, project):
    used = AudienceFactory(project=project, name="US visitors")
    version_using(used, status="DRAFT", name="Homepage hero")
    AudienceFactory(project=project, name="Mobile shoppers")
    page = signed_in(member)
    page.goto(f"/projects/{project.uid}/audiences/")
    screenshot(page, "audience-list")

    page.get_by_role("row", name=re.compile("US visitors")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete Audience")
    expect(dialog.get_by_text("cannot be deleted while these experiences use it")).to_be_visible()
    expect(dialog.get_by_text("Homepage hero")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()

    page.get_by_role("row", name=re.compile("Mobile shoppers")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete Audience")
    dialog.get_by_role("button", name="Delete Audience").click()
    expect(page.get_by_text("Audience “Mobile shoppers” deleted.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Mobile shoppers"))).to_have_count(0)
    assert Audience.objects.for_project(project).get().name == "US visitors"


def test_attributes_and_events_pages(signed_in, member, project):
    page = signed_in(member)
    page.goto(f"/projects/{project.uid}/")
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Attributes").click()
    expect(page.get_by_role("row", name=re.compile("Device type"))).to_contain_text(
        "Mobile, Tablet or Desktop"
    )

    page.get_by_role("button", name="New Attribute").first.click()
    dialog = page.get_by_role("dialog", name="New Attribute")
    dialog.get_by_role("button", name="Create Attribute").click()
    expect(dialog.get_by_text("Please enter an attribute name.")).to_be_visible()
    dialog.get_by_label("Name").fill("Membership tier")
    dialog.get_by_label("Key").fill("membership_tier")
    dialog.get_by_label("Type").select_option(label="String")
    dialog.get_by_role("button", name="Create Attribute").click()
    expect(page.get_by_text("Attribute “Membership tier” created.")).to_be_visible()
    screenshot(page, "attributes")

    page.get_by_role("row", name=re.compile("Membership tier")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit Attribute")
    expect(dialog.get_by_label("Key")).to_have_value("membership_tier")
    dialog.get_by_label("Name").fill("Loyalty tier")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Attribute “Loyalty tier” saved.")).to_be_visible()

    attribute = Attribute.objects.get()
    AudienceFactory(
        project=project,
        name="Gold members",
        definition=all_of(rule(custom(attribute.uid), "STRING_EQUALS", value="gold")),
    )
    page.reload()
    page.get_by_role("row", name=re.compile("Loyalty tier")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete Attribute")
    expect(dialog.get_by_text("cannot be deleted while these audiences use it")).to_be_visible()
    expect(dialog.get_by_role("link", name="Gold members")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Actions").first).to_be_focused()

    page.get_by_role("navigation", name="Project").get_by_role("link", name="Events").click()
    page.get_by_role("button", name="New Event").first.click()
    dialog = page.get_by_role("dialog", name="New Event")
    dialog.get_by_label("Key").fill("add_to_cart")
    dialog.get_by_label("Description").fill("A product was added to the cart.")
    dialog.get_by_role("button", name="Create Event").click()
    expect(page.get_by_text("Event “add_to_cart” created.")).to_be_visible()
    screenshot(page, "events")
    page.get_by_role("row", name=re.compile("add_to_cart")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_role("dialog", name="Delete Event").get_by_role(
        "button", name="Delete Event"
    ).click()
    expect(page.get_by_text("Event “add_to_cart” deleted.")).to_be_visible()
    assert not Event.objects.for_project(project).exists()
