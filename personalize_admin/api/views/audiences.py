"""``/api/attributes``, ``/api/events``, ``/api/audiences`` and their ``/{uid}``.

The same service calls as the Audiences, Attributes and Events pages, so the
API accepts and refuses exactly what the UI does.
"""

from drf_spectacular.utils import extend_schema

from personalize_admin.audiences import services
from personalize_admin.audiences.models import Attribute, AttributeType, Audience, Event

from ..exceptions import VALIDATION_FAILED
from ..schema import errors
from ..serializers.audiences import (
    AttributeInputSerializer,
    AttributeSerializer,
    AudienceInputSerializer,
    AudienceSerializer,
    EventInputSerializer,
    EventSerializer,
)
from .base import ProjectScopedApiView, get_object_or_404

ATTRIBUTES = ["Attributes"]
EVENTS = ["Events"]
AUDIENCES = ["Audiences"]

INVALID_ATTRIBUTE = errors(
    VALIDATION_FAILED,
    "personalize.ATTRIBUTES.INVALID",
    description="Invalid fields; `errors` names each one.",
)
INVALID_EVENT = errors(
    VALIDATION_FAILED,
    "personalize.EVENTS.INVALID",
    description="Invalid fields; `errors` names each one.",
)
INVALID_AUDIENCE = errors(
    VALIDATION_FAILED,
    "personalize.AUDIENCES.INVALID",
    "personalize.AUDIENCES.INVALID_DEFINITION",
    description="Invalid fields or rules; `errors` names each one, e.g. "
    "`definition.rules[0].attributeMatchOptions`.",
)


def _tracked(queryset):
    return queryset.select_related("created_by", "updated_by")


# ---------- attributes ----------


class AttributeListView(ProjectScopedApiView):
    @extend_schema(
        tags=ATTRIBUTES,
        summary="List custom attributes",
        description="The project's custom attributes, by name.",
        responses={200: AttributeSerializer(many=True)},
    )
    def get(self, request):
        attributes = _tracked(Attribute.objects.for_project(self.project))
        return self.respond(AttributeSerializer, attributes, many=True)

    @extend_schema(
        tags=ATTRIBUTES,
        summary="Create a custom attribute",
        description="The SDK sets the attribute's value with `set({key: value})`; audiences' "
        "rules compare it.",
        request=AttributeInputSerializer,
        responses={
            201: AttributeSerializer,
            409: errors(
                "personalize.ATTRIBUTES.DUPLICATE_KEY", "personalize.ATTRIBUTES.LIMIT_REACHED"
            ),
            422: INVALID_ATTRIBUTE,
        },
    )
    def post(self, request):
        data = self.parse(AttributeInputSerializer)
        data.pop("revision", None)
        data.setdefault("type", AttributeType.STRING)
        attribute = services.create_attribute(project=self.project, actor=request.user, **data)
        return self.respond(AttributeSerializer, attribute, status=201)


class AttributeDetailView(ProjectScopedApiView):
    def get_attribute(self):
        return get_object_or_404(
            _tracked(Attribute.objects.for_project(self.project)), uid=self.kwargs["uid"]
        )

    @extend_schema(
        tags=ATTRIBUTES, summary="Get a custom attribute", responses={200: AttributeSerializer}
    )
    def get(self, request, uid):
        return self.respond(AttributeSerializer, self.get_attribute())

    @extend_schema(
        tags=ATTRIBUTES,
        summary="Change a custom attribute",
        description="Send the `revision` you read to make the write conditional. An omitted "
        "`description` becomes empty; an omitted `type` stays as it is. The type cannot change "
        "while audiences compare the attribute in ways the new type does not offer.",
        request=AttributeInputSerializer,
        responses={
            200: AttributeSerializer,
            409: errors(
                "personalize.ATTRIBUTES.DUPLICATE_KEY",
                "personalize.ATTRIBUTES.TYPE_IN_USE",
                "personalize.ATTRIBUTES.STALE_REVISION",
            ),
            422: INVALID_ATTRIBUTE,
        },
    )
    def put(self, request, uid):
        attribute = self.get_attribute()
        data = self.parse(AttributeInputSerializer)
        attribute = services.update_attribute(
            attribute=attribute,
            name=data["name"],
            key=data["key"],
            description=data.get("description", ""),
            type=data.get("type", attribute.type),
            expected_revision=data.get("revision"),
            actor=request.user,
        )
        return self.respond(AttributeSerializer, attribute)

    @extend_schema(
        tags=ATTRIBUTES,
        summary="Delete a custom attribute",
        description="Refused while audiences' rules use it.",
        responses={204: None, 409: errors("personalize.ATTRIBUTES.IN_USE")},
    )
    def delete(self, request, uid):
        services.delete_attribute(attribute=self.get_attribute(), actor=request.user)
        return self.no_content()


# ---------- events ----------


class EventListView(ProjectScopedApiView):
    @extend_schema(
        tags=EVENTS,
        summary="List events",
        description="The project's custom events, by key.",
        responses={200: EventSerializer(many=True)},
    )
    def get(self, request):
        events = _tracked(Event.objects.for_project(self.project))
        return self.respond(EventSerializer, events, many=True)

    @extend_schema(
        tags=EVENTS,
        summary="Create an event",
        description="The SDK sends it with `triggerEvent(key)`; A/B tests measure it as a metric.",
        request=EventInputSerializer,
        responses={
            201: EventSerializer,
            409: errors("personalize.EVENTS.DUPLICATE_KEY", "personalize.EVENTS.LIMIT_REACHED"),
            422: INVALID_EVENT,
        },
    )
    def post(self, request):
        data = self.parse(EventInputSerializer)
        event = services.create_event(
            project=self.project,
            key=data["key"],
            description=data.get("description", ""),
            actor=request.user,
        )
        return self.respond(EventSerializer, event, status=201)


class EventDetailView(ProjectScopedApiView):
    def get_event(self):
        return get_object_or_404(
            _tracked(Event.objects.for_project(self.project)), uid=self.kwargs["uid"]
        )

    @extend_schema(tags=EVENTS, summary="Get an event", responses={200: EventSerializer})
    def get(self, request, uid):
        return self.respond(EventSerializer, self.get_event())

    @extend_schema(
        tags=EVENTS,
        summary="Change an event",
        description="Send the `revision` you read to make the write conditional. An omitted "
        "`description` becomes empty.",
        request=EventInputSerializer,
        responses={
            200: EventSerializer,
            409: errors(
                "personalize.EVENTS.DUPLICATE_KEY",
                "personalize.EVENTS.STALE_REVISION",
                "personalize.EVENTS.DELETED",
            ),
            422: INVALID_EVENT,
        },
    )
    def put(self, request, uid):
        event = self.get_event()
        data = self.parse(EventInputSerializer)
        event = services.update_event(
            event=event,
            key=data["key"],
            description=data.get("description", ""),
            expected_revision=data.get("revision"),
            actor=request.user,
        )
        return self.respond(EventSerializer, event)

    @extend_schema(
        tags=EVENTS,
        summary="Delete an event",
        description="Refused while a draft or live version measures it. Archived versions keep "
        "their analytics for it.",
        responses={204: None, 409: errors("personalize.EVENTS.IN_USE")},
    )
    def delete(self, request, uid):
        services.delete_event(event=self.get_event(), actor=request.user)
        return self.no_content()


# ---------- audiences ----------


class AudienceListView(ProjectScopedApiView):
    @extend_schema(
        tags=AUDIENCES,
        summary="List audiences",
        description="The project's audiences, by name.",
        responses={200: AudienceSerializer(many=True)},
    )
    def get(self, request):
        audiences = _tracked(Audience.objects.for_project(self.project))
        return self.respond(AudienceSerializer, audiences, many=True)

    @extend_schema(
        tags=AUDIENCES,
        summary="Create an audience",
        description="`definition` is validated by the same validator as the audience editor "
        "and stored normalized.",
        request=AudienceInputSerializer,
        responses={
            201: AudienceSerializer,
            409: errors(
                "personalize.AUDIENCES.DUPLICATE_NAME", "personalize.AUDIENCES.LIMIT_REACHED"
            ),
            422: INVALID_AUDIENCE,
        },
    )
    def post(self, request):
        data = self.parse(AudienceInputSerializer)
        audience = services.create_audience(
            project=self.project,
            name=data["name"],
            description=data.get("description", ""),
            definition=data["definition"],
            actor=request.user,
        )
        return self.respond(AudienceSerializer, audience, status=201)


class AudienceDetailView(ProjectScopedApiView):
    def get_audience(self):
        return get_object_or_404(
            _tracked(Audience.objects.for_project(self.project)), uid=self.kwargs["uid"]
        )

    @extend_schema(tags=AUDIENCES, summary="Get an audience", responses={200: AudienceSerializer})
    def get(self, request, uid):
        return self.respond(AudienceSerializer, self.get_audience())

    @extend_schema(
        tags=AUDIENCES,
        summary="Change an audience",
        description="Name, description and rules together, as the editor saves them. Send the "
        "`revision` you read to make the write conditional. An omitted `description` becomes "
        "empty. Live versions that use the audience follow the new rules at once.",
        request=AudienceInputSerializer,
        responses={
            200: AudienceSerializer,
            409: errors(
                "personalize.AUDIENCES.DUPLICATE_NAME",
                "personalize.AUDIENCES.STALE_REVISION",
                "personalize.AUDIENCES.DELETED",
            ),
            422: INVALID_AUDIENCE,
        },
    )
    def put(self, request, uid):
        audience = self.get_audience()
        data = self.parse(AudienceInputSerializer)
        audience = services.update_audience(
            audience=audience,
            name=data["name"],
            description=data.get("description", ""),
            definition=data["definition"],
            expected_revision=data.get("revision"),
            actor=request.user,
        )
        return self.respond(AudienceSerializer, audience)

    @extend_schema(
        tags=AUDIENCES,
        summary="Delete an audience",
        description="Refused while a draft or live version uses it (in a variant or in an A/B "
        "test's target group); the message lists those experiences. Archived versions keep "
        "showing it.",
        responses={204: None, 409: errors("personalize.AUDIENCES.IN_USE")},
    )
    def delete(self, request, uid):
        services.delete_audience(audience=self.get_audience(), actor=request.user)
        return self.no_content()
