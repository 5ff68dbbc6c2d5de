"""The seed "Edit an Experience", step by step, in Chromium; plus pause/resume, A/B tests and priorities."""

import re

import pytest
from playwright.sync_api import expect

from personalize_admin.experiences import services
from personalize_admin.experiences.models import Experience, VersionStatus
from tests.factories import AudienceFactory, EventFactory, make_experience, segmented_variants
from tests.helpers.browser import screenshot


@pytest.fixture
def audiences(project):
    return {
        name: AudienceFactory(project=project, name=name)
        for name in ("US visitors", "Gold members", "Mobile shoppers")
    }


def open_project(page, project):
    """From the landing page into the project, as the seed's first steps do."""
    page.goto("/")
    page.get_by_role("link", name=project.name).click()
    expect(page.get_by_role("heading", name="Experiences", level=1)).to_be_visible()


def variant_row(page, number):
    return page.get_by_role("row", name=f"Variant {number}", exact=True)


def pick_audience(page, number, audience):
    row = variant_row(page, number)
    # The picker opens by itself when it shows an error.
    if not row.locator("details").evaluate("details => details.open"):
        row.locator("summary").click()
    row.get_by_label(audience, exact=True).check()


def test_edit_draft_experience_following_the_seed(signed_in, project, member, owner, audiences):
    experience = make_experience(
        project=project,
        actor=owner,
        name="Summer banner",
        variants=segmented_variants([audiences["US visitors"]], names=["US banner"]),
    )
    page = signed_in(member)
    open_project(page, project)
    screenshot(page, "experiences-list")

    # Open it by clicking the row...
    page.get_by_role("row", name=re.compile("Summer banner")).get_by_role("cell").first.click()
    expect(page.get_by_role("heading", name=re.compile("Summer banner"), level=1)).to_be_visible()
    expect(page.get_by_role("heading", level=1).get_by_text("Draft")).to_be_visible()
    page.go_back()

    # ...or through the vertical ellipsis under Actions → Edit.
    page.get_by_role("row", name=re.compile("Summer banner")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Edit").click()

    # Overview: Name and Description, then Save General Details.
    nav = page.get_by_role("navigation", name="Experience")
    expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    page.get_by_label("Name").fill("Summer banner 2026")
    page.get_by_label("Description").fill("Shown at the top of every page in June")
    page.get_by_role("button", name="Save General Details").click()
    expect(page.get_by_text("General details saved.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Summer banner 2026"), level=1)
    ).to_be_visible()
    screenshot(page, "experience-overview")

    # Configuration: + Add Variant; an empty one is refused with the spec's messages.
    nav.get_by_role("link", name="Configuration").click()
    page.get_by_role("button", name="Add Variant").click()
    expect(page.get_by_label("Name of variant 2")).to_be_focused()
    page.get_by_role("button", name="Save Draft").click()
    expect(
        page.get_by_text("The draft was not saved: fix the fields marked below.")
    ).to_be_visible()
    row = variant_row(page, 2)
    expect(row.get_by_text("Please enter a variant name")).to_be_visible()
    expect(row.get_by_text("Please select at least one audience")).to_be_visible()
    screenshot(page, "experience-configuration-errors")
    assert experience.versions.get().variants.count() == 1

    page.get_by_label("Name of variant 2").fill("Gold banner")
    pick_audience(page, 2, "Gold members")
    page.get_by_label("Condition of variant 2").select_option(label="Match Any")
    page.get_by_role("button", name="Save Draft").click()
    expect(page.get_by_text("Draft saved (version 1).")).to_be_visible()
    draft = experience.versions.get()
    assert [(v.short_uid, v.name, v.audience_combination) for v in draft.variants.all()] == [
        ("0", "US banner", "OR"),
        ("1", "Gold banner", "OR"),
    ]

    # Activate Draft asks for confirmation first.
    page.get_by_role("button", name="Activate Draft").click()
    dialog = page.get_by_role("dialog", name="Activate Draft")
    expect(dialog).to_be_visible()
    screenshot(page, "experience-activate-confirm")
    dialog.get_by_role("button", name="Activate Draft").click()
    expect(page.get_by_text("Version 1 is now active.")).to_be_visible()
    expect(page.get_by_role("heading", level=1).get_by_text("Active")).to_be_visible()
    expect(page.get_by_role("button", name="Create Draft")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.ACTIVE
    screenshot(page, "experience-configuration-active")


def test_edit_active_experience_through_a_draft_following_the_seed(
    signed_in, project, owner, audiences
):
    experience = make_experience(
        project=project,
        actor=owner,
        name="Home hero",
        activate=True,
        variants=segmented_variants([audiences["US visitors"]], names=["US hero"]),
    )
    page = signed_in(owner)
    open_project(page, project)
    page.get_by_role("row", name=re.compile("Home hero")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Edit").click()

    # Overview → Save General Details works on a live experience too.
    page.get_by_label("Description").fill("The hero banner of the home page")
    page.get_by_role("button", name="Save General Details").click()
    expect(page.get_by_text("General details saved.")).to_be_visible()

    # Configuration → Create Draft → the Edit Version modal → Edit Version.
    page.get_by_role("navigation", name="Experience").get_by_role(
        "link", name="Configuration"
    ).click()
    expect(page.get_by_role("rowheader", name="US hero")).to_be_visible()
    page.get_by_role("button", name="Create Draft").click()
    dialog = page.get_by_role("dialog", name="Edit Version")
    expect(
        dialog.get_by_text(re.compile("A new clone of the current active version"))
    ).to_be_visible()
    screenshot(page, "experience-edit-version-modal")
    dialog.get_by_role("button", name="Edit Version").click()
    expect(
        page.get_by_text(re.compile("Version 2 created as a draft from version 1"))
    ).to_be_visible()
    expect(page.get_by_label("Name of variant 1")).to_have_value("US hero")

    # Edit the existing variant, + Add Variant, Save Draft.
    page.get_by_label("Name of variant 1").fill("US hero, summer")
    page.get_by_role("button", name="Add Variant").click()
    page.get_by_label("Name of variant 2").fill("Mobile hero")
    pick_audience(page, 2, "Mobile shoppers")
    page.get_by_role("button", name="Save Draft").click()
    expect(page.get_by_text("Draft saved (version 2).")).to_be_visible()
    # The live version kept serving unchanged.
    assert list(experience.versions.get(number=1).variants.values_list("name", flat=True)) == [
        "US hero"
    ]

    # The Draft tab shows what changed, and activates.
    page.get_by_role("navigation", name="Experience").get_by_role(
        "link", name=re.compile("Draft")
    ).click()
    changes = page.get_by_role("region", name="Changes from version 1")
    expect(changes.get_by_text('Added variant "Mobile hero" (short UID 1).')).to_be_visible()
    expect(changes.get_by_text('Renamed variant "US hero" to "US hero, summer".')).to_be_visible()
    screenshot(page, "experience-draft-tab")
    page.get_by_role("link", name="Compare side by side").click()
    expect(page.get_by_role("heading", name=re.compile("Version 1"), level=3)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Version 2"), level=3)).to_be_visible()
    screenshot(page, "experience-compare")
    page.get_by_role("link", name="Back to the draft").click()
    page.get_by_role("button", name="Activate Draft").click()
    page.get_by_role("dialog", name="Activate Draft").get_by_role(
        "button", name="Activate Draft"
    ).click()
    expect(page.get_by_text("Version 2 is now active. Version 1 was archived.")).to_be_visible()

    # The old version is archived in the Version History and opens read-only.
    history = page.get_by_role("region", name="Version History")
    expect(
        history.get_by_role("listitem")
        .filter(has_text="Version 1")
        .get_by_text("Archived", exact=True)
    ).to_be_visible()
    expect(
        history.get_by_role("listitem")
        .filter(has_text="Version 2")
        .get_by_text("Active", exact=True)
    ).to_be_visible()
    screenshot(page, "experience-version-history")
    history.get_by_role("link", name="Version 1").click()
    expect(page.get_by_text("Archived versions are read-only")).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    page.get_by_role("button", name="Restore as draft").click()
    expect(page.get_by_text("Version 1 restored as a draft (version 3).")).to_be_visible()
    expect(page.get_by_label("Name of variant 1")).to_have_value("US hero")
    assert list(experience.versions.order_by("number").values_list("status", flat=True)) == [
        VersionStatus.ARCHIVED,
        VersionStatus.ACTIVE,
        VersionStatus.DRAFT,
    ]


def test_pause_and_resume_experience(signed_in, project, owner):
    experience = make_experience(project=project, actor=owner, name="Newsletter box", activate=True)
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/{experience.uid}/configuration/")
    page.get_by_role("button", name="Pause Experience").click()
    dialog = page.get_by_role("dialog", name="Pause Experience")
    expect(dialog.get_by_text(re.compile("visitors see the base entry"))).to_be_visible()
    dialog.get_by_role("button", name="Pause Experience").click()
    expect(page.get_by_text("Experience paused.", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", level=1).get_by_text("Paused")).to_be_visible()
    screenshot(page, "experience-paused")
    assert experience.versions.get().status == VersionStatus.PAUSED

    page.get_by_role("button", name="Resume Experience").click()
    expect(page.get_by_text("Experience resumed.", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", level=1).get_by_text("Active")).to_be_visible()
    assert experience.versions.get().status == VersionStatus.ACTIVE


def test_create_ab_test_with_custom_split_and_metrics(signed_in, project, owner, audiences):
    EventFactory(project=project, key="checkout_completed")
    page = signed_in(owner)
    open_project(page, project)
    expect(page.get_by_text("No experiences yet")).to_be_visible()
    page.get_by_role("button", name="New Experience").first.click()
    dialog = page.get_by_role("dialog", name="Select Experience Type")
    dialog.get_by_role("button", name="Create Experience").click()
    expect(dialog.get_by_text("Please select an experience type")).to_be_visible()
    dialog.get_by_text("A/B Test", exact=True).click()
    dialog.get_by_label("Name").fill("Checkout button")
    dialog.get_by_label("Tags").fill("Checkout, AB")
    dialog.get_by_role("button", name="Create Experience").click()
    expect(page.get_by_text('Experience "Checkout button" created.', exact=False)).to_be_visible()

    page.get_by_role("button", name="Add Variant").click()
    page.get_by_label("Name of variant 1").fill("Blue")
    page.get_by_role("button", name="Add Variant").click()
    page.get_by_label("Name of variant 2").fill("Green")
    expect(page.get_by_text("Each variant gets 50%, 50% of the visitors.")).to_be_visible()
    page.get_by_label("Custom percentages").check()
    page.get_by_label("Traffic of variant 1 in %").fill("70")
    page.get_by_label("Traffic of variant 2 in %").fill("20")
    expect(page.get_by_text("Total: 90% of 100%")).to_be_visible()
    page.get_by_label("Selective").check()
    page.get_by_role("button", name="Add Event").click()
    page.get_by_label("Primary metric", exact=True).select_option(label="checkout_completed")
    page.get_by_role("button", name="Save Draft").click()
    expect(
        page.get_by_text("The traffic percentages must add up to 100; they add up to 90.")
    ).to_be_visible()
    expect(page.get_by_text("Please select at least one audience")).to_be_visible()
    expect(page.get_by_text("Total: 90% of 100%")).to_be_visible()
    screenshot(page, "experience-ab-errors")

    page.get_by_label("Traffic of variant 2 in %").fill("30")
    # The target group's picker opened to show its error.
    page.get_by_role("group", name="Target group audiences").get_by_label("US visitors").check()
    page.get_by_role("button", name="Save Draft").click()
    expect(page.get_by_text("Draft saved (version 1).")).to_be_visible()
    page.get_by_role("button", name="Activate Draft").click()
    page.get_by_role("dialog", name="Activate Draft").get_by_role(
        "button", name="Activate Draft"
    ).click()
    expect(page.get_by_text("Version 1 is now active.", exact=False)).to_be_visible()
    screenshot(page, "experience-ab-active")
    experience = Experience.objects.get(name="Checkout button")
    live = experience.versions.get()
    assert [(v.name, int(v.traffic_percent)) for v in live.variants.all()] == [
        ("Blue", 70),
        ("Green", 30),
    ]
    assert [t.name for t in experience.tags.all()] == ["ab", "checkout"]
    assert live.metrics.get().event.key == "checkout_completed"


def test_activate_invalid_ab_draft_is_refused_next_to_the_variants(signed_in, project, owner):
    experience = make_experience(
        project=project, actor=owner, type="AB_TEST", name="Solo test", variants=[{"name": "Only"}]
    )
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/{experience.uid}/configuration/")
    page.get_by_role("button", name="Activate Draft").click()
    page.get_by_role("dialog", name="Activate Draft").get_by_role(
        "button", name="Activate Draft"
    ).click()
    expect(page.get_by_text("The draft was not activated", exact=False)).to_be_visible()
    expect(page.get_by_text("An A/B test needs at least two variants.")).to_be_visible()
    assert experience.versions.get().status == VersionStatus.DRAFT


def test_reorder_variants_and_discard_draft(signed_in, project, owner, audiences):
    experience = make_experience(
        project=project,
        actor=owner,
        name="Ordering",
        activate=True,
        variants=segmented_variants(
            [audiences["US visitors"]], [audiences["Gold members"]], names=["First", "Second"]
        ),
    )
    services.create_draft(experience=experience, actor=owner)
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/{experience.uid}/draft/")
    page.get_by_role("button", name="Move variant 2 up").click()
    expect(page.get_by_label("Name of variant 1")).to_have_value("Second")
    page.get_by_role("button", name="Remove variant 2").click()
    expect(page.get_by_label("Name of variant 2")).to_have_count(0)
    page.get_by_role("button", name="Save Draft").click()
    expect(page.get_by_text("Draft saved (version 2).")).to_be_visible()
    draft = experience.versions.get(number=2)
    assert [(v.short_uid, v.name) for v in draft.variants.all()] == [("1", "Second")]

    page.get_by_role("button", name="Discard Draft").click()
    page.get_by_role("dialog", name="Discard Draft").get_by_role(
        "button", name="Discard Draft"
    ).click()
    expect(page.get_by_text("Draft discarded (version 2).", exact=False)).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Experience").get_by_role(
            "link", name=re.compile("Draft")
        )
    ).to_have_count(0)
    assert list(experience.versions.values_list("number", flat=True)) == [1]


def test_prioritize_experiences_by_keyboard_and_drag(signed_in, project, owner):
    first = make_experience(project=project, actor=owner, name="Alpha")
    second = make_experience(project=project, actor=owner, name="Bravo")
    third = make_experience(project=project, actor=owner, name="Charlie")
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/")
    page.get_by_role("button", name="Prioritize Experiences").click()
    dialog = page.get_by_role("dialog", name="Prioritize Experiences")
    move_down = dialog.get_by_role("button", name="Move Alpha down")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_text("Alpha is now number 2 of 3.")).to_be_attached()
    expect(move_down).to_be_focused()
    items = dialog.get_by_role("listitem")
    items.filter(has_text="Charlie").locator(".priority-item__handle").drag_to(
        items.filter(has_text="Bravo")
    )
    screenshot(page, "experiences-prioritize")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Priorities saved.")).to_be_visible()
    order = list(Experience.objects.for_project(project).values_list("name", flat=True))
    assert order == ["Charlie", "Bravo", "Alpha"]
    assert [
        e.priority for e in Experience.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    ] == [1, 2, 3]


def test_prioritize_list_loads_when_the_modal_opens(signed_in, project, owner):
    make_experience(project=project, actor=owner, name="Alpha")
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/")
    # Made after the page loaded: only a list fetched on opening can show it.
    make_experience(project=project, actor=owner, name="Latecomer")
    page.get_by_role("button", name="Prioritize Experiences").click()
    dialog = page.get_by_role("dialog", name="Prioritize Experiences")
    expect(dialog.get_by_role("listitem")).to_have_count(2)
    expect(dialog.get_by_role("button", name="Move Alpha up")).to_be_focused()
    dialog.get_by_role("button", name="Move Latecomer up").click()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Priorities saved.")).to_be_visible()
    order = list(Experience.objects.for_project(project).values_list("name", flat=True))
    assert order == ["Latecomer", "Alpha"]
    # The modal's own URL (e.g. a bookmark) opens it on the list page, loaded.
    page.goto(f"/projects/{project.uid}/experiences/prioritize/")
    dialog = page.get_by_role("dialog", name="Prioritize Experiences")
    expect(dialog.get_by_role("listitem").first).to_contain_text("Latecomer")


def test_experience_list_pages_keep_the_search(signed_in, project, owner, settings):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "experiences_per_project": 500}
    for index in range(55):
        make_experience(project=project, actor=owner, name=f"Promo {index:02}")
    make_experience(project=project, actor=owner, name="Unrelated")
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/")
    table = page.locator("#experience-table")
    expect(table.get_by_text("Showing 1–50 of 56 experiences")).to_be_visible()
    page.get_by_role("searchbox", name="Search experiences").fill("promo")
    expect(table.get_by_text("Showing 1–50 of 55 experiences")).to_be_visible()

    nav = table.get_by_role("navigation", name="Pagination")
    nav.get_by_role("link", name="Next page").click()
    expect(table.get_by_text("Showing 51–55 of 55 experiences")).to_be_visible()
    expect(table.get_by_role("link", name="Promo 54")).to_be_visible()
    expect(table.get_by_role("link", name="Promo 00")).to_have_count(0)
    expect(nav.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"\?q=promo&page=2$"))
    screenshot(page, "experiences-page-2")

    nav.get_by_role("link", name="Previous page").click()
    expect(table.get_by_role("link", name="Promo 00")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=promo&page=1$"))
    page.go_back()
    expect(table.get_by_role("link", name="Promo 54")).to_be_visible()
    page.reload()
    expect(table.get_by_text("Showing 51–55 of 55 experiences")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search experiences")).to_have_value("promo")

    # A new search starts again on page 1.
    page.get_by_role("searchbox", name="Search experiences").fill("promo 5")
    expect(table.get_by_text("Showing 1–5 of 5 experiences")).to_be_visible()
    expect(table.get_by_role("navigation", name="Pagination")).to_have_count(0)


def test_search_and_filter_experiences(signed_in, project, owner):
    make_experience(project=project, actor=owner, name="Live hero", activate=True, tags=["home"])
    make_experience(project=project, actor=owner, name="Draft footer", tags=["footer"])
    make_experience(project=project, actor=owner, name="Button test", type="AB_TEST", tags=["home"])
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/")
    table = page.locator("#experience-table")
    page.get_by_label("Status", exact=True).select_option(label="Active")
    expect(table.get_by_role("link", name="Live hero")).to_be_visible()
    expect(table.get_by_role("link", name="Draft footer")).to_have_count(0)
    page.get_by_label("Status", exact=True).select_option(label="All statuses")
    page.get_by_label("Tag", exact=True).select_option("home")
    page.get_by_label("Type", exact=True).select_option(label="A/B Test")
    expect(table.get_by_role("link", name="Button test")).to_be_visible()
    expect(table.get_by_role("link", name="Live hero")).to_have_count(0)
    page.get_by_label("Type", exact=True).select_option(label="All types")
    page.get_by_label("Tag", exact=True).select_option(label="All tags")
    page.get_by_role("searchbox", name="Search experiences").fill("footer")
    expect(table.get_by_role("link", name="Draft footer")).to_be_visible()
    expect(table.get_by_role("link", name="Live hero")).to_have_count(0)
    page.get_by_role("searchbox", name="Search experiences").fill("nothing like this")
    expect(page.get_by_text("No experiences match")).to_be_visible()


def test_delete_experience_from_the_actions_menu(signed_in, project, owner):
    make_experience(project=project, actor=owner, name="Old promo", activate=True)
    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/experiences/")
    page.get_by_role("row", name=re.compile("Old promo")).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete Experience")
    expect(dialog.get_by_text(re.compile("Visitors stop getting its variants"))).to_be_visible()
    dialog.get_by_role("button", name="Delete Experience").click()
    expect(page.get_by_text('Experience "Old promo" deleted.')).to_be_visible()
    assert not Experience.objects.filter(name="Old promo").exists()
