"""Fragments for htmx swaps, whole pages for everything that replaces the body."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_htmx_search_gets_only_the_fragment(member_client, project):
    response = member_client.get(
        reverse("experiences:list", args=[project.uid]), {"q": "x"}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in response.content


def test_htmx_history_restore_gets_the_whole_page(member_client, project):
    """Back to a pushed URL: htmx replaces the body, so a fragment would lose the page."""
    response = member_client.get(
        reverse("experiences:list", args=[project.uid]),
        {"q": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert b"<html" in response.content
    assert b"Prioritize Experiences" in response.content
