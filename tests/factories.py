"""Factories for tests. Objects with rules (projects, memberships) go through
the services so tests see the same state the app creates."""

import itertools

import factory
from django.contrib.auth import get_user_model

from personalize_admin.audiences.models import Attribute, AttributeType, Audience, Event
from personalize_admin.projects import services as project_services
from personalize_admin.projects.models import Role

PASSWORD = "correct-horse-battery-staple"
_project_numbers = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_project(*, owner=None, members=(), owners=(), name=None, description=""):
    """A project created by ``owner`` (made up when not given) with extra members."""
    owner = owner or UserFactory()
    project = project_services.create_project(
        name=name or f"Project {next(_project_numbers)}",
        description=description,
        actor=owner,
    )
    for user in members:
        project_services.add_member(
            project=project, user_identifier=user.username, role=Role.MEMBER, actor=owner
        )
    for user in owners:
        project_services.add_member(
            project=project, user_identifier=user.username, role=Role.OWNER, actor=owner
        )
    return project


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute

    name = factory.Sequence(lambda n: f"Attribute {n}")
    key = factory.Sequence(lambda n: f"attribute_{n}")
    type = AttributeType.STRING


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    key = factory.Sequence(lambda n: f"event_{n}")
    description = ""


def country_rule(country="US"):
    return {
        "__type": "Rule",
        "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
        "attributeMatchCondition": "STRING_EQUALS",
        "attributeMatchOptions": {"__type": "StringMatchOptions", "value": country},
        "invertCondition": False,
    }


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience

    name = factory.Sequence(lambda n: f"Audience {n}")
    description = ""
    definition = factory.LazyFunction(
        lambda: {"__type": "RuleCombination", "combinationType": "AND", "rules": [country_rule()]}
    )


_experience_numbers = itertools.count(1)


def segmented_variants(*audience_lists, names=None):
    """Segmented variants in the API's shape, one per list of audiences."""
    return [
        {
            "name": (names[index] if names else f"Variant {index + 1}"),
            "audiences": [audience.uid for audience in audiences],
            "audienceCombinationType": "OR",
        }
        for index, audiences in enumerate(audience_lists)
    ]


def ab_variants(*names):
    return [{"name": name} for name in names]


def make_experience(
    *,
    project,
    actor,
    name=None,
    type="SEGMENTED",
    tags=(),
    variants=None,
    activate=False,
    **settings,
):
    """An experience made through the services; ``variants`` fill Version 1, which
    ``activate`` then makes Active. Segmented experiences get one audience by default."""
    from personalize_admin.experiences import services as experience_services

    experience = experience_services.create_experience(
        project=project,
        name=name or f"Experience {next(_experience_numbers)}",
        description="",
        type=type,
        tags=list(tags),
        actor=actor,
    )
    if variants is None and activate:
        if type == "SEGMENTED":
            variants = segmented_variants([AudienceFactory(project=project)])
        else:
            variants = ab_variants("Control", "Treatment")
    if variants is not None:
        draft = experience.versions.get()
        experience_services.save_draft(
            version=draft, data={"variants": variants, **settings}, actor=actor
        )
        if activate:
            experience_services.activate_version(version=draft, actor=actor)
    return experience
