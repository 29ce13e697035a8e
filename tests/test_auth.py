"""Every route refuses requests that carry no Jupyter credentials."""

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext.routes import route_table

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _concrete(pattern: str) -> str:
    # Fill regex groups with a harmless value so the route matches.
    import re

    return re.sub(r"\([^)]*\)", "x", pattern).lstrip("/")


@pytest.mark.parametrize("pattern,handler", [r[:2] for r in route_table()])
async def test_every_handler_rejects_unauthenticated_requests(jp_fetch, pattern, handler):
    # Given: a route and each verb it implements
    verbs = [v for v in VERBS if v.lower() in handler.__dict__ or _inherited(handler, v)]
    assert verbs, f"{handler.__name__} implements no verb"
    for verb in verbs:
        body = b"{}" if verb in ("POST", "PUT", "PATCH") else None
        # When: it is called with an empty Authorization header (no token, no cookie)
        with pytest.raises(HTTPClientError) as err:
            await jp_fetch(
                _concrete(pattern),
                method=verb,
                body=body,
                headers={"Authorization": ""},
                allow_nonstandard_methods=True,
            )
        # Then: the server refuses with 403 (API requests are never redirected to login)
        assert err.value.code in (401, 403), (verb, pattern, err.value.code)


def _inherited(handler, verb):
    from jupyter_ext.routes import JupyterExtHandler

    for klass in handler.__mro__:
        if klass is JupyterExtHandler:
            return False
        if verb.lower() in klass.__dict__:
            return True
    return False


async def test_info_answers_authenticated_requests(api):
    status, body = await api("info")
    assert status == 200
    assert body["name"] == "jupyter_ext"
    assert body["api_version"] >= 1
