"""Every route in `route_table()`, every verb it implements, with credentials that must fail.

Per route and verb: no credentials; a wrong token (header, and `?token=`); another
server's valid token (on JupyterHub every user's server has its own); and for
state-changing verbs a browser session (cookie from logging in with the token) that
omits the `X-XSRFToken` header, or sends one that does not match. Each must be
refused with 401/403. Controls prove the rejection is about the credentials: the same
request with the right token, and the cookie plus a matching XSRF header, gets past auth.
"""

from __future__ import annotations

import re

from jupyter_ext.routes import JupyterExtHandler, route_table

from .checks import alive, count_5xx
from .figures import Tally
from .stack import Server

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SAFE = ("GET", "HEAD", "OPTIONS")
REFUSED = (401, 403)
# Controls that would change state: DELETE auth signs the user out for the rest of the run.
NO_CONTROL = {("DELETE", "jupyter-ext/auth")}


def endpoints() -> list[tuple[str, str]]:
    """(verb, path) for every verb every handler in route_table() implements."""
    out = []
    for pattern, handler, *_ in route_table():
        path = re.sub(r"\([^)]*\)", "x", pattern).lstrip("/")
        for verb in VERBS:
            if _implements(handler, verb):
                out.append((verb, path))
    return out


def _implements(handler: type, verb: str) -> bool:
    for klass in handler.__mro__:
        if klass is JupyterExtHandler:
            return False
        if verb.lower() in klass.__dict__:
            return True
    return False


def run(server: Server, tally: Tally, other: Server | None = None) -> Tally:
    client = server.client()
    body = {}  # a valid JSON object: past auth, every route answers 4xx for it at worst
    session = client.login_session()
    xsrf = session.cookies.get("_xsrf")
    tally.case("log in with the token -> cookie and _xsrf", bool(xsrf), "no _xsrf cookie")

    for verb, path in endpoints():
        data = body if verb not in SAFE else None
        attempts = {
            "no credentials": dict(auth=False),
            "wrong token": dict(auth=False, headers={"Authorization": "token not-the-token"}),
            "wrong ?token=": dict(auth=False, path_suffix="?token=not-the-token"),
            "empty token": dict(auth=False, headers={"Authorization": "token "}),
        }
        if other is not None:
            attempts["another user's token"] = dict(
                auth=False, headers={"Authorization": f"token {other.jupyter_token}"}
            )
        if verb not in SAFE:
            attempts["cookie, no X-XSRFToken"] = dict(auth=False, session=session)
            attempts["cookie, wrong X-XSRFToken"] = dict(
                auth=False, session=session, headers={"X-XSRFToken": "2|00|00|00"}
            )
        for label, kwargs in attempts.items():
            suffix = kwargs.pop("path_suffix", "")
            answer = client.call(verb, path + suffix, data, **kwargs)
            count_5xx(answer, tally)
            tally.case(
                f"{verb} {path}: {label}",
                answer.status in REFUSED,
                f"expected 401/403, got {answer.brief()}",
            )
        alive(server, tally, client)

        if (verb, path) in NO_CONTROL:
            continue
        answer = client.call(verb, path, data)
        count_5xx(answer, tally)
        tally.case(
            f"{verb} {path}: control, right token",
            answer.status not in REFUSED,
            f"refused with the right token: {answer.brief()}",
        )
        if verb not in SAFE:
            answer = client.call(
                verb, path, data, auth=False, session=session, headers={"X-XSRFToken": xsrf or ""}
            )
            count_5xx(answer, tally)
            tally.case(
                f"{verb} {path}: control, cookie + X-XSRFToken",
                answer.status not in REFUSED,
                f"refused with cookie and XSRF: {answer.brief()}",
            )

    # Nothing refused above may have acted: an unauthenticated DELETE auth must not sign out.
    answer = client.call("GET", "jupyter-ext/auth")
    signed_in = isinstance(answer.body, dict) and answer.body.get("signed_in") is True
    tally.case("still signed in to GitHub after refused DELETE auth", signed_in, answer.brief())
    alive(server, tally, client)
    return tally.finish()
