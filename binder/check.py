"""Replay what Binder (repo2docker) does with this repository, without Docker.

    python binder/check.py [--keep] [--chromium /usr/bin/chromium]

1. a copy of the tree as committed (`git archive HEAD`) plus the built
   labextension (jupyter_ext/labextension, which git ignores), in a temp folder
   that is also $HOME, as in a Binder image;
2. a fresh virtualenv; `pip install -r binder/requirements.txt`; `binder/postBuild`;
3. `binder/start jupyter lab ...` (start execs the server, as repo2docker does);
4. checks: `jupyter server extension list` and `jupyter labextension list` show
   jupyter_ext enabled and OK; GET /lab is 200; headless Chromium opens the starter
   notebook with the plugin active and its panel shown; a validate request on the
   notebook's feature cell succeeds; the forge that start launched serves the upstream.

Prints each step's time; exits 1 on the first failed check. Needs git, python3,
node, Chromium and playwright-core (ui-tests/node_modules, from `make ui-test`'s
install step). pip reaches the package index (as repo2docker does); JupyterLab,
the demo and the forge never reach the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLAYWRIGHT_CORE = REPO / "ui-tests" / "node_modules" / "playwright-core"
NOTEBOOK = "notebooks/Starter.ipynb"
FEATURE_CELL = "feature-overall-quality"
TIMINGS: list[tuple[str, float]] = []


class CheckFailed(Exception):
    pass


def step(name: str):
    """Context manager printing and recording a step's wall time."""

    class _Step:
        def __enter__(self):
            print(f"==> {name}", flush=True)
            self.start = time.monotonic()

        def __exit__(self, exc_type, exc, tb):
            elapsed = time.monotonic() - self.start
            TIMINGS.append((name, elapsed))
            status = "ok" if exc_type is None else "FAILED"
            print(f"    {status} in {elapsed:.1f} s", flush=True)
            return False

    return _Step()


def run(cmd: list[str], *, env: dict, cwd: Path, log: Path) -> str:
    """Run a command, its output appended to `log`; raise with the tail on failure."""
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        result = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)  # fmt: skip
        out.write(result.stdout)
    text = result.stdout.decode(errors="replace")
    if result.returncode != 0:
        tail = "\n".join(text.splitlines()[-30:])
        raise CheckFailed(f"{' '.join(cmd[:3])} ... exited {result.returncode}:\n{tail}")
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, *, token: str | None = None, body: dict | None = None, timeout: float = 120):
    headers = {"Authorization": f"token {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def copy_tree(dest: Path) -> None:
    """HEAD's tree plus the built labextension (what a release or a prebuilt repo holds)."""
    labext = REPO / "jupyter_ext" / "labextension"
    if not (labext / "package.json").is_file():
        raise CheckFailed(f"{labext} is not built: run `make build` first.")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=REPO, check=True, capture_output=True
    ).stdout
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    shutil.copytree(labext, dest / "jupyter_ext" / "labextension")


def base_env(home: Path, venv: Path) -> dict:
    """A Binder-like environment: $HOME is the repository, the venv's tools first.

    pip keeps this machine's index settings and cache (only where packages come
    from, not what gets installed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
    real_home = Path.home()
    pip_conf = real_home / ".config" / "pip" / "pip.conf"
    if pip_conf.is_file() and "PIP_CONFIG_FILE" not in env:
        env["PIP_CONFIG_FILE"] = str(pip_conf)
    env.setdefault("PIP_CACHE_DIR", str(real_home / ".cache" / "pip"))
    # The fresh venv's tools only: no fallback to the development venv's.
    dev_bins = {str(REPO / ".venv" / "bin"), os.path.dirname(sys.executable)}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in dev_bins]
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([str(venv / "bin"), *path]),
        VIRTUAL_ENV=str(venv),
        JUPYTER_EXT_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def check_listing(text: str, name: str, words: tuple[str, ...], what: str) -> None:
    lines = [line for line in text.splitlines() if name in line]
    if not any(all(w in line for w in words) for line in lines):
        raise CheckFailed(f"{what}: no line with {name} {' '.join(words)} in:\n{text}")


def wait_for_server(port: int, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CheckFailed(f"jupyter lab exited {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            status, _ = http(f"http://127.0.0.1:{port}/api/status", token=token, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise CheckFailed("jupyter lab did not answer within 120 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="binder-check-"))
    home, venv, log = work / "repo", work / "venv", work / "binder-check.log"
    server = None
    started = time.monotonic()
    try:
        with step("copy the repository (git archive HEAD + built labextension)"):
            copy_tree(home)
        env = base_env(home, venv)
        with step("fresh virtualenv + pip install -r binder/requirements.txt"):
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            run(["pip", "install", "-q", "-r", "binder/requirements.txt"],
                env=env, cwd=home, log=log)  # fmt: skip
        with step("binder/postBuild"):
            run(["bash", "binder/postBuild"], env=env, cwd=home, log=log)
        with step("jupyter server extension list / labextension list"):
            text = run(["jupyter", "server", "extension", "list"], env=env, cwd=home, log=log)
            check_listing(text, "jupyter_ext", ("enabled",), "server extension")
            check_listing(text, "jupyter_ext", ("OK",), "server extension")
            text = run(["jupyter", "labextension", "list"], env=env, cwd=home, log=log)
            check_listing(text, "jupyter-ext", ("enabled", "OK"), "labextension")

        port, token = free_port(), os.urandom(16).hex()
        with step("binder/start jupyter lab (server up)"):
            with open(log, "ab") as out:
                server = subprocess.Popen(
                    ["bash", "binder/start", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
                     f"--port={port}", f"--IdentityProvider.token={token}", "--allow-root"],
                    env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            wait_for_server(port, token, server, log)
        base = f"http://127.0.0.1:{port}"

        with step("GET /lab"):
            status, _ = http(f"{base}/lab?token={token}")
            if status != 200:
                raise CheckFailed(f"GET /lab -> {status}")

        with step("headless Chromium: starter notebook open, plugin active, panel shown"):
            if not PLAYWRIGHT_CORE.is_dir():
                raise CheckFailed(f"{PLAYWRIGHT_CORE} missing: install the ui-tests deps first.")
            probe = subprocess.run(
                ["node", str(REPO / "binder" / "open_notebook.cjs"),
                 f"{base}/lab/tree/{NOTEBOOK}?token={token}", str(PLAYWRIGHT_CORE),
                 args.chromium],
                capture_output=True, text=True, timeout=180,
            )  # fmt: skip
            print(f"    {probe.stdout.strip()}")
            if probe.returncode != 0:
                raise CheckFailed(f"browser check failed: {probe.stdout}{probe.stderr[-2000:]}")

        with step("POST /jupyter-ext/validate on the feature cell"):
            status, body = http(
                f"{base}/jupyter-ext/validate",
                token=token,
                body={"path": NOTEBOOK, "cell_id": FEATURE_CELL},
                timeout=300,
            )
            report = json.loads(body or b"{}")
            if status != 200 or "passed" not in report:
                raise CheckFailed(f"validate -> {status}: {body[:2000]!r}")
            checks = report.get("checks") or []
            print(
                f"    passed={report['passed']}, {sum(c['passed'] for c in checks)}/"
                f"{len(checks)} checks, acceptance={(report.get('acceptance') or {}).get('accepted')}"
            )
            if report.get("error"):
                raise CheckFailed(f"validate reported an error: {report['error']}")

        with step("the forge started by binder/start serves the upstream"):
            demo = home / "demo-project"
            ready = json.loads((demo / "forge.ready.json").read_text())
            demo_token = json.loads((demo / "jupyter" / "demo-user.json").read_text())["token"]
            status, _ = http(
                f"{ready['web_url']}/api/v3/repos/demo/ames-house-prices", token=demo_token
            )
            if status != 200:
                raise CheckFailed(f"forge GET repos/demo/ames-house-prices -> {status}")
            status, body = http(f"{base}/jupyter-ext/info", token=token)
            if status != 200:
                raise CheckFailed(f"GET /jupyter-ext/info -> {status}")
    except CheckFailed as err:
        print(f"\nbinder-check FAILED: {err}\n(log: {log})", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        stop(server, home)
        total = time.monotonic() - started
        print("\nbinder-check timings:")
        for name, seconds in TIMINGS:
            print(f"  {seconds:7.1f} s  {name}")
        print(f"  {total:7.1f} s  total")
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("binder-check: all checks passed")
    return 0


def stop(server: subprocess.Popen | None, home: Path) -> None:
    """Stop the notebook server and the forge that binder/start left running."""
    if server is not None and server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    pid_file = home / "demo-project" / "forge.pid"
    if pid_file.is_file():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass


if __name__ == "__main__":
    raise SystemExit(main())
