"""OAuth device flow, as GitHub runs it (RFC 8628).

`POST /login/device/code` issues a device code (secret, for the polling app)
and a user code (shown to the person). The person approves the user code on
`/login/device`; meanwhile the app polls `POST /login/oauth/access_token`,
which answers `authorization_pending`, `slow_down` (polled faster than the
interval; the interval grows by 5 s), `expired_token`, `access_denied`, or
finally an access token. GitHub answers all of these with HTTP 200.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ0123456789"  # no vowels: no words


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    interval: float
    last_poll: float = 0.0
    approved_by: str | None = None
    denied: bool = False
    redeemed: bool = False


class DeviceFlow:
    """Pending device codes (in memory: they live 15 minutes on GitHub too)."""

    def __init__(
        self, interval: float = 5, expires_in: float = 900, client_ids: set[str] | None = None
    ):
        self.interval = interval
        self.expires_in = expires_in
        self.client_ids = client_ids  # None: any client id is registered
        self._lock = threading.Lock()
        self._codes: dict[str, DeviceCode] = {}

    def known_client(self, client_id: str) -> bool:
        return bool(client_id) and (self.client_ids is None or client_id in self.client_ids)

    def start(self, client_id: str, scope: str) -> DeviceCode:
        raw = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
        code = DeviceCode(
            device_code=secrets.token_hex(20),
            user_code=f"{raw[:4]}-{raw[4:]}",
            client_id=client_id,
            scope=scope,
            expires_at=time.time() + self.expires_in,
            interval=self.interval,
        )
        with self._lock:
            self._codes[code.device_code] = code
        return code

    def by_user_code(self, user_code: str) -> DeviceCode | None:
        wanted = user_code.strip().upper()
        if len(wanted) == 8:
            wanted = f"{wanted[:4]}-{wanted[4:]}"
        with self._lock:
            for code in self._codes.values():
                if code.user_code == wanted:
                    return code
        return None

    def approve(self, user_code: str, login: str) -> DeviceCode:
        code = self._pending(user_code)
        code.approved_by = login
        return code

    def deny(self, user_code: str) -> DeviceCode:
        code = self._pending(user_code)
        code.denied = True
        return code

    def _pending(self, user_code: str) -> DeviceCode:
        code = self.by_user_code(user_code)
        if code is None or code.redeemed or time.time() >= code.expires_at:
            raise KeyError(user_code)
        return code

    def poll(self, client_id: str, device_code: str) -> tuple[str, DeviceCode | None]:
        """One poll: ('authorization_pending' | 'slow_down' | 'expired_token' |
        'access_denied' | 'incorrect_device_code' | 'incorrect_client_credentials'
        | 'approved', code)."""
        with self._lock:
            code = self._codes.get(device_code)
            if code is None or code.redeemed:
                return "incorrect_device_code", None
            if code.client_id != client_id:
                return "incorrect_client_credentials", None
            now = time.time()
            if now >= code.expires_at:
                return "expired_token", code
            if code.denied:
                return "access_denied", code
            too_fast = code.last_poll and now - code.last_poll < code.interval
            code.last_poll = now
            if too_fast:
                code.interval += 5
                return "slow_down", code
            if code.approved_by is None:
                return "authorization_pending", code
            code.redeemed = True
            return "approved", code


ERROR_DESCRIPTIONS = {
    "authorization_pending": "The authorization request is still pending.",
    "slow_down": "Too many requests have been made in the same timeframe.",
    "expired_token": "The `device_code` has expired.",
    "access_denied": "The authorization request was denied.",
    "incorrect_device_code": "The device_code provided is not valid.",
    "incorrect_client_credentials": "The client_id and/or client_secret passed are incorrect.",
    "unsupported_grant_type": "The grant type is not supported.",
}
