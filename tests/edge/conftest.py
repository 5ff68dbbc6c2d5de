import json

import pytest

from tests.factories import AttributeFactory, AudienceFactory, make_experience


def preset_rule(ref, condition, value=None, *, invert=False, options="StringMatchOptions"):
    rule = {
        "__type": "Rule",
        "attribute": {"__type": "PresetAttributeReference", "ref": ref},
        "attributeMatchCondition": condition,
        "invertCondition": invert,
    }
    if value is not None:
        rule["attributeMatchOptions"] = {"__type": options, "value": value}
    return rule


def custom_rule(attribute, condition, value=None, *, options="StringMatchOptions"):
    rule = {
        "__type": "Rule",
        "attribute": {"__type": "CustomAttributeReference", "ref": attribute.uid},
        "attributeMatchCondition": condition,
        "invertCondition": False,
    }
    if value is not None:
        rule["attributeMatchOptions"] = {"__type": options, "value": value}
    return rule


def make_audience(project, *rules, combination="AND", name=None):
    kwargs = {"name": name} if name else {}
    return AudienceFactory(
        project=project,
        definition={
            "__type": "RuleCombination",
            "combinationType": combination,
            "rules": list(rules),
        },
        **kwargs,
    )


def country_audience(project, country, name=None):
    return make_audience(
        project, preset_rule("COUNTRY", "STRING_EQUALS", country), name=name or f"From {country}"
    )


def plan_audience(project, attribute, plan):
    return make_audience(
        project, custom_rule(attribute, "STRING_EQUALS", plan), name=f"Plan {plan}"
    )


def segmented(project, owner, variants, **kwargs):
    """A live segmented experience; ``variants`` are ``(audiences, "AND"|"OR")`` pairs."""
    return make_experience(
        project=project,
        actor=owner,
        variants=[
            {
                "name": f"Variant {index}",
                "audiences": [audience.uid for audience in audiences],
                "audienceCombinationType": combination,
            }
            for index, (audiences, combination) in enumerate(variants)
        ],
        activate=True,
        **kwargs,
    )


def ab_test(project, owner, percents=None, *, names=None, targeting=None, metrics=(), **kwargs):
    """A live A/B experience; ``percents`` makes the split CUSTOM."""
    count = len(percents) if percents else len(names or ("Control", "Treatment"))
    names = names or [f"Variant {index}" for index in range(count)]
    variants = [{"name": name} for name in names]
    settings = {}
    if percents:
        settings["distributionType"] = "CUSTOM"
        for variant, percent in zip(variants, percents, strict=True):
            variant["trafficDistribution"] = percent
    if targeting:
        audiences, combination = targeting
        settings["targeting"] = {
            "audiences": [audience.uid for audience in audiences],
            "audienceCombinationType": combination,
        }
    if metrics:
        settings["metrics"] = [
            {"__type": "Primary" if index == 0 else "Secondary", "event": event.uid}
            for index, event in enumerate(metrics)
        ]
    return make_experience(
        project=project,
        actor=owner,
        type="AB_TEST",
        variants=variants,
        activate=True,
        **settings,
        **kwargs,
    )


@pytest.fixture
def plan(project):
    return AttributeFactory(project=project, name="Plan", key="plan")


class EdgeClient:
    """Django's test client speaking to the Edge API the way the SDK does."""

    def __init__(self, client, project):
        self.client = client
        self.project = project

    def headers(self, user_uid=None, live=None, project_uid=None, **extra):
        headers = {"X-Project-Uid": project_uid or self.project.uid}
        if user_uid is not None:
            headers["X-CS-Personalize-User-Uid"] = user_uid
        if live is not None:
            headers["X-Live-Attributes"] = json.dumps(live)
        headers.update(extra)
        return headers

    def manifest(self, query="", **kwargs):
        return self.client.get("/edge/manifest" + query, headers=self.headers(**kwargs))

    def patch_attributes(self, body, **kwargs):
        raw = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.patch(
            "/edge/user-attributes",
            data=raw,
            content_type="text/plain;charset=UTF-8",
            headers=self.headers(**kwargs),
        )

    def merge(self, body, **kwargs):
        raw = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            "/edge/user-attributes/actions/merge",
            data=raw,
            content_type="text/plain;charset=UTF-8",
            headers=self.headers(**kwargs),
        )

    def events(self, body, **kwargs):
        raw = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            "/edge/events",
            data=raw,
            content_type="text/plain;charset=UTF-8",
            headers=self.headers(**kwargs),
        )


@pytest.fixture
def edge(client, project):
    return EdgeClient(client, project)
