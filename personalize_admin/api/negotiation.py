from rest_framework.negotiation import DefaultContentNegotiation


class JsonOnlyNegotiation(DefaultContentNegotiation):
    """The API speaks JSON only: it answers JSON whatever ``Accept`` says, rather
    than 406. Parsers are still chosen by ``Content-Type``."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
