from personalize_admin.experiences import services
from tests.factories import make_experience
from tests.helpers.permissions import UrlCase


def experience(state="draft"):
    """URL kwargs for a fresh experience of the matrix project in ``state``:
    draft (never activated), active, paused, pending (active with a draft) or archived (has version 1 archived)."""

    def kwargs(ctx):
        made = make_experience(project=ctx.project, actor=ctx.owner, activate=state != "draft")
        live = made.versions.get()
        if state == "paused":
            services.pause_version(version=live, actor=ctx.owner)
        if state in ("pending", "archived"):
            draft = services.create_draft(experience=made, actor=ctx.owner)
            if state == "archived":
                services.activate_version(version=draft, actor=ctx.owner)
        return {"project_uid": ctx.project.uid, "experience_uid": made.uid}

    return kwargs


def version(state, number):
    def kwargs(ctx):
        return {**experience(state)(ctx), "number": number}

    return kwargs


def details(ctx):
    return {"name": "Renamed", "description": "", "tags": "", "revision": 1}


CASES = [
    UrlCase("experiences:list"),
    UrlCase("experiences:create", member=302, owner=302),
    UrlCase(
        "experiences:create",
        method="post",
        member=303,
        owner=303,
        data=lambda ctx: {
            "type": "SEGMENTED",
            "name": "Home hero",
            "description": "",
            "tags": "home",
        },
    ),
    UrlCase("experiences:prioritize", member=302, owner=302),
    UrlCase("experiences:prioritize-list"),
    UrlCase("experiences:prioritize-list", htmx=True),
    UrlCase(
        "experiences:prioritize",
        method="post",
        member=303,
        owner=303,
        data=lambda ctx: {"order": []},
    ),
    UrlCase("experiences:detail", kwargs=experience()),
    UrlCase(
        "experiences:detail",
        kwargs=experience(),
        method="post",
        data=details,
        member=303,
        owner=303,
    ),
    UrlCase("experiences:configuration", kwargs=experience()),
    UrlCase("experiences:configuration", kwargs=experience("active")),
    UrlCase(
        "experiences:configuration",
        kwargs=experience(),
        method="post",
        member=303,
        owner=303,
        data=lambda ctx: {"revision": 1, "action": "save"},
    ),
    UrlCase(
        "experiences:configuration",
        kwargs=experience(),
        method="post",
        htmx=True,
        data=lambda ctx: {"revision": 1, "action": "add_variant"},
    ),
    UrlCase("experiences:draft", kwargs=experience("pending")),
    UrlCase(
        "experiences:draft",
        kwargs=experience("pending"),
        method="post",
        data=lambda ctx: {"revision": 1, "action": "up:0"},
    ),
    UrlCase("experiences:compare", kwargs=experience("pending")),
    UrlCase("experiences:create-draft", kwargs=experience("active"), member=302, owner=302),
    UrlCase(
        "experiences:create-draft",
        kwargs=experience("active"),
        method="post",
        member=303,
        owner=303,
    ),
    UrlCase("experiences:pause", kwargs=experience("active"), member=302, owner=302),
    UrlCase("experiences:pause", kwargs=experience("active"), method="post", member=303, owner=303),
    UrlCase("experiences:resume", kwargs=experience("paused"), member=302, owner=302),
    UrlCase(
        "experiences:resume", kwargs=experience("paused"), method="post", member=303, owner=303
    ),
    UrlCase("experiences:discard", kwargs=experience("pending"), member=302, owner=302),
    UrlCase(
        "experiences:discard", kwargs=experience("pending"), method="post", member=303, owner=303
    ),
    UrlCase("experiences:delete", kwargs=experience(), member=302, owner=302),
    UrlCase(
        "experiences:delete", kwargs=experience("active"), method="post", member=303, owner=303
    ),
    UrlCase("experiences:version", kwargs=version("archived", 1)),
    UrlCase("experiences:restore", kwargs=version("archived", 1), member=302, owner=302),
    UrlCase(
        "experiences:restore", kwargs=version("archived", 1), method="post", member=303, owner=303
    ),
]
