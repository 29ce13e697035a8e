"""Format generated Python with `ruff format`, run as a subprocess.

The `ruff` PyPI package is only used to locate its binary (it imports nothing heavy), so the
core stays free of third-party imports at run time. Formatting is best effort: when ruff is
missing or fails, callers keep the unformatted (still valid) source and tell the user why.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

# The formatter runs on every panel refresh; a stuck binary must not hang a request.
FORMAT_TIMEOUT_S = 10.0


class FormatError(Exception):
    """ruff is unavailable or could not format the source; the message says why."""


@functools.lru_cache(maxsize=1)
def ruff_binary() -> str | None:
    """Path of the ruff executable shipped with the `ruff` package, else one on PATH."""
    try:
        from ruff import find_ruff_bin

        return os.fsdecode(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        pass
    beside_python = os.path.join(os.path.dirname(sys.executable), "ruff")
    if os.access(beside_python, os.X_OK):
        return beside_python
    return shutil.which("ruff")


@functools.lru_cache(maxsize=64)
def format_source(source: str) -> str:
    """`source` formatted by `ruff format` with its default style (88 columns).

    `--isolated` ignores any ruff configuration around the current directory, so a cell
    extracts to the same module wherever the server or the CLI runs. Results are cached:
    the panel asks again for the same module every time the active cell changes back.
    Raises FormatError when formatting is impossible.
    """
    binary = ruff_binary()
    if binary is None:
        raise FormatError("ruff is not installed, so the module is not formatted")
    command = [binary, "format", "--isolated", "--stdin-filename", "feature.py", "-"]
    try:
        done = subprocess.run(
            command,
            input=source,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=FORMAT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FormatError(f"ruff format took longer than {FORMAT_TIMEOUT_S:g} s") from None
    except OSError as err:
        raise FormatError(f"ruff could not be started ({err.strerror or err})") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise FormatError(f"ruff format failed: {reason}")
    return done.stdout
