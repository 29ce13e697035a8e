"""The GitHub Actions workflow `jupyter-ext init` writes into a project.

Pull requests run `jupyter-ext validate --diff origin/<base>`; pushes to the
default branch run pruning. Kept as a YAML file beside this module so it reads
like any workflow; only the default branch is filled in.
"""

from __future__ import annotations

from pathlib import Path

WORKFLOW_PATH = ".github/workflows/jupyter-ext.yml"
_TEMPLATE = Path(__file__).with_name("templates") / "workflow.yml"


def render_workflow(default_branch: str = "main") -> str:
    """The workflow's text for a project whose default branch is `default_branch`."""
    if not default_branch or any(c in default_branch for c in " :\n[]{}#,\"'"):
        raise ValueError(f"Not a usable branch name: {default_branch!r}")
    return _TEMPLATE.read_text(encoding="utf-8").replace("__BASE__", default_branch)
