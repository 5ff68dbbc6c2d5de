"""The edge benchmark builds what it claims and reads wrk right (no timing is asserted here)."""

import pytest

from personalize_admin.edge.models import Visitor
from personalize_admin.edge.snapshot import current_snapshot
from personalize_admin.projects.models import Project
from tests.benchmarks import edge

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8501
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.20ms    1.10ms  30.00ms   90.00%
  Latency Distribution
     50%  812.00us
     75%    4.50ms
     90%    5.00ms
     99%    1.20s
  15161 requests in 10.00s, 4.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1516.10
Transfer/sec:    419.00KB
"""


def test_parse_wrk_reads_rate_percentiles_and_failures():
    assert edge.parse_wrk(WRK_OUTPUT) == {
        "requests_per_second": 1516.1,
        "p50_ms": 0.812,
        "p99_ms": 1200.0,
        "requests": 15161,
        "failed": 3,
        "socket_errors": "",
    }


@pytest.mark.django_db
def test_build_project_makes_live_experiences_and_visitors(client):
    uid = edge.build_project(audiences=12, segmented=4, ab_tests=3, visitors=5)

    project = Project.objects.get(uid=uid)
    snapshot = current_snapshot(uid, project.live_config_revision)
    kinds = [experience.type for experience in snapshot.experiences]
    assert kinds.count("SEGMENTED") == 4 and kinds.count("AB_TEST") == 3
    assert all(len(e.variants) == 5 for e in snapshot.experiences if e.type == "SEGMENTED")
    assert Visitor.objects.filter(project=project).count() == 5
    response = client.get(
        "/edge/manifest",
        headers={"X-Project-Uid": uid, "X-CS-Personalize-User-Uid": "bench-1", "X-Country": "US"},
    )
    assert len(response.json()["experiences"]) == 7


def test_lua_script_names_the_project_and_varies_visitors():
    script = edge.lua_script("0123456789abcdef01234567")

    assert 'local project = "0123456789abcdef01234567"' in script
    assert '"bench-" .. math.random(1, 20000)' in script
    assert "X-Live-Attributes" in script
