"""POST /jupyter-ext/validate and the project in GET info, through the real server (auth on)."""

import asyncio
import time
from pathlib import Path

import pytest
from projects import build_ames_project

VALIDATION_TIMEOUT_S = 8.0


@pytest.fixture(scope="module")
def ames_project(tmp_path_factory):
    return build_ames_project(tmp_path_factory.mktemp("routes") / "ames-house-prices")


@pytest.fixture
def jp_server_config(jp_server_config, ames_project):
    return {
        **jp_server_config,
        "JupyterExt": {
            "project_dir": str(ames_project),
            "validation_timeout": VALIDATION_TIMEOUT_S,
        },
    }


def extension(jp_serverapp):
    apps = jp_serverapp.extension_manager.extension_apps["jupyter_ext"]
    return next(iter(apps))


def checks_by_name(report):
    return {c["name"]: c for c in report["checks"]}


NOTEBOOK = [
    {"id": "imports", "cell_type": "code", "source": "import numpy as np\nimport pandas as pd"},
    {"id": "md", "cell_type": "markdown", "source": "# Living area"},
    {
        "id": "helper",
        "cell_type": "code",
        "source": "def log_area(df):\n    return np.log(df)",
    },
    {
        "id": "feature",
        "cell_type": "code",
        "source": 'input = ["Gr Liv Area"]\ntransformer = log_area\nname = "Log living area"',
    },
]


async def test_validates_a_notebook_cell_with_its_helpers(api, ames_project):
    # Given: the browser's copy of a notebook whose feature cell uses a helper from another cell
    body = {"cells": NOTEBOOK, "cell_id": "feature", "path": "work/nb.ipynb"}
    # When
    status, report = await api("validate", method="POST", body=body)
    # Then: a full report
    assert status == 200
    assert [c["name"] for c in report["checks"] if not c["passed"]] == []
    assert report["feature"]["name"] == "Log living area"
    assert report["feature"]["output"] == ["log_living_area"]
    assert report["feature"]["input"] == ["Gr Liv Area"]
    assert report["feature"]["source_hash"].startswith("sha256:")
    assert "def log_area" in report["extraction"]["module"]
    assert report["data"]["rows"] == 1963 and report["data"]["split"] == "train"
    assert report["data"]["fingerprint"].startswith("sha256:")
    assert report["existing_features"]["count"] == 10
    for stage in ("extract", "checks", "total"):
        assert report["timings_ms"][stage] >= 0
    assert all(c["advice"] is None for c in report["checks"])
    # The project's accepter judged it against the 10 existing features.
    acceptance = report["acceptance"]
    assert acceptance["accepter"] == "GFSSFAccepter"
    assert acceptance["reason"] and isinstance(acceptance["threshold"], float)
    assert report["passed"] is acceptance["accepted"]
    assert report["error"] is None


async def test_a_nan_feature_is_a_200_report_with_advice(api):
    source = 'input = "Lot Frontage"\ntransformer = None\nname = "Frontage as is"\n'
    status, report = await api("validate", method="POST", body={"source": source})
    assert status == 200
    assert report["passed"] is False and report["error"] is None
    nan = checks_by_name(report)["NoMissingValuesCheck"]
    assert not nan["passed"] and "NullFiller" in nan["advice"]
    assert report["acceptance"] is None
    assert report["extraction"] is None


async def test_a_cell_that_needs_notebook_state_fails_self_containment(api):
    cells = [
        {
            "id": "a",
            "cell_type": "code",
            "source": "import pandas as pd\ndf = pd.read_csv('train.csv')\nmean_area = df['Lot Area'].mean()",
        },
        {
            "id": "b",
            "cell_type": "code",
            "source": "input = 'Lot Area'\ntransformer = lambda s: s / mean_area\nname = 'rel'",
        },
    ]
    status, report = await api("validate", method="POST", body={"cells": cells, "cell_id": "b"})
    assert status == 200 and report["passed"] is False
    check = checks_by_name(report)["IsSelfContainedCheck"]
    assert not check["passed"]
    assert "mean_area" in check["advice"]
    assert "runtime-state" in [w["code"] for w in report["extraction"]["warnings"]]


@pytest.mark.parametrize(
    "body,status,words",
    [
        ({"source": 5}, 400, "`source`"),
        ({"source": "   "}, 400, "`source`"),
        ({}, 400, "cell"),
        ({"cells": NOTEBOOK, "cell_id": "nope"}, 404, "nope"),
        ({"source": "x = 1", "file_path": 3}, 400, "file_path"),
    ],
)
async def test_bad_requests_are_4xx_with_a_message(api, body, status, words):
    got, payload = await api("validate", method="POST", body=body)
    assert got == status
    assert words in payload["message"]


async def test_a_hanging_feature_times_out_while_the_server_stays_responsive(api, jp_serverapp):
    # Given: a warm worker
    status, _ = await api(
        "validate", method="POST", body={"source": "input='Lot Area'\ntransformer=None"}
    )
    assert status == 200
    hang = "import time\ntime.sleep(10_000)\ninput = 'Lot Area'\ntransformer = None\n"

    # When: a validation hangs, the server keeps answering other requests
    async def info_latencies():
        latencies = []
        for _ in range(5):
            start = time.perf_counter()
            code, _ = await api("info")
            latencies.append(time.perf_counter() - start)
            assert code == 200
            await asyncio.sleep(0.3)
        return latencies

    started = time.perf_counter()
    (status, report), latencies = await asyncio.gather(
        api("validate", method="POST", body={"source": hang}), info_latencies()
    )
    # Then: the hung validation is a report with a timeout error, in about the timeout
    assert status == 200
    assert report["passed"] is False
    assert report["error"]["kind"] == "timeout"
    assert time.perf_counter() - started < VALIDATION_TIMEOUT_S + 10
    assert max(latencies) < 1.0
    # And the next validation works on a restarted worker
    status, report = await api(
        "validate", method="POST", body={"source": "input = 'Lot Area'\ntransformer = None\n"}
    )
    assert status == 200 and report["error"] is None and report["checks"]


async def test_info_summarises_the_project(api):
    status, info = await api("info")
    assert status == 200
    project = info["project"]
    assert project["name"] == "Predict house prices"
    assert project["problem_type"] == "regression"
    assert project["contrib_path"] == "src/ames/features/contrib"
    assert project["feature_count"] == 10
    assert project["accepter"] == "GFSSFAccepter"
    assert "root" not in project and not any(str(Path.home()) in str(v) for v in project.values())


async def test_without_a_project_validate_says_how_to_configure_one(api, jp_serverapp, tmp_path):
    extension(jp_serverapp).validation.project_dir = tmp_path
    status, payload = await api("validate", method="POST", body={"source": "x = 1"})
    assert status == 404
    assert "ballet.yml" in payload["message"] and "project_dir" in payload["message"]
    status, info = await api("info")
    assert status == 200 and info["project"] is None


async def test_stopping_the_extension_stops_its_workers(api, jp_serverapp):
    status, _ = await api(
        "validate", method="POST", body={"source": "input = 'Lot Area'\ntransformer = None\n"}
    )
    assert status == 200
    app = extension(jp_serverapp)
    pids = [w.pid for w in app.validation.pool.workers()]
    assert pids and all(Path(f"/proc/{pid}").exists() for pid in pids)
    await app.stop_extension()
    for pid in pids:
        status_file = Path(f"/proc/{pid}/status")
        assert not status_file.exists() or "\nState:\tZ" in status_file.read_text()
