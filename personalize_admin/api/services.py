"""API token actions, shared by the tokens page, the ``drf_create_token`` command
and the Django admin.

Each function checks its rules, changes state in one transaction, writes the
audit entry, and raises a ``DomainError`` (nothing changed) when refused.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from personalize_admin.core import audit
from personalize_admin.core.errors import Conflict, ValidationFailed

from .models import DISPLAY_PREFIX_LENGTH, ApiToken, generate_key, hash_key

MAX_ACTIVE_TOKENS_PER_USER = 50
# Recording every use would turn each API read into a write; once a minute is
# precise enough for "last used".
LAST_USED_PRECISION = timedelta(minutes=1)


def _clean_name(name):
    name = (name or "").strip()
    if not name:
        message = "Please enter a token name."
        raise ValidationFailed(
            message, code="personalize.TOKENS.NAME_REQUIRED", field_errors={"name": [message]}
        )
    max_length = ApiToken._meta.get_field("name").max_length
    if len(name) > max_length:
        message = f"A token name has at most {max_length} characters."
        raise ValidationFailed(
            message, code="personalize.TOKENS.NAME_TOO_LONG", field_errors={"name": [message]}
        )
    return name


@transaction.atomic
def create_token(*, user, name):
    """Create a token for ``user``; returns ``(token, key)``. The key is not stored
    anywhere: show it to the person now, it cannot be recovered later."""
    name = _clean_name(name)
    # Lock the user's row so two concurrent requests cannot both pass the checks below.
    get_user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
    active = ApiToken.objects.for_user(user).active()
    if active.filter(name__iexact=name).exists():
        message = f'You already have a token named "{name}". Choose another name.'
        raise Conflict(
            message, code="personalize.TOKENS.DUPLICATE_NAME", field_errors={"name": [message]}
        )
    if active.count() >= MAX_ACTIVE_TOKENS_PER_USER:
        raise Conflict(
            f"You have {MAX_ACTIVE_TOKENS_PER_USER} active tokens, the most allowed. "
            "Revoke one you no longer use first.",
            code="personalize.TOKENS.LIMIT_REACHED",
        )
    key = generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_key(key), key_prefix=key[:DISPLAY_PREFIX_LENGTH]
    )
    audit.record(
        project=None,
        actor=user,
        action="token.create",
        obj=token,
        message=f'Created API token "{name}" for {user.get_username()}.',
    )
    return token, key


@transaction.atomic
def revoke_token(*, token, actor):
    """Revoke ``token`` at once: the next request that sends it answers 401."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        project=None,
        actor=actor,
        action="token.revoke",
        obj=token,
        message=f'Revoked API token "{token.name}" of {token.user.get_username()}.',
    )
    return token


def note_use(token, now=None):
    """Record that ``token`` was just used (at most once per ``LAST_USED_PRECISION``)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
