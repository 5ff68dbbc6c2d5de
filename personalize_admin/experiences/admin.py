from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Experience, Metric, Tag, Variant, VariantAudience, Version, VersionStatus


class VersionInline(admin.TabularInline):
    """Versions change only through the lifecycle (the app or the API), so here they are read-only."""

    model = Version
    extra = 0
    can_delete = False
    fields = ["version_link", "status", "created_at", "activated_at", "paused_at", "archived_at"]
    readonly_fields = fields
    ordering = ["-number"]
    show_change_link = False

    @admin.display(description="Version")
    def version_link(self, obj):
        url = reverse("admin:experiences_version_change", args=[obj.pk])
        return format_html('<a href="{}">Version {}</a>', url, obj.number)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Experience)
class ExperienceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "project",
        "short_uid",
        "type",
        "status_label",
        "priority",
        "updated_at",
    ]
    list_filter = ["type", "project"]
    search_fields = ["name", "uid", "short_uid", "description", "project__name"]
    list_select_related = ["project"]
    readonly_fields = [
        "uid",
        "project",
        "short_uid",
        "type",
        "seed",
        "next_variant_short_uid",
        "priority",
        "revision",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ]
    fields = ["name", "description", "tags", *readonly_fields]
    filter_horizontal = ["tags"]
    inlines = [VersionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_versions()

    @admin.display(description="Status")
    def status_label(self, obj):
        return obj.get_status_display()

    def has_add_permission(self, request):
        # Creating an experience also creates its first version and numbers it: use the app or the API.
        return False


class VariantAudienceInline(admin.TabularInline):
    model = VariantAudience
    extra = 0
    raw_id_fields = ["audience"]


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = [
        "short_uid",
        "name",
        "position",
        "audience_combination",
        "traffic_percent",
        "audience_names",
    ]
    readonly_fields = ["audience_names"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("audiences")

    @admin.display(description="Audiences")
    def audience_names(self, obj):
        return ", ".join(audience.name for audience in obj.audiences.all()) or "-"


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 0
    raw_id_fields = ["event"]


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    """A draft may be corrected here; Active, Paused and Archived versions are read-only."""

    list_display = ["__str__", "status", "created_at", "activated_at", "archived_at"]
    list_filter = ["status"]
    search_fields = ["uid", "experience__name", "experience__uid"]
    list_select_related = ["experience"]
    readonly_fields = [
        "uid",
        "experience",
        "number",
        "status",
        "revision",
        "based_on",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "activated_at",
        "activated_by",
        "paused_at",
        "paused_by",
        "archived_at",
        "archived_by",
    ]
    fields = [
        "distribution_type",
        "target_group",
        "targeting_combination",
        "targeting_audiences",
        *readonly_fields,
    ]
    raw_id_fields = ["targeting_audiences"]
    inlines = [VariantInline, MetricInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "version"]
    search_fields = ["name", "version__experience__name"]
    list_select_related = ["version__experience"]
    inlines = [VariantAudienceInline]

    def has_module_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.version.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "project"]
    search_fields = ["name"]
    list_filter = ["project"]
