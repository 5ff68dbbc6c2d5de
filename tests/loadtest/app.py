"""The loadtest's Django side: build the project, change it every second, read the results.

``python -m tests.loadtest.app setup`` prints the project as JSON;
``… control <project uid> <seconds> <output.json>`` changes it every second;
``… verify <project uid> <accepted uids file>`` prints what analytics holds.
Each runs with the ``DATABASE_URL`` of the loadtest (see ``run``).
"""

import json
import sys
import time

ROUNDS = ("steady", "faults")

COUNTRY_US = {
    "__type": "Rule",
    "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
    "attributeMatchCondition": "STRING_EQUALS",
    "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "US"},
    "invertCondition": False,
}


def flip_definition(matches_us):
    return {
        "__type": "RuleCombination",
        "combinationType": "AND",
        "rules": [{**COUNTRY_US, "invertCondition": not matches_us}],
    }


def _user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="loadtest")[0]


def _live(experience):
    from personalize_admin.experiences.models import LIVE_STATUSES

    return experience.versions.get(status__in=LIVE_STATUSES)


def setup():
    from personalize_admin.audiences import services as audience_services
    from personalize_admin.experiences import services as experience_services
    from personalize_admin.projects import services as project_services
    from personalize_admin.projects.models import Project

    user = _user()
    for previous in Project.objects.filter(name="Loadtest"):
        project_services.delete_project(
            project=previous, actor=user, confirmation=project_services.DELETE_CONFIRMATION
        )
    project = project_services.create_project(name="Loadtest", actor=user)
    event = audience_services.create_event(project=project, key="purchase", actor=user)
    flip = audience_services.create_audience(
        project=project, name="Flip", definition=flip_definition(True), actor=user
    )

    def experience(name, type, data):
        made = experience_services.create_experience(
            project=project, name=name, type=type, tags=[], actor=user
        )
        experience_services.activate_version(version=made.versions.get(), actor=user, data=data)
        made.refresh_from_db()
        return made

    segmented = {
        "variants": [
            {"name": "Flipped in", "audiences": [flip.uid], "audienceCombinationType": "OR"}
        ]
    }
    ab = {"variants": [{"name": "Control"}, {"name": "Treatment"}]}
    audience_pair = [experience(f"Audience pair {n}", "SEGMENTED", segmented) for n in (1, 2)]
    status_pair = [experience(f"Status pair {n}", "AB_TEST", ab) for n in (1, 2)]
    # One steady A/B test per round, so that each round's events are counted apart.
    steady = {
        name: experience(
            f"Steady {name}",
            "AB_TEST",
            {**ab, "metrics": [{"__type": "Primary", "event": event.uid}]},
        )
        for name in ROUNDS
    }
    return {
        "project_uid": project.uid,
        "audience_pair": [e.short_uid for e in audience_pair],
        "status_pair": [e.short_uid for e in status_pair],
        "steady": {name: made.short_uid for name, made in steady.items()},
        "steady_variants": {
            name: list(_live(made).variants.values_list("short_uid", flat=True))
            for name, made in steady.items()
        },
        "flip_audience": flip.uid,
    }


def control(project_uid, seconds, output):
    """Every second: flip the shared audience, and pause, resume or replace the status pair."""
    from django.db import InterfaceError, OperationalError, close_old_connections, transaction

    from personalize_admin.audiences import services as audience_services
    from personalize_admin.audiences.models import Audience
    from personalize_admin.experiences import services as experience_services
    from personalize_admin.experiences.models import Experience, VersionStatus

    user = _user()
    changes, failed, tick = 0, 0, 0
    matches_us = True
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        tick += 1
        began = time.monotonic()
        try:
            close_old_connections()
            audience = Audience.objects.get(project__uid=project_uid, name="Flip")
            audience_services.update_audience(
                audience=audience,
                name=audience.name,
                description=audience.description,
                definition=flip_definition(not matches_us),
                actor=user,
            )
            matches_us = not matches_us
            changes += 1
            pair = list(
                Experience.objects.filter(
                    project__uid=project_uid, name__startswith="Status pair"
                ).order_by("name")
            )
            with transaction.atomic():  # both experiences change in one commit
                for experience in pair:
                    live = _live(experience)
                    if tick % 5 == 0:
                        variants = [{"name": f"Control {tick}"}, {"name": f"Treatment {tick}"}]
                        draft = experience_services.create_draft(
                            experience=experience, actor=user, data={"variants": variants}
                        )
                        experience_services.activate_version(version=draft, actor=user)
                    elif live.status == VersionStatus.ACTIVE:
                        experience_services.pause_version(version=live, actor=user)
                    else:
                        experience_services.resume_version(version=live, actor=user)
            changes += 1
        except (OperationalError, InterfaceError):
            failed += 1
            try:
                from django.db import connection

                connection.close()
            except Exception:
                pass
        time.sleep(max(0.0, 1.0 - (time.monotonic() - began)))
    with open(output, "w") as handle:
        json.dump({"changes": changes, "failed": failed, "ticks": tick}, handle)


def versions(project_uid):
    """For each experience of the status pair: ``{variant short uid: version number}``."""
    from personalize_admin.experiences.models import Variant

    mapping = {}
    for experience_short, variant_short, number in Variant.objects.filter(
        version__experience__project__uid=project_uid,
        version__experience__name__startswith="Status pair",
    ).values_list("version__experience__short_uid", "short_uid", "version__number"):
        mapping.setdefault(experience_short, {})[variant_short] = number
    return mapping


def verify(project_uid, round_name):
    from django.db.models import Sum

    from personalize_admin.analytics.models import (
        DailyConversions,
        DailyImpressions,
        UniqueConversion,
        UniqueImpression,
    )
    from personalize_admin.edge.models import EdgeEvent, EventKind
    from personalize_admin.experiences.models import Experience

    steady = Experience.objects.get(project__uid=project_uid, name=f"Steady {round_name}")
    version = _live(steady)
    raw = EdgeEvent.objects.filter(version=version)
    return {
        "raw_impression_uids": list(
            raw.filter(kind=EventKind.IMPRESSION).values_list("user_uid", flat=True)
        ),
        "raw_conversion_uids": list(
            raw.filter(kind=EventKind.CONVERSION).values_list("user_uid", flat=True)
        ),
        "unique_impressions": UniqueImpression.objects.filter(version=version).count(),
        "unique_conversions": UniqueConversion.objects.filter(version=version).count(),
        "daily_impressions": DailyImpressions.objects.filter(version=version).aggregate(
            total=Sum("count")
        )["total"]
        or 0,
        "daily_conversions": DailyConversions.objects.filter(version=version).aggregate(
            total=Sum("count")
        )["total"]
        or 0,
        "versions": versions(project_uid),
    }


def main(argv):
    import django

    django.setup()
    command = argv[0]
    if command == "setup":
        print(json.dumps(setup()))
    elif command == "control":
        control(argv[1], float(argv[2]), argv[3])
    elif command == "verify":
        print(json.dumps(verify(argv[1], argv[2])))
    else:
        raise SystemExit(f"Unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
