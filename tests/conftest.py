"""Shared fixtures: a real Jupyter server with the extension, auth required."""

import json

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_ext": True},
            # Every endpoint must work (and be tested) with auth required.
            "allow_unauthenticated_access": False,
        },
    }


@pytest.fixture
def api(jp_fetch):
    """Call a jupyter-ext endpoint; returns (status, parsed JSON body).

    Errors are returned, not raised, so tests can assert on the message a user sees.
    """
    from tornado.httpclient import HTTPClientError

    async def call(path, method="GET", body=None, **kwargs):
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        try:
            response = await jp_fetch("jupyter-ext", path, method=method, body=body, **kwargs)
        except HTTPClientError as err:
            payload = err.response.body if err.response is not None else b""
            return err.code, json.loads(payload) if payload else None
        return response.code, json.loads(response.body) if response.body else None

    return call
