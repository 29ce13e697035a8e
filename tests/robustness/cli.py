"""Run the harness: start the forge and the servers, run the suites, print the figures.

    .venv/bin/python tests/robustness [--fast] [--only auth,malformed,...] [--keep] [-v]

Exit status 0 when every case passed and there were no unexpected 5xx answers, no
server down, no orphan processes and no leaks; 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from . import auth, faults, hostile, leaks, load, malformed, processes
from .figures import Tally, failures_report, table
from .stack import LOGINS, Stack

SUITES = ["auth", "malformed", "hostile", "faults", "load", "logins", "leaks"]
FAST_SKIPS = {"logins"}
LOAD_SERVER = {"validation_timeout": 120.0}  # needs a second signed-in session; full harness only


def run_all(
    *,
    fast: bool = False,
    only: list[str] | None = None,
    keep: bool = False,
    root: str | None = None,
    say=print,
) -> list[Tally]:
    """Build the stack, run the chosen suites, stop everything; the tallies, in order."""
    chosen = [s for s in SUITES if (not only or s in only) and not (fast and s in FAST_SKIPS)]
    users = 1 if fast or not ({"load", "logins", "auth"} & set(chosen)) else len(LOGINS)
    stack = Stack.create(root, keep=keep)
    tallies: list[Tally] = []
    say(f"robustness: run {stack.run_id} in {stack.root} ({'fast' if fast else 'full'})")
    try:
        start = time.monotonic()
        stack.start_forge()

        # The other users' first validations start cold and at once on a busy machine:
        # their workers get the product's default timeout, not the hostile suite's 5 s.
        def start_server(login: str):
            return stack.start_server(login, **({} if login == LOGINS[0] else LOAD_SERVER))

        with ThreadPoolExecutor(max_workers=users) as pool:
            list(pool.map(start_server, LOGINS[:users]))
        stack.servers.sort(key=lambda s: LOGINS.index(s.login))
        main = stack.servers[0]
        others = stack.servers[1:]
        say(f"  forge and {users} server(s) up in {time.monotonic() - start:.1f} s")
        for suite in chosen:
            tally = Tally(suite)
            say(f"  {suite} ...")
            if suite == "auth":
                auth.run(main, tally, other=others[0] if others else None)
            elif suite == "malformed":
                malformed.run(main, tally, fast=fast, forge=stack.forge)
            elif suite == "hostile":
                hostile.run(main, tally, fast=fast)
            elif suite == "faults":
                faults.run(main, stack.forge, tally, fast=fast)
            elif suite == "load":
                if others:
                    load.run(stack.servers, tally, per_server=4)
                    load.project_folders(main, tally)
                else:
                    load.run_clients(main, tally, clients=5)
            elif suite == "logins":
                faults.hostile_logins(stack.servers[-1], stack.forge, tally).finish()
            elif suite == "leaks":
                leaks.run(stack, tally)
            tallies.append(tally)
        tallies.append(shutdown(stack))
    finally:
        stack.close()
    return tallies


def shutdown(stack: Stack) -> Tally:
    """Stop the servers the way a user does; nothing of theirs may stay behind."""
    tally = Tally("shutdown")
    for server in stack.servers:
        server.proc.stop()
        tally.case(
            f"{server.proc.name} exits on SIGTERM (status {server.proc.process.returncode})",
            server.proc.process.returncode == 0,
            f"exit status {server.proc.process.returncode}",
        )
        left = processes.wait_no_strays(-1, server.marker, timeout=5)
        tally.orphans += len(left)
        tally.case(
            f"{server.proc.name}: no worker or child outlives it",
            not left,
            processes.describe(left),
        )
    return tally.finish()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tests/robustness",
        description="jupyter-ext robustness harness: a real server, a real forge, hostile input.",
    )
    parser.add_argument("--fast", action="store_true", help="the subset pytest runs")
    parser.add_argument("--only", help=f"comma-separated suites of {','.join(SUITES)}")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder")
    parser.add_argument("--root", help="folder for the run (default: a new temp folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    unknown = set(only or []) - set(SUITES)
    if unknown:
        parser.error(f"unknown suites {sorted(unknown)}; choose from {SUITES}")
    started = time.monotonic()
    tallies = run_all(fast=args.fast, only=only, keep=args.keep, root=args.root)
    if args.verbose:
        for t in tallies:
            for c in t.cases:
                print(f"{'ok  ' if c.passed else 'FAIL'} [{t.suite}] {c.name}")
    print()
    print(table(tallies))
    report = failures_report(tallies)
    if report:
        print()
        print(report)
    ok = all(t.ok for t in tallies)
    print(f"\n{'PASS' if ok else 'FAIL'} in {time.monotonic() - started:.0f} s")
    sys.stdout.flush()
    return 0 if ok else 1
