"""``/api/experiences``, their versions and ``/api/experiences-priority``."""

import pytest

from personalize_admin.experiences.models import Experience, Variant, Version
from personalize_admin.projects.models import Project
from tests.api.test_views_audiences import HeaderClient
from tests.factories import (
    AudienceFactory,
    EventFactory,
    make_experience,
    make_project,
    segmented_variants,
)
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

LOCKED = "personalize.EXPERIENCES.VERSIONS.CANNOT_UPDATE_LOCKED_VERSION"
DRAFT_EXISTS = "personalize.EXPERIENCES.VERSIONS.CANNOT_CREATE_VERSION_AS_DRAFT_ALREADY_EXISTS"


def create(api, name="Homepage hero", kind="SEGMENTED", **extra):
    response = api.post("/api/experiences", {"name": name, "__type": kind, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def version_url(experience, version_uid):
    return f"/api/experiences/{experience['uid']}/versions/{version_uid}"


# ---------- experiences ----------


def test_create_experience_answers_with_its_empty_first_draft(owner_api, project):
    body = create(owner_api, description="Hero banner", tags=["Spring", "home"])
    experience = Experience.objects.get(project=project)
    draft = experience.versions.get()
    assert body["uid"] == experience.uid
    assert body["shortUid"] == experience.short_uid
    assert body["__type"] == "SEGMENTED"
    assert body["status"] == "DRAFT"
    assert body["priority"] == 1
    assert body["tags"] == ["home", "spring"]
    assert body["activeVersion"] is None
    assert body["latestVersion"]["uid"] == draft.uid
    assert body["latestVersion"]["number"] == 1
    assert body["latestVersion"]["status"] == "DRAFT"
    assert body["latestVersion"]["variants"] == []


def test_new_experiences_go_last_in_priority(owner_api, project):
    first, second = create(owner_api, "One"), create(owner_api, "Two", "AB_TEST")
    assert (first["priority"], second["priority"]) == (1, 2)
    listed = owner_api.get("/api/experiences").json()
    assert [e["name"] for e in listed] == ["One", "Two"]
    ab_version = listed[1]["latestVersion"]
    assert ab_version["distributionType"] == "EQUAL"
    assert ab_version["targeting"] is None and ab_version["metrics"] == []


def test_duplicate_experience_name_is_409(owner_api, project):
    create(owner_api, "Hero")
    response = owner_api.post("/api/experiences", {"name": "hero", "__type": "AB_TEST"})
    assert response.status_code == 409
    assert response.json()["error"] == "personalize.EXPERIENCES.DUPLICATE_NAME"
    assert Experience.objects.count() == 1


def test_put_experience_changes_details_and_keeps_what_is_left_out(owner_api, project):
    made = create(owner_api, "Hero", description="Kept", tags=["a"])
    url = f"/api/experiences/{made['uid']}"
    response = owner_api.put(url, {"name": "Hero banner", "revision": 1})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["description"]) == ("Hero banner", "Kept")
    assert response.json()["tags"] == ["a"]
    retagged = owner_api.put(url, {"name": "Hero banner", "tags": [], "description": ""})
    assert (retagged.json()["tags"], retagged.json()["description"]) == ([], "")
    stale = owner_api.put(url, {"name": "Late", "revision": 1})
    assert stale.status_code == 409
    assert stale.json()["error"] == "personalize.EXPERIENCES.STALE_REVISION"
    assert Experience.objects.get().name == "Hero banner"


def test_delete_experience_moves_later_ones_up(owner_api, project):
    first, second = create(owner_api, "One"), create(owner_api, "Two")
    assert owner_api.delete(f"/api/experiences/{first['uid']}").status_code == 204
    assert owner_api.get(f"/api/experiences/{second['uid']}").json()["priority"] == 1
    assert not Version.objects.filter(experience__uid=first["uid"]).exists()


def test_list_experiences_query_count_is_constant(owner_api, project, owner):
    def add(n):
        for _ in range(n):
            made = make_experience(project=project, actor=owner, activate=True, tags=["x"])
            from personalize_admin.experiences import services

            services.create_draft(experience=made, actor=owner)

    assert_constant_queries(HeaderClient(owner_api), "/api/experiences", add, sizes=(1, 6))


def test_list_versions_query_count_is_constant(owner_api, project, owner):
    from personalize_admin.experiences import services

    made = make_experience(project=project, actor=owner, activate=True)

    def add(n):
        for _ in range(n):
            draft = services.create_draft(experience=made, actor=owner)
            services.activate_version(version=draft, actor=owner)

    url = f"/api/experiences/{made.uid}/versions"
    assert_constant_queries(HeaderClient(owner_api), url, add, sizes=(1, 6))


# ---------- the version lifecycle, through the API only ----------


def test_version_lifecycle_through_the_api(member_api, project):
    us = member_api.post(
        "/api/audiences",
        {
            "name": "US",
            "definition": {
                "__type": "RuleCombination",
                "combinationType": "AND",
                "rules": [
                    {
                        "__type": "Rule",
                        "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
                        "attributeMatchCondition": "STRING_EQUALS",
                        "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "US"},
                        "invertCondition": False,
                    }
                ],
            },
        },
    ).json()
    experience = create(member_api)
    draft = experience["latestVersion"]

    # Fill Version 1 and activate it.
    filled = member_api.put(
        version_url(experience, draft["uid"]),
        {"variants": [{"name": "US visitors", "audiences": [us["uid"]]}], "revision": 1},
    )
    assert filled.status_code == 200, filled.content
    assert filled.json()["variants"] == [
        {
            "__type": "SegmentedVariant",
            "shortUid": "0",
            "name": "US visitors",
            "audiences": [us["uid"]],
            "audienceCombinationType": "AND",
        }
    ]
    active = member_api.patch(version_url(experience, draft["uid"]), {"status": "ACTIVE"})
    assert active.status_code == 200, active.content
    assert active.json()["status"] == "ACTIVE" and active.json()["activatedAt"]
    assert member_api.get(f"/api/experiences/{experience['uid']}").json()["status"] == "ACTIVE"

    # Variants of a live version are locked.
    locked = member_api.patch(
        version_url(experience, draft["uid"]),
        {"variants": [{"name": "Changed", "audiences": [us["uid"]]}]},
    )
    assert locked.status_code == 409
    assert locked.json()["error"] == LOCKED

    # Version 2: a copy of the live one, changed, then activated; Version 1 is archived.
    versions = f"/api/experiences/{experience['uid']}/versions"
    second = member_api.post(versions, {"status": "DRAFT"})
    assert second.status_code == 201
    assert second.json()["number"] == 2
    assert second.json()["variants"][0]["shortUid"] == "0"
    assert member_api.post(versions, {"status": "DRAFT"}).json()["error"] == DRAFT_EXISTS
    changed = member_api.put(
        version_url(experience, second.json()["uid"]),
        {
            "variants": [
                {"shortUid": "0", "name": "US visitors", "audiences": [us["uid"]]},
                {"name": "Everyone in the US again", "audiences": [us["uid"]]},
            ],
            "status": "ACTIVE",
        },
    )
    assert changed.status_code == 200, changed.content
    assert [v["shortUid"] for v in changed.json()["variants"]] == ["0", "1"]
    listed = member_api.get(versions).json()
    assert [(v["number"], v["status"]) for v in listed] == [(2, "ACTIVE"), (1, "ARCHIVED")]
    assert listed[1]["archivedAt"]

    # Pause, then resume; a stale revision changes nothing.
    live = version_url(experience, second.json()["uid"])
    paused = member_api.patch(live, {"status": "PAUSED"})
    assert paused.json()["status"] == "PAUSED"
    stale = member_api.patch(live, {"status": "ACTIVE", "revision": paused.json()["revision"] - 1})
    assert stale.status_code == 409
    assert stale.json()["error"] == "personalize.EXPERIENCES.VERSIONS.STALE_REVISION"
    assert Version.objects.get(uid=second.json()["uid"]).status == "PAUSED"
    resumed = member_api.patch(live, {"status": "ACTIVE", "revision": paused.json()["revision"]})
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "ACTIVE"

    # The audience is in use now.
    in_use = member_api.delete(f"/api/audiences/{us['uid']}")
    assert in_use.status_code == 409
    assert in_use.json()["error"] == "personalize.AUDIENCES.IN_USE"


def test_stale_revision_on_a_draft_changes_nothing(owner_api, project):
    audience = AudienceFactory(project=project)
    experience = create(owner_api)
    url = version_url(experience, experience["latestVersion"]["uid"])
    body = {"variants": segmented_variants([audience]), "revision": 1}
    assert owner_api.put(url, body).status_code == 200
    stale = owner_api.put(url, {**body, "variants": segmented_variants([audience], names=["Late"])})
    assert stale.status_code == 409
    assert stale.json()["error"] == "personalize.EXPERIENCES.VERSIONS.STALE_REVISION"
    assert list(Variant.objects.values_list("name", flat=True)) == ["Variant 1"]


def test_put_of_a_live_version_with_its_own_content_may_change_its_status(
    owner_api, project, owner
):
    made = make_experience(project=project, actor=owner, activate=True)
    url = f"/api/experiences/{made.uid}/versions/{made.live_version.uid}"
    current = owner_api.get(url).json()
    response = owner_api.put(url, {"variants": current["variants"], "status": "PAUSED"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "PAUSED"


def test_patch_keeps_what_it_leaves_out(owner_api, project):
    event = EventFactory(project=project)
    experience = create(owner_api, kind="AB_TEST")
    url = version_url(experience, experience["latestVersion"]["uid"])
    owner_api.put(
        url,
        {
            "variants": [{"name": "Control"}, {"name": "Treatment"}],
            "metrics": [{"__type": "Primary", "event": event.uid}],
        },
    )
    response = owner_api.patch(
        url,
        {
            "distributionType": "CUSTOM",
            "variants": [
                {"shortUid": "0", "name": "Control", "trafficDistribution": 20},
                {"shortUid": "1", "name": "Treatment", "trafficDistribution": 80},
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["metrics"] == [{"__type": "Primary", "event": event.uid}]
    assert [v["trafficDistribution"] for v in body["variants"]] == [20, 80]
    assert body["distributionType"] == "CUSTOM"


def test_ab_validation_errors_name_their_paths(owner_api, project, owner):
    foreign = AudienceFactory(project=make_project(owner=owner, name="Elsewhere"))
    experience = create(owner_api, kind="AB_TEST")
    url = version_url(experience, experience["latestVersion"]["uid"])
    response = owner_api.put(
        url,
        {
            "variants": [
                {"name": "Control", "trafficDistribution": 30},
                {"name": "Treatment", "trafficDistribution": 30},
            ],
            "distributionType": "CUSTOM",
            "targeting": {"audiences": [foreign.uid]},
            "metrics": [{"__type": "Primary", "event": "0" * 24}],
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"trafficDistribution", "targeting.audiences", "metrics[0].event"} <= set(errors)
    assert not Variant.objects.exists()


def test_segmented_validation_errors_name_the_variant(owner_api, project):
    audience = AudienceFactory(project=project)
    experience = create(owner_api)
    response = owner_api.put(
        version_url(experience, experience["latestVersion"]["uid"]),
        {"variants": [{"name": "A", "audiences": [audience.uid]}, {"name": "B", "audiences": []}]},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["variants[1].audiences"]


def test_activating_an_incomplete_draft_is_422_and_leaves_it_a_draft(owner_api, project):
    experience = create(owner_api, kind="AB_TEST")
    url = version_url(experience, experience["latestVersion"]["uid"])
    response = owner_api.put(url, {"variants": [{"name": "Only one"}], "status": "ACTIVE"})
    assert response.status_code == 422
    assert response.json()["error"] == "personalize.EXPERIENCES.VERSIONS.CANNOT_ACTIVATE_INVALID"
    version = Version.objects.get()
    assert version.status == "DRAFT" and not version.variants.exists()


def test_post_version_with_variants_uses_them(owner_api, project, owner):
    audience = AudienceFactory(project=project)
    made = make_experience(project=project, actor=owner, activate=True)
    response = owner_api.post(
        f"/api/experiences/{made.uid}/versions",
        {"status": "DRAFT", "variants": segmented_variants([audience], names=["New one"])},
    )
    assert response.status_code == 201
    assert [v["name"] for v in response.json()["variants"]] == ["New one"]
    assert response.json()["variants"][0]["shortUid"] == "1"


def test_delete_discards_the_draft_but_never_a_live_version(owner_api, project, owner):
    made = make_experience(project=project, actor=owner, activate=True)
    live = made.live_version
    versions = f"/api/experiences/{made.uid}/versions"
    draft = owner_api.post(versions, {}).json()
    assert owner_api.delete(f"{versions}/{draft['uid']}").status_code == 204
    refused = owner_api.delete(f"{versions}/{live.uid}")
    assert refused.status_code == 409
    assert refused.json()["error"] == "personalize.EXPERIENCES.VERSIONS.CANNOT_DELETE_NON_DRAFT"
    assert [v["uid"] for v in owner_api.get(versions).json()] == [live.uid]


def test_discarding_the_only_draft_empties_it(owner_api, project, owner):
    made = make_experience(
        project=project,
        actor=owner,
        variants=segmented_variants([AudienceFactory(project=project)]),
    )
    url = f"/api/experiences/{made.uid}/versions/{made.draft.uid}"
    response = owner_api.delete(url)
    assert response.status_code == 200
    assert response.json()["variants"] == []


@pytest.mark.parametrize(
    ("state", "status", "code"),
    [
        ("draft", "PAUSED", "personalize.EXPERIENCES.VERSIONS.CANNOT_PAUSE"),
        ("active", "DRAFT", "personalize.EXPERIENCES.VERSIONS.INVALID_STATUS_CHANGE"),
        ("archived", "ACTIVE", "personalize.EXPERIENCES.VERSIONS.CANNOT_RESUME"),
    ],
)
def test_impossible_status_changes_are_409(owner_api, project, owner, state, status, code):
    from personalize_admin.experiences import services

    made = make_experience(project=project, actor=owner, activate=state != "draft")
    version = made.versions.get()
    if state == "archived":
        services.activate_version(
            version=services.create_draft(experience=made, actor=owner), actor=owner
        )
    url = f"/api/experiences/{made.uid}/versions/{version.uid}"
    before = Version.objects.get(pk=version.pk).status
    response = owner_api.patch(url, {"status": status})
    assert response.status_code == 409
    assert response.json()["error"] == code
    assert Version.objects.get(pk=version.pk).status == before


def test_versions_of_another_experience_or_project_are_404(owner_api, project, owner):
    mine = make_experience(project=project, actor=owner)
    other = make_experience(project=project, actor=owner)
    foreign = make_experience(project=make_project(owner=owner, name="Other"), actor=owner)
    assert (
        owner_api.get(f"/api/experiences/{mine.uid}/versions/{other.draft.uid}").status_code == 404
    )
    assert owner_api.get(f"/api/experiences/{foreign.uid}").status_code == 404
    assert owner_api.get(f"/api/experiences/{foreign.uid}/versions").status_code == 404
    response = owner_api.put(f"/api/experiences/{foreign.uid}", {"name": "Taken over"})
    assert response.status_code == 404
    assert Experience.objects.get(pk=foreign.pk).name != "Taken over"


# ---------- priority ----------


def test_priority_order_round_trip(owner_api, project, owner):
    a, b, c = (make_experience(project=project, actor=owner) for _ in range(3))
    assert owner_api.get("/api/experiences-priority").json() == {
        "priorityOrder": [a.uid, b.uid, c.uid]
    }
    response = owner_api.put("/api/experiences-priority", {"priorityOrder": [c.uid, a.uid, b.uid]})
    assert response.status_code == 200
    assert response.json() == {"priorityOrder": [c.uid, a.uid, b.uid]}
    assert [e["uid"] for e in owner_api.get("/api/experiences").json()] == [c.uid, a.uid, b.uid]


@pytest.mark.parametrize("order", ["missing", "duplicate", "foreign", "not-uids", "not-a-list"])
def test_wrong_priority_orders_are_422_and_change_nothing(owner_api, project, owner, order):
    a, b = (make_experience(project=project, actor=owner) for _ in range(2))
    foreign = make_experience(project=make_project(owner=owner, name="Other"), actor=owner)
    body = {
        "missing": [b.uid],
        "duplicate": [b.uid, a.uid, a.uid],
        "foreign": [b.uid, a.uid, foreign.uid],
        "not-uids": [b.uid, 5],
        "not-a-list": b.uid,
    }[order]
    response = owner_api.put("/api/experiences-priority", {"priorityOrder": body})
    assert response.status_code == 422
    assert "priorityOrder" in "".join(response.json()["errors"]) or response.json()["errors"]
    assert list(Experience.objects.filter(project=project).values_list("uid", flat=True)) == [
        a.uid,
        b.uid,
    ]


# ---------- bad input ----------


BAD_EXPERIENCES = [
    {"name": "Hero", "__type": "PERSONAL"},
    {"name": "Hero"},
    {"name": 5, "__type": "SEGMENTED"},
    {"name": "x" * 100_000, "__type": "SEGMENTED"},
    {"name": "Hero", "__type": "SEGMENTED", "tags": "a,b"},
    {"name": "Hero", "__type": "SEGMENTED", "tags": ["no spaces"]},
    {"name": "Hero", "__type": "SEGMENTED", "tags": [f"t{i}" for i in range(21)]},
    {"name": "Hero", "__type": "SEGMENTED", "description": "\x00"},
    [1, 2],
]


@pytest.mark.parametrize("body", BAD_EXPERIENCES)
def test_bad_experience_bodies_answer_4xx_and_change_nothing(owner_api, project, body):
    response = owner_api.post("/api/experiences", body)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error", "message", "errors"}
    assert not Experience.objects.exists()
    assert (
        Project.objects.get(pk=project.pk).next_experience_short_uid
        == project.next_experience_short_uid
    )


BAD_VERSIONS = [
    {"variants": "all of them"},
    {"variants": [5]},
    {"variants": [{"name": 5}]},
    {"variants": [{"name": "A", "audiences": "all"}]},
    {"variants": [{"name": "A", "audiences": ["not-a-uid"]}]},
    {"variants": [{"name": "A", "audiences": ["f" * 24]}]},
    {"variants": [{"name": "A", "shortUid": 0, "audiences": []}]},
    {"variants": [{"name": "A", "shortUid": "99", "audiences": []}]},
    {"variants": [{"name": "A" * 5000, "audiences": []}]},
    {"variants": [{"name": "A", "audienceCombinationType": "XOR"}]},
    {"variants": [], "status": "LIVE"},
    {"variants": [], "revision": "1"},
    {"variants": [], "targeting": {"audiences": []}},
    {"variants": [{"name": f"V{i}"} for i in range(100)]},
]


@pytest.mark.parametrize("body", BAD_VERSIONS)
def test_bad_version_bodies_answer_4xx_and_change_nothing(owner_api, project, body):
    experience = create(owner_api)
    url = version_url(experience, experience["latestVersion"]["uid"])
    response = owner_api.put(url, body)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"error", "message", "errors"}
    version = Version.objects.get()
    assert (version.revision, version.variants.count()) == (1, 0)


def test_non_json_version_bodies_are_refused(owner_api, project):
    experience = create(owner_api)
    url = version_url(experience, experience["latestVersion"]["uid"])
    assert owner_api.put(url, raw=b"[{", content_type="application/json").status_code == 400
    assert owner_api.patch(url, raw="status=ACTIVE", content_type="text/plain").status_code == 415
    assert Version.objects.get().status == "DRAFT"
