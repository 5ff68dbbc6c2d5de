"""The Edge API's HTTP surface: headers, cookies, CORS, limits and refusals."""

import json
import uuid

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from personalize_admin.edge.models import EdgeEvent, Visitor
from tests.edge.conftest import ab_test, country_audience, plan_audience, segmented
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def error_of(response):
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "message"} and body["message"], body
    return body["error"]


# ---------- manifest ----------


def test_manifest_unknown_user_gets_a_new_uid_in_the_header(edge, project, owner):
    ab_test(project, owner)

    for sent in (None, "", "null", "undefined"):
        response = edge.manifest(user_uid=sent)
        assert response.status_code == 200
        generated = response["X-CS-Personalize-User-Uid"]
        assert str(uuid.UUID(generated)) == generated


def test_manifest_known_user_uid_is_answered_back(edge, project, owner):
    response = edge.manifest(user_uid="customer-7")

    assert response.status_code == 200
    assert response["X-CS-Personalize-User-Uid"] == "customer-7"
    assert response.json() == {"experiences": [], "activeVariants": {}}
    assert response["Cache-Control"] == "no-store"


def test_manifest_cookie_identifies_the_user(client, project, owner):
    client.cookies["cs-personalize-user-uid"] = "from-cookie"

    response = client.get("/edge/manifest", headers={"X-Project-Uid": project.uid})

    assert response["X-CS-Personalize-User-Uid"] == "from-cookie"


def test_manifest_header_wins_over_cookie(client, project):
    client.cookies["cs-personalize-user-uid"] = "from-cookie"

    response = client.get(
        "/edge/manifest",
        headers={"X-Project-Uid": project.uid, "X-CS-Personalize-User-Uid": "from-header"},
    )

    assert response["X-CS-Personalize-User-Uid"] == "from-header"


@pytest.mark.parametrize("project_uid", ["0123456789abcdef01234567", "not-a-uid", ""])
def test_manifest_unknown_project_is_project_not_found(edge, project_uid):
    response = edge.manifest(project_uid=project_uid or " ")

    assert response.status_code == 404
    assert error_of(response) == "personalize.MANIFEST.PROJECT_NOT_FOUND"


def test_manifest_stored_attributes_then_live_attributes_decide(edge, project, owner, plan):
    pro = plan_audience(project, plan, "pro")
    hero = segmented(project, owner, [([pro], "AND")])
    Visitor.objects.create(project=project, user_uid="v1", attributes={"plan": "pro"})

    stored = edge.manifest(user_uid="v1").json()["activeVariants"]
    overridden = edge.manifest(user_uid="v1", live={"plan": "free"}).json()["activeVariants"]
    live_only = edge.manifest(user_uid="v2", live={"plan": "pro"}).json()["activeVariants"]

    assert stored == {hero.short_uid: "0"}
    assert overridden == {hero.short_uid: None}
    assert live_only == {hero.short_uid: "0"}


def test_manifest_reads_geo_headers(edge, project, owner):
    us = country_audience(project, "US")
    hero = segmented(project, owner, [([us], "AND")])

    response = edge.manifest(**{"CloudFront-Viewer-Country": "us"})

    assert response.json()["activeVariants"] == {hero.short_uid: "0"}


def test_manifest_live_attributes_in_utf8_are_read(edge, project, owner, plan):
    city = plan_audience(project, plan, "münchen")
    hero = segmented(project, owner, [([city], "AND")])
    raw = json.dumps({"plan": "München"}, ensure_ascii=False).encode().decode("latin-1")

    response = edge.client.get(
        "/edge/manifest", headers={"X-Project-Uid": project.uid, "X-Live-Attributes": raw}
    )

    assert response.json()["activeVariants"] == {hero.short_uid: "0"}


@pytest.mark.parametrize(
    ("live", "code"),
    [
        ("{not json", "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ("[1, 2]", "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ('{"plan": {"nested": 1}}', "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ('{"plan": [1]}', "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ('{"bad key": 1}', "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ('{"age": NaN}', "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ('{"age": 1e999}', "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ('{"plan": "' + "x" * 1001 + '"}', "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
        ("[" * 3000 + "]" * 3000, "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"),
    ],
)
def test_manifest_malformed_live_attributes_are_refused(client, project, live, code):
    response = client.get(
        "/edge/manifest", headers={"X-Project-Uid": project.uid, "X-Live-Attributes": live}
    )

    assert response.status_code == 400
    assert error_of(response) == code


def test_manifest_oversized_header_is_refused(client, project):
    response = client.get(
        "/edge/manifest",
        headers={"X-Project-Uid": project.uid, "X-Live-Attributes": '{"a":"' + "x" * 9000 + '"}'},
    )

    assert response.status_code == 431
    assert error_of(response) == "personalize.EDGE.HEADER_TOO_LARGE"


@pytest.mark.parametrize("user_uid", ["x" * 129, "tab\there", "nul\x00", "bell\x07"])
def test_manifest_malformed_user_uid_is_refused(edge, user_uid):
    response = edge.manifest(user_uid=user_uid)

    assert response.status_code == 400
    assert error_of(response) == "personalize.EDGE.INVALID_USER_UID"


def test_manifest_too_many_or_malformed_tags_are_refused(edge):
    too_many = "?" + "&".join(f"tags[]=t{n}" for n in range(11))

    response = edge.manifest(query=too_many)
    assert response.status_code == 400
    assert error_of(response) == "personalize.EDGE.TOO_MANY_TAGS"

    response = edge.manifest(query="?tags[]=no%20spaces")
    assert response.status_code == 400
    assert error_of(response) == "personalize.EDGE.INVALID_TAG"


def test_manifest_other_method_is_refused(client, project):
    response = client.post("/edge/manifest", headers={"X-Project-Uid": project.uid})

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert error_of(response) == "personalize.EDGE.METHOD_NOT_ALLOWED"


def test_manifest_unreachable_database_answers_503(edge, project, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", fail)

    response = edge.manifest()

    assert response.status_code == 503
    assert error_of(response) == "personalize.EDGE.UNAVAILABLE"
    assert response["Retry-After"]


# ---------- CORS ----------


def test_cors_preflight_allows_the_sdk_headers(client):
    response = client.options(
        "/edge/manifest",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": (
                "x-project-uid,x-cs-personalize-user-uid,x-live-attributes,x-page-url,"
                "x-user-agent,content-type"
            ),
        },
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    allowed = {name.strip() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert {
        "x-project-uid",
        "x-cs-personalize-user-uid",
        "x-live-attributes",
        "x-page-url",
        "x-user-agent",
        "content-type",
    } <= allowed
    assert "PATCH" in response["Access-Control-Allow-Methods"]


def test_cors_response_exposes_the_user_uid_header(client, project):
    response = client.get(
        "/edge/manifest", headers={"Origin": "https://shop.example", "X-Project-Uid": project.uid}
    )

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "X-CS-Personalize-User-Uid"


def test_cors_does_not_apply_outside_the_edge_api(client):
    response = client.get("/signin/", headers={"Origin": "https://shop.example"})

    assert "Access-Control-Allow-Origin" not in response


# ---------- user attributes ----------


def test_patch_user_attributes_merges_new_values_over_old(edge, project):
    edge.patch_attributes({"plan": "free", "age": 30, "beta": True}, user_uid="v1")

    response = edge.patch_attributes({"plan": "pro", "beta": None, "score": 1.5}, user_uid="v1")

    assert response.status_code == 200
    assert response["X-CS-Personalize-User-Uid"] == "v1"
    expected = {"plan": "pro", "age": 30, "score": 1.5}
    assert response.json() == {"userUid": "v1", "attributeCount": 3}
    assert Visitor.objects.get(project=project, user_uid="v1").attributes == expected


def test_patch_user_attributes_without_user_creates_one(edge, project):
    response = edge.patch_attributes({"plan": "pro"}, user_uid="null")

    generated = response["X-CS-Personalize-User-Uid"]
    assert Visitor.objects.get(project=project, user_uid=generated).attributes == {"plan": "pro"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "personalize.EDGE.INVALID_BODY"),
        ("", 400, "personalize.EDGE.INVALID_BODY"),
        ("[]", 400, "personalize.EDGE.INVALID_BODY"),
        ('"text"', 400, "personalize.EDGE.INVALID_BODY"),
        ('{"plan": {"a": 1}}', 400, "personalize.EDGE.INVALID_BODY"),
        ('{"with-dash": 1}', 400, "personalize.EDGE.INVALID_BODY"),
        (b"\xff\xfe", 400, "personalize.EDGE.INVALID_BODY"),
        ('{"a": "' + "x" * 70_000 + '"}', 413, "personalize.EDGE.BODY_TOO_LARGE"),
    ],
)
def test_patch_user_attributes_bad_body_is_refused_and_changes_nothing(
    edge, project, body, status, code
):
    edge.patch_attributes({"plan": "free"}, user_uid="v1")

    response = edge.patch_attributes(body, user_uid="v1")

    assert response.status_code == status
    assert error_of(response) == code
    assert Visitor.objects.get(project=project, user_uid="v1").attributes == {"plan": "free"}


def test_patch_user_attributes_beyond_the_visitor_limit_is_refused(edge, project, settings):
    settings.PERSONALIZE_EDGE = {**settings.PERSONALIZE_EDGE, "max_attributes_per_visitor": 3}
    edge.patch_attributes({"a": 1, "b": 2}, user_uid="v1")

    response = edge.patch_attributes({"c": 3, "d": 4}, user_uid="v1")

    assert response.status_code == 422
    assert error_of(response) == "personalize.EDGE.TOO_MANY_ATTRIBUTES"
    assert Visitor.objects.get(user_uid="v1").attributes == {"a": 1, "b": 2}


def test_patch_user_attributes_unknown_project_is_404(edge):
    response = edge.patch_attributes({"plan": "pro"}, project_uid="0123456789abcdef01234567")

    assert response.status_code == 404
    assert error_of(response) == "personalize.MANIFEST.PROJECT_NOT_FOUND"
    assert not Visitor.objects.exists()


def test_merge_copies_source_attributes_onto_target_source_wins(edge, project):
    edge.patch_attributes({"plan": "pro", "age": 30}, user_uid="anonymous")
    edge.patch_attributes({"plan": "free", "vip": True}, user_uid="customer")

    response = edge.merge({"sourceUserUid": "anonymous", "targetUserUid": "customer"})

    assert response.status_code == 200
    assert response["X-CS-Personalize-User-Uid"] == "customer"
    stored = dict(Visitor.objects.filter(project=project).values_list("user_uid", "attributes"))
    assert stored == {
        "anonymous": {"plan": "pro", "age": 30},
        "customer": {"plan": "pro", "age": 30, "vip": True},
    }


def test_merge_from_unknown_source_changes_nothing(edge, project):
    response = edge.merge({"sourceUserUid": "nobody", "targetUserUid": "customer"})

    assert response.status_code == 200
    assert response.json() == {"userUid": "customer", "attributeCount": 0}
    assert not Visitor.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        "{}",
        '{"sourceUserUid": "a"}',
        '{"sourceUserUid": "a", "targetUserUid": 5}',
        '{"sourceUserUid": "null", "targetUserUid": "b"}',
    ],
)
def test_merge_bad_body_is_refused(edge, body):
    response = edge.merge(body)

    assert response.status_code == 400
    assert error_of(response) == "personalize.EDGE.INVALID_BODY"


# ---------- events ----------


def test_events_records_impressions_and_custom_events(edge, project, owner):
    EventFactory(project=project, key="clickCTA")
    split = ab_test(project, owner)

    response = edge.events(
        [
            {"experienceShortUid": split.short_uid, "variantShortUid": "1", "type": "IMPRESSION"},
            {"eventKey": "clickCTA", "type": "EVENT"},
        ],
        user_uid="v1",
    )

    assert response.status_code == 200
    assert response.json() == {"recorded": 2}
    assert EdgeEvent.objects.filter(project=project, user_uid="v1").count() == 2


def test_events_empty_list_records_nothing(edge):
    response = edge.events([], user_uid="v1")

    assert response.status_code == 200
    assert response.json() == {"recorded": 0}


@pytest.mark.parametrize(
    ("events", "status", "code"),
    [
        ({"type": "EVENT"}, 400, "personalize.EDGE.INVALID_BODY"),
        (["EVENT"], 400, "personalize.EDGE.INVALID_EVENT"),
        ([{"type": "CLICK"}], 400, "personalize.EDGE.INVALID_EVENT"),
        ([{"type": "EVENT"}], 400, "personalize.EDGE.INVALID_EVENT"),
        ([{"type": "EVENT", "eventKey": 5}], 400, "personalize.EDGE.INVALID_EVENT"),
        ([{"type": "EVENT", "eventKey": "unknown"}], 422, "personalize.EDGE.UNKNOWN_EVENT"),
        (
            [{"type": "IMPRESSION", "experienceShortUid": "99", "variantShortUid": "0"}],
            422,
            "personalize.EDGE.UNKNOWN_EXPERIENCE",
        ),
        (
            [{"type": "IMPRESSION", "experienceShortUid": "{draft}", "variantShortUid": "0"}],
            422,
            "personalize.EDGE.UNKNOWN_EXPERIENCE",
        ),
        (
            [{"type": "IMPRESSION", "experienceShortUid": "{live}", "variantShortUid": "9"}],
            422,
            "personalize.EDGE.UNKNOWN_VARIANT",
        ),
        (
            [{"type": "EVENT", "eventKey": "clickCTA"}] * 101,
            413,
            "personalize.EDGE.TOO_MANY_EVENTS",
        ),
    ],
)
def test_events_bad_input_is_refused_and_records_nothing(
    edge, project, owner, events, status, code
):
    from tests.factories import make_experience

    EventFactory(project=project, key="clickCTA")
    live = ab_test(project, owner)
    draft = make_experience(project=project, actor=owner, type="AB_TEST")
    valid = {"type": "EVENT", "eventKey": "clickCTA"}
    body = json.dumps(events).replace("{live}", live.short_uid).replace("{draft}", draft.short_uid)
    if isinstance(events, list):
        # A valid event before the bad one must not be stored either: all or nothing.
        body = json.dumps([valid, *json.loads(body)]) if len(events) < 100 else body

    response = edge.events(body, user_uid="v1")

    assert response.status_code == status
    assert error_of(response) == code
    assert not EdgeEvent.objects.exists()


def test_events_deleted_event_key_is_unknown(edge, project, owner):
    from personalize_admin.audiences import services as audience_services

    event = EventFactory(project=project, key="old")
    audience_services.delete_event(event=event, actor=owner)

    response = edge.events([{"type": "EVENT", "eventKey": "old"}], user_uid="v1")

    assert response.status_code == 422
    assert error_of(response) == "personalize.EDGE.UNKNOWN_EVENT"


def test_ping_answers_without_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/edge/ping")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
