from django import forms


def add_domain_error(form, error):
    """Show a service's ``DomainError`` on the form: next to each field it names,
    and as a form-level error otherwise."""
    placed = False
    for path, messages in error.field_errors.items():
        field = path.split(".")[0].split("[")[0]
        for message in messages:
            if field in form.fields:
                form.add_error(field, message)
                placed = True
    if not placed:
        form.add_error(None, error.message)


class RevisionField(forms.IntegerField):
    """The revision the user's form was based on (see ``core.revisions``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
