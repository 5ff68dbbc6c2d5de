"""Audiences, attributes and events pages through the test client."""

import pytest
from django.urls import reverse

from personalize_admin.audiences.models import Attribute, Audience, Event
from tests.audiences.rules_helpers import all_of, custom, preset, rule
from tests.audiences.usage import version_measuring, version_using
from tests.factories import AttributeFactory, AudienceFactory, EventFactory, make_project
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, project, *args):
    return reverse(f"audiences:{name}", args=[project.uid, *args])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def editor_data(**extra):
    return {
        "name": "US visitors",
        "description": "",
        "n-kind": "group",
        "n-combination": "AND",
        "n_0-kind": "rule",
        "n_0-attribute": "preset:COUNTRY",
        "n_0-condition": "STRING_EQUALS",
        "n_0-value": "US",
        **extra,
    }


# ---------- list ----------


def test_audience_list_shows_columns_and_actions(member_client, project):
    audience = AudienceFactory(project=project, name="US visitors", description="From the US")
    content = member_client.get(url("list", project)).content.decode()
    for text in (
        "Name",
        "Description",
        "Unique ID",
        "Modified At",
        "Created At",
        "US visitors",
        "From the US",
        audience.uid,
        "New Audience",
        url("delete", project, audience.uid),
    ):
        assert text in content


def test_audience_list_hides_deleted_and_other_projects(member_client, project, owner):
    AudienceFactory(project=project, name="Gone", deleted_at="2026-01-01T00:00:00Z")
    AudienceFactory(project=make_project(owner=owner), name="Elsewhere")
    assert list(member_client.get(url("list", project)).context["audiences"]) == []


def test_audience_search_via_htmx_renders_only_the_table(member_client, project):
    AudienceFactory(project=project, name="US visitors")
    AudienceFactory(project=project, name="Mobile shoppers")
    response = member_client.get(url("list", project), {"q": "mobile"}, **HTMX)
    assert b"<html" not in response.content
    assert b"Mobile shoppers" in response.content and b"US visitors" not in response.content


def test_audience_list_query_count_is_constant(member_client, project):
    assert_constant_queries(
        member_client,
        url("list", project),
        lambda n: AudienceFactory.create_batch(n, project=project),
    )


def test_audience_list_paginates_and_keeps_the_search(member_client, project):
    for index in range(55):
        AudienceFactory(project=project, name=f"Shoppers {index:02}")
    AudienceFactory(project=project, name="Zebra fans")
    first = member_client.get(url("list", project)).content.decode()
    assert first.count("data-href=") == 50
    assert "Showing 1–50 of 56 audiences" in first and "Zebra fans" not in first

    second = member_client.get(url("list", project), {"q": "shop", "page": "2"}, **HTMX)
    content = second.content.decode()
    assert "<html" not in content and 'id="audience-table"' in content
    assert "Showing 51–55 of 55 audiences" in content
    assert "Shoppers 54" in content and "Zebra fans" not in content
    assert f'href="{url("list", project)}?q=shop&amp;page=1"' in content


@pytest.mark.parametrize("page", ["9999", "x", "-5", "2.5"])
def test_audience_list_bad_page_answers_200(member_client, project, page):
    AudienceFactory.create_batch(3, project=project)
    response = member_client.get(url("list", project), {"page": page})
    assert response.status_code == 200
    assert response.content.decode().count("data-href=") == 3


def test_audience_list_query_count_is_constant_up_to_120_rows(member_client, project):
    assert_constant_queries(
        member_client,
        url("list", project) + "?page=2",
        lambda n: AudienceFactory.create_batch(n, project=project),
        sizes=(1, 120),
    )


@pytest.mark.parametrize("name", ["attributes", "events"])
def test_attribute_and_event_pages_paginate(member_client, project, name):
    factory = AttributeFactory if name == "attributes" else EventFactory
    factory.create_batch(53, project=project)
    first = member_client.get(url(name, project)).content.decode()
    assert 'aria-label="Pagination"' in first
    assert f'href="{url(name, project)}?page=2"' in first
    second = member_client.get(url(name, project), {"page": "2"}).content.decode()
    assert "Showing 51–53 of 53" in second
    assert member_client.get(url(name, project), {"page": "zz"}).status_code == 200


def test_attribute_edit_modal_paginates_the_list_under_it(member_client, project):
    attributes = AttributeFactory.create_batch(51, project=project)
    edit = url("attribute-edit", project, attributes[0].uid)
    content = member_client.get(edit).content.decode()
    # The list under the modal links its pages at the list's URL, not the modal's.
    assert f'href="{url("attributes", project)}?page=2"' in content
    assert f'href="{edit}?page=2"' not in content


# ---------- editor ----------


def test_new_audience_editor_starts_with_one_empty_rule(member_client, project):
    response = member_client.get(url("create", project))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Select Attribute" in content and 'name="n_0-kind" value="rule"' in content
    assert "Test this audience" in content


def test_builder_action_keeps_unsaved_input_and_swaps_only_the_builder(member_client, project):
    data = editor_data(**{"n_0-value": "Canada?", "name": "Draft name", "_action": "add-group:n"})
    response = member_client.post(url("create", project), data, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="rules-builder"' in content and 'id="audience-form"' not in content
    assert 'value="Canada?"' in content
    assert 'aria-label="Rule 2.1"' in content
    assert (
        'id="test-panel" class="sidebar-card test-panel" aria-labelledby="test-title" hx-swap-oob="true"'
        in content
    )
    assert not Audience.objects.exists()


def test_changing_attribute_offers_only_fitting_operators(member_client, project):
    data = editor_data(**{"n_0-attribute": "preset:DATE_AND_TIME", "_action": "refresh"})
    content = member_client.post(url("create", project), data, **HTMX).content.decode()
    assert 'value="BEFORE_TIME" selected' in content
    assert "STRING_EQUALS" not in content
    assert 'type="datetime-local"' in content


def test_save_new_audience_redirects_to_it_with_a_message(member_client, project, member):
    response = member_client.post(url("create", project), editor_data(), follow=True)
    audience = Audience.objects.get()
    assert response.redirect_chain[-1][0] == audience.get_absolute_url()
    assert "Audience “US visitors” saved." in messages_of(response)
    assert audience.definition["rules"][0]["attributeMatchOptions"]["value"] == "US"
    assert audience.created_by == member


def test_save_invalid_shows_errors_next_to_fields_and_saves_nothing(member_client, project):
    data = editor_data(**{"name": "", "n_0-value": "", "n_1-kind": "rule"})
    response = member_client.post(url("create", project), data, **HTMX)
    content = response.content.decode()
    assert response.status_code == 422
    assert "Please enter an audience name." in content
    assert '<ul class="field__errors" id="n_0-value-errors"><li>Enter a value.</li></ul>' in content
    assert (
        '<ul class="field__errors" id="n_1-attribute-errors"><li>Select an attribute.</li></ul>'
        in content
    )
    assert not Audience.objects.exists()


def test_save_with_only_rule_problems_says_so_at_the_top(member_client, project):
    response = member_client.post(
        url("create", project), editor_data(**{"n_0-value": "  "}), **HTMX
    )
    assert response.status_code == 422
    assert b"Some rules need your attention" in response.content


def test_save_number_that_is_not_a_number_is_refused_at_the_field(member_client, project):
    age = AttributeFactory(project=project, type="NUMBER")
    data = editor_data(
        **{
            "n_0-attribute": f"custom:{age.uid}",
            "n_0-condition": "NUMBER_GREATER_THAN",
            "n_0-value": "thirty",
        }
    )
    content = member_client.post(url("create", project), data, **HTMX).content.decode()
    assert (
        '<ul class="field__errors" id="n_0-value-errors"><li>Enter a number.</li></ul>' in content
    )
    assert 'value="thirty"' in content


def test_save_duplicate_name_is_shown_on_the_name(member_client, project):
    AudienceFactory(project=project, name="US visitors")
    response = member_client.post(url("create", project), editor_data(), **HTMX)
    assert response.status_code == 409
    assert "An audience named “US visitors” already exists." in response.content.decode()


def test_save_stale_revision_is_refused(member_client, project):
    audience = AudienceFactory(project=project, name="US visitors")
    edit = url("edit", project, audience.uid)
    member_client.post(edit, editor_data(name="Mine", revision=1))
    response = member_client.post(edit, editor_data(name="Theirs", revision=1), **HTMX)
    assert response.status_code == 409
    assert b"after you opened it" in response.content
    audience.refresh_from_db()
    assert audience.name == "Mine"


def test_malformed_rules_form_is_a_bad_request(member_client, project):
    response = member_client.post(url("create", project), {"name": "X", "n_0-kind": "rule"})
    assert response.status_code == 400
    assert not Audience.objects.exists()


def test_editor_of_another_project_or_deleted_audience_is_404(member_client, project, owner):
    foreign = AudienceFactory(project=make_project(owner=owner))
    deleted = AudienceFactory(project=project, deleted_at="2026-01-01T00:00:00Z")
    assert (
        member_client.get(reverse("audiences:edit", args=[project.uid, foreign.uid])).status_code
        == 404
    )
    assert member_client.get(url("edit", project, deleted.uid)).status_code == 404


def test_editor_warns_about_experiences_using_it_before_and_after_saving(member_client, project):
    audience = AudienceFactory(project=project, name="US visitors")
    hero = version_using(audience, status="ACTIVE", name="Homepage hero").experience
    version_using(audience, status="DRAFT", via="targeting", name="Checkout test")
    edit = url("edit", project, audience.uid)
    content = member_client.get(edit).content.decode()
    assert "This audience is used by 2 experiences." in content
    assert f'href="{hero.get_absolute_url()}">Homepage hero</a>' in content
    assert "Checkout test" in content
    assert '<span class="tag tag--success">Active</span>' in content and ">Draft</span>" in content

    response = member_client.post(
        edit, editor_data(name="US only", revision=audience.revision), follow=True
    )
    assert "Audience “US only” saved." in messages_of(response)
    assert any(
        "used by “Homepage hero”, “Checkout test”" in message for message in messages_of(response)
    )
    assert "This audience is used by 2 experiences." in response.content.decode()


def test_test_panel_shows_match_and_deciding_rule(member_client, project):
    tier = AttributeFactory(project=project, name="Tier", key="tier")
    data = editor_data(
        **{
            "n_1-kind": "rule",
            "n_1-attribute": f"custom:{tier.uid}",
            "n_1-condition": "STRING_EQUALS",
            "n_1-value": "gold",
            "_action": "test",
            "sample-preset-COUNTRY": "us",
            f"sample-custom-{tier.uid}": "silver",
        }
    )
    content = member_client.post(url("create", project), data, **HTMX).content.decode()
    assert "No match: this visitor is not in the audience." in content
    assert "Decided by Rule 2." in content
    assert "Tier (tier) equals “gold”" in content and "(visitor: “silver”)" in content

    data[f"sample-custom-{tier.uid}"] = "GOLD"
    content = member_client.post(url("create", project), data, **HTMX).content.decode()
    assert "Matches: this visitor is in the audience." in content
    assert "Decided by Rule 1 and Rule 2." in content


def test_test_panel_treats_empty_samples_as_missing(member_client, project):
    data = editor_data(**{"n_0-invert": "1", "_action": "test"})
    content = member_client.post(url("create", project), data, **HTMX).content.decode()
    assert "Matches" in content and "(visitor: missing)" in content


def test_test_panel_with_broken_rules_asks_to_fix_them(member_client, project):
    content = member_client.post(
        url("create", project), editor_data(**{"n_0-value": "", "_action": "test"}), **HTMX
    ).content.decode()
    assert "Fix the highlighted rules to test them." in content
    assert "Enter a value." in content


# ---------- delete ----------


def test_delete_confirmation_lists_experiences_that_use_it(member_client, project):
    audience = AudienceFactory(project=project, name="US visitors")
    version_using(audience, status="PAUSED", name="Homepage hero")
    content = member_client.get(url("delete", project, audience.uid), **HTMX).content.decode()
    assert "cannot be deleted while these experiences use it" in content
    assert "Homepage hero" in content and "Paused" in content
    assert "Delete Audience</button>" not in content


def test_delete_in_use_is_refused_with_the_list(member_client, project):
    audience = AudienceFactory(project=project, name="US visitors")
    version_using(audience, status="ACTIVE", name="Homepage hero")
    response = member_client.post(url("delete", project, audience.uid), **HTMX)
    assert response.status_code == 409
    assert "Homepage hero" in response.content.decode()
    audience.refresh_from_db()
    assert audience.deleted_at is None


def test_delete_unused_audience_redirects_with_a_message(member_client, project):
    audience = AudienceFactory(project=project, name="US visitors")
    response = member_client.post(url("delete", project, audience.uid), follow=True)
    assert "Audience “US visitors” deleted." in messages_of(response)
    audience.refresh_from_db()
    assert audience.deleted_at is not None


# ---------- attributes and events ----------


def test_attributes_page_lists_presets_and_custom_attributes(member_client, project):
    AttributeFactory(project=project, name="Membership tier", key="membership_tier")
    content = member_client.get(url("attributes", project)).content.decode()
    for text in (
        "Preset attributes",
        "Custom attributes",
        "Membership tier",
        "membership_tier",
        "DEVICE_TYPE",
        "Mobile, Tablet or Desktop",
        "New Attribute",
    ):
        assert text in content


@pytest.mark.parametrize("name", ["attributes", "events"])
def test_attribute_and_event_pages_query_count_is_constant(member_client, project, name):
    factory = AttributeFactory if name == "attributes" else EventFactory
    assert_constant_queries(
        member_client, url(name, project), lambda n: factory.create_batch(n, project=project)
    )


def test_create_attribute_in_the_modal(member_client, project):
    data = {"name": "Age", "key": "age", "type": "NUMBER", "description": ""}
    response = member_client.post(url("attribute-create", project), data, follow=True)
    assert "Attribute “Age” created." in messages_of(response)
    assert Attribute.objects.get().type == "NUMBER"


def test_create_attribute_errors_stay_in_the_open_modal(member_client, project):
    AttributeFactory(project=project, key="age")
    response = member_client.post(
        url("attribute-create", project), {"name": "Age", "key": "age", "type": "NUMBER"}, **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 422
    assert "already exists" in content and 'data-open-on-load="new-item"' in content
    assert 'aria-invalid="true"' in content


def test_edit_attribute_loads_a_filled_dialog_and_saves(member_client, project):
    attribute = AttributeFactory(project=project, name="Tier", key="tier")
    dialog = member_client.get(
        url("attribute-edit", project, attribute.uid), **HTMX
    ).content.decode()
    assert (
        'data-open-on-load="edit-item"' in dialog
        and 'value="tier"' in dialog
        and "<html" not in dialog
    )
    response = member_client.post(
        url("attribute-edit", project, attribute.uid),
        {"name": "Tier", "key": "plan", "type": "STRING", "revision": 1},
        follow=True,
    )
    assert "Attribute “Tier” saved." in messages_of(response)
    attribute.refresh_from_db()
    assert attribute.key == "plan"


def test_delete_attribute_used_by_audience_lists_them(member_client, project):
    attribute = AttributeFactory(project=project, name="Tier")
    AudienceFactory(
        project=project,
        name="Gold members",
        definition=all_of(rule(custom(attribute.uid), "HAS_ANY_VALUE")),
    )
    content = member_client.get(
        url("attribute-delete", project, attribute.uid), **HTMX
    ).content.decode()
    assert "cannot be deleted while these audiences use it" in content and "Gold members" in content
    response = member_client.post(url("attribute-delete", project, attribute.uid), **HTMX)
    assert response.status_code == 409
    assert Attribute.objects.filter(pk=attribute.pk).exists()


def test_events_create_edit_delete(member_client, project):
    response = member_client.post(
        url("event-create", project), {"key": "add_to_cart", "description": "Cart"}, follow=True
    )
    assert "Event “add_to_cart” created." in messages_of(response)
    event = Event.objects.get()
    member_client.post(
        url("event-edit", project, event.uid), {"key": "cart_add", "description": "", "revision": 1}
    )
    event.refresh_from_db()
    assert event.key == "cart_add"
    response = member_client.post(url("event-delete", project, event.uid), follow=True)
    assert "Event “cart_add” deleted." in messages_of(response)
    assert not Event.objects.for_project(project).exists()


def test_delete_event_in_a_live_metric_is_refused(member_client, project):
    event = EventFactory(project=project, key="checkout")
    version_measuring(event, status="ACTIVE", name="Checkout test")
    content = member_client.get(url("event-delete", project, event.uid), **HTMX).content.decode()
    assert "Checkout test" in content and "Version 1" in content
    assert member_client.post(url("event-delete", project, event.uid), **HTMX).status_code == 409


def test_new_attribute_url_without_htmx_opens_the_modal_on_the_list(member_client, project):
    response = member_client.get(url("attribute-create", project))
    assert response.status_code == 303 and response["Location"].endswith("/attributes/#new-item")


def test_preset_rule_uses_the_preset_namespace(member_client, project):
    # A custom attribute whose key looks like a preset's ref stays custom.
    shadow = AttributeFactory(project=project, name="Fake country", key="COUNTRY")
    data = editor_data(
        **{
            "n_0-attribute": f"custom:{shadow.uid}",
            "_action": "test",
            f"sample-custom-{shadow.uid}": "US",
        }
    )
    content = member_client.post(url("create", project), data, **HTMX).content.decode()
    assert "Matches" in content
    data = editor_data(**{"_action": "test", f"sample-custom-{shadow.uid}": "US"})
    assert "No match" in member_client.post(url("create", project), data, **HTMX).content.decode()
    assert preset("COUNTRY")["ref"] == "COUNTRY"
