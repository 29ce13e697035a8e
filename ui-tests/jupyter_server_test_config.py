"""Jupyter server configuration for the Galata UI tests.

Never use this configuration in production: it disables authentication and
exposes JupyterLab's JavaScript objects on `window`.

Each server gets the real thing, offline: the Ames demo project (built
afresh in ui-tests/.jupyter-ext/) as the folder Jupyter serves and validates
against, and a fresh local forge (a GitHub-compatible server over real git
repositories) that submissions and the device-flow sign-in go to.
playwright.config.js chooses the port and, for the base_url project, the
URL prefix, and passes them through the environment.
"""

import atexit
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

from jupyter_ext.demo.project import GITHUB_OWNER, PROJECT_SLUG, prepare_demo

HERE = Path(__file__).parent
STATE = Path(os.environ.get("JUPYTER_EXT_UI_STATE", HERE / ".jupyter-ext"))
PORT = int(os.environ.get("JUPYTER_EXT_UI_PORT", "8888"))
UPSTREAM = f"{GITHUB_OWNER}/{PROJECT_SLUG}"
# The forge user the server submits as (and signs in as in the device-flow test).
LOGIN = "alice"
CLIENT_ID = "jupyter-ext-ui-tests"


def start_forge(seed: Path, data_dir: Path, token: str) -> str:
    """Start `jupyter-ext forge` for this server; returns its API URL once it serves."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    ready = data_dir / "ready.json"
    log = open(data_dir / "forge.log", "ab")  # noqa: SIM115 - the child's stdout
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_ext",
            "forge",
            "--port=0",
            f"--ready-file={ready}",
            f"--data-dir={data_dir / 'data'}",
            f"--seed={seed}",
            f"--owner={GITHUB_OWNER}",
            f"--repo={PROJECT_SLUG}",
            f"--user={LOGIN}:{token}",
            f"--client-id={CLIENT_ID}",
            # Forks and device-flow polls as fast as a test wants them.
            "--fork-delay=0.2",
            "--device-interval=1",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local forge exited; see {data_dir / 'forge.log'}")
        if ready.is_file():
            api_url = json.loads(ready.read_text())["web_url"].rstrip("/") + "/api/v3"
            request = urllib.request.Request(
                f"{api_url}/repos/{UPSTREAM}", headers={"Authorization": f"token {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=2):
                    return api_url
            except OSError:
                pass
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the local forge did not start within 60 s")


def pin_accepter(ballet_yml: Path) -> None:
    """Judge features by a variance bar in the UI tests.

    The tests check what the panel shows for an accepted and a rejected
    feature. Which features clear GFSSF's information bar is the engine's
    business (pytest covers it) and moves whenever its estimator is tuned; a
    variance bar (every output column must vary by more than 0.1) keeps each
    fixture feature's verdict put: garage quality varies, pool quality (no
    pool in 99.6% of houses) hardly does.
    """
    pinned = "feature_accepter: {name: VarianceThresholdAccepter, params: {threshold: 0.1}}"
    text = ballet_yml.read_text(encoding="utf-8")
    ballet_yml.write_text(re.sub(r"feature_accepter: .*", pinned, text, count=1), encoding="utf-8")


configure_jupyter_server(c)  # noqa: F821 - `c` is injected by Jupyter

c.ServerApp.port = PORT  # noqa: F821
c.ServerApp.base_url = os.environ.get("JUPYTER_EXT_UI_BASE_URL", "/")  # noqa: F821
# Tests run as root in CI containers.
c.ServerApp.allow_root = True  # noqa: F821
c.ServerApp.jpserver_extensions = {"jupyter_ext": True}  # noqa: F821

# A fresh demo project per server (a few seconds): a cached one would keep
# files from older versions of the demo builder.
demo = prepare_demo(STATE / f"demo-{PORT}", reset=True).layout
atexit.register(shutil.rmtree, demo.root, ignore_errors=True)
project = demo.project_dir
pin_accepter(project / "ballet.yml")
token = "ghp_" + secrets.token_hex(18)
api_url = start_forge(project, STATE / f"forge-{PORT}", token)

# Galata creates one folder per test under the root: inside the project, so
# notebooks there are validated against it.
c.ServerApp.root_dir = str(project)  # noqa: F821
c.JupyterExt.project_dir = str(project)  # noqa: F821
c.JupyterExt.github_url = api_url  # noqa: F821
c.JupyterExt.github_token = token  # noqa: F821
c.JupyterExt.github_client_id = CLIENT_ID  # noqa: F821
c.JupyterExt.upstream = UPSTREAM  # noqa: F821
c.JupyterExt.fork_poll_interval = 0.1  # noqa: F821
