"""Writing audit entries: one call per state change, inside its transaction."""

from .models import AuditEntry


def record(*, project, actor, action, obj, message, details=None):
    """Record that ``actor`` did ``action`` to ``obj`` (a model with a ``uid``)."""
    return AuditEntry.objects.create(
        project=project,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        object_type=obj._meta.model_name,
        object_uid=getattr(obj, "uid", "") or "",
        object_repr=str(obj)[:255],
        message=message[:500],
        details=details or {},
    )


def entries_for(obj, limit=50):
    return (
        AuditEntry.objects.filter(object_type=obj._meta.model_name, object_uid=obj.uid)
        .select_related(None)
        .order_by("-created_at", "-id")[:limit]
    )
