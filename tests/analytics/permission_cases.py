from tests.experiences.permission_cases import experience
from tests.helpers.permissions import UrlCase

CASES = [
    UrlCase("analytics:tab", kwargs=experience("archived")),
    UrlCase("analytics:tab", kwargs=experience("archived"), query="?version=1&view=table"),
    UrlCase("analytics:tab", kwargs=experience("active"), query="?range=7d", htmx=True),
    UrlCase("analytics:tab", kwargs=experience()),
    UrlCase("analytics:export", kwargs=experience("archived"), query="?version=1"),
]
