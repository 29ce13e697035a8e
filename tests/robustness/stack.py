"""The world a harness run talks to: a project, a forge and Jupyter servers, as subprocesses.

    <root>/ames/                    the Ballet-layout Ames project (seed of the forge's upstream)
    <root>/outside.ipynb            a valid notebook outside every server's root (traversal bait)
    <root>/forge/, forge.log        `jupyter-ext forge --data-dir ...`
    <root>/home-<login>/            one user's server: its own project copy (the server's
        ames-house-prices/          root), Jupyter config/data/runtime dirs, server.log

Every process the harness starts carries `JUPYTER_EXT_ROBUSTNESS_RUN=<run>:<role>` in its
environment, inherited by everything it spawns, so `processes.py` can find what a case
left behind even when it escaped into its own session.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import requests

from .client import Client, SecretWatch

MARKER_ENV = "JUPYTER_EXT_ROBUSTNESS_RUN"
UPSTREAM = "demo/ames-house-prices"
PROJECT_DIR = "ames-house-prices"
NOTEBOOK = "notebooks/features.ipynb"
# The first is the main user: a newcomer, with no features upstream yet, so a submission
# creates their user_<login> package too (every step of a first submission happens).
LOGINS = ["erin", "alice", "bob", "carol", "dave"]
OBSERVER = "observer"  # reads the forge for the checks; never submits
START_TIMEOUT_S = 300  # 5 servers starting at once on a busy 2-core machine take a while


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_private_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)


def clean_env(marker: str) -> dict[str, str]:
    """The environment of a child: ours minus anything that would change its behaviour."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "GITHUB_", "GH_")) and k not in ("PYTHONPATH",)
    }
    env[MARKER_ENV] = marker
    env["PYTHONUNBUFFERED"] = "1"
    env["JUPYTER_EXT_OFFLINE"] = "1"
    return env


# -- the notebook ------------------------------------------------------------------------

FEATURE_CELL = """\
input = ["Lot Area"]
transformer = clip_log
name = "Lot area clipped log"
description = "Log of the lot area, negative values clipped."
"""


def fault_cell(k: int) -> str:
    return (
        f'input = ["Gr Liv Area", "Lot Area"]\n'
        f"transformer = lambda df: df.sum(axis=1) * {k + 2}\n"
        f'name = "Fault case {k}"\n'
    )


def build_notebook(fault_cells: int) -> nbformat.NotebookNode:
    """The user's notebook: imports, a helper, a feature, edge cells, one cell per fault case."""
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("# Features for the Ames project", id="title"),
        nbformat.v4.new_code_cell("import numpy as np\nimport pandas as pd", id="imports"),
        nbformat.v4.new_code_cell(
            "def clip_log(x):\n    return np.log1p(np.clip(x, 0, None))", id="helper"
        ),
        nbformat.v4.new_code_cell(FEATURE_CELL, id="feature"),
        nbformat.v4.new_code_cell("", id="empty"),
        nbformat.v4.new_code_cell("input = [\n", id="syntax"),
        nbformat.v4.new_markdown_cell("Notes, not code.", id="notes"),
    ]
    cells += [nbformat.v4.new_code_cell(fault_cell(k), id=f"fault-{k}") for k in range(fault_cells)]
    nb.cells = cells
    return nb


def write_edge_files(root: Path) -> None:
    """Files a request may point at that are not usable notebooks."""
    nbs = root / "notebooks"
    nbs.mkdir(parents=True, exist_ok=True)
    (nbs / "broken.ipynb").write_text('{"cells": [ {"cell_type": "code", ', encoding="utf-8")
    (nbs / "not-a-notebook.ipynb").write_text("[1, 2, 3]", encoding="utf-8")
    # nbformat 4 says every cell has a source and metadata, and ids are [a-zA-Z0-9-_]{1,64}.
    invalid = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "id": "bad id with spaces!", "outputs": "nope"}],
    }
    (nbs / "invalid.ipynb").write_text(json.dumps(invalid), encoding="utf-8")
    (nbs / "latin1.ipynb").write_bytes(
        b'{"cells": [{"cell_type": "code", "source": "name = \'caf\xe9\'"}], "nbformat": 4}'
    )
    (nbs / "binary.ipynb").write_bytes(bytes(range(256)) * 64)
    deep = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    text = json.dumps(deep).replace('"metadata": {}', '"metadata": ' + "[" * 50_000 + "]" * 50_000)
    (nbs / "deep.ipynb").write_text(text, encoding="utf-8")
    # A notebook in a folder with its own, broken, ballet.yml: that is its project.
    broken = nbs / "broken-project"
    broken.mkdir(exist_ok=True)
    (broken / "ballet.yml").write_text("project: [unclosed\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('input = ["Lot Area"]\nname = "x"', id="a")]
    nbformat.write(nb, broken / "nb.ipynb")


# -- processes ---------------------------------------------------------------------------


@dataclass
class Proc:
    """A subprocess with a log file."""

    name: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def spawn(name: str, cmd: list[str], log_path: Path, env: dict, cwd: Path) -> Proc:
    log = open(log_path, "ab")  # noqa: SIM115 - the child writes it
    try:
        process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
    finally:
        log.close()
    return Proc(name, process, log_path)


@dataclass
class Forge:
    proc: Proc
    api_url: str
    data_dir: Path
    observer_token: str

    def admin(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.api_url}/_forge/{path}", timeout=30, **kwargs)

    def fail(self, method: str, route: str, **fault) -> None:
        response = self.admin("POST", "faults", json={"method": method, "route": route, **fault})
        response.raise_for_status()

    def clear_faults(self) -> None:
        self.admin("DELETE", "faults").raise_for_status()

    def calls(self) -> dict:
        return self.admin("GET", "calls").json()

    def api(self, path: str, **params) -> requests.Response:
        return requests.get(
            f"{self.api_url}/{path.lstrip('/')}",
            headers={"Authorization": f"token {self.observer_token}"},
            params=params,
            timeout=30,
        )

    def pulls(self, repo: str = UPSTREAM) -> list[dict]:
        response = self.api(f"repos/{repo}/pulls", state="all", per_page=100)
        response.raise_for_status()
        return response.json()

    def repo_dirs(self) -> list[Path]:
        return sorted((self.data_dir / "repos").glob("*/*.git"))

    def branches(self, full_name: str, prefix: str = "refs/heads/") -> dict[str, str]:
        git_dir = self.data_dir / "repos" / f"{full_name}.git"
        if not git_dir.is_dir():
            return {}
        out = subprocess.run(
            [
                "git",
                "--git-dir",
                str(git_dir),
                "for-each-ref",
                "--format=%(refname) %(objectname)",
                prefix,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return {
            ref.removeprefix("refs/heads/"): sha
            for ref, sha in (line.split() for line in out.splitlines())
        }


@dataclass
class Server:
    login: str
    github_token: str
    jupyter_token: str
    port: int
    home: Path
    proc: Proc
    watch: SecretWatch
    marker: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def root(self) -> Path:
        return self.home / PROJECT_DIR

    @property
    def notebook(self) -> Path:
        return self.root / NOTEBOOK

    def client(self, token: str | None = None) -> Client:
        return Client(self.base_url, token or self.jupyter_token, self.watch)


@dataclass
class Stack:
    """Builds and owns one run's processes; `close()` stops them all."""

    root: Path
    watch: SecretWatch = field(default_factory=lambda: SecretWatch([]))
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    forge: Forge | None = None
    servers: list[Server] = field(default_factory=list)
    github_tokens: dict[str, str] = field(default_factory=dict)
    fault_cells: int = 40
    keep: bool = False

    @classmethod
    def create(
        cls, root: Path | None = None, *, keep: bool = False, fault_cells: int = 40
    ) -> Stack:
        root = Path(root or tempfile.mkdtemp(prefix="jupyter-ext-robustness-"))
        root.mkdir(parents=True, exist_ok=True)
        stack = cls(root=root.resolve(), keep=keep, fault_cells=fault_cells)
        stack.github_tokens = {
            login: "ghp_" + secrets.token_hex(18) for login in [*LOGINS, OBSERVER]
        }
        stack.watch.secrets = [t for login, t in stack.github_tokens.items() if login != OBSERVER]
        return stack

    # -- building -----------------------------------------------------------------------

    def build_project(self) -> Path:
        from projects import build_ames_project

        base = self.root / "ames"
        if not (base / "ballet.yml").is_file():
            build_ames_project(base)
        return base

    def start_forge(self) -> Forge:
        from jupyter_ext.forge.local import LocalForge

        base = self.build_project()
        data_dir = self.root / "forge"
        # Users and the upstream go in before the forge process starts, so no token is
        # ever on a command line; the forge keeps only their digests.
        forge = LocalForge(data_dir)
        for login, token in self.github_tokens.items():
            forge.add_user(login, token=token)
        if UPSTREAM not in forge.state.repos:
            owner, name = UPSTREAM.split("/")
            forge.create_repo(owner, name, seed_dir=base)
        ready = self.root / "forge.ready.json"
        ready.unlink(missing_ok=True)
        cmd = [
            sys.executable, "-m", "jupyter_ext", "forge",
            "--port", "0", "--ready-file", str(ready), "--data-dir", str(data_dir),
            "--fork-delay", "0.3",
        ]  # fmt: skip
        proc = spawn(
            "forge", cmd, self.root / "forge.log", clean_env(f"{self.run_id}:forge"), self.root
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not proc.alive:
                raise RuntimeError(f"the forge exited:\n{proc.log_tail()}")
            if ready.is_file():
                api_url = json.loads(ready.read_text())["api_url"].rstrip("/")
                self.forge = Forge(proc, api_url, data_dir, self.github_tokens[OBSERVER])
                return self.forge
            time.sleep(0.1)
        proc.stop()
        raise RuntimeError("the forge did not start")

    def start_server(self, login: str = LOGINS[0], **ext_config) -> Server:
        """One user's Jupyter server on a copy of the project; waits until it answers."""
        assert self.forge is not None, "start the forge first"
        base = self.build_project()
        home = self.root / f"home-{login}"
        root_dir = home / PROJECT_DIR
        if not root_dir.exists():
            shutil.copytree(base, root_dir, ignore=shutil.ignore_patterns(".jupyter-ext"))
            (root_dir / NOTEBOOK).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(build_notebook(self.fault_cells), root_dir / NOTEBOOK)
            write_edge_files(root_dir)
        jupyter = home / "jupyter"
        for sub in ("config", "data", "runtime"):
            (jupyter / sub).mkdir(parents=True, exist_ok=True)
        jupyter_token = secrets.token_hex(24)
        port = free_port()
        extension = {
            "github_token": self.github_tokens[login],
            "validation_timeout": 5.0,  # hostile.py's endless loops stop here
            "validation_memory_limit_mb": 1536,
            "validation_fit_time_budget": 5.0,
            "fork_poll_interval": 0.1,
            "github_timeout": 3,  # faults.py delays answers past it
            "github_client_id": "robustness-harness",  # the forge accepts any client id
            **ext_config,
        }
        write_private_json(
            jupyter / "config" / "jupyter_server_config.json",
            {
                "IdentityProvider": {"token": jupyter_token},
                "ServerApp": {
                    "port": port,
                    "port_retries": 0,
                    "open_browser": False,
                    "root_dir": str(root_dir),
                    "jpserver_extensions": {"jupyter_ext": True},
                    "allow_unauthenticated_access": False,
                    "allow_root": True,  # containers and CI often run as root
                },
                # Offline: no PyPI extension manager, no update checks.
                "LabApp": {
                    "extension_manager": "readonly",
                    "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                },
                "JupyterExt": extension,
            },
        )
        marker = f"{self.run_id}:server:{login}"
        env = clean_env(marker)
        env.update(
            JUPYTER_CONFIG_DIR=str(jupyter / "config"),
            JUPYTER_DATA_DIR=str(jupyter / "data"),
            JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
            HOME=str(home),
        )
        cmd = [
            sys.executable, "-m", "jupyter_server",
            f"--JupyterExt.github_url={self.forge.api_url}",
            "--ServerApp.log_level=DEBUG",
        ]  # fmt: skip
        proc = spawn(f"server-{login}", cmd, home / "server.log", env, home)
        server = Server(
            login, self.github_tokens[login], jupyter_token, port, home, proc, self.watch, marker
        )
        self.servers.append(server)
        self.wait_ready(server)
        return server

    def wait_ready(self, server: Server) -> None:
        client = server.client()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not server.proc.alive:
                raise RuntimeError(f"{server.proc.name} exited:\n{server.proc.log_tail()}")
            ok, _ = client.status(timeout=2)
            if ok:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{server.proc.name} did not start:\n{server.proc.log_tail()}")

    # -- teardown -----------------------------------------------------------------------

    def close(self) -> None:
        for server in self.servers:
            server.proc.stop()
        if self.forge is not None:
            self.forge.proc.stop()
        from .processes import kill_run

        kill_run(self.run_id)  # anything a hostile case managed to leave behind
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def outside_notebook(root: Path) -> Path:
    """A valid notebook beside the servers' homes: extracting it must be impossible."""
    path = root / "outside.ipynb"
    if not path.exists():
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell('SECRET = "outside"\ninput = "Lot Area"', id="out")]
        nbformat.write(nb, path)
    return path
