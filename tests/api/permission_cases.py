"""The API tokens page in the permission matrix (the ``/api`` routes have their
own walker in ``tests/api/test_permissions.py``)."""

from personalize_admin.api import services
from personalize_admin.core.uids import new_uid
from tests.helpers.permissions import UrlCase

NO_KWARGS = lambda ctx: {}  # noqa: E731


def owners_token(ctx):
    token, _key = services.create_token(user=ctx.owner, name=f"Token {new_uid()[:6]}")
    return {"uid": token.uid}


CASES = [
    UrlCase("tokens:list", kwargs=NO_KWARGS, outsider=200),
    UrlCase("tokens:create", kwargs=NO_KWARGS, outsider=302, member=302, owner=302),
    UrlCase(
        "tokens:create",
        kwargs=NO_KWARGS,
        method="post",
        data=lambda ctx: {"name": "Deploy"},
        outsider=201,
        member=201,
        owner=201,
    ),
    # A token is its user's alone: anyone else gets 404, as if it did not exist.
    UrlCase("tokens:revoke", kwargs=owners_token, outsider=404, member=404, owner=302),
    UrlCase(
        "tokens:revoke", kwargs=owners_token, method="post", outsider=404, member=404, owner=303
    ),
]
