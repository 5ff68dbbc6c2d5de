"""``make bench``: every benchmark, on SQLite and on PostgreSQL, rendered as ``docs/benchmarks.md``.

Runs, one after the other (each in its own processes, as ``make bench-*`` does):

- ``rules``: the audience engine against GrowthBook's ``evalCondition`` (no database);
- ``edge``: ``GET /edge/manifest`` against a trivial view under gunicorn;
- ``analytics``: summary and chart reads at 10k vs 2M raw events, and
  ``POST /edge/events`` against ``GET /edge/manifest``;
- ``admin``: the experiences list and an experience's pages with 1,000
  experiences against 10 (time and query counts);

the last three once with SQLite and once with PostgreSQL
(``BENCH_POSTGRES_URL``, by default ``postgres://postgres@127.0.0.1:5432/pa_bench``,
created when missing). Each writes JSON under ``tests/artifacts/bench/<database>/``;
then ``docs/benchmarks.md`` is rendered from those files with a description of
the machine. Every figure is a ratio to a baseline measured in the same run:
the machine is shared and absolute numbers move with its load, ratios much less.

``--render-only`` re-renders the report from the JSON already there; ``--quick``
runs shorter measurements (for trying it out; the report says so).
"""

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks import admin as admin_benchmark

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "tests" / "artifacts" / "bench"
REPORT = ROOT / "docs" / "benchmarks.md"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/pa_bench"
DATABASES = ("sqlite", "postgresql")
PER_DATABASE = ("edge", "analytics", "admin")

QUICK_ARGS = {
    "edge": ["--duration", "5", "--rounds", "1"],
    "analytics": ["--large", "200000", "--repeat", "10", "--duration", "5", "--rounds", "1"],
    "admin": ["--repeat", "5", "--rounds", "2"],
    "rules": ["--visitors", "2000", "--repeat", "2"],
}


# ---------- the machine ----------


def _first_line_with(path, prefix):
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def postgres_version(url):
    server = url.rsplit("/", 1)[0] + "/postgres"  # the benchmark's database may not exist yet
    try:
        import psycopg

        with psycopg.connect(_libpq(server), connect_timeout=3) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # the report says why it is missing
        return f"unknown ({type(error).__name__})"


def _libpq(url):
    return url.replace("postgres://", "postgresql://", 1)


def describe_machine(postgres_url=DEFAULT_POSTGRES_URL):
    memory_kb = _first_line_with("/proc/meminfo", "MemTotal").split(" ")[0]
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu_model": _first_line_with("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_gb": round(int(memory_kb) / 1024 / 1024, 1) if memory_kb.isdigit() else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(postgres_url),
        "load_average": [round(value, 2) for value in load],
    }


def ensure_postgres_database(url):
    """Create the benchmark database when it does not exist yet."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(_libpq(server), autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# ---------- running ----------


def output_path(benchmark, database=None):
    return BENCH_DIR / (database or "") / f"{benchmark}.json"


def run_benchmark(benchmark, database, database_url, extra):
    output = output_path(benchmark, database)
    output.parent.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ)
    environment.pop("DATABASE_URL", None)
    if database == "postgresql":
        environment["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", f"tests.benchmarks.{benchmark}", "--output", str(output)]
    print(f"\n=== {benchmark}" + (f" on {database}" if database else "") + " ===", flush=True)
    began = time.monotonic()
    completed = subprocess.run([*command, *extra], cwd=ROOT, env=environment)
    seconds = time.monotonic() - began
    if not output.exists():
        raise SystemExit(
            f"The {benchmark} benchmark wrote no result (exit {completed.returncode})."
        )
    # A missed goal is a figure to report, not a reason to stop the other benchmarks.
    return {
        "exit": completed.returncode,
        "seconds": round(seconds),
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def load_results():
    results = {"rules": _read(output_path("rules"))}
    for database in DATABASES:
        for benchmark in PER_DATABASE:
            results[f"{benchmark}:{database}"] = _read(output_path(benchmark, database))
    return results


def _read(path):
    try:
        result = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if isinstance(result, dict) and "benchmark" in result:
        moment = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        result["measured"] = moment.strftime("%Y-%m-%d %H:%M UTC")
    return result


def _measured(results, keys):
    moments = sorted(
        results[key]["measured"] for key in keys if (results.get(key) or {}).get("measured")
    )
    if not moments:
        return []
    span = moments[0] if moments[0] == moments[-1] else f"{moments[0]} to {moments[-1]}"
    return [f"Measured {span}.", ""]


# ---------- the report ----------

DB_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _ratio(value, digits=2):
    return "–" if value is None else f"**{value:.{digits}f}×**"


def _ms(value):
    return "–" if value is None else f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def _rps(value):
    return "–" if value is None else f"{value:,.0f}/s"


def _goal(met):
    return "met" if met else "**missed**"


def _rules_section(rules):
    lines = ["## Audience engine vs GrowthBook (`make bench-rules`)", ""]
    if not rules:
        return [*lines, "Not run.", ""]
    lines += _measured({"rules": rules}, ["rules"])
    lines += [
        f"{rules['audiences']} audiences of 3–8 rules × {rules['visitors']:,} visitors = "
        f"{rules['evaluations']:,} evaluations; both engines agree on every pair "
        f"({rules['matching_pairs']:,} matches); best of {rules['repeat']}. No database.",
        "",
        "| Engine | Ratio (GrowthBook time / ours) | Time | Evaluations/s |",
        "|---|---|---|---|",
        f"| Personalize compiled engine | {_ratio(rules['ratio'])} faster | "
        f"{rules['personalize']['seconds']:.3f} s | "
        f"{rules['personalize']['evaluations_per_second']:,} |",
        f"| GrowthBook {rules['growthbook']['version']} `evalCondition` (baseline) | 1× | "
        f"{rules['growthbook']['seconds']:.3f} s | "
        f"{rules['growthbook']['evaluations_per_second']:,} |",
        "",
        f"Goal: ≥ {rules['goal_ratio']:.0f}× — {_goal(rules['ratio'] >= rules['goal_ratio'])}.",
        "",
    ]
    return lines


def _edge_section(results):
    lines = [
        "## Edge manifest vs a trivial view (`make bench-edge`)",
        "",
        "gunicorn (2 sync workers, DEBUG off) on 127.0.0.1, driven by `wrk` with a different "
        "visitor, User-Agent, page, referrer and country on every request; 150 audiences, "
        "100 live experiences, 10,000 stored visitors. Baseline: `GET /edge/ping`, a Django "
        "view that does nothing, measured alternately with the manifest.",
        "",
        *_measured(results, [f"edge:{d}" for d in DATABASES]),
        "| Database | Ratio (manifest / ping, requests/s) | Manifest | Ping (baseline) | "
        "Manifest p50 / p99 | Ping p50 / p99 | Failed | Goal ≥ 0.7 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for database in DATABASES:
        edge = results.get(f"edge:{database}")
        if not edge:
            lines.append(f"| {DB_LABEL[database]} | not run | | | | | | |")
            continue
        m, b = edge["manifest"], edge["baseline"]
        lines.append(
            f"| {DB_LABEL[database]} | {_ratio(edge['ratio'], 3)} | "
            f"{_rps(m['requests_per_second'])} | {_rps(b['requests_per_second'])} | "
            f"{_ms(m['p50_ms'])} / {_ms(m['p99_ms'])} | {_ms(b['p50_ms'])} / {_ms(b['p99_ms'])} | "
            f"{m['failed'] + b['failed']} | {_goal(edge['goal_met'])} |"
        )
    load = next(
        (results[f"edge:{d}"]["setup"]["load"] for d in DATABASES if results.get(f"edge:{d}")), ""
    )
    if load:
        lines += ["", f"Load: `{load}` per endpoint."]
    return [*lines, ""]


READ_LABELS = {
    "summary": "Summary (`services.load` + `summary`)",
    "chart": "Chart data (`services.time_series`)",
    "tab_chart": "Analytics tab, chart view (HTTP)",
    "tab_table": "Analytics tab, table view (HTTP)",
}


def _analytics_section(results):
    lines = [
        "## Analytics: 2M events vs 10k, and ingestion (`make bench-analytics`)",
        "",
        "Two A/B versions that ran 90 days: the small one's events went through the Edge "
        "API's ingestion, the large one's were bulk-inserted with the counts they imply; both "
        "are checked against their raw events before anything is timed. Baseline: the same "
        "read on the small version (median of alternating runs).",
        "",
        *_measured(results, [f"analytics:{d}" for d in DATABASES]),
        "| Database | Read | Ratio (large / small) | Large | Small (baseline) | Goal ≤ 1.5 |",
        "|---|---|---|---|---|---|",
    ]
    for database in DATABASES:
        analytics = results.get(f"analytics:{database}")
        reads = (analytics or {}).get("reads")
        if not reads:
            lines.append(f"| {DB_LABEL[database]} | not run | | | | |")
            continue
        events = f"{reads['large']['raw_events']:,} vs {reads['small']['raw_events']:,} events"
        for name, row in reads["timings"].items():
            lines.append(
                f"| {DB_LABEL[database]} ({events}) | {READ_LABELS.get(name, name)} | "
                f"{_ratio(row['ratio'])} | {_ms(row['large_ms'])} | {_ms(row['small_ms'])} | "
                f"{_goal(row['ratio'] <= reads['goal_ratio'])} |"
            )
    lines += [
        "",
        "Ingestion: `POST /edge/events` (an impression by a mostly new visitor, plus a "
        "conversion in 30 % of requests; each request is one transaction that stores the raw "
        "events and updates the counts) against `GET /edge/manifest` as the baseline, same "
        "gunicorn and `wrk` setup as above.",
        "",
        "| Database | Ratio (events / manifest, requests/s) | Events | Manifest (baseline) | "
        "Events p50 / p99 | Failed |",
        "|---|---|---|---|---|---|",
    ]
    for database in DATABASES:
        ingestion = (results.get(f"analytics:{database}") or {}).get("ingestion")
        if not ingestion:
            lines.append(f"| {DB_LABEL[database]} | not run | | | | |")
            continue
        e, m = ingestion["events"], ingestion["manifest"]
        lines.append(
            f"| {DB_LABEL[database]} | {_ratio(ingestion['ratio'], 3)} | "
            f"{_rps(e['requests_per_second'])} | {_rps(m['requests_per_second'])} | "
            f"{_ms(e['p50_ms'])} / {_ms(e['p99_ms'])} | {e['failed'] + m['failed']} |"
        )
    return [*lines, ""]


ADMIN_LABELS = {
    "experiences_list": "Experiences list (first page, 50 rows)",
    "experiences_search": "Experiences list, search finding one (whole page)",
    "experiences_search_htmx": "Experiences list, search finding one (htmx table)",
    "experiences_prioritize_htmx": "Prioritize Experiences modal body (every experience)",
    "experience_overview": "Experience page (Overview)",
    "experience_configuration": "Experience page (Configuration)",
}


def _admin_section(results):
    lines = [
        "## Admin pages: 1,000 experiences vs 10 (`make bench-admin`)",
        "",
        "Two projects built through the services (two thirds Segmented, one third A/B; most "
        "live, some paused, some drafts), pages rendered through the whole middleware stack "
        "by Django's test client, signed in. Baseline: the same page in the project with 10 "
        "experiences (the median of each round, best of alternating rounds).",
        "",
        *_measured(results, [f"admin:{d}" for d in DATABASES]),
        "| Database | Page | Ratio (1,000 / 10) | 1,000 experiences | 10 (baseline) | "
        "Queries (10 → 1,000) | Goal |",
        "|---|---|---|---|---|---|---|",
    ]
    for database in DATABASES:
        admin = results.get(f"admin:{database}")
        if not admin:
            lines.append(f"| {DB_LABEL[database]} | not run | | | | | |")
            continue
        for name, row in admin["pages"].items():
            flat = admin_benchmark.is_flat(name)
            goal = "same queries, ≤ 1.5×" if flat else "same queries"
            lines.append(
                f"| {DB_LABEL[database]} | {ADMIN_LABELS.get(name, name)} | {_ratio(row['ratio'])} | "
                f"{_ms(row['large_ms'])} | {_ms(row['small_ms'])} | "
                f"{row['queries_small']} → {row['queries_large']} | "
                f"{goal}: {_goal(admin['goals_met'][name])} |"
            )
    lines += [
        "",
        "The list is paginated (50 rows a page), so the 1,000-experience project renders 50 "
        "rows where the small one renders its 10; a search that finds one experience costs "
        "the same in both. The Prioritize Experiences modal fetches its list (every "
        "experience) when it opens, so that body is the one page whose time grows with the "
        "experiences; its number of queries does not.",
    ]
    return [*lines, ""]


def render(results, machine, *, quick=False, runs=None):
    """``docs/benchmarks.md`` from the benchmarks' JSON results and the machine's description."""
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`tests/benchmarks/suite.py`), which runs every benchmark "
        "on SQLite and on PostgreSQL and renders this file from their JSON results "
        "(`tests/artifacts/bench/`). Each figure is a **ratio to a baseline measured in the "
        "same run**; absolute numbers are given for context only, since this machine is "
        "shared with other work and its load moves them.",
        "",
        "## Machine",
        "",
        f"- Run started: {machine['date']} (each section says when it was measured)",
        f"- CPU: {machine['cpu_model']}, {machine['cpus']} cores (`nproc`)",
        f"- RAM: {machine['memory_gb']} GB",
        f"- OS: {machine['os']}",
        f"- Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql']} (127.0.0.1)",
        f"- Load average when the run started: {', '.join(map(str, machine['load_average']))}",
    ]
    if machine["load_average"] and machine["load_average"][0] > (machine["cpus"] or 1):
        lines.append(
            "- **The machine was busy**: its load average exceeded its core count, so other "
            "processes competed for the CPU. This hurts the `wrk`-driven ratios most "
            "(gunicorn, `wrk` and PostgreSQL share the same cores, and the cheap baseline "
            "suffers less from waiting than the real endpoint); those ratios moved by up to "
            "±0.25 between runs on this machine. Re-run on an idle machine before reading "
            "them as the code's limit."
        )
    if quick:
        lines.append(
            "- **Quick run** (`--quick`): shorter measurements and 200k instead of 2M events."
        )
    lines.append("")
    lines += _rules_section(results.get("rules"))
    lines += _edge_section(results)
    lines += _analytics_section(results)
    lines += _admin_section(results)
    if runs:
        lines += [
            "## Runs",
            "",
            "| Benchmark | Finished | Seconds | Exit status |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {name} | {run.get('finished', '')} | {run['seconds']} | {run['exit']} |"
            for name, run in runs.items()
        ]
        lines += ["", "Exit status 1 means a goal was missed (the figures above say which).", ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--only", default="", help="comma-separated: rules,edge,analytics,admin")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)

    postgres_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    machine_file = BENCH_DIR / "machine.json"
    if args.render_only and machine_file.exists():
        machine = json.loads(machine_file.read_text())  # as it was when the benchmarks ran
    else:
        machine = describe_machine(postgres_url)
    runs = {}
    if not args.render_only:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        machine_file.write_text(json.dumps(machine, indent=2) + "\n")
        only = set(filter(None, args.only.split(","))) or {"rules", *PER_DATABASE}
        databases = [d for d in args.databases.split(",") if d]
        if "postgresql" in databases:
            ensure_postgres_database(postgres_url)
        if "rules" in only:
            runs["rules"] = run_benchmark(
                "rules", None, None, QUICK_ARGS["rules"] if args.quick else []
            )
        for database in databases:
            for benchmark in PER_DATABASE:
                if benchmark in only:
                    extra = QUICK_ARGS[benchmark] if args.quick else []
                    runs[f"{benchmark} ({database})"] = run_benchmark(
                        benchmark, database, postgres_url, extra
                    )
    # Runs accumulate across invocations (e.g. one benchmark run again with --only).
    runs_file = BENCH_DIR / "runs.json"
    runs = {**(_read(runs_file) or {}), **runs}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    runs_file.write_text(json.dumps(runs, indent=2) + "\n")
    report = render(load_results(), machine, quick=args.quick, runs=runs)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    print(f"\nReport written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
