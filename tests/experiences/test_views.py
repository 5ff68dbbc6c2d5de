import pytest
from django.urls import reverse

from personalize_admin.core.models import AuditEntry
from personalize_admin.experiences import services
from personalize_admin.experiences.models import Experience, Version, VersionStatus
from tests.factories import (
    AudienceFactory,
    EventFactory,
    make_experience,
    make_project,
    segmented_variants,
)
from tests.helpers.queries import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, experience, **kwargs):
    return reverse(
        f"experiences:{name}",
        kwargs={"project_uid": experience.project.uid, "experience_uid": experience.uid, **kwargs},
    )


def list_url(project):
    return reverse("experiences:list", args=[project.uid])


@pytest.fixture
def audience(project):
    return AudienceFactory(project=project, name="US visitors")


@pytest.fixture
def draft_experience(project, owner, audience):
    return make_experience(
        project=project,
        actor=owner,
        name="Home hero",
        variants=segmented_variants([audience], names=["US hero"]),
    )


def editor_post(revision, *rows, action="save", **extra):
    data = {
        "revision": revision,
        "action": action,
        "variant": [str(i) for i in range(len(rows))],
        **extra,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"variants-{index}-{key}"] = value
    return data


# ---------- query counts ----------


def test_experience_list_query_count_is_constant_up_to_200_rows(
    owner_client, project, owner, settings
):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "experiences_per_project": 500}
    audiences = [AudienceFactory(project=project) for _ in range(3)]
    made = []

    def add_rows(count):
        for _ in range(count):
            index = len(made)
            experience = make_experience(
                project=project,
                actor=owner,
                tags=[f"tag{index % 5}"],
                activate=index % 2 == 0,
                variants=segmented_variants(audiences[:2], audiences[1:]),
            )
            if index % 4 == 0:
                services.create_draft(experience=experience, actor=owner)
            made.append(experience)

    assert_constant_queries(owner_client, list_url(project), add_rows, sizes=(1, 200))
    response = owner_client.get(list_url(project))
    content = response.content.decode()
    assert content.count("data-href=") == 50
    assert "Showing 1–50 of 200 experiences" in content
    # The last page and the modal's list (every experience) cost the same as one row.
    last = count_queries(owner_client, list_url(project) + "?page=4")[0]
    assert last == count_queries(owner_client, list_url(project))[0]
    prioritize = reverse("experiences:prioritize-list", args=[project.uid])
    many = count_queries(owner_client, prioritize)[0]
    assert owner_client.get(prioritize).content.decode().count("data-priority-item") == 200
    Experience.objects.filter(pk__in=[e.pk for e in made[1:]]).delete()
    assert count_queries(owner_client, prioritize)[0] == many


# ---------- pagination ----------


def test_experience_list_paginates_and_keeps_the_filters(owner_client, project, owner, settings):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "experiences_per_project": 500}
    for index in range(60):
        make_experience(project=project, actor=owner, name=f"Promo {index:02}", tags=["sale"])
    make_experience(project=project, actor=owner, name="Unrelated")
    url = list_url(project)

    first = owner_client.get(url).content.decode()
    assert "Promo 00" in first and "Promo 50" not in first
    assert 'aria-label="Pagination"' in first
    assert 'aria-current="page" aria-label="Page 1"' in first

    second = owner_client.get(url, {"q": "promo", "tag": "sale", "page": "2"}).content.decode()
    assert "Showing 51–60 of 60 experiences" in second
    assert "Promo 50" in second and "Promo 59" in second and "Promo 49" not in second
    assert "Unrelated" not in second
    # Previous keeps the search and the filter.
    assert f'href="{url}?q=promo&amp;tag=sale&amp;page=1"' in second
    assert 'aria-current="page" aria-label="Page 2"' in second

    fragment = owner_client.get(url, {"q": "promo", "page": "2"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="experience-table">')
    assert "Promo 55" in body and 'aria-label="Pagination"' in body


@pytest.mark.parametrize(
    "page, shown",
    [
        ("999", "Promo 59"),
        ("abc", "Promo 00"),
        ("-1", "Promo 59"),
        ("", "Promo 00"),
        ("0", "Promo 59"),
    ],
)
def test_experience_list_bad_page_shows_the_first_or_last_page(
    owner_client, project, owner, settings, page, shown
):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "experiences_per_project": 500}
    for index in range(60):
        make_experience(project=project, actor=owner, name=f"Promo {index:02}")
    response = owner_client.get(list_url(project), {"page": page})
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_experience_list_without_rows_has_no_pagination(owner_client, project):
    content = owner_client.get(list_url(project), {"page": "3"}).content.decode()
    assert "No experiences yet" in content
    assert 'aria-label="Pagination"' not in content


def test_experience_list_no_longer_renders_the_priority_list(owner_client, project, owner):
    make_experience(project=project, actor=owner, name="Alpha")
    content = owner_client.get(list_url(project)).content.decode()
    assert "data-priority-item" not in content
    assert reverse("experiences:prioritize-list", args=[project.uid]) in content


def test_prioritize_list_returns_the_modal_body_in_priority_order(owner_client, project, owner):
    make_experience(project=project, actor=owner, name="Alpha", activate=True)
    make_experience(project=project, actor=owner, name="Bravo")
    response = owner_client.get(
        reverse("experiences:prioritize-list", args=[project.uid]), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and "data-prioritize" in content
    assert content.index("Alpha") < content.index("Bravo")
    assert content.count('name="order"') == 2
    assert "csrfmiddlewaretoken" in content


def test_experience_page_query_count_is_constant_up_to_20_versions(
    owner_client, project, owner, audience
):
    experience = make_experience(
        project=project,
        actor=owner,
        activate=True,
        variants=segmented_variants([audience], [audience]),
    )
    AudienceFactory.create_batch(5, project=project)

    def add_versions(count):
        for _ in range(count):
            draft = services.create_draft(experience=experience, actor=owner)
            services.activate_version(version=draft, actor=owner)

    for name in ("detail", "configuration"):
        assert_constant_queries(owner_client, url(name, experience), add_versions, sizes=(1, 20))
        add_versions(1)
    services.create_draft(experience=experience, actor=owner)

    def add_archived(count):
        # Archived versions straight in the database: the pages read them the same way.
        for _ in range(count):
            number = experience.versions.order_by("-number").first().number + 1
            Version.objects.create(
                experience=experience, number=number, status=VersionStatus.ARCHIVED
            )

    for name in ("draft", "compare"):
        assert_constant_queries(owner_client, url(name, experience), add_archived, sizes=(1, 20))
    assert experience.versions.count() > 40


# ---------- the list ----------


def test_experience_list_filters_by_status_type_and_tag(owner_client, project, owner):
    make_experience(project=project, actor=owner, name="Live one", activate=True, tags=["home"])
    paused = make_experience(project=project, actor=owner, name="Paused one", activate=True)
    services.pause_version(version=paused.versions.get(), actor=owner)
    make_experience(project=project, actor=owner, name="Draft one", type="AB_TEST", tags=["home"])

    def names(**query):
        response = owner_client.get(list_url(project), query)
        return [e.name for e in response.context["experiences"]]

    assert names() == ["Live one", "Paused one", "Draft one"]
    assert names(status="ACTIVE") == ["Live one"]
    assert names(status="PAUSED") == ["Paused one"]
    assert names(status="DRAFT") == ["Draft one"]
    assert names(type="AB_TEST") == ["Draft one"]
    assert names(tag="HOME") == ["Live one", "Draft one"]
    assert names(q="paused") == ["Paused one"]
    assert names(q=paused.short_uid) == ["Paused one"]
    assert names(status="bogus", type="bogus") == ["Live one", "Paused one", "Draft one"]


def test_experience_list_htmx_search_renders_only_the_table(owner_client, project, owner):
    make_experience(project=project, actor=owner, name="Findable")
    response = owner_client.get(list_url(project), {"q": "find"}, **HTMX)
    body = response.content.decode()
    assert 'id="experience-table"' in body and "Findable" in body
    assert "Select Experience Type" not in body


def test_experience_list_shows_other_projects_experiences_never(owner_client, project, owner):
    make_experience(project=make_project(owner=owner), actor=owner, name="Elsewhere")
    assert "Elsewhere" not in owner_client.get(list_url(project)).content.decode()


def test_create_experience_invalid_rerenders_the_modal_with_errors(owner_client, project):
    response = owner_client.post(
        reverse("experiences:create", args=[project.uid]), {"name": "", "tags": "a b"}, **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Please select an experience type" in body
    assert "Please enter an experience name" in body
    assert 'data-open-on-load="new-experience"' in body
    assert not Experience.objects.exists()


def test_create_experience_duplicate_name_is_shown_on_the_name(owner_client, project, owner):
    make_experience(project=project, actor=owner, name="Taken")
    response = owner_client.post(
        reverse("experiences:create", args=[project.uid]), {"name": "taken", "type": "SEGMENTED"}
    )
    assert response.status_code == 422
    assert "already exists in this project" in response.content.decode()


def test_create_experience_redirects_to_its_configuration(owner_client, project):
    response = owner_client.post(
        reverse("experiences:create", args=[project.uid]),
        {"name": "New one", "type": "AB_TEST", "tags": "Summer"},
    )
    experience = Experience.objects.get()
    assert response.status_code == 303
    assert response["Location"] == url("configuration", experience)


def test_prioritize_with_a_stale_list_changes_nothing(owner_client, project, owner):
    first = make_experience(project=project, actor=owner)
    second = make_experience(project=project, actor=owner)
    response = owner_client.post(
        reverse("experiences:prioritize", args=[project.uid]), {"order": [second.uid]}, follow=True
    )
    assert "must list every experience" in response.content.decode()
    first.refresh_from_db()
    assert first.priority == 1


# ---------- Overview ----------


def test_overview_save_with_stale_revision_keeps_the_other_change(
    owner_client, project, owner, member
):
    experience = make_experience(project=project, actor=owner, name="Original")
    services.update_experience(experience=experience, name="Changed by Marcus", actor=member)
    response = owner_client.post(
        url("detail", experience),
        {"name": "Mine", "description": "", "tags": "", "revision": 1},
        **HTMX,
    )
    assert response.status_code == 422
    assert "was changed by marcus" in response.content.decode()
    experience.refresh_from_db()
    assert experience.name == "Changed by Marcus"


def test_overview_shows_other_projects_experience_as_404(owner_client, owner):
    elsewhere = make_experience(project=make_project(owner=owner), actor=owner)
    project = make_project(owner=owner)
    response = owner_client.get(
        reverse(
            "experiences:detail",
            kwargs={"project_uid": project.uid, "experience_uid": elsewhere.uid},
        )
    )
    assert response.status_code == 404


# ---------- Configuration ----------


def test_configuration_save_shows_errors_next_to_fields_and_saves_nothing(
    owner_client, draft_experience
):
    data = editor_post(2, {"short_uid": "0", "name": "", "combination": "AND"})
    response = owner_client.post(url("configuration", draft_experience), data, **HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="variant-0-name-errors"' in body and "Please enter a variant name" in body
    assert (
        'id="variant-0-audiences-errors"' in body and "Please select at least one audience" in body
    )
    assert list(draft_experience.versions.get().variants.values_list("name", flat=True)) == [
        "US hero"
    ]


def test_configuration_stale_save_is_refused_with_a_clear_message(
    owner_client, draft_experience, audience, member
):
    draft = draft_experience.versions.get()
    services.save_draft(
        version=draft,
        data={"variants": segmented_variants([audience], names=["Marcus"])},
        actor=member,
    )
    data = editor_post(2, {"short_uid": "0", "name": "Olivia", "audiences": [audience.uid]})
    response = owner_client.post(url("configuration", draft_experience), data, **HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Version 1 was changed by marcus" in body
    assert 'value="Olivia"' in body  # the refused edit stays on screen to redo
    assert list(draft.variants.values_list("name", flat=True)) == ["Marcus"]


def test_configuration_add_move_and_remove_rows_keep_unsaved_edits(
    owner_client, draft_experience, audience
):
    rows = [{"short_uid": "0", "name": "Edited", "audiences": [audience.uid]}]
    response = owner_client.post(
        url("configuration", draft_experience), editor_post(2, *rows, action="add_variant"), **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Edited"' in body and 'aria-label="Name of variant 2"' in body
    rows.append({"name": "Second"})
    body = owner_client.post(
        url("configuration", draft_experience), editor_post(2, *rows, action="up:1"), **HTMX
    ).content.decode()
    assert body.index('value="Second"') < body.index('value="Edited"')
    body = owner_client.post(
        url("configuration", draft_experience),
        editor_post(2, *rows, action="remove_variant:0"),
        **HTMX,
    ).content.decode()
    assert 'value="Edited"' not in body and 'value="Second"' in body
    assert list(draft_experience.versions.get().variants.values_list("name", flat=True)) == [
        "US hero"
    ]


def test_configuration_unknown_action_changes_nothing(owner_client, draft_experience):
    response = owner_client.post(
        url("configuration", draft_experience), editor_post(2, action="explode:1")
    )
    assert response.status_code == 200
    assert "That action is not available here." in response.content.decode()


def test_configuration_activate_saves_and_activates(
    owner_client, draft_experience, audience, project
):
    before = project.live_config_revision
    data = editor_post(
        2, {"short_uid": "0", "name": "US hero v2", "audiences": [audience.uid]}, action="activate"
    )
    response = owner_client.post(url("configuration", draft_experience), data)
    assert response.status_code == 303
    version = draft_experience.versions.get()
    assert version.status == VersionStatus.ACTIVE
    assert list(version.variants.values_list("name", flat=True)) == ["US hero v2"]
    project.refresh_from_db()
    assert project.live_config_revision == before + 1


def test_configuration_activate_invalid_draft_is_refused_and_saves_nothing(
    owner_client, project, owner
):
    experience = make_experience(project=project, actor=owner)
    response = owner_client.post(
        url("configuration", experience), editor_post(1, action="activate"), **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "The draft was not activated" in body and "Add at least one variant." in body
    assert experience.versions.get().status == VersionStatus.DRAFT


def test_configuration_ab_test_builds_the_api_shape(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, type="AB_TEST")
    event = EventFactory(project=project)
    audience = AudienceFactory(project=project)
    data = editor_post(
        1,
        {"name": "A", "traffic": "25"},
        {"name": "B", "traffic": "75"},
        distribution_type="CUSTOM",
        target_group="SELECTIVE",
        targeting_audiences=[audience.uid],
        targeting_combination="OR",
        metric=[event.uid],
    )
    response = owner_client.post(url("configuration", experience), data)
    assert response.status_code == 303
    version = experience.versions.get()
    assert [(v.name, int(v.traffic_percent)) for v in version.variants.all()] == [
        ("A", 25),
        ("B", 75),
    ]
    assert (version.distribution_type, version.target_group, version.targeting_combination) == (
        "CUSTOM",
        "SELECTIVE",
        "OR",
    )
    assert version.metrics.get().event == event


def test_configuration_of_live_experience_is_read_only_with_create_draft(
    owner_client, project, owner
):
    experience = make_experience(project=project, actor=owner, activate=True)
    body = owner_client.get(url("configuration", experience)).content.decode()
    assert "Create Draft" in body and "Pause Experience" in body
    assert "Save Draft" not in body and 'name="variant"' not in body


def test_configuration_post_without_a_draft_says_so(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, activate=True)
    response = owner_client.post(url("configuration", experience), editor_post(1), follow=True)
    assert "has no draft any more" in response.content.decode()


def test_draft_tab_redirects_when_there_is_no_draft(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, activate=True)
    response = owner_client.get(url("draft", experience))
    assert response.status_code == 302 and response["Location"] == url("configuration", experience)


def test_draft_tab_lists_changes_from_the_live_version(owner_client, project, owner, audience):
    experience = make_experience(
        project=project,
        actor=owner,
        activate=True,
        variants=segmented_variants([audience], names=["Old name"]),
    )
    draft = services.create_draft(experience=experience, actor=owner)
    gold = AudienceFactory(project=project, name="Gold")
    services.save_draft(
        version=draft,
        actor=owner,
        data={
            "variants": [
                {"shortUid": "0", "name": "New name", "audiences": [audience.uid, gold.uid]}
            ]
        },
    )
    body = owner_client.get(url("draft", experience)).content.decode()
    assert "Renamed variant &quot;Old name&quot; to &quot;New name&quot;." in body
    assert "audiences US visitors → Gold, US visitors." in body


# ---------- lifecycle actions ----------


def test_create_draft_twice_reports_the_refusal(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, activate=True)
    owner_client.post(url("create-draft", experience))
    response = owner_client.post(url("create-draft", experience), follow=True)
    assert "at most one draft" in response.content.decode()
    assert experience.versions.count() == 2


def test_pause_of_a_paused_experience_is_refused(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, activate=True)
    owner_client.post(url("pause", experience))
    response = owner_client.post(url("pause", experience), follow=True)
    assert "only an active version can be paused" in response.content.decode()


def test_resume_of_a_never_activated_experience_is_404(owner_client, draft_experience):
    assert owner_client.post(url("resume", draft_experience)).status_code == 404


def test_discard_first_draft_empties_it(owner_client, draft_experience):
    response = owner_client.post(url("discard", draft_experience), {"revision": 2}, follow=True)
    assert "version 1 is empty again" in response.content.decode()
    assert not draft_experience.versions.get().variants.exists()


def test_discard_with_stale_revision_keeps_the_draft(owner_client, draft_experience):
    response = owner_client.post(url("discard", draft_experience), {"revision": 1}, follow=True)
    assert "after you opened it" in response.content.decode()
    assert draft_experience.versions.get().variants.count() == 1


def test_restore_while_a_draft_exists_is_refused(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, activate=True)
    services.activate_version(
        version=services.create_draft(experience=experience, actor=owner), actor=owner
    )
    services.create_draft(experience=experience, actor=owner)
    page = owner_client.get(url("version", experience, number=1)).content.decode()
    assert "Activate or discard it before restoring" in page
    response = owner_client.post(url("restore", experience, number=1), follow=True)
    assert "already a draft" in response.content.decode()
    assert experience.versions.count() == 3


def test_version_page_of_a_live_version_has_no_restore(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, activate=True)
    body = owner_client.get(url("version", experience, number=1)).content.decode()
    assert "Restore as draft" not in body
    assert owner_client.get(url("version", experience, number=9)).status_code == 404


def test_delete_experience_redirects_to_the_list(owner_client, draft_experience, project):
    response = owner_client.post(url("delete", draft_experience))
    assert response.status_code == 303 and response["Location"] == list_url(project)
    assert not Experience.objects.exists()


def test_every_move_shows_in_the_activity(owner_client, project, owner):
    experience = make_experience(project=project, actor=owner, activate=True)
    owner_client.post(url("pause", experience))
    owner_client.post(url("resume", experience))
    body = owner_client.get(url("detail", experience)).content.decode()
    for message in ("Paused version 1.", "Resumed version 1.", "Activated version 1."):
        assert message in body
    assert AuditEntry.objects.filter(object_uid=experience.uid).count() == 5
