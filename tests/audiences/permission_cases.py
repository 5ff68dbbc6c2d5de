from tests.helpers.permissions import UrlCase

CASES = [
    UrlCase("audiences:list"),
    UrlCase("audiences:attributes"),
    UrlCase("audiences:events"),
]
