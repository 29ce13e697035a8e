"""Submission through PyGithub against the local forge: fork, branch, file, PR, retries."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from forge_fixtures import ALICE, BOB, CAROL, forge_fixture, git, github, write_seed  # noqa: F401

from jupyter_ext.errors import UpstreamError
from jupyter_ext.forge.github import ClientSettings, SubmissionPlan, list_submissions, submit

CONTRIB = "src/tiny/features/contrib"
MODULE = 'import numpy as np\n\ninput = "Lot Area"\ntransformer = np.log1p\nname = "Lot area log"\n'
FORK = ("POST", "/repos/{owner}/{repo}/forks")
REF = ("POST", "/repos/{owner}/{repo}/git/refs")
CONTENTS = ("PUT", "/repos/{owner}/{repo}/contents/{path}")
PULL = ("POST", "/repos/{owner}/{repo}/pulls")


def settings(forge, token=ALICE, **kwargs) -> ClientSettings:
    kwargs.setdefault("fork_poll_interval", 0.05)
    return ClientSettings(api_url=forge.api_url, token=token, **kwargs)


def plan(slug="lot_area_log", module=MODULE, upstream="demo/tiny", **kwargs) -> SubmissionPlan:
    return SubmissionPlan(
        upstream=upstream,
        slug=slug,
        module_path=CONTRIB,
        module=module,
        title=f"Add feature: {slug}",
        body_for=lambda path: f"Adds `{path}`; {len(module)} bytes.",
        feature_name=slug,
        **kwargs,
    )


def feature_branches(forge, repo: str) -> dict[str, str]:
    return {b: s for b, s in forge.branches(repo).items() if b.startswith("submit-feature/")}


def open_pulls(forge, repo="demo/tiny"):
    return [p for p in forge.pulls(repo) if p.state == "open"]


def test_first_submission_forks_branches_writes_and_opens_a_pr(forge, tmp_path):
    # Given: alice has no fork yet
    assert "alice/tiny" not in forge.state.repos
    # When: she submits a feature
    outcome = submit(settings(forge), plan())
    # Then: a fork, a branch, the file and a PR against upstream's default branch
    assert (outcome.repo, outcome.head_repo, outcome.pr_number) == ("demo/tiny", "alice/tiny", 1)
    assert outcome.branch == "submit-feature/lot_area_log" and not outcome.updated
    assert outcome.file_path == f"{CONTRIB}/user_alice/feature_lot_area_log.py"
    assert outcome.pr_url == f"{forge.web_url}/demo/tiny/pull/1"
    pr = github(forge, BOB).get_repo("demo/tiny").get_pull(1)
    assert pr.title == "Add feature: lot_area_log" and pr.base.ref == "main"
    assert pr.head.label == "alice:submit-feature/lot_area_log"
    assert pr.body == f"Adds `{outcome.file_path}`; {len(MODULE)} bytes."
    # And: the PR's branch checks out with git, the module byte for byte
    clone = tmp_path / "clone"
    git("clone", "-q", "-b", outcome.branch, f"{forge.web_url}/alice/tiny.git", str(clone))
    assert (clone / outcome.file_path).read_bytes() == MODULE.encode()
    assert (clone / CONTRIB / "user_alice" / "__init__.py").read_bytes() == b""
    changed = git("diff", "--name-only", "origin/main...HEAD", cwd=clone).split()
    assert changed == [f"{CONTRIB}/user_alice/__init__.py", outcome.file_path]


def test_first_submission_and_resubmission_stay_within_the_call_budget(forge):
    forge.calls.reset()
    submit(settings(forge), plan())
    first = forge.calls.total()
    forge.calls.reset()
    outcome = submit(settings(forge), plan(module=MODULE + "# tweaked\n"))
    resubmission = forge.calls.total()
    assert outcome.updated
    assert first <= 8, forge.calls.log()
    assert resubmission <= 5, forge.calls.log()


def test_resubmission_updates_the_same_file_branch_and_pr(forge):
    first = submit(settings(forge), plan())
    second = submit(settings(forge), plan(module=MODULE.replace("log1p", "sqrt")))
    assert second.updated and second.pr_number == first.pr_number
    assert second.branch == first.branch and second.file_path == first.file_path
    assert len(open_pulls(forge)) == 1
    assert list(feature_branches(forge, "alice/tiny")) == [first.branch]
    content = (
        github(forge, ALICE).get_repo("alice/tiny").get_contents(first.file_path, ref=first.branch)
    )
    assert b"np.sqrt" in content.decoded_content
    assert open_pulls(forge)[0].body.endswith(f"{len(MODULE.replace('log1p', 'sqrt'))} bytes.")


def test_unchanged_resubmission_makes_no_commit(forge):
    first = submit(settings(forge), plan())
    tip = forge.branches("alice/tiny")[first.branch]
    again = submit(settings(forge), plan())
    assert again.updated and forge.branches("alice/tiny")[first.branch] == tip


def test_a_second_feature_gets_its_own_branch_and_pr(forge):
    one = submit(settings(forge), plan("lot_area_log"))
    two = submit(settings(forge), plan("garage_cars", module="input = 'Garage Cars'\n"))
    assert (one.pr_number, two.pr_number) == (1, 2) and not two.updated
    assert sorted(feature_branches(forge, "alice/tiny")) == [
        "submit-feature/garage_cars",
        "submit-feature/lot_area_log",
    ]
    assert two.file_path == f"{CONTRIB}/user_alice/feature_garage_cars.py"


def test_two_users_with_the_same_feature_name_do_not_collide(forge):
    alice = submit(settings(forge, ALICE), plan())
    bob = submit(settings(forge, BOB), plan(module=MODULE + "# bob's\n"))
    assert (alice.head_repo, bob.head_repo) == ("alice/tiny", "bob/tiny")
    assert bob.file_path == f"{CONTRIB}/user_bob/feature_lot_area_log.py"
    assert {p.user for p in open_pulls(forge)} == {"alice", "bob"} and not bob.updated


@pytest.mark.parametrize("lost", [False, True], ids=["error", "lost-response"])
@pytest.mark.parametrize(
    "endpoint,nth",
    [(FORK, 1), (REF, 1), (CONTENTS, 1), (CONTENTS, 2), (PULL, 1)],
    ids=["fork", "branch", "init-file", "feature-file", "pull-request"],
)
def test_a_retry_after_any_failed_step_ends_with_one_branch_and_one_pr(forge, endpoint, nth, lost):
    # Given: the step fails once (or succeeds but its answer is lost)
    forge.faults.fail(*endpoint, status=502, nth=nth, after=lost)
    # When: the user submits, sees the error, and submits again
    with pytest.raises(UpstreamError) as failed:
        submit(settings(forge), plan())
    assert "submit again" in failed.value.message
    outcome = submit(settings(forge), plan())
    # Then: exactly one branch and one PR, with the module in it
    assert list(feature_branches(forge, "alice/tiny")) == [outcome.branch]
    assert [p.number for p in open_pulls(forge)] == [outcome.pr_number]
    content = (
        github(forge, ALICE)
        .get_repo("alice/tiny")
        .get_contents(outcome.file_path, ref=outcome.branch)
    )
    assert content.decoded_content == MODULE.encode()


def test_a_new_fork_that_is_not_ready_yet_is_waited_for(forge):
    forge.config.fork_delay = 0.5
    start = time.monotonic()
    outcome = submit(settings(forge), plan())
    assert time.monotonic() - start >= 0.5
    assert outcome.pr_number == 1
    assert forge.calls.counts()["POST /repos/{owner}/{repo}/git/refs"] > 1  # retried


def test_a_fork_slower_than_the_wait_bound_asks_to_submit_again(forge):
    forge.config.fork_delay = 60.0
    with pytest.raises(UpstreamError) as slow:
        submit(settings(forge, fork_ready_timeout=0.3), plan())
    assert "still creating your fork alice/tiny" in slow.value.message
    forge.state.repos["alice/tiny"].ready_at = 0  # GitHub finishes the fork
    assert submit(settings(forge, fork_ready_timeout=0.3), plan()).pr_number == 1


@pytest.mark.parametrize("default_branch", ["main", "trunk", "master"])
def test_prs_target_the_upstream_default_branch(forge, tmp_path, default_branch):
    forge.create_repo(
        "demo", "other", seed_dir=write_seed(tmp_path / "other"), default_branch=default_branch
    )
    outcome = submit(settings(forge), plan(upstream="demo/other"))
    assert forge.pulls("demo/other")[0].base_ref == default_branch
    assert outcome.pr_url.endswith("/demo/other/pull/1")


def test_base_branch_override(forge):
    gh = github(forge, ALICE)
    forge.grant("demo/tiny", "carol", "push")
    main = gh.get_repo("demo/tiny").get_git_ref("heads/main").object.sha
    github(forge, CAROL).get_repo("demo/tiny").create_git_ref("refs/heads/develop", main)
    submit(settings(forge), plan(base_branch="develop"))
    assert forge.pulls("demo/tiny")[0].base_ref == "develop"


def test_a_user_who_can_push_gets_a_branch_in_upstream_when_allowed(forge):
    forge.grant("demo/tiny", "carol", "push")
    outcome = submit(settings(forge, CAROL), plan(push_to_upstream=True))
    assert outcome.head_repo == "demo/tiny" and "carol/tiny" not in forge.state.repos
    assert outcome.branch in forge.branches("demo/tiny")
    assert forge.pulls("demo/tiny")[0].head_repo == "demo/tiny"
    assert outcome.file_path == f"{CONTRIB}/user_carol/feature_lot_area_log.py"
    again = submit(settings(forge, CAROL), plan(push_to_upstream=True, module=MODULE + "#\n"))
    assert again.updated and again.pr_number == outcome.pr_number


def test_push_to_upstream_falls_back_to_a_fork_without_push_access(forge):
    outcome = submit(settings(forge, BOB), plan(push_to_upstream=True))
    assert outcome.head_repo == "bob/tiny"


def test_without_the_setting_even_a_pusher_uses_a_fork(forge):
    forge.grant("demo/tiny", "carol", "push")
    assert submit(settings(forge, CAROL), plan()).head_repo == "carol/tiny"


def test_rate_limit_says_until_when(forge):
    forge.faults.fail(*PULL, status=403, reset_in=1800)
    reset = datetime.fromtimestamp(int(time.time()) + 1800, timezone.utc).strftime("%H:%M UTC")
    with pytest.raises(UpstreamError) as limited:
        submit(settings(forge), plan())
    assert f"rate limit exceeded until {reset}" in limited.value.message
    assert limited.value.status == 502


def test_rate_limited_reads_fail_fast_instead_of_sleeping(forge):
    forge.faults.fail("GET", "/repos/{owner}/{repo}/contents/{path}", status=403, reset_in=3600)
    start = time.monotonic()
    with pytest.raises(UpstreamError) as limited:
        submit(settings(forge), plan())
    assert "rate limit exceeded until" in limited.value.message
    assert time.monotonic() - start < 5


def test_bad_token(forge):
    with pytest.raises(UpstreamError) as rejected:
        submit(settings(forge, "not-a-real-token"), plan())
    assert "rejected the token (bad credentials)" in rejected.value.message
    assert "not-a-real-token" not in rejected.value.message


def test_upstream_missing(forge):
    with pytest.raises(UpstreamError) as missing:
        submit(settings(forge), plan(upstream="demo/nope"))
    assert "upstream repository demo/nope was not found" in missing.value.message
    assert "github_owner" in missing.value.message


def test_forge_unreachable(forge):
    api_url = forge.api_url
    forge.stop()
    try:
        with pytest.raises(UpstreamError) as down:
            submit(ClientSettings(api_url=api_url, token=ALICE, timeout=2), plan())
        assert f"Could not reach GitHub at {api_url}" in down.value.message
    finally:
        forge.start()


def test_transient_read_errors_are_retried(forge):
    forge.faults.fail("GET", "/repos/{owner}/{repo}/git/ref/{ref}", status=502)
    assert submit(settings(forge), plan()).pr_number == 1


def test_github_enterprise_style_url(forge):
    enterprise = ClientSettings(api_url=forge.enterprise_api_url, token=ALICE)
    outcome = submit(enterprise, plan())
    assert outcome.pr_number == 1 and outcome.pr_url.startswith(forge.web_url)


def test_hyphenated_logins_become_ballet_user_folders(forge):
    forge.add_user("dora-e", token="dora-token-0123456789")
    outcome = submit(settings(forge, "dora-token-0123456789"), plan())
    assert outcome.file_path == f"{CONTRIB}/user_dora_e/feature_lot_area_log.py"


def test_list_submissions_shows_the_users_feature_prs_with_state(forge):
    submit(settings(forge), plan("one"))
    submit(settings(forge), plan("two"))
    submit(settings(forge, BOB), plan("three"))
    upstream = github(forge, ALICE).get_repo("demo/tiny")
    upstream.get_pull(1).edit(state="closed")
    forge.grant("demo/tiny", "carol", "push")
    github(forge, CAROL).get_repo("demo/tiny").get_pull(2).merge()
    found = list_submissions(settings(forge), "demo/tiny", "alice", CONTRIB)
    assert {s["pr_number"]: s["state"] for s in found} == {1: "closed", 2: "merged"}
    two = next(s for s in found if s["pr_number"] == 2)
    assert two["file_path"] == f"{CONTRIB}/user_alice/feature_two.py"
    assert two["branch"] == "submit-feature/two" and two["title"] == "Add feature: two"
