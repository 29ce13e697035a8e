"""The process table: a server's validation worker, and what hostile features left behind.

Every process the harness starts carries `JUPYTER_EXT_ROBUSTNESS_RUN=<run>:<role>` in its
environment; children inherit it, including ones that double-fork or call setsid to
escape their process group. So "orphans of a server" = processes whose environment
carries that server's marker, minus the server itself and its one current worker.
"""

from __future__ import annotations

import time

import psutil

from .stack import MARKER_ENV

WORKER_MODULE = "jupyter_ext.validation.worker"


def _marker(proc: psutil.Process) -> str | None:
    try:
        return proc.environ().get(MARKER_ENV)
    except (psutil.Error, OSError):
        return None


def marked(prefix: str) -> list[psutil.Process]:
    """Live (non-zombie) processes whose marker starts with `prefix`."""
    out = []
    for proc in psutil.process_iter(["pid", "status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        marker = _marker(proc)
        if marker is not None and marker.startswith(prefix):
            out.append(proc)
    return out


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def workers(server_pid: int) -> list[psutil.Process]:
    """The server's live validation worker processes (its direct children running the worker)."""
    try:
        children = psutil.Process(server_pid).children(recursive=False)
    except (psutil.Error, ValueError):  # gone, or no such pid (-1: none)
        return []
    return [
        c
        for c in children
        if WORKER_MODULE in " ".join(_cmdline(c)) and c.status() != psutil.STATUS_ZOMBIE
    ]


def worker_pids(server_pid: int) -> set[int]:
    return {w.pid for w in workers(server_pid)}


def strays(server_pid: int, marker: str) -> list[psutil.Process]:
    """Processes of this server's run other than the server and its workers."""
    keep = {server_pid, *worker_pids(server_pid)}
    return [p for p in marked(marker) if p.pid not in keep]


def wait_no_strays(server_pid: int, marker: str, timeout: float = 3.0) -> list[psutil.Process]:
    """Strays still there after `timeout` (short-lived helpers such as ruff get to finish)."""
    deadline = time.monotonic() + timeout
    while True:
        left = strays(server_pid, marker)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def describe(procs: list[psutil.Process]) -> str:
    parts = []
    for p in procs:
        try:
            parts.append(f"{p.pid} {' '.join(p.cmdline())[:80]!r} (ppid {p.ppid()})")
        except psutil.Error:
            parts.append(str(p.pid))
    return "; ".join(parts)


def kill(procs: list[psutil.Process]) -> None:
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)


def kill_run(run_id: str) -> None:
    """Kill every process of a run still alive (the harness's own cleanup)."""
    kill(marked(f"{run_id}:"))
