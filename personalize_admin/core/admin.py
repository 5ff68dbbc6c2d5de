from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "project", "object_type", "action", "message"]
    list_filter = ["object_type", "action"]
    search_fields = ["message", "actor_name", "object_uid", "object_repr"]
    list_select_related = ["project"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
