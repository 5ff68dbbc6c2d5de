from tests.factories import AttributeFactory, AudienceFactory, EventFactory
from tests.helpers.permissions import UrlCase


def _cached(name, make):
    def get(ctx):
        if name not in ctx.extra:
            ctx.extra[name] = make(ctx)
        return ctx.extra[name]

    return get


audience = _cached("audience", lambda ctx: AudienceFactory(project=ctx.project))
attribute = _cached("attribute", lambda ctx: AttributeFactory(project=ctx.project))
event = _cached("event", lambda ctx: EventFactory(project=ctx.project))


def with_uid(get, name="uid"):
    return lambda ctx: {"project_uid": ctx.project.uid, name: get(ctx).uid}


def audience_form(ctx):
    return {
        "name": "Visitors from Canada",
        "description": "",
        "n-kind": "group",
        "n-combination": "AND",
        "n_0-kind": "rule",
        "n_0-attribute": "preset:COUNTRY",
        "n_0-condition": "STRING_EQUALS",
        "n_0-value": "CA",
    }


def audience_edit_form(ctx):
    return {**audience_form(ctx), "revision": audience(ctx).revision}


CASES = [
    UrlCase("audiences:list"),
    UrlCase("audiences:create"),
    UrlCase("audiences:create", method="post", data=audience_form, member=303, owner=303),
    UrlCase("audiences:edit", kwargs=with_uid(audience, "audience_uid")),
    UrlCase(
        "audiences:edit",
        kwargs=with_uid(audience, "audience_uid"),
        method="post",
        data=audience_edit_form,
        member=303,
        owner=303,
    ),
    UrlCase("audiences:delete", kwargs=with_uid(audience, "audience_uid")),
    UrlCase(
        "audiences:delete",
        kwargs=with_uid(audience, "audience_uid"),
        method="post",
        member=303,
        owner=303,
    ),
    UrlCase("audiences:attributes"),
    UrlCase("audiences:attribute-create", member=303, owner=303),
    UrlCase(
        "audiences:attribute-create",
        method="post",
        member=303,
        owner=303,
        data=lambda ctx: {"name": "Plan", "key": "plan", "type": "STRING", "description": ""},
    ),
    UrlCase("audiences:attribute-edit", kwargs=with_uid(attribute)),
    UrlCase(
        "audiences:attribute-edit",
        kwargs=with_uid(attribute),
        method="post",
        member=303,
        owner=303,
        data=lambda ctx: {
            "name": "Plan",
            "key": "plan",
            "type": "STRING",
            "revision": attribute(ctx).revision,
        },
    ),
    UrlCase("audiences:attribute-delete", kwargs=with_uid(attribute)),
    UrlCase(
        "audiences:attribute-delete",
        kwargs=with_uid(attribute),
        method="post",
        member=303,
        owner=303,
    ),
    UrlCase("audiences:events"),
    UrlCase("audiences:event-create", member=303, owner=303),
    UrlCase(
        "audiences:event-create",
        method="post",
        member=303,
        owner=303,
        data=lambda ctx: {"key": "signup", "description": ""},
    ),
    UrlCase("audiences:event-edit", kwargs=with_uid(event)),
    UrlCase(
        "audiences:event-edit",
        kwargs=with_uid(event),
        method="post",
        member=303,
        owner=303,
        data=lambda ctx: {"key": "signup", "revision": event(ctx).revision},
    ),
    UrlCase("audiences:event-delete", kwargs=with_uid(event)),
    UrlCase("audiences:event-delete", kwargs=with_uid(event), method="post", member=303, owner=303),
]
