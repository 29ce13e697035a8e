"""`/user`, `/users/{username}`, `/rate_limit`."""

from __future__ import annotations

from .base import ForgeHandler, locked, not_found
from .shapes import user_json


class AuthenticatedUserHandler(ForgeHandler):
    requires_auth = True

    @locked
    def get(self):
        self.write_json(user_json(self.urls, self.forge.state.users[self.login], private=True))


class UserHandler(ForgeHandler):
    @locked
    def get(self, username):
        user = self.forge.state.users.get(username)
        if user is None:
            raise not_found()
        self.write_json(user_json(self.urls, user))


class RateLimitHandler(ForgeHandler):
    def get(self):
        core = dict(self.rate_info)
        self.write_json({"resources": {"core": core}, "rate": core})
