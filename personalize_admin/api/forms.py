from django import forms

from .models import ApiToken


class CreateTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What will use it, e.g. “Deploy script”.",
        error_messages={"required": "Please enter a token name."},
    )
