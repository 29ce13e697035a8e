"""The local forge: GitHub's REST API as PyGithub sees it, backed by real git repositories."""

from __future__ import annotations

import json
import time

import pytest
import requests
from forge_fixtures import ALICE, BOB, forge_fixture, git, github  # noqa: F401
from github import GithubException
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededException,
    UnknownObjectException,
)

CONTENTS = "/repos/{owner}/{repo}/contents/{path}"
PULLS = "/repos/{owner}/{repo}/pulls"


def _branch_with_file(
    gh, path="src/tiny/features/contrib/user_alice/feature_x.py", content="x = 1\n", branch="topic"
):
    upstream = gh.get_repo("demo/tiny")
    fork = upstream.create_fork()
    base = upstream.get_git_ref("heads/main").object.sha
    fork.create_git_ref(f"refs/heads/{branch}", base)
    fork.create_file(path, "Add x", content, branch=branch)
    return upstream, fork


def test_pygithub_reads_users_and_repositories(forge):
    gh = github(forge, ALICE)
    assert gh.get_user().login == "alice"
    repo = gh.get_repo("demo/tiny")
    assert repo.default_branch == "main"
    assert repo.permissions.pull and not repo.permissions.push
    assert b"project_slug: tiny" in repo.get_contents("ballet.yml").decoded_content
    assert {c.name for c in repo.get_contents("src/tiny")} == {"__init__.py", "features"}


def test_enterprise_style_api_prefix_works_too(forge):
    gh = github(forge, ALICE, enterprise=True)
    repo = gh.get_repo("demo/tiny")
    assert repo.url.startswith(forge.enterprise_api_url)
    assert repo.get_contents("README.md").decoded_content == b"# Tiny\n"


def test_fork_is_answered_202_and_reuses_an_existing_fork(forge):
    upstream = github(forge, ALICE).get_repo("demo/tiny")
    response = requests.post(
        f"{forge.api_url}/repos/demo/tiny/forks", headers={"Authorization": f"token {ALICE}"}
    )
    assert response.status_code == 202
    fork = upstream.create_fork()
    assert fork.full_name == "alice/tiny"
    assert fork.parent.full_name == "demo/tiny" and fork.fork
    assert [r for r in forge.state.repos if r.startswith("alice/")] == ["alice/tiny"]


def test_branch_and_file_written_through_the_api_are_real_git_history(forge, tmp_path):
    # Given: a fork with a branch and a file, written through PyGithub
    gh = github(forge, ALICE)
    _branch_with_file(gh)
    # When: the fork is cloned by file path and over smart HTTP
    by_path, by_http = tmp_path / "by-path", tmp_path / "by-http"
    git("clone", "-q", "-b", "topic", str(forge.repo_path("alice/tiny")), str(by_path))
    git("clone", "-q", "-b", "topic", f"{forge.web_url}/alice/tiny.git", str(by_http))
    # Then: both show the commit and the file
    for clone in (by_path, by_http):
        assert git("log", "--format=%s", cwd=clone).splitlines() == ["Add x", "Initial commit"]
        feature = clone / "src/tiny/features/contrib/user_alice/feature_x.py"
        assert feature.read_text() == "x = 1\n"
        assert git("log", "-1", "--format=%an <%ae>", cwd=clone).startswith("Alice <alice@")


def test_contents_update_needs_the_current_sha(forge):
    gh = github(forge, ALICE)
    _, fork = _branch_with_file(gh)
    path = "src/tiny/features/contrib/user_alice/feature_x.py"
    with pytest.raises(GithubException) as missing:
        fork.create_file(path, "again", "x = 2\n", branch="topic")
    assert missing.value.status == 422 and '"sha" wasn\'t supplied' in missing.value.data["message"]
    with pytest.raises(GithubException) as stale:
        fork.update_file(path, "stale", "x = 2\n", "0" * 40, branch="topic")
    assert stale.value.status == 409
    current = fork.get_contents(path, ref="topic")
    fork.update_file(path, "Update x", "x = 2\n", current.sha, branch="topic")
    assert fork.get_contents(path, ref="topic").decoded_content == b"x = 2\n"
    with pytest.raises(GithubException) as no_branch:
        fork.create_file("other.py", "m", "", branch="no-such-branch")
    assert no_branch.value.status == 404


def test_refs_get_create_update_and_the_duplicate_error(forge):
    gh = github(forge, ALICE)
    upstream, fork = _branch_with_file(gh)
    base = upstream.get_git_ref("heads/main").object.sha
    with pytest.raises(GithubException) as exists:
        fork.create_git_ref("refs/heads/topic", base)
    assert exists.value.status == 422 and exists.value.data["message"] == "Reference already exists"
    topic = fork.get_git_ref("heads/topic")
    with pytest.raises(GithubException) as not_ff:
        fork.get_git_ref("heads/main").edit(topic.object.sha[::-1].replace("f", "e"))
    assert not_ff.value.status == 422
    fork.get_git_ref("heads/main").edit(topic.object.sha)  # fast-forward
    assert fork.get_git_ref("heads/main").object.sha == topic.object.sha
    with pytest.raises(UnknownObjectException):
        fork.get_git_ref("heads/nope").object  # noqa: B018


def test_git_data_api_makes_commits(forge, tmp_path):
    from github import InputGitTreeElement

    gh = github(forge, ALICE)
    fork = gh.get_repo("demo/tiny").create_fork()
    head = fork.get_git_ref("heads/main")
    base_commit = fork.get_git_commit(head.object.sha)
    tree = fork.create_git_tree(
        [InputGitTreeElement("docs/a.md", "100644", "blob", content="hello\n")],
        base_commit.tree,
    )
    commit = fork.create_git_commit("Add docs", tree, [base_commit])
    head.edit(commit.sha)
    clone = tmp_path / "clone"
    git("clone", "-q", f"{forge.web_url}/alice/tiny.git", str(clone))
    assert (clone / "docs/a.md").read_text() == "hello\n"
    assert (clone / "ballet.yml").exists()


def test_pull_requests_create_list_get_update_and_already_exists(forge):
    gh = github(forge, ALICE)
    upstream, _ = _branch_with_file(gh)
    pr = upstream.create_pull(base="main", head="alice:topic", title="Add x", body="b")
    assert pr.number == 1 and pr.html_url == f"{forge.web_url}/demo/tiny/pull/1"
    assert pr.head.repo.full_name == "alice/tiny" and pr.base.ref == "main"
    assert (pr.changed_files, pr.additions, pr.commits) == (1, 1, 1)
    with pytest.raises(GithubException) as again:
        upstream.create_pull(base="main", head="alice:topic", title="Add x", body="b")
    assert again.value.status == 422
    assert again.value.data["errors"][0]["message"] == (
        "A pull request already exists for alice:topic."
    )
    with pytest.raises(GithubException) as long_title:
        upstream.create_pull(base="main", head="alice:topic", title="t" * 257, body="b")
    assert "title is too long" in long_title.value.data["errors"][0]["message"]
    listed = list(upstream.get_pulls(state="open", head="alice:topic"))
    assert [p.number for p in listed] == [1]
    assert list(upstream.get_pulls(state="open", head="bob:topic")) == []
    listed[0].edit(title="Add feature: x", body="new")
    assert (upstream.get_pull(1).title, upstream.get_pull(1).body) == ("Add feature: x", "new")
    upstream.get_pull(1).edit(state="closed")
    assert list(upstream.get_pulls()) == []
    assert [p.state for p in upstream.get_pulls(state="all")] == ["closed"]


def test_pull_request_without_commits_or_branch_is_refused(forge):
    gh = github(forge, ALICE)
    upstream = gh.get_repo("demo/tiny")
    fork = upstream.create_fork()
    fork.create_git_ref("refs/heads/empty", upstream.get_git_ref("heads/main").object.sha)
    with pytest.raises(GithubException) as empty:
        upstream.create_pull(base="main", head="alice:empty", title="t", body="")
    assert "No commits between main and alice:empty" in json.dumps(empty.value.data)
    with pytest.raises(GithubException) as missing:
        upstream.create_pull(base="main", head="alice:missing", title="t", body="")
    assert missing.value.data["errors"][0]["field"] == "head"


def test_pull_list_paginates_with_link_headers(forge):
    gh = github(forge, ALICE)
    upstream, fork = _branch_with_file(gh)
    base = upstream.get_git_ref("heads/main").object.sha
    for i in range(4):
        fork.create_git_ref(f"refs/heads/t{i}", base)
        fork.create_file(f"f{i}.py", "m", "x\n", branch=f"t{i}")
        upstream.create_pull(base="main", head=f"alice:t{i}", title=f"t{i}", body="")
    gh.per_page = 3
    assert sorted(p.title for p in gh.get_repo("demo/tiny").get_pulls()) == ["t0", "t1", "t2", "t3"]
    response = requests.get(f"{forge.api_url}/repos/demo/tiny/pulls?per_page=3")
    assert 'rel="next"' in response.headers["Link"] and len(response.json()) == 3


def test_pull_request_page_shows_the_diff(forge):
    gh = github(forge, ALICE)
    upstream, _ = _branch_with_file(gh, content="x = 'hello'\n")
    body = "<!-- marker -->\n## Why\n\n- :white_check_mark: checks\n\n<script>alert(1)</script>"
    upstream.create_pull(base="main", head="alice:topic", title="Add feature: x", body=body)
    page = requests.get(f"{forge.web_url}/demo/tiny/pull/1")
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Add feature: x" in page.text and "user_alice/feature_x.py" in page.text
    assert "<h2>Why</h2>" in page.text and "\u2713 checks" in page.text  # Markdown rendered
    assert "<script>" not in page.text and "marker" not in page.text  # escaped, hidden
    assert "+x = &#x27;hello&#x27;" in page.text
    diff = requests.get(f"{forge.web_url}/demo/tiny/pull/1.diff").text
    assert "+x = 'hello'" in diff


def test_base_repository_gets_the_pull_ref_like_github(forge, tmp_path):
    gh = github(forge, ALICE)
    upstream, _ = _branch_with_file(gh)
    upstream.create_pull(base="main", head="alice:topic", title="t", body="")
    clone = tmp_path / "ci"
    git("clone", "-q", f"{forge.web_url}/demo/tiny.git", str(clone))
    git("fetch", "-q", "origin", "pull/1/head", cwd=clone)
    assert git("log", "-1", "--format=%s", "FETCH_HEAD", cwd=clone).strip() == "Add x"


def test_permissions_fork_only_versus_push(forge):
    alice, bob = github(forge, ALICE), github(forge, BOB)
    with pytest.raises(GithubException) as refused:
        alice.get_repo("demo/tiny").create_file("x.py", "m", "x")
    assert refused.value.status == 403
    forge.grant("demo/tiny", "bob", "push")
    repo = bob.get_repo("demo/tiny")
    assert repo.permissions.push
    repo.create_file("x.py", "m", "x", branch="main")
    assert forge.branches("demo/tiny")["main"] == repo.get_git_ref("heads/main").object.sha


def test_fork_becomes_usable_after_the_configured_delay(forge):
    forge.config.fork_delay = 1.5
    fork = github(forge, BOB).get_repo("demo/tiny").create_fork()
    ready_at = forge.state.repos["bob/tiny"].ready_at
    try:
        fork.get_contents("README.md")
        answered_early = True
    except UnknownObjectException:
        answered_early = False
    assert answered_early is (time.time() >= ready_at)  # 404 while GitHub is still copying
    time.sleep(max(ready_at - time.time(), 0) + 0.05)
    assert fork.get_contents("README.md").decoded_content == b"# Tiny\n"


def test_default_branches_other_than_master(forge, tmp_path):
    from forge_fixtures import write_seed

    forge.create_repo(
        "demo", "trunky", seed_dir=write_seed(tmp_path / "s2"), default_branch="trunk"
    )
    repo = github(forge, ALICE).get_repo("demo/trunky")
    assert repo.default_branch == "trunk"
    fork = repo.create_fork()
    assert fork.default_branch == "trunk"
    clone = tmp_path / "clone"
    git("clone", "-q", f"{forge.web_url}/demo/trunky.git", str(clone))
    assert git("branch", "--show-current", cwd=clone).strip() == "trunk"


def test_errors_have_github_bodies_and_headers(forge):
    with pytest.raises(BadCredentialsException) as bad:
        github(forge, "not-a-token").get_user().login  # noqa: B018
    assert bad.value.data == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    response = requests.get(
        f"{forge.api_url}/repos/demo/missing", headers={"Authorization": f"token {ALICE}"}
    )
    assert response.status_code == 404 and response.json()["message"] == "Not Found"
    assert response.headers["X-GitHub-Request-Id"]
    assert response.headers["Content-Type"].startswith("application/json")
    anonymous = requests.get(f"{forge.api_url}/user")
    assert anonymous.status_code == 401 and anonymous.json()["message"] == "Requires authentication"


def test_rate_limit_headers_count_down_and_the_limit_is_enforced(forge):
    forge.config.rate_limit = 3
    headers = {"Authorization": f"token {ALICE}"}
    seen = [requests.get(f"{forge.api_url}/user", headers=headers) for _ in range(4)]
    assert [r.headers["X-RateLimit-Remaining"] for r in seen[:3]] == ["2", "1", "0"]
    assert all(r.headers["X-RateLimit-Limit"] == "3" for r in seen)
    assert int(seen[0].headers["X-RateLimit-Reset"]) > time.time()
    assert seen[3].status_code == 403
    assert seen[3].json()["message"].startswith("API rate limit exceeded for user ID")
    with pytest.raises(RateLimitExceededException):
        github(forge, ALICE).get_user().login  # noqa: B018
    # Another user has their own budget.
    assert github(forge, BOB).get_user().login == "bob"


def test_fault_fails_only_the_nth_call_of_that_endpoint(forge):
    gh = github(forge, ALICE)
    _, fork = _branch_with_file(gh)  # 1st PUT contents
    forge.faults.fail("PUT", CONTENTS, status=502, nth=2)
    fork.create_file("a.py", "m", "a", branch="topic")  # 2nd PUT after the fault was added
    with pytest.raises(GithubException) as failed:
        fork.create_file("b.py", "m", "b", branch="topic")
    assert failed.value.status == 502
    fork.create_file("b.py", "m", "b", branch="topic")  # the fault fired once
    assert forge.calls.counts()[f"PUT {CONTENTS}"] == 4


def test_rate_limit_fault_looks_like_githubs(forge):
    forge.faults.fail("GET", "/user", status=403, reset_in=600)
    with pytest.raises(RateLimitExceededException) as limited:
        github(forge, ALICE).get_user().login  # noqa: B018
    assert limited.value.headers["x-ratelimit-remaining"] == "0"
    assert 590 <= int(limited.value.headers["x-ratelimit-reset"]) - time.time() <= 600


def test_lost_response_fault_applies_the_change_but_answers_an_error(forge):
    gh = github(forge, ALICE)
    upstream, _ = _branch_with_file(gh)
    forge.faults.fail("POST", PULLS, status=500, after=True)
    with pytest.raises(GithubException) as lost:
        upstream.create_pull(base="main", head="alice:topic", title="t", body="")
    assert lost.value.status == 500
    assert [p.number for p in upstream.get_pulls()] == [1]


def test_delay_fault_delays_that_call(forge):
    forge.faults.delay("GET", "/user", 0.5)
    gh = github(forge, ALICE)
    start = time.monotonic()
    gh.get_user().login  # noqa: B018
    assert time.monotonic() - start >= 0.5


def test_faults_and_counts_through_the_admin_endpoint(forge):
    admin = f"{forge.web_url}/_forge"
    created = requests.post(
        f"{admin}/faults", json={"method": "GET", "route": "/user", "status": 500}
    )
    assert created.status_code == 201
    response = requests.get(f"{forge.api_url}/user", headers={"Authorization": f"token {ALICE}"})
    assert response.status_code == 500 and response.json()["message"] == "Server Error"
    calls = requests.get(f"{admin}/calls").json()
    assert calls["calls"] == {"GET /user": 1} and calls["total"] == 1
    requests.delete(f"{admin}/calls")
    assert requests.get(f"{admin}/calls").json()["total"] == 0
    refused = requests.post(
        f"{admin}/faults", json={"method": "GET", "route": "/user", "status": 418}
    )
    assert refused.status_code == 422


def _start_device(forge, accept_json=True):
    headers = {"Accept": "application/json"} if accept_json else {}
    return requests.post(
        f"{forge.web_url}/login/device/code",
        data={"client_id": "app", "scope": "public_repo"},
        headers=headers,
    )


def _poll(forge, device_code):
    return requests.post(
        f"{forge.web_url}/login/oauth/access_token",
        data={
            "client_id": "app",
            "device_code": device_code,
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        },
        headers={"Accept": "application/json"},
    ).json()


def test_device_flow_pending_slow_down_then_approved_token_works(forge):
    code = _start_device(forge).json()
    assert code["verification_uri"] == f"{forge.web_url}/login/device"
    assert code["interval"] == 1 and len(code["user_code"]) == 9
    assert _poll(forge, code["device_code"])["error"] == "authorization_pending"
    too_fast = _poll(forge, code["device_code"])
    assert too_fast["error"] == "slow_down" and too_fast["interval"] == 6
    # The person approves on the verification page.
    page = requests.get(code["verification_uri"], params={"user_code": code["user_code"]})
    assert code["user_code"] in page.text
    approved = requests.post(
        code["verification_uri"], data={"user_code": code["user_code"], "login": "carol"}
    )
    assert "approved for <b>carol</b>" in approved.text
    forge.device.by_user_code(code["user_code"]).last_poll = 0  # skip the 6 s wait
    token = _poll(forge, code["device_code"])
    assert token["token_type"] == "bearer" and token["scope"] == "public_repo"
    assert github(forge, token["access_token"]).get_user().login == "carol"
    assert _poll(forge, code["device_code"])["error"] == "incorrect_device_code"


def test_device_flow_denied_and_expired(forge):
    denied = _start_device(forge).json()
    forge.deny_device(denied["user_code"])
    assert _poll(forge, denied["device_code"])["error"] == "access_denied"
    forge.device.expires_in = 0.2
    expiring = _start_device(forge).json()
    time.sleep(0.3)
    assert _poll(forge, expiring["device_code"])["error"] == "expired_token"


def test_device_flow_answers_form_encoded_unless_json_is_asked(forge):
    response = _start_device(forge, accept_json=False)
    assert response.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert "user_code=" in response.text and "device_code=" in response.text


def test_state_survives_a_restart(forge, tmp_path):
    from jupyter_ext.forge.local import LocalForge

    gh = github(forge, ALICE)
    upstream, _ = _branch_with_file(gh)
    upstream.create_pull(base="main", head="alice:topic", title="kept", body="")
    forge.stop()
    again = LocalForge(forge.data_dir).start()
    try:
        assert github(again, ALICE).get_repo("demo/tiny").get_pull(1).title == "kept"
    finally:
        again.stop()
    forge.start()  # the fixture stops it


def test_cli_serves_a_seeded_forge(tmp_path):
    import subprocess
    import sys

    from forge_fixtures import write_seed

    ready = tmp_path / "ready.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_ext",
            "forge",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            "--seed",
            str(write_seed(tmp_path / "proj")),
            "--owner",
            "demo",
            "--repo",
            "tiny",
            "--default-branch",
            "trunk",
            "--user",
            f"alice:{ALICE}",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        api_url = json.loads(ready.read_text())["api_url"]

        class Remote:  # what github() needs
            pass

        remote = Remote()
        remote.api_url = api_url
        repo = github(remote, ALICE).get_repo("demo/tiny")
        assert repo.default_branch == "trunk"
        assert repo.get_contents("ballet.yml").decoded_content.startswith(b"project:")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_server_never_imports_the_forge_or_pygithub_at_start_up(tmp_path):
    import os
    import subprocess
    import sys

    # Given: a Jupyter server with the extension, configured to submit to a forge
    code = (
        "import json, sys\n"
        "from jupyter_server.serverapp import ServerApp\n"
        "app = ServerApp()\n"
        "app.initialize(argv=['--ServerApp.open_browser=False', '--ServerApp.allow_root=True',\n"
        f"    '--ServerApp.root_dir={tmp_path}', '--ServerApp.port=0', '--ServerApp.token=t',\n"
        "    \"--ServerApp.jpserver_extensions={'jupyter_ext': True}\",\n"
        "    '--JupyterExt.github_url=http://127.0.0.1:9', '--JupyterExt.github_token=x'])\n"
        "assert app.web_app.settings['jupyter_ext'].submission is not None\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.startswith(('jupyter_ext.forge.local', 'github')))))\n"
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "JUPYTER_DATA_DIR": str(tmp_path / "d"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # Then: neither the forge nor PyGithub was imported
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
