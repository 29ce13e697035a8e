"""HTTP handlers: parse JSON -> one service call -> JSON.

All routes live under `{base_url}/jupyter-ext/`. Every verb is
`@tornado.web.authenticated`; tests/test_auth.py proves it for every route in
`route_table()`. Domain errors (jupyter_ext.errors) map to statuses in
`JupyterExtHandler.write_error`, the one place that does so; the client gets
`{"message": ...}` and never a traceback.
"""

from __future__ import annotations

import json
from typing import Any

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from . import __version__
from .errors import BadRequest, JupyterExtError, NotFound

NAMESPACE = "jupyter-ext"

# The frontend refuses to talk to a server extension of another API version.
API_VERSION = 1


class JupyterExtHandler(ExtensionHandlerMixin, APIHandler):
    """Base handler: JSON in, JSON out, one error mapping."""

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 that says what is wrong."""
        raw = self.request.body or b"{}"
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise BadRequest(f"The request body is not valid JSON: {err}") from None
        except RecursionError:
            raise BadRequest("The request body's JSON is nested too deeply.") from None
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        if b"\\ud" in raw.lower():
            # Valid JSON may escape a lone surrogate (\ud800), which no UTF-8 file or
            # module can hold; refuse it here rather than fail deep inside a service.
            try:
                json.dumps(body, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest(
                    "The request body has text that is not valid Unicode (an unpaired "
                    "surrogate such as \\ud800)."
                ) from None
        return body

    def finish_json(self, payload: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, JupyterExtError):
            self.set_status(exc.status)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": exc.message}))
            return
        if not isinstance(exc, tornado.web.HTTPError) and exc is not None:
            # Unexpected: logged with its traceback by log_exception; the user
            # gets a message without internals.
            self.set_header("Content-Type", "application/json")
            self.finish(
                json.dumps(
                    {"message": "Internal error in jupyter-ext; the server log has the details."}
                )
            )
            return
        super().write_error(status_code, **kwargs)

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, JupyterExtError):
            # An expected, user-facing error: one line, no traceback.
            self.log.warning(
                "%s %s -> %s: %s",
                self.request.method,
                self.request.path,
                value.status,
                value.message,
            )
            return
        super().log_exception(typ, value, tb)


class InfoHandler(JupyterExtHandler):
    """Versions for the frontend's handshake, and a summary of the project."""

    @tornado.web.authenticated
    def get(self):
        app = self.extensionapp
        if app.prewarm_worker:
            app.validation.schedule_warm()
        self.finish_json(
            {
                "name": "jupyter_ext",
                "version": __version__,
                "api_version": API_VERSION,
                "project": self.extensionapp.validation.project_summary(),
                "auth": self.extensionapp.auth.info(),
            }
        )


class ExtractHandler(JupyterExtHandler):
    """A notebook cell -> its self-contained module, dependencies and warnings."""

    @tornado.web.authenticated
    async def post(self):
        extraction = await self.extensionapp.extraction.extract(self.json_body())
        self.finish_json(extraction.to_json())


class ValidateHandler(JupyterExtHandler):
    """A notebook cell (or module source) -> the validation report (checks + acceptance)."""

    @tornado.web.authenticated
    async def post(self):
        report = await self.extensionapp.validation.validate(self.json_body())
        self.finish_json(report)


class SubmitHandler(JupyterExtHandler):
    """A notebook cell -> validated, then a pull request (created or updated)."""

    @tornado.web.authenticated
    async def post(self):
        result = await self.extensionapp.submission.submit(self.json_body())
        self.finish_json(result)


class FeaturesHandler(JupyterExtHandler):
    """Existing features (who wrote what, how informative) and the columns they leave out."""

    @tornado.web.authenticated
    async def get(self):
        path = self.get_query_argument("path", None)  # a notebook: its project's view
        self.finish_json(await self.extensionapp.discovery.features(path))


class SubmissionsHandler(JupyterExtHandler):
    """This user's feature pull requests on the project's upstream, with their state."""

    @tornado.web.authenticated
    async def get(self):
        self.finish_json(await self.extensionapp.submission.submissions())


class AuthHandler(JupyterExtHandler):
    """GET: who is signed in to GitHub (never the token). DELETE: sign out."""

    @tornado.web.authenticated
    async def get(self):
        self.finish_json(await self.extensionapp.auth.status())

    @tornado.web.authenticated
    def delete(self):
        self.finish_json(self.extensionapp.auth.sign_out())


class DeviceAuthHandler(JupyterExtHandler):
    """POST: start GitHub's device flow (a code to enter at a URL). GET: poll it."""

    @tornado.web.authenticated
    async def post(self):
        self.finish_json(await self.extensionapp.auth.start_device())

    @tornado.web.authenticated
    async def get(self):
        self.finish_json(await self.extensionapp.auth.poll_device())


class UnknownEndpointHandler(JupyterExtHandler):
    """Any other path under jupyter-ext/: a JSON 404 the frontend can show (not Jupyter's
    HTML page), e.g. when a newer frontend talks to an older server extension."""

    def _unknown(self, *_args) -> None:
        raise NotFound(
            f"No jupyter-ext endpoint {self.request.method} {self.request.path}; the server "
            f"extension is version {__version__} (API {API_VERSION})."
        )

    get = tornado.web.authenticated(_unknown)
    post = tornado.web.authenticated(_unknown)
    put = tornado.web.authenticated(_unknown)
    patch = tornado.web.authenticated(_unknown)
    delete = tornado.web.authenticated(_unknown)


def route_table() -> list[tuple]:
    """(pattern, handler) pairs relative to base_url; ExtensionApp adds the prefix."""
    routes = [
        (rf"/{NAMESPACE}/info", InfoHandler),
        (rf"/{NAMESPACE}/extract", ExtractHandler),
        (rf"/{NAMESPACE}/validate", ValidateHandler),
        (rf"/{NAMESPACE}/submit", SubmitHandler),
        (rf"/{NAMESPACE}/submissions", SubmissionsHandler),
        (rf"/{NAMESPACE}/features", FeaturesHandler),
        (rf"/{NAMESPACE}/auth", AuthHandler),
        (rf"/{NAMESPACE}/auth/device", DeviceAuthHandler),
    ]
    # Last, so that every route above wins over it.
    return [*routes, (rf"/{NAMESPACE}/(.*)", UnknownEndpointHandler)]
