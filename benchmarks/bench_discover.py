"""Time to compute the Project tab's whole view (`GET features`) on the Ames demo project.

    python -m benchmarks.bench_discover [--quick]      (or: python -m benchmarks --only discover)

The demo project (`jupyter-ext demo`'s: 1,963 training rows, 81 raw columns, 6 features)
is built in a temporary folder, and the view is asked of the real worker subprocess through
the runner, as the server's `GET features` does (the handler adds a JSON round trip, ~ms):

- cold: a new worker, no cache at all (spawn, imports, data load, every feature fitted,
  every feature's and column's information estimated);
- estimates only: a new worker with the features' values cached on disk, the view not;
- restart: a new worker, the view cached on disk;
- warm: the same worker again, the view in memory (median of 10 requests).

Prints the figures and writes benchmarks/results/discover.json. `--quick`: 1 cold run
instead of 3.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM_RUNS = 10


async def _one_view(root: Path, *, again: int = 0) -> tuple[float, list[float], dict]:
    """(seconds for the first view from a new worker, seconds of `again` more, last view)."""
    from jupyter_ext.validation.runner import ValidationWorker, WorkerOptions

    worker = ValidationWorker(root, WorkerOptions(timeout_s=600.0, startup_timeout_s=600.0))
    try:
        start = time.perf_counter()
        view = await worker.discover()
        first = time.perf_counter() - start
        more = []
        for _ in range(again):
            start = time.perf_counter()
            view = await worker.discover()
            more.append(time.perf_counter() - start)
    finally:
        await worker.stop()
    if view.get("error"):
        raise RuntimeError(f"the view failed: {view['error']}")
    return first, more, view


def _clear(root: Path, what: str) -> None:
    cache = root / ".jupyter-ext" / "cache"
    target = cache if what == "all" else cache / "discovery"
    shutil.rmtree(target, ignore_errors=True)


def measure(root: Path, cold_runs: int) -> dict:
    cold, cold_inner = [], []
    for _ in range(cold_runs):
        _clear(root, "all")
        seconds, _, view = asyncio.run(_one_view(root))
        cold.append(seconds)
        cold_inner.append(view["timings_ms"])
    _clear(root, "discovery")
    estimates_only, _, view = asyncio.run(_one_view(root))
    restart, warm, hit = asyncio.run(_one_view(root, again=WARM_RUNS))
    assert hit["cache"] == {"view": "memory"}, hit["cache"]
    return {
        "project": "Ames demo (jupyter-ext demo)",
        "rows": view["data"]["rows"],
        "columns": view["data"]["columns"],
        "features": len(view["features"]),
        "unexplored_first": view["unexplored"][0]["name"] if view["unexplored"] else None,
        "cold_s": [round(s, 2) for s in cold],
        "cold_median_s": round(statistics.median(cold), 2),
        "cold_worker_timings_ms": cold_inner[-1],
        "estimates_only_s": round(estimates_only, 2),
        "estimates_only_worker_timings_ms": view["timings_ms"],
        "restart_disk_cache_s": round(restart, 3),
        "warm_median_ms": round(1e3 * statistics.median(warm), 1),
        "warm_max_ms": round(1e3 * max(warm), 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> dict:
    from jupyter_ext.demo.project import build_project

    quick = "--quick" in (argv if argv is not None else sys.argv[1:]) or bool(
        os.environ.get("BENCHMARKS_QUICK")
    )
    with tempfile.TemporaryDirectory(prefix="bench-discover-") as tmp:
        root = Path(tmp) / "ames-house-prices"
        build_project(root)
        result = measure(root, cold_runs=1 if quick else 3)
    print(
        f"Project view on {result['project']}: {result['rows']} rows x {result['columns']} "
        f"columns, {result['features']} features (first unexplored: "
        f"{result['unexplored_first']})"
    )
    inner = result["cold_worker_timings_ms"]
    print(
        f"  cold (new worker, no cache):     {result['cold_median_s']:.1f} s median of "
        f"{len(result['cold_s'])} {result['cold_s']}  [worker: data {inner.get('data')} ms, "
        f"features {inner.get('existing')} ms, estimates {inner.get('estimates')} ms]"
    )
    print(f"  feature values cached, view not: {result['estimates_only_s']:.1f} s")
    print(f"  restart, view cached on disk:    {1e3 * result['restart_disk_cache_s']:.0f} ms")
    print(
        f"  warm (view in memory):           {result['warm_median_ms']:.1f} ms median of "
        f"{WARM_RUNS} (max {result['warm_max_ms']:.1f} ms)"
    )
    print(f"  load average {result['load_average_1min']} on {result['cpus']} cores")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "discover.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
