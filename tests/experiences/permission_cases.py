from tests.helpers.permissions import UrlCase

CASES = [
    UrlCase("experiences:list"),
]
