"""Analytics benchmark: reads that do not grow with events, and ingestion speed.

``make bench-analytics`` (or ``python -m tests.benchmarks.analytics``), in one run:

1. **Reads.** In a dedicated database (``tests/artifacts/bench/analytics.sqlite3``;
   ``DATABASE_URL`` chooses another, e.g. PostgreSQL) two A/B versions that ran
   90 days: a *small* one with 10,000 raw events sent through the Edge API's
   ingestion (``record_events``, which counts them as they arrive) and a
   *large* one with 2,000,000 raw events inserted in bulk together with the
   unique keys and daily counts they imply. Both paths are checked against the
   raw events (distinct users per variant, distinct converters per variant)
   before anything is timed. Then the summary (``services.load`` +
   ``services.summary``), the chart data (``services.time_series``) and the
   Analytics tab's HTTP response (chart and table views) are timed for both,
   alternately, and the ratio large / small is reported (goal: ≤ 1.5).
2. **Ingestion.** The edge benchmark's project (``tests/benchmarks/edge``)
   served by gunicorn (2 sync workers), loaded with ``wrk``: ``POST
   /edge/events`` (an impression of a random live experience by a mostly new
   visitor, and a custom event that A/B tests measure in 30 % of requests)
   against ``GET /edge/manifest`` as the baseline, alternately.

Results go to ``tests/artifacts/bench/analytics.json`` and, as a table, to stdout.
"""

import argparse
import json
import os
import platform
import random
import signal
import statistics as stats
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks import edge as edge_bench

ROOT = edge_bench.ROOT
BENCH_DIR = edge_bench.BENCH_DIR
OUTPUT = BENCH_DIR / "analytics.json"
GOAL_RATIO = 1.5
DAYS = 90
CONVERSION_RATES = (0.05, 0.06)
ATTRIBUTION = timedelta(days=29)


# ---------- part 1: reads (runs with Django set up) ----------


def _experience(project, user, name, event):
    from personalize_admin.experiences import services as experience_services
    from personalize_admin.experiences.models import Version

    experience = experience_services.create_experience(
        project=project, name=name, description="", type="AB_TEST", tags=[], actor=user
    )
    data = {
        "variants": [{"name": "Control"}, {"name": "Treatment"}],
        "metrics": [{"__type": "Primary", "event": event.uid}],
    }
    version = experience_services.activate_version(
        version=experience.versions.get(), data=data, actor=user
    )
    start = datetime.now(UTC) - timedelta(days=DAYS)
    Version.objects.filter(pk=version.pk).update(activated_at=start)
    return experience, version, start


def visitors(rng, start, count_limit):
    """Yield each visitor's raw events: ``(kind, variant index, moment)``, mostly
    1–4 impressions (duplicates) and, now and then, a conversion."""
    from personalize_admin.edge.models import EventKind

    emitted = 0
    number = 0
    end = start + timedelta(days=DAYS) - timedelta(minutes=5)
    while emitted < count_limit:
        number += 1
        variant = number % 2
        first = start + timedelta(seconds=rng.uniform(0, DAYS * 86400 - 600))
        events = [(EventKind.IMPRESSION, variant, first)]
        for _ in range(rng.randint(0, 3)):
            later = first + timedelta(seconds=rng.uniform(0, 5 * 86400))
            events.append((EventKind.IMPRESSION, variant, min(later, end)))
        if rng.random() < CONVERSION_RATES[variant]:
            converted = first + timedelta(seconds=rng.uniform(60, 3 * 86400))
            events.append((EventKind.EVENT, variant, min(converted, end)))
        events = events[: count_limit - emitted]
        emitted += len(events) + sum(1 for e in events if e[0] == EventKind.EVENT)
        yield f"user-{number}", sorted(events, key=lambda e: e[2])


def ingest_small(project, experience, version, start, count, rng):
    """Send ``count`` raw events (conversions included) through ``record_events``."""
    from personalize_admin.edge.models import EventKind
    from personalize_admin.edge.services import IncomingEvent, record_events
    from personalize_admin.edge.snapshot import snapshot_for_project

    snapshot = snapshot_for_project(project)
    live = next(e for e in snapshot.experiences if e.id == experience.pk)
    event_id = live.metric_event_ids[0]
    for user_uid, events in visitors(rng, start, count):
        for kind, variant, moment in events:
            if kind == EventKind.IMPRESSION:
                incoming = IncomingEvent(kind, live.version_id, live.variants[variant].id)
            else:
                incoming = IncomingEvent(kind, event_id=event_id)
            record_events(snapshot=snapshot, user_uid=user_uid, events=[incoming], now=moment)


def _insert(cursor, connection, table, columns, rows):
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows
        )


def insert_large(project, version, start, count, rng, event):
    """Insert ``count`` raw events in bulk with the unique keys and daily counts
    that counting them one by one would have made."""
    from django.db import connection, transaction

    from personalize_admin.analytics.counting import day_of
    from personalize_admin.analytics.models import (
        DailyConversions,
        DailyImpressions,
        UniqueConversion,
        UniqueImpression,
    )
    from personalize_admin.edge.models import EdgeEvent, EventKind

    variants = list(version.variants.order_by("position").values_list("pk", flat=True))
    ops = connection.ops
    adapt = (lambda v: v) if connection.vendor == "postgresql" else ops.adapt_datetimefield_value
    adapt_day = (lambda v: v) if connection.vendor == "postgresql" else ops.adapt_datefield_value
    raw_columns = [
        "project_id",
        "kind",
        "user_uid",
        "occurred_at",
        "version_id",
        "variant_id",
        "event_id",
    ]
    unique_impressions, unique_conversions = [], []
    daily_impressions, daily_conversions, last = Counter(), Counter(), {}
    batch = []
    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        table = EdgeEvent._meta.db_table
        for user_uid, events in visitors(rng, start, count):
            first_impression = None
            for kind, variant, moment in events:
                variant_id = variants[variant]
                if kind == EventKind.IMPRESSION:
                    batch.append(
                        (project.pk, kind, user_uid, adapt(moment), version.pk, variant_id, None)
                    )
                    if first_impression is None:
                        first_impression = moment
                        key = (variant_id, day_of(moment))
                        unique_impressions.append(
                            (version.pk, variant_id, user_uid, adapt_day(key[1]))
                        )
                        daily_impressions[key] += 1
                        last[("i",) + key] = max(last.get(("i",) + key, moment), moment)
                else:
                    batch.append((project.pk, kind, user_uid, adapt(moment), None, None, event.pk))
                    if first_impression is not None and moment - first_impression <= ATTRIBUTION:
                        batch.append(
                            (
                                project.pk,
                                EventKind.CONVERSION,
                                user_uid,
                                adapt(moment),
                                version.pk,
                                variant_id,
                                event.pk,
                            )
                        )
                        key = (variant_id, day_of(moment))
                        unique_conversions.append(
                            (version.pk, event.pk, user_uid, variant_id, adapt_day(key[1]))
                        )
                        daily_conversions[key] += 1
                        last[("c",) + key] = max(last.get(("c",) + key, moment), moment)
            if len(batch) >= 20_000:
                _insert(cursor, connection, table, raw_columns, batch)
                inserted += len(batch)
                batch = []
        if batch:
            _insert(cursor, connection, table, raw_columns, batch)
            inserted += len(batch)
        _insert(
            cursor,
            connection,
            UniqueImpression._meta.db_table,
            ["version_id", "variant_id", "user_uid", "day"],
            unique_impressions,
        )
        _insert(
            cursor,
            connection,
            UniqueConversion._meta.db_table,
            ["version_id", "event_id", "user_uid", "variant_id", "day"],
            unique_conversions,
        )
    DailyImpressions.objects.bulk_create(
        DailyImpressions(
            version=version,
            variant_id=variant_id,
            day=day,
            count=n,
            last_counted_at=last[("i", variant_id, day)],
        )
        for (variant_id, day), n in daily_impressions.items()
    )
    DailyConversions.objects.bulk_create(
        DailyConversions(
            version=version,
            variant_id=variant_id,
            event=event,
            day=day,
            count=n,
            last_counted_at=last[("c", variant_id, day)],
        )
        for (variant_id, day), n in daily_conversions.items()
    )
    return inserted


def raw_truth(version):
    """Distinct users per variant and distinct converters per variant, from raw events."""
    from django.db.models import Count

    from personalize_admin.edge.models import EdgeEvent, EventKind

    def distinct(kind):
        return dict(
            EdgeEvent.objects.filter(version=version, kind=kind)
            .values_list("variant_id")
            .annotate(Count("user_uid", distinct=True))
        )

    return distinct(EventKind.IMPRESSION), distinct(EventKind.CONVERSION)


def counted(version):
    from personalize_admin.analytics import services

    summary = services.summary(services.load(version))
    impressions = {row.variant.pk: row.impressions for row in summary.rows}
    conversions = {row.variant.pk: row.conversions for row in summary.metrics[0].rows}
    return impressions, conversions


def timed(function, repeat):
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return stats.median(samples)


def reads_worker(small_count, large_count, repeat, seed=11):
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from personalize_admin.analytics import services
    from personalize_admin.audiences import services as audience_services
    from personalize_admin.edge.models import EdgeEvent
    from personalize_admin.projects import services as project_services
    from personalize_admin.projects.models import Project

    rng = random.Random(seed)
    user, _ = get_user_model().objects.get_or_create(
        username="analytics-benchmark", defaults={"is_superuser": True}
    )
    for previous in Project.objects.filter(name="Analytics benchmark"):
        project_services.delete_project(
            project=previous, actor=user, confirmation=project_services.DELETE_CONFIRMATION
        )
    project = project_services.create_project(name="Analytics benchmark", actor=user)
    event = audience_services.create_event(project=project, key="purchase", actor=user)
    small, small_version, small_start = _experience(project, user, "Small", event)
    large, large_version, large_start = _experience(project, user, "Large", event)

    began = time.perf_counter()
    ingest_small(project, small, small_version, small_start, small_count, rng)
    small_seconds = time.perf_counter() - began
    began = time.perf_counter()
    large_rows = insert_large(project, large_version, large_start, large_count, rng, event)
    large_seconds = time.perf_counter() - began
    small_rows = EdgeEvent.objects.filter(project=project).count() - large_rows

    checks = {}
    for name, version in (("small", small_version), ("large", large_version)):
        truth, got = raw_truth(version), counted(version)
        checks[name] = truth == got
        if not checks[name]:
            raise SystemExit(
                f"The {name} version's analytics disagree with its raw events: {truth} vs {got}"
            )

    client = Client()
    client.force_login(user)
    # The pages link their static files without a collectstatic manifest.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()

    def tab(experience, view):
        url = f"/projects/{project.uid}/experiences/{experience.uid}/analytics/?view={view}"

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    operations = {
        "summary": lambda version: lambda: services.summary(services.load(version)),
        "chart": lambda version: lambda: services.time_series(services.load(version)),
    }
    results = {}
    for name, make in operations.items():
        for target in (small_version, large_version):  # warm up
            timed(make(target), 3)
        runs = {"small": [], "large": []}
        for _round in range(3):
            runs["small"].append(timed(make(small_version), repeat))
            runs["large"].append(timed(make(large_version), repeat))
        results[name] = runs
    for view in ("chart", "table"):
        name = f"tab_{view}"
        for experience in (small, large):
            timed(tab(experience, view), 3)
        runs = {"small": [], "large": []}
        for _round in range(3):
            runs["small"].append(timed(tab(small, view), repeat))
            runs["large"].append(timed(tab(large, view), repeat))
        results[name] = runs
    summary = {}
    for name, runs in results.items():
        small_ms, large_ms = stats.median(runs["small"]), stats.median(runs["large"])
        summary[name] = {
            "small_ms": round(small_ms, 3),
            "large_ms": round(large_ms, 3),
            "ratio": round(large_ms / small_ms, 3),
        }
    return {
        "small": {
            "raw_events": small_rows,
            "path": "record_events",
            "seconds": round(small_seconds, 1),
        },
        "large": {
            "raw_events": large_rows,
            "path": "bulk insert",
            "seconds": round(large_seconds, 1),
        },
        "agree_with_raw_events": checks,
        "timings": summary,
        "repeat": repeat,
    }


# ---------- part 2: ingestion under gunicorn ----------

EVENTS_LUA = """
-- Generated by tests/benchmarks/analytics.py: POST /edge/events, mostly new visitors.
local project = "{project_uid}"
local experiences = {experiences}

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local headers = {{}}
  headers["X-Project-Uid"] = project
  headers["X-CS-Personalize-User-Uid"] = "ingest-" .. math.random(1, {user_uid_range})
  headers["Content-Type"] = "text/plain;charset=UTF-8"
  headers["X-User-Agent"] = "personalize-edge-sdk-js/1.0.27"
  local short_uid = experiences[math.random(#experiences)]
  local body = '[{{"type":"IMPRESSION","experienceShortUid":"' .. short_uid .. '","variantShortUid":"0"}}'
  if math.random() < 0.3 then
    body = body .. ',{{"type":"EVENT","eventKey":"purchase"}}'
  end
  return wrk.format("POST", "/edge/events", headers, body .. "]")
end
"""


def events_lua(project_uid, short_uids, user_uid_range=1_000_000):
    return EVENTS_LUA.format(
        project_uid=project_uid,
        experiences=edge_bench._lua_list(short_uids),
        user_uid_range=user_uid_range,
    )


def live_short_uids_main():
    import django

    django.setup()
    from personalize_admin.edge.snapshot import snapshot_for_project
    from personalize_admin.projects.models import Project

    project = Project.objects.get(uid=sys.argv[sys.argv.index("--short-uids") + 1])
    print(json.dumps([e.short_uid for e in snapshot_for_project(project).experiences]))


def ingestion(database_url, args):
    environment = edge_bench.server_environment(database_url)
    python = sys.executable
    edge_bench.migrate(environment)
    built = subprocess.run(
        [python, "-m", "tests.benchmarks.edge", "--build"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    project_uid = json.loads(built.stdout.strip().splitlines()[-1])["project_uid"]
    listed = subprocess.run(
        [python, "-m", "tests.benchmarks.analytics", "--short-uids", project_uid],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    short_uids = json.loads(listed.stdout.strip().splitlines()[-1])
    wrk = edge_bench.find_wrk()
    manifest_script = BENCH_DIR / "analytics-manifest.lua"
    manifest_script.write_text(edge_bench.lua_script(project_uid))
    events_script = BENCH_DIR / "analytics-events.lua"
    events_script.write_text(events_lua(project_uid, short_uids))
    base = f"http://127.0.0.1:{args.port}"
    server = edge_bench.start_gunicorn(environment, args.port)
    measure = dict(duration=args.duration, connections=args.connections, threads=1)
    try:
        edge_bench.wait_until_up(f"{base}/edge/ping")
        print("Warming up …", flush=True)
        edge_bench.run_wrk(
            wrk, base, manifest_script, "/edge/manifest", **{**measure, "duration": 3}
        )
        edge_bench.run_wrk(wrk, base, events_script, "", **{**measure, "duration": 3})
        manifest, events = [], []
        for round_number in range(1, args.rounds + 1):
            print(f"Ingestion round {round_number}/{args.rounds} …", flush=True)
            manifest.append(
                edge_bench.run_wrk(wrk, base, manifest_script, "/edge/manifest", **measure)
            )
            events.append(edge_bench.run_wrk(wrk, base, events_script, "", **measure))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    def summarize(runs):
        return {
            "requests_per_second": round(stats.mean(r["requests_per_second"] for r in runs), 1),
            "p50_ms": round(stats.mean(r["p50_ms"] for r in runs), 3),
            "p99_ms": round(stats.mean(r["p99_ms"] for r in runs), 3),
            "requests": sum(r["requests"] for r in runs),
            "failed": sum(r["failed"] for r in runs),
        }

    result = {"manifest": summarize(manifest), "events": summarize(events)}
    result["ratio"] = round(
        result["events"]["requests_per_second"] / result["manifest"]["requests_per_second"], 3
    )
    result["load"] = f"wrk -t1 -c{args.connections} -d{args.duration}s × {args.rounds}"
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["all", "reads", "ingestion"], default="all")
    parser.add_argument("--small", type=int, default=10_000, help="raw events of the small version")
    parser.add_argument(
        "--large", type=int, default=2_000_000, help="raw events of the large version"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timings per round")
    parser.add_argument("--port", type=int, default=8602)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk measurement")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        for leftover in BENCH_DIR.glob("analytics.sqlite3*"):
            leftover.unlink()
        database_url = f"sqlite:///{BENCH_DIR / 'analytics.sqlite3'}"
    environment = {**edge_bench.server_environment(database_url), "ALLOWED_HOSTS": "testserver"}
    result = {
        "benchmark": "analytics",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "database": database_url.split(":", 1)[0],
    }
    if args.part in ("all", "reads"):
        edge_bench.migrate(environment)
        print(f"Generating {args.small:,} and {args.large:,} raw events …", flush=True)
        worker = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.analytics",
                "--reads-worker",
                str(args.small),
                str(args.large),
                str(args.repeat),
            ],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        )
        result["reads"] = json.loads(worker.stdout.strip().splitlines()[-1])
        result["reads"]["goal_ratio"] = GOAL_RATIO
        result["reads"]["goal_met"] = all(
            item["ratio"] <= GOAL_RATIO for item in result["reads"]["timings"].values()
        )
    if args.part in ("all", "ingestion"):
        result["ingestion"] = ingestion(database_url, args)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print()
    if "reads" in result:
        reads = result["reads"]
        print(
            f"Raw events: small {reads['small']['raw_events']:,} (ingested), "
            f"large {reads['large']['raw_events']:,} (bulk); both agree with their raw events."
        )
        print(f"{'':14}{'small ms':>10}{'large ms':>10}{'ratio':>8}")
        for name, row in reads["timings"].items():
            print(f"{name:14}{row['small_ms']:>10.2f}{row['large_ms']:>10.2f}{row['ratio']:>8.2f}")
        print(f"goal: every ratio ≤ {GOAL_RATIO}: {'met' if reads['goal_met'] else 'NOT met'}")
    if "ingestion" in result:
        ing = result["ingestion"]
        print(f"\n{'':24}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'failed':>8}")
        for name, label in (("manifest", "GET /edge/manifest"), ("events", "POST /edge/events")):
            row = ing[name]
            print(
                f"{label:24}{row['requests_per_second']:>12.1f}{row['p50_ms']:>10.2f}"
                f"{row['p99_ms']:>10.2f}{row['failed']:>8}"
            )
        print(f"events / manifest = {ing['ratio']:.3f}")
    print(f"\nWritten to {args.output}")
    return 0 if result.get("reads", {}).get("goal_met", True) else 1


if __name__ == "__main__":
    if "--reads-worker" in sys.argv:
        position = sys.argv.index("--reads-worker")
        small, large, repeat = (int(value) for value in sys.argv[position + 1 : position + 4])
        print(json.dumps(reads_worker(small, large, repeat)))
    elif "--short-uids" in sys.argv:
        live_short_uids_main()
    else:
        sys.exit(main())
