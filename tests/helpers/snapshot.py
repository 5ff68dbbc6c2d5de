"""What the database holds, to assert that a refused request changed nothing."""

from django.apps import apps

# Apps whose rows a request may change; sessions and the admin log are left out
# (signing in writes a session, whatever the request after it does).
APP_LABELS = (
    "auth",
    "guardian",
    "core",
    "projects",
    "audiences",
    "experiences",
    "edge",
    "analytics",
    "api",
)
# Bookkeeping a request may update without changing anything it was asked to.
IGNORED_FIELDS = {"api.ApiToken": {"last_used_at"}}


def database_state():
    """``{model label: [row dicts ordered by pk]}`` for every model of ``APP_LABELS``."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in APP_LABELS and not model._meta.proxy:
            ignored = IGNORED_FIELDS.get(model._meta.label, set())
            fields = [f.attname for f in model._meta.concrete_fields if f.name not in ignored]
            state[model._meta.label] = list(model._base_manager.order_by("pk").values(*fields))
    return state


def assert_unchanged(before, after, what):
    changed = sorted(label for label in before if before[label] != after.get(label))
    assert not changed, f"{what} changed {changed}"
