"""The forge's route table and `LocalForge`, its Python API.

Routes are named by GitHub's own templates (`/repos/{owner}/{repo}/forks`);
those names key fault injection and call counting. Every API route is served
both at `/` (like api.github.com) and under `/api/v3` (like GitHub Enterprise).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from pathlib import Path

import tornado.web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from . import admin, gitdata, githttp, oauth, pulls, repos, users, web
from .base import API_PREFIX, Forge, ForgeConfig, NotFoundHandler
from .device import DeviceFlow
from .state import ForgeState, PullRequest, Repo, User

API_ROUTES = [
    ("/user", users.AuthenticatedUserHandler),
    ("/users/{username}", users.UserHandler),
    ("/rate_limit", users.RateLimitHandler),
    ("/repos/{owner}/{repo}", repos.RepoHandler),
    ("/repos/{owner}/{repo}/forks", repos.ForksHandler),
    ("/repos/{owner}/{repo}/contents/{path}", repos.ContentsHandler),
    ("/repos/{owner}/{repo}/git/ref/{ref}", gitdata.RefHandler),
    ("/repos/{owner}/{repo}/git/refs", gitdata.RefsHandler),
    ("/repos/{owner}/{repo}/git/refs/{ref}", gitdata.RefsHandler),
    ("/repos/{owner}/{repo}/git/matching-refs/{ref}", gitdata.RefsHandler),
    ("/repos/{owner}/{repo}/git/blobs", gitdata.BlobsHandler),
    ("/repos/{owner}/{repo}/git/blobs/{sha}", gitdata.BlobsHandler),
    ("/repos/{owner}/{repo}/git/trees", gitdata.TreesHandler),
    ("/repos/{owner}/{repo}/git/trees/{sha}", gitdata.TreesHandler),
    ("/repos/{owner}/{repo}/git/commits", gitdata.CommitsHandler),
    ("/repos/{owner}/{repo}/git/commits/{sha}", gitdata.CommitsHandler),
    ("/repos/{owner}/{repo}/pulls", pulls.PullsHandler),
    ("/repos/{owner}/{repo}/pulls/{pull_number}", pulls.PullHandler),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/merge", pulls.MergeHandler),
]

OTHER_ROUTES = [
    ("/login/device/code", oauth.DeviceCodeHandler),
    ("/login/oauth/access_token", oauth.AccessTokenHandler),
    ("/login/device", oauth.DeviceApprovalPage),
    ("/_forge/calls", admin.CallsAdmin),
    ("/_forge/faults", admin.FaultsAdmin),
    ("/_forge/config", admin.ConfigAdmin),
    ("/_forge/users", admin.UsersAdmin),
    ("/_forge/repos", admin.ReposAdmin),
    ("/_forge/device", admin.DeviceAdmin),
    ("/", web.IndexPage),
    ("/{owner}/{repo}/pull/{pull_number}", web.PullPage),
    ("/{owner}/{repo}/raw/{path}", repos.RawHandler),
]

_PARAM_PATTERNS = {"path": "(.*)", "pull_number": r"(\d+)", "sha": "([^/]+)", "ref": "(.+)"}


def route_regex(template: str) -> str:
    """`/repos/{owner}/{repo}/contents/{path}` -> a tornado pattern with one group per param."""
    pattern = re.escape(template)
    if template.startswith("/repos/") and template.endswith("/{path}"):
        pattern = pattern.replace(r"/\{path\}", r"(?:/(.*))?")  # `contents` == `contents/`
    return re.sub(
        r"\\\{(\w+)\\\}",
        lambda m: _PARAM_PATTERNS.get(m.group(1), "([^/]+)"),
        pattern,
    )


def make_app(forge: Forge) -> tornado.web.Application:
    handlers = []
    for template, handler in API_ROUTES:
        regex = route_regex(template)
        for prefix in ("", re.escape(API_PREFIX)):
            handlers.append((prefix + regex + "/?$", handler, {"route": template}))
    for template, handler in OTHER_ROUTES:
        handlers.append((route_regex(template) + "$", handler, {"route": template}))
    # PR page variants and git smart HTTP need patterns the templates can't express.
    handlers += [
        (
            r"/([^/]+)/([^/]+)/pull/(\d+)(\.diff|\.patch)$",
            web.PullPage,
            {"route": "/{owner}/{repo}/pull/{pull_number}.diff"},
        ),
        (
            r"/([^/]+)/([^/]+?)(?:\.git)?/(info/refs|git-upload-pack|HEAD)$",
            githttp.GitHTTPHandler,
            {"route": "/{owner}/{repo}.git/{service}"},
        ),
    ]
    return tornado.web.Application(
        handlers,
        forge=forge,
        default_handler_class=NotFoundHandler,
        compress_response=False,
        log_function=_quiet_log,
    )


def _quiet_log(handler: tornado.web.RequestHandler) -> None:
    """Access log at DEBUG: paths and statuses only (headers, hence tokens, never)."""
    import logging

    logging.getLogger("jupyter_ext.forge").debug(
        "%s %s %s %.1fms",
        handler.get_status(),
        handler.request.method,
        handler.request.path,
        1000.0 * handler.request.request_time(),
    )


class LocalForge:
    """A GitHub-compatible forge on disk; serve it in a thread with `start()`.

    >>> forge = LocalForge(tmp_path, fork_delay=0)
    >>> forge.add_user("alice", token="alice-token")
    >>> forge.create_repo("demo", "project", seed_dir=project_dir)
    >>> forge.start()            # forge.api_url -> http://127.0.0.1:<port>
    >>> forge.faults.fail("POST", "/repos/{owner}/{repo}/pulls", status=502)
    >>> forge.calls.counts()     # Counter({"POST /repos/{owner}/{repo}/forks": 1, ...})
    """

    def __init__(
        self,
        data_dir: str | os.PathLike,
        *,
        fork_delay: float = 0.0,
        device_interval: float = 5,
        device_expires_in: float = 900,
        client_ids: set[str] | None = None,
        rate_limit: int = 5000,
    ):
        self.data_dir = Path(data_dir)
        self.forge = Forge(
            state=ForgeState(self.data_dir),
            device=DeviceFlow(device_interval, device_expires_in, client_ids),
            config=ForgeConfig(fork_delay=fork_delay, rate_limit=rate_limit),
        )
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: HTTPServer | None = None
        self.port: int | None = None
        self.host = "127.0.0.1"

    # -- shortcuts to the parts ---------------------------------------------------

    @property
    def state(self) -> ForgeState:
        return self.forge.state

    @property
    def faults(self):
        return self.forge.faults

    @property
    def calls(self):
        return self.forge.calls

    @property
    def device(self) -> DeviceFlow:
        return self.forge.device

    @property
    def config(self) -> ForgeConfig:
        return self.forge.config

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.web_url

    @property
    def enterprise_api_url(self) -> str:
        return self.web_url + API_PREFIX

    # -- setup ----------------------------------------------------------------------

    def add_user(
        self, login: str, token: str | None = None, name: str | None = None, scopes: str = "repo"
    ) -> User:
        user = self.state.add_user(login, name)
        if token:
            self.state.add_token(login, token, scopes)
        return user

    def add_org(self, login: str) -> User:
        return self.state.add_user(login, type="Organization")

    def create_repo(
        self,
        owner: str,
        name: str,
        seed_dir: str | os.PathLike | None = None,
        default_branch: str = "main",
        collaborators: dict[str, str] | None = None,
        description: str = "",
    ) -> Repo:
        return self.state.create_repo(
            owner, name, default_branch, seed_dir, description, collaborators
        )

    def grant(self, full_name: str, login: str, permission: str = "push") -> None:
        with self.state.lock:
            self.state.repos[full_name].collaborators[login] = permission
            self.state.save()

    def approve_device(self, user_code: str, login: str) -> None:
        self.device.approve(user_code, login)

    def deny_device(self, user_code: str) -> None:
        self.device.deny(user_code)

    def repo_path(self, full_name: str) -> Path:
        return self.state.repo_path(full_name)

    def pulls(self, full_name: str) -> list[PullRequest]:
        with self.state.lock:
            return list(self.state.pulls.get(full_name, []))

    def branches(self, full_name: str) -> dict[str, str]:
        """branch -> sha, read from the bare repository itself."""
        git = self.state.git(full_name)
        return {ref.removeprefix("refs/heads/"): sha for ref, sha in git.refs("refs/heads/")}

    # -- serving ----------------------------------------------------------------------

    def app(self) -> tornado.web.Application:
        return make_app(self.forge)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> LocalForge:
        """Serve in a background thread (its own event loop); returns once listening."""
        sockets = bind_sockets(port, host)
        self.host, self.port = host, sockets[0].getsockname()[1]
        ready = threading.Event()

        def serve():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = HTTPServer(self.app(), xheaders=False)
            self._server.add_sockets(sockets)
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._server.close_all_connections())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="local-forge", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return

        def shutdown():
            self._server.stop()
            self._loop.stop()

        self._loop.call_soon_threadsafe(shutdown)
        self._thread.join(timeout=10)
        self._thread = self._loop = None

    def __enter__(self) -> LocalForge:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
