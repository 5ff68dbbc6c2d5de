"""Domain errors raised by services and shown by both the UI and the API."""


class DomainError(Exception):
    """A refused action. ``code`` follows the API's error codes; ``message`` is
    the sentence a person reads; ``field_errors`` maps field paths to messages."""

    status = 400
    code = "personalize.BAD_REQUEST"

    def __init__(self, message, *, code=None, field_errors=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    status = 422
    code = "personalize.VALIDATION_FAILED"


class Conflict(DomainError):
    """The action does not fit the object's current state (or a stale revision)."""

    status = 409
    code = "personalize.CONFLICT"


class NotAllowed(DomainError):
    status = 403
    code = "personalize.FORBIDDEN"
