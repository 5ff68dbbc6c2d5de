from datetime import timedelta

import pytest
from django.utils import timezone

from personalize_admin.api import services
from personalize_admin.api.models import ApiToken
from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_create_token_returns_key_that_authenticates_and_audits(owner):
    token, key = services.create_token(user=owner, name="  Deploy script ")
    assert token.name == "Deploy script"
    assert ApiToken.objects.for_key(key).user == owner
    entry = AuditEntry.objects.get(action="token.create")
    assert entry.object_uid == token.uid and entry.actor == owner


@pytest.mark.parametrize(
    ("name", "code"),
    [("", "NAME_REQUIRED"), ("   ", "NAME_REQUIRED"), ("n" * 101, "NAME_TOO_LONG")],
)
def test_create_token_bad_name_is_refused_and_creates_nothing(owner, name, code):
    with pytest.raises(ValidationFailed) as raised:
        services.create_token(user=owner, name=name)
    assert raised.value.code == f"personalize.TOKENS.{code}"
    assert "name" in raised.value.field_errors
    assert not ApiToken.objects.exists()


def test_create_token_duplicate_active_name_is_refused(owner, member):
    services.create_token(user=owner, name="CI")
    with pytest.raises(Conflict) as raised:
        services.create_token(user=owner, name="ci")
    assert raised.value.code == "personalize.TOKENS.DUPLICATE_NAME"
    # Another user's tokens, and revoked ones, do not count.
    services.create_token(user=member, name="CI")
    services.revoke_token(token=ApiToken.objects.get(user=owner), actor=owner)
    services.create_token(user=owner, name="CI")
    assert ApiToken.objects.filter(user=owner).count() == 2


def test_create_token_beyond_the_limit_is_refused(owner, monkeypatch):
    monkeypatch.setattr(services, "MAX_ACTIVE_TOKENS_PER_USER", 2)
    services.create_token(user=owner, name="One")
    services.create_token(user=owner, name="Two")
    with pytest.raises(Conflict) as raised:
        services.create_token(user=owner, name="Three")
    assert raised.value.code == "personalize.TOKENS.LIMIT_REACHED"
    assert ApiToken.objects.filter(user=owner).count() == 2


def test_revoke_token_marks_it_once_and_audits(owner):
    token, _key = services.create_token(user=owner, name="CI")
    services.revoke_token(token=token, actor=owner)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    services.revoke_token(token=token, actor=owner)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first is not None
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_note_use_writes_at_most_once_per_minute(owner, django_assert_num_queries):
    token, _key = services.create_token(user=owner, name="CI")
    now = timezone.now()
    with django_assert_num_queries(1):
        services.note_use(token, now)
    with django_assert_num_queries(0):
        services.note_use(token, now + timedelta(seconds=30))
    with django_assert_num_queries(1):
        services.note_use(token, now + timedelta(minutes=2))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now + timedelta(minutes=2)
