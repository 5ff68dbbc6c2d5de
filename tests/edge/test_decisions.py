"""Decisions follow the rules specification (rules.md, "Decisions")."""

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from personalize_admin.edge import decisions
from personalize_admin.edge.decisions import bucket, decide, hash_seed, manifest, manifest_json
from personalize_admin.edge.snapshot import BUCKETS, bucket_ends, snapshot_for_project
from personalize_admin.experiences import services as experience_services
from personalize_admin.experiences.models import Experience
from tests.edge.conftest import (
    ab_test,
    country_audience,
    make_audience,
    plan_audience,
    preset_rule,
    segmented,
)
from tests.factories import make_experience

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def variants_for(project, presets=None, custom=None, user_uid="visitor", tags=None):
    snapshot = snapshot_for_project(project)
    chosen = decide(
        snapshot, {"DATE_AND_TIME": NOW, **(presets or {})}, custom or {}, user_uid, tags
    )
    return {
        experience.short_uid: (variant.short_uid if variant else None)
        for experience, variant in chosen
    }


def test_decide_segmented_first_matching_variant_wins(project, owner, plan):
    us = country_audience(project, "US")
    pro = plan_audience(project, plan, "pro")
    hero = segmented(project, owner, [([pro], "AND"), ([us], "AND")])

    assert variants_for(project, {"COUNTRY": "US"}, {"plan": "pro"}) == {hero.short_uid: "0"}
    assert variants_for(project, {"COUNTRY": "US"}, {"plan": "free"}) == {hero.short_uid: "1"}
    assert variants_for(project, {"COUNTRY": "FR"}, {"plan": "free"}) == {hero.short_uid: None}


def test_decide_segmented_match_all_needs_every_audience(project, owner, plan):
    us = country_audience(project, "US")
    pro = plan_audience(project, plan, "pro")
    hero = segmented(project, owner, [([us, pro], "AND")])

    assert variants_for(project, {"COUNTRY": "US"}, {"plan": "pro"}) == {hero.short_uid: "0"}
    assert variants_for(project, {"COUNTRY": "US"}, {"plan": "free"}) == {hero.short_uid: None}
    assert variants_for(project, {}, {"plan": "pro"}) == {hero.short_uid: None}


def test_decide_segmented_match_any_needs_one_audience(project, owner, plan):
    us = country_audience(project, "US")
    pro = plan_audience(project, plan, "pro")
    hero = segmented(project, owner, [([us, pro], "OR")])

    assert variants_for(project, {"COUNTRY": "FR"}, {"plan": "pro"}) == {hero.short_uid: "0"}
    assert variants_for(project, {"COUNTRY": "US"}, {}) == {hero.short_uid: "0"}
    assert variants_for(project, {"COUNTRY": "FR"}, {"plan": "free"}) == {hero.short_uid: None}


def test_decide_paused_experience_gives_null(project, owner):
    us = country_audience(project, "US")
    hero = segmented(project, owner, [([us], "AND")])
    split = ab_test(project, owner)
    experience_services.pause_version(version=hero.versions.get(), actor=owner)
    experience_services.pause_version(version=split.versions.get(), actor=owner)

    assert variants_for(project, {"COUNTRY": "US"}) == {hero.short_uid: None, split.short_uid: None}


def test_decide_never_activated_experiences_are_absent(project, owner):
    us = country_audience(project, "US")
    live = segmented(project, owner, [([us], "AND")])
    make_experience(project=project, actor=owner, name="Empty draft")
    make_experience(
        project=project,
        actor=owner,
        name="Filled draft",
        variants=[{"name": "A", "audiences": [us.uid]}],
    )

    assert variants_for(project, {"COUNTRY": "US"}) == {live.short_uid: "0"}


def test_decide_follows_priority_order(project, owner):
    us = country_audience(project, "US")
    first = segmented(project, owner, [([us], "AND")])
    second = ab_test(project, owner)
    third = segmented(project, owner, [([us], "AND")])
    experience_services.set_priorities(
        project=project,
        ordered_experience_uids=[third.uid, first.uid, second.uid],
        actor=owner,
    )

    snapshot = snapshot_for_project(project)
    order = [experience.short_uid for experience, _ in decide(snapshot, {}, {}, "v")]

    assert order == [third.short_uid, first.short_uid, second.short_uid]


def test_decide_tags_keep_experiences_with_any_of_them(project, owner):
    home = ab_test(project, owner, tags=["home"])
    ab_test(project, owner, tags=["checkout"])
    untagged = ab_test(project, owner)
    both = ab_test(project, owner, tags=["home", "promo"])

    assert list(variants_for(project, tags=frozenset({"home"}))) == [home.short_uid, both.short_uid]
    assert list(variants_for(project, tags=frozenset({"promo", "nothing"}))) == [both.short_uid]
    assert untagged.short_uid in variants_for(project)


def test_decide_ab_selective_target_group_leaves_others_out(project, owner):
    us = country_audience(project, "US")
    split = ab_test(project, owner, [0, 100], targeting=([us], "AND"))

    assert variants_for(project, {"COUNTRY": "US"}) == {split.short_uid: "1"}
    assert variants_for(project, {"COUNTRY": "DE"}) == {split.short_uid: None}


def test_decide_evaluates_the_audiences_once_per_visitor(project, owner):
    us = country_audience(project, "US")
    segmented(project, owner, [([us], "AND")])
    segmented(project, owner, [([us], "OR")])
    ab_test(project, owner, targeting=([us], "OR"))
    snapshot = snapshot_for_project(project)
    calls = []

    def counting(presets, custom):
        calls.append(1)
        return snapshot.evaluate(presets, custom)

    counted = type(snapshot)(**{**_fields(snapshot), "evaluate": counting})
    result = decide(counted, {"COUNTRY": "US"}, {}, "v")

    assert len(calls) == 1
    assert len(snapshot.audiences) == 1
    assert all(variant is not None for _, variant in result)


def _fields(snapshot):
    return {name: getattr(snapshot, name) for name in snapshot.__dataclass_fields__}


def test_decide_trace_names_the_matching_variant_and_bucket(project, owner, plan):
    us = country_audience(project, "US")
    pro = plan_audience(project, plan, "pro")
    segmented(project, owner, [([pro], "AND"), ([us], "AND")])
    ab_test(project, owner, [25, 75], targeting=([us], "AND"))
    trace = []

    decide(snapshot_for_project(project), {"COUNTRY": "US"}, {"plan": "free"}, "v", trace=trace)

    segmented_reason, ab_reason = trace
    assert segmented_reason.outcome == decisions.MATCHED
    assert [(variant.short_uid, matched) for variant, matched in segmented_reason.tried] == [
        ("0", False),
        ("1", True),
    ]
    assert ab_reason.outcome == decisions.BUCKETED
    assert ab_reason.in_target is True
    assert ab_reason.bucket == bucket(ab_reason.experience.hash_seed, "v")
    assert ab_reason.variant.bucket_start <= ab_reason.bucket < ab_reason.variant.bucket_end


def test_manifest_lists_experiences_and_active_variants(project, owner):
    us = country_audience(project, "US")
    hero = segmented(project, owner, [([us], "AND")])
    paused = ab_test(project, owner)
    experience_services.pause_version(version=paused.versions.get(), actor=owner)
    snapshot = snapshot_for_project(project)

    body = manifest(decide(snapshot, {"COUNTRY": "US"}, {}, "v"))

    assert json.loads(manifest_json(decide(snapshot, {"COUNTRY": "US"}, {}, "v"))) == body
    assert body == {
        "experiences": [
            {"shortUid": hero.short_uid, "activeVariantShortUid": "0"},
            {"shortUid": paused.short_uid, "activeVariantShortUid": None},
        ],
        "activeVariants": {hero.short_uid: "0", paused.short_uid: None},
    }


# ---------- A/B buckets ----------


@pytest.mark.parametrize(
    ("percents", "ends"),
    [
        ([50, 50], (5000, 10000)),
        (["33.34", "33.33", "33.33"], (3334, 6667, 10000)),
        ([10, 0, 90], (1000, 1000, 10000)),
        ([None, None], (5000, 10000)),
        (["0.01", "99.99"], (1, 10000)),
    ],
)
def test_bucket_ends_cover_exactly_all_buckets(percents, ends):
    assert bucket_ends(percents) == ends


def test_bucket_of_a_known_visitor_never_changes():
    """Changing the hash would move every visitor of every running A/B test."""
    assert hash_seed("0123456789abcdef01234567", "5eed") == 3269877006
    assert bucket(hash_seed("0123456789abcdef01234567", "5eed"), "visitor-1") == 4872


def test_bucket_is_the_same_in_another_process():
    uids = [f"user-{n}" for n in range(50)]
    seed = hash_seed("experience", "seed")
    here = [bucket(seed, uid) for uid in uids]
    code = (
        "from personalize_admin.edge.buckets import bucket, hash_seed; "
        f"print([bucket(hash_seed('experience', 'seed'), uid) for uid in {uids!r}])"
    )
    # Another interpreter with another string hash seed: nothing may depend on hash().
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONHASHSEED": "7"}
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout

    assert there.strip() == str(here)
    assert all(0 <= number < BUCKETS for number in here)


def test_ab_split_of_ten_thousand_visitors_is_within_two_points(project, owner):
    split = ab_test(project, owner, [20, 30, 50], names=["A", "B", "C"])
    snapshot = snapshot_for_project(project)
    counts = Counter()
    for number in range(10_000):
        ((_, variant),) = decide(snapshot, {}, {}, f"user-{number}")
        counts[variant.short_uid] += 1

    shares = {short_uid: count / 10_000 * 100 for short_uid, count in counts.items()}
    assert set(shares) == {"0", "1", "2"}
    for short_uid, expected in (("0", 20), ("1", 30), ("2", 50)):
        assert abs(shares[short_uid] - expected) <= 2, shares
    assert split.versions.get().variants.count() == 3


def test_ab_variant_is_stable_across_requests_and_versions(project, owner):
    split = ab_test(project, owner, [50, 50])
    users = [f"user-{n}" for n in range(200)]
    before = {uid: variants_for(project, user_uid=uid)[split.short_uid] for uid in users}
    # A new version with the same variants and percentages keeps every visitor's variant.
    draft = experience_services.create_draft(experience=split, actor=owner)
    experience_services.activate_version(version=draft, actor=owner)
    after = {uid: variants_for(project, user_uid=uid)[split.short_uid] for uid in users}

    assert before == after
    assert set(before.values()) == {"0", "1"}


def test_ab_experiences_split_independently(project, owner):
    first = ab_test(project, owner, [50, 50])
    second = ab_test(project, owner, [50, 50])
    assert Experience.objects.get(pk=first.pk).seed != Experience.objects.get(pk=second.pk).seed
    pairs = Counter()
    for number in range(2000):
        chosen = variants_for(project, user_uid=f"u{number}")
        pairs[(chosen[first.short_uid], chosen[second.short_uid])] += 1

    # Independent splits put about a quarter of visitors in each combination.
    assert all(400 <= pairs[(a, b)] <= 600 for a in "01" for b in "01"), pairs


def test_decide_rule_on_page_url_and_inverted_rule(project, owner):
    newsletter = make_audience(
        project,
        {
            **preset_rule("QUERY_PARAMETERS", "JSON_MATCH"),
            "attributeMatchOptions": {
                "__type": "JsonMatchOptions",
                "key": "utm_source",
                "value": "newsletter",
            },
        },
    )
    not_us = make_audience(project, preset_rule("COUNTRY", "STRING_EQUALS", "US", invert=True))
    hero = segmented(project, owner, [([newsletter], "AND"), ([not_us], "AND")])

    assert variants_for(project, {"QUERY_PARAMETERS": {"utm_source": "Newsletter"}}) == {
        hero.short_uid: "0"
    }
    assert variants_for(project, {}) == {
        hero.short_uid: "1"
    }  # no country: the inverted rule matches
    assert variants_for(project, {"COUNTRY": "US"}) == {hero.short_uid: None}
