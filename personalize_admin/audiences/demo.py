"""Demo content: custom attributes, events and audiences for the demo project.

The experiences demo looks the audiences up by name: "US visitors",
"Mobile shoppers", "Gold members", "Returning customers", "Newsletter readers"
and "Campaign visitors".
"""

from . import services
from .models import AttributeType
from .rules import custom_reference, preset_reference


def _rule(attribute, condition, options=None, invert=False):
    rule = {"__type": "Rule", "attribute": attribute, "attributeMatchCondition": condition}
    if options is not None:
        rule["attributeMatchOptions"] = options
    rule["invertCondition"] = invert
    return rule


def _group(combination, *rules):
    return {"__type": "RuleCombination", "combinationType": combination, "rules": list(rules)}


def _text(value):
    return {"__type": "StringMatchOptions", "value": value}


def load(*, project, user):
    age = services.create_attribute(
        project=project,
        name="Age",
        key="age",
        type=AttributeType.NUMBER,
        actor=user,
        description="The visitor's age in years, when they told us.",
    )
    tier = services.create_attribute(
        project=project,
        name="Membership tier",
        key="membership_tier",
        type=AttributeType.STRING,
        actor=user,
        description="bronze, silver or gold, from the loyalty programme.",
    )
    newsletter = services.create_attribute(
        project=project,
        name="Newsletter subscriber",
        key="newsletter",
        type=AttributeType.BOOLEAN,
        actor=user,
        description="Whether the visitor reads our newsletter.",
    )
    for key, description in [
        ("add_to_cart", "A product was added to the cart."),
        ("checkout_completed", "An order was placed."),
        ("newsletter_signup", "The visitor subscribed to the newsletter."),
    ]:
        services.create_event(project=project, key=key, description=description, actor=user)

    country, device = preset_reference("COUNTRY"), preset_reference("DEVICE_TYPE")
    audiences = [
        (
            "US visitors",
            "Visitors browsing from the United States.",
            _group("AND", _rule(country, "STRING_EQUALS", _text("US"))),
        ),
        (
            "Mobile shoppers",
            "Visitors on a phone.",
            _group("AND", _rule(device, "STRING_EQUALS", _text("Mobile"))),
        ),
        (
            "Gold members",
            "Members of the top loyalty tier.",
            _group("AND", _rule(custom_reference(tier.uid), "STRING_EQUALS", _text("gold"))),
        ),
        (
            "Returning customers",
            "Loyalty members aged 25 or over, or newsletter readers outside the US.",
            _group(
                "OR",
                _group(
                    "AND",
                    _rule(
                        custom_reference(tier.uid),
                        "STRING_IN_LIST",
                        {
                            "__type": "StringListMatchOptions",
                            "values": ["bronze", "silver", "gold"],
                        },
                    ),
                    _rule(
                        custom_reference(age.uid),
                        "NUMBER_GREATER_THAN",
                        {"__type": "NumberMatchOptions", "value": 24},
                    ),
                ),
                _group(
                    "AND",
                    _rule(custom_reference(newsletter.uid), "IS_TRUE"),
                    _rule(country, "STRING_EQUALS", _text("US"), invert=True),
                ),
            ),
        ),
        (
            "Newsletter readers",
            "Visitors who subscribed to the newsletter.",
            _group("AND", _rule(custom_reference(newsletter.uid), "IS_TRUE")),
        ),
        (
            "Campaign visitors",
            "Visitors who came from a newsletter or social campaign link.",
            _group(
                "OR",
                _rule(
                    preset_reference("QUERY_PARAMETERS"),
                    "JSON_MATCH",
                    {"__type": "JsonMatchOptions", "key": "utm_source", "value": "newsletter"},
                ),
                _rule(
                    preset_reference("QUERY_PARAMETERS"),
                    "JSON_MATCH",
                    {"__type": "JsonMatchOptions", "key": "utm_medium", "value": "social"},
                ),
            ),
        ),
    ]
    for name, description, definition in audiences:
        services.create_audience(
            project=project, name=name, description=description, definition=definition, actor=user
        )
