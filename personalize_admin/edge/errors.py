"""Errors the Edge API answers with: ``{"error": "<code>", "message": "…"}``."""

PROJECT_NOT_FOUND = "personalize.MANIFEST.PROJECT_NOT_FOUND"


class EdgeError(Exception):
    """A refused Edge API request; nothing was changed."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def as_body(self):
        return {"error": self.code, "message": self.message}


def project_not_found(project_uid):
    # The SDK recognises exactly this code on the manifest; the other endpoints
    # use the same one, so a client handles an unknown project in one place.
    shown = project_uid if len(project_uid) <= 64 else project_uid[:64] + "…"
    return EdgeError(
        404,
        PROJECT_NOT_FOUND,
        f"No project with the uid “{shown}”. Send the project's uid (Settings → General) "
        "in the X-Project-Uid header."
        if project_uid
        else "Send the project's uid (Settings → General) in the X-Project-Uid header.",
    )


def bad_request(code, message, status=400):
    return EdgeError(status, f"personalize.EDGE.{code}", message)
