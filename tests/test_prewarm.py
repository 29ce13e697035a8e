"""The worker warms up when JupyterLab connects, so the first Validate is not a cold start."""

import asyncio

import pytest
from projects import build_synthetic_project


@pytest.fixture
def project(tmp_path):
    return build_synthetic_project(tmp_path / "synthetic", rows=300, columns=4, features=3)


@pytest.fixture
def jp_server_config(jp_server_config, project):
    return {**jp_server_config, "JupyterExt": {"project_dir": str(project)}}


def extension(jp_serverapp):
    return next(iter(jp_serverapp.extension_manager.extension_apps["jupyter_ext"]))


async def test_connecting_warms_the_projects_worker_once(api, jp_serverapp, project):
    # Given: a server on a project whose worker has not started
    validation = extension(jp_serverapp).validation
    assert validation.pool.workers() == []

    # When: the frontend says hello, twice (two browser tabs)
    status, info = await api("info")
    await api("info")

    # Then: the answer does not wait for the worker, and one worker warms in the background
    assert status == 200 and info["project"] is not None
    tasks = list(validation._warming.values())
    assert len(tasks) == 1
    await asyncio.wait_for(tasks[0], timeout=120)
    workers = validation.pool.workers()
    assert len(workers) == 1
    # ... and it has the existing features' values ready: validating reuses them
    status, report = await api(
        "validate",
        method="POST",
        body={"source": 'input = ["x3"]\ntransformer = None\nname = "x3 as is"\n'},
    )
    assert status == 200 and report["error"] is None
    assert validation.pool.workers() == workers
    assert report["existing_features"]["cache"]["computed"] == 0  # none computed now


async def test_prewarm_can_be_turned_off(jp_serverapp, api):
    # Given: prewarming disabled (e.g. a hub where idle servers must stay small)
    app = extension(jp_serverapp)
    app.prewarm_worker = False
    # When
    status, _ = await api("info")
    # Then: no worker is started until a validation needs one
    assert status == 200
    assert app.validation.pool.workers() == []
