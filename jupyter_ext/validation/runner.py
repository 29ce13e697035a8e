"""Async client of the validation worker: spawn, queue, time out, kill, restart.

Runs in the Jupyter server (and in the CLI). It imports no numpy/pandas/sklearn: the
worker subprocess does all the work, and talks JSON lines over asyncio pipes, so the
server's event loop stays free while a feature fits.

One `ValidationWorker` per project root. Requests are served one at a time, in arrival
order (an asyncio lock queues them). When a request exceeds its timeout, the worker's
whole process group is killed and a fresh worker starts on the next request. A worker
that dies (os._exit, a segfault, the kernel's OOM killer, or its own memory limit) turns
into a `WorkerFailure` with a kind and a message a person can act on, never a hung or
dead server.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import jupyter_ext

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_LIMIT_MB = 4096
_MAX_STDERR_LINE = 4096  # longer lines of worker output are cut here
_MEMORY_HINTS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "out of memory")


class WorkerFailure(Exception):
    """The worker gave no verdict. kind: timeout | crash | memory | exception | project | data."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message}


@dataclass
class WorkerOptions:
    python: str = sys.executable
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
    fit_time_budget_s: float = 30.0
    startup_timeout_s: float = 60.0


def _package_parent() -> str:
    """The folder holding the jupyter_ext package, so another interpreter can import it."""
    return str(Path(jupyter_ext.__file__).resolve().parent.parent)


class ValidationWorker:
    """One worker subprocess for one project root, restarted as needed."""

    def __init__(self, project_root: Path | str, options: WorkerOptions | None = None):
        self.project_root = Path(project_root)
        self.options = options or WorkerOptions()
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._next_id = 0
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=60)
        self._stderr_task: asyncio.Task | None = None
        self.starts = 0  # how many processes this worker has spawned (tests and logs)
        self.pid: int | None = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A request is running or queued."""
        return self._lock.locked()

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def _spawn(self) -> None:
        env = dict(os.environ)
        parent = _package_parent()
        env["PYTHONPATH"] = os.pathsep.join(p for p in (parent, env.get("PYTHONPATH", "")) if p)
        env.setdefault("PYTHONUNBUFFERED", "1")
        # Bounded thread pools and malloc arenas: each reserves address space, which the
        # worker's RLIMIT_AS counts, so on a many-core host they could eat the limit.
        threads = str(min(4, os.cpu_count() or 1))
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, threads)
        env.setdefault("MALLOC_ARENA_MAX", "2")
        cmd = [
            self.options.python,
            "-m",
            "jupyter_ext.validation.worker",
            "--project",
            str(self.project_root),
            "--memory-limit-mb",
            str(int(self.options.memory_limit_mb or 0)),
            "--fit-time-budget-s",
            str(self.options.fit_time_budget_s),
        ]
        self._stderr_tail.clear()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *cmd,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=str(self.project_root),
                env=env,
                start_new_session=True,  # its own process group: we kill all it spawned
                limit=64 * 1024 * 1024,
            )
        except OSError as err:
            raise WorkerFailure(
                "crash",
                f"Could not start the validation worker with {self.options.python!r}: {err}",
            ) from None
        self.starts += 1
        self.pid = self._proc.pid
        self._stderr_task = asyncio.ensure_future(self._drain_stderr(self._proc))
        try:
            hello = await asyncio.wait_for(
                self._read_message(), timeout=self.options.startup_timeout_s
            )
        except asyncio.TimeoutError:
            await self._kill()
            raise WorkerFailure(
                "timeout",
                f"The validation worker did not start within {self.options.startup_timeout_s:g} s.",
            ) from None
        except WorkerFailure:
            await self._kill()
            raise
        if hello.get("event") != "ready":
            await self._kill()
            raise WorkerFailure("crash", f"Unexpected first message from the worker: {hello!r}")
        log.info("validation worker %s started for %s", self.pid, self.project_root)

    async def _drain_stderr(self, proc: asyncio.subprocess.Process) -> None:
        # Read in chunks, not readline(): a feature that prints 100 MB without a newline
        # must not stop the draining (the worker would then block on a full pipe).
        assert proc.stderr is not None
        pending, overlong = b"", False
        while True:
            chunk = await proc.stderr.read(1 << 16)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                if overlong:  # the end of a line already noted
                    overlong = False
                    continue
                self._note_stderr(proc, line)
            if len(pending) > _MAX_STDERR_LINE:
                if not overlong:
                    self._note_stderr(proc, pending[:_MAX_STDERR_LINE] + b" [...]")
                pending, overlong = b"", True
        if pending and not overlong:
            self._note_stderr(proc, pending)

    def _note_stderr(self, proc: asyncio.subprocess.Process, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip()
        self._stderr_tail.append(text)
        log.debug("worker %s: %s", proc.pid, text)

    async def _read_message(self) -> dict:
        assert self._proc is not None and self._proc.stdout is not None
        line = await self._proc.stdout.readline()
        if not line:
            raise await self._death()
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            raise WorkerFailure(
                "crash", "The validation worker wrote something that is not a reply."
            ) from None

    async def _death(self) -> WorkerFailure:
        """Explain why the process ended (called once its stdout closed)."""
        proc = self._proc
        assert proc is not None
        try:
            code = await asyncio.wait_for(proc.wait(), timeout=5)
        except asyncio.TimeoutError:
            await self._kill()
            code = proc.returncode
        if self._stderr_task is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._stderr_task), timeout=1)
        tail = "\n".join(self._stderr_tail)
        if any(h in tail for h in _MEMORY_HINTS):
            return WorkerFailure(
                "memory",
                "The validation worker ran out of memory "
                f"(limit {self.options.memory_limit_mb} MB) while running the feature.",
            )
        if code is not None and code < 0:
            try:
                signame = signal.Signals(-code).name
            except ValueError:
                signame = f"signal {-code}"
            what = {
                "SIGSEGV": "a segmentation fault (a crash in compiled code)",
                "SIGKILL": "SIGKILL (possibly the system's out-of-memory killer)",
                "SIGABRT": "an abort in compiled code",
                "SIGBUS": "a bus error (a crash in compiled code)",
            }.get(signame, signame)
            message = f"The validation worker crashed with {what} while running the feature."
        else:
            message = f"The validation worker exited (status {code}) while running the feature."
        last = _last_meaningful_line(tail)
        if last:
            message += f" Last output: {last}"
        return WorkerFailure("crash", message)

    async def _kill(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), timeout=5)
        else:
            # The leader is gone; make sure nothing it spawned lingers in its group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        if self._stderr_task is not None:
            self._stderr_task.cancel()
            self._stderr_task = None
        self._proc = None

    async def stop(self) -> None:
        """Stop the worker and everything it started (its process group).

        Closing stdin asks it to leave; an idle worker holds nothing worth a slow
        interpreter shutdown (cache files are written atomically), so it is killed soon after.
        """
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None and proc.stdin is not None:
            with contextlib.suppress(Exception):
                proc.stdin.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), timeout=0.2)
        await self._kill()

    # -- requests ------------------------------------------------------------------------

    async def request(self, op: str, timeout_s: float | None = None, **payload) -> dict:
        """Send one request; the reply's result, or WorkerFailure. Queued behind others."""
        async with self._lock:
            return await self._request_locked(op, timeout_s, payload)

    async def discover(self, timeout_s: float | None = None) -> dict:
        """Existing features and column coverage (validation/discovery.py), cached.

        The worker stops estimating at 80% of the timeout and says which columns are left,
        rather than being killed (and losing its loaded data) with nothing to show.
        """
        timeout = timeout_s if timeout_s is not None else self.options.timeout_s
        return await self.request("discover", timeout, budget_s=0.8 * timeout)

    async def _request_locked(self, op: str, timeout_s: float | None, payload: dict) -> dict:
        if not self.alive:
            await self._kill()
            await self._spawn()
        assert self._proc is not None and self._proc.stdin is not None
        # A crash report quotes the worker's last output: this request's, not an earlier
        # feature's (whose "MemoryError" text would also turn a crash into "memory").
        self._stderr_tail.clear()
        self._next_id += 1
        rid = self._next_id
        message = json.dumps({"id": rid, "op": op, **payload}) + "\n"
        timeout = timeout_s if timeout_s is not None else self.options.timeout_s
        started = time.perf_counter()
        try:
            self._proc.stdin.write(message.encode("utf-8"))
            await self._proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            raise await self._death() from None
        try:
            while True:
                remaining = timeout - (time.perf_counter() - started)
                if remaining <= 0:
                    raise asyncio.TimeoutError
                reply = await asyncio.wait_for(self._read_message(), timeout=remaining)
                if reply.get("id") == rid:
                    break
        except asyncio.TimeoutError:
            await self._kill()
            raise WorkerFailure(
                "timeout",
                f"Validation took longer than {timeout:g} s and was stopped. The feature may "
                "loop forever or be too slow for the data; the worker was restarted.",
            ) from None
        except WorkerFailure:
            await self._kill()
            raise
        if reply.get("ok"):
            return reply["result"]
        error = reply.get("error") or {}
        failure = WorkerFailure(error.get("kind", "exception"), error.get("message", "failed"))
        if failure.kind == "memory":
            await self._kill()  # it exits by itself; reap it now
        raise failure


def _last_meaningful_line(tail: str) -> str:
    for line in reversed(tail.splitlines()):
        line = line.strip()
        if line and not line.startswith(
            ("File ", "Current thread", "Thread ", "Extension modules")
        ):
            return line[:300]
    return ""


MAX_WORKERS = 2  # live workers per server; each holds one project's data in memory


class WorkerPool:
    """Workers by project root, all with the same options; `stop_all` on shutdown.

    At most `max_workers` stay alive: opening notebooks in a third project folder stops
    the least recently used idle worker (it restarts, warm from its disk cache, when
    needed again), so browsing many folders can't pile up processes on a shared host.
    A worker is only stopped while idle; callers request right after `get()`.
    """

    def __init__(self, options: WorkerOptions | None = None, max_workers: int = MAX_WORKERS):
        self.options = options or WorkerOptions()
        self.max_workers = max(1, max_workers)
        self._workers: dict[Path, ValidationWorker] = {}  # least recently used first
        self._stopping: set[asyncio.Future] = set()

    def get(self, project_root: Path | str) -> ValidationWorker:
        root = Path(project_root).resolve()
        worker = self._workers.pop(root, None) or ValidationWorker(root, self.options)
        self._workers[root] = worker
        self._evict()
        return worker

    def _evict(self) -> None:
        excess = len(self._workers) - self.max_workers
        for root, worker in list(self._workers.items())[:-1]:
            if excess <= 0:
                return
            if worker.busy:  # running or queued: keep it
                continue
            del self._workers[root]
            excess -= 1
            if worker.alive:
                task = asyncio.ensure_future(worker.stop())
                self._stopping.add(task)
                task.add_done_callback(self._stopping.discard)

    def workers(self) -> list[ValidationWorker]:
        return list(self._workers.values())

    async def stop_all(self) -> None:
        workers, self._workers = list(self._workers.values()), {}
        await asyncio.gather(*(w.stop() for w in workers), *self._stopping, return_exceptions=True)
