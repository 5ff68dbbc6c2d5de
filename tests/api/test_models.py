import hashlib

import pytest

from personalize_admin.api import services
from personalize_admin.api.models import ApiToken, generate_key

pytestmark = pytest.mark.django_db


def test_generate_key_is_long_random_and_prefixed():
    keys = {generate_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(key.startswith("pa_") and len(key) >= 40 for key in keys)


def test_token_stores_only_a_hash_of_its_key(owner):
    token, key = services.create_token(user=owner, name="CI")
    token.refresh_from_db()
    stored = [str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields]
    assert key not in stored
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.key_prefix) and len(token.key_prefix) < len(key) // 3


def test_for_key_finds_active_token_only(owner):
    token, key = services.create_token(user=owner, name="CI")
    assert ApiToken.objects.for_key(key) == token
    services.revoke_token(token=token, actor=owner)
    assert ApiToken.objects.for_key(key) is None


@pytest.mark.parametrize("key", ["", None, "pa_unknown", "x" * 500, 42])
def test_for_key_with_unknown_or_odd_key_returns_none(owner, key):
    services.create_token(user=owner, name="CI")
    assert ApiToken.objects.for_key(key) is None
