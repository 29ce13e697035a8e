"""Compatibility sweep: run real Ballet feature modules through jupyter-ext's validation.

    .venv/bin/python -m benchmarks.compat_sweep MIRROR [--under PATH] [--project DIR]
                     [--out FILE.json] [--match SUBSTRING] [--limit N] [--scoring]

MIRROR is a git directory of a public Ballet project (bare, or a work tree's `.git`), e.g.
`/work/.mirror/micahjsmith+ballet-ames-notebooks/repo/.git` (~310 Ames feature modules under
`features/user_*/`) or `/work/.mirror/ballet+predict-house-prices/repo`. Every
`feature_*.py` at HEAD (under `--under` when given) is read with `git show` (nothing is
copied into this repository) and sent, as module source, to the same validation worker the
Jupyter panel and `jupyter-ext validate` use (`validation/runner.py` -> `worker.py`): one
worker process for the whole sweep, requests one at a time, so the project's data and
existing features are loaded once.

The project is the demo's Ames project (`jupyter_ext.demo.project.build_project`, written to a
temporary folder; `--project DIR` uses an existing one instead), with the scoring stage turned
off (it never changes a verdict and would triple the run time; `--scoring` keeps it).
Acceptance (GFSSF) is judged against the demo's six seed features.

Printed: how many modules loaded (IsSelfContainedCheck and IsFeatureCheck passed), passed
every check, were accepted; failures grouped by the first failing check and its message
(numbers blanked so similar failures group), and worker errors (timeouts, crashes: these are
always our bugs). `--out` writes every module's report summary as JSON.

Not part of `make test` (it takes minutes); tests/test_real_features.py holds small
self-written modules for each failure pattern this sweep found.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FEATURE_FILE = re.compile(r"(^|/)feature_[A-Za-z0-9_]+\.py$")
LOAD_CHECKS = ("IsSelfContainedCheck", "IsFeatureCheck")


def list_feature_files(mirror: str, under: str | None) -> list[str]:
    """Paths of `feature_*.py` files at HEAD of the git directory `mirror`."""
    out = subprocess.run(
        ["git", "--git-dir", mirror, "ls-tree", "-r", "--name-only", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    paths = [p for p in out.splitlines() if FEATURE_FILE.search(p)]
    if under:
        prefix = under.rstrip("/") + "/"
        paths = [p for p in paths if p.startswith(prefix)]
    return sorted(paths)


def read_file(mirror: str, path: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", mirror, "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def make_project(folder: Path, scoring: bool) -> Path:
    """The demo's Ames project in `folder`, with scoring off unless asked for."""
    from jupyter_ext.demo.project import PROJECT_SLUG, build_project

    root = folder / PROJECT_SLUG
    build_project(root)
    if not scoring:
        config = root / "ballet.yml"
        text = config.read_text(encoding="utf-8")
        if "scoring:" not in text:
            text = text.replace(
                "\nvalidation:\n", "\nvalidation:\n  scoring: {enabled: false}\n", 1
            )
            config.write_text(text, encoding="utf-8")
    return root


def summarize(report: dict) -> dict:
    """What the sweep keeps of one validation report."""
    checks = report.get("checks") or []
    failed = [c for c in checks if not c["passed"] and not c["skipped"]]
    by_name = {c["name"]: c for c in checks}
    loaded = bool(checks) and all(by_name.get(n, {}).get("passed") for n in LOAD_CHECKS)
    acceptance = report.get("acceptance") or {}
    return {
        "loaded": loaded,
        "checks_passed": bool(checks) and not failed,
        "failed_checks": [
            {"name": c["name"], "message": c["message"], "advice": c["advice"], "line": c["line"]}
            for c in failed
        ],
        "accepted": acceptance.get("accepted"),
        "statistic": acceptance.get("statistic"),
        "threshold": acceptance.get("threshold"),
        "acceptance_error": (acceptance.get("details") or {}).get("error"),
        "output": (report.get("feature") or {}).get("output"),
        "error": report.get("error"),
        "worker_ms": (report.get("timings_ms") or {}).get("worker_total"),
    }


def cause(entry: dict) -> str | None:
    """A grouping key for why a module did not pass its checks (None if it did)."""
    if entry.get("worker_failure"):
        return f"worker {entry['worker_failure']['kind']}"
    if entry.get("error"):
        return f"error {entry['error'].get('kind')}: {_blank(entry['error'].get('message'))}"
    if entry["failed_checks"]:
        first = entry["failed_checks"][0]
        return f"{first['name']}: {_blank(first['message'])}"
    return None


def _blank(message: str | None) -> str:
    """The message with numbers and quoted values blanked, cut short, for grouping."""
    text = re.sub(r"'[^']*'", "'…'", message or "")
    text = re.sub(r"\d+(\.\d+)?", "N", text)
    text = re.sub(r"\(line N of the feature's code\)", "", text)
    return text.strip()[:110]


async def sweep(mirror: str, paths: list[str], root: Path, timeout: float) -> list[dict]:
    from jupyter_ext.validation.runner import ValidationWorker, WorkerFailure, WorkerOptions

    worker = ValidationWorker(root, WorkerOptions(timeout_s=timeout, startup_timeout_s=120))
    results = []
    try:
        await worker.request("warm", timeout_s=600)
        for i, path in enumerate(paths, 1):
            source = read_file(mirror, path)
            started = time.perf_counter()
            entry: dict = {"path": path}
            try:
                report = await worker.request(
                    "validate", source=source, filename=f"{Path(mirror).parent.name}/{path}"
                )
            except WorkerFailure as failure:
                entry.update(
                    loaded=False,
                    checks_passed=False,
                    failed_checks=[],
                    accepted=None,
                    worker_failure=failure.to_json(),
                )
            else:
                entry.update(summarize(report))
            entry["seconds"] = round(time.perf_counter() - started, 2)
            entry["cause"] = cause(entry)
            results.append(entry)
            mark = "ok" if entry["checks_passed"] else "FAIL"
            verdict = {True: "accepted", False: "rejected", None: "-"}[entry.get("accepted")]
            print(
                f"[{i}/{len(paths)}] {path}: {mark} {verdict} {entry['seconds']}s"
                + (f"  <- {entry['cause']}" if entry["cause"] else ""),
                flush=True,
            )
    finally:
        await worker.stop()
    return results


def report_text(results: list[dict]) -> str:
    n = len(results)
    loaded = sum(r["loaded"] for r in results)
    passed = sum(r["checks_passed"] for r in results)
    accepted = sum(r.get("accepted") is True for r in results)
    crashes = [r for r in results if r.get("worker_failure")]
    lines = [
        f"modules: {n}",
        f"loaded (IsSelfContained + IsFeature): {loaded}",
        f"pass all checks: {passed}",
        f"accepted: {accepted} (rejected: {passed - accepted})",
        f"worker errors (timeouts/crashes): {len(crashes)}",
    ]
    causes = collections.Counter(r["cause"] for r in results if r["cause"])
    if causes:
        lines.append("failures by cause:")
        for text, count in causes.most_common():
            example = next(r["path"] for r in results if r["cause"] == text)
            lines.append(f"  {count:4d}  {text}   (e.g. {example})")
    reasons = collections.Counter(
        r["acceptance_error"] for r in results if r.get("acceptance_error")
    )
    if reasons:
        lines.append("acceptance errors: " + ", ".join(f"{k}: {v}" for k, v in reasons.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compat_sweep", description=__doc__)
    parser.add_argument("mirror", help="git directory of a Ballet project (bare or .git)")
    parser.add_argument("--under", help="only feature files under this folder of the repository")
    parser.add_argument("--project", type=Path, help="validate against this project instead")
    parser.add_argument("--out", type=Path, help="write per-module results here (JSON)")
    parser.add_argument("--match", help="only paths containing this substring")
    parser.add_argument("--limit", type=int, help="only the first N modules")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per module")
    parser.add_argument("--scoring", action="store_true", help="keep the scoring stage on")
    args = parser.parse_args(argv)

    paths = list_feature_files(args.mirror, args.under)
    if args.match:
        paths = [p for p in paths if args.match in p]
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        print(f"No feature_*.py files found in {args.mirror}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compat-sweep-") as tmp:
        root = args.project.resolve() if args.project else make_project(Path(tmp), args.scoring)
        results = asyncio.run(sweep(args.mirror, paths, root, args.timeout))
    summary = report_text(results)
    print("\n" + summary)
    print(f"total: {time.perf_counter() - started:.0f} s")
    if args.out:
        args.out.write_text(
            json.dumps({"mirror": args.mirror, "summary": summary, "results": results}, indent=1)
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
