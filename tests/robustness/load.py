"""Many validations at once, while `GET /api/status` is timed on every server.

On JupyterHub each user has their own Jupyter server (and so their own validation
worker); the full harness models that with one server process per user. The fast
subset runs several concurrent clients against one server instead (one worker,
requests queue), which is the harder case for the event loop's latency.

Every validation must be answered with a real report, and the servers must stay
responsive throughout: `/api/status` p95 under 200 ms.
"""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat

from . import processes
from .checks import alive
from .client import StatusProbe
from .figures import Tally, percentile
from .stack import NOTEBOOK, Server

STATUS_P95_BUDGET_MS = 200.0


def validate_once(server: Server, k: int) -> tuple[str | None, float]:
    """One validation of fault cell k from the saved notebook: (problem or None, seconds)."""
    start = time.monotonic()
    try:
        answer = server.client().call(
            "POST", "jupyter-ext/validate", {"path": NOTEBOOK, "cell_id": f"fault-{k}"}, timeout=300
        )
    except Exception as err:  # noqa: BLE001 - no answer is the finding
        return f"no answer: {type(err).__name__}", time.monotonic() - start
    seconds = time.monotonic() - start
    report = answer.body if isinstance(answer.body, dict) else {}
    if answer.status != 200 or "checks" not in report:
        return f"{answer.brief()}", seconds
    if report.get("error"):
        return f"report error {report['error']}", seconds
    return None, seconds


def run(servers: list[Server], tally: Tally, per_server: int) -> Tally:
    """`per_server` concurrent validations on each server, all started at once."""
    jobs = [(s, k) for s in servers for k in range(per_server)]
    barrier = threading.Barrier(len(jobs))

    def job(args):
        server, k = args
        barrier.wait()
        return server, k, *validate_once(server, k)

    with StatusProbe([s.client() for s in servers], interval=0.05) as probe:
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            results = list(pool.map(job, jobs))
        wall = time.monotonic() - start
    tally.status_ms += probe.samples
    tally.server_down += probe.failures
    seconds = [r[3] for r in results]
    for server, k, problem, secs in results:
        tally.case(
            f"{server.login}: validate fault-{k} ({secs:.1f} s)", problem is None, problem or ""
        )
    p95 = percentile(probe.samples, 95)
    tally.case(
        f"/api/status p95 {p95 or 0:.1f} ms over {len(probe.samples)} probes (budget "
        f"{STATUS_P95_BUDGET_MS:.0f} ms)",
        p95 is not None and p95 < STATUS_P95_BUDGET_MS and probe.failures == 0,
        f"p95 {p95} ms, max {max(probe.samples, default=0):.0f} ms, {probe.failures} failed probes",
    )
    tally.notes.append(
        f"{len(jobs)} validations from {len(servers)} server(s) in {wall:.1f} s; per validation "
        f"p50 {percentile(seconds, 50):.1f} s, p95 {percentile(seconds, 95):.1f} s, "
        f"max {max(seconds):.1f} s; /api/status max {max(probe.samples, default=0):.0f} ms"
    )
    for server in servers:
        alive(server, tally)
    return tally.finish()


def run_clients(server: Server, tally: Tally, clients: int) -> Tally:
    """`clients` users' worth of concurrent validations on one server (the fast subset)."""
    return run([server], tally, per_server=clients)


MAX_WORKERS = 2  # jupyter_ext.validation.runner.MAX_WORKERS


def project_folders(server: Server, tally: Tally, folders: int = 4) -> Tally:
    """A user opening notebooks in several project folders (each with its own ballet.yml):
    every validation answered, and the server's live workers stay bounded."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('input = ["Lot Area"]\nname = "Lot area"', id="a")]
    counts = []
    for i in range(folders):
        copy = server.root / "projects" / f"copy{i}"
        if not copy.exists():
            for part in ("src", "data"):
                shutil.copytree(server.root / part, copy / part)
            shutil.copy(server.root / "ballet.yml", copy / "ballet.yml")
            nbformat.write(nb, copy / "nb.ipynb")
        start = time.monotonic()
        answer = server.client().call(
            "POST", "jupyter-ext/validate", {"path": f"projects/copy{i}/nb.ipynb", "cell_id": "a"}
        )
        report = answer.body if isinstance(answer.body, dict) else {}
        ok = answer.status == 200 and "checks" in report and not report.get("error")
        tally.case(
            f"validate in project folder {i + 1} ({time.monotonic() - start:.1f} s)",
            ok,
            answer.brief(),
        )
        time.sleep(0.5)  # an evicted worker gets a moment to exit
        counts.append(len(processes.worker_pids(server.proc.pid)))
        alive(server, tally)
    tally.case(
        f"live workers after each folder: {counts} (at most {MAX_WORKERS})",
        max(counts) <= MAX_WORKERS,
        f"worker counts {counts}",
    )
    return tally
