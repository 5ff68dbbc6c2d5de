import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from personalize_admin.settings import cache_from_url, env_bool, postgres_options


def test_cache_url_redis_uses_builtin_backend():
    config = cache_from_url("redis://127.0.0.1:6379/1")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_cache_url_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured):
        cache_from_url("memcache://x")


def test_env_bool_refuses_garbage(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)


@pytest.mark.django_db
def test_pages_send_csp_without_inline_scripts(client, member, project):
    client.force_login(member)
    response = client.get(reverse("experiences:list", args=[project.uid]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content


def test_production_defaults_are_secure(monkeypatch):
    import importlib

    import personalize_admin.settings as settings_module

    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("SECURE_SSL_REDIRECT", raising=False)
    reloaded = importlib.reload(settings_module)
    try:
        assert reloaded.DEBUG is False
        assert reloaded.SECURE_HSTS_SECONDS >= 31_536_000
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
        assert reloaded.SECURE_SSL_REDIRECT
        assert reloaded.SESSION_COOKIE_HTTPONLY
    finally:
        importlib.reload(settings_module)


def test_postgres_options_bound_connecting_and_optionally_statements(monkeypatch):
    monkeypatch.delenv("DB_CONNECT_TIMEOUT", raising=False)
    monkeypatch.delenv("DB_STATEMENT_TIMEOUT_MS", raising=False)
    options = postgres_options()
    assert options["connect_timeout"] == 5
    assert options["keepalives"] == 1
    assert "options" not in options

    monkeypatch.setenv("DB_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "3000")
    options = postgres_options()
    assert options["connect_timeout"] == 2
    assert options["options"] == "-c statement_timeout=3000"
