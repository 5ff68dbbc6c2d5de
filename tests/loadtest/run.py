"""``make loadtest``: sustained Edge traffic while the configuration changes, then faults.

1. Creates (or empties) the database ``pa_loadtest`` on PostgreSQL at
   127.0.0.1 (``LOADTEST_DATABASE_URL`` chooses another), migrates it and
   builds the loadtest project (``app.setup``).
2. Starts gunicorn (sync workers, ``DEBUG`` off, persistent connections with
   health checks) on it.
3. Round 1, steady: asyncio clients (aiohttp) loop on ``GET /edge/manifest``
   and ``POST /edge/events`` for ``--duration`` seconds while ``app.control``
   changes the configuration every second. Checks: no 5xx, no manifest that
   mixes two configurations (see ``checks``), every accepted event stored and
   counted exactly once.
4. Round 2, faults: the same traffic; a quarter in, one gunicorn worker gets
   SIGKILL (gunicorn replaces it); halfway, PostgreSQL restarts (one short
   restart of the shared server: other work using it sees its connections
   dropped for a moment). Checks: the service recovers by itself, every
   failure during the outage is a 503 answered quickly (no hang, no other
   5xx), and no accepted event is lost.
5. Writes ``docs/loadtest.md`` and ``tests/artifacts/loadtest/result.json``.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.benchmarks import suite
from tests.benchmarks.edge import (
    USER_AGENTS,
    migrate,
    server_environment,
    start_gunicorn,
    wait_until_up,
)
from tests.loadtest import checks

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "loadtest"
REPORT = ROOT / "docs" / "loadtest.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pa_loadtest"


# ---------- the database and the server ----------


def reset_database(url):
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(suite._libpq(server), autocommit=True, connect_timeout=5) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_command(environment, *args, capture=True):
    completed = subprocess.run(
        [sys.executable, "-m", "tests.loadtest.app", *args],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=capture,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1]) if capture else None


def worker_pids(master_pid):
    """The gunicorn master's current workers (its child processes)."""
    try:
        text = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def postgres_restart_command():
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions:
        return None
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"]


# ---------- the traffic ----------


class Traffic:
    """Clients looping on the manifest and on events; every answer checked."""

    def __init__(self, base, project, pairs, round_name, timeout):
        self.base = base
        self.project = project
        self.pairs = pairs
        self.round_name = round_name
        self.timeout = timeout
        self.manifest = checks.Tally()
        self.events = checks.Tally()
        self.mixes = Counter()
        self.variant_pairs = Counter()
        self.checked = 0
        self.states = Counter()
        self.accepted = []
        self.sent = 0
        self.failures = []  # (moment, endpoint, status or None, seconds)
        self.successes = []  # moments of 2xx answers
        self.started = None
        self.numbers = itertools.count()

    def elapsed(self):
        return time.monotonic() - self.started

    async def manifest_client(self, session, stop):
        rng = random.Random()
        while not stop.is_set():
            headers = {
                "X-Project-Uid": self.project["project_uid"],
                "X-CS-Personalize-User-Uid": f"lt-m-{rng.randrange(1_000_000)}",
                "X-Country": "US",
                "User-Agent": rng.choice(USER_AGENTS),
            }
            await self._request(session, "manifest", "GET", "/edge/manifest", headers, None)

    async def events_client(self, session, stop):
        steady = self.project["steady"][self.round_name]
        variants = self.project["steady_variants"][self.round_name]
        while not stop.is_set():
            uid = f"lt-{self.round_name}-{next(self.numbers)}"
            body = json.dumps(
                [
                    {
                        "type": "IMPRESSION",
                        "experienceShortUid": steady,
                        "variantShortUid": variants[hash(uid) % len(variants)],
                    },
                    {"type": "EVENT", "eventKey": "purchase"},
                ]
            )
            headers = {
                "X-Project-Uid": self.project["project_uid"],
                "X-CS-Personalize-User-Uid": uid,
                "Content-Type": "text/plain;charset=UTF-8",
            }
            self.sent += 1
            await self._request(session, "events", "POST", "/edge/events", headers, body, uid)

    async def _request(self, session, endpoint, method, path, headers, body, uid=None):
        import aiohttp

        tally = self.manifest if endpoint == "manifest" else self.events
        began = time.monotonic()
        try:
            async with session.request(method, self.base + path, headers=headers, data=body) as r:
                text = await r.text()
                status = r.status
        except (aiohttp.ClientError, TimeoutError) as error:
            seconds = time.monotonic() - began
            tally.fail(type(error).__name__)
            self.failures.append((began - self.started, endpoint, None, seconds))
            await asyncio.sleep(0.05)
            return
        seconds = time.monotonic() - began
        tally.add(status, seconds)
        if not 200 <= status < 300:
            self.failures.append((began - self.started, endpoint, status, seconds))
            if status == 503:
                await asyncio.sleep(0.05)
            return
        self.successes.append(began - self.started)
        if endpoint == "manifest":
            self.checked += 1
            mix = checks.manifest_mix(text, self.pairs)
            if mix is not None and mix[0] == "versions":
                self.variant_pairs[(mix[1], mix[2])] += 1
            elif mix is not None:
                self.mixes[mix[0]] += 1
            if mix is None or mix[0] == "versions":
                self.states[checks.manifest_state(text, self.pairs)] += 1
        else:
            try:
                recorded = json.loads(text).get("recorded")
            except ValueError:
                recorded = None
            if recorded == 2:
                self.accepted.append(uid)
            else:
                self.mixes["malformed"] += 1

    async def run(self, duration, manifest_clients, event_clients, during=None):
        import aiohttp

        stop = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        connector = aiohttp.TCPConnector(limit=manifest_clients + event_clients)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            self.started = time.monotonic()
            tasks = [
                asyncio.create_task(self.manifest_client(session, stop))
                for _ in range(manifest_clients)
            ]
            tasks += [
                asyncio.create_task(self.events_client(session, stop)) for _ in range(event_clients)
            ]
            if during is not None:
                tasks.append(asyncio.create_task(during(self)))
            await asyncio.sleep(duration)
            stop.set()
            await asyncio.gather(*tasks)
        return time.monotonic() - self.started


# ---------- the rounds ----------


def run_round(name, args, base, project, environment, master_pid):
    pairs = checks.Pairs(tuple(project["audience_pair"]), tuple(project["status_pair"]))
    traffic = Traffic(base, project, pairs, name, args.timeout)
    control_output = ARTIFACTS / f"control-{name}.json"
    control = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.loadtest.app",
            "control",
            project["project_uid"],
            str(args.duration),
            str(control_output),
        ],
        cwd=ROOT,
        env=environment,
    )
    faults = {}

    async def inject(traffic):
        await asyncio.sleep(args.duration * 0.25)
        victims = worker_pids(master_pid)
        victim = victims[0]
        killed_at = traffic.elapsed()
        print(f"  {killed_at:5.1f} s  SIGKILL to gunicorn worker {victim}", flush=True)
        os.kill(victim, signal.SIGKILL)
        replaced = None
        for _ in range(100):
            await asyncio.sleep(0.1)
            current = worker_pids(master_pid)
            if victim not in current and len(current) >= len(victims):
                replaced = traffic.elapsed() - killed_at
                break
        faults["worker_kill"] = {
            "pid": victim,
            "at": killed_at,
            "replaced_after_s": None if replaced is None else round(replaced, 1),
            "workers_after": len(worker_pids(master_pid)),
        }
        await asyncio.sleep(max(0.0, args.duration * 0.5 - traffic.elapsed()))
        if args.skip_restart:
            print("  PostgreSQL restart skipped (--skip-restart)", flush=True)
            return
        command = postgres_restart_command()
        restart_at = traffic.elapsed()
        print(
            f"  {restart_at:5.1f} s  restarting PostgreSQL ({' '.join(command)}); "
            "other work using this server sees its connections dropped for a moment",
            flush=True,
        )
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await process.communicate()
        if process.returncode != 0:
            print(f"  the restart failed: {stderr.decode().strip()}", flush=True)
        faults["postgres_restart"] = {
            "at": restart_at,
            "command": " ".join(command),
            "seconds": traffic.elapsed() - restart_at,
            "exit": process.returncode,
        }

    print(f"Round {name}: {args.duration} s …", flush=True)
    duration = asyncio.run(
        traffic.run(
            args.duration,
            args.manifest_clients,
            args.event_clients,
            during=inject if name == "faults" else None,
        )
    )
    control.wait(args.duration + 30)
    control_result = json.loads(control_output.read_text())

    accepted_file = ARTIFACTS / f"accepted-{name}.json"
    accepted_file.write_text(json.dumps(traffic.accepted))
    stored = django_command(environment, "verify", project["project_uid"], name)
    versions = [stored["versions"].get(uid, {}) for uid in pairs.status]
    version_mixes, unknown = checks.version_mixes(traffic.variant_pairs, versions)
    mixes = {
        "checked": traffic.checked,
        "audience": traffic.mixes["audience"],
        "status": traffic.mixes["status"],
        "versions": version_mixes,
        "malformed": traffic.mixes["malformed"] + unknown,
    }
    mixes["total"] = sum(mixes[key] for key in ("audience", "status", "versions", "malformed"))
    states = {
        "audience_on": sum(n for (on, _), n in traffic.states.items() if on),
        "audience_off": sum(n for (on, _), n in traffic.states.items() if not on),
        "status_live": sum(n for (_, live), n in traffic.states.items() if live),
        "status_paused": sum(n for (_, live), n in traffic.states.items() if not live),
        "versions_seen": len(
            {versions[0].get(first) for first, _ in traffic.variant_pairs} - {None}
        ),
    }
    events = checks.reconcile(traffic.accepted, stored)
    events["sent"] = traffic.sent
    result = {
        "name": name,
        "duration": round(duration, 1),
        "traffic": {
            "manifest": traffic.manifest.summary(duration),
            "events": traffic.events.summary(duration),
        },
        "mixes": mixes,
        "states": states,
        "events": events,
        "control": control_result,
    }
    if name == "faults":
        restart = faults.get("postgres_restart", {})
        kill = faults.get("worker_kill", {})
        result["faults"] = summarize_faults(traffic, kill, restart)
    return result


def summarize_faults(traffic, kill, restart):
    """Figures of the fault round from the failures seen around each fault."""
    at = restart.get("at", float("inf"))  # no restart: every failure belongs to the kill
    after_restart = [f for f in traffic.failures if f[0] >= at - 0.5]
    before_restart = [f for f in traffic.failures if f[0] < at - 0.5]
    last_failure = max((f[0] for f in after_restart), default=None)
    first_after = min(
        (moment for moment in traffic.successes if last_failure is None or moment > last_failure),
        default=None,
    )
    slowest_503 = max((f[3] for f in after_restart if f[2] == 503), default=None)
    return {
        "worker_kill": {
            **kill,
            "no_answer": sum(1 for f in before_restart if f[2] is None),
            "failures": len(before_restart),
        },
        "postgres_restart": {
            **restart,
            "status_503": sum(1 for f in after_restart if f[2] == 503),
            "other_5xx": sum(
                1 for f in after_restart if f[2] is not None and f[2] >= 500 and f[2] != 503
            ),
            "no_answer": sum(1 for f in after_restart if f[2] is None),
            "max_503_ms": None if slowest_503 is None else round(slowest_503 * 1000, 1),
            "last_failure_after_s": (
                None if last_failure is None or not restart else round(last_failure - at, 1)
            ),
            "recovered_after_s": (
                None if first_after is None or not restart else round(first_after - at, 1)
            ),
        },
    }


def verdicts(rounds, args):
    steady = next(r for r in rounds if r["name"] == "steady")
    result = {
        "Steady: zero 5xx": all(
            steady["traffic"][e]["status_503"] + steady["traffic"][e]["other_5xx"] == 0
            for e in ("manifest", "events")
        ),
        "Steady: every request answered": all(
            steady["traffic"][e]["no_answer"] == 0 for e in ("manifest", "events")
        ),
        "Steady: zero manifests mixing two configurations": steady["mixes"]["total"] == 0,
        "Steady: every accepted event stored and counted once": steady["events"]["ok"],
    }
    faults = next((r for r in rounds if r["name"] == "faults"), None)
    if faults:
        restart = faults["faults"]["postgres_restart"]
        kill = faults["faults"]["worker_kill"]
        result.update(
            {
                "Faults: the killed worker was replaced": kill.get("replaced_after_s") is not None,
                "Faults: PostgreSQL restarted": restart.get("exit") == 0,
                "Faults: no 5xx other than 503": all(
                    faults["traffic"][e]["other_5xx"] == 0 for e in ("manifest", "events")
                ),
                f"Faults: every 503 answered within {args.max_503_seconds} s": (
                    restart["max_503_ms"] is None
                    or restart["max_503_ms"] <= args.max_503_seconds * 1000
                ),
                "Faults: recovered by itself before the round ended": (
                    restart["recovered_after_s"] is not None
                ),
                "Faults: zero manifests mixing two configurations": faults["mixes"]["total"] == 0,
                "Faults: no accepted event lost, each counted once": faults["events"]["ok"],
            }
        )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=40, help="seconds per round")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--manifest-clients", type=int, default=12)
    parser.add_argument("--event-clients", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=15.0, help="client timeout (s)")
    parser.add_argument("--max-503-seconds", type=float, default=2.0)
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--no-faults", action="store_true", help="only the steady round")
    parser.add_argument(
        "--skip-restart",
        action="store_true",
        help="fault round without the PostgreSQL restart (to try it on a busy shared server)",
    )
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)

    database_url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith("postgres"):
        raise SystemExit("The loadtest needs PostgreSQL (LOADTEST_DATABASE_URL=postgres://…).")
    if not args.no_faults and postgres_restart_command() is None:
        raise SystemExit("The fault round restarts PostgreSQL with pg_ctlcluster; none found.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    machine = suite.describe_machine(database_url)
    environment = {
        **server_environment(database_url),
        "DB_CONN_MAX_AGE": "600",
        "DB_CONN_HEALTH_CHECKS": "1",
        "DB_CONNECT_TIMEOUT": "2",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TMPDIR": tempfile.gettempdir(),
    }
    print(f"Preparing {database_url.rsplit('/', 1)[1]} …", flush=True)
    reset_database(database_url)
    migrate(environment)
    project = django_command(environment, "setup")
    base = f"http://127.0.0.1:{args.port}"
    server = start_gunicorn(environment, args.port, workers=args.workers, timeout=30)
    rounds = []
    try:
        wait_until_up(f"{base}/edge/ping")
        for name in ("steady",) if args.no_faults else ("steady", "faults"):
            rounds.append(run_round(name, args, base, project, environment, server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    result = {
        "machine": machine,
        "setup": {
            "workers": args.workers,
            "database": database_url.rsplit("/", 1)[1],
            "manifest_clients": args.manifest_clients,
            "event_clients": args.event_clients,
            "duration": args.duration,
            "timeout": args.timeout,
        },
        "rounds": rounds,
        "checks": verdicts(rounds, args),
    }
    (ARTIFACTS / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(checks.render(result))
    print()
    for name, ok in result["checks"].items():
        print(f"  {'pass' if ok else 'FAIL'}  {name}")
    print(f"\nReport written to {args.report}")
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
