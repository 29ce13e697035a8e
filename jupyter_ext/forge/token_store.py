"""Keep a signed-in user's token across server restarts (opt-in: persist_token).

One JSON file, mode 0600, under the Jupyter data dir, tied to the API URL it
is valid for. Written atomically; never readable by other users, even briefly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FILENAME = "github_token.json"


def default_path() -> Path:
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jupyter_ext" / FILENAME


def load(path: Path, api_url: str) -> str | None:
    """The stored token for `api_url`, or None (missing, unreadable, other URL, loose mode)."""
    try:
        if path.stat().st_mode & 0o077:
            return None  # someone else could have read it: don't trust it
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("api_url") != api_url.rstrip("/"):
        return None
    token = data.get("token")
    return token if isinstance(token, str) and token else None


def save(path: Path, api_url: str, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, json.dumps({"api_url": api_url.rstrip("/"), "token": token}).encode())
    finally:
        os.close(fd)
    os.replace(tmp, path)


def delete(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
