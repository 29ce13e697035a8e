"""What a project is missing, as findings a maintainer can act on.

Used by `jupyter-ext init` (before and after it writes files) and by
`jupyter-ext init --check` in an existing Ballet project. Each finding names the
file or key and says what to do; none of them needs our source code to fix.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .workflow import WORKFLOW_PATH

CONFIG_FILENAME = "ballet.yml"
_USER_DIR = re.compile(r"^user_[A-Za-z0-9_]+$")
_FEATURE_FILE = re.compile(r"^feature_[A-Za-z0-9_]+\.py$")


@dataclass(frozen=True)
class Finding:
    level: str  # "ok" | "missing" | "error" | "note"
    subject: str  # the file or key concerned
    message: str  # what is wrong or fine, and what to do

    @property
    def blocking(self) -> bool:
        """Validation can't run (or CI can't validate) until this is fixed."""
        return self.level in ("missing", "error")


def check_project(root: Path) -> list[Finding]:
    """Every finding for the project at `root` (which may not be a project yet)."""
    from ..core.project import ProjectError, load_project

    root = Path(root)
    config = root / CONFIG_FILENAME
    if not config.is_file():
        return [
            Finding(
                "missing",
                CONFIG_FILENAME,
                "No ballet.yml: this folder is not a project yet. `jupyter-ext init` creates one.",
            )
        ]
    try:
        project = load_project(root)
    except ProjectError as err:
        return [Finding("error", CONFIG_FILENAME, err.message)]

    findings = [
        Finding("ok", CONFIG_FILENAME, f"project {project.slug!r} ({project.problem_type})")
    ]
    findings += _config_keys(project.raw)
    findings += _package_layout(project)
    findings += _features(project)
    findings += _data(project)
    findings += _ci(root)
    return findings


def _config_keys(raw: dict) -> list[Finding]:
    out = []

    def has(*keys: str) -> bool:
        node = raw
        for key in keys:
            if not isinstance(node, dict) or node.get(key) in (None, ""):
                return False
            node = node[key]
        return True

    for keys, why in (
        (("project", "project_slug"), "names the repository and the default upstream"),
        (("project", "package_slug"), "the Python package holding the features"),
        (("contrib", "module_path"), "where contributed features live"),
        (("github", "github_owner"), "the upstream owner pull requests go to"),
    ):
        if not has(*keys):
            out.append(Finding("missing", ".".join(keys), f"Add {'.'.join(keys)}: it {why}."))
    if not has("validation", "feature_accepter"):
        out.append(
            Finding(
                "note",
                "validation.feature_accepter",
                "Not set: the GFSSF accepter (Ballet's default) decides acceptance.",
            )
        )
    data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    if not data.get("splits") and not data.get("loader"):
        old = data.get("train")
        fix = (
            f"jupyter-ext reads splits, not Ballet's `data.train: {old}`: add "
            f"`splits: {{train: {old}}}` under data"
            if old
            else "Add `splits: {train: data/train}` under data (a folder per split holding "
            "the tables), or `loader: module:function` returning (X_df, y_df)"
        )
        out.append(Finding("missing", "data.splits", fix + "."))
    return out


def _package_layout(project) -> list[Finding]:
    out = []
    contrib = project.contrib_dir
    if not contrib.is_dir():
        return [
            Finding(
                "missing",
                project.contrib_module_path,
                "The contrib folder does not exist; `jupyter-ext init` creates it.",
            )
        ]
    # Ballet imports features as <package>.features.contrib.user_x.feature_y: every
    # folder from the package root down to contrib needs an __init__.py.
    package_root = _package_root(project)
    if package_root is not None:
        folder = contrib
        while True:
            if not (folder / "__init__.py").is_file():
                rel = project.relative(folder / "__init__.py")
                out.append(
                    Finding("missing", rel, "Missing __init__.py: the features can't be imported.")
                )
            if folder == package_root:
                break
            folder = folder.parent
    return out


def _package_root(project) -> Path | None:
    """The folder of the top-level package named by contrib.module_name, if the
    module path ends with the module name's folders."""
    parts = project.contrib_module_name.split(".")
    path = project.contrib_dir
    if tuple(path.parts[-len(parts) :]) != tuple(parts):
        return None
    for _ in parts[1:]:
        path = path.parent
    return path


def _features(project) -> list[Finding]:
    out = []
    contrib = project.contrib_dir
    strays = []
    for path in sorted(contrib.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.name == "__init__.py":
            continue
        rel = path.relative_to(contrib).parts
        ok = len(rel) == 2 and _USER_DIR.match(rel[0]) and _FEATURE_FILE.match(rel[1])
        if not ok:
            strays.append(project.relative(path))
    if strays:
        out.append(
            Finding(
                "error",
                project.contrib_module_path,
                "Files that break the contrib layout (user_<login>/feature_<name>.py): "
                + ", ".join(strays[:10])
                + (" ..." if len(strays) > 10 else ""),
            )
        )
    count = len(project.feature_files())
    out.append(
        Finding(
            "ok" if count else "note",
            project.contrib_module_path,
            f"{count} feature{'' if count == 1 else 's'}",
        )
    )
    return out


def _data(project) -> list[Finding]:
    data = project.data
    if data.loader:
        return [Finding("ok", "data.loader", f"data comes from {data.loader}")]
    split = project.split
    if split not in data.splits:
        return []  # reported with the config keys
    tables = {t.name: t for t in data.tables}
    out = []
    for role, table_name in (("entities", data.entities_table), ("targets", data.targets_table)):
        spec = tables.get(table_name)
        if spec is None:
            out.append(
                Finding(
                    "missing",
                    "data.tables",
                    f"No table named {table_name!r} (the {role} table) in data.tables.",
                )
            )
            continue
        path = project.root / data.splits[split] / spec.path
        if not path.is_file():
            out.append(
                Finding(
                    "missing",
                    project.relative(path),
                    f"The {split} split's {role} table is missing: put the "
                    + ("raw columns, one row per entity," if role == "entities" else "target")
                    + f" in {project.relative(path)}.",
                )
            )
        else:
            out.append(Finding("ok", project.relative(path), f"{role} table of split {split!r}"))
    return out


def _ci(root: Path) -> list[Finding]:
    out = []
    if (root / WORKFLOW_PATH).is_file():
        out.append(Finding("ok", WORKFLOW_PATH, "CI validates pull requests with jupyter-ext"))
    else:
        out.append(
            Finding(
                "missing",
                WORKFLOW_PATH,
                "No CI workflow: pull requests are not validated. `jupyter-ext init` writes it.",
            )
        )
    travis = root / ".travis.yml"
    if travis.is_file() and "ballet" in travis.read_text(encoding="utf-8", errors="replace"):
        out.append(
            Finding(
                "note",
                ".travis.yml",
                "Ballet's Travis CI config: the jupyter-ext workflow replaces it "
                "(Ballet needs pandas<2 and scikit-learn<1.2 to install).",
            )
        )
    if not _is_git_repo(root):
        out.append(
            Finding(
                "note",
                ".git",
                "Not a git repository: `jupyter-ext validate --diff` and CI need one (git init).",
            )
        )
    return out


def _is_git_repo(root: Path) -> bool:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=root,
            capture_output=True,
            text=True,
        )
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == "true"


def default_branch(root: Path) -> str | None:
    """The branch CI should treat as the default: origin's HEAD, else the current branch."""
    for args in (
        ["git", "symbolic-ref", "--short", "refs/remotes/origin/HEAD"],
        ["git", "symbolic-ref", "--short", "HEAD"],
    ):
        try:
            result = subprocess.run(args, cwd=root, capture_output=True, text=True)
        except OSError:
            return None
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip().removeprefix("origin/")
    return None
