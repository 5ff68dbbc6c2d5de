"""Operators' view of attributes, events and audiences.

Edits made here go through the same checks as the app (the one definition
validator) and mark the project's live configuration as changed. Deleting is
left to the app, which refuses to delete what experiences still use.
"""

from django import forms
from django.contrib import admin
from django.db import transaction

from personalize_admin.core.errors import ValidationFailed
from personalize_admin.projects.services import touch_live_config

from .models import Attribute, Audience, Event
from .rules import validate_definition


class _LiveConfigAdmin(admin.ModelAdmin):
    list_select_related = ["project"]
    readonly_fields = [
        "uid",
        "project",
        "revision",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            obj.updated_by = request.user
            obj.revision += 1
            super().save_model(request, obj, form, change)
            touch_live_config(obj.project)


@admin.register(Attribute)
class AttributeAdmin(_LiveConfigAdmin):
    list_display = ["name", "key", "type", "project", "updated_at"]
    list_filter = ["type"]
    search_fields = ["name", "key", "uid", "project__name"]
    fields = [
        "uid",
        "project",
        "name",
        "key",
        "type",
        "description",
        "revision",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    readonly_fields = [*_LiveConfigAdmin.readonly_fields, "type"]


@admin.register(Event)
class EventAdmin(_LiveConfigAdmin):
    list_display = ["key", "project", "deleted_at", "updated_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "uid", "project__name"]
    fields = [
        "uid",
        "project",
        "key",
        "description",
        "deleted_at",
        "revision",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    readonly_fields = [*_LiveConfigAdmin.readonly_fields, "deleted_at"]


class AudienceAdminForm(forms.ModelForm):
    class Meta:
        model = Audience
        fields = ["name", "description", "definition"]

    def clean_definition(self):
        try:
            return validate_definition(
                self.cleaned_data["definition"],
                attributes=Attribute.objects.for_project(self.instance.project),
            )
        except ValidationFailed as error:
            raise forms.ValidationError(
                [
                    f"{path or 'definition'}: {message}"
                    for path, messages in error.field_errors.items()
                    for message in messages
                ]
            ) from None


@admin.register(Audience)
class AudienceAdmin(_LiveConfigAdmin):
    form = AudienceAdminForm
    list_display = ["name", "project", "uid", "deleted_at", "updated_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "uid", "project__name"]
    fields = [
        "uid",
        "project",
        "name",
        "description",
        "definition",
        "deleted_at",
        "revision",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    readonly_fields = [*_LiveConfigAdmin.readonly_fields, "deleted_at"]
