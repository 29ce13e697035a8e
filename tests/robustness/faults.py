"""GitHub failing at each step of a submission, then the user clicking "Submit" again.

For every step a first submission makes (fork, probe, base ref, branch, package marker,
feature file, pull request) and every way it can fail (500, 502, a rate limit, a lost
response: done but answered 500, and a delay longer than the client's timeout), one
notebook cell is submitted from the saved notebook: the answer must be a clear error (or
a success, if the client retried by itself), and after a retry there must be exactly one
branch and one pull request for that feature, holding the cell's feature, with the
user's notebook byte-identical.

`hostile_logins` signs in through the device flow as accounts whose login GitHub would
never issue (`../../evil`, `evil..user`): nothing may be named after them.
"""

from __future__ import annotations

import base64
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .checks import alive
from .client import Answer
from .figures import Tally
from .stack import NOTEBOOK, UPSTREAM, Forge, Server

STEPS = [  # (label, method, route, nth)
    ("fork", "POST", "/repos/{owner}/{repo}/forks", 1),
    ("probe the file", "GET", "/repos/{owner}/{repo}/contents/{path}", 1),
    ("read the base ref", "GET", "/repos/{owner}/{repo}/git/ref/{ref}", 1),
    ("create the branch", "POST", "/repos/{owner}/{repo}/git/refs", 1),
    ("write __init__.py", "PUT", "/repos/{owner}/{repo}/contents/{path}", 1),
    ("write the feature", "PUT", "/repos/{owner}/{repo}/contents/{path}", 2),
    ("open the PR", "POST", "/repos/{owner}/{repo}/pulls", 1),
]
KINDS = ["500", "502", "rate limit", "lost response", "timeout"]
FAST = {("fork", "502"), ("open the PR", "lost response"), ("write the feature", "timeout")}
TIMEOUT_S = 3  # JupyterExt.github_timeout of the server under test


@dataclass
class Plan:
    step: str
    method: str
    route: str
    nth: int
    kind: str

    def fault(self) -> dict:
        if self.kind == "timeout":
            return {"status": None, "delay": TIMEOUT_S + 2.0}
        status = {"500": 500, "502": 502, "rate limit": 403, "lost response": 500}[self.kind]
        return {"status": status, "after": self.kind == "lost response", "reset_in": 600}


def plans(fast: bool) -> list[Plan]:
    out = [
        Plan(label, method, route, nth, kind)
        for label, method, route, nth in STEPS
        for kind in KINDS
    ]
    return [p for p in out if not fast or (p.step, p.kind) in FAST]


def clear_error(answer: Answer) -> str | None:
    """A failed submission must say so in words (502 for GitHub's failures)."""
    message = answer.message or ""
    if answer.status != 502 or len(message) < 20:
        return f"expected a 502 with a message, got {answer.brief()}"
    if "Traceback" in message or "Unexpected error" in message:
        return f"unclear message: {message!r}"
    return None


def fork_of(forge: Forge, login: str) -> str:
    return f"{login}/{UPSTREAM.split('/')[1]}"


def feature_state(forge: Forge, login: str, slug: str) -> tuple[list[str], list[dict]]:
    branch = f"submit-feature/{slug}"
    branches = [b for b in forge.branches(fork_of(forge, login)) if b == branch]
    pulls = [p for p in forge.pulls() if p["head"]["ref"] == branch and p["user"]["login"] == login]
    return branches, pulls


def file_on_branch(forge: Forge, login: str, slug: str, name: str | None = None) -> str | None:
    """The text of user_<login>/<name> (default: the feature's file) on the branch; None if absent."""
    response = forge.api(
        f"repos/{fork_of(forge, login)}/contents/src/ames/features/contrib/user_{login}/"
        f"{name or f'feature_{slug}.py'}",
        ref=f"submit-feature/{slug}",
    )
    if response.status_code != 200:
        return None
    return base64.b64decode(response.json()["content"]).decode()


def run(server: Server, forge: Forge, tally: Tally, fast: bool = False) -> Tally:
    client = server.client()
    notebook = server.notebook.read_bytes()
    for k, plan in enumerate(plans(fast)):
        name = f"{plan.step}: {plan.kind}"
        slug = f"fault_case_{k}"
        body = {"path": NOTEBOOK, "cell_id": f"fault-{k}", "force": True}
        forge.clear_faults()
        forge.fail(plan.method, plan.route, nth=plan.nth, **plan.fault())
        start = time.monotonic()
        first = client.call("POST", "jupyter-ext/submit", body, timeout=120)
        first_s = time.monotonic() - start
        problems = []
        if first.status >= 500 and first.status != 502:
            tally.five_xx += 1
        if first.status != 200:
            problem = clear_error(first)
            if problem:
                problems.append(f"first try: {problem}")
        fired = any(f["fired"] for f in forge.admin("GET", "faults").json()["faults"])
        if not fired:
            problems.append("the fault never fired (the step was not reached)")
        forge.clear_faults()
        retry = client.call("POST", "jupyter-ext/submit", body, timeout=120)
        if retry.status >= 500:
            tally.five_xx += 1
        if retry.status != 200:
            problems.append(f"retry failed: {retry.brief()}")
        branches, pulls = feature_state(forge, server.login, slug)
        if len(branches) != 1 or len(pulls) != 1:
            problems.append(f"{len(branches)} branches and {len(pulls)} PRs for {slug}")
        if f'name = "Fault case {k}"' not in (file_on_branch(forge, server.login, slug) or ""):
            problems.append("the branch does not hold the cell's feature")
        if file_on_branch(forge, server.login, slug, "__init__.py") != "":
            problems.append(f"the branch has no empty user_{server.login}/__init__.py")
        if retry.status == 200 and pulls and retry.body.get("pr_number") != pulls[0]["number"]:
            problems.append("the retry answered another PR than the one on the forge")
        if server.notebook.read_bytes() != notebook:
            problems.append("the user's notebook changed")
        if not alive(server, tally, client):
            problems.append("server down")
        outcome = f"{first.status} in {first_s:.1f} s" + (
            f": {first.message[:100]}" if first.message else ""
        )
        tally.case(f"{name} -> {outcome}", not problems, "; ".join(problems))
    forge.clear_faults()
    double_click(server, forge, tally, k=len(plans(fast)))
    return tally.finish()


def double_click(server: Server, forge: Forge, tally: Tally, k: int) -> None:
    """Two submissions of the same new feature at once: one branch, one PR, same answer."""
    body = {"path": NOTEBOOK, "cell_id": f"fault-{k}", "force": True}
    client = server.client()
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda _: client.call("POST", "jupyter-ext/submit", body), range(2))
        )
    problems = [f"answer {a.brief()}" for a in answers if a.status != 200]
    numbers = {a.body.get("pr_number") for a in answers if a.status == 200}
    branches, pulls = feature_state(forge, server.login, f"fault_case_{k}")
    if len(branches) != 1 or len(pulls) != 1 or len(numbers) > 1:
        problems.append(f"{len(branches)} branches, {len(pulls)} PRs, answers name PRs {numbers}")
    tally.case(
        "double click: two submissions of a new feature at once", not problems, "; ".join(problems)
    )


HOSTILE_LOGINS = ["../../evil", "evil..user", "-evil", "evil_user", "a" * 40]


def device_sign_in(server: Server, forge: Forge, login: str) -> tuple[Answer, Answer]:
    """Start the device flow on the server, approve it at the forge as `login`, poll."""
    client = server.client()
    start = client.call("POST", "jupyter-ext/auth/device", {})
    if start.status != 200:
        return start, start
    forge.admin(
        "POST", "device", json={"user_code": start.body["user_code"], "login": login}
    ).raise_for_status()
    poll = client.call("GET", "jupyter-ext/auth/device")
    return start, poll


def hostile_logins(server: Server, forge: Forge, tally: Tally) -> Tally:
    """Needs a server with `github_client_id` set; leaves it signed in as its own user."""
    client = server.client()
    before = {str(p) for p in forge.data_dir.parent.rglob("*evil*")}
    for login in HOSTILE_LOGINS:
        start, poll = device_sign_in(server, forge, login)
        problems = []
        if start.status != 200:
            problems.append(f"device flow did not start: {start.brief()}")
        if poll.status >= 500 and poll.status != 502:
            tally.five_xx += 1
        if poll.status == 200 and poll.body.get("login") == login:
            problems.append(f"signed in as {login!r}")
        elif poll.status != 200 and (not poll.message or "Unexpected error" in poll.message):
            problems.append(f"unclear answer: {poll.brief()}")
        submitted = None
        if "/" not in login:  # a fork named after it would escape the forge's own folder
            submitted = client.call(
                "POST",
                "jupyter-ext/submit",
                {"path": NOTEBOOK, "cell_id": "feature", "force": True},
            )
            if submitted.status == 200:
                problems.append(f"submitted as {login!r}: {submitted.body.get('file_path')}")
            elif submitted.status >= 500 and submitted.status != 502:
                tally.five_xx += 1
            elif not submitted.message or "Unexpected error" in submitted.message:
                problems.append(f"unclear submit answer: {submitted.brief()}")
        named = [p for p in forge.pulls() if login in p["head"]["label"]]
        if named:
            problems.append(f"{len(named)} PRs from {login!r}")
        client.call("DELETE", "jupyter-ext/auth")
        alive(server, tally, client)
        said = poll.message or (poll.body or {}).get("state")
        tally.case(
            f"GitHub says the login is {login[:20]!r} -> {poll.status}: {said}"[:160],
            not problems,
            "; ".join(problems),
        )
    after = {str(p) for p in forge.data_dir.parent.rglob("*evil*")} - before
    outside = [p for p in after if not p.startswith(str(forge.data_dir))]
    tally.case("nothing named after a login outside the forge's folder", not outside, f"{outside}")
    # Sign back in as the server's own user for whatever comes next.
    _, poll = device_sign_in(server, forge, server.login)
    tally.case("signs back in as its own user", poll.status == 200, poll.brief())
    return tally
