"""Where a GitHub token must never be: a secret scan over everything a run produced.

Responses and their headers are scanned as they arrive (client.SecretWatch); this suite
adds the rest: every server's log (run at DEBUG), the forge's log, every git object in
every forge repository (`git cat-file --batch-all-objects --batch`), every PR's title and
body, every file the run wrote (projects, caches, notebooks, forge state, Jupyter runtime
files) except the one 0600 config file per server meant to hold it, every command line
of the run's processes, and the environment of the validation workers, which run
contributors' code.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psutil

from . import processes
from .figures import Tally
from .stack import Stack


def _scan(stack: Stack, tally: Tally, label: str, blobs: list[tuple[str, bytes]]) -> None:
    before = len(stack.watch.found)
    for where, data in blobs:
        stack.watch.check(where, data)
    found = stack.watch.found[before:]
    tally.leaks += len(found)
    tally.case(
        f"{label}: {len(blobs)} scanned",
        not found and bool(blobs),
        f"token found in {found[:5]}" if found else "nothing to scan",
    )


def git_objects(repo: Path) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout


def run_files(stack: Stack) -> list[tuple[str, bytes]]:
    """Every file under the run's folder but the servers' own config files."""
    configs = {s.home / "jupyter" / "config" / "jupyter_server_config.json" for s in stack.servers}
    out = []
    for path in sorted(stack.root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path not in configs:
            try:
                out.append((str(path.relative_to(stack.root)), path.read_bytes()))
            except OSError:
                continue
    return out


def run(stack: Stack, tally: Tally) -> Tally:
    assert stack.forge is not None
    responses, scanned = list(stack.watch.found), stack.watch.scanned
    # Live processes first (command lines and worker environments vanish at shutdown).
    procs = processes.marked(f"{stack.run_id}:")
    cmdlines = []
    environs = []
    for proc in procs:
        try:
            cmdlines.append((f"command line of {proc.pid}", " ".join(proc.cmdline()).encode()))
            if processes.WORKER_MODULE in " ".join(proc.cmdline()):
                env = "\n".join(f"{k}={v}" for k, v in proc.environ().items())
                environs.append((f"environment of worker {proc.pid}", env.encode()))
        except psutil.Error:
            continue
    _scan(stack, tally, "command lines of the run's processes", cmdlines)
    _scan(stack, tally, "environment of the validation workers", environs)

    tally.leaks += len(responses)  # found as the responses arrived
    tally.case(
        f"HTTP responses and headers: {scanned} scanned",
        not responses and scanned > 0,
        f"token found in {responses[:5]}",
    )
    logs = [(s.proc.name, s.proc.log_path.read_bytes()) for s in stack.servers]
    _scan(stack, tally, "server logs (DEBUG)", logs)
    _scan(stack, tally, "forge log", [("forge.log", stack.forge.proc.log_path.read_bytes())])
    repos = stack.forge.repo_dirs()
    _scan(
        stack,
        tally,
        "git objects in the forge's repositories",
        [(str(r), git_objects(r)) for r in repos],
    )
    pulls = stack.forge.pulls()
    _scan(
        stack,
        tally,
        "PR titles and bodies",
        [(f"PR #{p['number']}", f"{p['title']}\n{p['body']}".encode()) for p in pulls],
    )
    _scan(stack, tally, "files the run wrote", run_files(stack))
    tally.notes.append(
        f"scanned {len(repos)} forge repositories, {len(pulls)} PRs, {len(logs)} server logs"
    )
    return tally.finish()
