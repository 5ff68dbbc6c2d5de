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


def render_page_or_partial(request, template_name, partial, context, status=200):
    """Render ``template_name#partial`` for htmx requests that target a fragment,
    the whole page otherwise (the same template either way)."""
    if getattr(request, "htmx", False) and not request.htmx.boosted and partial:
        return render(request, f"{template_name}#{partial}", context, status=status)
    return render(request, template_name, context, status=status)
