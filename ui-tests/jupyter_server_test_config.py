"""Jupyter server configuration for the Galata UI tests.

Never use this configuration in production: it disables authentication and
exposes JupyterLab's JavaScript objects on `window`.

playwright.config.js picks a free port and passes it (and, for the base_url
project, the URL prefix) through environment variables.
"""

import os
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by Jupyter

c.ServerApp.port = int(os.environ.get("JUPYTER_EXT_UI_PORT", "8888"))  # noqa: F821
c.ServerApp.base_url = os.environ.get("JUPYTER_EXT_UI_BASE_URL", "/")  # noqa: F821
# Tests run as root in CI containers.
c.ServerApp.allow_root = True  # noqa: F821
# A fresh folder per server: tests upload their own notebooks into it.
c.ServerApp.root_dir = os.environ.get(  # noqa: F821
    "JUPYTERLAB_GALATA_ROOT_DIR", tempfile.mkdtemp(prefix="jupyter-ext-ui-")
)
c.ServerApp.jpserver_extensions = {"jupyter_ext": True}  # noqa: F821
