"""Run every benchmark: `python -m benchmarks [--only NAME ...] [--quick] [--list]`.

Discovers the modules ``benchmarks/bench_*.py`` that define ``main()`` and runs them one at a
time (they measure wall time; running them concurrently would distort each other). NAME is
the module name with or without the ``bench_`` prefix (``--only acceptance``). ``--quick``
sets BENCHMARKS_QUICK=1 for every module and passes ``--quick`` to those whose ``main``
takes an argv list and accepts it. Exit status: 0 if every benchmark ran, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def _call(main, quick: bool):
    params = list(inspect.signature(main).parameters.values())
    if not params:
        return main()
    argv: list[str] = []
    if quick:
        source = inspect.getsource(inspect.getmodule(main))
        if "--quick" in source:
            argv.append("--quick")
    return main(argv)


def run(names: list[str], quick: bool) -> int:
    failed = []
    for name in names:
        print(f"=== {name} ===", flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            main = getattr(module, "main", None)
            if not callable(main):
                print(f"{name}: no main(), skipped")
                continue
            status = _call(main, quick)
            if isinstance(status, int) and not isinstance(status, bool) and status != 0:
                failed.append(name)
        except SystemExit as e:
            if e.code not in (0, None):
                failed.append(name)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"=== {name}: {time.perf_counter() - start:.0f} s ===\n", flush=True)
    if failed:
        print("benchmarks that failed:", ", ".join(failed))
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only NAME (repeatable)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes where supported")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    names = available
    if args.only:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in args.only}
        unknown = wanted - set(available)
        if unknown:
            parser.error(
                f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
                f"available: {', '.join(available)}"
            )
        names = [n for n in available if n in wanted]
    if args.quick:
        os.environ["BENCHMARKS_QUICK"] = "1"
    sys.path.insert(0, str(HERE.parent))
    return run(names, args.quick)


if __name__ == "__main__":
    sys.exit(main())
