"""The Management API under ``/api`` (see ``shared/spec/management-api.md``).

Every endpoint has the same shape: a thin view that takes the project from the
``x-project-uid`` header, a serializer for the JSON's shape, one call to the
app's ``services.py`` for every rule, and an OpenAPI description that lists
every status it can answer. The web UI calls the same services, so a rule can
never differ between the two.

Where things are
----------------
- ``views/base.py``: ``ApiView`` (JSON only, ``authtoken`` / ``Authorization:
  Token`` / session authentication, throttling, ``required_permissions`` for
  Django permissions, the helpers ``parse``, ``respond``, ``no_content``) and
  ``ProjectScopedApiView`` (the project from ``x-project-uid``, or from the URL
  with ``project_scope = "path"``, resolved by ``resolve_access`` exactly as the
  UI does: missing header 400, unknown or not a member 404, role without the
  method's ``ProjectPermission`` 403; ``self.project``, ``self.access``).
  ``get_object_or_404(queryset, **lookup)`` answers 404 for malformed uids too.
- ``serializers/``: ``ApiSerializer`` (request bodies) and ``ApiModelSerializer``
  (responses). Fields are declared snake_case and appear camelCase in the JSON
  and in error paths; ``Meta.json_names`` names other keys, e.g.
  ``{"experience_type": "__type"}``. Use the strict ``CharField``,
  ``IntegerField``, ``BooleanField`` and ``ChoiceField`` from here (DRF's own
  coerce ``12`` to ``"12"``); ``UsernameField`` for ``createdBy``/``updatedBy``.
- ``exceptions.py``: one envelope for every error. A service's ``DomainError``
  answers its own ``status``, ``code``, ``message`` and ``field_errors``, with
  the paths camelCased (``variants[1].audience_combination_type`` →
  ``variants[1].audienceCombinationType``): views never catch it.
- ``schema.py``: ``ApiAutoSchema`` adds to every operation the errors its view
  can answer (401, 429; 400/413/415/422 with a body; 403 for writes and
  role-limited reads; 404 with path parameters or a project scope; the
  ``x-project-uid`` header). An endpoint documents only its success responses
  and its domain conflicts, with ``errors("personalize.…", …)``.
- ``urls.py``: paths exactly as the spec writes them, no trailing slash, before
  the catch-all that answers unknown paths with the envelope.
- ``models.py``, ``services.py``, ``authentication.py``, ``throttling.py``: API
  tokens (only a SHA-256 of each key is stored) and request rates
  (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``).

Adding an endpoint
------------------
1. Serializers in ``serializers/<app>.py``: one for the object as JSON, one per
   request body. Shape only (types, required keys, lengths taken from the
   model); every rule stays in the service.
2. A view in ``views/<app>.py``::

       class AttributeListView(ProjectScopedApiView):
           @extend_schema(tags=["Attributes"], summary="List attributes",
                          responses={200: AttributeSerializer(many=True)})
           def get(self, request):
               attributes = Attribute.objects.for_project(self.project)
               attributes = attributes.select_related("created_by", "updated_by")
               return self.respond(AttributeSerializer, attributes, many=True)

           @extend_schema(tags=["Attributes"], summary="Create an attribute",
                          request=AttributeInputSerializer,
                          responses={201: AttributeSerializer,
                                     409: errors("personalize.ATTRIBUTES.DUPLICATE_KEY")})
           def post(self, request):
               data = self.parse(AttributeInputSerializer)
               attribute = services.create_attribute(
                   project=self.project, actor=request.user, **data
               )
               return self.respond(AttributeSerializer, attribute, status=201)


       class AttributeDetailView(ProjectScopedApiView):
           def get_attribute(self):
               attributes = Attribute.objects.for_project(self.project)
               return get_object_or_404(attributes, uid=self.kwargs["uid"])
           ...

   Reading needs ``view_project`` and writing ``edit_content`` by default, as in
   the UI; set ``required_permissions = {"PUT": ProjectPermission.CHANGE}`` to
   differ. Conditional writes pass the body's ``revision`` on as
   ``expected_revision``. List views prefetch what they show so their query
   count stays constant.
3. The route in ``urls.py`` (``path("attributes/<str:uid>", …, name="attribute")``).
4. Tests in ``tests/api/``: a case per method in ``test_permissions.py`` (it
   fails for a route without one) and behaviour tests with the ``owner_api`` /
   ``member_api`` fixtures, which check every response against the OpenAPI
   document. The Schemathesis gate (``tests/api/test_fuzz.py``) picks the
   endpoint up by itself.
"""
