"""A version's content (variants and A/B settings) in the Management API's JSON shape.

One validator serves the web UI (the Configuration form builds this shape from
its inputs) and the Management API (clients send it), so both accept and refuse
exactly the same things and report errors under the same paths
(``variants[1].audiences``, ``targeting.audiences``, ``metrics[0].event``…).
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings

from personalize_admin.audiences.models import Audience, Event
from personalize_admin.core.errors import ValidationFailed
from personalize_admin.core.text import is_storable
from personalize_admin.core.uids import is_uid

from .models import CombinationType, DistributionType, ExperienceType, TargetGroup, Variant

VARIANT_NAME_REQUIRED = "Please enter a variant name"
AUDIENCE_REQUIRED = "Please select at least one audience"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
VARIANT_TYPES = {
    ExperienceType.SEGMENTED: "SegmentedVariant",
    ExperienceType.AB_TEST: "ABTestVariant",
}


@dataclass
class CleanVariant:
    short_uid: str | None  # None: a new variant, numbered when saved
    name: str
    audiences: list = field(default_factory=list)
    combination: str = CombinationType.AND
    traffic_percent: Decimal | None = None


@dataclass
class CleanContent:
    variants: list
    distribution_type: str = DistributionType.EQUAL
    target_group: str = TargetGroup.EVERYONE
    targeting_audiences: list = field(default_factory=list)
    targeting_combination: str = CombinationType.AND
    metrics: list = field(default_factory=list)  # events; the first is the primary metric


def equal_split(count):
    """Percentages for ``count`` variants that differ by at most 0.01 and add up to 100.

    The first variants take the leftover cents, so 3 variants get 33.34, 33.33, 33.33.
    """
    if count <= 0:
        return []
    share = (HUNDRED / count).quantize(CENT, rounding=ROUND_DOWN)
    leftover = int((HUNDRED - share * count) / CENT)
    return [share + CENT if index < leftover else share for index in range(count)]


def format_percent(value):
    """``Decimal("50.00")`` → ``"50"``, ``Decimal("33.34")`` → ``"33.34"``."""
    if value is None:
        return ""
    text = f"{Decimal(value):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value):
    """Percentages travel as JSON numbers; the API answers whole ones as integers."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def version_content(version):
    """The version's content as the API shows it (uses prefetched variants when present)."""
    experience = version.experience
    variants = []
    for variant in version.variants.all():
        item = {
            "__type": VARIANT_TYPES[experience.type],
            "shortUid": variant.short_uid,
            "name": variant.name,
        }
        if experience.is_ab_test:
            item["trafficDistribution"] = (
                _number(variant.traffic_percent) if variant.traffic_percent is not None else None
            )
        else:
            item["audiences"] = [audience.uid for audience in variant.audiences.all()]
            item["audienceCombinationType"] = variant.audience_combination
        variants.append(item)
    data = {"variants": variants}
    if experience.is_ab_test:
        data["distributionType"] = version.distribution_type
        if version.target_group == TargetGroup.SELECTIVE:
            data["targeting"] = {
                "audiences": [audience.uid for audience in version.targeting_audiences.all()],
                "audienceCombinationType": version.targeting_combination,
            }
        else:
            data["targeting"] = None
        data["metrics"] = [
            {"__type": "Primary" if index == 0 else "Secondary", "event": metric.event.uid}
            for index, metric in enumerate(version.metrics.all())
        ]
    return data


class _Errors:
    def __init__(self):
        self.by_path = {}

    def add(self, path, message):
        self.by_path.setdefault(path, []).append(message)

    def __bool__(self):
        return bool(self.by_path)


def _as_list(value, errors, path, what):
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(path, f"Send {what} as a list.")
        return []
    return value


def _combination(value, errors, path):
    if value in (None, ""):
        return CombinationType.AND
    if value not in CombinationType.values:
        errors.add(path, "Choose Match All (AND) or Match Any (OR).")
        return CombinationType.AND
    return value


class _Lookup:
    """Resolves uids to the project's audiences and events with one query each."""

    def __init__(self, project, data):
        audience_uids, event_uids = set(), set()
        for variant in data.get("variants") or []:
            if isinstance(variant, dict) and isinstance(variant.get("audiences"), list):
                audience_uids.update(uid for uid in variant["audiences"] if isinstance(uid, str))
        targeting = data.get("targeting")
        if isinstance(targeting, dict) and isinstance(targeting.get("audiences"), list):
            audience_uids.update(uid for uid in targeting["audiences"] if isinstance(uid, str))
        for metric in data.get("metrics") or []:
            if isinstance(metric, dict) and isinstance(metric.get("event"), str):
                event_uids.add(metric["event"])
        # Only well-formed uids are looked up: anything else names nothing (and text
        # with a NUL would fail at PostgreSQL).
        audience_uids, event_uids = (
            set(filter(is_uid, audience_uids)),
            set(filter(is_uid, event_uids)),
        )
        self.audiences = (
            {a.uid: a for a in Audience.objects.filter(project=project, uid__in=audience_uids)}
            if audience_uids
            else {}
        )
        self.events = (
            {e.uid: e for e in Event.objects.filter(project=project, uid__in=event_uids)}
            if event_uids
            else {}
        )

    def audience_list(self, uids, errors, path):
        found = []
        for uid in uids:
            audience = self.audiences.get(uid) if isinstance(uid, str) else None
            if audience is None:
                errors.add(path, f'There is no audience "{uid}" in this project.')
            elif audience.is_deleted:
                errors.add(path, f'The audience "{audience.name}" was deleted. Choose another one.')
            elif audience not in found:
                found.append(audience)
        return found


def _percent(value, errors, path):
    if isinstance(value, bool) or value in (None, ""):
        errors.add(path, "Enter a percentage between 0 and 100.")
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(path, "Enter a percentage between 0 and 100.")
        return None
    if not number.is_finite() or number < 0 or number > HUNDRED:
        errors.add(path, "Enter a percentage between 0 and 100.")
        return None
    if number != number.quantize(CENT):
        errors.add(path, "Use at most two decimal places.")
        return None
    return number.quantize(CENT)


def _clean_variants(experience, raw_variants, lookup, errors, *, require_complete):
    limit = settings.PERSONALIZE_LIMITS["variants_per_version"]
    if len(raw_variants) > limit:
        errors.add("variants", f"A version has at most {limit} variants.")
    if require_complete:
        if experience.is_ab_test and len(raw_variants) < 2:
            errors.add("variants", "An A/B test needs at least two variants.")
        elif not experience.is_ab_test and not raw_variants:
            errors.add("variants", "Add at least one variant.")

    cleaned, seen_names, seen_short_uids = [], {}, set()
    name_limit = Variant._meta.get_field("name").max_length
    for index, raw in enumerate(raw_variants):
        path = f"variants[{index}]"
        if not isinstance(raw, dict):
            errors.add(path, "Send each variant as an object.")
            continue
        expected_type = VARIANT_TYPES[experience.type]
        if raw.get("__type") not in (None, expected_type):
            errors.add(f"{path}.__type", f"This experience's variants are {expected_type}s.")

        short_uid = raw.get("shortUid")
        if short_uid in (None, ""):
            short_uid = None
        else:
            short_uid = str(short_uid)
            issued = short_uid.isdigit() and int(short_uid) < experience.next_variant_short_uid
            if not issued:
                errors.add(
                    f"{path}.shortUid",
                    f'No variant of this experience has the short UID "{short_uid}". '
                    "Leave it out to add a new variant.",
                )
            elif short_uid in seen_short_uids:
                errors.add(
                    f"{path}.shortUid", f'The short UID "{short_uid}" is used by two variants.'
                )
            seen_short_uids.add(short_uid)

        name = raw.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            errors.add(f"{path}.name", VARIANT_NAME_REQUIRED)
        elif len(name) > name_limit:
            errors.add(f"{path}.name", f"A variant name has at most {name_limit} characters.")
        elif not is_storable(name):
            errors.add(f"{path}.name", "A variant name cannot contain NUL characters.")
        elif name.lower() in seen_names:
            errors.add(
                f"{path}.name", f"Variant {seen_names[name.lower()] + 1} already has this name."
            )
        else:
            seen_names[name.lower()] = index

        variant = CleanVariant(short_uid=short_uid, name=name)
        if experience.is_ab_test:
            variant.traffic_percent = raw.get("trafficDistribution")
        else:
            uids = _as_list(raw.get("audiences"), errors, f"{path}.audiences", "audiences")
            variant.audiences = lookup.audience_list(uids, errors, f"{path}.audiences")
            if not uids:
                errors.add(f"{path}.audiences", AUDIENCE_REQUIRED)
            variant.combination = _combination(
                raw.get("audienceCombinationType"), errors, f"{path}.audienceCombinationType"
            )
        cleaned.append(variant)
    return cleaned


def _clean_distribution(data, variants, errors):
    distribution = data.get("distributionType") or DistributionType.EQUAL
    if distribution not in DistributionType.values:
        errors.add("distributionType", "Choose EQUAL or CUSTOM.")
        distribution = DistributionType.EQUAL
    if distribution == DistributionType.EQUAL:
        for variant, share in zip(variants, equal_split(len(variants)), strict=True):
            variant.traffic_percent = share
        return distribution
    total, complete = Decimal(0), True
    for index, variant in enumerate(variants):
        variant.traffic_percent = _percent(
            variant.traffic_percent, errors, f"variants[{index}].trafficDistribution"
        )
        if variant.traffic_percent is None:
            complete = False
        else:
            total += variant.traffic_percent
    if variants and complete and total != HUNDRED:
        errors.add(
            "trafficDistribution",
            f"The traffic percentages must add up to 100; they add up to {format_percent(total)}.",
        )
    return distribution


def _clean_targeting(data, lookup, errors, content):
    targeting = data.get("targeting")
    if targeting in (None, {}):
        return
    if not isinstance(targeting, dict):
        errors.add("targeting", "Send the target group as an object, or null for everyone.")
        return
    content.target_group = TargetGroup.SELECTIVE
    uids = _as_list(targeting.get("audiences"), errors, "targeting.audiences", "audiences")
    content.targeting_audiences = lookup.audience_list(uids, errors, "targeting.audiences")
    if not uids:
        errors.add("targeting.audiences", AUDIENCE_REQUIRED)
    content.targeting_combination = _combination(
        targeting.get("audienceCombinationType"), errors, "targeting.audienceCombinationType"
    )


def _clean_metrics(data, lookup, errors):
    raw_metrics = _as_list(data.get("metrics"), errors, "metrics", "metrics")
    primaries = [m for m in raw_metrics if isinstance(m, dict) and m.get("__type") == "Primary"]
    if len(primaries) > 1:
        errors.add("metrics", "Only one metric can be the primary metric.")
    # The primary metric goes first even when a client lists it later.
    ordered = sorted(
        enumerate(raw_metrics),
        key=lambda pair: (
            0 if isinstance(pair[1], dict) and pair[1].get("__type") == "Primary" else 1
        ),
    )
    events = []
    for index, raw in ordered:
        path = f"metrics[{index}].event"
        uid = raw.get("event") if isinstance(raw, dict) else None
        if not uid:
            errors.add(path, "Please select an event")
            continue
        event = lookup.events.get(uid) if isinstance(uid, str) else None
        if event is None:
            errors.add(path, f'There is no event "{uid}" in this project.')
        elif event.deleted_at is not None:
            errors.add(path, f'The event "{event.key}" was deleted. Choose another one.')
        elif event in events:
            errors.add(path, f'The event "{event.key}" is already a metric.')
        else:
            events.append(event)
    return events


def validate_content(*, experience, data, require_complete=False):
    """Check a version's content for ``experience`` and return it cleaned.

    ``data`` is the API's JSON shape (``variants``, and for A/B tests
    ``distributionType``, ``targeting``, ``metrics``). ``require_complete``
    adds what activation needs: at least one segmented variant, at least two
    A/B variants. Raises ``ValidationFailed`` with ``field_errors`` keyed by path.
    """
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationFailed(
            "Send the version as a JSON object.", field_errors={"": ["Send an object."]}
        )
    lookup = _Lookup(experience.project, data)
    raw_variants = _as_list(data.get("variants"), errors, "variants", "variants")
    variants = _clean_variants(
        experience, raw_variants, lookup, errors, require_complete=require_complete
    )
    content = CleanContent(variants=variants)
    if experience.is_ab_test:
        content.distribution_type = _clean_distribution(data, variants, errors)
        _clean_targeting(data, lookup, errors, content)
        content.metrics = _clean_metrics(data, lookup, errors)
    else:
        for key in ("targeting", "metrics"):
            if data.get(key):
                errors.add(key, "Only A/B tests have a target group and metrics.")
    if errors:
        first_path, first_messages = next(iter(errors.by_path.items()))
        count = sum(len(messages) for messages in errors.by_path.values())
        message = (
            f"{first_path}: {first_messages[0]}"
            if count == 1
            else (f"{count} problems need fixing, first {first_path}: {first_messages[0]}")
        )
        raise ValidationFailed(
            message, code="personalize.EXPERIENCES.VERSIONS.INVALID", field_errors=errors.by_path
        )
    return content
