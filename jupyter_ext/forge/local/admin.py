"""`/_forge/...`: control the forge from tests and demos over HTTP.

The same operations exist in Python on `LocalForge`; these endpoints serve a
forge running as a subprocess (`jupyter-ext forge`). They are unauthenticated,
which is why the forge binds to 127.0.0.1 by default.
"""

from __future__ import annotations

from dataclasses import asdict

from .base import APIError, ForgeHandler, locked


class AdminHandler(ForgeHandler):
    kind = "admin"


class CallsAdmin(AdminHandler):
    def get(self):
        calls = self.forge.calls
        self.write_json({"calls": dict(calls.counts()), "total": calls.total(), "log": calls.log()})

    def delete(self):
        self.forge.calls.reset()
        self.set_status(204)
        self.finish()


class FaultsAdmin(AdminHandler):
    def get(self):
        self.write_json({"faults": [f.to_json() for f in self.forge.faults.list()]})

    def post(self):
        body = self.json_body()
        try:
            method, route = body.pop("method"), body.pop("route")
            fault = self.forge.faults.add(method, route, **body)
        except (KeyError, TypeError, ValueError) as err:
            raise APIError(422, f"Invalid fault: {err}") from None
        self.write_json(fault.to_json(), 201)

    def delete(self):
        self.forge.faults.clear()
        self.set_status(204)
        self.finish()


class ConfigAdmin(AdminHandler):
    def get(self):
        device = self.forge.device
        self.write_json(
            {
                **asdict(self.forge.config),
                "device_interval": device.interval,
                "device_expires_in": device.expires_in,
            }
        )

    def post(self):
        body = self.json_body()
        config = self.forge.config
        for key in ("fork_delay", "rate_limit", "anonymous_rate_limit"):
            if key in body:
                setattr(config, key, type(getattr(config, key))(body[key]))
        if "device_interval" in body:
            self.forge.device.interval = float(body["device_interval"])
        if "device_expires_in" in body:
            self.forge.device.expires_in = float(body["device_expires_in"])
        self.forge.rate.clear()
        self.get()


class UsersAdmin(AdminHandler):
    @locked
    def post(self):
        body = self.json_body()
        login = body.get("login")
        if not isinstance(login, str) or not login:
            raise APIError(422, "login is required")
        user = self.forge.state.add_user(login, body.get("name"), body.get("email"))
        if body.get("token"):
            self.forge.state.add_token(login, body["token"], body.get("scopes", "repo"))
        self.write_json(asdict(user), 201)


class ReposAdmin(AdminHandler):
    @locked
    def post(self):
        body = self.json_body()
        try:
            repo = self.forge.state.create_repo(
                body["owner"],
                body["name"],
                body.get("default_branch", "main"),
                seed_dir=body.get("seed_dir"),
                description=body.get("description", ""),
                collaborators=body.get("collaborators"),
            )
        except (KeyError, ValueError) as err:
            raise APIError(422, f"Invalid repository: {err}") from None
        self.write_json(asdict(repo), 201)


class DeviceAdmin(AdminHandler):
    def post(self):
        body = self.json_body()
        try:
            if body.get("action") == "deny":
                self.forge.device.deny(body["user_code"])
            else:
                self.forge.device.approve(body["user_code"], body["login"])
        except KeyError:
            raise APIError(404, "Unknown or expired user code") from None
        self.write_json({"ok": True})
