"""Submission as a service: a cell reference -> a validated feature -> a pull request.

Order matters: sign-in is checked first (a 401 is instant), then the cell is
extracted and validated with the same services as `POST validate`; only a
feature that passes goes to GitHub, unless the request says `force: true`.
The GitHub part (PyGithub, blocking) runs in a worker thread. Submissions are
serialised: a double click must not race itself into two pull requests.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..core import naming
from ..core.pr_body import render_body
from ..core.project import Project, ProjectError, load_project
from ..errors import BadRequest, InvalidFeature, UpstreamError

log = logging.getLogger("jupyter_ext.submission")


@dataclass(frozen=True)
class SubmitSettings:
    upstream: str = ""  # "owner/name"; empty: github.github_owner + project slug
    base_branch: str = ""  # empty: upstream's default branch
    push_to_upstream: bool = False
    fork_ready_timeout: float = 60.0
    fork_poll_interval: float = 0.5


def upstream_of(project: Project, setting: str = "") -> str:
    """The upstream repository: the explicit setting, else `github_owner/project_slug`."""
    if setting:
        naming.check_repo_full_name(setting)
        return setting
    github = project.raw.get("github") if isinstance(project.raw, dict) else None
    owner = github.get("github_owner") if isinstance(github, dict) else None
    if not owner:
        raise BadRequest(
            f"{project.config_path} has no github.github_owner, so there is no upstream "
            "repository to submit to. Set it, or set c.JupyterExt.upstream = 'owner/name'."
        )
    full_name = f"{owner}/{project.slug}"
    naming.check_repo_full_name(full_name)
    return full_name


def why_not_submitted(report: dict) -> str:
    """The 422 message: which checks failed, or why the feature was not accepted."""
    error = report.get("error")
    if error:
        return (
            f"Not submitted: validation could not finish ({error.get('kind')}): "
            f"{error.get('message')}. Fix it, or submit anyway (force)."
        )
    failed = [c for c in report.get("checks") or [] if not c.get("passed")]
    if failed:
        names = ", ".join(
            f"{c.get('name')} ({c['message']})" if c.get("message") else str(c.get("name"))
            for c in failed
        )
        return (
            f"Not submitted: the feature fails {len(failed)} feature API "
            f"check{'s' if len(failed) != 1 else ''}: {names}. Fix "
            f"{'them' if len(failed) != 1 else 'it'}, or submit anyway (force)."
        )
    acceptance = report.get("acceptance") or {}
    reason = (acceptance.get("reason") or "it adds too little information").rstrip(". ")
    return (
        f"Not submitted: the feature passes the API checks but is not accepted by "
        f"{acceptance.get('accepter') or 'the project accepter'}: {reason}. "
        "Submit anyway (force) to let the maintainers decide."
    )


class SubmissionService:
    def __init__(
        self, *, extraction: Any, validation: Any, auth: Any, settings: SubmitSettings | None = None
    ):
        self.extraction = extraction
        self.validation = validation
        self.auth = auth
        self.settings = settings or SubmitSettings()
        self._lock = asyncio.Lock()

    def _client_settings(self):
        return self.auth.client_settings(
            fork_ready_timeout=self.settings.fork_ready_timeout,
            fork_poll_interval=self.settings.fork_poll_interval,
            user_agent=f"jupyter-ext/{__version__}",
        )

    def project(self, notebook_path: str | None = None) -> Project:
        root = self.validation.project_root(notebook_path)
        try:
            return load_project(root)
        except ProjectError as err:
            raise BadRequest(err.message) from None

    async def submit(self, body: dict[str, Any]) -> dict:
        force = body.get("force", False)
        if not isinstance(force, bool):
            raise BadRequest("`force` must be true or false.")
        client = self._client_settings()  # NotSignedIn before any work
        async with self._lock:
            return await self._submit(body, force, client)

    async def _submit(self, body: dict[str, Any], force: bool, client) -> dict:
        path = body.get("path") if isinstance(body.get("path"), str) else None
        project = self.project(path)
        upstream = upstream_of(project, self.settings.upstream)

        extraction_json = None
        if body.get("source") is not None:
            module = body["source"]
            if not isinstance(module, str) or not module.strip():
                raise BadRequest("`source` must be the feature module's code (a non-empty string).")
        else:
            extraction = await self.extraction.extract(body)
            module, extraction_json = extraction.module, extraction.to_json()
        request = {"source": module, **({"path": path} if path else {})}
        report = await self.validation.validate(request)

        name = (report.get("feature") or {}).get("name")
        login = self.auth.cached_login()
        if name and login:
            # Editing a feature that is already in the local project: validate it as a
            # replacement of that file, not as a duplicate of itself.
            own = naming.contrib_paths(
                project.contrib_module_path, login, naming.slugify(name)
            ).feature
            if (project.root / own).is_file():
                report = await self.validation.validate(request, file_path=own)
        report["extraction"] = extraction_json

        if not report.get("passed") and not force:
            raise InvalidFeature(why_not_submitted(report))
        if not name:
            raise InvalidFeature(
                "Not submitted: the feature has no name, and its file name comes from it. "
                'Set `name = "..."` in the cell.'
            )
        slug = naming.slugify(name)
        # The name goes into commit messages and the PR title: no control characters (git
        # refuses a NUL in a commit message) and within GitHub's 256-character title limit.
        printable = "".join(ch if ch.isprintable() else " " for ch in str(name))
        feature_name = " ".join(printable.split())
        if len(feature_name) > 200:
            feature_name = feature_name[:199].rstrip() + "…"
        title = naming.pull_request_title(feature_name)
        plan_body = functools.partial(
            render_body, report, forced=force and not report.get("passed"), version=__version__
        )

        from ..forge.github import SubmissionPlan, submit

        plan = SubmissionPlan(
            upstream=upstream,
            slug=slug,
            module_path=project.contrib_module_path,
            module=module,
            title=title,
            body_for=plan_body,
            feature_name=feature_name,
            base_branch=self.settings.base_branch or None,
            push_to_upstream=self.settings.push_to_upstream,
            login=login,
        )
        try:
            outcome = await asyncio.to_thread(submit, client, plan)
        except UpstreamError as err:
            self.auth.forget_if_rejected(err)
            raise
        self.auth.remember_login(outcome.login)
        return {
            "pr_url": outcome.pr_url,
            "pr_number": outcome.pr_number,
            "repo": outcome.repo,
            "branch": outcome.branch,
            "file_path": outcome.file_path,
            "updated": outcome.updated,
            "report": report,
        }

    async def submissions(self) -> dict:
        """This user's feature PRs on the project's upstream, with their state."""
        client = self._client_settings()
        project = self.project()
        upstream = upstream_of(project, self.settings.upstream)
        login = await self.auth.login()

        from ..forge.github import list_submissions

        try:
            found = await asyncio.to_thread(
                list_submissions, client, upstream, login, project.contrib_module_path
            )
        except UpstreamError as err:
            self.auth.forget_if_rejected(err)
            raise
        return {"submissions": found}
