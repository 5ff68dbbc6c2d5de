"""The loadtest's checks: mix detection, event reconciliation, the report (no load here)."""

import json

import pytest

from tests.loadtest import app, checks

PAIRS = checks.Pairs(audience=("1", "2"), status=("3", "4"))


def manifest(active):
    return json.dumps(
        {
            "experiences": [{"shortUid": k, "activeVariantShortUid": v} for k, v in active.items()],
            "activeVariants": active,
        }
    )


@pytest.mark.parametrize(
    "active",
    [
        {"1": "0", "2": "0", "3": None, "4": None, "9": "1"},
        {"1": None, "2": None, "3": None, "4": None},
    ],
)
def test_consistent_manifests_are_not_mixes(active):
    assert checks.manifest_mix(manifest(active), PAIRS) is None


def test_one_audience_experience_flipped_without_the_other_is_a_mix():
    mix = checks.manifest_mix(manifest({"1": "0", "2": None, "3": None, "4": None}), PAIRS)
    assert mix[0] == "audience"


def test_one_of_the_status_pair_paused_without_the_other_is_a_mix():
    mix = checks.manifest_mix(manifest({"1": "0", "2": "0", "3": "5", "4": None}), PAIRS)
    assert mix[0] == "status"


def test_both_live_are_handed_back_for_the_version_check():
    assert checks.manifest_mix(manifest({"1": None, "2": None, "3": "5", "4": "7"}), PAIRS) == (
        "versions",
        "5",
        "7",
    )


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"experiences": []}),
        manifest({"1": "0", "2": "0", "3": None}),  # an experience missing
        json.dumps(
            {
                "experiences": [{"shortUid": "1", "activeVariantShortUid": "0"}],
                "activeVariants": {"1": None},
            }
        ),
    ],
)
def test_malformed_manifests_count_as_mixes(body):
    assert checks.manifest_mix(body, PAIRS)[0] == "malformed"


def test_manifest_state_tells_which_configuration_was_served():
    body = manifest({"1": "0", "2": "0", "3": None, "4": None})
    assert checks.manifest_state(body, PAIRS) == (True, False)


def test_variants_of_different_versions_are_mixes():
    versions = [{"0": 1, "1": 1, "4": 2, "5": 2}, {"0": 1, "1": 1, "4": 2, "5": 2}]
    seen = {("0", "1"): 10, ("4", "5"): 3, ("1", "4"): 2, ("9", "0"): 1}
    assert checks.version_mixes(seen, versions) == (2, 1)


def stored(impressions, conversions=None, **overrides):
    conversions = impressions if conversions is None else conversions
    return {
        "raw_impression_uids": list(impressions),
        "raw_conversion_uids": list(conversions),
        "unique_impressions": len(set(impressions)),
        "unique_conversions": len(set(conversions)),
        "daily_impressions": len(set(impressions)),
        "daily_conversions": len(set(conversions)),
        **overrides,
    }


def test_reconcile_accepts_every_event_stored_and_counted_once():
    result = checks.reconcile(["a", "b"], stored(["a", "b", "c"]))
    assert result["ok"]
    assert result["lost"] == 0
    assert result["stored_not_acknowledged"] == 1


def test_reconcile_finds_a_lost_event():
    result = checks.reconcile(["a", "b"], stored(["a"]))
    assert not result["ok"]
    assert result["lost"] == 1


def test_reconcile_finds_a_lost_conversion():
    result = checks.reconcile(["a", "b"], stored(["a", "b"], ["a"]))
    assert not result["ok"]
    assert result["lost_conversions"] == 1


def test_reconcile_finds_double_counting():
    assert not checks.reconcile(["a"], stored(["a"], daily_impressions=2))["ok"]
    result = checks.reconcile(["a"], stored(["a", "a"]))
    assert not result["ok"]
    assert result["duplicated"] == 1


def test_tally_summarizes_statuses_and_failures():
    tally = checks.Tally()
    for status, seconds in ((200, 0.01), (200, 0.03), (503, 0.002), (500, 0.5), (404, 0.01)):
        tally.add(status, seconds)
    tally.fail("ServerDisconnectedError")
    summary = tally.summary(duration=2.0)
    assert summary["requests"] == 6
    assert summary["rps"] == 2.5
    assert summary["ok"] == 2
    assert summary["status_503"] == 1
    assert summary["other_5xx"] == 1
    assert summary["other_non_2xx"] == 1
    assert summary["no_answer"] == 1
    assert summary["max_ms"] == 500.0


def test_flip_definition_inverts_the_same_rule():
    on, off = app.flip_definition(True), app.flip_definition(False)
    assert on["rules"][0]["invertCondition"] is False
    assert off["rules"][0]["invertCondition"] is True
    assert on["rules"][0]["attributeMatchOptions"] == off["rules"][0]["attributeMatchOptions"]


def traffic(ok=100):
    return {
        "requests": ok,
        "rps": ok / 10,
        "p50_ms": 5.0,
        "p99_ms": 20.0,
        "max_ms": 40.0,
        "ok": ok,
        "status_503": 0,
        "other_5xx": 0,
        "other_non_2xx": 0,
        "no_answer": 0,
    }


def test_render_reports_every_figure():
    events = checks.reconcile(["a"], stored(["a"]))
    events["sent"] = 1
    round_ = {
        "name": "faults",
        "traffic": {"manifest": traffic(1234), "events": traffic(56)},
        "mixes": {
            "checked": 1234,
            "total": 0,
            "audience": 0,
            "status": 0,
            "versions": 0,
            "malformed": 0,
        },
        "states": {"audience_on": 600, "audience_off": 634, "versions_seen": 3},
        "events": events,
        "control": {"changes": 40, "failed": 3},
        "faults": {
            "worker_kill": {
                "pid": 4242,
                "at": 10.0,
                "no_answer": 1,
                "workers_after": 3,
                "replaced_after_s": 0.4,
            },
            "postgres_restart": {
                "at": 20.0,
                "command": "pg_ctlcluster --skip-systemctl-redirect 15 main restart",
                "seconds": 1.5,
                "status_503": 77,
                "max_503_ms": 12.5,
                "other_5xx": 0,
                "last_failure_after_s": 2.1,
                "recovered_after_s": 2.2,
            },
        },
    }
    result = {
        "machine": {
            "date": "2026-11-23 18:00 UTC",
            "cpu_model": "Test CPU",
            "cpus": 2,
            "memory_gb": 8.0,
            "python": "3.12.1",
            "postgresql": "15.1",
            "load_average": [1.0, 1.0, 1.0],
        },
        "setup": {
            "workers": 3,
            "database": "pa_loadtest",
            "manifest_clients": 12,
            "event_clients": 4,
            "duration": 40,
            "timeout": 15.0,
        },
        "rounds": [round_],
        "checks": {"Faults: no 5xx other than 503": True, "Faults: recovered": False},
    }
    text = checks.render(result)
    assert "Test CPU, 2 cores" in text
    assert "| GET /edge/manifest | 1,234 | 123.4 |" in text
    assert "77 answers were 503, the slowest of them in 12.5 ms" in text
    assert "pid 4242" in text
    assert "mixes: **0**" in text
    assert "| Faults: recovered | **FAIL** |" in text
    assert "| Faults: no 5xx other than 503 | pass |" in text


@pytest.mark.django_db
def test_setup_builds_the_pairs_and_verify_reads_the_counts(client):
    project = app.setup()
    pairs = checks.Pairs(tuple(project["audience_pair"]), tuple(project["status_pair"]))
    steady = project["steady"]["steady"]
    variant = project["steady_variants"]["steady"][0]

    response = client.get(
        "/edge/manifest", headers={"X-Project-Uid": project["project_uid"], "X-Country": "US"}
    )
    body = response.content.decode()
    assert checks.manifest_mix(body, pairs)[0] == "versions"  # both A/B tests live
    assert checks.manifest_state(body, pairs) == (True, True)

    response = client.post(
        "/edge/events",
        data=json.dumps(
            [
                {"type": "IMPRESSION", "experienceShortUid": steady, "variantShortUid": variant},
                {"type": "EVENT", "eventKey": "purchase"},
            ]
        ),
        content_type="text/plain",
        headers={"X-Project-Uid": project["project_uid"], "X-CS-Personalize-User-Uid": "lt-1"},
    )
    assert response.json() == {"recorded": 2}

    stored = app.verify(project["project_uid"], "steady")
    assert checks.reconcile(["lt-1"], stored)["ok"]
    assert app.verify(project["project_uid"], "faults")["raw_impression_uids"] == []
    assert sorted(stored["versions"]) == sorted(project["status_pair"])
