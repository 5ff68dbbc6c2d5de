"""The Edge API is public: nobody is sent to sign in and a session grants nothing.

Without an ``X-Project-Uid`` header (the matrix sends none) every endpoint
answers the SDK's project-not-found 404 to everyone alike; ``tests/edge/``
covers what each endpoint does with one.
"""

from tests.helpers.permissions import UrlCase

NO_PROJECT = {"anonymous": 404, "outsider": 404, "member": 404, "owner": 404}


def no_kwargs(ctx):
    return {}


CASES = [
    UrlCase("edge:ping", kwargs=no_kwargs, anonymous=200, outsider=200),
    UrlCase("edge:manifest", kwargs=no_kwargs, **NO_PROJECT),
    UrlCase("edge:user_attributes", kwargs=no_kwargs, method="patch", **NO_PROJECT),
    UrlCase("edge:merge_user_attributes", kwargs=no_kwargs, method="post", **NO_PROJECT),
    UrlCase("edge:events", kwargs=no_kwargs, method="post", **NO_PROJECT),
]

CASES += [
    UrlCase("preview:page"),
    UrlCase("preview:page", query="?user_uid=v1&country=US&tags=home"),
    UrlCase("preview:page", query="?user_uid=v1&page_url=https%3A%2F%2Fx.example%2F", htmx=True),
]
