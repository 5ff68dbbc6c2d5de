"""Experiences that use audiences and events, made directly from the experiences models."""

import itertools

from personalize_admin.experiences.models import (
    Experience,
    ExperienceType,
    Metric,
    TargetGroup,
    Variant,
    VariantAudience,
    Version,
)

_numbers = itertools.count(100)


def experience(project, *, name=None, kind=ExperienceType.SEGMENTED):
    number = next(_numbers)
    return Experience.objects.create(
        project=project, short_uid=str(number), name=name or f"Experience {number}", type=kind
    )


def version_using(audience, *, status="DRAFT", via="variant", name=None, number=1, of=None):
    """A version in ``status`` whose variant (or A/B targeting) uses ``audience``."""
    kind = ExperienceType.AB_TEST if via == "targeting" else ExperienceType.SEGMENTED
    owner = of or experience(audience.project, name=name, kind=kind)
    version = Version.objects.create(experience=owner, number=number, status=status)
    if via == "targeting":
        version.target_group = TargetGroup.SELECTIVE
        version.save()
        version.targeting_audiences.add(audience)
    else:
        variant = Variant.objects.create(version=version, short_uid="0", name="Variant")
        VariantAudience.objects.create(variant=variant, audience=audience)
    return version


def version_measuring(event, *, status="DRAFT", name=None):
    owner = experience(event.project, name=name, kind=ExperienceType.AB_TEST)
    version = Version.objects.create(experience=owner, number=1, status=status)
    Metric.objects.create(version=version, event=event)
    return version
