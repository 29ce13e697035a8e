"""Submission through PyGithub: fork, branch, file, pull request, API only (no clone).

Blocking code: the services run it in a worker thread. The sequence is built
to be idempotent and cheap. A first submission through a fork makes 7 calls:

    POST /repos/{up}/forks                 the fork (GitHub returns the existing one)
    GET  /repos/{fork}/contents/{file}     probe: is the feature already on its branch?
    GET  /repos/{up}/git/ref/heads/{base}  the base commit
    POST /repos/{fork}/git/refs            the branch (retried while the fork is being made)
    PUT  /repos/{fork}/contents/__init__   the user's package marker (422: already there)
    PUT  /repos/{fork}/contents/{file}     the feature module
    POST /repos/{up}/pulls                 the PR (422 "already exists": find and update it)

A resubmission makes at most 5: the fork, the probe (which returns the file's
sha), the file update (skipped if unchanged), the PR lookup, the PR update
(skipped if unchanged). Every step tolerates having been done before, so a
retry after a failure at any step ends with one branch and one PR.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..core.naming import (
    BRANCH_PREFIX,
    ContribPaths,
    branch_name,
    check_login,
    contrib_paths,
    slug_from_branch,
)
from ..errors import JupyterExtError, UpstreamError

log = logging.getLogger("jupyter_ext.github")

DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class ClientSettings:
    """How to reach GitHub (or GitHub Enterprise, or the local forge)."""

    api_url: str = DEFAULT_API_URL
    token: str = field(default="", repr=False)  # never printed, never logged
    timeout: int = 15
    fork_ready_timeout: float = 60.0
    fork_poll_interval: float = 0.5
    user_agent: str = "jupyter-ext"


@dataclass(frozen=True)
class SubmissionPlan:
    """What to submit where; computed before any GitHub call."""

    upstream: str  # owner/name
    slug: str
    module_path: str  # the project's contrib folder
    module: str  # the feature module's source, committed byte for byte
    title: str
    body_for: Callable[[str], str]  # file path -> PR body
    feature_name: str
    base_branch: str | None = None  # None: upstream's default branch
    push_to_upstream: bool = False  # allowed to use a branch in upstream if the user can push
    login: str | None = None  # known login, saves a call on the push path


@dataclass(frozen=True)
class SubmissionOutcome:
    pr_url: str
    pr_number: int
    repo: str  # upstream full name
    head_repo: str  # where the branch lives (fork or upstream)
    branch: str
    file_path: str
    updated: bool  # an open PR for this feature existed and was updated
    login: str


def make_client(settings: ClientSettings):
    """A PyGithub client that fails fast and never sleeps on the caller's behalf.

    Reads that hit a 5xx are retried twice; writes are not (our steps are
    idempotent, a resubmission finishes the job). A rate limit raises at once
    instead of sleeping until the reset, so the user hears when to retry.
    PyGithub's default pacing (1 s between writes) is off: a submission is a
    handful of requests, not the bulk traffic that pacing protects against.
    """
    from github import Auth, Github, GithubRetry

    retry = GithubRetry(
        total=2,
        backoff_factor=0.2,
        status_forcelist=[500, 502, 503, 504],
        allowed_methods=frozenset({"GET"}),
        max_rate_limit_wait=0,
        raise_on_status=False,
    )
    return Github(
        base_url=settings.api_url.rstrip("/"),
        auth=Auth.Token(settings.token),
        timeout=settings.timeout,
        retry=retry,
        user_agent=settings.user_agent,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,
    )


# -- readable errors ---------------------------------------------------------------


def _github_message(exc) -> str:
    data = getattr(exc, "data", None)
    message = ""
    if isinstance(data, dict):
        message = str(data.get("message") or "")
        details = [
            e.get("message") or f"{e.get('field', '')} {e.get('code', '')}".strip()
            for e in data.get("errors") or []
            if isinstance(e, dict)
        ]
        details = [d for d in details if d]
        if details:
            message = f"{message}: {'; '.join(details)}" if message else "; ".join(details)
    return " ".join(message.split()) or f"HTTP {getattr(exc, 'status', '?')}"


def rate_limit_reset(headers: dict | None) -> str | None:
    """`X-RateLimit-Reset` as "HH:MM UTC", or None."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    value = headers.get("x-ratelimit-reset")
    if value is None or not str(value).isdigit():
        return None
    return datetime.fromtimestamp(int(value), timezone.utc).strftime("%H:%M UTC")


def readable_error(
    exc: Exception, step: str, settings: ClientSettings, upstream: str | None = None
) -> UpstreamError:
    """Any failure talking to GitHub -> UpstreamError with a message a person can act on."""
    from github import GithubException
    from github.GithubException import BadCredentialsException, RateLimitExceededException

    if isinstance(exc, UpstreamError):
        return exc
    where = (
        "GitHub"
        if settings.api_url.rstrip("/") == DEFAULT_API_URL
        else (f"GitHub at {settings.api_url}")
    )
    if isinstance(exc, JupyterExtError):
        # Our own check of GitHub's answer failed, e.g. a login GitHub would never issue
        # (`../evil`): nothing is named after it; say what was wrong.
        return UpstreamError(f"{where} answered something unusable while {step}: {exc.message}")
    if isinstance(exc, RateLimitExceededException) or (
        isinstance(exc, GithubException)
        and exc.status in (403, 429)
        and "rate limit" in _github_message(exc).lower()
    ):
        until = rate_limit_reset(exc.headers)
        when = f"until {until}" if until else "for now"
        return UpstreamError(
            f"{where} rate limit exceeded {when} while {step}; submit again after that."
        )
    if isinstance(exc, BadCredentialsException) or (
        isinstance(exc, GithubException) and exc.status == 401
    ):
        return UpstreamError(
            f"{where} rejected the token (bad credentials) while {step}. Sign in to GitHub again."
        )
    if isinstance(exc, GithubException):
        message = _github_message(exc)
        if exc.status == 404 and upstream and step.startswith("forking"):
            return UpstreamError(
                f"The upstream repository {upstream} was not found on {where}, or this account "
                "can't see it. Check github.github_owner and project.project_slug in ballet.yml "
                "(or c.JupyterExt.upstream)."
            )
        if exc.status == 403:
            return UpstreamError(
                f"{where} refused {step}: {message}. The signed-in account may lack permission "
                "(or the token lacks the repo / public_repo scope)."
            )
        if exc.status >= 500:
            return UpstreamError(
                f"{where} failed while {step} ({exc.status} {message}). Nothing is lost: "
                "submit again to finish."
            )
        return UpstreamError(f"{where} rejected {step} ({exc.status}): {message}")
    name = type(exc).__name__
    if name in (
        "ConnectionError",
        "Timeout",
        "ReadTimeout",
        "ConnectTimeout",
        "RetryError",
        "MaxRetryError",
        "SSLError",
        "ChunkedEncodingError",
    ):
        return UpstreamError(f"Could not reach {where} while {step} ({name}).")
    log.exception("Unexpected error while %s", step)
    return UpstreamError(f"Unexpected error while {step}: {name}.")


def _status(exc) -> int | None:
    return getattr(exc, "status", None)


def _already(exc, needle: str) -> bool:
    return _status(exc) == 422 and needle in _github_message(exc).lower()


# -- the submission --------------------------------------------------------------------


class _Steps:
    """Tracks the current step so an error can say what was being done."""

    def __init__(self, settings: ClientSettings, upstream: str):
        self.settings = settings
        self.upstream = upstream
        self.current = "starting"

    def __call__(self, description: str) -> _Steps:
        self.current = description
        return self


def get_login(settings: ClientSettings) -> str:
    """The login the token belongs to (GET /user)."""
    gh = make_client(settings)
    try:
        return check_login(gh.get_user().login)
    except Exception as exc:
        raise readable_error(exc, "reading your GitHub account", settings) from None
    finally:
        gh.close()


def submit(
    settings: ClientSettings, plan: SubmissionPlan, sleep: Callable[[float], None] = time.sleep
) -> SubmissionOutcome:
    """Open (or update) the pull request that adds `plan.module` to the upstream project."""
    from github import GithubException

    gh = make_client(settings)
    step = _Steps(settings, plan.upstream)
    try:
        upstream = gh.get_repo(plan.upstream)  # lazy: no request yet
        head_repo, login, base = _head_repository(gh, upstream, plan, step)
        branch = branch_name(plan.slug)
        paths = contrib_paths(plan.module_path, login, plan.slug)
        body = plan.body_for(paths.feature)

        step(f"reading {paths.feature} on {head_repo.full_name}:{branch}")
        try:
            existing = head_repo.get_contents(paths.feature, ref=branch)
        except GithubException as exc:
            if exc.status != 404:
                raise
            existing = None

        branch_is_new = False
        if existing is None:
            step(f"reading the {base} branch of {plan.upstream}")
            base_sha = upstream.get_git_ref(f"heads/{base}").object.sha
            step(f"creating branch {branch} on {head_repo.full_name}")
            branch_is_new = _create_branch(head_repo, branch, base_sha, upstream, settings, sleep)
            step(f"adding {paths.init}")
            _create_if_missing(
                head_repo, paths.init, "", branch, f"Add {paths.init.rsplit('/', 2)[-2]} package"
            )
            step(f"writing {paths.feature}")
            _write_feature(head_repo, paths, branch, plan, None)
        else:
            step(f"updating {paths.feature}")
            _write_feature(head_repo, paths, branch, plan, existing)

        same_repo = head_repo.full_name == upstream.full_name
        head = branch if same_repo else f"{login}:{branch}"
        label = f"{head_repo.full_name.split('/')[0]}:{branch}"
        step(f"opening the pull request on {plan.upstream}")
        pr, updated = _open_or_update_pull(
            upstream, head, label, base, plan.title, body, known_new=branch_is_new
        )
        outcome = SubmissionOutcome(
            pr_url=pr.html_url,
            pr_number=pr.number,
            repo=upstream.full_name,
            head_repo=head_repo.full_name,
            branch=branch,
            file_path=paths.feature,
            updated=updated,
            login=login,
        )
        log.info(
            "%s pull request #%d on %s for %s",
            "Updated" if updated else "Opened",
            outcome.pr_number,
            outcome.repo,
            outcome.file_path,
        )
        return outcome
    except Exception as exc:
        raise readable_error(exc, step.current, settings, plan.upstream) from None
    finally:
        gh.close()


def _head_repository(gh, upstream, plan: SubmissionPlan, step: _Steps):
    """(repository that gets the branch, login, base branch).

    With push_to_upstream, one GET tells whether the user may push to upstream;
    otherwise (and when they can't) the fork: POST /forks returns the existing fork
    or starts a new one, and its answer carries the owner (the login) and the
    parent's default branch, so neither costs another call.
    """
    if plan.push_to_upstream:
        step(f"reading {plan.upstream}")
        permissions = upstream.permissions
        if permissions is not None and permissions.push:
            login = plan.login
            if login is None:
                step("reading your GitHub account")
                login = gh.get_user().login
            return upstream, check_login(login), plan.base_branch or upstream.default_branch
    step(f"forking {plan.upstream}")
    fork = upstream.create_fork()
    if fork.full_name == upstream.full_name:  # the user owns upstream
        return upstream, check_login(fork.owner.login), plan.base_branch or fork.default_branch
    parent = fork.parent
    base = plan.base_branch or (parent.default_branch if parent is not None else None)
    return fork, check_login(fork.owner.login), base or fork.default_branch


def _create_branch(
    head_repo, branch: str, sha: str, upstream, settings: ClientSettings, sleep
) -> bool:
    """Create the branch; True if created, False if it was there already.

    A new fork answers 404 until GitHub has finished copying it: wait with
    exponential backoff, bounded by `fork_ready_timeout`.
    """
    from github import GithubException

    is_fork = head_repo.full_name != upstream.full_name
    delay = max(settings.fork_poll_interval, 0.01)
    deadline = time.monotonic() + settings.fork_ready_timeout
    while True:
        try:
            head_repo.create_git_ref(f"refs/heads/{branch}", sha)
            return True
        except GithubException as exc:
            if _already(exc, "already exists"):
                return False
            if not (is_fork and exc.status in (404, 409)):
                raise
            if time.monotonic() + delay > deadline:
                raise UpstreamError(
                    f"GitHub is still creating your fork {head_repo.full_name} (waited "
                    f"{settings.fork_ready_timeout:.0f} s). Submit again in a minute."
                ) from None
            log.info("Fork %s not ready yet; retrying in %.1f s", head_repo.full_name, delay)
            sleep(delay)
            delay = min(delay * 2, 5.0)


def _create_if_missing(repo, path: str, content: str, branch: str, message: str) -> bool:
    from github import GithubException

    try:
        repo.create_file(path, message, content, branch=branch)
        return True
    except GithubException as exc:
        if _already(exc, "sha"):  # '"sha" wasn't supplied': the file exists
            return False
        raise


def _write_feature(repo, paths: ContribPaths, branch: str, plan: SubmissionPlan, existing) -> None:
    from github import GithubException

    content = plan.module.encode("utf-8")
    if existing is None:
        try:
            repo.create_file(paths.feature, plan.title, content, branch=branch)
            return
        except GithubException as exc:
            if not _already(exc, "sha"):
                raise
        existing = repo.get_contents(paths.feature, ref=branch)
    if existing.decoded_content == content:
        return  # unchanged: no empty commit
    repo.update_file(
        paths.feature, f"Update feature: {plan.feature_name}", content, existing.sha, branch=branch
    )


def _open_or_update_pull(
    upstream, head: str, label: str, base: str, title: str, body: str, known_new: bool
):
    """(pull request, updated). A brand-new branch can't have a PR: create directly."""
    from github import GithubException

    if known_new:
        try:
            return upstream.create_pull(
                base=base, head=head, title=title, body=body, maintainer_can_modify=True
            ), False
        except GithubException as exc:
            if not _already(exc, "already exists"):
                raise
    existing = next(iter(upstream.get_pulls(state="open", head=label)), None)
    if existing is None:
        try:
            return upstream.create_pull(
                base=base, head=head, title=title, body=body, maintainer_can_modify=True
            ), False
        except GithubException as exc:
            if not _already(exc, "already exists"):
                raise
            existing = next(iter(upstream.get_pulls(state="open", head=label)))
    if existing.title != title or (existing.body or "") != body:
        existing.edit(title=title, body=body)
    return existing, True


# -- listing -----------------------------------------------------------------------------


def list_submissions(
    settings: ClientSettings, upstream_name: str, login: str, module_path: str, max_pages: int = 3
) -> list[dict[str, Any]]:
    """The user's feature PRs on upstream, newest activity first (at most 300 scanned)."""
    gh = make_client(settings)
    gh.per_page = 100
    try:
        upstream = gh.get_repo(upstream_name)
        found = []
        pulls = upstream.get_pulls(state="all", sort="updated", direction="desc")
        for index, pr in enumerate(pulls):
            if index >= max_pages * 100:
                break
            slug = slug_from_branch(pr.head.ref)
            if pr.user.login != login or slug is None:
                continue
            found.append(
                {
                    "pr_number": pr.number,
                    "pr_url": pr.html_url,
                    "title": pr.title,
                    "state": "merged" if pr.merged_at else pr.state,
                    "branch": pr.head.ref,
                    "file_path": contrib_paths(module_path, login, slug).feature,
                    "updated_at": pr.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
                    if pr.updated_at
                    else None,
                }
            )
        return found
    except Exception as exc:
        raise readable_error(exc, f"listing pull requests on {upstream_name}", settings) from None
    finally:
        gh.close()


__all__ = [
    "BRANCH_PREFIX",
    "ClientSettings",
    "SubmissionOutcome",
    "SubmissionPlan",
    "get_login",
    "list_submissions",
    "make_client",
    "readable_error",
    "submit",
]
