from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from personalize_admin.core.errors import ValidationFailed
from personalize_admin.experiences.content import equal_split, validate_content, version_content
from personalize_admin.experiences.models import DistributionType, TargetGroup
from tests.factories import AudienceFactory, EventFactory, make_experience, segmented_variants

pytestmark = pytest.mark.django_db


def errors_of(experience, data, **kwargs):
    with pytest.raises(ValidationFailed) as raised:
        validate_content(experience=experience, data=data, **kwargs)
    return raised.value.field_errors


@pytest.fixture
def segmented(project, owner):
    return make_experience(project=project, actor=owner, name="Home hero")


@pytest.fixture
def ab_test(project, owner):
    return make_experience(project=project, actor=owner, name="Checkout button", type="AB_TEST")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, ["100"]),
        (2, ["50", "50"]),
        (3, ["33.34", "33.33", "33.33"]),
        (6, ["16.67"] * 4 + ["16.66"] * 2),
    ],
)
def test_equal_split_sums_to_hundred(count, expected):
    split = equal_split(count)
    assert split == [Decimal(value) for value in expected]
    assert sum(split) == 100


def test_validate_segmented_variant_without_name_and_audience_reports_both_paths(segmented):
    errors = errors_of(segmented, {"variants": [{"name": " ", "audiences": []}]})
    assert errors == {
        "variants[0].name": ["Please enter a variant name"],
        "variants[0].audiences": ["Please select at least one audience"],
    }


def test_validate_segmented_variants_resolves_audiences_in_order(segmented, project):
    us, gold = (
        AudienceFactory(project=project, name="US"),
        AudienceFactory(project=project, name="Gold"),
    )
    content = validate_content(
        experience=segmented,
        data={
            "variants": [
                {
                    "name": "Both",
                    "audiences": [gold.uid, us.uid, gold.uid],
                    "audienceCombinationType": "AND",
                }
            ]
        },
    )
    assert content.variants[0].audiences == [gold, us]
    assert content.variants[0].short_uid is None


def test_validate_audience_of_another_project_is_unknown(segmented, owner):
    from tests.factories import make_project

    other = AudienceFactory(project=make_project(owner=owner))
    errors = errors_of(segmented, {"variants": segmented_variants([other])})
    assert errors["variants[0].audiences"] == [
        f'There is no audience "{other.uid}" in this project.'
    ]


def test_validate_deleted_audience_is_refused_with_its_name(segmented, project):
    gone = AudienceFactory(project=project, name="Old segment", deleted_at=timezone.now())
    errors = errors_of(segmented, {"variants": segmented_variants([gone])})
    assert errors["variants[0].audiences"] == [
        'The audience "Old segment" was deleted. Choose another one.'
    ]


def test_validate_unissued_and_duplicate_short_uids_are_refused(segmented, project, owner):
    audience = AudienceFactory(project=project)
    variants = segmented_variants([audience], [audience], [audience])
    from personalize_admin.experiences import services

    services.save_draft(
        version=segmented.versions.get(), data={"variants": variants[:1]}, actor=owner
    )
    segmented.refresh_from_db()
    variants[0]["shortUid"] = "0"
    variants[1]["shortUid"] = "0"
    variants[2]["shortUid"] = "7"
    errors = errors_of(segmented, {"variants": variants})
    assert "used by two variants" in errors["variants[1].shortUid"][0]
    assert "No variant of this experience" in errors["variants[2].shortUid"][0]


def test_validate_duplicate_variant_names_are_refused(segmented, project):
    audience = AudienceFactory(project=project)
    errors = errors_of(
        segmented, {"variants": segmented_variants([audience], [audience], names=["A", "a"])}
    )
    assert errors == {"variants[1].name": ["Variant 1 already has this name."]}


def test_validate_variant_limit_comes_from_settings(segmented, project, settings):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "variants_per_version": 2}
    audience = AudienceFactory(project=project)
    errors = errors_of(
        segmented,
        {"variants": segmented_variants([audience], [audience], [audience], names=["A", "B", "C"])},
    )
    assert errors == {"variants": ["A version has at most 2 variants."]}


def test_validate_complete_needs_a_segmented_variant(segmented):
    assert validate_content(experience=segmented, data={"variants": []}).variants == []
    assert errors_of(segmented, {"variants": []}, require_complete=True) == {
        "variants": ["Add at least one variant."]
    }


def test_validate_complete_needs_two_ab_variants(ab_test):
    errors = errors_of(ab_test, {"variants": [{"name": "Only"}]}, require_complete=True)
    assert errors == {"variants": ["An A/B test needs at least two variants."]}


def test_validate_equal_distribution_computes_the_split(ab_test):
    content = validate_content(
        experience=ab_test,
        data={"variants": [{"name": "A", "trafficDistribution": 90}, {"name": "B"}, {"name": "C"}]},
    )
    assert content.distribution_type == DistributionType.EQUAL
    assert [v.traffic_percent for v in content.variants] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_validate_custom_percentages_must_sum_to_hundred(ab_test):
    data = {
        "distributionType": "CUSTOM",
        "variants": [
            {"name": "A", "trafficDistribution": 60},
            {"name": "B", "trafficDistribution": "30.5"},
        ],
    }
    errors = errors_of(ab_test, data)
    assert errors == {
        "trafficDistribution": ["The traffic percentages must add up to 100; they add up to 90.5."]
    }
    data["variants"][1]["trafficDistribution"] = 40
    content = validate_content(experience=ab_test, data=data)
    assert [v.traffic_percent for v in content.variants] == [Decimal(60), Decimal(40)]


@pytest.mark.parametrize("value", [None, "", "abc", -1, 100.5, "1.234", True, "NaN", "Infinity"])
def test_validate_custom_percentage_out_of_range_is_refused(ab_test, value):
    data = {
        "distributionType": "CUSTOM",
        "variants": [
            {"name": "A", "trafficDistribution": value},
            {"name": "B", "trafficDistribution": 50},
        ],
    }
    errors = errors_of(ab_test, data)
    assert list(errors) == ["variants[0].trafficDistribution"]


def test_validate_selective_targeting_needs_an_audience(ab_test, project):
    errors = errors_of(
        ab_test, {"variants": [{"name": "A"}, {"name": "B"}], "targeting": {"audiences": []}}
    )
    assert errors == {"targeting.audiences": ["Please select at least one audience"]}
    audience = AudienceFactory(project=project)
    content = validate_content(
        experience=ab_test,
        data={
            "variants": [{"name": "A"}, {"name": "B"}],
            "targeting": {"audiences": [audience.uid], "audienceCombinationType": "OR"},
        },
    )
    assert content.target_group == TargetGroup.SELECTIVE
    assert content.targeting_audiences == [audience]
    assert content.targeting_combination == "OR"


def test_validate_metrics_put_primary_first_and_refuse_unknown_events(ab_test, project):
    add, buy = EventFactory(project=project, key="add"), EventFactory(project=project, key="buy")
    content = validate_content(
        experience=ab_test,
        data={
            "variants": [],
            "metrics": [
                {"__type": "Secondary", "event": add.uid},
                {"__type": "Primary", "event": buy.uid},
            ],
        },
    )
    assert content.metrics == [buy, add]
    errors = errors_of(
        ab_test, {"metrics": [{"event": add.uid}, {"event": "nope"}, {"event": add.uid}, {}]}
    )
    assert errors == {
        "metrics[1].event": ['There is no event "nope" in this project.'],
        "metrics[2].event": ['The event "add" is already a metric.'],
        "metrics[3].event": ["Please select an event"],
    }


def test_validate_segmented_refuses_ab_settings(segmented):
    errors = errors_of(segmented, {"variants": [], "metrics": [{"event": "x"}]})
    assert errors == {"metrics": ["Only A/B tests have a target group and metrics."]}


@pytest.mark.parametrize(
    "data", [[], "x", {"variants": "x"}, {"variants": [1]}, {"variants": [{"audiences": "x"}]}]
)
def test_validate_malformed_input_is_a_validation_error(segmented, data):
    with pytest.raises(ValidationFailed):
        validate_content(experience=segmented, data=data)


def test_version_content_round_trips_through_the_validator(ab_test, project, owner):
    from personalize_admin.experiences import services

    event = EventFactory(project=project)
    audience = AudienceFactory(project=project)
    data = {
        "variants": [
            {"name": "A", "trafficDistribution": 25},
            {"name": "B", "trafficDistribution": 75},
        ],
        "distributionType": "CUSTOM",
        "targeting": {"audiences": [audience.uid], "audienceCombinationType": "AND"},
        "metrics": [{"__type": "Primary", "event": event.uid}],
    }
    version = services.save_draft(version=ab_test.versions.get(), data=data, actor=owner)
    shown = version_content(version)
    assert shown == {
        "variants": [
            {"__type": "ABTestVariant", "shortUid": "0", "name": "A", "trafficDistribution": 25},
            {"__type": "ABTestVariant", "shortUid": "1", "name": "B", "trafficDistribution": 75},
        ],
        "distributionType": "CUSTOM",
        "targeting": {"audiences": [audience.uid], "audienceCombinationType": "AND"},
        "metrics": [{"__type": "Primary", "event": event.uid}],
    }
    ab_test.refresh_from_db()
    assert validate_content(experience=ab_test, data=shown).variants[1].short_uid == "1"


@given(count=st.integers(min_value=1, max_value=200))
def test_equal_split_is_fair_for_any_count(count):
    split = equal_split(count)
    assert len(split) == count
    assert sum(split) == 100
    assert max(split) - min(split) <= Decimal("0.01")
    assert split == sorted(split, reverse=True)
