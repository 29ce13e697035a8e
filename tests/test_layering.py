"""Import boundaries, checked in fresh interpreters (this process has imported everything).

- `jupyter_ext.core` is pure: no tornado, jupyter_server, PyGithub or data libraries, so the
  CLI and CI can use it without a server and tests can run it without one.
- The server extension's start-up path imports no pandas, scikit-learn, numpy or PyGithub:
  every `jupyter server` start would pay seconds for them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import jupyter_ext.core

CORE_DIR = Path(jupyter_ext.core.__file__).parent
CORE_MODULES = sorted(f"jupyter_ext.core.{p.stem}" for p in CORE_DIR.glob("*.py"))
NOT_IN_CORE = ("tornado", "jupyter_server", "github", "pandas", "numpy", "sklearn")
NOT_AT_START_UP = ("pandas", "sklearn", "numpy", "github")


def _modules_after(code: str, watched: tuple[str, ...], env: dict | None = None) -> list[str]:
    """Run `code` in a new interpreter; which of `watched` did it import?"""
    probe = (
        f"{code}\n"
        "import json, sys\n"
        f"print(json.dumps([m for m in {list(watched)!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_extraction_core_is_listed():
    assert "jupyter_ext.core.notebook" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_import_no_server_github_or_data_libraries(module):
    assert _modules_after(f"import {module}", NOT_IN_CORE) == []


def test_importing_the_server_extension_imports_no_heavy_library():
    imported = _modules_after("import jupyter_ext.app, jupyter_ext.routes", NOT_AT_START_UP)
    assert imported == []


def test_loading_the_extension_into_a_server_imports_no_heavy_library(tmp_path):
    # Given: a Jupyter server configured like a user's, with jupyter_ext enabled
    root = tmp_path / "root"
    root.mkdir()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
    }
    # When: the server initializes (loads every extension, builds services and routes)
    start = (
        "from jupyter_server.serverapp import ServerApp\n"
        "app = ServerApp()\n"
        "app.initialize(argv=[\n"
        f"    '--ServerApp.root_dir={root}', '--ServerApp.open_browser=False',\n"
        "    '--ServerApp.allow_root=True', '--ServerApp.port=0', '--ServerApp.token=t',\n"
        "    \"--ServerApp.jpserver_extensions={'jupyter_ext': True}\",\n"
        "])\n"
        "ext = app.web_app.settings['jupyter_ext']\n"
        "assert type(ext.extraction).__name__ == 'ExtractionService', 'extension not loaded'\n"
    )
    # Then: none of the heavy libraries was imported on the way
    assert _modules_after(start, NOT_AT_START_UP, env=env) == []
