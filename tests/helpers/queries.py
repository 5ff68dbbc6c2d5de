"""Asserting that a page's query count does not grow with the rows it shows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return len(context.captured_queries), context.captured_queries


def assert_constant_queries(client, url, add_rows, sizes=(1, 20)):
    """Render ``url`` with each number of rows in ``sizes`` and compare query counts.

    ``add_rows(n)`` must add ``n`` more rows of what the page lists.
    """
    counts = []
    shown = 0
    for size in sizes:
        add_rows(size - shown)
        shown = size
        count, queries = count_queries(client, url)
        counts.append((size, count, queries))
    baseline = counts[0][1]
    for size, count, queries in counts[1:]:
        if count != baseline:
            listing = "\n".join(f"  {q['sql'][:200]}" for q in queries)
            raise AssertionError(
                f"{url}: {baseline} queries with {sizes[0]} rows but {count} with {size} rows:\n{listing}"
            )
    return baseline
