"""Feature code that misbehaves, sent to `POST validate` as module source.

Each case must come back as a 200 report with `passed: false` and a clear reason (an
`error` of the expected kind, or a failed check with a message), the server must stay up,
the next ordinary validation must work (a fresh worker if the old one died), and no
process the feature started may outlive the case. Files the feature tries to write or
delete outside its temp dir must be untouched.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import processes
from .checks import alive, count_5xx
from .client import Answer
from .figures import Tally
from .stack import Server

GOOD = 'input = ["Lot Area"]\ntransformer = None\nname = "Recovery check"\n'


def module(body: str, *, imports: str = "", name: str) -> str:
    """A feature whose transformer runs `body` (indented into a function of `df`)."""
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    return (
        f"{imports}\n\n"
        f"def misbehave(df):\n{indented}\n    return df\n\n\n"
        f'input = ["Lot Area"]\ntransformer = misbehave\nname = "{name}"\n'
    )


@dataclass
class Hostile:
    name: str
    source: str
    kinds: tuple[str, ...] = ()  # acceptable report error kinds
    failed_check_ok: bool = False  # a failed check with a message is a clear answer too
    harmless: bool = False  # contained without an error: any report will do
    fast: bool = False  # part of the pytest subset
    untouched: list[str] = field(default_factory=list)  # paths (relative to home) to keep
    absent: list[str] = field(default_factory=list)  # paths (relative to home) not to create


def cases(server: Server) -> list[Hostile]:
    home = server.home
    escape = home / "escaped-write.txt"
    canary = home / "canary.txt"
    project_yml = server.root / "ballet.yml"
    H = Hostile
    return [
        H(
            "infinite loop in transform",
            module("while True:\n    pass", name="Loops forever"),
            kinds=("timeout",),
            failed_check_ok=True,
            fast=True,
        ),
        H(
            "infinite loop at import",
            "while True:\n    pass\n",
            kinds=("timeout",),
            failed_check_ok=True,
        ),
        H(
            "os._exit(0) in transform",
            module("os._exit(0)", imports="import os", name="Exits"),
            kinds=("crash",),
            failed_check_ok=True,
            fast=True,
        ),
        H(
            "sys.exit(3) at import",
            "import sys\nsys.exit(3)\n",
            kinds=("crash", "exception"),
            failed_check_ok=True,
        ),
        H(
            "segfault via ctypes",
            module("ctypes.string_at(0)", imports="import ctypes", name="Segfaults"),
            kinds=("crash",),
        ),
        H(
            "memory bomb: one 50 GB allocation",
            module("bytearray(50 * 1024**3)", name="Allocates 50 GB"),
            kinds=("memory",),
            failed_check_ok=True,
        ),
        H(
            "memory bomb: grows 256 MB at a time",
            module(
                "chunks = []\nwhile True:\n    chunks.append(bytearray(256 * 1024**2))",
                name="Grows forever",
            ),
            kinds=("memory",),
        ),
        H(
            "output of 10^7 columns (dense)",
            "import numpy as np\n\ninput = ['Lot Area']\n"
            "transformer = lambda df: np.zeros((len(df), 10**7))\nname = 'Ten million columns'\n",
            kinds=("memory",),
            failed_check_ok=True,
        ),
        H(
            "output of 10^7 columns (a lazy broadcast view)",
            "import numpy as np\n\ninput = ['Lot Area']\n"
            "transformer = lambda df: np.broadcast_to(np.zeros((1, 1)), (len(df), 10**7))\n"
            "name = 'Ten million lazy columns'\n",
            kinds=("memory",),
            failed_check_ok=True,
        ),
        H(
            "spawns `sleep 1000` in transform",
            module(
                "subprocess.Popen(['sleep', '1000'])", imports="import subprocess", name="Spawns"
            ),
            kinds=("exception",),
            failed_check_ok=True,
            fast=True,
        ),
        H(
            "spawns `sleep 1000` in a new session",
            module(
                "subprocess.Popen(['sleep', '1000'], start_new_session=True)",
                imports="import subprocess",
                name="Spawns and escapes",
            ),
            kinds=("exception",),
            failed_check_ok=True,
        ),
        H(
            "forks a copy of the worker",
            module(
                "if os.fork() == 0:\n    time.sleep(1000)\n    os._exit(0)",
                imports="import os\nimport time",
                name="Forks",
            ),
            kinds=("exception",),
            failed_check_ok=True,
        ),
        H(
            "writes outside its temp dir (absolute path)",
            module(
                f"open({str(escape)!r}, 'w').write('written by a feature')",
                name="Writes outside",
            ),
            kinds=("exception",),
            failed_check_ok=True,
            fast=True,
            absent=[escape.name],
        ),
        H(
            "overwrites ballet.yml (relative path: lands in its temp dir)",
            module("open('ballet.yml', 'w').write('')", name="Clobbers config"),
            harmless=True,
            untouched=[str(project_yml.relative_to(home))],
            absent=[f"{server.root.name}/written-by-feature.txt"],
        ),
        H(
            "deletes a file outside its temp dir",
            module(f"os.remove({str(canary)!r})", imports="import os", name="Deletes"),
            kinds=("exception",),
            failed_check_ok=True,
            untouched=[canary.name],
        ),
        H(
            "reads the worker's stdin (its request channel)",
            module("sys.stdin.read()", imports="import sys", name="Reads stdin"),
            harmless=True,
        ),
        H(
            "prints 300 MB without a newline",
            module(
                "if not FLOODED:\n    FLOODED.append(1)\n"
                "    for _ in range(3):\n        sys.stdout.write('y' * 100_000_000)",
                imports="import sys\n\nFLOODED = []",
                name="Floods output",
            ),
            harmless=True,
        ),
        H(
            "closes every file descriptor",
            module("os.closerange(0, 1024)", imports="import os", name="Closes fds"),
            kinds=("crash", "exception", "timeout"),
            failed_check_ok=True,
        ),
    ]


def clear_reason(answer: Answer, case: Hostile) -> str | None:
    """None if the answer is a failed report that says why; else what is wrong."""
    if answer.status != 200:
        return f"expected a 200 report, got {answer.brief()}"
    report = answer.body if isinstance(answer.body, dict) else {}
    if case.harmless:  # contained: a report without an error
        if "checks" not in report or report.get("error"):
            return f"expected a report without an error, got {answer.text[:300]!r}"
        return None
    if report.get("passed") is not False:
        return f"report passed={report.get('passed')!r}"
    error = report.get("error")
    if error:
        if not str(error.get("message") or "").strip():
            return f"error without a message: {error}"
        if error.get("kind") in case.kinds:
            return None
        if not case.failed_check_ok:
            return (
                f"error kind {error.get('kind')!r}, expected {case.kinds}: {error.get('message')}"
            )
        return None
    failed = [c for c in report.get("checks") or [] if not c.get("passed")]
    if case.failed_check_ok and failed and all(str(c.get("message") or "").strip() for c in failed):
        return None
    return f"no error of kind {case.kinds}; failed checks: {[c.get('name') for c in failed]}"


def recovered(server: Server) -> str | None:
    """The next ordinary validation gets a real report (a live or fresh worker)."""
    answer = server.client().call("POST", "jupyter-ext/validate", {"source": GOOD})
    report = answer.body if isinstance(answer.body, dict) else {}
    if answer.status != 200 or report.get("error"):
        return f"next validation failed: {answer.brief()} {report.get('error')}"
    failed = [c["name"] for c in report.get("checks") or [] if not c.get("passed")]
    return f"next validation fails checks {failed}" if failed else None


def digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def run(server: Server, tally: Tally, fast: bool = False) -> Tally:
    client = server.client()
    (server.home / "canary.txt").write_text("do not delete\n")
    problem = recovered(server)  # start the worker: restarts are counted from here
    tally.case("a first ordinary validation", problem is None, problem or "")
    for case in cases(server):
        if fast and not case.fast:
            continue
        before_workers = processes.worker_pids(server.proc.pid)
        kept = {rel: (server.home / rel).read_bytes() for rel in case.untouched}
        start = time.monotonic()
        answer = client.call("POST", "jupyter-ext/validate", {"source": case.source}, timeout=120)
        seconds = time.monotonic() - start
        count_5xx(answer, tally)
        problem = clear_reason(answer, case)
        problems = [problem] if problem else []
        if not alive(server, tally, client):
            problems.append("server down")
        for rel, content in kept.items():
            if digest(server.home / rel) != hashlib.sha256(content).hexdigest():
                problems.append(f"{rel} was changed or deleted")
                (server.home / rel).write_bytes(content)  # the next cases need it
        for rel in case.absent:
            if (server.home / rel).exists():
                problems.append(f"{rel} was written")
                (server.home / rel).unlink()
        left = processes.wait_no_strays(server.proc.pid, server.marker)
        if left:
            tally.orphans += len(left)
            problems.append(f"left {len(left)} processes: {processes.describe(left)}")
            processes.kill(left)
        after_recovery = recovered(server)
        if after_recovery:
            problems.append(after_recovery)
        now_workers = processes.worker_pids(server.proc.pid)
        if before_workers - now_workers and now_workers:  # one died, a fresh one serves
            tally.worker_restarts += 1
        error = (answer.body or {}).get("error") if isinstance(answer.body, dict) else None
        detail = "; ".join(problems)
        tally.case(f"{case.name} ({seconds:.1f} s)", not problems, detail)
        if error and not problems:
            tally.notes.append(f"{case.name}: {error.get('kind')}: {error.get('message')[:160]}")
    # Idle, nothing of ours may linger: exactly one worker, no strays.
    left = processes.wait_no_strays(server.proc.pid, server.marker)
    tally.case("afterwards: no stray processes", not left, processes.describe(left))
    (server.home / "canary.txt").unlink(missing_ok=True)
    return tally.finish()
