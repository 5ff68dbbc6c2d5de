from django import forms

from personalize_admin.core.forms import RevisionField

from .models import Attribute, AttributeType, Audience, Event


class _PrefixedIds:
    """Lets the "new" and "edit" modals of one page give their fields distinct ids."""

    def __init__(self, *args, prefix_id="", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"{prefix_id}-%s"


class AttributeForm(_PrefixedIds, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=Attribute._meta.get_field("name").max_length,
        error_messages={"required": "Please enter an attribute name."},
    )
    key = forms.CharField(
        label="Key",
        max_length=Attribute._meta.get_field("key").max_length,
        help_text="What the SDK sends, e.g. set({membership_tier: 'gold'}). Letters, digits and underscores.",
        error_messages={"required": "Please enter an attribute key."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}
        ),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    type = forms.ChoiceField(
        label="Type",
        choices=AttributeType.choices,
        initial=AttributeType.STRING,
        help_text="Decides which operators its rules offer.",
    )
    revision = RevisionField()


class EventForm(_PrefixedIds, forms.Form):
    key = forms.CharField(
        label="Key",
        max_length=Event._meta.get_field("key").max_length,
        help_text="What the SDK sends with triggerEvent(key). Letters, digits and underscores.",
        error_messages={"required": "Please enter an event key."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}
        ),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    revision = RevisionField()


class AudienceForm(forms.Form):
    """The audience's own fields; its rules are read by ``editor.parse_form``."""

    name = forms.CharField(
        label="Name",
        max_length=Audience._meta.get_field("name").max_length,
        error_messages={"required": "Please enter an audience name."},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=Audience._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    revision = RevisionField()
