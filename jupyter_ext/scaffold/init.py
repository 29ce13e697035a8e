"""`jupyter-ext init [DIR]`: make a folder a project, or check an existing one.

In a folder without `ballet.yml` it writes the Ballet layout: `ballet.yml`, the
package with `load_data` and the contrib folder, the CI workflow, a
`.gitignore`. In an existing (Ballet) project it never touches `ballet.yml`;
it adds only what is missing and safe to add (the CI workflow, `__init__.py`
files) and reports the rest. Existing files are never overwritten.
`--check` writes nothing and exits 1 when something blocks validation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

LOAD_DATA_TEMPLATE = '''\
"""Load this project's data: `(X_df, y_df)` for a split.

Reads the files ballet.yml names (data.splits + data.tables); change both
together if the data moves, or name a loader function in ballet.yml instead.
"""

from pathlib import Path

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def load_data(split="train", input_dir=None):
    """The raw columns (entities) and the target of `split`, or of `input_dir`."""
    input_dir = Path(input_dir) if input_dir is not None else PROJECT_ROOT / "data" / split
    X_df = pd.read_csv(input_dir / "entities.csv", index_col=0)
    y_df = pd.read_csv(input_dir / "targets.csv", index_col=0)
    return X_df, y_df
'''

GITIGNORE = """\
__pycache__/
*.py[cod]
*.egg-info/
.ipynb_checkpoints/
# jupyter-ext: cached feature values of the validation worker
.jupyter-ext/
"""

LEVEL_MARKS = {"ok": "ok  ", "note": "note", "missing": "MISSING", "error": "ERROR"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", help="the project folder (default: .)")
    parser.add_argument("--check", action="store_true", help="report only; write nothing")
    parser.add_argument("--name", help="project name (default: from the folder name)")
    parser.add_argument("--package", help="Python package name (default: from the name)")
    parser.add_argument("--owner", help="GitHub owner of the upstream repository")
    parser.add_argument(
        "--problem-type", choices=("regression", "classification"), default="regression"
    )
    parser.add_argument("--scorer", help="sklearn scorer name (default depends on problem type)")
    parser.add_argument(
        "--branch", help="default branch CI validates against (default: from git, else main)"
    )


def run(args: argparse.Namespace) -> int:
    from .checks import check_project, default_branch

    root = Path(args.dir).expanduser().resolve()
    if args.check:
        if not root.is_dir():
            print(f"error: {root} is not a folder", file=sys.stderr)
            return 2
        findings = check_project(root)
        print_findings(root, findings)
        return 1 if any(f.blocking for f in findings) else 0

    root.mkdir(parents=True, exist_ok=True)
    branch = args.branch or default_branch(root) or "main"
    if (root / "ballet.yml").is_file():
        written = complete_existing(root, branch)
        print(f"Existing project in {root}: ballet.yml left as it is.")
    else:
        written = create_project(root, args, branch)
        if init_git(root, branch):
            written.append(f".git (git init, branch {branch})")
        print(f"New project in {root}.")
    for rel in written:
        print(f"  wrote {rel}")
    findings = check_project(root)
    print_findings(root, findings)
    if any(f.blocking for f in findings):
        print("\nFix the MISSING/ERROR items above, then run `jupyter-ext init --check`.")
    return 0


def create_project(root: Path, args: argparse.Namespace, branch: str) -> list[str]:
    from .config import ProjectSettings, render_ballet_yml
    from .workflow import WORKFLOW_PATH, render_workflow

    settings = ProjectSettings.for_directory(
        args.name or root.name,
        package_slug=args.package,
        github_owner=args.owner,
        problem_type=args.problem_type,
        scorer=args.scorer,
    )
    if args.name:
        settings.project_name = args.name
    pkg = f"src/{settings.package_slug}"
    files = {
        "ballet.yml": render_ballet_yml(settings),
        f"{pkg}/__init__.py": f'"""{settings.project_name}."""\n',
        f"{pkg}/load_data.py": LOAD_DATA_TEMPLATE,
        f"{pkg}/features/__init__.py": '"""Features: one module per feature under contrib/."""\n',
        f"{settings.contrib_module_path}/__init__.py": "",
        WORKFLOW_PATH: render_workflow(branch),
        ".gitignore": GITIGNORE,
    }
    return write_missing(root, files)


def init_git(root: Path, branch: str) -> bool:
    """`git init` a new project that isn't in a repository yet (CI diffs need one)."""
    import subprocess

    from .checks import _is_git_repo

    if _is_git_repo(root):
        return False
    try:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True, capture_output=True)
        subprocess.run(
            ["git", "symbolic-ref", "HEAD", f"refs/heads/{branch}"],
            cwd=root,
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return False  # reported by the checks as a note
    return True


def complete_existing(root: Path, branch: str) -> list[str]:
    """Add the CI workflow and missing `__init__.py` files to an existing project."""
    from ..core.project import ProjectError, load_project
    from .checks import _package_root
    from .workflow import WORKFLOW_PATH, render_workflow

    files = {WORKFLOW_PATH: render_workflow(branch)}
    try:
        project = load_project(root)
    except ProjectError:
        return write_missing(root, files)  # the config error is reported by the checks
    package_root = _package_root(project)
    folder = project.contrib_dir
    if package_root is not None:
        while True:
            files[project.relative(folder / "__init__.py")] = ""
            if folder == package_root:
                break
            folder = folder.parent
    return write_missing(root, files)


def write_missing(root: Path, files: dict[str, str]) -> list[str]:
    written = []
    for rel, text in files.items():
        path = root / rel
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(rel)
    return written


def print_findings(root: Path, findings) -> None:
    print(f"\nProject check of {root}:")
    for f in findings:
        print(f"  [{LEVEL_MARKS.get(f.level, f.level)}] {f.subject}: {f.message}")
