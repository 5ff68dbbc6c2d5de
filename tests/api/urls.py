"""Probe endpoints for testing the API's base classes without depending on any
real endpoint (``@pytest.mark.urls("tests.api.urls")``)."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.response import Response

from personalize_admin.api.serializers import ApiSerializer
from personalize_admin.api.views import ApiView, ProjectScopedApiView, get_object_or_404
from personalize_admin.core.errors import ValidationFailed
from personalize_admin.projects.models import Membership, ProjectPermission


class VariantSerializer(ApiSerializer):
    name = serializers.CharField()
    audiences = serializers.ListField(child=serializers.CharField(max_length=3))
    audience_combination_type = serializers.ChoiceField(choices=["AND", "OR"])


class ProbeSerializer(ApiSerializer):
    display_name = serializers.CharField()
    variants = VariantSerializer(many=True, required=False)

    class Meta:
        json_names = {"display_name": "__name"}


class HeaderScopedProbe(ProjectScopedApiView):
    def get(self, request):
        return Response({"project": self.project.uid, "role": self.access.role})

    def post(self, request):
        data = self.parse(ProbeSerializer)
        return Response({"received": data}, status=201)


class OwnerReadProbe(ProjectScopedApiView):
    required_permissions = {"GET": ProjectPermission.MANAGE_MEMBERS}

    def get(self, request):
        return Response({"ok": True})


class LookupProbe(ProjectScopedApiView):
    def get(self, request, user_id):
        membership = get_object_or_404(
            Membership.objects.all(), project=self.project, user_id=user_id
        )
        return Response({"role": membership.role})


class DomainErrorProbe(ApiView):
    def post(self, request):
        raise ValidationFailed(
            "Variant 2 needs an audience.",
            code="personalize.EXPERIENCES.VERSIONS.VARIANT_NEEDS_AUDIENCE",
            field_errors={
                "variants[1].audiences": ["Add at least one audience."],
                "definition.rules[0].attribute_match_options": ["Enter a value."],
            },
        )


class ExplodingProbe(ApiView):
    def get(self, request):
        raise RuntimeError("boom")


probes = [
    path("scoped", HeaderScopedProbe.as_view(), name="scoped"),
    path("owner-read", OwnerReadProbe.as_view(), name="owner-read"),
    path("lookup/<int:user_id>", LookupProbe.as_view(), name="lookup"),
    path("domain-error", DomainErrorProbe.as_view(), name="domain-error"),
    path("exploding", ExplodingProbe.as_view(), name="exploding"),
]

urlpatterns = [
    path("api/probe/", include((probes, "probe"))),
    path("", include("personalize_admin.urls")),
]
