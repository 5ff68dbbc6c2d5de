from dataclasses import dataclass, field

from django import forms
from django.conf import settings

from personalize_admin.core.forms import RevisionField

from .content import AUDIENCE_REQUIRED, equal_split, format_percent, version_content
from .models import CombinationType, DistributionType, Experience, ExperienceType, TargetGroup


class TagsField(forms.CharField):
    """Tags typed as a comma-separated list; the service checks and normalises them."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value


class GeneralDetailsForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=Experience._meta.get_field("name").max_length,
        error_messages={"required": "Please enter an experience name"},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=Experience._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tags = TagsField(
        label="Tags",
        required=False,
        max_length=1000,
        help_text='Separate tags with commas. Letters, digits, "-", "_" and ":"; stored in lowercase.',
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    revision = RevisionField()


class NewExperienceForm(GeneralDetailsForm):
    type = forms.ChoiceField(
        label="Experience type",
        choices=ExperienceType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please select an experience type: Segmented or A/B Test."},
    )

    field_order = ["type", "name", "description", "tags"]


TYPE_DESCRIPTIONS = {
    ExperienceType.SEGMENTED: "Show each audience its own variant of your content.",
    ExperienceType.AB_TEST: "Split visitors between variants and compare how each one performs.",
}


# ---------- the Configuration editor ----------


@dataclass
class VariantRow:
    index: int
    short_uid: str | None
    name: str
    audiences: list
    combination: str
    traffic: str
    errors: dict = field(default_factory=dict)
    autofocus: bool = False

    @property
    def number(self):
        return self.index + 1

    @property
    def index_str(self):
        return str(self.index)

    @property
    def number_str(self):
        return str(self.index + 1)


@dataclass
class MetricRow:
    index: int
    event: str
    errors: list = field(default_factory=list)
    autofocus: bool = False

    @property
    def is_primary(self):
        return self.index == 0


ROW_ACTIONS = ("remove_variant", "up", "down", "remove_metric")


class ConfigurationEditor:
    """The state of the Configuration form: a version's content being edited.

    Built from a saved version or from a POST, it turns into the API's JSON
    shape (``to_data``) for the shared validator, and carries that validator's
    errors back to the fields they concern. Adding, removing and moving rows
    happen here without saving, so unsaved edits survive them.
    """

    def __init__(self, *, experience, version, data, revision, errors=None, focus=None):
        self.experience = experience
        self.version = version
        self.revision = revision
        self.errors = errors or {}
        self.is_ab_test = experience.is_ab_test
        self.distribution_type = data.get("distributionType") or DistributionType.EQUAL
        targeting = data.get("targeting")
        self.target_group = TargetGroup.SELECTIVE if targeting else TargetGroup.EVERYONE
        self.targeting_audiences = list((targeting or {}).get("audiences") or [])
        self.targeting_combination = (targeting or {}).get(
            "audienceCombinationType"
        ) or CombinationType.AND
        self.rows = [
            VariantRow(
                index=index,
                short_uid=variant.get("shortUid"),
                name=variant.get("name") or "",
                audiences=list(variant.get("audiences") or []),
                combination=variant.get("audienceCombinationType") or CombinationType.AND,
                traffic=format_percent(variant["trafficDistribution"])
                if isinstance(variant.get("trafficDistribution"), (int, float))
                else (variant.get("trafficDistribution") or ""),
            )
            for index, variant in enumerate(data.get("variants") or [])
        ]
        self.metric_rows = [
            MetricRow(index=index, event=metric.get("event") or "")
            for index, metric in enumerate(data.get("metrics") or [])
        ]
        self._focus = focus
        self._attach_errors()

    # ----- building -----

    @classmethod
    def from_version(cls, version):
        return cls(
            experience=version.experience,
            version=version,
            data=version_content(version),
            revision=version.revision,
        )

    @classmethod
    def from_post(cls, *, version, post):
        experience = version.experience
        variants = []
        for row in post.getlist("variant"):
            prefix = f"variants-{row}-"
            variant = {
                "shortUid": post.get(prefix + "short_uid") or None,
                "name": post.get(prefix + "name", ""),
            }
            if experience.is_ab_test:
                variant["trafficDistribution"] = post.get(prefix + "traffic", "").strip()
            else:
                variant["audiences"] = post.getlist(prefix + "audiences")
                variant["audienceCombinationType"] = (
                    post.get(prefix + "combination") or CombinationType.AND
                )
            variants.append(variant)
        data = {"variants": variants}
        if experience.is_ab_test:
            data["distributionType"] = post.get("distribution_type") or DistributionType.EQUAL
            if post.get("target_group") == TargetGroup.SELECTIVE:
                data["targeting"] = {
                    "audiences": post.getlist("targeting_audiences"),
                    "audienceCombinationType": post.get("targeting_combination")
                    or CombinationType.AND,
                }
            else:
                data["targeting"] = None
            data["metrics"] = [
                {"__type": "Primary" if index == 0 else "Secondary", "event": event}
                for index, event in enumerate(post.getlist("metric"))
            ]
        try:
            revision = int(post.get("revision", ""))
        except ValueError:
            revision = None
        return cls(experience=experience, version=version, data=data, revision=revision)

    def to_data(self):
        variants = []
        for row in self.rows:
            variant = {"name": row.name}
            if row.short_uid:
                variant["shortUid"] = row.short_uid
            if self.is_ab_test:
                variant["trafficDistribution"] = row.traffic if row.traffic != "" else None
            else:
                variant["audiences"] = row.audiences
                variant["audienceCombinationType"] = row.combination
            variants.append(variant)
        data = {"variants": variants}
        if self.is_ab_test:
            data["distributionType"] = self.distribution_type
            data["targeting"] = (
                {
                    "audiences": self.targeting_audiences,
                    "audienceCombinationType": self.targeting_combination,
                }
                if self.target_group == TargetGroup.SELECTIVE
                else None
            )
            data["metrics"] = [
                {"__type": "Primary" if row.index == 0 else "Secondary", "event": row.event}
                for row in self.metric_rows
            ]
        return data

    # ----- editing without saving -----

    def apply(self, action):
        """Apply an add/remove/move action; returns False for an unknown one."""
        name, _, argument = action.partition(":")
        if name == "add_variant":
            if self.can_add_variant:
                self.rows.append(
                    VariantRow(
                        index=len(self.rows),
                        short_uid=None,
                        name="",
                        audiences=[],
                        combination=CombinationType.AND,
                        traffic="",
                    )
                )
                self._focus = ("variant", len(self.rows) - 1)
            self._attach_errors()
            return True
        if name == "add_metric":
            self.metric_rows.append(MetricRow(index=len(self.metric_rows), event=""))
            self._focus = ("metric", len(self.metric_rows) - 1)
            self._attach_errors()
            return True
        if name not in ROW_ACTIONS or not argument.isdigit():
            return False
        index = int(argument)
        rows = self.metric_rows if name == "remove_metric" else self.rows
        if index >= len(rows):
            return True
        if name in ("remove_variant", "remove_metric"):
            rows.pop(index)
        elif name == "up" and index > 0:
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        elif name == "down" and index < len(rows) - 1:
            rows[index + 1], rows[index] = rows[index], rows[index + 1]
        for position, row in enumerate(rows):
            row.index = position
        # Errors were about the old positions; the next save reports current ones.
        self.errors = {}
        self._attach_errors()
        return True

    def set_errors(self, errors):
        """Show a ``ValidationFailed``'s ``field_errors`` next to the fields they concern."""
        self.errors = errors or {}
        self._attach_errors()

    def _attach_errors(self):
        for row in self.rows:
            prefix = f"variants[{row.index}]"
            row.errors = {
                key: self.errors.get(f"{prefix}.{path}", [])
                + (self.errors.get(prefix, []) if key == "name" else [])
                for key, path in (
                    ("short_uid", "shortUid"),
                    ("name", "name"),
                    ("audiences", "audiences"),
                    ("combination", "audienceCombinationType"),
                    ("traffic", "trafficDistribution"),
                )
            }
            row.autofocus = self._focus == ("variant", row.index)
        for row in self.metric_rows:
            row.errors = self.errors.get(f"metrics[{row.index}].event", [])
            row.autofocus = self._focus == ("metric", row.index)

    # ----- what the template shows -----

    def set_choices(self, *, audiences, events):
        """The project's audiences and events to pick from (and selected ones since deleted)."""
        self.audience_choices = audiences
        self.event_choices = events
        names = {audience.uid: audience.name for audience in audiences}
        for row in self.rows:
            row.audience_names = [names.get(uid, uid) for uid in row.audiences]
        self.targeting_names = [names.get(uid, uid) for uid in self.targeting_audiences]

    @property
    def variant_limit(self):
        return settings.PERSONALIZE_LIMITS["variants_per_version"]

    @property
    def can_add_variant(self):
        return len(self.rows) < self.variant_limit

    @property
    def equal_shares(self):
        return [format_percent(share) for share in equal_split(len(self.rows))]

    @property
    def rows_with_shares(self):
        shares = self.equal_shares
        return [(row, shares[row.index]) for row in self.rows]

    @property
    def has_errors(self):
        return bool(self.errors)

    def errors_at(self, *paths):
        return [message for path in paths for message in self.errors.get(path, [])]

    @property
    def variants_errors(self):
        return self.errors_at("variants")

    @property
    def traffic_errors(self):
        return self.errors_at("trafficDistribution", "distributionType")

    @property
    def targeting_errors(self):
        return self.errors_at(
            "targeting", "targeting.audiences", "targeting.audienceCombinationType"
        )

    @property
    def metrics_errors(self):
        return self.errors_at("metrics")

    @property
    def other_errors(self):
        """Errors with no field on the form to show them next to."""
        shown = ("variants", "trafficDistribution", "distributionType", "targeting", "metrics")
        return [
            message
            for path, messages in self.errors.items()
            if not path.startswith(shown)
            for message in messages
        ]

    @property
    def required_audience_message(self):
        return AUDIENCE_REQUIRED
