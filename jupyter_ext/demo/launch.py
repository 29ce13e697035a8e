"""Run the demo: the local forge in the background, JupyterLab in the foreground.

The extension is pointed at the forge through a Jupyter config file in the demo
folder (mode 0600) found via `JUPYTER_CONFIG_PATH`, so the demo user's token is
never on a command line, in a URL or in a log line. The JupyterLab settings
(panel open, auto-validate on) live in the demo's own user-settings folder and
leave the user's own JupyterLab settings alone.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .project import GITHUB_OWNER, PROJECT_SLUG, DemoDirError, DemoLayout, prepare_demo

DEMO_LOGIN = "demo-contributor"
UPSTREAM = f"{GITHUB_OWNER}/{PROJECT_SLUG}"
FORGE_START_TIMEOUT = 60.0
# JupyterLab user settings of the demo, by plugin: our frontend's (schema/plugin.json)
# and no news or update checks (the demo is offline).
LAB_SETTINGS = {
    "jupyter-ext:plugin": {"autoValidate": True, "openPanelOnStart": True},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
# The feature panel's widget id, as registered with JupyterLab's layout restorer.
PANEL_WIDGET_ID = "jupyter-ext-feature-panel"


def say(message: str) -> None:
    print(f"[jupyter-ext demo] {message}", flush=True)


# -- the demo user's secret ------------------------------------------------------------


def demo_token(layout: DemoLayout) -> str:
    """The demo user's forge token: made once per demo folder, kept in a 0600 file."""
    path = layout.jupyter_dir / "demo-user.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))["token"]
    token = "ghp_" + secrets.token_hex(18)
    write_private_json(path, {"login": DEMO_LOGIN, "token": token})
    return token


def write_private_json(path: Path, payload: dict) -> None:
    """Write JSON readable by the owner only (it may hold a token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2)
        f.write("\n")
    os.chmod(path, 0o600)


# -- the forge -------------------------------------------------------------------------


@dataclass
class Forge:
    url: str  # web root: PR pages
    api_url: str  # what PyGithub's base_url is set to
    process: subprocess.Popen | None
    log_path: Path

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_tcp_port() -> int:
    """A port that is free now (for tests and callers that must know it in advance)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def register_demo(layout: DemoLayout, token: str) -> None:
    """Put the upstream repository and the demo user into the forge's data folder.

    Done here rather than with `jupyter-ext forge --seed/--user` so the token
    never appears on a command line (`ps` shows those); the forge keeps only
    its digest. An upstream that already exists keeps its branches and PRs.
    """
    from ..forge.local import LocalForge

    forge = LocalForge(layout.forge_dir)
    forge.add_user(DEMO_LOGIN, token=token, name="Demo Contributor")
    if UPSTREAM not in forge.state.repos:
        forge.create_repo(GITHUB_OWNER, PROJECT_SLUG, seed_dir=layout.project_dir)


def forge_command(layout: DemoLayout, ready_file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jupyter_ext",
        "forge",
        "--port",
        "0",  # any free port; the ready file says which
        "--ready-file",
        str(ready_file),
        "--data-dir",
        str(layout.forge_dir),
        # GitHub creates forks asynchronously; the forge mimics it so the demo shows
        # the real code path, but keeps the wait short.
        "--fork-delay",
        "0.5",
    ]


def start_forge(layout: DemoLayout, token: str, *, detach: bool = False) -> Forge:
    """Start `jupyter-ext forge` on a free port and wait until it serves the upstream.

    `detach` leaves it running after this process exits (Binder's start script
    execs the notebook server next); its pid goes to `forge.pid`.
    """
    register_demo(layout, token)
    ready_file = layout.root / "forge.ready.json"
    ready_file.unlink(missing_ok=True)
    log_path = layout.root / "forge.log"
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child process
    process = subprocess.Popen(
        forge_command(layout, ready_file),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Its own session: Ctrl-C in the terminal goes to JupyterLab, and we stop
        # the forge ourselves once JupyterLab has shut down.
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + FORGE_START_TIMEOUT
    forge = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"The local forge exited with status {process.returncode}; "
                f"see {log_path}:\n{tail(log_path)}"
            )
        if forge is None and ready_file.is_file():
            ready = json.loads(ready_file.read_text(encoding="utf-8"))
            web_url = ready["web_url"].rstrip("/")
            forge = Forge(web_url, f"{web_url}/api/v3", process, log_path)
        if forge is not None and forge_ready(forge, token):
            if detach:
                (layout.root / "forge.pid").write_text(f"{process.pid}\n", encoding="utf-8")
            return forge
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"The local forge did not answer within {FORGE_START_TIMEOUT:.0f} s.")


def forge_ready(forge: Forge, token: str) -> bool:
    """True once the forge serves the upstream repository to the demo user."""
    request = urllib.request.Request(
        f"{forge.api_url}/repos/{UPSTREAM}", headers={"Authorization": f"token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# -- Jupyter configuration ---------------------------------------------------------------


def write_jupyter_config(layout: DemoLayout, submission: dict[str, str]) -> Path:
    """The demo's Jupyter config folder (to put on JUPYTER_CONFIG_PATH).

    `submission` holds the JupyterExt settings saying where pull requests go
    (github_url/github_token/upstream for the forge, github_client_id for GitHub).
    """
    config_dir = layout.jupyter_dir / "config"
    lab_dir = layout.jupyter_dir / "lab"
    notebook = layout.notebook.relative_to(layout.project_dir).as_posix()
    extension = {"project_dir": str(layout.project_dir), **submission}
    config = {
        "ServerApp": {"root_dir": str(layout.project_dir)},
        "LabApp": {
            "default_url": f"/lab/tree/{notebook}",
            "user_settings_dir": str(lab_dir / "user-settings"),
            "workspaces_dir": str(lab_dir / "workspaces"),
            # The extension manager would search PyPI: the demo is offline.
            "extension_manager": "readonly",
        },
        "JupyterExt": extension,
    }
    write_private_json(config_dir / "jupyter_server_config.json", config)
    write_lab_settings(lab_dir / "user-settings")
    write_workspace(lab_dir / "workspaces", notebook)
    return config_dir


def write_lab_settings(settings_dir: Path) -> None:
    """The demo's JupyterLab settings, unless the demo user changed them already."""
    for plugin_id, values in LAB_SETTINGS.items():
        package, _, plugin = plugin_id.partition(":")
        path = settings_dir / package / f"{plugin}.jupyterlab-settings"
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")


def default_workspace(notebook: str) -> dict:
    """JupyterLab's default workspace: the starter notebook open, the feature panel shown."""
    notebook_widget = f"notebook:{notebook}"
    return {
        "data": {
            "layout-restorer:data": {
                "main": {
                    "dock": {"type": "tab-area", "currentIndex": 0, "widgets": [notebook_widget]},
                    "current": notebook_widget,
                },
                "left": {"collapsed": True, "visible": True, "widgets": ["filebrowser"]},
                "right": {
                    "collapsed": False,
                    "visible": True,
                    "current": PANEL_WIDGET_ID,
                    "widgets": [PANEL_WIDGET_ID],
                },
            },
            notebook_widget: {"data": {"path": notebook, "factory": "Notebook"}},
        },
        "metadata": {"id": "default"},
    }


def write_workspace(workspaces_dir: Path, notebook: str) -> None:
    """Save the default workspace unless the demo user already has one (their layout wins)."""
    from jupyterlab_server.workspaces_handler import WorkspacesManager

    manager = WorkspacesManager(str(workspaces_dir))
    if manager.load("default").get("data"):
        return
    manager.save("default", json.dumps(default_workspace(notebook)))


def jupyter_env(config_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(config_dir), *filter(None, env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def lab_command(port: int, open_browser: bool) -> list[str]:
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.port={port}"]
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    return command


def configure_github(layout: DemoLayout) -> int:
    """Point the demo at real GitHub: sign-in with the device flow of the OAuth app in
    $GITHUB_CLIENT_ID, pull requests to $JUPYTER_EXT_UPSTREAM (owner/name)."""
    client_id = os.environ.get("GITHUB_CLIENT_ID", "")
    upstream = os.environ.get("JUPYTER_EXT_UPSTREAM", "")
    if not client_id:
        print(
            "error: --github needs GITHUB_CLIENT_ID (a GitHub OAuth app's client id)",
            file=sys.stderr,
        )
        return 2
    submission = {"github_client_id": client_id}
    if upstream:
        submission["upstream"] = upstream
    else:
        say(f"JUPYTER_EXT_UPSTREAM is not set: pull requests go to {UPSTREAM} on GitHub.")
    config_dir = write_jupyter_config(layout, submission)
    say(f"Configured for GitHub sign-in; Jupyter config: {config_dir}")
    return 0


# After SIGTERM, how long JupyterLab may take to shut down before it is killed. Its
# shutdown can hang after the kernels and extensions have stopped, with the
# interpreter waiting on idle AnyIO worker threads; nothing is lost by killing it then.
LAB_STOP_GRACE = 20.0


def wait_for_lab(lab: subprocess.Popen, stop_requested: list[float]) -> int:
    """Wait for JupyterLab to exit; on SIGTERM stop it, and kill it if it hangs."""
    terminated_at = None
    while True:
        try:
            return lab.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        if stop_requested and terminated_at is None:
            lab.terminate()
            terminated_at = time.monotonic()
        elif terminated_at is not None and time.monotonic() - terminated_at > LAB_STOP_GRACE:
            say(f"JupyterLab did not exit {LAB_STOP_GRACE:.0f} s after SIGTERM; killing it.")
            lab.kill()


# -- the command ---------------------------------------------------------------------------


def launch_demo(
    directory: str | os.PathLike,
    *,
    reset: bool = False,
    open_browser: bool = True,
    port: int = 8888,
    prepare_only: bool = False,
    forge_only: bool = False,
    github: bool = False,
) -> int:
    try:
        result = prepare_demo(directory, reset=reset)
    except DemoDirError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    layout = result.layout
    state = "created" if result.created else "reused"
    say(f"Project {state}: {layout.project_dir}")
    if result.written and not result.created:
        say(f"Restored {len(result.written)} missing file(s): {', '.join(result.written)}")
    token = demo_token(layout)
    if prepare_only:
        config_dir = write_jupyter_config(layout, {})
        say(f"Prepared. Jupyter config: {config_dir}")
        return 0
    if github:
        return configure_github(layout)

    say("Starting the local forge (a GitHub-compatible server on this machine)...")
    forge = start_forge(layout, token, detach=forge_only)
    say(f"Forge: {forge.url}  upstream {UPSTREAM}, signed in as {DEMO_LOGIN}")
    config_dir = write_jupyter_config(
        layout, {"github_url": forge.api_url, "github_token": token, "upstream": UPSTREAM}
    )
    if forge_only:
        say(f"Forge running (pid {forge.process.pid}); Jupyter config: {config_dir}")
        return 0

    say(f"Starting JupyterLab on {layout.notebook.relative_to(layout.root)}; Ctrl-C to stop.")
    lab = subprocess.Popen(lab_command(port, open_browser), env=jupyter_env(config_dir))
    # JupyterLab handles Ctrl-C itself (it asks for confirmation); this process only
    # waits for it to exit, then stops the forge.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop_requested: list[float] = []
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.append(time.monotonic()))
    try:
        code = wait_for_lab(lab, stop_requested)
    finally:
        signal.signal(signal.SIGINT, previous)
        say("JupyterLab exited; stopping the forge.")
        forge.stop()
    return code
