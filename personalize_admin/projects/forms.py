from django import forms

from personalize_admin.core.forms import RevisionField

from .models import Project, Role
from .services import DELETE_CONFIRMATION


class ProjectForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=Project._meta.get_field("name").max_length,
        error_messages={"required": "Please enter a project name."},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=Project._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revision = RevisionField()


class DeleteProjectForm(forms.Form):
    confirmation = forms.CharField(
        label=f"Type {DELETE_CONFIRMATION} to confirm",
        error_messages={"required": f"Type {DELETE_CONFIRMATION} to confirm."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AddMemberForm(forms.Form):
    user = forms.CharField(
        label="Username or email",
        max_length=254,
        error_messages={"required": "Enter the username or email of an existing user."},
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
