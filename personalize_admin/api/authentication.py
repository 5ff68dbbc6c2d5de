"""How API callers prove who they are.

``authtoken: <key>`` (the public product's header) and ``Authorization: Token
<key>`` (Django REST framework's) carry the same tokens; same-origin browser
sessions work too, with CSRF enforced on unsafe methods.
"""

from rest_framework import authentication, exceptions

from . import services
from .models import ApiToken

INVALID_TOKEN = "Invalid or revoked token. Create a new one under API tokens in the user menu."


class _ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def get_key(self, request):
        raise NotImplementedError

    def authenticate(self, request):
        key = self.get_key(request)
        if key is None:
            return None
        token = ApiToken.objects.for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user account is disabled.")
        services.note_use(token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to requests without credentials.
        return self.keyword


class AuthTokenHeaderAuthentication(_ApiTokenAuthentication):
    """``authtoken: <key>``."""

    header = "HTTP_AUTHTOKEN"

    def get_key(self, request):
        value = request.META.get(self.header)
        if value is None:
            return None
        key = value.strip()
        if not key:
            raise exceptions.AuthenticationFailed("The authtoken header is empty.")
        return key


class TokenAuthentication(_ApiTokenAuthentication):
    """``Authorization: Token <key>``."""

    def get_key(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                'Send "Authorization: Token <token>" with one token.'
            )
        try:
            return parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None


class SessionAuthentication(authentication.SessionAuthentication):
    """A signed-in browser on the same origin; unsafe methods need the CSRF token."""
