"""`jupyter-ext discover`: the project's features and the columns they leave unexplored.

    jupyter-ext discover [--project DIR] [--json]

The same view as the panel's Project tab (`GET /jupyter-ext/features`), computed by the same
worker with the same cache: every existing feature with its author and how much it tells
about the target, then the raw columns no feature (or one) reads ranked by what they tell
beyond the existing features, then every column's coverage. `--json` prints the view as the
endpoint returns it. Exit status: 0, or 2 when the view could not be computed.

Top-level imports stay light: this module is imported to build `jupyter-ext --help`.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_ERROR = 0, 2
BAR_WIDTH = 16


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project", default=".", help="project folder (or any folder inside it); default: ."
    )
    parser.add_argument("--json", action="store_true", help="print the view as one JSON object")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds the view may take (default 600)"
    )
    parser.add_argument(
        "--memory-limit-mb", type=int, default=4096, help="worker memory limit (default 4096)"
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
    view = asyncio.run(_discover(args, project.root))
    if view.get("error"):
        error = view["error"]
        return _fail(args, f"{error.get('kind')}: {error.get('message')}")
    if args.json:
        print(json.dumps(view, indent=2))
    else:
        print(render_human(view))
    return EXIT_OK


async def _discover(args, root) -> dict:
    from ..services.discovery import failed_view
    from .runner import ValidationWorker, WorkerFailure, WorkerOptions

    options = WorkerOptions(
        python=args.python or sys.executable,
        timeout_s=args.timeout,
        memory_limit_mb=args.memory_limit_mb,
        startup_timeout_s=max(60.0, args.timeout),
    )
    worker = ValidationWorker(root, options)
    try:
        return await worker.discover()
    except WorkerFailure as failure:
        return failed_view(failure)
    finally:
        await worker.stop()


def _fail(args, message: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"error": {"kind": "error", "message": message}}))
    else:
        print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


# -- human-readable output --------------------------------------------------------------


def render_human(view: dict) -> str:
    p = view.get("project") or {}
    d = view.get("data") or {}
    lines = [
        f"Project: {p.get('name')} ({p.get('problem_type')}, target {view.get('target')})",
        f"Data: {d.get('rows')} rows x {d.get('columns')} columns; estimates on "
        f"{d.get('estimation_rows')} rows, in nats; noise floor {_n(view.get('noise_floor'))}",
    ]
    if view.get("partial"):
        lines.append(
            "Partial: the time budget ran out before every column was estimated; "
            "run again to continue."
        )

    features = view.get("features") or []
    lines += ["", f"Features ({len(features)})"]
    rows = [
        [
            f["name"],
            f.get("author") or "",
            _short(", ".join(f.get("input") or []), 40),
            _n(f.get("mutual_information")),
            _n(f.get("conditional_mutual_information")),
            f["path"],
        ]
        for f in sorted(features, key=lambda f: -(f.get("mutual_information") or 0))
    ]
    lines += _table(["feature", "author", "inputs", "I(f;y)", "I(f;y|rest)", "file"], rows)
    for f in view.get("failed") or []:
        lines.append(f"  could not compute {f['path']}: {f['message']}")

    few = view.get("few_features", 1)
    unexplored = view.get("unexplored") or []
    lines += [
        "",
        f"Unexplored columns (read by at most {few} feature), most information beyond the "
        "features first; * above the noise floor",
    ]
    top = max((u.get("conditional_mutual_information") or 0 for u in unexplored), default=0)
    rows = [
        [
            str(u["rank"]),
            u["name"] + (" *" if u.get("informative") else ""),
            u["type"],
            _pct(u.get("missing_fraction")),
            str(u["feature_count"]),
            _n(u.get("mutual_information")),
            _n(u.get("conditional_mutual_information")),
            _bar(u.get("conditional_mutual_information"), top),
        ]
        for u in unexplored
    ]
    header = ["rank", "column", "type", "missing", "features", "I(c;y)", "I(c;y|features)", ""]
    lines += _table(header, rows) if rows else ["  (none: every column is covered)"]

    columns = sorted(view.get("columns") or [], key=lambda c: c["rank"])
    lines += ["", f"Column coverage ({len(columns)} columns, by information beyond the features)"]
    top = max((c.get("conditional_mutual_information") or 0 for c in columns), default=0)
    rows = [
        [
            str(c["rank"]),
            c["name"],
            c["type"],
            _pct(c.get("missing_fraction")),
            str(c["feature_count"]),
            _n(c.get("mutual_information")),
            _n(c.get("conditional_mutual_information")),
            _bar(c.get("conditional_mutual_information"), top) or (c.get("note") or ""),
        ]
        for c in columns
    ]
    lines += _table(header, rows)
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  " + "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip()] + [fmt.format(*r).rstrip() for r in rows]


def _n(value) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"


def _pct(value) -> str:
    return f"{100 * value:.0f}%" if isinstance(value, (int, float)) else "-"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _bar(value, top: float) -> str:
    if not isinstance(value, (int, float)) or top <= 0 or value <= 0:
        return ""
    return "█" * max(1, round(BAR_WIDTH * value / top))
