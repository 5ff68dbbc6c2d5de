"""Responding to htmx and plain requests from the same view."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect


def redirect(request, url):
    """After a successful POST: a client-side redirect for htmx, a 303 otherwise."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def wants_fragment(request):
    """Whether an htmx request swaps a fragment. Boosted links and history
    restores (Back/Forward to a pushed URL whose page htmx no longer caches)
    replace the whole body, so they get the whole page."""
    htmx = getattr(request, "htmx", False)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_partial(request, template_name, partial, context, status=200):
    """Render ``template_name#partial`` for htmx requests that target a fragment,
    the whole page otherwise (the same template either way)."""
    if partial and wants_fragment(request):
        return render(request, f"{template_name}#{partial}", context, status=status)
    return render(request, template_name, context, status=status)
