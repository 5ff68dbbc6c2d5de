"""Deciding which variant of each live experience a visitor gets.

``decide(snapshot, presets, custom, user_uid, tags=None, trace=None)`` is the
one decision function: ``GET /edge/manifest`` calls it, and so does the
"Preview as visitor" page, which passes a ``trace`` list to learn why. It
follows the rules specification:

- experiences in priority order; with ``tags``, only those carrying one of them;
- paused → ``None``;
- segmented → the first variant, in variant order, whose audiences match
  (Match All: every one, Match Any: at least one), else ``None``;
- A/B test → ``None`` when a Selective target group leaves the visitor out,
  else the variant whose bucket range holds ``bucket(experience, user_uid)``.

The snapshot's audiences are evaluated once per call, all together, by the
function the snapshot compiled for them (see ``compiler``): rules shared by
several audiences are evaluated once, and a decision only reads results.
"""

from bisect import bisect_right
from dataclasses import dataclass, field

from .buckets import BUCKETS, bucket, hash_seed  # noqa: F401 - part of this module's API

# Outcomes, as the preview names them.
PAUSED = "paused"
MATCHED = "matched"
NO_MATCH = "no_match"
OUTSIDE_TARGET = "outside_target"
BUCKETED = "bucketed"


@dataclass
class Decision:
    """Why an experience gave the visitor its variant (only built for a ``trace``)."""

    experience: object  # LiveExperience
    variant: object  # LiveVariant or None
    outcome: str
    # Segmented: (variant, matched) for each variant tried, in order.
    tried: list = field(default_factory=list)
    # A/B: whether a Selective target group let the visitor in (None: Everyone).
    in_target: bool | None = None
    bucket: int | None = None
    # Audience index → result, for every audience evaluated while deciding.
    audience_results: dict = field(default_factory=dict)


def decide(snapshot, presets, custom, user_uid, tags=None, trace=None):
    """``[(experience, variant or None)]`` for the visitor, highest priority first.

    ``presets`` and ``custom`` are the visitor's values (see the rules engine),
    ``tags`` a set of lowercase tag names or ``None`` for all experiences, and
    ``trace`` an optional list that receives one ``Decision`` per experience.
    """
    results, groups = snapshot.evaluate(presets, custom)
    experiences = snapshot.experiences
    if tags is not None:
        experiences = [experience for experience in experiences if experience.tags & tags]
    decisions = []
    for experience in experiences:
        if experience.status != "ACTIVE":
            decisions.append((experience, None))
            if trace is not None:
                trace.append(Decision(experience, None, PAUSED))
            continue
        if experience.bucket_ends:
            targeting = experience.targeting
            if targeting is not None and not groups[experience.targeting_group]:
                decisions.append((experience, None))
                if trace is not None:
                    trace.append(
                        _with_audiences(
                            Decision(experience, None, OUTSIDE_TARGET, in_target=False),
                            targeting[0],
                            results,
                        )
                    )
                continue
            number = bucket(experience.hash_seed, user_uid)
            chosen = experience.variants[bisect_right(experience.bucket_ends, number)]
            decisions.append((experience, chosen))
            if trace is not None:
                decision = Decision(
                    experience,
                    chosen,
                    BUCKETED,
                    in_target=None if targeting is None else True,
                    bucket=number,
                )
                trace.append(_with_audiences(decision, targeting[0] if targeting else (), results))
            continue
        chosen = None
        tried = [] if trace is not None else None
        for variant in experience.variants:
            matched = groups[variant.group]
            if tried is not None:
                tried.append((variant, matched))
            if matched:
                chosen = variant
                break
        decisions.append((experience, chosen))
        if trace is not None:
            decision = Decision(experience, chosen, MATCHED if chosen else NO_MATCH, tried=tried)
            indices = [index for variant, _ in tried for index in variant.audiences]
            trace.append(_with_audiences(decision, indices, results))
    return decisions


def _with_audiences(decision, indices, results):
    decision.audience_results = {index: results[index] for index in indices}
    return decision


def manifest_json(decisions):
    """The manifest body for ``decide``'s result as JSON text, as the SDK reads it:
    ``{"experiences": [{"shortUid", "activeVariantShortUid"}…], "activeVariants": {…}}``.

    Joined from fragments the snapshot prepared for every experience with no
    variant and with each of its variants (``json_entry``, ``json_active``):
    the same text ``json.dumps(manifest(decisions))`` gives, several times
    faster than encoding dictionaries per request.
    """
    entries = ",".join([(variant or experience).json_entry for experience, variant in decisions])
    active = ",".join([(variant or experience).json_active for experience, variant in decisions])
    return '{"experiences":[' + entries + '],"activeVariants":{' + active + "}}"


def manifest(decisions):
    """The manifest body for ``decide``'s result, as a dictionary."""
    experiences = []
    active = {}
    for experience, variant in decisions:
        short_uid = variant.short_uid if variant is not None else None
        experiences.append({"shortUid": experience.short_uid, "activeVariantShortUid": short_uid})
        active[experience.short_uid] = short_uid
    return {"experiences": experiences, "activeVariants": active}
