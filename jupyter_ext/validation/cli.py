"""`jupyter-ext validate`: the panel's validation engine, for contributors and CI.

    jupyter-ext validate [--project DIR] FEATURE.py ...     validate feature modules
    jupyter-ext validate [--project DIR] --diff BASE        a pull request: Ballet's project
                                                            structure rules on
                                                            `git diff BASE...HEAD`, then its
                                                            new feature module
    jupyter-ext validate [--project DIR] --prune            existing features made redundant

The work runs in the same worker subprocess as the Jupyter panel's (same timeout, crash and
memory handling, same cache), so the panel and CI never disagree. Human-readable output by
default, `--json` for machines. Exit status: 0 accepted, 1 rejected, 2 error (no verdict).

Top-level imports stay light: this module is imported to build `jupyter-ext --help`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

EXIT_ACCEPT, EXIT_REJECT, EXIT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("features", nargs="*", metavar="FEATURE.py", help="feature modules")
    parser.add_argument(
        "--project", default=".", help="project folder (or any folder inside it); default: ."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--diff",
        metavar="BASE",
        help="validate the pull request HEAD makes against BASE (a branch, tag or commit)",
    )
    mode.add_argument(
        "--prune", action="store_true", help="list existing features that others make redundant"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds per feature (default 300)"
    )
    parser.add_argument(
        "--memory-limit-mb", type=int, default=4096, help="worker memory limit (default 4096)"
    )
    parser.add_argument(
        "--fit-time-budget", type=float, default=30.0, help="seconds one fit may take (30)"
    )
    parser.add_argument(
        "--python", default=None, help="interpreter for the worker (default: this one)"
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from ..core.project import ProjectError, find_project_root, load_project

    root = find_project_root(args.project)
    if root is None:
        return _fail(args, f"No ballet.yml found in {args.project} or any folder above it.")
    try:
        project = load_project(root)
    except ProjectError as err:
        return _fail(args, err.message)
    if not (args.features or args.diff or args.prune):
        return _fail(args, "Nothing to validate: give FEATURE.py files, --diff BASE or --prune.")
    if args.features and (args.diff or args.prune):
        return _fail(args, "Give either FEATURE.py files or --diff/--prune, not both.")
    return asyncio.run(_run(args, project))


async def _run(args, project) -> int:
    from .runner import ValidationWorker, WorkerFailure, WorkerOptions

    options = WorkerOptions(
        python=args.python or sys.executable,
        timeout_s=args.timeout,
        memory_limit_mb=args.memory_limit_mb,
        fit_time_budget_s=args.fit_time_budget,
        startup_timeout_s=max(60.0, args.timeout),
    )
    worker = ValidationWorker(project.root, options)
    try:
        if args.prune:
            try:
                result = await worker.request("prune")
            except WorkerFailure as failure:
                return _fail(args, f"{failure.kind}: {failure.message}")
            _print_prune(args, project, result)
            return EXIT_ACCEPT

        structure = None
        targets: list[tuple[str, Path]] = []
        if args.diff:
            try:
                changes = git_changes(project.root, args.diff)
            except RuntimeError as err:
                return _fail(args, str(err))
            from .checks import check_project_structure

            structure = check_project_structure(
                changes,
                project.contrib_module_path,
                is_empty=lambda rel: _is_empty(project.root / rel),
            )
            structure["base"] = args.diff
            targets = [(rel, project.root / rel) for rel in structure["feature_files"]]
        else:
            for name in args.features:
                path = Path(name).resolve()
                targets.append((project.relative(path), path))

        results = []
        for rel, path in targets:
            entry: dict = {"file": rel}
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                entry["report"] = _error_report("exception", f"Cannot read {path}: {err}")
                results.append(entry)
                continue
            payload = {"source": source, "filename": str(path)}
            if not rel.startswith(".."):
                payload["path"] = rel
            try:
                entry["report"] = await worker.request("validate", **payload)
            except WorkerFailure as failure:
                entry["report"] = _error_report(failure.kind, failure.message)
            results.append(entry)
    finally:
        await worker.stop()

    code = _exit_code(structure, results)
    output = {
        "project": project.summary(),
        "structure": structure,
        "features": results,
        "verdict": {EXIT_ACCEPT: "accepted", EXIT_REJECT: "rejected", EXIT_ERROR: "error"}[code],
        "exit_code": code,
    }
    if args.json:
        print(json.dumps(output, indent=2))
    else:
        print(render_human(output))
    return code


def _exit_code(structure: dict | None, results: list[dict]) -> int:
    if any(r["report"].get("error") for r in results):
        return EXIT_ERROR
    if structure is not None and not structure["passed"]:
        return EXIT_REJECT
    if not results or not all(r["report"].get("passed") for r in results):
        return EXIT_REJECT
    return EXIT_ACCEPT


def _error_report(kind: str, message: str) -> dict:
    return {
        "passed": False,
        "checks": [],
        "acceptance": None,
        "error": {"kind": kind, "message": message},
    }


def _is_empty(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8").strip() == ""
    except (OSError, UnicodeDecodeError):
        return False


def git_changes(project_root: Path, base: str) -> list:
    """Files HEAD changes relative to its merge base with `base`, as project-relative paths."""
    from .checks import FileChange

    def git(*cmd: str) -> str:
        proc = subprocess.run(
            ["git", "-C", str(project_root), *cmd], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"git {' '.join(cmd)} failed: {proc.stderr.strip()}")
        return proc.stdout

    top = Path(git("rev-parse", "--show-toplevel").strip()).resolve()
    out = git("diff", "--name-status", "--no-renames", f"{base}...HEAD")
    changes = []
    root = project_root.resolve()
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        status, path = parts[0], parts[-1]
        absolute = top / path
        try:
            rel = absolute.relative_to(root).as_posix()
        except ValueError:
            rel = Path("..", path).as_posix() if top != root else path
        changes.append(FileChange(status=status[:1], path=rel))
    return changes


def _fail(args, message: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"verdict": "error", "exit_code": EXIT_ERROR, "message": message}))
    else:
        print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


# -- human-readable output --------------------------------------------------------------


def render_human(output: dict) -> str:
    lines: list[str] = []
    p = output.get("project") or {}
    lines.append(
        f"Project: {p.get('name')} ({p.get('problem_type')}, {p.get('feature_count')} features, "
        f"accepter {p.get('accepter')})"
    )
    structure = output.get("structure")
    if structure is not None:
        lines.append("")
        lines.append(f"Project structure (git diff {structure.get('base')}...HEAD)")
        if not structure["files"]:
            lines.append("  (no changed files)")
        for f in structure["files"]:
            mark = "ok" if f["passed"] else "FAIL"
            lines.append(f"  {f['status']}  {f['path']}  {mark}")
            for c in f["checks"]:
                if not c["passed"]:
                    lines.append(f"       FAIL {c['name']}: {c['message']}")
                    lines.append(f"            {c['advice']}")
        for c in structure["checks"]:
            if not c["passed"]:
                lines.append(f"  FAIL {c['name']}: {c['message']} {c['advice']}")
    for entry in output.get("features", []):
        lines.append("")
        lines.extend(_render_report(entry["file"], entry["report"]))
    lines.append("")
    lines.append(f"Verdict: {output['verdict'].upper()}")
    return "\n".join(lines)


def _render_report(file: str, report: dict) -> list[str]:
    lines = [f"Feature module: {file}"]
    feature = report.get("feature") or {}
    if feature.get("name"):
        outputs = ", ".join(feature.get("output") or [])
        lines.append(f"  Name: {feature['name']}    Output: {outputs}")
    data = report.get("data")
    if data:
        lines.append(
            f"  Data: {data.get('split')} split, {data.get('rows')} rows, "
            f"{str(data.get('fingerprint'))[:19]}..."
        )
    checks = report.get("checks") or []
    if checks:
        width = max(len(c["name"]) for c in checks)
        for c in checks:
            mark = "PASS" if c["passed"] else ("SKIP" if c.get("skipped") else "FAIL")
            # A passed check may carry a note (a name another feature uses).
            detail = f"  {c.get('message') or ''}"
            lines.append(f"  {mark}  {c['name']:<{width}}{detail}".rstrip())
            if not c.get("skipped") and c.get("advice"):
                label = "suggestion" if c["passed"] else "advice"
                lines.append(f"        {label}: {c['advice']}")
    acceptance = report.get("acceptance")
    if acceptance:
        verdict = "ACCEPTED" if acceptance.get("accepted") else "REJECTED"
        lines.append(
            f"  Acceptance ({acceptance.get('accepter')}): {verdict}  statistic "
            f"{_num(acceptance.get('statistic'))} vs threshold {_num(acceptance.get('threshold'))}"
        )
        if acceptance.get("reason"):
            lines.append(f"        {acceptance['reason']}")
        if acceptance.get("redundant"):
            lines.append(f"        would make redundant: {', '.join(acceptance['redundant'])}")
    from ..core.score_summary import score_details, score_headline

    headline = score_headline(report.get("score"))
    if headline:
        lines.append(f"  Model score: {headline}")
        details = score_details(report.get("score"))
        if details:
            lines.append(f"        {details}")
    error = report.get("error")
    if error:
        lines.append(f"  ERROR ({error.get('kind')}): {error.get('message')}")
    timings = report.get("timings_ms") or {}
    if timings:
        shown = ", ".join(
            f"{k} {v:.0f} ms" for k, v in timings.items() if isinstance(v, (int, float))
        )
        lines.append(f"  Timings: {shown}")
    result = "ERROR" if error else ("ACCEPTED" if report.get("passed") else "REJECTED")
    lines.append(f"  Result: {result}")
    return lines


def _num(value) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float)) else str(value)


def _print_prune(args, project, result: dict) -> None:
    if args.json:
        print(json.dumps({"project": project.summary(), **result}, indent=2))
        return
    print(
        f"Project: {project.name} ({result.get('features')} features, pruner {result.get('pruner')})"
    )
    redundant = result.get("redundant") or []
    if not redundant:
        print("No existing feature is redundant.")
    for r in redundant:
        print(f"  redundant: {r['name']}  ({r['path']})")
    for f in result.get("failed") or []:
        print(f"  could not compute {f['path']}: {f['message']}")
