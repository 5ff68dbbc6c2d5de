from django.conf import settings
from rest_framework import parsers

from .exceptions import RequestTooLarge


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    before reading them (DRF reads the stream itself, bypassing Django's check)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        return super().parse(stream, media_type, parser_context)
