"""The automation example (``docs/examples/automation.py``) works as a user would run it:
a separate process making plain HTTP calls with a token against a running server."""

import json
import subprocess
import sys
from pathlib import Path

from personalize_admin.experiences.models import Experience
from tests.api.conftest import token_for

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "automation.py"


def run_script(live_server, token, project_uid):
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--base-url",
            live_server.url,
            "--token",
            token,
            "--project",
            project_uid,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_automation_script_sets_up_experiences_the_edge_api_serves(live_server, project, member):
    done = run_script(live_server, token_for(member), project.uid)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)

    banner = result["experiences"]["Pricing banner"]
    button = result["experiences"]["Signup button"]
    assert banner["status"] == button["status"] == "ACTIVE"
    assert result["variants"]["Pricing banner"] == [
        ["0", "Upgrade to Enterprise"],
        ["1", "Try Pro free"],
    ]
    assert result["priorityOrder"] == list(
        Experience.objects.filter(project=project).values_list("uid", flat=True)
    )
    # The Edge API decides with what the script set up: the pro plan's variant of the
    # banner, and the A/B test's 100 % variant for everyone.
    manifest = result["manifest"]
    assert manifest["pro"]["activeVariants"] == {banner["shortUid"]: "0", button["shortUid"]: "1"}
    assert manifest["free"]["activeVariants"] == {banner["shortUid"]: "1", button["shortUid"]: "1"}
    assert manifest["unknown"]["activeVariants"] == {
        banner["shortUid"]: None,
        button["shortUid"]: "1",
    }


def test_automation_script_reports_the_apis_refusal(live_server, project, owner):
    token = token_for(owner)
    assert run_script(live_server, token, project.uid).returncode == 0
    again = run_script(live_server, token, project.uid)
    assert again.returncode == 1
    assert "409: personalize.ATTRIBUTES.DUPLICATE_KEY" in again.stderr
    assert Experience.objects.filter(project=project).count() == 2


def test_automation_script_with_a_bad_token_changes_nothing(live_server, project):
    done = run_script(live_server, "not-a-token", project.uid)
    assert done.returncode == 1
    assert "401: personalize.UNAUTHORIZED" in done.stderr
    assert not Experience.objects.filter(project=project).exists()
