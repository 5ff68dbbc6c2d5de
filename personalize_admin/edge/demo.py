"""Demo traffic: visitors of the demo shop seen by the Edge API over the last two weeks.

Each simulated visitor is decided by the Edge API's own ``decide`` and sends
what the SDK would: an impression for every experience that gave it a
variant and, now and then, a custom event. So the demo project has stored
visitors, impressions and conversions to show.
"""

import random
from datetime import timedelta

from django.utils import timezone

from personalize_admin.audiences.rules import presets_from_headers

from .decisions import decide
from .services import IMPRESSION, ingest_events, set_attributes
from .snapshot import snapshot_for_project

VISITORS = 240
COUNTRIES = ["US", "US", "US", "CA", "GB", "DE", "FR"]
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
]
PAGES = [
    "https://shop.example/",
    "https://shop.example/?utm_source=newsletter",
    "https://shop.example/tents?utm_source=google",
]


def load(*, project, user, visitors=VISITORS, seed=2026):
    rng = random.Random(seed)
    snapshot = snapshot_for_project(project)
    event_keys = sorted(snapshot.event_ids_by_key)
    keys_by_id = {event_id: key for key, event_id in snapshot.event_ids_by_key.items()}
    now = timezone.now()
    for number in range(visitors):
        user_uid = f"demo-visitor-{number:04d}"
        attributes = {
            "age": rng.randint(18, 70),
            "membership_tier": rng.choice(["bronze", "silver", "gold"]),
            "newsletter": rng.random() < 0.4,
        }
        set_attributes(project_id=project.pk, user_uid=user_uid, values=attributes)
        when = now - timedelta(days=rng.randint(0, 13), minutes=rng.randint(0, 1439))
        headers = {
            "User-Agent": rng.choice(USER_AGENTS),
            "X-Page-Url": rng.choice(PAGES),
            "X-Country": rng.choice(COUNTRIES),
        }
        presets = presets_from_headers(headers, now=when)
        decided = decide(snapshot, presets, attributes, user_uid)
        impressions = [
            {
                "type": IMPRESSION,
                "experienceShortUid": experience.short_uid,
                "variantShortUid": variant.short_uid,
            }
            for experience, variant in decided
            if variant is not None
        ]
        if impressions:
            ingest_events(snapshot=snapshot, user_uid=user_uid, payload=impressions, now=when)
        events = []
        for experience, variant in decided:
            # A/B tests' primary metrics convert a little better for later variants.
            if variant is not None and experience.metric_event_ids:
                if rng.random() < 0.2 + 0.1 * experience.variants.index(variant):
                    events.append(keys_by_id[experience.metric_event_ids[0]])
        if event_keys and rng.random() < 0.2:
            events.append(rng.choice(event_keys))
        if events:
            later = when + timedelta(minutes=rng.randint(1, 30))
            payload = [{"type": "EVENT", "eventKey": key} for key in events]
            ingest_events(snapshot=snapshot, user_uid=user_uid, payload=payload, now=later)
