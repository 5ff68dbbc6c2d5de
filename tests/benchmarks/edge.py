"""Load benchmark of ``GET /edge/manifest`` against the same server's trivial view.

``make bench-edge`` (or ``python -m tests.benchmarks.edge``):

1. builds a benchmark project in a dedicated SQLite file
   (``tests/artifacts/bench/edge.sqlite3``; ``DATABASE_URL`` chooses another
   database, e.g. PostgreSQL): 150 audiences of 3–8 rules over presets and
   custom attributes, 100 live experiences (70 segmented with 5 variants over
   2–3 audiences each, 30 A/B tests, some with a Selective target group) and
   10,000 visitors with stored attributes;
2. starts gunicorn (2 sync workers, ``127.0.0.1``, ``DEBUG`` off) on it;
3. drives it with ``wrk`` (Debian's package; installed when missing and this
   runs as root) through a Lua script that varies the user uid, live
   attributes, User-Agent, page URL, referrer and country of every request,
   and sends exactly the same requests to ``GET /edge/ping`` (a Django view
   that does nothing) as the baseline;
4. after a warm-up, measures baseline and manifest alternately, prints
   requests per second, p50 and p99 for both and the ratio, and writes
   ``tests/artifacts/bench/edge.json``. The goal is a ratio of at least 0.7.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.rules import custom, preset, rule

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "tests" / "artifacts" / "bench"
OUTPUT = BENCH_DIR / "edge.json"
GOAL = 0.7

COUNTRIES = ["US", "CA", "DE", "FR", "GB", "JP", "BR", "IN"]
DEVICES = ["Mobile", "Tablet", "Desktop"]
SYSTEMS = ["iOS", "Android", "Windows", "MacOS", "Linux"]
TIERS = ["bronze", "silver", "gold", "platinum"]
SOURCES = ["newsletter", "google", "facebook", "partner"]
REFERRERS = [
    "https://www.google.com/search?q=boots",
    "https://news.example.com/deals",
    "https://blog.example.org/post/42",
    "https://partner.example.net/shop",
]
USER_AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
]
STORED_VISITORS = 10_000
USER_UID_RANGE = 20_000  # half of the requests find stored attributes


# ---------- the benchmark project (runs with Django set up) ----------


def random_rule(rng, attributes):
    kind = rng.choice(["country", "device", "system", "referrer", "query", "tier", "age", "member"])
    text = lambda value: {"__type": "StringMatchOptions", "value": value}  # noqa: E731
    if kind in ("country", "device", "system"):
        ref, values = {
            "country": ("COUNTRY", COUNTRIES),
            "device": ("DEVICE_TYPE", DEVICES),
            "system": ("OPERATING_SYSTEM", SYSTEMS),
        }[kind]
        if rng.random() < 0.5:
            node = rule(preset(ref), "STRING_EQUALS", text(rng.choice(values)))
        else:
            node = rule(
                preset(ref),
                "STRING_IN_LIST",
                {"__type": "StringListMatchOptions", "values": rng.sample(values, 2)},
            )
    elif kind == "referrer":
        node = rule(
            preset("REFERRER"),
            "CONTAINS_SUBSTRING",
            text(rng.choice(["google", "deals", "blog", "partner"])),
        )
    elif kind == "query":
        node = rule(
            preset("QUERY_PARAMETERS"),
            "JSON_MATCH",
            {"__type": "JsonMatchOptions", "key": "utm_source", "value": rng.choice(SOURCES)},
        )
    elif kind == "tier":
        node = rule(custom(attributes["tier"].uid), "STRING_EQUALS", text(rng.choice(TIERS)))
    elif kind == "age":
        node = rule(
            custom(attributes["age"].uid),
            rng.choice(["NUMBER_GREATER_THAN", "NUMBER_LESS_THAN"]),
            {"__type": "NumberMatchOptions", "value": rng.randint(18, 70)},
        )
    else:
        node = rule(custom(attributes["member"].uid), rng.choice(["IS_TRUE", "IS_FALSE"]))
    if rng.random() < 0.15:
        node["invertCondition"] = True
    return node


def random_definition(rng, attributes):
    """3–8 rules, sometimes with a nested group."""
    count = rng.randint(3, 8)
    rules = [random_rule(rng, attributes) for _ in range(count)]
    if count >= 5 and rng.random() < 0.5:
        nested = {
            "__type": "RuleCombination",
            "combinationType": rng.choice(["AND", "OR"]),
            "rules": rules[-3:],
        }
        rules = [*rules[:-3], nested]
    # Mostly Match Any, so that a fair share of visitors match something.
    combination = "OR" if rng.random() < 0.7 else "AND"
    return {"__type": "RuleCombination", "combinationType": combination, "rules": rules}


def build_project(*, audiences=150, segmented=70, ab_tests=30, visitors=STORED_VISITORS, seed=7):
    """Create the benchmark project through the services; returns its uid."""
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    from personalize_admin.audiences import services as audience_services
    from personalize_admin.audiences.models import AttributeType
    from personalize_admin.edge.models import Visitor
    from personalize_admin.experiences import services as experience_services
    from personalize_admin.projects import services as project_services
    from personalize_admin.projects.models import Project

    rng = random.Random(seed)
    user, _ = get_user_model().objects.get_or_create(username="edge-benchmark")
    Project.objects.filter(name="Edge benchmark").delete()
    project = project_services.create_project(name="Edge benchmark", actor=user)
    limits = {"audiences_per_project": max(audiences, 100), "experiences_per_project": 200}
    from django.conf import settings

    with override_settings(PERSONALIZE_LIMITS={**settings.PERSONALIZE_LIMITS, **limits}):
        attributes = {
            key: audience_services.create_attribute(
                project=project, name=key.title(), key=key, type=kind, actor=user
            )
            for key, kind in (
                ("tier", AttributeType.STRING),
                ("age", AttributeType.NUMBER),
                ("member", AttributeType.BOOLEAN),
            )
        }
        made = [
            audience_services.create_audience(
                project=project,
                name=f"Audience {number:03d}",
                definition=random_definition(rng, attributes),
                actor=user,
            )
            for number in range(audiences)
        ]
        event = audience_services.create_event(project=project, key="purchase", actor=user)
        for number in range(segmented + ab_tests):
            is_ab = number >= segmented
            experience = experience_services.create_experience(
                project=project,
                name=f"Experience {number:03d}",
                type="AB_TEST" if is_ab else "SEGMENTED",
                tags=[rng.choice(["home", "product", "checkout"])],
                actor=user,
            )
            if is_ab:
                count = rng.randint(2, 4)
                data = {
                    "variants": [{"name": f"Variant {index}"} for index in range(count)],
                    "metrics": [{"__type": "Primary", "event": event.uid}],
                }
                if rng.random() < 0.5:
                    data["targeting"] = {
                        "audiences": [audience.uid for audience in rng.sample(made, 2)],
                        "audienceCombinationType": "OR",
                    }
            else:
                data = {
                    "variants": [
                        {
                            "name": f"Variant {index}",
                            "audiences": [a.uid for a in rng.sample(made, rng.randint(2, 3))],
                            "audienceCombinationType": rng.choice(["AND", "OR"]),
                        }
                        for index in range(5)
                    ]
                }
            draft = experience.versions.get()
            experience_services.activate_version(version=draft, actor=user, data=data)
    Visitor.objects.bulk_create(
        Visitor(
            project=project,
            user_uid=f"bench-{number}",
            attributes={
                "tier": rng.choice(TIERS),
                "age": rng.randint(18, 70),
                "member": rng.random() < 0.5,
            },
        )
        for number in range(1, visitors + 1)
    )
    return project.uid


# ---------- the load generator ----------

LUA = """
-- Generated by tests/benchmarks/edge.py: every request a different visitor.
local project = "{project_uid}"
local user_agents = {user_agents}
local countries = {countries}
local tiers = {tiers}
local sources = {sources}
local referrers = {referrers}
local path = "/edge/manifest"

function init(args)
  if args[1] then path = args[1] end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local headers = {{}}
  headers["X-Project-Uid"] = project
  headers["X-CS-Personalize-User-Uid"] = "bench-" .. math.random(1, {user_uid_range})
  headers["X-Live-Attributes"] = string.format(
    '{{"tier":"%s","age":%d,"member":%s}}',
    tiers[math.random(#tiers)], math.random(18, 70), math.random() < 0.5 and "true" or "false")
  headers["User-Agent"] = user_agents[math.random(#user_agents)]
  headers["X-Page-Url"] = "https://shop.example/products?utm_source=" .. sources[math.random(#sources)]
  headers["Referer"] = referrers[math.random(#referrers)]
  headers["X-Country"] = countries[math.random(#countries)]
  headers["X-User-Agent"] = "personalize-edge-sdk-js/1.0.27"
  return wrk.format("GET", path, headers)
end
"""


def _lua_list(values):
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"


def lua_script(project_uid):
    return LUA.format(
        project_uid=project_uid,
        user_agents=_lua_list(USER_AGENTS),
        countries=_lua_list(COUNTRIES),
        tiers=_lua_list(TIERS),
        sources=_lua_list(SOURCES),
        referrers=_lua_list(REFERRERS),
        user_uid_range=USER_UID_RANGE,
    )


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"Cannot read the latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output):
    """Requests per second, p50, p99 (ms), requests and failures from ``wrk --latency``."""
    result = {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99_ms": _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    result["failed"] = int(non_2xx.group(1)) if non_2xx else 0
    result["socket_errors"] = errors.group(0) if errors else ""
    return result


def find_wrk():
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk from Debian's packages…", flush=True)
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(install, env=environment, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=environment, capture_output=True)
            subprocess.run(install, env=environment, capture_output=True, check=True)
        return shutil.which("wrk")
    sys.exit("The edge benchmark needs wrk: install it (Debian/Ubuntu: sudo apt-get install wrk).")


def server_environment(database_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "personalize_admin.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "edge-benchmark-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "ERROR",
        # Sync workers serve one request at a time: each keeps its connection.
        "DB_CONN_MAX_AGE": "600",
        "PYTHONWARNINGS": "ignore::UserWarning",
        "PYTHONPATH": str(ROOT),
    }


def migrate(environment):
    """``manage.py migrate`` for the database ``environment`` names."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


def start_gunicorn(environment, port, workers=2, timeout=None):
    """gunicorn (sync workers, DEBUG off) on 127.0.0.1:``port``, in its own session."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "personalize_admin.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    return subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True)


def wait_until_up(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"The server did not answer {url} within {timeout} s.")


def run_wrk(wrk, url, script, path, *, duration, connections, threads):
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(script),
        url,
        "--",
        path,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(completed.stdout)


def _mean(runs, key):
    return sum(run[key] for run in runs) / len(runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="baseline/manifest pairs")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database = BENCH_DIR / "edge.sqlite3"
        for leftover in BENCH_DIR.glob("edge.sqlite3*"):
            leftover.unlink()
        database_url = f"sqlite:///{database}"
    environment = server_environment(database_url)
    python = sys.executable
    print(f"Building the benchmark project in {database_url.split('@')[-1]} …", flush=True)
    migrate(environment)
    built = subprocess.run(
        [python, "-m", "tests.benchmarks.edge", "--build"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    project_uid = json.loads(built.stdout.strip().splitlines()[-1])["project_uid"]
    wrk = find_wrk()
    script = BENCH_DIR / "edge-requests.lua"
    script.write_text(lua_script(project_uid))
    base = f"http://127.0.0.1:{args.port}"
    server = start_gunicorn(environment, args.port)
    try:
        wait_until_up(f"{base}/edge/ping")
        measure = dict(duration=args.duration, connections=args.connections, threads=args.threads)
        print("Warming up …", flush=True)
        for path in ("/edge/ping", "/edge/manifest"):
            run_wrk(wrk, base, script, path, **{**measure, "duration": 3})
        baseline, manifest = [], []
        for round_number in range(1, args.rounds + 1):
            print(f"Round {round_number}/{args.rounds} …", flush=True)
            baseline.append(run_wrk(wrk, base, script, "/edge/ping", **measure))
            manifest.append(run_wrk(wrk, base, script, "/edge/manifest", **measure))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    failures = sum(run["failed"] for run in baseline + manifest)
    summary = {
        name: {
            "requests_per_second": round(_mean(runs, "requests_per_second"), 1),
            "p50_ms": round(_mean(runs, "p50_ms"), 3),
            "p99_ms": round(_mean(runs, "p99_ms"), 3),
            "requests": sum(run["requests"] for run in runs),
            "failed": sum(run["failed"] for run in runs),
            "runs": runs,
        }
        for name, runs in (("baseline", baseline), ("manifest", manifest))
    }
    ratio = summary["manifest"]["requests_per_second"] / summary["baseline"]["requests_per_second"]
    result = {
        "benchmark": "edge",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "database": database_url.split(":", 1)[0],
        "setup": {
            "server": "gunicorn, 2 sync workers, DEBUG off",
            "load": f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s × {args.rounds}",
            "experiences": {"segmented": 70, "ab_tests": 30},
            "audiences": 150,
            "stored_visitors": STORED_VISITORS,
        },
        "baseline": summary["baseline"],
        "manifest": summary["manifest"],
        "ratio": round(ratio, 3),
        "goal": GOAL,
        "goal_met": ratio >= GOAL and failures == 0,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")

    print()
    print(f"{'':24}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'failed':>8}")
    for name, label in (("baseline", "GET /edge/ping"), ("manifest", "GET /edge/manifest")):
        row = summary[name]
        print(
            f"{label:24}{row['requests_per_second']:>12.1f}{row['p50_ms']:>10.2f}"
            f"{row['p99_ms']:>10.2f}{row['failed']:>8}"
        )
    print(f"\nmanifest / baseline = {ratio:.3f} (goal ≥ {GOAL}); written to {args.output}")
    return 0 if result["goal_met"] else 1


def build_main():
    import django

    django.setup()
    print(json.dumps({"project_uid": build_project()}))


if __name__ == "__main__":
    if "--build" in sys.argv:
        build_main()
    else:
        sys.exit(main())
