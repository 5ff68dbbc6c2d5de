"""The loadtest's checks and report, without I/O (unit-tested in ``test_checks``).

A consistent configuration is checkable because the control script only ever
changes experiences in pairs, in one transaction each:

- ``audience`` pair: two Segmented experiences whose only variant targets the
  same audience; the script flips that audience (matches every visitor / none)
  every second. A manifest with one of them active and the other not mixes the
  configuration before and after a flip.
- ``status`` pair: two A/B tests the script pauses and resumes together, and
  now and then replaces with new versions together (their variants get new
  short uids). A manifest with one paused and the other live, or with variants
  from different version numbers, mixes two configurations.
"""

import json
import statistics
from dataclasses import dataclass, field


@dataclass
class Pairs:
    audience: tuple  # short uids of the two Segmented experiences
    status: tuple  # short uids of the two A/B tests


def manifest_mix(body, pairs):
    """Why ``body`` (a manifest's JSON text) mixes two configurations, or ``None``.

    Returns ``("audience", …)`` or ``("status", …)`` for a mix inside a pair; an
    unreadable manifest or a missing experience is a mix too (reason
    ``"malformed"``). ``("versions", a, b)`` is returned for the status pair
    when both are live: the caller resolves the variants to version numbers
    (``version_mix``) once the run is over.
    """
    try:
        manifest = json.loads(body)
        active = manifest["activeVariants"]
        listed = {
            entry["shortUid"]: entry["activeVariantShortUid"] for entry in manifest["experiences"]
        }
    except (ValueError, KeyError, TypeError):
        return ("malformed", "unreadable manifest")
    if listed != active:
        return ("malformed", "experiences and activeVariants disagree")
    for short_uid in (*pairs.audience, *pairs.status):
        if short_uid not in active:
            return ("malformed", f"experience {short_uid} missing")
    first, second = (active[uid] for uid in pairs.audience)
    if (first is None) != (second is None):
        return ("audience", first, second)
    first, second = (active[uid] for uid in pairs.status)
    if (first is None) != (second is None):
        return ("status", first, second)
    if first is not None:
        return ("versions", first, second)
    return None


def manifest_state(body, pairs):
    """``(audience pair on?, status pair live?)`` of a manifest without a mix: what
    the configuration was when it was served (to show that both states were seen)."""
    active = json.loads(body)["activeVariants"]
    return (active[pairs.audience[0]] is not None, active[pairs.status[0]] is not None)


def version_mixes(variant_pairs, versions):
    """How many of the ``(variant a, variant b)`` → count pairs seen for the status
    pair come from different versions. ``versions`` maps each experience's
    variant short uids to version numbers: ``[{short: number}, {short: number}]``."""
    mixes = 0
    unknown = 0
    for (first, second), count in variant_pairs.items():
        a, b = versions[0].get(first), versions[1].get(second)
        if a is None or b is None:
            unknown += count
        elif a != b:
            mixes += count
    return mixes, unknown


def reconcile(accepted, stored):
    """Compare the events the client saw accepted (2xx) with what analytics holds.

    ``accepted``: the user uids of accepted requests (each sent one impression
    and one conversion). ``stored``: from the database, for the measured
    version: ``raw_impression_uids`` (list, one per raw impression),
    ``raw_conversion_uids``, ``unique_impressions``, ``unique_conversions``,
    ``daily_impressions`` and ``daily_conversions`` (sums of the daily counts).
    """
    accepted = set(accepted)
    raw = stored["raw_impression_uids"]
    raw_set = set(raw)
    conversions = set(stored["raw_conversion_uids"])
    lost = accepted - raw_set
    lost_conversions = accepted - conversions
    duplicated = len(raw) - len(raw_set)
    counted_once = (
        stored["unique_impressions"] == len(raw_set) == stored["daily_impressions"]
        and stored["unique_conversions"] == len(conversions) == stored["daily_conversions"]
        and duplicated == 0
        and len(stored["raw_conversion_uids"]) == len(conversions)
    )
    return {
        "accepted": len(accepted),
        "stored": len(raw_set),
        "counted_impressions": stored["daily_impressions"],
        "counted_conversions": stored["daily_conversions"],
        "lost": len(lost),
        "lost_conversions": len(lost_conversions),
        "duplicated": duplicated,
        # Committed, but the client never saw the answer (a worker killed mid-request).
        "stored_not_acknowledged": len(raw_set - accepted),
        "counted_once": counted_once,
        "ok": not lost and not lost_conversions and counted_once,
    }


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Tally:
    """Responses of one endpoint in one round."""

    latencies: list = field(default_factory=list)  # seconds, every answered request
    statuses: dict = field(default_factory=dict)
    errors: int = 0  # no HTTP answer (connection reset, timeout)
    error_kinds: dict = field(default_factory=dict)

    def add(self, status, seconds):
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def fail(self, kind):
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def count(self, predicate):
        return sum(n for status, n in self.statuses.items() if predicate(status))

    def summary(self, duration):
        answered = len(self.latencies)
        return {
            "requests": answered + self.errors,
            "rps": round(answered / duration, 1) if duration else None,
            "p50_ms": _ms(percentile(self.latencies, 0.5)),
            "p99_ms": _ms(percentile(self.latencies, 0.99)),
            "max_ms": _ms(max(self.latencies) if self.latencies else None),
            "ok": self.count(lambda s: 200 <= s < 300),
            "status_503": self.statuses.get(503, 0),
            "other_5xx": self.count(lambda s: s >= 500 and s != 503),
            "other_non_2xx": self.count(lambda s: s < 200 or 300 <= s < 500),
            "no_answer": self.errors,
            "no_answer_kinds": dict(self.error_kinds),
        }


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def median_or_none(values):
    return statistics.median(values) if values else None


# ---------- the report ----------


def _cell(value, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    return f"{value:,}{unit}"


def _verdict(ok):
    return "pass" if ok else "**FAIL**"


def render(result):
    """``docs/loadtest.md`` from ``run``'s result."""
    machine = result["machine"]
    setup = result["setup"]
    lines = [
        "# Load test",
        "",
        "Produced by `make loadtest` (`tests/loadtest/run.py`): gunicorn "
        f"({setup['workers']} sync workers) with PostgreSQL on 127.0.0.1 (database "
        f"`{setup['database']}`), driven by an asyncio client (aiohttp) that parses every "
        "answer, while a control script changes the live configuration every second. "
        "The machine is shared with other work: the throughput figures are for context; "
        "the checks are what this test is about.",
        "",
        "## Machine",
        "",
        f"- Date: {machine['date']}",
        f"- CPU: {machine['cpu_model']}, {machine['cpus']} cores (`nproc`); RAM {machine['memory_gb']} GB",
        f"- Python {machine['python']}, PostgreSQL {machine['postgresql']}",
        f"- Load average when the run started: {', '.join(map(str, machine['load_average']))}",
        "",
        "## Setup",
        "",
        f"- Traffic: {setup['manifest_clients']} clients looping on `GET /edge/manifest` "
        f"(a new visitor each time) and {setup['event_clients']} on `POST /edge/events` "
        "(an impression and a conversion of a steady A/B test, a new visitor each time), "
        f"{setup['duration']} s per round, client timeout {setup['timeout']} s.",
        "- Control script (a separate process using the app's services), every second: flips "
        "the audience shared by two Segmented experiences (all visitors / none), and pauses, "
        "resumes or replaces with new versions two A/B tests together (one transaction per "
        "change). A manifest in which one experience of a pair reflects a change and the "
        "other does not is a *mix*.",
        "- Events: every accepted request (2xx) is recorded by the client with its visitor "
        "uid; at the end the raw events, the unique keys and the daily counts in the "
        "database are compared with that list.",
        "",
    ]
    for round_ in result["rounds"]:
        lines += _round_section(round_)
    lines += ["## Verdict", "", "| Check | Result |", "|---|---|"]
    for name, ok in result["checks"].items():
        lines.append(f"| {name} | {_verdict(ok)} |")
    lines.append("")
    return "\n".join(lines)


def _round_section(round_):
    title = {"steady": "Round 1: steady load", "faults": "Round 2: faults under load"}[
        round_["name"]
    ]
    lines = [f"## {title}", ""]
    lines += [
        "| Endpoint | Requests | Requests/s | p50 | p99 | max | 2xx | 503 | other 5xx | "
        "no answer |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label in (("manifest", "GET /edge/manifest"), ("events", "POST /edge/events")):
        row = round_["traffic"][name]
        lines.append(
            f"| {label} | {_cell(row['requests'])} | {_cell(row['rps'])} | "
            f"{_cell(row['p50_ms'], ' ms')} | {_cell(row['p99_ms'], ' ms')} | "
            f"{_cell(row['max_ms'], ' ms')} | {_cell(row['ok'])} | {_cell(row['status_503'])} | "
            f"{_cell(row['other_5xx'])} | {_cell(row['no_answer'])} |"
        )
    mixes = round_["mixes"]
    states = round_.get("states", {})
    control = round_["control"]
    events = round_["events"]
    lines += [
        "",
        f"- Configuration changes made by the control script: {control['changes']} "
        f"({control['failed']} refused while the database was unavailable).",
        f"- Manifests checked: {mixes['checked']:,}; mixes: **{mixes['total']}** "
        f"(audience pair {mixes['audience']}, status pair {mixes['status']}, versions "
        f"{mixes['versions']}, malformed {mixes['malformed']}). Consistent manifests seen in "
        f"each state: audience on {states.get('audience_on', 0):,} / off "
        f"{states.get('audience_off', 0):,}; status pair live {states.get('status_live', 0):,} "
        f"/ paused {states.get('status_paused', 0):,}; versions of the status pair served: "
        f"{states.get('versions_seen', 0)}.",
        f"- Events: {events['sent']:,} requests sent, {events['accepted']:,} accepted (2xx), "
        f"{events['stored']:,} stored, {events['counted_impressions']:,} impressions and "
        f"{events['counted_conversions']:,} conversions counted in analytics; lost: "
        f"**{events['lost']}**, counted more than once: **{events['duplicated']}**, stored "
        f"but not acknowledged: {events['stored_not_acknowledged']}.",
    ]
    faults = round_.get("faults")
    if faults:
        kill = faults["worker_kill"]
        restart = faults["postgres_restart"]
        lines += [
            f"- Worker kill (SIGKILL to pid {kill['pid']} at {kill['at']:.1f} s): requests without "
            f"an answer {kill['no_answer']}; gunicorn was back to {kill['workers_after']} "
            f"workers after {_cell(kill['replaced_after_s'], ' s')}.",
        ]
        if "at" not in restart:
            lines.append("- PostgreSQL restart: **skipped** (`--skip-restart`).")
            return [*lines, ""]
        lines += [
            f"- PostgreSQL restart at {restart['at']:.1f} s (`{restart['command']}`, took "
            f"{restart['seconds']:.1f} s): {restart['status_503']} answers were 503, the slowest "
            f"of them in {_cell(restart['max_503_ms'], ' ms')}; other 5xx: "
            f"{restart['other_5xx']}; the last failure came {_cell(restart['last_failure_after_s'], ' s')} "
            f"after the restart began, and everything succeeded again "
            f"{_cell(restart['recovered_after_s'], ' s')} after it "
            "(no manual step).",
        ]
    return [*lines, ""]
