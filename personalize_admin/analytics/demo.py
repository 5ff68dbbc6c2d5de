"""Demo analytics: weeks of traffic for the demo shop's A/B test and an archived history.

Runs after the edge demo, which sent two weeks of traffic to the live
versions. The demo's versions were all activated a moment ago, so first their
dates are moved back to when that traffic (and the traffic below) began, then
more traffic goes through the Edge API's own ingestion (``record_events``),
which keeps the analytics tables up to date, with timestamps spread over
past days:

- "Checkout button color" (A/B): three weeks on its live version, enough for
  the green button to win on ``checkout_completed``;
- "Product page recommendations" (segmented): version 1 live for 25 days,
  version 2 for 21, both archived now with their own numbers, and the live
  version 3 for the last two weeks.
"""

import dataclasses
import random
from datetime import timedelta

from django.utils import timezone

from personalize_admin.audiences.rules import presets_from_headers
from personalize_admin.edge.decisions import decide
from personalize_admin.edge.models import EventKind
from personalize_admin.edge.services import IncomingEvent, record_events
from personalize_admin.edge.snapshot import snapshot_for_project
from personalize_admin.experiences.models import LIVE_STATUSES, Experience, Version

AB_TEST = "Checkout button color"
HISTORY = "Product page recommendations"
AB_VISITORS = 2_200
AB_DAYS = 21
# Conversion rates on (checkout_completed, add_to_cart) per variant position.
AB_RATES = [(0.040, 0.16), (0.058, 0.17)]
# Version number → (activated days ago, archived days ago or None, visitors per day,
# chance of each variant in position order).
HISTORY_TIMELINE = {
    1: (60, 35, 40, [0.55]),
    2: (35, 14, 55, [0.45, 0.3]),
    3: (14, None, 0, []),
}


def _set_dates(version, activated, archived=None):
    fields = {"activated_at": activated}
    if archived is not None:
        fields["archived_at"] = archived
    Version.objects.filter(pk=version.pk).update(**fields)


def _ab_traffic(project, experience, now, rng, visitors):
    snapshot = snapshot_for_project(project)
    live = next(e for e in snapshot.experiences if e.id == experience.pk)
    keys = {event_id: key for key, event_id in snapshot.event_ids_by_key.items()}
    metrics = [keys[event_id] for event_id in live.metric_event_ids]
    for number in range(visitors):
        user_uid = f"demo-shopper-{number:05d}"
        when = now - timedelta(days=rng.uniform(0, AB_DAYS - 0.1))
        presets = presets_from_headers({}, now=when)
        variant = next(v for e, v in decide(snapshot, presets, {}, user_uid) if e.id == live.id)
        position = live.variants.index(variant)
        events = [IncomingEvent(EventKind.IMPRESSION, live.version_id, variant.id)]
        for key, rate in zip(metrics, AB_RATES[min(position, len(AB_RATES) - 1)], strict=False):
            if rng.random() < rate:
                events.append(
                    IncomingEvent(EventKind.EVENT, event_id=snapshot.event_ids_by_key[key])
                )
        record_events(snapshot=snapshot, user_uid=user_uid, events=events[:1], now=when)
        if len(events) > 1:
            later = when + timedelta(minutes=rng.randint(2, 40))
            record_events(snapshot=snapshot, user_uid=user_uid, events=events[1:], now=later)


def _archived_traffic(project, version, start, end, per_day, chances, rng):
    # Archived versions are no longer in the live snapshot; their impressions are
    # recorded as they were while live (segmented: no conversions to derive).
    snapshot = dataclasses.replace(snapshot_for_project(project), metric_versions_by_event={})
    variants = list(version.variants.order_by("position", "pk"))
    day, number = start, 0
    while day < end:
        for _ in range(rng.randint(per_day // 2, per_day * 3 // 2)):
            number += 1
            roll, chosen = rng.random(), None
            for variant, chance in zip(variants, chances, strict=False):
                if roll < chance:
                    chosen = variant
                    break
                roll -= chance
            if chosen is None:
                continue
            when = min(day + timedelta(minutes=rng.randint(0, 1439)), end - timedelta(minutes=1))
            record_events(
                snapshot=snapshot,
                user_uid=f"demo-v{version.number}-{number:05d}",
                events=[IncomingEvent(EventKind.IMPRESSION, version.pk, chosen.pk)],
                now=when,
            )
        day += timedelta(days=1)


def load(*, project, user, ab_visitors=AB_VISITORS, seed=2027):
    rng = random.Random(seed)
    now = timezone.now()
    # The edge demo's traffic covers the last two weeks: every live version was live then.
    for version in Version.objects.filter(experience__project=project, status__in=LIVE_STATUSES):
        _set_dates(version, now - timedelta(days=15))

    checkout = Experience.objects.filter(project=project, name=AB_TEST).first()
    if checkout is not None and checkout.live_version is not None:
        _set_dates(checkout.live_version, now - timedelta(days=AB_DAYS))
        _ab_traffic(project, checkout, now, rng, ab_visitors)

    history = Experience.objects.filter(project=project, name=HISTORY).first()
    if history is not None:
        versions = {version.number: version for version in history.versions.all()}
        for number, (activated, archived, per_day, chances) in HISTORY_TIMELINE.items():
            version = versions.get(number)
            if version is None:
                continue
            start = now - timedelta(days=activated)
            end = now - timedelta(days=archived) if archived is not None else None
            _set_dates(version, start, end if version.is_archived else None)
            if per_day and version.is_archived and end is not None:
                _archived_traffic(project, version, start, end, per_day, chances, rng)
