"""HTTP to the Jupyter server, with every answer checked for secrets as it arrives.

`Client.call` never raises for an HTTP status: suites assert on what a user would get.
Each response's status line, headers and body pass through the `SecretWatch`, which
counts any occurrence of a GitHub token (plain or base64, as in Basic auth).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests


@dataclass
class SecretWatch:
    """Counts where any of `secrets` (and their base64 forms) shows up."""

    secrets: list[str]
    found: list[str] = field(default_factory=list)
    scanned: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def needles(self) -> list[bytes]:
        out = []
        for secret in self.secrets:
            out.append(secret.encode())
            out.append(base64.b64encode(secret.encode()))
            out.append(base64.b64encode(f"x-access-token:{secret}".encode()))
        return out

    def check(self, where: str, data: bytes | str) -> int:
        blob = data.encode("utf-8", "replace") if isinstance(data, str) else data
        hits = sum(blob.count(n) for n in self.needles())
        with self._lock:
            self.scanned += 1
            if hits:
                self.found.append(f"{where} ({hits}x)")
        return hits


@dataclass
class Answer:
    status: int
    body: Any  # parsed JSON, or None
    text: str
    headers: dict
    ms: float

    @property
    def message(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            return self.body["message"]
        return None

    def brief(self) -> str:
        text = self.message if self.message is not None else self.text[:200]
        return f"{self.status} {text!r}"


class Client:
    """One user's view of one Jupyter server (token auth by default)."""

    def __init__(self, base_url: str, token: str, watch: SecretWatch, timeout: float = 120):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.watch = watch
        self.timeout = timeout

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict | None = None,
        auth: bool = True,
        session: requests.Session | None = None,
        timeout: float | None = None,
    ) -> Answer:
        """`path` is relative to the server's base URL (e.g. "jupyter-ext/extract")."""
        hdrs = {"Content-Type": "application/json"}
        if auth:
            hdrs["Authorization"] = f"token {self.token}"
        hdrs.update(headers or {})
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        start = time.perf_counter()
        sender = session or requests
        response = sender.request(
            method,
            self.url(path),
            data=data,
            headers=hdrs,
            timeout=timeout or self.timeout,
            allow_redirects=False,
        )
        ms = (time.perf_counter() - start) * 1e3
        return self._answer(method, path, response, ms)

    def _answer(self, method: str, path: str, response: requests.Response, ms: float) -> Answer:
        head = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.watch.check(f"response headers of {method} {path}", head)
        self.watch.check(f"response body of {method} {path}", response.content)
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        return Answer(response.status_code, parsed, response.text, dict(response.headers), ms)

    def status(self, timeout: float = 10) -> tuple[bool, float]:
        """GET /api/status: (answered 200, milliseconds)."""
        start = time.perf_counter()
        try:
            response = requests.get(
                self.url("api/status"),
                headers={"Authorization": f"token {self.token}"},
                timeout=timeout,
            )
        except requests.RequestException:
            return False, (time.perf_counter() - start) * 1e3
        return response.status_code == 200, (time.perf_counter() - start) * 1e3

    def login_session(self) -> requests.Session:
        """A browser-like session: the login form with the token, so a cookie, not a header."""
        session = requests.Session()
        page = session.get(self.url("login"), timeout=self.timeout)
        xsrf = session.cookies.get("_xsrf")
        response = session.post(
            self.url("login"),
            data={"password": self.token, "_xsrf": xsrf or ""},
            allow_redirects=False,
            timeout=self.timeout,
        )
        if response.status_code not in (200, 302) or not any(
            c.name.startswith("username-") for c in session.cookies
        ):
            raise RuntimeError(
                f"login with the token failed: {page.status_code}/{response.status_code}"
            )
        return session


class StatusProbe:
    """Times `GET /api/status` every `interval` seconds in a thread, until stopped."""

    def __init__(self, clients: list[Client], interval: float = 0.05):
        self.clients = clients
        self.interval = interval
        self.samples: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _run(self, client: Client) -> None:
        while not self._stop.is_set():
            ok, ms = client.status()
            if ok:
                self.samples.append(ms)
            else:
                self.failures += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> StatusProbe:
        for client in self.clients:
            thread = threading.Thread(target=self._run, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)
