"""Sign-in to GitHub: which token the server uses, and the device flow that gets one.

The token stays in this process. Responses say only whether someone is signed
in, as whom, and how (`config`, `env`, `device`); never the token, and no log
line carries it. Precedence: a device-flow sign-in (this session, or persisted
with `persist_token`) > `c.JupyterExt.github_token` > `$GITHUB_TOKEN`.
Signing out forgets the device token and, until the next sign-in, ignores the
configured ones too (what a person clicking "Sign out" expects).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadRequest, NotSignedIn, UpstreamError

log = logging.getLogger("jupyter_ext.auth")


@dataclass(frozen=True)
class AuthConfig:
    api_url: str
    client_id: str = ""
    configured_token: str = ""
    env_token: str = ""
    scope: str = "public_repo"
    persist: bool = False
    store_path: Path | None = None
    timeout: int = 15

    def __repr__(self) -> str:  # dataclass repr would print the tokens
        return f"AuthConfig(api_url={self.api_url!r}, client_id={self.client_id!r})"


@dataclass
class _DeviceSession:
    device_code: str  # secret: never leaves the server
    user_code: str
    verification_uri: str
    expires_at: float
    interval: float
    next_poll_at: float
    state: str = "pending"


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class AuthService:
    def __init__(self, config: AuthConfig):
        self.config = config
        self._device_token: str | None = None
        self._signed_out = False
        self._logins: dict[str, str] = {}  # token fingerprint -> login
        # Tokens GitHub answered "Bad credentials" for: ignored for the rest of the session.
        self._rejected: set[str] = set()
        self._rejection: str | None = None  # why, for GET auth
        self._device: _DeviceSession | None = None
        if config.persist and config.store_path is not None:
            from ..forge import token_store

            self._device_token = token_store.load(config.store_path, config.api_url)

    # -- the current token -----------------------------------------------------------

    def _current(self) -> tuple[str | None, str]:
        candidates = [(self._device_token, "device")]
        if not self._signed_out:
            candidates += [(self.config.configured_token, "config"), (self.config.env_token, "env")]
        for token, method in candidates:
            if token and _fingerprint(token) not in self._rejected:
                return token, method
        return None, "none"

    def client_settings(self, **overrides):
        """ClientSettings for PyGithub with the current token, or NotSignedIn (401)."""
        from ..forge.github import ClientSettings

        token, _ = self._current()
        if not token:
            raise NotSignedIn(
                "Sign in to GitHub first: use 'Sign in to GitHub' in the panel"
                + (" (device flow)" if self.config.client_id else "")
                + ", or set c.JupyterExt.github_token / $GITHUB_TOKEN for the server."
            )
        return ClientSettings(
            api_url=self.config.api_url, token=token, timeout=self.config.timeout, **overrides
        )

    def cached_login(self) -> str | None:
        token, _ = self._current()
        return self._logins.get(_fingerprint(token)) if token else None

    def remember_login(self, login: str) -> None:
        token, _ = self._current()
        if token:
            self._logins[_fingerprint(token)] = login

    def forget_if_rejected(self, error: UpstreamError) -> None:
        """A token GitHub calls bad (revoked, expired) is not used again: sign in again."""
        token, method = self._current()
        if token is None or "bad credentials" not in error.message.lower():
            return
        where = {"config": "c.JupyterExt.github_token", "env": "$GITHUB_TOKEN"}.get(
            method, "the device sign-in"
        )
        log.warning(
            "GitHub rejected the token from %s (bad credentials); not using it again", where
        )
        self._rejection = f"GitHub rejected the token from {where} (bad credentials)."
        self._rejected.add(_fingerprint(token))
        if method == "device":
            self._drop_device_token()

    # -- state for the frontend ---------------------------------------------------------

    def info(self) -> dict:
        """Auth state without any network call (for GET info)."""
        token, method = self._current()
        return {
            "signed_in": token is not None,
            "login": self.cached_login(),
            "method": method,
            "device_flow_available": bool(self.config.client_id),
        }

    async def status(self) -> dict:
        """GET auth: like info(), with the login resolved (GET /user once per token)."""
        state = self.info()
        if state["signed_in"] and state["login"] is None:
            try:
                state["login"] = await self.login()
            except UpstreamError as err:
                self.forget_if_rejected(err)
                state = self.info()
                state["message"] = self._rejection if not state["signed_in"] else err.message
        elif not state["signed_in"] and self._rejection:
            state["message"] = self._rejection
        return state

    async def login(self) -> str:
        cached = self.cached_login()
        if cached:
            return cached
        from ..forge.github import get_login

        settings = self.client_settings()
        login = await asyncio.to_thread(get_login, settings)
        self.remember_login(login)
        return login

    def sign_out(self) -> dict:
        self._drop_device_token()
        self._signed_out = True
        self._device = None
        return self.info()

    def _drop_device_token(self) -> None:
        if self._device_token:
            self._logins.pop(_fingerprint(self._device_token), None)
        self._device_token = None
        if self.config.persist and self.config.store_path is not None:
            from ..forge import token_store

            token_store.delete(self.config.store_path)

    # -- device flow ---------------------------------------------------------------------

    async def start_device(self) -> dict:
        if not self.config.client_id:
            raise BadRequest(
                "Device sign-in needs a GitHub OAuth app: set c.JupyterExt.github_client_id "
                "(or use a token: c.JupyterExt.github_token / $GITHUB_TOKEN)."
            )
        from ..forge.device_client import request_device_code

        code = await asyncio.to_thread(
            request_device_code,
            self.config.api_url,
            self.config.client_id,
            self.config.scope,
            self.config.timeout,
        )
        now = time.monotonic()
        self._device = _DeviceSession(
            device_code=code.device_code,
            user_code=code.user_code,
            verification_uri=code.verification_uri,
            expires_at=now + code.expires_in,
            interval=code.interval,
            next_poll_at=now,
        )
        return {
            "user_code": code.user_code,
            "verification_uri": code.verification_uri,
            "expires_in": code.expires_in,
            "interval": code.interval,
        }

    async def poll_device(self) -> dict:
        """One poll. Polls GitHub at most once per interval; faster calls get the last state."""
        session = self._device
        if session is None:
            raise BadRequest("No sign-in in progress: start one with POST auth/device.")
        if session.state in ("success", "expired", "denied"):
            return {"state": session.state, "login": self.cached_login()}
        now = time.monotonic()
        if now >= session.expires_at:
            session.state = "expired"
            return {"state": "expired", "login": None}
        if now < session.next_poll_at:
            return {"state": session.state, "login": None}
        from ..forge.device_client import poll_access_token

        result = await asyncio.to_thread(
            poll_access_token,
            self.config.api_url,
            self.config.client_id,
            session.device_code,
            self.config.timeout,
        )
        if result.state == "slow_down":
            session.interval = result.interval or session.interval + 5
        # Counted from the answer, so the next request reaches GitHub a full interval later.
        session.next_poll_at = time.monotonic() + session.interval
        session.state = result.state
        if result.state != "success":
            return {"state": result.state, "login": None}
        self._device_token = result.token
        self._signed_out = False
        self._rejection = None
        if self.config.persist and self.config.store_path is not None:
            from ..forge import token_store

            token_store.save(self.config.store_path, self.config.api_url, result.token)
        login = await self.login()
        log.info("Signed in to GitHub as %s (device flow)", login)
        return {"state": "success", "login": login}
