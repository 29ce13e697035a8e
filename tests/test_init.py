"""`jupyter-ext init`: new projects read back through our own project model, existing
Ballet projects get a report and only safe additions, and the CI workflow it writes
works: its `run:` commands, executed on a pull request opened on the local forge by
the real submit route, pass a good feature and fail a PR that breaks the rules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from jupyter_ext.core.project import load_project
from jupyter_ext.scaffold.checks import check_project
from jupyter_ext.scaffold.config import ProjectSettings, render_ballet_yml
from jupyter_ext.scaffold.workflow import WORKFLOW_PATH, render_workflow

BALLET_PROJECT_YML = """\
version: 0.11.0
project:
  project_name: Predict House Prices
  project_slug: ballet-predict-house-prices
  package_slug: ballet_predict_house_prices
problem:
  problem_type: regression
  problem_type_details:
    scorer: neg_mean_squared_log_error
    classification_type:
contrib:
  module_name: ballet_predict_house_prices.features.contrib
  module_path: src/ballet_predict_house_prices/features/contrib
validation:
  feature_accepter: ballet.validation.feature_acceptance.validator.AlwaysAccepter
  feature_pruner: ballet.validation.feature_pruning.validator.NoOpPruner
github:
  github_owner: HDI-Project
  remote: origin
data:
  train: data/train
  entities_table_name: entities
  targets_table_name: targets
  tables:
    - {name: entities, path: entities.csv, pd_read_kwargs: {index_col: 0}}
    - {name: targets, path: targets.csv, pd_read_kwargs: {index_col: 0}}
"""


def init(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_ext", "init", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def write_tables(root: Path, split: str = "train") -> None:
    folder = root / "data" / split
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entities.csv").write_text(",a,b\n0,1,2\n1,3,4\n2,5,7\n")
    (folder / "targets.csv").write_text(",y\n0,1\n1,0\n2,1\n")


# -- new projects ----------------------------------------------------------------------------


def test_init_makes_a_project_our_engine_reads(tmp_path):
    root = tmp_path / "Churn Prediction"
    # When a maintainer runs init in a new folder
    result = init(str(root), "--owner", "acme", "--problem-type", "classification")
    assert result.returncode == 0, result.stderr
    # Then ballet.yml reads back with the layout it names
    project = load_project(root)
    assert (project.slug, project.package, project.problem_type) == (
        "churn-prediction",
        "churn_prediction",
        "classification",
    )
    assert (project.scorer, project.classification_type) == ("accuracy", "binary")
    assert project.raw["github"]["github_owner"] == "acme"
    assert project.contrib_dir.is_dir()
    for init_file in ("src/churn_prediction/__init__.py", "src/churn_prediction/features/__init__.py",
                      "src/churn_prediction/features/contrib/__init__.py"):  # fmt: skip
        assert (root / init_file).is_file(), init_file
    assert (root / WORKFLOW_PATH).is_file() and (root / ".git").is_dir()
    # And it says the data is still missing, and where to put it
    assert "data/train/entities.csv" in result.stdout and "MISSING" in result.stdout
    assert init("--check", str(root)).returncode == 1
    write_tables(root)
    check = init("--check", str(root))
    assert check.returncode == 0, check.stdout
    # And the generated load_data reads those tables
    script = "import sys; sys.path.insert(0, 'src')\n" + (
        "from churn_prediction.load_data import load_data\nX, y = load_data()\nprint(X.shape, y.shape)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "(3, 2) (3, 1)", out.stderr


def test_init_never_overwrites(tmp_path):
    root = tmp_path / "proj"
    assert init(str(root)).returncode == 0
    (root / "ballet.yml").write_text((root / "ballet.yml").read_text() + "# mine\n")
    (root / WORKFLOW_PATH).write_text("name: my own CI\n")
    result = init(str(root))
    assert result.returncode == 0
    assert (root / "ballet.yml").read_text().endswith("# mine\n")
    assert (root / WORKFLOW_PATH).read_text() == "name: my own CI\n"
    assert "wrote" not in result.stdout


@pytest.mark.parametrize(
    "name, slug, package",
    [
        ("Prédire l'avenir!", "pr-dire-l-avenir", "pr_dire_l_avenir"),
        ("2024 census", "2024-census", "p_2024_census"),
    ],
)
def test_names_become_valid_slugs_and_packages(tmp_path, name, slug, package):
    settings = ProjectSettings.for_directory(name)
    assert (settings.project_slug, settings.package_slug) == (slug, package)
    assert package.isidentifier()
    text = render_ballet_yml(settings)
    project = load_project_from_text(tmp_path, text)
    assert project.contrib_module_path == f"src/{package}/features/contrib"


def load_project_from_text(root: Path, text: str):
    (root / "ballet.yml").write_text(text)
    return load_project(root)


def test_accepter_given_with_params_round_trips(tmp_path):
    settings = ProjectSettings.for_directory("p")
    settings.accepter = {
        "name": "ballet.validation.feature_acceptance.validator.MutualInformationAccepter",
        "params": {"threshold": 0.1},
    }
    project = load_project_from_text(tmp_path, render_ballet_yml(settings))
    assert project.accepter == {
        "name": "ballet.validation.feature_acceptance.validator.MutualInformationAccepter",
        "params": {"threshold": 0.1},
    }


# -- existing Ballet projects --------------------------------------------------------------


def make_ballet_project(root: Path) -> None:
    contrib = root / "src" / "ballet_predict_house_prices" / "features" / "contrib"
    (contrib / "user_micahjsmith").mkdir(parents=True)
    (root / "src" / "ballet_predict_house_prices" / "__init__.py").write_text("")
    (contrib / "user_micahjsmith" / "feature_clean_masonry_veneer_area.py").write_text(
        'from ballet import Feature\nfrom ballet.eng import NullFiller\n\ninput = "Mas Vnr Area"\n'
        'transformer = NullFiller()\nname = "Cleaned Masonry Veneer Area"\n'
        "feature = Feature(input=input, transformer=transformer, name=name)\n"
    )
    (root / "ballet.yml").write_text(BALLET_PROJECT_YML)
    (root / ".travis.yml").write_text("script: ballet validate -A\n")
    write_tables(root)


def test_check_reports_what_a_ballet_project_is_missing(tmp_path):
    make_ballet_project(tmp_path)
    result = init("--check", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout
    # Ballet's `data.train` key: the fix is spelled out
    assert re.search(r"MISSING\] data\.splits: .*splits: \{train: data/train\}", lines)
    assert "MISSING] src/ballet_predict_house_prices/features/__init__.py" in lines
    assert f"MISSING] {WORKFLOW_PATH}" in lines
    assert "note] .travis.yml" in lines
    assert "1 feature" in lines


def test_init_in_a_ballet_project_adds_only_safe_files(tmp_path):
    make_ballet_project(tmp_path)
    before = (tmp_path / "ballet.yml").read_bytes()
    result = init(str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ballet.yml").read_bytes() == before
    assert (tmp_path / WORKFLOW_PATH).is_file()
    assert (tmp_path / "src/ballet_predict_house_prices/features/contrib/__init__.py").is_file()
    # Only the config change a person must decide on is left
    blocking = [f.subject for f in check_project(tmp_path) if f.blocking]
    assert blocking == ["data.splits"]


def test_a_stray_file_in_contrib_is_an_error(tmp_path):
    assert init(str(tmp_path)).returncode == 0
    write_tables(tmp_path)
    contrib = load_project(tmp_path).contrib_dir
    (contrib / "user_bob").mkdir()
    (contrib / "user_bob" / "notes.txt").write_text("todo")
    findings = [f for f in check_project(tmp_path) if f.level == "error"]
    assert len(findings) == 1 and "user_bob/notes.txt" in findings[0].message


# -- the CI workflow -------------------------------------------------------------------------


def test_workflow_runs_validate_on_prs_and_prune_on_the_default_branch():
    workflow = yaml.safe_load(render_workflow("trunk"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["pull_request"]["branches"] == ["trunk"]
    assert triggers["push"]["branches"] == ["trunk"]
    runs = {
        job: [s.get("run", "") for s in spec["steps"]] for job, spec in workflow["jobs"].items()
    }
    assert any('validate --diff "origin/${BASE_REF}"' in r for r in runs["validate"])
    assert any("validate --prune" in r for r in runs["prune"])
    checkout = workflow["jobs"]["validate"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout") and checkout["with"]["fetch-depth"] == 0
    with pytest.raises(ValueError):
        render_workflow("main; rm -rf /")


def workflow_commands(
    project_dir: Path, job: str, github: dict[str, str]
) -> list[tuple[str, dict]]:
    """The `run:` steps of a job as GitHub's runner would execute them, minus the actions
    (`uses:`) and the install step (jupyter-ext is installed here already)."""
    workflow = yaml.safe_load((project_dir / WORKFLOW_PATH).read_text())
    steps = []
    for step in workflow["jobs"][job]["steps"]:
        if "run" not in step or step.get("id") == "install":
            continue
        env = {}
        for key, value in (step.get("env") or {}).items():
            env[key] = re.sub(
                r"\$\{\{\s*github\.(\w+)\s*\}\}", lambda m: github[m.group(1)], str(value)
            )
        steps.append((step["run"], env))
    assert steps, f"job {job} has no run steps"
    return steps


def run_job(checkout: Path, job: str, github: dict[str, str]) -> list[subprocess.CompletedProcess]:
    results = []
    for command, step_env in workflow_commands(checkout, job, github):
        env = {**os.environ, **step_env}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        results.append(
            subprocess.run(
                ["bash", "-e", "-c", command],
                cwd=checkout,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
        )
    return results


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from jupyter_ext.demo.project import prepare_demo

    return prepare_demo(tmp_path_factory.mktemp("ci") / "demo-project")


@pytest.fixture
def forge(tmp_path, demo):
    from jupyter_ext.forge.local import LocalForge

    forge = LocalForge(tmp_path / "forge")
    forge.add_user("dave", token="dave-token-for-ci-test")
    forge.create_repo("demo", "ames-house-prices", seed_dir=demo.layout.project_dir)
    forge.start()
    yield forge
    forge.stop()


@pytest.fixture
def jp_server_config(jp_server_config, demo, forge, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    return {
        **jp_server_config,
        "JupyterExt": {
            "project_dir": str(demo.layout.project_dir),
            "github_url": forge.api_url,
            "github_token": "dave-token-for-ci-test",
            "upstream": "demo/ames-house-prices",
            "fork_poll_interval": 0.05,
        },
    }


def checkout_pull_request(forge, number: int, dest: Path) -> Path:
    """What actions/checkout does for a pull_request event (fetch-depth 0), from the forge."""
    upstream = forge.repo_path("demo/ames-house-prices")
    git("clone", "-q", str(upstream), str(dest), cwd=dest.parent)
    git("fetch", "-q", "origin", f"refs/pull/{number}/head:pr-{number}", cwd=dest)
    git("checkout", "-q", f"pr-{number}", cwd=dest)
    return dest


async def test_the_workflow_validates_a_submitted_pr_and_rejects_a_rule_breaking_one(
    api, demo, forge, tmp_path
):
    from jupyter_ext.demo.notebook import FEATURE_CELL_ID

    # Given a contributor submitted the starter notebook's feature from JupyterLab
    nb = nbformat.read(demo.layout.notebook, as_version=4)
    cells = [{"id": c.id, "cell_type": c.cell_type, "source": c.source} for c in nb.cells]
    status, submitted = await api(
        "submit", method="POST", body={"cells": cells, "cell_id": FEATURE_CELL_ID}
    )
    assert status == 200, submitted
    # When CI checks out the pull request and runs the workflow's validate job
    checkout = checkout_pull_request(forge, submitted["pr_number"], tmp_path / "pr")
    results = run_job(checkout, "validate", {"base_ref": "main"})
    # Then it validates that feature (structure, API checks, acceptance) and passes
    output = "\n".join(r.stdout + r.stderr for r in results)
    assert [r.returncode for r in results] == [0], output
    assert submitted["file_path"] in output and "Overall quality" in output

    # Given a second PR branch that also edits the project's README
    bad = tmp_path / "bad"
    git("clone", "-q", str(forge.repo_path("demo/ames-house-prices")), str(bad), cwd=tmp_path)
    git("checkout", "-q", "-b", "edit-readme", cwd=bad)
    (bad / "README.md").write_text("# hijacked\n")
    git("-c", "user.name=Eve", "-c", "user.email=eve@x.invalid", "commit", "-qam", "readme",
        cwd=bad)  # fmt: skip
    # When the validate job runs on it, it fails, naming the rule
    results = run_job(bad, "validate", {"base_ref": "main"})
    output = "\n".join(r.stdout + r.stderr for r in results)
    assert [r.returncode for r in results] == [1], output
    assert "README.md" in output

    # When the good PR is merged and the push job runs on the default branch
    git("checkout", "-q", "main", cwd=checkout)
    git("merge", "-q", "--ff-only", f"pr-{submitted['pr_number']}", cwd=checkout)
    results = run_job(checkout, "prune", {"base_ref": ""})
    output = "\n".join(r.stdout + r.stderr for r in results)
    # Then pruning runs over the merged features and reports
    assert [r.returncode for r in results] == [0], output
    assert "features" in output
