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
from traitlets import Unicode, default

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

    def initialize_settings(self):
        # Services import only the stdlib-based core here; heavy libraries stay lazy.
        from .services.extraction import ExtractionService

        self.extraction = ExtractionService(self.serverapp.contents_manager)

    def initialize_handlers(self):
        from .routes import route_table

        self.handlers.extend(route_table())
