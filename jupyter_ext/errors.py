"""Domain errors, mapped to HTTP statuses in one place (routes.py).

Core code raises these; handlers never build status codes themselves.
"""


class JupyterExtError(Exception):
    """Base class: `message` is shown to the user as is, so make it actionable."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(JupyterExtError):
    """The request or the notebook content can't be used (400)."""

    status = 400


class NotFound(JupyterExtError):
    """An unknown notebook, cell, project or resource (404)."""

    status = 404


class InvalidFeature(JupyterExtError):
    """The code is not a usable feature definition (422)."""

    status = 422


class Conflict(JupyterExtError):
    """The request conflicts with the current state (409)."""

    status = 409


class WorkerTimeout(JupyterExtError):
    """The validation worker did not answer within its budget (504)."""

    status = 504


class UpstreamError(JupyterExtError):
    """GitHub (or the local forge) failed; the message carries its reason (502)."""

    status = 502


class NotSignedIn(JupyterExtError):
    """A GitHub action needs a token and none is configured (401)."""

    status = 401
