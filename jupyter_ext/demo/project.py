"""Create (or reuse) the demo: a Ballet-layout Ames project in a git repository.

The demo folder holds the project and the state the launcher needs, kept apart
so the forge is seeded with the project only:

    <demo dir>/
      .jupyter-ext-demo        marker: only folders carrying it are ever deleted (--reset)
      ames-house-prices/       the project: ballet.yml, data/, src/ames/, notebooks/, git repo
      forge/                   the local forge's data (bare repos, users, PRs)
      jupyter/                 JupyterLab settings and workspaces for the demo

Building is idempotent: a file that exists is never rewritten, so a second run
reuses the project (and anything the user changed in it) and only restores
files that were deleted. `reset` removes the whole demo folder first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..scaffold.config import ProjectSettings, render_ballet_yml
from ..scaffold.workflow import WORKFLOW_PATH, render_workflow
from .notebook import NOTEBOOK_NAME

PROJECT_SLUG = "ames-house-prices"
PACKAGE = "ames"
GITHUB_OWNER = "demo"
DEFAULT_BRANCH = "main"
MARKER = ".jupyter-ext-demo"
TEMPLATE_DIR = Path(__file__).with_name("template")
# Template files stored under another name, so they don't act on this repository.
_RENAMED = {"gitignore": ".gitignore"}

# The seed features in the order they were "merged": each one is accepted by the
# project's GFSSF accepter given the ones before it (tests/test_demo.py replays this).
SEED_ORDER = (
    "user_alice/feature_total_square_footage.py",
    "user_alice/feature_house_age_at_sale.py",
    "user_bob/feature_log_lot_area.py",
    "user_carol/feature_bathrooms_total.py",
    "user_bob/feature_overall_condition.py",
    "user_carol/feature_neighborhood.py",
)
# The seed features' authors: each user's features are committed in their name.
SEED_AUTHORS = {
    "alice": "Alice Moreau",
    "bob": "Bob Okafor",
    "carol": "Carol Lindqvist",
}


class DemoDirError(Exception):
    """The demo folder can't be used (e.g. it holds files that aren't a demo)."""


def project_settings() -> ProjectSettings:
    from .data import READ_CSV_KWARGS, TARGET

    return ProjectSettings(
        project_name="Predict Ames house prices",
        project_slug=PROJECT_SLUG,
        package_slug=PACKAGE,
        github_owner=GITHUB_OWNER,
        problem_type="regression",
        scorer="neg_mean_absolute_error",
        target=TARGET,
        target_units={"currency": "$"},  # SalePrice is in dollars, not log dollars
        splits={"train": "data/train", "test": "data/test"},
        read_kwargs=dict(READ_CSV_KWARGS),
    )


@dataclass(frozen=True)
class DemoLayout:
    root: Path

    @property
    def marker(self) -> Path:
        return self.root / MARKER

    @property
    def project_dir(self) -> Path:
        return self.root / PROJECT_SLUG

    @property
    def forge_dir(self) -> Path:
        return self.root / "forge"

    @property
    def jupyter_dir(self) -> Path:
        return self.root / "jupyter"

    @property
    def notebook(self) -> Path:
        return self.project_dir / "notebooks" / NOTEBOOK_NAME

    def is_demo(self) -> bool:
        return self.marker.is_file()

    def remove(self) -> None:
        """Delete the demo folder, but only if it is one (carries the marker)."""
        if not self.root.exists():
            return
        if not self.is_demo():
            raise DemoDirError(
                f"{self.root} is not a jupyter-ext demo folder (no {MARKER} in it); "
                "refusing to delete it. Pick another --dir."
            )
        shutil.rmtree(self.root)

    def claim(self) -> None:
        """Create the folder and its marker; refuse a non-empty folder that isn't a demo."""
        if self.root.exists() and not self.is_demo() and any(self.root.iterdir()):
            raise DemoDirError(
                f"{self.root} already exists and is not a jupyter-ext demo folder; "
                "pick another --dir (or an empty folder)."
            )
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.is_demo():
            self.marker.write_text(
                json.dumps({"created_by": f"jupyter-ext {__version__}"}) + "\n", encoding="utf-8"
            )


@dataclass
class BuildResult:
    layout: DemoLayout
    created: bool  # a new project (False: an existing one was reused)
    written: list[str]  # project-relative paths written by this run


def prepare_demo(root: Path | str, *, reset: bool = False) -> BuildResult:
    """The demo folder with its project, created or reused (see the module docstring)."""
    layout = DemoLayout(Path(root).expanduser().resolve())
    if reset:
        layout.remove()
    layout.claim()
    created = not (layout.project_dir / "ballet.yml").exists()
    written = build_project(layout.project_dir)
    if created or not (layout.project_dir / ".git").exists():
        init_git_history(layout.project_dir)
    return BuildResult(layout=layout, created=created, written=written)


def build_project(project_dir: Path) -> list[str]:
    """Write every missing file of the project; returns the paths written."""
    from .data import load_ames, split_ames, write_splits
    from .notebook import write_notebook

    project_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    def write_text(rel: str, text: str) -> None:
        path = project_dir / rel
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(rel)

    for source in sorted(TEMPLATE_DIR.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        rel = source.relative_to(TEMPLATE_DIR)
        rel = rel.with_name(_RENAMED.get(rel.name, rel.name)).as_posix()
        write_text(rel, source.read_text(encoding="utf-8"))
    write_text("ballet.yml", render_ballet_yml(project_settings()))
    write_text(WORKFLOW_PATH, render_workflow(DEFAULT_BRANCH))

    data_dir = project_dir / "data"
    data_files = [
        data_dir / s / f"{t}.csv" for s in ("train", "test") for t in ("entities", "targets")
    ]
    if not all(p.exists() for p in data_files):
        # The split is seeded, so regenerating all four files reproduces the same data.
        for path in write_splits(data_dir, split_ames(load_ames())):
            written.append(path.relative_to(project_dir).as_posix())

    notebook = project_dir / "notebooks" / NOTEBOOK_NAME
    if not notebook.exists():
        write_notebook(notebook)
        written.append(notebook.relative_to(project_dir).as_posix())
    return sorted(written)


def _git(project_dir: Path, *args: str, author: tuple[str, str] | None = None) -> None:
    name, email = author or ("jupyter-ext demo", "demo@jupyter-ext.invalid")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        # The user's global git config (hooks, signing) must not affect the demo repo.
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(
        ["git", *args], cwd=project_dir, env=env, check=True, capture_output=True, text=True
    )


def init_git_history(project_dir: Path) -> None:
    """A git repository on `main`: the project skeleton, then one commit per seed feature
    in its author's name, as if the features had been merged from pull requests."""
    _git(project_dir, "init", "-q")
    _git(project_dir, "symbolic-ref", "HEAD", f"refs/heads/{DEFAULT_BRANCH}")
    contrib = project_dir / project_settings().contrib_module_path
    seeds = [contrib / rel for rel in SEED_ORDER]
    _git(
        project_dir, "add", "--all", "--", ".", *[f":!{p.relative_to(project_dir)}" for p in seeds]
    )
    _git(project_dir, "commit", "-q", "-m", "Ames house prices: data, package, starter notebook")
    for path in seeds:
        login = path.parent.name.removeprefix("user_")
        author = (SEED_AUTHORS.get(login, login), f"{login}@users.noreply.demo.invalid")
        rel = path.relative_to(project_dir).as_posix()
        _git(project_dir, "add", "--", rel, author=author)
        _git(
            project_dir, "commit", "-q", "-m", f"Add feature: {_feature_name(path)}", author=author
        )


def _feature_name(path: Path) -> str:
    """The `name = "..."` of a seed feature, for its commit message."""
    import ast

    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "name" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    return path.stem.removeprefix("feature_")
