"""Running the official ``@contentstack/personalize-edge-sdk`` (``tests/package.json``)
with Node against a live server, through ``sdk_runner.js``."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).resolve().parent / "sdk_runner.js"
SDK_PACKAGE = TESTS_DIR / "node_modules" / "@contentstack" / "personalize-edge-sdk"


def node():
    path = shutil.which("node")
    if path is None or not SDK_PACKAGE.exists():
        pytest.fail(
            "The Edge SDK tests need Node.js and the SDK: run `make test-deps` "
            "(or `npm ci --prefix tests`)."
        )
    return path


def run_sdk(live_server, project_uid, *steps, timeout=60):
    """Run ``steps`` (see sdk_runner.js) and return ``(results, error)``."""
    program = {
        "edgeApiUrl": f"{live_server.url}/edge",
        "projectUid": project_uid,
        "steps": list(steps),
    }
    completed = subprocess.run(
        [node(), str(RUNNER)],
        input=json.dumps(program),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=TESTS_DIR,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout)
    return output["results"], output.get("error")
