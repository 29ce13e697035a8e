"""POST submit, GET submissions and sign-in, through the real Jupyter server (auth on),
submitting with the unmodified PyGithub client to a local forge over HTTP."""

from __future__ import annotations

import json
import logging
import subprocess
import time

import pytest
from forge_fixtures import ALICE, git, github
from projects import build_synthetic_project

from jupyter_ext.forge.local import LocalForge

CLIENT_ID = "test-oauth-app"
CONTRIB = "src/synth/features/contrib"
NOTEBOOK = [
    {"id": "imports", "cell_type": "code", "source": "import numpy as np"},
    {"id": "explore", "cell_type": "code", "source": "df = None  # exploration"},
    {
        "id": "feature",
        "cell_type": "code",
        "source": 'input = ["x1"]\ntransformer = np.tanh\nname = "x1 squashed"\n'
        'description = "x1 through tanh"',
    },
    {
        "id": "nan",
        "cell_type": "code",
        "source": 'input = ["x3"]\ntransformer = lambda df: df.where(df > 0)\n'
        'name = "x3 positive part"',
    },
]


def body(cell_id="feature", **extra):
    return {"cells": NOTEBOOK, "cell_id": cell_id, "path": "nb.ipynb", **extra}


def forced(cell_id="feature"):
    """For tests about GitHub, not validation: the accepter's verdict must not matter."""
    return body(cell_id, force=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return build_synthetic_project(
        tmp_path_factory.mktemp("submit") / "synthetic", rows=600, columns=6, features=1
    )


@pytest.fixture
def forge(tmp_path, project):
    forge = LocalForge(tmp_path / "forge", device_interval=1)
    forge.add_user("alice", token=ALICE)
    forge.add_user("carol")
    forge.create_repo("demo", "synthetic", seed_dir=project)
    forge.start()
    yield forge
    forge.stop()


@pytest.fixture
def github_settings(forge):
    """JupyterExt settings for the test (a test changes them before the server starts)."""
    return {
        "github_url": forge.api_url,
        "github_token": ALICE,
        "github_client_id": CLIENT_ID,
        "fork_poll_interval": 0.05,
    }


@pytest.fixture
def jp_server_config(jp_server_config, project, github_settings, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    return {
        **jp_server_config,
        "JupyterExt": {"project_dir": str(project), **github_settings},
    }


def extension(jp_serverapp):
    return next(iter(jp_serverapp.extension_manager.extension_apps["jupyter_ext"]))


async def test_submit_validates_and_opens_a_pr_with_the_extracted_module(api, forge, tmp_path):
    # Given: a notebook whose feature cell depends on an import in another cell
    # When: the user clicks "Submit feature"
    status, result = await api("submit", method="POST", body=body())
    # Then: a PR on upstream, from alice's fork, on the feature's branch
    assert status == 200, result
    assert result["repo"] == "demo/synthetic" and result["pr_number"] == 1
    assert result["pr_url"] == f"{forge.web_url}/demo/synthetic/pull/1"
    assert result["branch"] == "submit-feature/x1_squashed" and result["updated"] is False
    assert result["file_path"] == f"{CONTRIB}/user_alice/feature_x1_squashed.py"
    report = result["report"]
    assert report["passed"] is True and report["feature"]["input"] == ["x1"]
    module = report["extraction"]["module"]
    assert "import numpy as np\n" in module and "np.tanh" in module
    # And: the branch checks out with git; the file is the extracted module, byte for byte
    clone = tmp_path / "clone"
    git("clone", "-q", "-b", result["branch"], f"{forge.web_url}/alice/synthetic.git", str(clone))
    assert (clone / result["file_path"]).read_bytes() == module.encode()
    # And: the PR documents the feature and its validation
    pr = forge.pulls("demo/synthetic")[0]
    assert pr.title == "Add feature: x1 squashed"
    assert "x1 through tanh" in pr.body and "`x1`" in pr.body
    assert report["data"]["fingerprint"] in pr.body
    assert "Feature API checks: all" in pr.body and "Acceptance" in pr.body


async def test_resubmission_updates_the_same_pr_and_says_so(api, forge):
    status, first = await api("submit", method="POST", body=body())
    assert status == 200, first
    NOTEBOOK_2 = [dict(c) for c in NOTEBOOK]
    NOTEBOOK_2[2]["source"] = NOTEBOOK[2]["source"].replace("np.tanh", "np.arctan")
    status, second = await api(
        "submit", method="POST", body={"cells": NOTEBOOK_2, "cell_id": "feature"}
    )
    assert status == 200, second
    assert second["updated"] is True and second["pr_number"] == first["pr_number"]
    assert [p.number for p in forge.pulls("demo/synthetic")] == [1]
    content = (
        github(forge, ALICE)
        .get_repo("alice/synthetic")
        .get_contents(second["file_path"], ref=second["branch"])
    )
    assert b"np.arctan" in content.decoded_content


async def test_a_feature_failing_checks_is_not_submitted_unless_forced(api, forge):
    status, refused = await api("submit", method="POST", body=body("nan"))
    assert status == 422
    assert "NoMissingValuesCheck" in refused["message"] and "force" in refused["message"]
    assert forge.pulls("demo/synthetic") == [] and "alice/synthetic" not in forge.state.repos
    status, forced = await api("submit", method="POST", body=body("nan", force=True))
    assert status == 200, forced
    assert forced["report"]["passed"] is False
    assert "Submitted although validation did not pass" in forge.pulls("demo/synthetic")[0].body


async def test_github_failure_is_a_502_with_a_readable_message(api, forge):
    forge.faults.fail("POST", "/repos/{owner}/{repo}/pulls", status=403, reset_in=600)
    status, error = await api("submit", method="POST", body=forced())
    assert status == 502
    assert (
        error["message"].startswith("GitHub at ")
        and "rate limit exceeded until" in error["message"]
    )
    assert "Traceback" not in json.dumps(error)
    status, retried = await api("submit", method="POST", body=forced())
    assert status == 200 and retried["pr_number"] == 1


async def test_submissions_lists_the_users_prs(api, forge):
    status, _ = await api("submit", method="POST", body=forced())
    assert status == 200
    status, listed = await api("submissions")
    assert status == 200
    assert listed["submissions"] == [
        {
            "pr_number": 1,
            "pr_url": f"{forge.web_url}/demo/synthetic/pull/1",
            "title": "Add feature: x1 squashed",
            "state": "open",
            "branch": "submit-feature/x1_squashed",
            "file_path": f"{CONTRIB}/user_alice/feature_x1_squashed.py",
            "updated_at": listed["submissions"][0]["updated_at"],
        }
    ]


async def test_info_and_auth_show_who_is_signed_in_without_the_token(api):
    status, info = await api("info")
    assert status == 200
    assert info["auth"] == {
        "signed_in": True,
        "login": None,  # not looked up yet: info never calls GitHub
        "method": "config",
        "device_flow_available": True,
    }
    status, auth = await api("auth")
    assert status == 200 and auth["login"] == "alice" and auth["method"] == "config"
    status, info = await api("info")
    assert info["auth"]["login"] == "alice"


class TestNotSignedIn:
    @pytest.fixture
    def github_settings(self, forge):
        return {"github_url": forge.api_url, "github_client_id": ""}

    async def test_submit_asks_to_sign_in_first(self, api, forge):
        status, error = await api("submit", method="POST", body=body())
        assert status == 401 and "Sign in to GitHub" in error["message"]
        status, auth = await api("auth")
        assert auth == {
            "signed_in": False,
            "login": None,
            "method": "none",
            "device_flow_available": False,
        }
        status, error = await api("auth/device", method="POST", body={})
        assert status == 400 and "github_client_id" in error["message"]


class TestBadToken:
    @pytest.fixture
    def github_settings(self, forge):
        return {"github_url": forge.api_url, "github_token": "revoked-token-123"}

    async def test_bad_token_is_reported_then_not_used_again(self, api):
        # When: the configured token is refused by GitHub during a submission
        status, error = await api("submit", method="POST", body=forced())
        assert status == 502 and "bad credentials" in error["message"]
        # Then: the server says so, and asks for a sign-in instead of retrying it
        status, auth = await api("auth")
        assert status == 200 and (auth["signed_in"], auth["login"]) == (False, None)
        assert auth["message"] == (
            "GitHub rejected the token from c.JupyterExt.github_token (bad credentials)."
        )
        status, again = await api("submit", method="POST", body=forced())
        assert status == 401
        assert "revoked-token-123" not in json.dumps([auth, error, again])

    async def test_bad_token_found_by_get_auth(self, api):
        status, auth = await api("auth")
        assert auth["signed_in"] is False and "bad credentials" in auth["message"]


class TestMissingUpstream:
    @pytest.fixture
    def github_settings(self, forge):
        return {"github_url": forge.api_url, "github_token": ALICE, "upstream": "demo/gone"}

    async def test_upstream_missing(self, api):
        status, error = await api("submit", method="POST", body=forced())
        assert status == 502 and "upstream repository demo/gone was not found" in error["message"]


class TestDeviceFlow:
    @pytest.fixture
    def github_settings(self, forge):
        return {
            "github_url": forge.api_url,
            "github_client_id": CLIENT_ID,
            "fork_poll_interval": 0.05,
        }

    async def _wait_for(self, api, states, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            status, poll = await api("auth/device")
            assert status == 200, poll
            if poll["state"] in states or time.monotonic() > deadline:
                return poll
            await _sleep(0.2)

    async def test_sign_in_submit_and_sign_out(self, api, forge):
        # Given: nobody signed in, device flow available
        status, auth = await api("auth")
        assert (auth["signed_in"], auth["device_flow_available"]) == (False, True)
        # When: the user starts the device flow
        status, started = await api("auth/device", method="POST", body={})
        assert status == 200 and set(started) == {
            "user_code",
            "verification_uri",
            "expires_in",
            "interval",
        }
        assert started["verification_uri"] == f"{forge.web_url}/login/device"
        status, poll = await api("auth/device")
        assert poll == {"state": "pending", "login": None}
        # And: approves the code on the forge's page, as carol
        forge.approve_device(started["user_code"], "carol")
        poll = await self._wait_for(api, {"success"})
        # Then: signed in as carol, and submissions go from carol's fork
        assert poll == {"state": "success", "login": "carol"}
        status, auth = await api("auth")
        assert auth == {
            "signed_in": True,
            "login": "carol",
            "method": "device",
            "device_flow_available": True,
        }
        status, result = await api("submit", method="POST", body=forced())
        assert status == 200 and result["file_path"].startswith(f"{CONTRIB}/user_carol/")
        # When: signing out
        status, auth = await api("auth", method="DELETE")
        assert auth["signed_in"] is False and auth["method"] == "none"
        status, error = await api("submit", method="POST", body=forced())
        assert status == 401

    async def test_denied(self, api, forge):
        _, started = await api("auth/device", method="POST", body={})
        forge.deny_device(started["user_code"])
        assert (await self._wait_for(api, {"denied"}))["state"] == "denied"
        _, auth = await api("auth")
        assert auth["signed_in"] is False

    async def test_expired(self, api, forge):
        forge.device.expires_in = 0.5
        _, started = await api("auth/device", method="POST", body={})
        assert started["expires_in"] == 0
        await _sleep(0.6)
        assert (await self._wait_for(api, {"expired"}))["state"] == "expired"

    async def test_slow_down_is_reported_and_respected(self, api, forge):
        _, started = await api("auth/device", method="POST", body={})
        code = forge.device.by_user_code(started["user_code"])
        code.last_poll = time.time()  # someone just polled: the server's poll is too fast
        status, poll = await api("auth/device")
        assert poll["state"] == "slow_down" and code.interval == 6
        calls = forge.calls.counts()["POST /login/oauth/access_token"]
        status, poll = await api("auth/device")  # within the new interval: GitHub not asked
        assert poll["state"] == "slow_down"
        assert forge.calls.counts()["POST /login/oauth/access_token"] == calls

    async def test_poll_without_a_flow_is_a_400(self, api):
        status, error = await api("auth/device")
        assert status == 400 and "POST auth/device" in error["message"]


async def _sleep(seconds):
    import asyncio

    await asyncio.sleep(seconds)


def test_a_persisted_token_is_private_and_survives_a_restart(tmp_path):
    from jupyter_ext.forge import token_store
    from jupyter_ext.services.auth import AuthConfig, AuthService

    path = tmp_path / "data" / "jupyter_ext" / "github_token.json"
    token_store.save(path, "http://forge.example", "gho_secret")
    assert path.stat().st_mode & 0o777 == 0o600
    config = AuthConfig(api_url="http://forge.example", persist=True, store_path=path)
    assert AuthService(config).info()["method"] == "device"
    other_forge = AuthConfig(api_url="http://elsewhere", persist=True, store_path=path)
    assert AuthService(other_forge).info()["signed_in"] is False
    AuthService(config).sign_out()
    assert not path.exists()
    assert "gho_secret" not in repr(config)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text}")


class TestTokenNeverLeaks:
    @pytest.fixture
    def github_settings(self, forge):
        return {
            "github_url": forge.api_url,
            "github_token": ALICE,
            "github_client_id": CLIENT_ID,
            "fork_poll_interval": 0.05,
        }

    async def test_token_in_no_response_header_log_record_or_git_object(
        self, jp_fetch, jp_serverapp, forge, caplog
    ):
        from tornado.httpclient import HTTPClientError

        capture = _Capture()
        loggers = [logging.getLogger()] + [
            logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict)
        ]
        saved = [(lg, lg.level) for lg in loggers]
        for lg in loggers:
            lg.addHandler(capture)
            lg.setLevel(logging.DEBUG)
        responses = []

        async def call(path, method="GET", payload=None):
            try:
                response = await jp_fetch(
                    "jupyter-ext",
                    path,
                    method=method,
                    body=None if payload is None else json.dumps(payload),
                )
            except HTTPClientError as err:
                response = err.response
            responses.append((response.code, dict(response.headers), response.body.decode()))

        try:
            # Every route, a failure path, and a device-flow sign-in that yields a new token
            await call("info")
            await call("auth")
            await call("submit", "POST", forced())
            await call("submit", "POST", forced())
            forge.faults.fail("POST", "/repos/{owner}/{repo}/forks", status=502)
            await call("submit", "POST", forced())
            await call("submissions")
            await call("auth/device", "POST", {})
            started = json.loads(responses[-1][2])
            forge.approve_device(started["user_code"], "carol")
            await call("auth/device")
            await call("submit", "POST", forced())
            await call("auth")
            device_token = extension(jp_serverapp).auth._device_token
            await call("auth", "DELETE")
        finally:
            for lg, level in saved:
                lg.removeHandler(capture)
                lg.setLevel(level)

        assert device_token and device_token.startswith("gho_")
        assert [code for code, _, _ in responses] == [
            200,
            200,
            200,
            200,
            502,
            200,
            200,
            200,
            200,
            200,
            200,
        ]
        secrets = [ALICE, device_token]
        texts = [json.dumps([code, headers, text]) for code, headers, text in responses]
        texts += capture.lines + [r.getMessage() for r in caplog.records]
        assert len(capture.lines) > 10  # the capture saw the server's logging
        for secret in secrets:
            assert not [t for t in texts if secret in t]
        # No git object in any forge repository (commits, trees, blobs, PR refs) has it.
        for repo in forge.state.repos:
            objects = subprocess.run(
                [
                    "git",
                    f"--git-dir={forge.repo_path(repo)}",
                    "cat-file",
                    "--batch-all-objects",
                    "--batch",
                ],
                capture_output=True,
                check=True,
            ).stdout
            assert objects
            for secret in secrets:
                assert secret.encode() not in objects
        # Nor the PR bodies.
        for pr in forge.pulls("demo/synthetic"):
            assert not any(secret in pr.body for secret in secrets)
