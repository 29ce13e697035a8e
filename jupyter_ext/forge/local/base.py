"""The request pipeline every forge endpoint shares.

In order: count the call, apply an injected fault (delay, error, or a lost
response), authenticate the token, enforce the rate limit, then run the
endpoint under the state lock. Responses carry GitHub's headers
(`X-GitHub-Request-Id`, `X-RateLimit-*`, `X-OAuth-Scopes`) and errors carry
GitHub's body: `{"message", "documentation_url", "status"}`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import tornado.web

from .faults import CallCounter, Fault, FaultPlan
from .shapes import DOCS, Urls, error_json
from .state import ForgeState

API_PREFIX = "/api/v3"  # GitHub Enterprise's API root; the forge also serves at /
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"


class APIError(Exception):
    """An error answered the GitHub way."""

    def __init__(
        self,
        status: int,
        message: str,
        documentation_url: str = DOCS,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.documentation_url = documentation_url
        self.errors = errors
        self.headers = headers or {}


def not_found() -> APIError:
    return APIError(404, "Not Found")


def validation_failed(
    message: str,
    resource: str,
    code: str = "custom",
    field_name: str | None = None,
    doc: str = DOCS,
) -> APIError:
    error: dict[str, Any] = {"resource": resource, "code": code}
    if code == "custom":
        error["message"] = message
    if field_name:
        error["field"] = field_name
    return APIError(422, "Validation Failed", doc, errors=[error])


@dataclass
class RateWindow:
    reset: int
    used: int = 0


@dataclass
class ForgeConfig:
    fork_delay: float = 0.0  # seconds until a new fork is usable
    rate_limit: int = 5000  # requests per hour per token
    anonymous_rate_limit: int = 60
    window: int = 3600


@dataclass
class Forge:
    """Everything handlers share; one per forge (never module globals)."""

    state: ForgeState
    device: Any  # DeviceFlow
    config: ForgeConfig = field(default_factory=ForgeConfig)
    faults: FaultPlan = field(default_factory=FaultPlan)
    calls: CallCounter = field(default_factory=CallCounter)
    rate: dict[str, RateWindow] = field(default_factory=dict)
    rate_lock: threading.Lock = field(default_factory=threading.Lock)

    def charge(self, identity: str, limit: int) -> RateWindow:
        """Count one request against `identity`'s hourly window."""
        with self.rate_lock:
            now = int(time.time())
            window = self.rate.get(identity)
            if window is None or now >= window.reset:
                window = self.rate[identity] = RateWindow(reset=now + self.config.window)
            window.used += 1
            return window


def locked(method):
    """Run an endpoint body under the state lock (the Python API mutates from other threads)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.forge.state.lock:
            return method(self, *args, **kwargs)

    return wrapper


class ForgeHandler(tornado.web.RequestHandler):
    """Base: counting, faults, token auth, rate limits, GitHub errors."""

    # api: GitHub REST; oauth: device flow; web/git/admin: not counted, not faulted
    kind = "api"
    requires_auth = False

    def initialize(self, route: str = "") -> None:
        self.route = route
        self.login: str | None = None
        self.token: str | None = None
        self._lost_response: Fault | None = None
        # Headers that must survive tornado's send_error(), which clears the others.
        self._sticky: dict[str, str] = {}

    @property
    def forge(self) -> Forge:
        return self.settings["forge"]

    @property
    def urls(self) -> Urls:
        web = f"{self.request.protocol}://{self.request.host}"
        api = web + API_PREFIX if self.request.path.startswith(API_PREFIX + "/") else web
        return Urls(api=api, web=web)

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Server", "github.com (jupyter-ext local forge)")
        if not hasattr(self, "request_id"):  # stable across send_error()'s clear()
            self.request_id = ":".join(secrets.token_hex(n).upper() for n in (2, 3, 4, 4, 4))
        self.set_header("X-GitHub-Request-Id", self.request_id)
        self.set_header("X-GitHub-Media-Type", "github.v3; format=json")
        self.set_header("X-GitHub-Api-Version-Selected", "2022-11-28")

    def check_xsrf_cookie(self) -> None:  # an API: token auth, no cookies
        return

    async def prepare(self) -> None:
        counted = self.kind in ("api", "oauth")
        if counted:
            self.forge.calls.record(self.request.method, self.route)
        fault = self.forge.faults.take(self.request.method, self.route) if counted else None
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if self.kind == "api":
            self._authenticate()
        if fault is not None and fault.status is not None:
            if fault.after:
                self._lost_response = fault
            else:
                self._send_fault(fault)

    def _authenticate(self) -> None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        identity = f"ip:{self.request.remote_ip}"
        limit = self.forge.config.anonymous_rate_limit
        if header:
            if scheme.lower() not in ("token", "bearer") or not credential.strip():
                raise APIError(401, "Bad credentials")
            login = self.forge.state.login_for_token(credential.strip())
            if login is None:
                raise APIError(401, "Bad credentials")
            self.login, self.token = login, credential.strip()
            identity, limit = f"user:{login}", self.forge.config.rate_limit
            self._keep("X-OAuth-Scopes", self.forge.state.scopes_for_token(self.token))
            self._keep("X-Accepted-OAuth-Scopes", "repo")
        if self.route == "/rate_limit":  # does not count, as on GitHub
            window = self.forge.rate.get(identity)
            used, reset = (window.used, window.reset) if window else (0, int(time.time()) + 3600)
        else:
            window = self.forge.charge(identity, limit)
            used, reset = window.used, window.reset
        self.rate_info = {
            "limit": limit,
            "used": min(used, limit),
            "remaining": max(limit - used, 0),
            "reset": reset,
        }
        self._rate_headers(limit, max(limit - used, 0), reset, min(used, limit))
        if used > limit:
            raise self._rate_limit_error(reset)
        if self.requires_auth and self.login is None:
            raise APIError(401, "Requires authentication")

    def _keep(self, name: str, value: str) -> None:
        self._sticky[name] = value
        self.set_header(name, value)

    def _rate_headers(self, limit: int, remaining: int, reset: int, used: int) -> None:
        self._keep("X-RateLimit-Limit", str(limit))
        self._keep("X-RateLimit-Remaining", str(remaining))
        self._keep("X-RateLimit-Reset", str(reset))
        self._keep("X-RateLimit-Used", str(used))
        self._keep("X-RateLimit-Resource", "core")

    def _rate_limit_error(self, reset: int) -> APIError:
        who = self.forge.state.users[self.login].id if self.login else self.request.remote_ip
        kind = "user ID" if self.login else "IP"
        return APIError(
            403,
            f"API rate limit exceeded for {kind} {who}. If you reach out to GitHub Support "
            f"for help, please include the request ID {self.request_id}.",
            RATE_DOCS,
        )

    def _fault_error(self, fault: Fault) -> APIError:
        if fault.status == 403:
            reset = int(time.time()) + fault.reset_in
            limit = self.forge.config.rate_limit if self.login else 60
            self._rate_headers(limit, 0, reset, limit)
            error = self._rate_limit_error(reset)
            if fault.message:
                error.message = fault.message
            return error
        if fault.status == 422:
            return validation_failed(fault.message or "Injected validation failure", "Forge")
        if fault.status == 502:
            return APIError(502, fault.message or "Server Error")
        return APIError(fault.status or 500, fault.message or "Server Error")

    def _send_fault(self, fault: Fault) -> None:
        self._finish_error(self._fault_error(fault))

    def _finish_error(self, error: APIError) -> None:
        self.clear_header("Location")
        for name, value in {**self._sticky, **error.headers}.items():
            self.set_header(name, value)
        self.set_status(error.status)
        if self.kind in ("api", "oauth", "admin", "unrouted"):
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(
                json.dumps(
                    error_json(error.status, error.message, error.documentation_url, error.errors)
                )
            )
        else:
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"{error.status} {error.message}\n")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, APIError):
            self._finish_error(exc)
        elif isinstance(exc, tornado.web.HTTPError):
            self._finish_error(APIError(status_code, exc.log_message or self._reason))
        else:
            self._finish_error(APIError(500, "Server Error"))

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, APIError):
            return  # an answer, not a failure of the forge
        super().log_exception(typ, value, tb)

    # -- helpers for endpoints --------------------------------------------------

    def json_body(self) -> dict:
        if not self.request.body:
            return {}
        try:
            body = json.loads(self.request.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise APIError(400, "Problems parsing JSON") from None
        if not isinstance(body, dict):
            raise APIError(400, "Problems parsing JSON")
        return body

    def write_json(self, data: Any, status: int = 200) -> None:
        if self._lost_response is not None:
            # The change happened, but the client never hears of it (a lost response).
            self._send_fault(self._lost_response)
            return
        self.set_status(status)
        self.finish(json.dumps(data))

    def repo_or_404(self, owner: str, name: str, need: str = "pull", ready: bool = True):
        """The repository, if this token may see it (and act on it as `need` says)."""
        repo = self.forge.state.repos.get(f"{owner}/{name}")
        if repo is None or repo.permission(self.login) == "none":
            raise not_found()
        if ready and not repo.ready():
            raise not_found()  # a fork that GitHub is still creating
        if need in ("push", "admin"):
            if self.login is None:
                raise APIError(401, "Requires authentication")
            if repo.permission(self.login) not in ("push", "admin"):
                raise APIError(
                    403,
                    "Resource not accessible by personal access token",
                    "https://docs.github.com/rest/repos/contents",
                )
        return repo

    def require_login(self) -> str:
        if self.login is None:
            raise APIError(401, "Requires authentication")
        return self.login


class NotFoundHandler(ForgeHandler):
    """Unknown URLs answer like GitHub does (a JSON 404)."""

    kind = "unrouted"

    def prepare(self):
        raise not_found()
