"""The validation worker as a real subprocess: hangs, exits, segfaults, memory bombs, bad features.

Each failure must come back as a clear error (or a failed check), and the runner must keep
serving afterwards: a fresh worker is started for the next request.
"""

import asyncio
import os
import time
from pathlib import Path

import pytest
from projects import build_synthetic_project

from jupyter_ext.validation.runner import ValidationWorker, WorkerFailure, WorkerOptions

GOOD = 'input = ["x4"]\ntransformer = lambda df: df * 2\nname = "x4 doubled"\n'


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return build_synthetic_project(
        tmp_path_factory.mktemp("worker") / "synthetic", rows=300, columns=6, features=3
    )


def make_worker(project, **options):
    defaults = {"timeout_s": 60.0, "memory_limit_mb": 2048}
    defaults.update(options)
    return ValidationWorker(project, WorkerOptions(**defaults))


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


async def assert_serves(worker):
    report = await worker.request("validate", source=GOOD)
    assert all(c["passed"] for c in report["checks"]), report["checks"]


async def test_a_report_and_a_warm_cache_that_survives_restarts(project):
    # Given: a worker on a project with 3 existing features
    worker = make_worker(project)
    try:
        # When: the first validation computes the existing features...
        first = await worker.request("validate", source=GOOD)
        # ...and the second finds them in memory
        second = await worker.request("validate", source=GOOD)
    finally:
        await worker.stop()
    # Then
    assert [c["name"] for c in first["checks"] if not c["passed"]] == []
    assert first["feature"]["output"] == ["x4_doubled"]
    assert first["feature"]["source_hash"].startswith("sha256:")
    assert first["data"]["rows"] == 300 and first["data"]["fingerprint"].startswith("sha256:")
    assert first["existing_features"]["count"] == 3
    assert first["existing_features"]["cache"]["computed"] == 3
    assert second["existing_features"]["cache"]["memory"] == 3
    assert set(first["timings_ms"]) >= {"data", "existing", "checks"}
    # And: a new worker process reads the values from the disk cache
    restarted = make_worker(project)
    try:
        third = await restarted.request("validate", source=GOOD)
    finally:
        await restarted.stop()
    assert third["existing_features"]["cache"]["disk"] == 3
    assert (project / ".jupyter-ext" / "cache" / "features").is_dir()


async def test_a_feature_that_hangs_times_out_and_the_worker_restarts(project):
    worker = make_worker(project, timeout_s=3.0)
    try:
        await worker.request("ping")
        pid = worker.pid
        hang = "import time\ntime.sleep(10_000)\ninput = 'x0'\ntransformer = None\n"
        started = time.perf_counter()
        with pytest.raises(WorkerFailure) as err:
            await worker.request("validate", source=hang)
        assert err.value.kind == "timeout"
        assert "longer than 3 s" in err.value.message
        assert time.perf_counter() - started < 10
        assert not alive(pid)
        # The next request gets a fresh worker.
        await assert_serves(worker)
        assert worker.starts == 2
    finally:
        await worker.stop()


async def test_child_processes_of_a_killed_worker_do_not_survive(project, tmp_path):
    # Feature code may neither start processes nor write files outside its temp dir
    # (validation/sandbox.py), but libc's fork through ctypes gets past that hook; the
    # child's pid comes back on the worker's stderr.
    source = (
        "import ctypes, os, sys, time\n"
        "pid = ctypes.CDLL(None).fork()\n"
        "if pid == 0:\n    time.sleep(1000)\n    os._exit(0)\n"
        "print('child', pid, file=sys.stderr, flush=True)\n"
        "time.sleep(10_000)\ninput = 'x0'\ntransformer = None\n"
    )
    worker = make_worker(project, timeout_s=3.0)
    try:
        await worker.request("ping")
        with pytest.raises(WorkerFailure):
            await worker.request("validate", source=source)
    finally:
        await worker.stop()
    child = next(int(line.split()[1]) for line in worker._stderr_tail if line.startswith("child "))
    for _ in range(50):
        if not alive(child):
            break
        await asyncio.sleep(0.1)
    assert not alive(child)


@pytest.mark.parametrize(
    "case,source,kind,words",
    [
        (
            "os._exit",
            "import os\nos._exit(7)\n",
            "crash",
            "exited (status 7)",
        ),
        (
            "segfault",
            "import ctypes\nctypes.string_at(0)\n",
            "crash",
            "segmentation fault",
        ),
        (
            "memory bomb",
            "input = ['x0']\n"
            "def grow(df):\n"
            "    hoard = []\n"
            "    while True:\n"
            "        hoard.append(bytearray(50_000_000))\n"
            "transformer = grow\nname = 'bomb'\n",
            "memory",
            "memory",
        ),
    ],
)
async def test_a_dying_worker_becomes_a_clear_error(project, case, source, kind, words):
    # Given: a worker with a 1 GB address-space limit
    worker = make_worker(project, memory_limit_mb=1024)
    try:
        # When
        with pytest.raises(WorkerFailure) as err:
            await worker.request("validate", source=source)
        # Then: the kind and a message that says what happened
        assert err.value.kind == kind
        assert words in err.value.message
        # And the runner is usable afterwards
        await assert_serves(worker)
        assert worker.starts == 2
    finally:
        await worker.stop()


async def test_exceptions_and_nan_are_failed_checks_not_errors(project):
    worker = make_worker(project)
    try:
        broken = (
            "class Broken:\n"
            "    def fit(self, X, y=None):\n"
            "        raise RuntimeError('the fit step is broken')\n"
            "    def transform(self, X):\n"
            "        return X\n"
            "    def fit_transform(self, X, y=None):\n"
            "        return self.fit(X, y).transform(X)\n"
            "input = ['x0']\ntransformer = Broken()\nname = 'broken'\n"
        )
        report = await worker.request("validate", source=broken)
        checks = {c["name"]: c for c in report["checks"]}
        assert report["error"] is None and report["passed"] is False
        assert "the fit step is broken" in checks["CanFitCheck"]["message"]
        assert checks["CanFitCheck"]["line"] == 3
        assert report["acceptance"] is None

        nan = "import numpy as np\ninput = ['x0']\ntransformer = lambda df: df.where(df > 0)\n"
        report = await worker.request("validate", source=nan)
        checks = {c["name"]: c for c in report["checks"]}
        assert report["passed"] is False and report["error"] is None
        assert not checks["NoMissingValuesCheck"]["passed"]
        assert "NullFiller" in checks["NoMissingValuesCheck"]["advice"]
        assert worker.starts == 1
    finally:
        await worker.stop()


async def test_printing_feature_code_does_not_corrupt_the_channel(project):
    worker = make_worker(project)
    try:
        noisy = (
            'print(\'{"id": 1, "ok": true}\')\n'
            "def shout(df):\n    print('transforming', len(df))\n    return df\n"
            "input = ['x0']\ntransformer = shout\nname = 'noisy'\n"
        )
        report = await worker.request("validate", source=noisy)
        assert all(
            c["passed"] for c in report["checks"] if c["name"] != "HasUniqueOutputNamesCheck"
        )
    finally:
        await worker.stop()


async def test_requests_queue_and_the_event_loop_stays_free(project):
    # Room for the 2 s sleep plus checks, acceptance and scoring on a busy machine: the point
    # here is queueing, not the timeout.
    worker = make_worker(project, timeout_s=15.0)
    try:
        await worker.request("ping")
        slow = "import time\ntime.sleep(2)\ninput = ['x0']\ntransformer = None\nname = 'slow'\n"
        ticks = []

        async def heartbeat():
            for _ in range(10):
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.1)

        # When: two validations are sent at once while the loop has other work
        a, b, _ = await asyncio.gather(
            worker.request("validate", source=slow),
            worker.request("validate", source=GOOD),
            heartbeat(),
        )
        # Then: both are answered (one after the other), and the loop kept ticking
        assert a["feature"]["name"] == "slow" and b["feature"]["name"] == "x4 doubled"
        gaps = [t2 - t1 for t1, t2 in zip(ticks, ticks[1:], strict=False)]
        assert max(gaps) < 0.5
    finally:
        await worker.stop()


async def test_stop_leaves_no_process(project):
    worker = make_worker(project)
    await worker.request("ping")
    pid = worker.pid
    assert alive(pid)
    await worker.stop()
    assert not alive(pid)


async def test_a_broken_project_is_a_project_error(tmp_path):
    (tmp_path / "ballet.yml").write_text("problem: {problem_type: ranking}\n")
    worker = make_worker(tmp_path)
    try:
        with pytest.raises(WorkerFailure) as err:
            await worker.request("validate", source=GOOD)
        assert err.value.kind == "project"
        assert "ranking" in err.value.message
    finally:
        await worker.stop()


async def test_a_missing_interpreter_is_reported(project):
    worker = make_worker(project, python=str(Path(os.sep) / "no" / "such" / "python"))
    with pytest.raises(WorkerFailure) as err:
        await worker.request("ping")
    assert err.value.kind == "crash" and "/no/such/python" in err.value.message


@pytest.fixture(scope="module")
def signal_project(tmp_path_factory):
    # Target = x0 + 0.5 x1 - 0.25 x2 + noise; the only existing feature is x0.
    return build_synthetic_project(
        tmp_path_factory.mktemp("verdicts") / "synthetic", rows=2000, columns=6, features=1
    )


@pytest.mark.parametrize(
    "case,source,accepted",
    [
        ("signal", 'input = ["x1"]\ntransformer = None\nname = "x1 as is"\n', True),
        ("noise", 'input = ["x5"]\ntransformer = None\nname = "x5 as is"\n', False),
        ("copy of x0", 'input = ["x0"]\ntransformer = None\nname = "x0 again"\n', False),
    ],
)
async def test_verdicts_of_the_projects_accepter(signal_project, case, source, accepted):
    worker = make_worker(signal_project)
    try:
        report = await worker.request("validate", source=source)
    finally:
        await worker.stop()
    assert all(c["passed"] for c in report["checks"]), report["checks"]
    acceptance = report["acceptance"]
    assert acceptance["accepter"] == "GFSSFAccepter"
    assert acceptance["accepted"] is accepted, acceptance["reason"]
    assert report["passed"] is accepted
    assert acceptance["reason"]
    assert isinstance(acceptance["statistic"], float) and isinstance(acceptance["threshold"], float)


async def test_a_misconfigured_accepter_is_a_project_error(tmp_path):
    root = build_synthetic_project(
        tmp_path / "p", rows=200, columns=3, features=1, accepter="NoSuchAccepter"
    )
    worker = make_worker(root)
    try:
        report = await worker.request("validate", source=GOOD.replace("x4", "x1"))
    finally:
        await worker.stop()
    assert report["passed"] is False
    assert report["error"]["kind"] == "project"
    assert "validation.feature_accepter" in report["error"]["message"]
    assert "NoSuchAccepter" in report["error"]["message"]


async def test_an_unchanged_feature_reuses_its_verdict(signal_project):
    worker = make_worker(signal_project)
    source = 'input = ["x1"]\ntransformer = None\nname = "x1 as is"\n'
    try:
        first = await worker.request("validate", source=source)
        # The same values from differently written code: same verdict, not recomputed.
        again = await worker.request("validate", source="# tidied\n" + source)
        other = await worker.request("validate", source=source.replace("x1", "x2"))
    finally:
        await worker.stop()
    assert first["acceptance"]["cached"] is False
    assert again["acceptance"]["cached"] is True
    assert again["acceptance"]["accepted"] == first["acceptance"]["accepted"]
    assert again["feature"]["source_hash"] != first["feature"]["source_hash"]
    assert other["acceptance"]["cached"] is False
