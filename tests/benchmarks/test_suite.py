"""``make bench``'s report and the admin benchmark's goals (no timing is asserted here)."""

import random
from collections import Counter

import pytest

from tests.benchmarks import admin, suite

MACHINE = {
    "date": "2026-11-23 18:00 UTC",
    "cpus": 2,
    "cpu_model": "Test CPU",
    "memory_gb": 8.0,
    "os": "Linux 6",
    "python": "3.12.1",
    "sqlite": "3.46.1",
    "postgresql": "15.1",
    "load_average": [1.5, 1.0, 0.5],
}


def wrk(rps, p50=1.0, p99=5.0, failed=0):
    return {"requests_per_second": rps, "p50_ms": p50, "p99_ms": p99, "failed": failed}


def results():
    return {
        "rules": {
            "audiences": 200,
            "visitors": 10000,
            "evaluations": 2_000_000,
            "matching_pairs": 12345,
            "repeat": 3,
            "personalize": {"seconds": 0.5, "evaluations_per_second": 4_000_000},
            "growthbook": {"seconds": 5.0, "evaluations_per_second": 400_000, "version": "1.2"},
            "ratio": 10.0,
            "goal_ratio": 5,
        },
        "edge:sqlite": {
            "manifest": wrk(800.0),
            "baseline": wrk(1000.0),
            "ratio": 0.8,
            "goal_met": True,
            "setup": {"load": "wrk -t1 -c8 -d10s × 2"},
        },
        "analytics:postgresql": {
            "reads": {
                "small": {"raw_events": 10_000},
                "large": {"raw_events": 2_000_000},
                "goal_ratio": 1.5,
                "timings": {"summary": {"small_ms": 2.0, "large_ms": 4.0, "ratio": 2.0}},
            },
            "ingestion": {
                "events": wrk(300.0),
                "manifest": wrk(600.0),
                "ratio": 0.5,
            },
        },
        "admin:sqlite": {
            "pages": {
                "experiences_list": {
                    "small_ms": 50.0,
                    "large_ms": 2500.0,
                    "ratio": 50.0,
                    "queries_small": 13,
                    "queries_large": 13,
                },
                "experience_overview": {
                    "small_ms": 40.0,
                    "large_ms": 44.0,
                    "ratio": 1.1,
                    "queries_small": 13,
                    "queries_large": 14,
                },
            },
            "goals_met": {"experiences_list": True, "experience_overview": False},
        },
    }


def test_render_leads_with_ratios_and_describes_the_machine():
    text = suite.render(results(), MACHINE)

    assert "Test CPU, 2 cores" in text
    assert "PostgreSQL 15.1" in text
    assert "2026-11-23 18:00 UTC" in text
    assert "The machine was busy" not in text
    busy = suite.render(results(), {**MACHINE, "load_average": [3.5, 3.0, 3.0]})
    assert "The machine was busy" in busy
    assert "| Personalize compiled engine | **10.00×** faster |" in text
    assert "| SQLite | **0.800×** | 800/s | 1,000/s |" in text
    assert "| PostgreSQL | not run |" in text  # the edge benchmark on PostgreSQL
    assert "| **2.00×** | 4.00 ms | 2.00 ms | **missed** |" in text
    assert "| PostgreSQL | **0.500×** | 300/s | 600/s |" in text
    assert (
        "| SQLite | Experiences list (first page, 50 rows) | **50.00×** | 2500 ms | 50.00 ms | 13 → 13 |"
        in text
    )
    assert "13 → 14 | same queries, ≤ 1.5×: **missed** |" in text


def test_render_marks_a_quick_run_and_lists_the_runs():
    text = suite.render({}, MACHINE, quick=True, runs={"rules": {"seconds": 12, "exit": 0}})
    assert "**Quick run**" in text
    assert "| rules |  | 12 | 0 |" in text
    assert "Not run." in text


def test_admin_goals_need_constant_queries_and_flat_experience_pages():
    row = {"queries_small": 13, "queries_large": 13, "ratio": 40.0}
    assert admin.goals({"experiences_list": row}) == {"experiences_list": True}
    assert admin.goals({"experience_overview": row}) == {"experience_overview": False}
    assert admin.goals({"experience_overview": {**row, "ratio": 1.2}}) == {
        "experience_overview": True
    }
    assert admin.goals({"experiences_list": {**row, "queries_large": 14}}) == {
        "experiences_list": False
    }
    # A search that finds one experience must cost the same, now that the whole
    # page no longer holds the priority list; the Prioritize modal's body lists
    # every experience, so only its queries must stay constant.
    assert admin.goals({"experiences_search": row}) == {"experiences_search": False}
    assert admin.goals({"experiences_search": {**row, "ratio": 1.2}}) == {
        "experiences_search": True
    }
    assert admin.goals({"experiences_prioritize_htmx": row}) == {
        "experiences_prioritize_htmx": True
    }
    assert admin.goals({"experiences_search_htmx": row}) == {"experiences_search_htmx": False}


@pytest.mark.django_db
def test_admin_build_makes_live_paused_and_draft_experiences(owner):
    from personalize_admin.experiences.models import VersionStatus

    project, experiences = admin.build(owner, "Admin bench test", 10, random.Random(1))

    assert len(experiences) == 10
    statuses = Counter(e.versions.get().status for e in experiences)
    assert statuses == {VersionStatus.ACTIVE: 8, VersionStatus.PAUSED: 1, VersionStatus.DRAFT: 1}
    assert {e.type for e in experiences} == {"SEGMENTED", "AB_TEST"}
