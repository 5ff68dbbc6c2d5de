from django.contrib.messages import get_messages
from django.shortcuts import render
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


class RefuseNulCharactersMiddleware:
    """Answer 400 to form data or a query string holding a NUL character.

    PostgreSQL cannot store or even compare text with NUL in it, so such a value
    would fail deep inside whatever view read it. Django's form fields refuse it,
    but several editors read raw POST data; this refuses it once, for every page.
    The Edge API and the Management API parse their own bodies and refuse it there.
    """

    EXEMPT_PREFIXES = ("/edge/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After CsrfViewMiddleware's process_view: a request without its token is 403 first.
        if not request.path.startswith(self.EXEMPT_PREFIXES) and self._has_nul(request):
            return render(
                request,
                "400.html",
                {"reason": "The request contains a NUL character, which no field may hold."},
                status=400,
            )
        return None

    @staticmethod
    def _has_nul(request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return True
        return False
