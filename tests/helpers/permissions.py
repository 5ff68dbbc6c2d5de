"""The permission matrix: every URL, for anonymous, non-member, Member and Owner.

Each app declares its URLs in ``tests/<app>/permission_cases.py`` as a list
``CASES`` of ``UrlCase``. ``tests/core/test_url_permissions.py`` runs every
case for every role and fails when a URL in the URLconf has no case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

LOGIN = "login"  # expectation: redirected to the sign-in page
ROLES = ("anonymous", "outsider", "member", "owner")

# URL namespaces the matrix does not cover, with the reason.
EXEMPT_NAMESPACES = {
    "admin": "Django's admin checks staff status itself; covered by tests/core/test_admin.py",
    "api": "the Management API authenticates with tokens and x-project-uid; every route and method "
    "is covered by tests/api/test_permissions.py",
}
# Named URLs open to everyone by design.
PUBLIC_URLS = {
    "login": "the sign-in page",
    "logout": "signing out (POST only); covered by tests/projects/test_auth.py",
    "healthz": "load balancer health check; covered by tests/core/test_health.py",
}


@dataclass
class Context:
    """What a case's ``kwargs``/``data`` callables get: the project and its people."""

    project: object
    owner: object
    member: object
    outsider: object
    extra: dict = field(default_factory=dict)


@dataclass
class UrlCase:
    name: str
    kwargs: Callable[[Context], dict] = lambda ctx: {"project_uid": ctx.project.uid}
    method: str = "get"
    data: Callable[[Context], dict] | None = None
    htmx: bool = False
    anonymous: object = LOGIN
    outsider: object = 404
    member: object = 200
    owner: object = 200
    query: str = ""

    @property
    def id(self):
        return f"{self.name}[{self.method.upper()}{'+htmx' if self.htmx else ''}]"

    def expected(self, role):
        value = getattr(self, role)
        return value if isinstance(value, (tuple, set, frozenset, str)) else (value,)


def iter_named_urls(resolver=None, namespace=None):
    """Yield ``(namespace, name, pattern)`` for every URL pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from iter_named_urls(pattern, full_ns)
        elif isinstance(pattern, URLPattern):
            yield (namespace, pattern.name, pattern)


def covered_names_required():
    required = set()
    unnamed = []
    for namespace, name, pattern in iter_named_urls():
        if namespace and namespace.split(":")[0] in EXEMPT_NAMESPACES:
            continue
        if name is None:
            unnamed.append(str(pattern.pattern))
            continue
        full_name = f"{namespace}:{name}" if namespace else name
        if full_name in PUBLIC_URLS:
            continue
        required.add(full_name)
    return required, unnamed


def load_cases():
    cases = []
    tests_dir = Path(__file__).resolve().parent.parent
    for path in sorted(tests_dir.glob("*/permission_cases.py")):
        module = import_module(f"tests.{path.parent.name}.permission_cases")
        cases.extend(module.CASES)
    return cases
