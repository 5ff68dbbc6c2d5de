"""Demo experiences in every state, made through the services like a person would."""

from personalize_admin.audiences.models import Audience, Event

from . import services

AUDIENCES = {
    "US visitors": ("Visitors browsing from the United States.", "COUNTRY", "US"),
    "Mobile shoppers": ("Visitors on a phone.", "DEVICE_TYPE", "MOBILE"),
    "Gold members": ("Members of the Gold loyalty tier.", None, "gold"),
    "Returning customers": ("Visitors who bought before.", None, "returning"),
}
EVENTS = {
    "add_to_cart": "A product was added to the cart.",
    "checkout_completed": "An order was placed.",
    "newsletter_signup": "A visitor subscribed to the newsletter.",
}


def _definition(preset, value):
    if preset:
        attribute = {"__type": "PresetAttributeReference", "ref": preset}
    else:
        attribute = {"__type": "CustomAttributeReference", "ref": "membership_tier"}
    return {
        "__type": "RuleCombination",
        "combinationType": "AND",
        "rules": [
            {
                "__type": "Rule",
                "attribute": attribute,
                "attributeMatchCondition": "STRING_EQUALS",
                "attributeMatchOptions": {"__type": "StringMatchOptions", "value": value},
                "invertCondition": False,
            }
        ],
    }


def _audiences(project, user):
    """The audiences demo's audiences by name, created here when that demo did not run."""
    found = {a.name: a for a in Audience.objects.for_project(project).filter(name__in=AUDIENCES)}
    for name, (description, preset, value) in AUDIENCES.items():
        if name not in found:
            found[name] = Audience.objects.create(
                project=project,
                name=name,
                description=description,
                definition=_definition(preset, value),
                created_by=user,
                updated_by=user,
            )
    return found


def _events(project, user):
    found = {
        e.key: e
        for e in Event.objects.for_project(project).filter(key__in=EVENTS, deleted_at__isnull=True)
    }
    for key, description in EVENTS.items():
        if key not in found:
            found[key] = Event.objects.create(
                project=project, key=key, description=description, created_by=user, updated_by=user
            )
    return found


def _segmented(*variants):
    return {
        "variants": [
            {
                "name": name,
                "audiences": [a.uid for a in audiences],
                "audienceCombinationType": combination,
            }
            for name, audiences, combination in variants
        ]
    }


def _experience(project, user, name, description, type, tags, data=None):
    experience = services.create_experience(
        project=project, name=name, description=description, type=type, tags=tags, actor=user
    )
    draft = experience.versions.get()
    if data is not None:
        draft = services.save_draft(version=draft, data=data, actor=user)
    return experience, draft


def load(*, project, user):
    audiences = _audiences(project, user)
    events = _events(project, user)
    us, mobile = audiences["US visitors"], audiences["Mobile shoppers"]
    gold, returning = audiences["Gold members"], audiences["Returning customers"]

    # Active segmented experience.
    _, draft = _experience(
        project,
        user,
        "Home page hero",
        "The large banner at the top of the home page.",
        "SEGMENTED",
        ["home", "banner"],
        _segmented(("US summer hero", [us], "AND"), ("Loyalty hero", [gold, returning], "OR")),
    )
    services.activate_version(version=draft, actor=user)

    # Active A/B test with a primary and a secondary metric.
    _, draft = _experience(
        project,
        user,
        "Checkout button color",
        "Does a green checkout button sell more than the blue one?",
        "AB_TEST",
        ["checkout", "ab"],
        {
            "variants": [{"name": "Blue button (control)"}, {"name": "Green button"}],
            "distributionType": "EQUAL",
            "targeting": None,
            "metrics": [
                {"__type": "Primary", "event": events["checkout_completed"].uid},
                {"__type": "Secondary", "event": events["add_to_cart"].uid},
            ],
        },
    )
    services.activate_version(version=draft, actor=user)

    # Active with a pending draft that adds a variant.
    experience, draft = _experience(
        project,
        user,
        "Free shipping bar",
        "The strip above the navigation announcing free shipping.",
        "SEGMENTED",
        ["shipping"],
        _segmented(("US free shipping", [us], "AND")),
    )
    live = services.activate_version(version=draft, actor=user)
    draft = services.create_draft(experience=experience, actor=user)
    data = {
        "variants": [
            {"shortUid": "0", "name": "US free shipping over $50", "audiences": [us.uid]},
            {"name": "Gold members ship free", "audiences": [gold.uid]},
        ]
    }
    services.save_draft(version=draft, data=data, actor=user)

    # Paused.
    experience, draft = _experience(
        project,
        user,
        "Newsletter prompt",
        "The sign-up box shown to mobile visitors.",
        "SEGMENTED",
        ["newsletter"],
        _segmented(("Mobile sign-up box", [mobile], "AND")),
    )
    live = services.activate_version(version=draft, actor=user)
    services.pause_version(version=live, actor=user)

    # Two archived versions behind the active one.
    experience, draft = _experience(
        project,
        user,
        "Product page recommendations",
        "Recommendations under the product description.",
        "SEGMENTED",
        ["product"],
        _segmented(("Bestsellers", [us], "AND")),
    )
    services.activate_version(version=draft, actor=user)
    for variants, kept in (
        ((("Bestsellers", [us], "AND"), ("Mobile picks", [mobile], "AND")), 1),
        ((("Bestsellers", [us, returning], "OR"), ("Mobile picks", [mobile], "AND")), 2),
    ):
        draft = services.create_draft(experience=experience, actor=user)
        data = _segmented(*variants)
        for index, variant in enumerate(data["variants"][:kept]):
            variant["shortUid"] = str(index)
        services.save_draft(version=draft, data=data, actor=user)
        services.activate_version(version=draft, actor=user)

    # Never activated.
    _experience(
        project,
        user,
        "Winter sale teaser",
        "Planned for November; not live yet.",
        "SEGMENTED",
        ["seasonal", "home"],
        _segmented(("Winter teaser US", [us], "AND")),
    )
