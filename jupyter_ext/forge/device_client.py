"""The client side of GitHub's OAuth device flow (blocking; run it in a thread).

Needs only a client id: no client secret, no callback URL, so it works on
Binder and behind JupyterHub. The endpoints live on the web host, not the API
host: api.github.com -> github.com, https://ghe.example/api/v3 -> https://ghe.example.
Responses are never logged (one of them carries the token).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ..errors import UpstreamError

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"


def web_url_for(api_url: str) -> str:
    """The web root that serves `/login/device/code` for an API base URL."""
    parts = urlsplit(api_url.rstrip("/"))
    host = parts.netloc
    path = parts.path
    if path.endswith("/api/v3"):
        path = path[: -len("/api/v3")]
    if host.startswith("api."):
        host = host[len("api.") :]
    return urlunsplit((parts.scheme, host, path, "", "")).rstrip("/")


@dataclass(frozen=True)
class DeviceCode:
    device_code: str  # secret: stays on the server
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int


def _post(url: str, data: dict, timeout: float) -> dict:
    import requests

    try:
        response = requests.post(
            url, data=data, headers={"Accept": "application/json"}, timeout=timeout
        )
    except requests.RequestException as err:
        raise UpstreamError(f"Could not reach GitHub at {url} ({type(err).__name__}).") from None
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if response.status_code >= 400 or not isinstance(payload, dict):
        raise UpstreamError(
            f"GitHub's sign-in endpoint {url} answered {response.status_code}; check "
            "c.JupyterExt.github_url and c.JupyterExt.github_client_id."
        )
    return payload


def request_device_code(
    api_url: str, client_id: str, scope: str, timeout: float = 10
) -> DeviceCode:
    url = web_url_for(api_url) + "/login/device/code"
    payload = _post(url, {"client_id": client_id, "scope": scope}, timeout)
    if "error" in payload:
        raise UpstreamError(
            "GitHub refused to start sign-in: "
            f"{payload.get('error_description') or payload['error']} "
            "(check c.JupyterExt.github_client_id, and that the OAuth app has device flow "
            "enabled)."
        )
    try:
        return DeviceCode(
            device_code=str(payload["device_code"]),
            user_code=str(payload["user_code"]),
            verification_uri=str(payload["verification_uri"]),
            expires_in=int(payload.get("expires_in", 900)),
            interval=int(payload.get("interval", 5)),
        )
    except (KeyError, TypeError, ValueError):
        raise UpstreamError("GitHub's device-code answer was incomplete.") from None


@dataclass(frozen=True)
class PollResult:
    state: str  # pending | slow_down | expired | denied | success
    token: str | None = None
    interval: int | None = None

    def __repr__(self) -> str:  # never show the token
        return f"PollResult(state={self.state!r}, interval={self.interval!r})"


_STATES = {
    "authorization_pending": "pending",
    "slow_down": "slow_down",
    "expired_token": "expired",
    "access_denied": "denied",
}


def poll_access_token(
    api_url: str, client_id: str, device_code: str, timeout: float = 10
) -> PollResult:
    url = web_url_for(api_url) + "/login/oauth/access_token"
    payload = _post(
        url,
        {"client_id": client_id, "device_code": device_code, "grant_type": GRANT_TYPE},
        timeout,
    )
    if payload.get("access_token"):
        return PollResult("success", token=str(payload["access_token"]))
    error = payload.get("error")
    if error in _STATES:
        interval = payload.get("interval")
        return PollResult(_STATES[error], interval=int(interval) if interval else None)
    raise UpstreamError(
        f"GitHub sign-in failed: {payload.get('error_description') or error or 'no token'}."
    )
