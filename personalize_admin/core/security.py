"""The client address that rate limits count by."""

from django.conf import settings
from django.shortcuts import render


def client_ip(request):
    """``REMOTE_ADDR``, or with ``PROXY_COUNT`` proxies in front, the address the
    outermost trusted proxy saw (the same rule as the API's throttles)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count > 0 and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(count, len(addresses))]
    return remote


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer: the sign-in page's look, with what happened and
    for how long (429)."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
