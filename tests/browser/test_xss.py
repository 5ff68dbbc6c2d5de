"""Stored and reflected script payloads never run.

Every user-supplied string (project, member, attribute, event, audience,
experience and variant names and descriptions, rule values, token names,
audience test-panel values, preview inputs, messages) is set to payloads that
would run script if rendered unescaped; then every page is visited. No payload
may run (``window.__xss`` stays undefined, no dialog opens), and the payloads
show as text. The browser fixtures also fail on any console error, so an
injected ``<img src=x>`` (a failed load) or an inline handler refused by the
Content-Security-Policy fails the test too.
"""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from personalize_admin.api import services as api_services
from personalize_admin.audiences import services as audience_services
from personalize_admin.experiences import services as experience_services
from tests.factories import (
    AttributeFactory,
    EventFactory,
    UserFactory,
    ab_variants,
    make_experience,
    make_project,
)

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = '"><script>window.__xss=1</script>'
SVG = "'><svg onload=window.__xss=1>"
JS_URL = "javascript:window.__xss=1"


def payload(label):
    """A payload of every kind, told apart by ``label`` (names must be unique)."""
    return f"{SCRIPT}{IMG} {label}"


def rule(reference, value):
    return {
        "__type": "Rule",
        "attribute": reference,
        "attributeMatchCondition": "STRING_EQUALS",
        "attributeMatchOptions": {"__type": "StringMatchOptions", "value": value},
        "invertCondition": False,
    }


@pytest.fixture
def hostile(db):
    """A project where every free-text field holds a payload."""
    owner = UserFactory(
        username="xss-owner",
        first_name=IMG,
        last_name=SVG,
        is_staff=True,
        is_superuser=True,
    )
    member = UserFactory(username=f"m{SVG}"[:150], first_name=SCRIPT)
    project = make_project(
        owner=owner, members=[member], name=payload("P")[:100], description=payload(JS_URL)
    )
    attribute = AttributeFactory(
        project=project, name=payload("Attr")[:100], key="plan", description=payload("desc")
    )
    event = EventFactory(project=project, key="signup", description=payload("event"))
    audience = audience_services.create_audience(
        project=project,
        name=payload("Aud")[:100],
        description=payload("aud desc"),
        definition={
            "__type": "RuleCombination",
            "combinationType": "OR",
            "rules": [
                rule({"__type": "CustomAttributeReference", "ref": attribute.uid}, payload("v")),
                rule({"__type": "PresetAttributeReference", "ref": "REFERRER"}, JS_URL),
            ],
        },
        actor=owner,
    )
    segmented = make_experience(
        project=project,
        actor=owner,
        name=payload("Seg"),
        variants=[
            {
                "name": payload("Variant"),
                "audiences": [audience.uid],
                "audienceCombinationType": "OR",
            }
        ],
        activate=True,
    )
    experience_services.update_experience(
        experience=segmented, description=payload("exp desc"), tags=["home"], actor=owner
    )
    # Version 1 archived, version 2 live, version 3 a pending draft: history, compare.
    second = experience_services.create_draft(experience=segmented, actor=owner)
    experience_services.activate_version(version=second, actor=owner)
    pending = experience_services.create_draft(experience=segmented, actor=owner)
    experience_services.save_draft(
        version=pending,
        data={
            "variants": [
                {
                    "name": payload("Renamed"),
                    "audiences": [audience.uid],
                    "audienceCombinationType": "OR",
                }
            ]
        },
        actor=owner,
    )
    split = make_experience(
        project=project,
        actor=owner,
        type="AB_TEST",
        name=payload("AB"),
        variants=[{"name": payload("Control")}, {"name": payload("Treatment")}],
        metrics=[{"__type": "Primary", "event": event.uid}],
        activate=True,
    )
    draft = make_experience(
        project=project,
        actor=owner,
        type="AB_TEST",
        name=payload("Draft"),
        variants=ab_variants(payload("A"), payload("B")),
    )
    api_services.create_token(user=owner, name=payload("Token")[:100])
    return {
        "owner": owner,
        "project": project,
        "attribute": attribute,
        "event": event,
        "audience": audience,
        "segmented": segmented,
        "split": split,
        "draft": draft,
    }


def watch_for_xss(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def assert_no_xss(page, dialogs, where):
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__xss") == "undefined", f"a payload ran on {where}"
    assert not dialogs, f"a dialog opened on {where}: {dialogs}"
    # Payload-looking elements never reach the DOM as elements.
    injected = page.evaluate(
        "document.querySelectorAll('img[onerror], svg[onload], script:not([src]), "
        'a[href^="javascript:" i], iframe[src^="javascript:" i]\').length'
    )
    assert injected == 0, f"{where}: {injected} injected elements"


def visit(page, dialogs, url):
    response = page.goto(url)
    assert response.status < 500, f"{url}: {response.status}"
    assert_no_xss(page, dialogs, url)
    return response


def test_payloads_never_run_on_any_page(signed_in, hostile):
    page = signed_in(hostile["owner"])
    dialogs = watch_for_xss(page)
    project = hostile["project"]
    p = project.uid
    seg, split, draft = hostile["segmented"], hostile["split"], hostile["draft"]

    urls = [
        reverse("projects:list"),
        reverse("projects:settings", args=[p]),
        reverse("projects:members", args=[p]),
        reverse("projects:delete", args=[p]),
        reverse("experiences:list", args=[p]),
        reverse("experiences:prioritize", args=[p]),
        reverse("audiences:list", args=[p]),
        reverse("audiences:create", args=[p]),
        reverse("audiences:edit", args=[p, hostile["audience"].uid]),
        reverse("audiences:delete", args=[p, hostile["audience"].uid]),
        reverse("audiences:attributes", args=[p]),
        reverse("audiences:attribute-edit", args=[p, hostile["attribute"].uid]),
        reverse("audiences:attribute-delete", args=[p, hostile["attribute"].uid]),
        reverse("audiences:events", args=[p]),
        reverse("audiences:event-edit", args=[p, hostile["event"].uid]),
        reverse("audiences:event-delete", args=[p, hostile["event"].uid]),
        reverse("tokens:list"),
    ]
    for experience in (seg, split, draft):
        e = experience.uid
        urls += [
            reverse("experiences:detail", args=[p, e]),
            reverse("experiences:configuration", args=[p, e]),
            reverse("analytics:tab", args=[p, e]),
        ]
    urls += [
        reverse("experiences:draft", args=[p, seg.uid]),
        reverse("experiences:compare", args=[p, seg.uid]),
        reverse("experiences:version", args=[p, seg.uid, 1]),
        reverse("experiences:version", args=[p, seg.uid, 2]),
    ]
    # Preview as visitor, every input a payload (reflected in the form and the result).
    preview_inputs = {
        "user_uid": payload("uid")[:128],
        "page_url": JS_URL + "/" + IMG,
        "referrer": JS_URL,
        "user_agent": payload("ua"),
        "region": payload("region")[:100],
        "city": payload("city")[:100],
        f"attr_{hostile['attribute'].uid}": payload("value"),
    }
    urls.append(reverse("preview:page", args=[p]) + "?" + urlencode(preview_inputs))
    # The admin: every registered model's list, and a change page of each kind we made.
    urls.append(reverse("admin:index"))
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    for obj in (project, hostile["audience"], seg, hostile["attribute"], hostile["event"]):
        meta = obj._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))

    for url in urls:
        visit(page, dialogs, url)

    # The payloads show as text.
    visit(page, dialogs, reverse("experiences:list", args=[p]))
    expect(page.get_by_text(payload("Seg"), exact=False).first).to_be_visible()
    # The Prioritize modal's list, fetched when it opens, shows them as text too.
    page.get_by_role("button", name="Prioritize Experiences").click()
    prioritize = page.get_by_role("dialog", name="Prioritize Experiences")
    expect(prioritize.get_by_text(payload("Seg"), exact=False).first).to_be_visible()
    page.keyboard.press("Escape")
    visit(page, dialogs, reverse("audiences:list", args=[p]))
    expect(page.get_by_text(payload("Aud"), exact=False).first).to_be_visible()
    visit(page, dialogs, reverse("preview:page", args=[p]) + "?" + urlencode(preview_inputs))
    expect(page.get_by_label("User UID")).to_have_value(preview_inputs["user_uid"])


def test_payloads_typed_into_forms_never_run(signed_in, hostile):
    """Reflected through htmx swaps: the audience test panel, an editor's error
    message and a flash message."""
    page = signed_in(hostile["owner"])
    dialogs = watch_for_xss(page)
    project = hostile["project"]

    # The audience editor's test panel echoes the values it was given.
    visit(page, dialogs, reverse("audiences:edit", args=[project.uid, hostile["audience"].uid]))
    panel = page.locator("#test-panel")
    fields = panel.locator("input[type=text]")
    for index in range(fields.count()):
        fields.nth(index).fill(payload(f"test {index}"))
    panel.get_by_role("button", name="Test").click()
    expect(page.locator("#test-result")).not_to_be_empty()
    assert_no_xss(page, dialogs, "the audience test panel")

    # Renaming the project: the flash message repeats the name.
    visit(page, dialogs, reverse("projects:settings", args=[project.uid]))
    page.get_by_label("Name").fill(payload("Renamed")[:100])
    page.get_by_label("Description").fill(SVG)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_label("Name")).to_have_value(payload("Renamed")[:100])
    assert_no_xss(page, dialogs, "the project settings after saving")

    # A new attribute whose key is a payload: the error message names it.
    visit(page, dialogs, reverse("audiences:attributes", args=[project.uid]))
    page.get_by_role("button", name="New Attribute").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(payload("New attr")[:100])
    dialog.get_by_label("Key").fill(IMG)
    dialog.get_by_role("button", name="Create").click()
    page.wait_for_load_state("networkidle")
    assert_no_xss(page, dialogs, "the attribute form's errors")
