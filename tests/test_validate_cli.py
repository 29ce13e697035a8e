"""`jupyter-ext validate` as CI runs it: files, a pull request diff, --json, exit codes."""

import json
import subprocess
import sys

import pytest
from projects import AMES_FEATURES, build_ames_project, write_feature

REPO_ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent

NEW_FEATURE = """
import numpy as np
from ballet import Feature

input = ["Gr Liv Area"]
transformer = np.log
feature = Feature(input, transformer, name="Log living area")
"""

NAN_FEATURE = """
input = "Lot Frontage"
transformer = None
name = "Frontage as is"
"""


def cli(*args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter_ext", "validate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    return proc.returncode, proc.stdout, proc.stderr


def git(root, *args):
    subprocess.run(
        ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = build_ames_project(tmp_path_factory.mktemp("cli") / "ames-house-prices")
    (root / ".gitignore").write_text(".jupyter-ext/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    return root


def test_a_failing_feature_file_prints_the_table_and_exits_1(project, tmp_path):
    # Given: a feature module with missing values
    path = tmp_path / "feature_frontage.py"
    path.write_text(NAN_FEATURE)
    # When
    code, out, _ = cli("--project", str(project), str(path), cwd=tmp_path)
    # Then: a readable table of checks, the failing one with its advice, and "rejected"
    assert code == 1
    assert "PASS  IsFeatureCheck" in out
    assert "FAIL  NoMissingValuesCheck" in out
    assert "advice:" in out and "NullFiller" in out
    assert "Verdict: REJECTED" in out


def test_json_output_for_machines(project, tmp_path):
    path = tmp_path / "feature_frontage.py"
    path.write_text(NAN_FEATURE)
    code, out, _ = cli("--project", str(project), "--json", str(path), cwd=tmp_path)
    result = json.loads(out)
    assert code == 1 and result["exit_code"] == 1 and result["verdict"] == "rejected"
    report = result["features"][0]["report"]
    failed = [c["name"] for c in report["checks"] if not c["passed"]]
    assert failed == ["NoMissingValuesCheck"]
    assert result["project"]["feature_count"] == 10


def test_a_pull_request_diff_runs_the_structure_rules_then_the_new_feature(project):
    # Given: a branch adding one feature in a user folder
    git(project, "checkout", "-q", "-b", "submit-feature/log_living_area")
    try:
        write_feature(project, "zoe", "log_living_area", NEW_FEATURE)
        git(project, "add", "-A")
        git(project, "commit", "-q", "-m", "Add feature")
        # When
        code, out, err = cli("--diff", "main", "--json", cwd=project)
        result = json.loads(out)
        # Then: the structure passes and the new module was validated
        assert result["structure"]["passed"], result["structure"]
        assert [f["file"] for f in result["features"]] == [
            "src/ames/features/contrib/user_zoe/feature_log_living_area.py"
        ]
        report = result["features"][0]["report"]
        assert all(c["passed"] for c in report["checks"])
        # The new module itself is not counted among the existing features.
        assert report["existing_features"]["count"] == 10
        assert code == (0 if report["passed"] else 1 if not report["error"] else 2)
    finally:
        git(project, "checkout", "-q", "main")


def test_a_pull_request_that_edits_someone_elses_feature_is_rejected(project):
    git(project, "checkout", "-q", "-b", "edit-existing")
    try:
        login, slug, _ = AMES_FEATURES[0]
        path = project / f"src/ames/features/contrib/user_{login}/feature_{slug}.py"
        path.write_text(path.read_text() + "\n# tweak\n")
        git(project, "commit", "-q", "-am", "Edit")
        code, out, _ = cli("--diff", "main", cwd=project)
        assert code == 1
        assert "IsAdditionCheck" in out and "only add new files" in out
        assert "SingleFeatureCheck" in out
        assert "Verdict: REJECTED" in out
    finally:
        git(project, "checkout", "-q", "-f", "main")


def test_a_worker_timeout_is_an_error_exit_2(project, tmp_path):
    path = tmp_path / "feature_hang.py"
    path.write_text("import time\ntime.sleep(10_000)\ninput = 'Lot Area'\ntransformer = None\n")
    code, out, _ = cli("--project", str(project), "--timeout", "3", str(path), cwd=tmp_path)
    assert code == 2
    assert "ERROR (timeout)" in out and "Verdict: ERROR" in out


@pytest.mark.parametrize(
    "args,words",
    [
        ((), "Nothing to validate"),
        (("--diff", "no-such-branch"), "git diff"),
    ],
)
def test_usage_errors_exit_2(project, args, words):
    code, out, err = cli("--project", str(project), *args, cwd=project)
    assert code == 2
    assert words in err


def test_outside_a_project_exit_2(tmp_path):
    code, _, err = cli("x.py", cwd=tmp_path)
    assert code == 2 and "No ballet.yml" in err


def test_validate_is_listed_in_the_cli_help():
    out = subprocess.run(
        [sys.executable, "-m", "jupyter_ext", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    ).stdout
    assert "validate" in out


def test_prune_reports_the_existing_feature_others_make_redundant(tmp_path):
    # Given: a project where one contributed feature duplicates another
    from projects import build_synthetic_project

    root = build_synthetic_project(tmp_path / "synthetic", rows=1500, columns=4, features=3)
    write_feature(
        root,
        "zed",
        "x0_copy",
        'input = ["x0"]\ntransformer = None\nname = "x0 copy"\n',
        package="synth",
    )
    # When
    code, out, _ = cli("--prune", "--json", cwd=root)
    # Then: the copy (the later of the two identical features) is redundant
    result = json.loads(out)
    assert code == 0
    assert [r["name"] for r in result["redundant"]] == ["x0 copy"]
    assert result["redundant"][0]["path"].endswith("user_zed/feature_x0_copy.py")
    assert result["features"] == 4
    code, out, _ = cli("--prune", cwd=root)
    assert code == 0 and "redundant: x0 copy" in out
