"""Optimistic concurrency: a write names the revision it was based on.

A form or API client reads ``revision`` with the object and sends it back with
the change. The service locks the row and refuses the write when someone else
saved in between, so no one's work is silently overwritten.
"""

from django.db import models
from django.utils import timezone

from .errors import Conflict


class RevisionedModel(models.Model):
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def lock_for_update(obj, expected_revision=None, *, what=None, code=None):
    """Lock ``obj``'s row and return a fresh copy of it.

    Must run inside a transaction. Raises ``Conflict`` when
    ``expected_revision`` is given and differs from the stored revision.
    """
    fresh = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_revision is not None and int(expected_revision) != fresh.revision:
        what = what or f"This {obj._meta.verbose_name}"
        who = ""
        updated_by = getattr(fresh, "updated_by", None)
        if updated_by is not None:
            who = f" by {updated_by.get_username()}"
        when = ""
        updated_at = getattr(fresh, "updated_at", None)
        if updated_at is not None:
            when = f" at {timezone.localtime(updated_at):%Y-%m-%d %H:%M} UTC"
        raise Conflict(
            f"{what} was changed{who}{when} after you opened it, so your changes were not saved. "
            "Reload to see the latest version, then make your changes again.",
            code=code or "personalize.STALE_REVISION",
        )
    return fresh


def bump(obj):
    obj.revision = (obj.revision or 0) + 1
