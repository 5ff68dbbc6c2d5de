"""Pagination for list pages: a page of rows whatever the ``page`` parameter says."""

from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The page of ``queryset`` that ``?page=`` asks for.

    A page that is not a number shows the first page and one past the end shows
    the last, so a stale or edited link never answers with an error.
    """
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
