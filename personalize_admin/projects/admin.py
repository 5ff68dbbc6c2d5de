from django.contrib import admin
from guardian.admin import GuardedModelAdminMixin

from .models import Membership, Project
from .roles import sync_permissions


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Project)
class ProjectAdmin(GuardedModelAdminMixin, admin.ModelAdmin):
    list_display = ["name", "uid", "member_count", "created_at", "updated_at"]
    search_fields = ["name", "uid", "description"]
    list_filter = ["created_at"]
    readonly_fields = [
        "uid",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "live_config_revision",
    ]
    inlines = [MembershipInline]

    @admin.display(description="Users")
    def member_count(self, obj):
        return obj.memberships.count()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships")

    def save_formset(self, request, form, formset, change):
        # Keep guardian permissions in step with memberships edited here.
        deleted = (
            [obj for obj in formset.deleted_objects] if hasattr(formset, "deleted_objects") else []
        )
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
            sync_permissions(user=membership.user, project=membership.project, role=membership.role)
        for membership in deleted:
            sync_permissions(user=membership.user, project=membership.project, role=None)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "user__email", "project__name", "project__uid"]
    autocomplete_fields = ["user", "project"]
    list_select_related = ["user", "project"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_permissions(user=obj.user, project=obj.project, role=obj.role)

    def delete_model(self, request, obj):
        user, project = obj.user, obj.project
        super().delete_model(request, obj)
        sync_permissions(user=user, project=project, role=None)

    def delete_queryset(self, request, queryset):
        pairs = [(m.user, m.project) for m in queryset.select_related("user", "project")]
        super().delete_queryset(request, queryset)
        for user, project in pairs:
            sync_permissions(user=user, project=project, role=None)
