"""Names that go to GitHub: slugs, contributed paths, branches, logins, the PR text."""

from __future__ import annotations

import subprocess

import pytest

from jupyter_ext.core import naming
from jupyter_ext.core.pr_body import render_body
from jupyter_ext.errors import BadRequest


@pytest.mark.parametrize(
    "name,slug",
    [
        ("Lot area (log)", "lot_area_log"),
        ("lot_area_log", "lot_area_log"),
        ("  Garage -- Cars  ", "garage_cars"),
        ("Année de construction", "annee_de_construction"),
        ("../../etc/passwd", "etc_passwd"),
        ("x" * 100, "x" * 60),
        ("1st Flr SF", "1st_flr_sf"),
    ],
)
def test_slugify(name, slug):
    assert naming.slugify(name) == slug
    assert naming.is_valid_branch_name(naming.branch_name(slug))


@pytest.mark.parametrize("name", ["", "  ", "???", "日本語", None])
def test_a_name_without_letters_or_digits_is_refused_with_advice(name):
    with pytest.raises(BadRequest) as refused:
        naming.slugify(name)
    assert "name" in refused.value.message


def test_contrib_paths_follow_ballets_layout():
    paths = naming.contrib_paths("src/ames/features/contrib/", "alice-b", "lot_area_log")
    assert paths.feature == "src/ames/features/contrib/user_alice_b/feature_lot_area_log.py"
    assert paths.init == "src/ames/features/contrib/user_alice_b/__init__.py"


@pytest.mark.parametrize(
    "module_path",
    [
        "/etc",
        "../outside",
        "src/../../x",
        "src/./x",
        ".git/hooks",
        "src//x",
        "",
        "C:\\x",
        "src/x\x00",
    ],
)
def test_module_paths_that_escape_the_repository_are_refused(module_path):
    with pytest.raises(BadRequest):
        naming.contrib_paths(module_path, "alice", "x")


@pytest.mark.parametrize(
    "login", ["", "-alice", "alice-", "al--ice", "al/ice", "../x", "a" * 40, "al ice", "al_ice"]
)
def test_invalid_logins_are_refused(login):
    with pytest.raises(BadRequest):
        naming.user_dir(login)


@pytest.mark.parametrize("slug", ["", "A", "a/b", "a..b", "_a", "a_", "a-b", "a" * 61])
def test_invalid_slugs_are_refused(slug):
    with pytest.raises(BadRequest):
        naming.branch_name(slug)


@pytest.mark.parametrize(
    "branch",
    [
        "submit-feature/x",
        "main",
        "a/b.c",
        "x..y",
        "x.lock",
        "-x",
        "a b",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[",
        "a\\b",
        "a/",
        "a/.b",
        "a@{b",
        "a//b",
        "a.",
        ".a",
    ],
)
def test_branch_name_check_agrees_with_git(branch):
    result = subprocess.run(
        ["git", "check-ref-format", f"refs/heads/{branch}"], capture_output=True
    )
    # `git branch` also refuses a leading "-" (it would read as an option).
    git_accepts = result.returncode == 0 and not branch.startswith("-")
    assert naming.is_valid_branch_name(branch) == git_accepts, branch


@pytest.mark.parametrize("full_name", ["demo/x", "Demo-Org/ames.house_prices"])
def test_repository_names(full_name):
    assert naming.check_repo_full_name(full_name) == tuple(full_name.split("/"))


@pytest.mark.parametrize("full_name", ["demo", "demo/", "/x", "a/b/c", "demo/..", "demo/x.git"])
def test_bad_repository_names(full_name):
    with pytest.raises(BadRequest):
        naming.check_repo_full_name(full_name)


def test_slug_from_branch_round_trip():
    assert naming.slug_from_branch(naming.branch_name("lot_area")) == "lot_area"
    assert naming.slug_from_branch("main") is None
    assert naming.slug_from_branch("submit-feature/../x") is None


REPORT = {
    "passed": True,
    "feature": {
        "name": "Lot area log",
        "description": "Log of the lot area",
        "input": ["Lot Area"],
        "output": ["lot_area_log"],
        "source_hash": "sha256:abc",
    },
    "checks": [{"name": "IsFeatureCheck", "passed": True, "message": None}] * 3,
    "acceptance": {
        "accepter": "GFSSFAccepter",
        "accepted": True,
        "statistic": 0.1234,
        "threshold": 0.05,
        "reason": "adds information",
        "redundant": ["old | one"],
    },
    "data": {"rows": 1963, "split": "train", "fingerprint": "sha256:f00d"},
    "error": None,
}


def test_pr_body_documents_the_feature_and_its_validation():
    body = render_body(REPORT, "src/x/user_a/feature_lot_area_log.py", version="1.2")
    assert "## Lot area log" in body and "Log of the lot area" in body
    assert "| Inputs | `Lot Area` |" in body and "| Outputs | `lot_area_log` |" in body
    assert "Feature API checks: all 3 passed" in body
    assert "accepted, statistic 0.1234 vs threshold 0.05" in body
    assert "`old \\| one`" in body  # table-safe
    assert "1963 rows (train split), fingerprint `sha256:f00d`" in body
    assert "Submitted although" not in body


def test_pr_body_names_failing_checks_when_forced():
    failing = {
        **REPORT,
        "passed": False,
        "acceptance": None,
        "checks": [{"name": "NoMissingValuesCheck", "passed": False, "message": "12 rows are NaN"}],
    }
    body = render_body(failing, "f.py", forced=True)
    assert "0/1 passed" in body and "`NoMissingValuesCheck`: 12 rows are NaN" in body
    assert "Acceptance: not evaluated" in body
    assert "Submitted although validation did not pass" in body
