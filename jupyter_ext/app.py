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
from traitlets import Float, Integer, Unicode, default

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

    validation_fit_time_budget = Float(
        30.0,
        help=(
            "Seconds a feature may take to fit and transform the project's data once "
            "(WithinTimeBudgetCheck). Keep it below validation_timeout."
        ),
        config=True,
    )

    def initialize_settings(self):
        # Services import only the stdlib-based core here; heavy libraries stay lazy.
        from .services.extraction import ExtractionService

        self.extraction = ExtractionService(self.serverapp.contents_manager)
        self.validation = self._make_validation_service()

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
