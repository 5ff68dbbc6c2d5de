"""Schemathesis against the OpenAPI document: no 5xx, every response as documented.

Authenticated as an Owner with a real token and the ``x-project-uid`` of a real
project. ``make test`` runs a bounded number of examples per operation;
``make fuzz`` runs many more (``FUZZ_EXAMPLES``).
"""

import json
import os
from collections import Counter

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from personalize_admin.api.schema import PROJECT_HEADER
from personalize_admin.core.uids import is_uid
from personalize_admin.experiences import services as experience_services
from personalize_admin.experiences.models import Version
from personalize_admin.wsgi import application
from tests.api.conftest import token_for
from tests.factories import (
    AttributeFactory,
    AudienceFactory,
    EventFactory,
    UserFactory,
    ab_variants,
    make_experience,
    make_project,
)
from tests.helpers.api import openapi_document
from tests.helpers.browser import ARTIFACTS

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
REPORT = ARTIFACTS / "fuzz-report.json"
CALLS = Counter()
STATUSES = Counter()


@pytest.fixture
def fuzz_world(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "api_token": "1000000/minute",
            "api_anonymous": "1000000/minute",
        },
    }
    owner = UserFactory(username="fuzz-owner")
    # May create projects too, so POST /api/projects gets past its permission check.
    owner.user_permissions.add(Permission.objects.get(codename="add_project"))
    member = UserFactory(username="fuzz-member")
    UserFactory(username="fuzz-newcomer", email="newcomer@example.com")
    project = make_project(
        owner=owner, members=[member], name="Fuzzed Project", description="Under test"
    )
    audience = AudienceFactory(project=project)
    event = EventFactory(project=project)
    segmented = make_experience(project=project, actor=owner, name="Segmented", activate=True)
    experience_services.create_draft(experience=segmented, actor=owner)
    ab_test = make_experience(
        project=project,
        actor=owner,
        name="A/B",
        type="AB_TEST",
        variants=ab_variants("Control", "Treatment"),
        metrics=[{"__type": "Primary", "event": event.uid}],
    )
    real = {
        "attributes": [AttributeFactory(project=project).uid],
        "events": [event.uid],
        "audiences": [audience.uid],
        "experiences": [segmented.uid, ab_test.uid],
        "projects": [project.uid],
    }
    # Keep the test's transaction: Django would close the connection around each
    # request the WSGI app serves (the test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "token": token_for(owner),
        "project": project,
        "user_ids": [owner.pk, member.pk],
        "real": real,
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(openapi_document())
# Requests go to the WSGI app in this process, inside the test's transaction.
schema.app = application

# Rules about data rather than shape, which no schema can express: a well-formed
# body may still name a user who does not exist, an audience of another project, a rule on
# an attribute that does not exist, an incomplete priority order, or days out of order.
DATA_RULES = {
    "personalize.PROJECTS.MEMBERS.USER_NOT_FOUND",
    "personalize.AUDIENCES.INVALID_DEFINITION",
    "personalize.EXPERIENCES.VERSIONS.INVALID",
    "personalize.EXPERIENCES.VERSIONS.CANNOT_ACTIVATE_INVALID",
    "personalize.EXPERIENCES.INVALID_ORDER",
    "personalize.ANALYTICS.INVALID_RANGE",
}


def aim_at_real_objects(case, world):
    """Half of the valid uids and ids become the real project's and members', so the
    fuzzing reaches the endpoints' logic rather than only their 404s."""
    parameters = case.path_parameters or {}
    uid = parameters.get("uid")
    if is_uid(uid) and int(uid[-1], 16) % 2 == 0:
        real = world["real"][case.path.split("/")[2]]
        parameters["uid"] = real[int(uid[-2], 16) % len(real)]
    version_uid = parameters.get("versionUid")
    if is_uid(version_uid) and int(version_uid[-1], 16) % 2 == 0:
        versions = Version.objects.filter(experience__uid=parameters.get("uid"))
        uids = list(versions.order_by("number").values_list("uid", flat=True))
        if uids:
            parameters["versionUid"] = uids[int(version_uid[-2], 16) % len(uids)]
    user_id = parameters.get("userId")
    if isinstance(user_id, int) and user_id > 0 and user_id % 2 == 0:
        parameters["userId"] = world["user_ids"][user_id // 2 % len(world["user_ids"])]
    if isinstance(case.body, dict):
        case.body = _with_real_uids(case.body, world["real"])


def _drops_project_header(case):
    """A negative case that leaves out the required ``x-project-uid`` header keeps it out
    (adding the real project's would turn the case into a valid request)."""
    operation = openapi_document()["paths"][case.path].get(case.method.lower(), {})
    documented = any(p["name"] == PROJECT_HEADER for p in operation.get("parameters", []))
    sent = {name.lower() for name in (case.headers or {})}
    return documented and PROJECT_HEADER not in sent


# Keys whose uids name objects of the project, and which objects.
BODY_REFERENCES = {"audiences": "audiences", "event": "events", "priorityOrder": "experiences"}


def _with_real_uids(node, real, kind=None):
    """Half of the uids in a body become real ones, so the domain validators' deeper
    rules get exercised rather than only "there is no audience …"."""
    if isinstance(node, dict):
        return {
            key: _with_real_uids(value, real, BODY_REFERENCES.get(key))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_with_real_uids(item, real, kind) for item in node]
    if kind and is_uid(node) and int(node[-1], 16) % 2 == 0:
        return real[kind][int(node[-2], 16) % len(real[kind])]
    return node


def summary():
    """One line for the end of the test run (printed by tests/api/conftest.py)."""
    paths = openapi_document()["paths"]
    operations = {
        key for key in CALLS if key.split(" ")[0].lower() in paths.get(key.split(" ", 1)[1], {})
    }
    probes = sum(count for key, count in CALLS.items() if key not in operations)
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(STATUSES.items()))
    return (
        f"{sum(CALLS.values())} requests: {sum(CALLS[key] for key in operations)} "
        f"to {len(operations)} documented operations (up to {FUZZ_EXAMPLES} examples each) "
        f"and {probes} with undocumented methods; statuses {statuses}. Report: {REPORT}"
    )


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                "examples_per_operation": FUZZ_EXAMPLES,
                "requests": sum(CALLS.values()),
                "per_operation": dict(sorted(CALLS.items())),
                "statuses": {str(k): v for k, v in sorted(STATUSES.items())},
            },
            indent=2,
        )
    )


@schema.parametrize()
@hypothesis_settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_api_answers_as_documented(case, fuzz_world):
    aim_at_real_objects(case, fuzz_world)
    headers = {"authtoken": fuzz_world["token"]}
    if not _drops_project_header(case):
        headers["x-project-uid"] = fuzz_world["project"].uid
    response = case.call(headers=headers)
    excluded = []
    if response.status_code == 422 and response.json().get("error") in DATA_RULES:
        excluded.append(positive_data_acceptance)
    case.validate_response(response, excluded_checks=excluded, headers=headers)
    CALLS[f"{case.method} {case.path}"] += 1
    STATUSES[response.status_code] += 1
