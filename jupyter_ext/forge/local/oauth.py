"""Device-flow endpoints (`/login/device/code`, `/login/oauth/access_token`) and
the page where a person approves a user code (`/login/device`)."""

from __future__ import annotations

import json
import secrets
from html import escape
from urllib.parse import urlencode

from .base import ForgeHandler
from .device import ERROR_DESCRIPTIONS, GRANT_TYPE

ERROR_URI = (
    "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow"
)


class OAuthHandler(ForgeHandler):
    """GitHub answers these in JSON only when asked (`Accept: application/json`)."""

    kind = "oauth"

    def params(self) -> dict[str, str]:
        params = {k: v[-1].decode() for k, v in self.request.query_arguments.items()}
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            try:
                body = json.loads(self.request.body)
            except ValueError:
                body = {}
            params.update({k: str(v) for k, v in body.items()} if isinstance(body, dict) else {})
        else:
            params.update({k: v[-1].decode() for k, v in self.request.body_arguments.items()})
        return params

    def answer(self, data: dict) -> None:
        if "application/json" in self.request.headers.get("Accept", ""):
            self.write_json(data)
        else:
            self.set_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            self.finish(urlencode({k: v for k, v in data.items() if v is not None}))

    def error(self, code: str, **extra) -> None:
        self.answer(
            {
                "error": code,
                "error_description": ERROR_DESCRIPTIONS.get(code, code),
                "error_uri": ERROR_URI,
                **extra,
            }
        )


class DeviceCodeHandler(OAuthHandler):
    def post(self):
        params = self.params()
        device = self.forge.device
        if not device.known_client(params.get("client_id", "")):
            self.error("incorrect_client_credentials")
            return
        code = device.start(params["client_id"], params.get("scope", ""))
        self.answer(
            {
                "device_code": code.device_code,
                "user_code": code.user_code,
                "verification_uri": f"{self.urls.web}/login/device",
                "expires_in": int(device.expires_in),
                "interval": int(code.interval),
            }
        )


class AccessTokenHandler(OAuthHandler):
    def post(self):
        params = self.params()
        if params.get("grant_type") != GRANT_TYPE:
            self.error("unsupported_grant_type")
            return
        outcome, code = self.forge.device.poll(
            params.get("client_id", ""), params.get("device_code", "")
        )
        if outcome == "slow_down":
            self.error(outcome, interval=int(code.interval))
            return
        if outcome != "approved":
            self.error(outcome)
            return
        token = "gho_" + secrets.token_urlsafe(27)
        self.forge.state.add_token(code.approved_by, token, code.scope or "")
        self.answer({"access_token": token, "token_type": "bearer", "scope": code.scope})


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; max-width: 32em; margin: 4em auto; color: #1f2328; }}
input, select, button {{ font: inherit; padding: .3em .6em; }}
input[name=user_code] {{ letter-spacing: .2em; text-transform: uppercase; width: 9em; }}
.note {{ color: #59636e; }} .ok {{ color: #1a7f37; }} .bad {{ color: #d1242f; }}
</style></head><body>
<h1>Device activation</h1>
<p class="note">Local forge: approving here stands in for signing in on GitHub.</p>
{content}
</body></html>"""


class DeviceApprovalPage(ForgeHandler):
    """The `verification_uri`: enter the user code, pick who you are, approve or deny."""

    kind = "web"

    def get(self):
        self._render(self.get_query_argument("user_code", ""), "")

    def post(self):
        user_code = self.get_body_argument("user_code", "")
        login = self.get_body_argument("login", "")
        action = self.get_body_argument("action", "approve")
        device = self.forge.device
        try:
            if action == "deny":
                device.deny(user_code)
                message = '<p class="bad">Access denied. You can close this tab.</p>'
            elif login not in self.forge.state.users:
                raise KeyError(login)
            else:
                device.approve(user_code, login)
                message = (
                    f'<p class="ok">Device approved for <b>{escape(login)}</b>. '
                    "You can close this tab.</p>"
                )
        except KeyError:
            self.set_status(404)
            self._render(user_code, '<p class="bad">Unknown or expired code.</p>')
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(PAGE.format(title="Device activated", content=message))

    def _render(self, user_code: str, message: str) -> None:
        users = sorted(u.login for u in self.forge.state.users.values() if u.type == "User")
        options = "".join(f"<option>{escape(u)}</option>" for u in users)
        content = f"""{message}
<form method="post">
<p><label>Code <input name="user_code" value="{escape(user_code)}" autofocus
  placeholder="XXXX-XXXX"></label></p>
<p><label>Sign in as <select name="login">{options}</select></label></p>
<p><button name="action" value="approve">Authorize</button>
<button name="action" value="deny">Cancel</button></p>
</form>"""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(PAGE.format(title="Device activation", content=content))
