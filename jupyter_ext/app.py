"""The jupyter_server extension: configuration, services and routes.

Every setting is a traitlet on `JupyterExt`, so users configure it the Jupyter
way (`c.JupyterExt.project_dir = ...` in jupyter_server_config.py, or
`--JupyterExt.project_dir=...` on the command line). Services are built here
and reached by handlers through `self.extensionapp`, never through globals, so
two servers in one process (as in tests) never share state.
"""

from __future__ import annotations

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Integer, Unicode, default, validate

from . import __version__


class JupyterExt(ExtensionApp):
    """Extract, validate and submit feature cells from JupyterLab."""

    name = "jupyter_ext"
    description = __doc__
    version = __version__
    # JupyterLab is the frontend; this app only adds API routes.
    load_other_extensions = True

    project_dir = Unicode(
        help=(
            "Root of the feature-engineering project (the folder holding ballet.yml). "
            "Defaults to $JUPYTER_EXT_PROJECT_DIR, else the server's root directory."
        ),
        config=True,
    )

    @default("project_dir")
    def _default_project_dir(self):
        return os.environ.get("JUPYTER_EXT_PROJECT_DIR") or self.serverapp.root_dir

    validation_timeout = Float(
        120.0,
        help=(
            "Seconds one validation may take (checks and acceptance, in the worker) before "
            "the worker is killed and restarted and the report says it timed out."
        ),
        config=True,
    )

    validation_memory_limit_mb = Integer(
        4096,
        help=(
            "Address-space limit (RLIMIT_AS, in MB) of the validation worker process. A "
            "feature that needs more gets a 'memory' error instead of exhausting the machine. "
            "0 disables the limit."
        ),
        config=True,
    )

    validation_python = Unicode(
        help=(
            "Python interpreter of the validation worker, e.g. the notebook kernel's "
            "environment so features validate with the project's own libraries. "
            "Defaults to the server's interpreter. It needs numpy, pandas, scikit-learn and dill."
        ),
        config=True,
    )

    @default("validation_python")
    def _default_validation_python(self):
        import sys

        return sys.executable

    prewarm_worker = Bool(
        True,
        help=(
            "Start the project's validation worker (imports, data, existing features' "
            "values) in the background as soon as JupyterLab connects, so the first "
            "Validate answers in about a second instead of paying the cold start."
        ),
        config=True,
    )

    validation_fit_time_budget = Float(
        30.0,
        help=(
            "Seconds a feature may take to fit and transform the project's data once "
            "(WithinTimeBudgetCheck). Keep it below validation_timeout."
        ),
        config=True,
    )

    # -- GitHub: submission and sign-in ------------------------------------------------

    github_url = Unicode(
        help=(
            "GitHub API base URL: https://api.github.com, a GitHub Enterprise API "
            "(https://HOST/api/v3), or a local forge (`jupyter-ext forge`). "
            "Defaults to $JUPYTER_EXT_GITHUB_URL, else https://api.github.com."
        ),
        config=True,
    )

    @default("github_url")
    def _default_github_url(self):
        return os.environ.get("JUPYTER_EXT_GITHUB_URL") or "https://api.github.com"

    github_token = Unicode(
        "",
        help=(
            "GitHub token the server submits with (needs the public_repo or repo scope). "
            "Without it, $GITHUB_TOKEN is used, or the user signs in with the device flow. "
            "The token never leaves the server."
        ),
        config=True,
    )

    github_client_id = Unicode(
        help=(
            "Client id of a GitHub OAuth app with device flow enabled; enables 'Sign in to "
            "GitHub' in the panel (no client secret or callback URL needed). "
            "Defaults to $JUPYTER_EXT_GITHUB_CLIENT_ID."
        ),
        config=True,
    )

    @default("github_client_id")
    def _default_github_client_id(self):
        return os.environ.get("JUPYTER_EXT_GITHUB_CLIENT_ID", "")

    github_oauth_scope = Unicode(
        "public_repo",
        help="OAuth scope the device flow asks for ('repo' if upstream is private).",
        config=True,
    )

    upstream = Unicode(
        "",
        help=(
            "Repository to open pull requests against, as 'owner/name'. Empty: "
            "github.github_owner and project.project_slug from ballet.yml."
        ),
        config=True,
    )

    @validate("upstream")
    def _check_upstream(self, proposal):
        from traitlets import TraitError

        from .core.naming import check_repo_full_name
        from .errors import BadRequest

        if proposal["value"]:
            try:
                check_repo_full_name(proposal["value"])
            except BadRequest as err:
                raise TraitError(f"JupyterExt.upstream: {err.message}") from None
        return proposal["value"]

    base_branch = Unicode(
        "",
        help="Branch pull requests target. Empty: the upstream repository's default branch.",
        config=True,
    )

    push_to_upstream = Bool(
        False,
        help=(
            "If the signed-in user can push to upstream, put the submission branch there "
            "instead of in their fork (maintainers, or teams that share one repository)."
        ),
        config=True,
    )

    persist_token = Bool(
        False,
        help=(
            "Keep a device-flow sign-in across server restarts, in a file readable only by "
            "you (mode 0600) under the Jupyter data dir."
        ),
        config=True,
    )

    fork_ready_timeout = Float(
        60.0,
        help=(
            "Seconds to wait for GitHub to finish creating a new fork before telling the "
            "user to submit again."
        ),
        config=True,
    )

    fork_poll_interval = Float(
        0.5,
        help="First wait (seconds) between checks that a new fork is ready; doubles, max 5 s.",
        config=True,
    )

    github_timeout = Integer(
        15,
        help=(
            "Seconds to wait for each GitHub API answer before giving up with 'Could not "
            "reach GitHub' (raise it for a slow GitHub Enterprise)."
        ),
        config=True,
    )

    def initialize_settings(self):
        # Services import only the stdlib-based core here; heavy libraries stay lazy.
        from .services.extraction import ExtractionService

        self.extraction = ExtractionService(self.serverapp.contents_manager)
        self.validation = self._make_validation_service()
        self.auth = self._make_auth_service()
        self.submission = self._make_submission_service()
        from .services.discovery import DiscoveryService

        self.discovery = DiscoveryService(validation=self.validation)

    def _make_auth_service(self):
        from .forge.token_store import default_path
        from .services.auth import AuthConfig, AuthService

        return AuthService(
            AuthConfig(
                api_url=self.github_url.rstrip("/"),
                client_id=self.github_client_id,
                configured_token=self.github_token,
                env_token=os.environ.get("GITHUB_TOKEN", ""),
                scope=self.github_oauth_scope,
                persist=self.persist_token,
                store_path=default_path(),
                timeout=self.github_timeout,
            )
        )

    def _make_submission_service(self):
        from .services.submission import SubmissionService, SubmitSettings

        return SubmissionService(
            extraction=self.extraction,
            validation=self.validation,
            auth=self.auth,
            settings=SubmitSettings(
                upstream=self.upstream,
                base_branch=self.base_branch,
                push_to_upstream=self.push_to_upstream,
                fork_ready_timeout=self.fork_ready_timeout,
                fork_poll_interval=self.fork_poll_interval,
            ),
        )

    def _make_validation_service(self):
        from .services.validation import ValidationService
        from .validation.runner import WorkerOptions

        options = WorkerOptions(
            python=self.validation_python,
            timeout_s=self.validation_timeout,
            memory_limit_mb=self.validation_memory_limit_mb,
            fit_time_budget_s=self.validation_fit_time_budget,
        )
        return ValidationService(
            project_dir=self.project_dir,
            extraction=self.extraction,
            options=options,
            root_dir=self.serverapp.root_dir,
        )

    async def stop_extension(self):
        # Validation workers are our subprocesses: none may outlive the server.
        validation = getattr(self, "validation", None)
        if validation is not None:
            await validation.stop()

    def initialize_handlers(self):
        from .routes import route_table

        self.handlers.extend(route_table())
