from personalize_admin.projects.models import Membership
from tests.helpers.permissions import UrlCase


def membership_of(user):
    def kwargs(ctx):
        membership = Membership.objects.get(project=ctx.project, user=user(ctx))
        return {"project_uid": ctx.project.uid, "membership_id": membership.pk}

    return kwargs


NO_KWARGS = lambda ctx: {}  # noqa: E731

CASES = [
    UrlCase("projects:list", kwargs=NO_KWARGS, outsider=200),
    # Ordinary users (no projects.add_project) may not create projects; see test_views for those who may.
    UrlCase("projects:create", kwargs=NO_KWARGS, outsider=403, member=403, owner=403),
    UrlCase(
        "projects:create",
        kwargs=NO_KWARGS,
        method="post",
        data=lambda ctx: {"name": "New"},
        outsider=403,
        member=403,
        owner=403,
    ),
    UrlCase("projects:detail", member=302, owner=302),
    UrlCase("projects:settings", member=403),
    UrlCase(
        "projects:settings",
        method="post",
        member=403,
        owner=303,
        data=lambda ctx: {"name": "Renamed", "description": "", "revision": ctx.project.revision},
    ),
    UrlCase("projects:delete", member=403, owner=302),
    UrlCase(
        "projects:delete",
        method="post",
        data=lambda ctx: {"confirmation": "nope"},
        member=403,
        owner=422,
    ),
    UrlCase("projects:members", member=403),
    UrlCase(
        "projects:members",
        method="post",
        data=lambda ctx: {"user": ctx.outsider.username, "role": "MEMBER"},
        member=403,
        owner=303,
    ),
    UrlCase(
        "projects:member-role", kwargs=membership_of(lambda ctx: ctx.member), member=403, owner=302
    ),
    UrlCase(
        "projects:member-role",
        kwargs=membership_of(lambda ctx: ctx.member),
        method="post",
        data=lambda ctx: {"role": "OWNER"},
        member=403,
        owner=303,
    ),
    UrlCase(
        "projects:member-remove",
        kwargs=membership_of(lambda ctx: ctx.member),
        member=403,
        owner=302,
    ),
    UrlCase(
        "projects:member-remove",
        kwargs=membership_of(lambda ctx: ctx.member),
        method="post",
        member=403,
        owner=303,
    ),
]
