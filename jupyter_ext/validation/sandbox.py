"""Guard rails while a contributor's feature code runs in the validation worker.

Not a security boundary: the contributor can run anything in their own notebook kernel.
It stops the accidents a validation must not have side effects from, and turns them
into an error the report shows (a failed check naming a PermissionError):

- the working directory and `tempfile`'s folder are a fresh temp dir, removed afterwards,
  so `df.to_csv("out.csv")` lands there and not in the user's project;
- opening a file for writing, or removing, renaming or creating files and folders,
  outside that temp dir raises PermissionError (a `sys.addaudithook` hook, active only
  while the feature runs; import's own .pyc writes fail quietly, as on a read-only disk);
- starting processes (subprocess, os.system, fork, exec, spawn) raises PermissionError:
  a validation must leave nothing running behind it;
- stdin reads as empty, so a feature can't swallow the worker's request channel;
- afterwards, whatever got past the hook in the worker's process group is killed.

The runner (runner.py) still enforces the time and memory limits and kills the whole
process group on timeout or crash.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {  # audit event -> indices of the path arguments it changes
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.truncate": (0,),
    "os.symlink": (1,),
    "os.link": (1,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.copytree": (1,),
}
_PROCESS_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.fork",
    "os.forkpty",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.startfile",
    "pty.spawn",
}


class _State:
    active = False
    scratch = ""  # realpath of the temp dir, with a trailing separator
    hooked = False


def _inside(path) -> bool:
    if isinstance(path, int):  # an open file descriptor: checked when it was opened
        return True
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    try:
        full = os.path.realpath(os.path.join(os.getcwd(), os.fspath(path)))
    except (TypeError, ValueError, OSError):
        return False
    return full == "/dev/null" or (full + os.sep).startswith(_State.scratch)


def _audit(event: str, args: tuple) -> None:
    if not _State.active:
        return
    if event == "open":
        path, mode, flags = args
        writes = (flags or 0) & _WRITE_FLAGS or (
            isinstance(mode, str) and any(c in mode for c in "wax+")
        )
        if writes and path is not None and not _inside(path):
            raise PermissionError(
                f"Feature code may not write {path!r} during validation: only files in its "
                "temporary working directory. Return values instead of writing files."
            )
    elif event in _PATH_EVENTS:
        for i in _PATH_EVENTS[event]:
            if i < len(args) and args[i] is not None and not _inside(args[i]):
                raise PermissionError(
                    f"Feature code may not change {args[i]!r} ({event}) during validation: "
                    "only files in its temporary working directory."
                )
    elif event in _PROCESS_EVENTS:
        raise PermissionError(
            f"Feature code may not start processes during validation ({event}): a "
            "feature must compute its values in Python, and leave nothing running."
        )


@contextlib.contextmanager
def feature_sandbox() -> Iterator[str]:
    """Run the block as feature code (see the module docstring); yields the temp dir."""
    if not _State.hooked:
        sys.addaudithook(_audit)  # permanent by design; inert while not active
        _State.hooked = True
    scratch = os.path.realpath(tempfile.mkdtemp(prefix="jupyter-ext-feature-"))
    old_cwd, old_tempdir, old_stdin = os.getcwd(), tempfile.tempdir, sys.stdin
    os.chdir(scratch)
    tempfile.tempdir = scratch
    sys.stdin = io.StringIO("")
    _State.scratch, _State.active = scratch + os.sep, True
    try:
        yield scratch
    finally:
        _State.active = False
        sys.stdin = old_stdin
        tempfile.tempdir = old_tempdir
        os.chdir(old_cwd)
        kill_strays()
        shutil.rmtree(scratch, ignore_errors=True)


def kill_strays() -> int:
    """Kill processes in this process's group other than itself; how many were found.

    The worker leads its own process group (the runner starts it in a new session), so
    anything feature code started without the hook noticing (e.g. a multiprocessing
    spawn) is in it. Linux lists processes in /proc; elsewhere this finds nothing.
    """
    me = os.getpid()
    try:
        group = os.getpgid(0)
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0
    if group != me:
        return 0  # not a group leader (run by hand): don't touch the caller's group
    found = 0
    for pid in pids:
        if pid == me:
            continue
        try:
            if os.getpgid(pid) == group:
                os.kill(pid, signal.SIGKILL)
                found += 1
        except OSError:
            continue
    deadline = time.monotonic() + 1.0
    while found and time.monotonic() < deadline:  # reap our own children (no zombies)
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.01)
        except ChildProcessError:
            break
    return found
