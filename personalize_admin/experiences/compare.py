"""What changed between two versions of an experience, in words a content manager reads.

Variants are matched by short UID, which a draft keeps for every variant it
copied, so a renamed variant shows as renamed rather than removed and added.
"""

from dataclasses import dataclass

from .content import format_percent
from .models import CombinationType, DistributionType


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed" or "changed"
    text: str


def _names(uids, audience_names):
    return ", ".join(audience_names.get(uid, uid) for uid in uids) or "none"


def _percent(value):
    return "-" if value is None else f"{format_percent(value)}%"


def _combination(value):
    return CombinationType(value).label if value in CombinationType.values else value


def compare_contents(old, new, *, audience_names, event_keys):
    """The changes from content ``old`` to ``new`` (both in the API's JSON shape)."""
    changes = []
    old_variants = {v["shortUid"]: v for v in old.get("variants", [])}
    new_variants = {v["shortUid"]: v for v in new.get("variants", []) if v.get("shortUid")}
    for variant in new.get("variants", []):
        short_uid = variant.get("shortUid")
        if not short_uid:
            changes.append(Change("added", f'Added variant "{variant["name"]}" (not saved yet).'))
        elif short_uid not in old_variants:
            changes.append(
                Change("added", f'Added variant "{variant["name"]}" (short UID {short_uid}).')
            )
    for short_uid, variant in old_variants.items():
        if short_uid not in new_variants:
            changes.append(
                Change("removed", f'Removed variant "{variant["name"]}" (short UID {short_uid}).')
            )
    for short_uid, after in new_variants.items():
        before = old_variants.get(short_uid)
        if before is None:
            continue
        label = f'Variant "{after["name"]}"'
        if before["name"] != after["name"]:
            changes.append(
                Change("changed", f'Renamed variant "{before["name"]}" to "{after["name"]}".')
            )
        if sorted(before.get("audiences") or []) != sorted(after.get("audiences") or []):
            changes.append(
                Change(
                    "changed",
                    f"{label}: audiences {_names(before.get('audiences', []), audience_names)} → "
                    f"{_names(after.get('audiences', []), audience_names)}.",
                )
            )
        if before.get("audienceCombinationType") != after.get("audienceCombinationType"):
            changes.append(
                Change(
                    "changed",
                    f"{label}: condition {_combination(before.get('audienceCombinationType'))} → "
                    f"{_combination(after.get('audienceCombinationType'))}.",
                )
            )
        if before.get("trafficDistribution") != after.get("trafficDistribution"):
            changes.append(
                Change(
                    "changed",
                    f"{label}: traffic {_percent(before.get('trafficDistribution'))} → "
                    f"{_percent(after.get('trafficDistribution'))}.",
                )
            )
    kept_old = [uid for uid in old_variants if uid in new_variants]
    kept_new = [uid for uid in new_variants if uid in old_variants]
    if kept_old != kept_new:
        changes.append(Change("changed", "Changed the order of the variants."))
    if old.get("distributionType") != new.get("distributionType") and "distributionType" in new:
        label = {
            DistributionType.EQUAL: "equal split",
            DistributionType.CUSTOM: "custom percentages",
        }
        changes.append(
            Change(
                "changed",
                f"Traffic distribution: {label.get(old.get('distributionType'), '-')} → "
                f"{label.get(new.get('distributionType'), '-')}.",
            )
        )
    if old.get("targeting") != new.get("targeting"):
        changes.append(
            Change(
                "changed",
                f"Target group: {_targeting(old.get('targeting'), audience_names)} → "
                f"{_targeting(new.get('targeting'), audience_names)}.",
            )
        )
    old_metrics = [m["event"] for m in old.get("metrics", [])]
    new_metrics = [m["event"] for m in new.get("metrics", [])]
    if old_metrics != new_metrics:
        changes.append(
            Change(
                "changed",
                f"Metrics: {', '.join(event_keys.get(e, e) for e in old_metrics) or 'none'} → "
                f"{', '.join(event_keys.get(e, e) for e in new_metrics) or 'none'}.",
            )
        )
    return changes


def _targeting(targeting, audience_names):
    if not targeting:
        return "Everyone"
    return (
        f"Selective ({_combination(targeting.get('audienceCombinationType'))}: "
        f"{_names(targeting.get('audiences', []), audience_names)})"
    )
