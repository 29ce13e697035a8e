"""The fast subset of the robustness harness, against a real server and forge (subprocesses).

One run of `run_all(fast=True)` for the module (about a minute on an idle 2-core machine);
each suite's figures are then asserted by its own test, so a failure names its suite and
lists the failed cases. The whole harness: `.venv/bin/python tests/robustness`.
"""

from __future__ import annotations

import pytest

from .cli import run_all
from .figures import Tally, failures_report, table

pytestmark = pytest.mark.slow

SUITES = ["auth", "malformed", "hostile", "faults", "load", "leaks", "shutdown"]


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict[str, Tally]:
    log: list[str] = []
    tallies = run_all(fast=True, root=str(tmp_path_factory.mktemp("robustness")), say=log.append)
    print("\n" + table(tallies))
    return {t.suite: t for t in tallies}


@pytest.mark.parametrize("suite", SUITES)
def test_suite_passes_with_no_5xx_no_downtime_no_orphans_no_leaks(figures, suite):
    tally = figures[suite]
    assert tally.cases, f"{suite} tried nothing"
    assert tally.ok, failures_report([tally]) + "\n" + table([tally])


def test_the_harness_tried_enough(figures):
    # The brief's floor: at least 40 malformed requests, every route probed without auth.
    assert len(figures["malformed"].cases) >= 40
    assert sum("no credentials" in c.name for c in figures["auth"].cases) >= 7
    assert figures["hostile"].worker_restarts >= 2  # the loop and os._exit cost a worker each
