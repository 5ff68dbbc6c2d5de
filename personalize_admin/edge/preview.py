"""The "Preview as visitor" page: a simulated Edge API request, decided by the
same ``decide`` the manifest uses, from the same snapshot, and explained.

``run(project, data, now=)`` reads the form (custom attribute values, page
URL, referrer, user agent, geo, time, user uid, tags), builds the visitor the
way ``GET /edge/manifest`` would (presets from the would-be request headers,
then the user's stored attributes, then the entered values as live
attributes), and returns the manifest with one ``Explained`` per experience.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from personalize_admin.audiences import editor
from personalize_admin.audiences.models import Attribute, AttributeType
from personalize_admin.audiences.rules import Visitor, presets_from_headers
from personalize_admin.audiences.rules.presets import geo_headers
from personalize_admin.audiences.rules.values import as_number, format_datetime, parse_datetime

from . import decisions as outcomes
from .decisions import decide, manifest_json
from .errors import EdgeError
from .protocol import TAG_RE, clean_user_uid, limits
from .services import stored_attributes
from .snapshot import BUCKETS, snapshot_for_project

SAMPLE_USER_AGENTS = {
    "Desktop Chrome on macOS": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36"
    ),
    "Desktop Edge on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
    ),
    "iPhone Safari": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    ),
    "Android Chrome": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
    "iPad Safari": (
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1"
    ),
}
MAX_TEXT = 4096


@dataclass
class AttributeInput:
    name: str  # form field name
    label: str
    key: str
    type: str
    value: str


@dataclass
class AudienceResult:
    name: str
    matched: bool
    rules: list = field(default_factory=list)  # sentences of the rules that decided


@dataclass
class VariantTried:
    short_uid: str
    name: str
    combination: str
    matched: bool
    audiences: list


@dataclass
class Explained:
    """One experience's decision, for the page."""

    decision: object  # decisions.Decision
    summary: str
    tried: list = field(default_factory=list)
    targeting: list = field(default_factory=list)  # AudienceResult of a Selective target group
    ranges: list = field(default_factory=list)  # (variant, first bucket, last bucket, holds it)

    @property
    def experience(self):
        return self.decision.experience

    @property
    def variant(self):
        return self.decision.variant


@dataclass
class Preview:
    user_uid: str
    generated_uid: bool
    manifest: str
    explained: list
    visitor: list  # (label, value) of the presets and attributes decided on
    stored: dict
    problem: str = ""


def attribute_inputs(project, data):
    return [
        AttributeInput(
            f"attr-{attribute.key}",
            attribute.name,
            attribute.key,
            attribute.type,
            data.get(f"attr-{attribute.key}", "").strip()[:MAX_TEXT],
        )
        for attribute in Attribute.objects.for_project(project).order_by("name", "pk")
    ]


def _typed(attribute_input):
    text = attribute_input.value
    if attribute_input.type == AttributeType.NUMBER:
        number = as_number(text)
        if number is None:
            return text
        return int(number) if float(number).is_integer() and abs(number) < 2**53 else number
    if attribute_input.type == AttributeType.BOOLEAN:
        return {"true": True, "false": False}.get(text.lower(), text)
    if attribute_input.type == AttributeType.DATE:
        moment = parse_datetime(text)
        return format_datetime(moment) if moment else text
    return text


def _when(text, now):
    moment = parse_datetime(text.strip()) if text and text.strip() else None
    return moment or now


def request_headers(data):
    """The headers the SDK and the CDN would send for the form's visitor."""
    headers = {}
    for field_name, header in (
        ("user_agent", "User-Agent"),
        ("page_url", "X-Page-Url"),
        ("referrer", "Referer"),
    ):
        value = data.get(field_name, "").strip()[:MAX_TEXT]
        if value:
            headers[header] = value
    for ref, field_name in (("COUNTRY", "country"), ("REGION", "region"), ("CITY", "city")):
        names = geo_headers().get(ref) or ()
        value = data.get(field_name, "").strip()[:100]
        if value and names:
            headers[names[0]] = value
    return headers


def _tags(text):
    names = [name.strip() for name in (text or "").replace(" ", ",").split(",") if name.strip()]
    if not names:
        return None, ""
    if len(names) > limits()["max_tags"] or not all(TAG_RE.fullmatch(name) for name in names):
        return None, f"Enter at most {limits()['max_tags']} tags of letters, digits, -, _ and :."
    return frozenset(name.lower() for name in names), ""


def _shown(value):
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items()) or "no parameters"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


PRESET_LABELS = {
    "DEVICE_TYPE": "Device type",
    "OPERATING_SYSTEM": "Operating system",
    "QUERY_PARAMETERS": "Query parameters",
    "REFERRER": "Referrer",
    "COUNTRY": "Country",
    "REGION": "Region",
    "CITY": "City",
    "DATE_AND_TIME": "Date and time",
}


def _audience_result(snapshot, index, matched, visitor, labels):
    audience = snapshot.audiences[index]
    rules = []
    if audience.compiled is not None:
        explanation = audience.compiled.explain(visitor)
        rules = [
            (editor.describe_rule(trace.node, labels), trace.result)
            for trace in explanation.deciding_rules()
        ]
    return AudienceResult(audience.name, matched, rules)


def _explain(snapshot, decision, visitor, labels):
    experience = decision.experience
    results = decision.audience_results

    def audiences(indices):
        return [_audience_result(snapshot, i, results.get(i), visitor, labels) for i in indices]

    explained = Explained(decision, "")
    variant = decision.variant
    if decision.outcome == outcomes.PAUSED:
        explained.summary = "Paused: every visitor gets the base entry."
    elif decision.outcome in (outcomes.MATCHED, outcomes.NO_MATCH):
        explained.tried = [
            VariantTried(
                tried.short_uid,
                tried.name,
                "Match All" if tried.match_all else "Match Any",
                matched,
                audiences(tried.audiences),
            )
            for tried, matched in decision.tried
        ]
        explained.summary = (
            f"Variant {variant.short_uid} “{variant.name}”: the first variant whose audiences match."
            if variant
            else "No variant's audiences match: the visitor gets the base entry."
        )
    else:
        if experience.targeting is not None:
            explained.targeting = audiences(experience.targeting[0])
        if decision.outcome == outcomes.OUTSIDE_TARGET:
            explained.summary = "Outside the target group: the visitor gets the base entry."
        else:
            number = decision.bucket
            explained.summary = (
                f"Bucket {number:,} of {BUCKETS:,} falls in the range of variant "
                f"{variant.short_uid} “{variant.name}”."
            )
            explained.ranges = [
                (
                    candidate,
                    candidate.bucket_start,
                    candidate.bucket_end - 1,
                    candidate is variant,
                )
                for candidate in experience.variants
            ]
    return explained


def run(project, data, *, now=None):
    """Decide for the visitor the form describes (see the module docstring)."""
    now = now or datetime.now(UTC)
    try:
        user_uid = clean_user_uid(data.get("user_uid", ""))
    except EdgeError as error:
        return Preview("", False, "", [], [], {}, problem=error.message)
    generated = user_uid is None
    user_uid = user_uid or str(uuid.uuid4())
    tags, problem = _tags(data.get("tags", ""))
    if problem:
        return Preview(user_uid, generated, "", [], [], {}, problem=problem)
    snapshot = snapshot_for_project(project)
    inputs = attribute_inputs(project, data)
    stored = {} if generated else stored_attributes(project_id=project.pk, user_uid=user_uid)
    entered = {item.key: _typed(item) for item in inputs if item.value}
    custom = {**stored, **entered}
    presets = presets_from_headers(request_headers(data), now=_when(data.get("when", ""), now))
    trace = []
    decided = decide(snapshot, presets, custom, user_uid, tags, trace=trace)
    manifest = json.dumps(json.loads(manifest_json(decided)), indent=2)
    visitor = Visitor(presets, custom)
    labels = {}
    preset_choices, custom_choices = editor.attribute_choices(
        Attribute.objects.for_project(project)
    )
    labels = {choice.value: choice.label for choice in (*preset_choices, *custom_choices)}
    shown = [(PRESET_LABELS[ref], _shown(value)) for ref, value in presets.items()]
    shown += [(f"{key} (attribute)", _shown(value)) for key, value in custom.items()]
    return Preview(
        user_uid=user_uid,
        generated_uid=generated,
        manifest=manifest,
        explained=[_explain(snapshot, decision, visitor, labels) for decision in trace],
        visitor=shown,
        stored=stored,
    )
