from django.contrib.messages import get_messages
from django.template.loader import render_to_string


class HtmxMessagesMiddleware:
    """Deliver flash messages with htmx responses.

    A fragment swap does not re-render the page's toast region, so pending
    messages are appended to the response as an out-of-band swap into it.
    Redirecting responses (``HX-Redirect``, 3xx) keep their messages for the
    next full page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False):
            return response
        if (
            "HX-Redirect" in response
            or "HX-Refresh" in response
            or 300 <= response.status_code < 400
        ):
            return response
        if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
            return response
        storage = get_messages(request)
        pending = list(storage)
        if pending:
            response.write(render_to_string("components/toasts_oob.html", {"messages": pending}))
        return response
