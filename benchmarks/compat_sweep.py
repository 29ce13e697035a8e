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

`--synthetic ROWS` validates against the mirror's own project instead, on made-up data (for
projects whose data is not available offline, e.g. ballet/predict-census-income): its
`ballet.yml` and `features/encoder.py` are written to a temporary folder, with an entities
table of ROWS rows holding every column the feature modules name (in `input`, or quoted in
their code) and a targets table with `--target` (default PINCP). Values are small integer
codes with 15% missing unless `SYNTHETIC_COLUMNS` knows the column's range (ACS codes for
the census columns); verdicts on such data mean nothing, loading and the API checks do.

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


# ACS PUMS columns used by ballet/predict-census-income's features: (low, high, missing share).
SYNTHETIC_COLUMNS: dict[str, tuple[float, float, float]] = {
    "AGEP": (0, 95, 0.0),
    "SCHL": (1, 24, 0.03),
    "SCHG": (1, 16, 0.75),
    "JWAP": (1, 285, 0.5),
    "JWDP": (1, 150, 0.5),
    "JWMNP": (1, 200, 0.5),
    "JWRIP": (1, 10, 0.5),
    "JWTR": (1, 12, 0.5),
    "WKHP": (1, 99, 0.45),
    "WKW": (1, 6, 0.45),
    "WKL": (1, 3, 0.1),
    "POVPIP": (0, 501, 0.02),
    "TAXAMT": (1, 68, 0.4),
    "GRNTP": (4, 5000, 0.7),
    "VALP": (100, 5_000_000, 0.4),
    "NP": (1, 20, 0.0),
    "ANC1P": (1, 999, 0.0),
    "OCCP": (10, 9920, 0.0),  # identity features on OCCP and FS passed Ballet's NaN check
    "FS": (1, 2, 0.0),
    "RMSP": (1, 20, 0.05),
    "MRGP": (4, 5000, 0.6),
    "MHP": (4, 5000, 0.95),
    "GASP": (1, 500, 0.3),
    "FULP": (1, 3000, 0.3),
    "ELEP": (1, 1000, 0.1),
    "RNTP": (4, 5000, 0.7),
    "PINCP": (0, 400_000, 0.0),
}
WEIGHT_COLUMN = re.compile(r"^WGTP\d+$")  # replicate weights: 0..500, never missing


def synthetic_project(folder: Path, mirror: str, paths: list[str], rows: int, target: str) -> Path:
    """The mirror's project (config and target encoder) on made-up data with its columns."""
    import numpy as np
    import pandas as pd

    root = folder / "synthetic-project"
    listing = subprocess.run(
        ["git", "--git-dir", mirror, "ls-tree", "-r", "--name-only", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    wanted = ["ballet.yml"] + [p for p in listing if p.endswith("features/encoder.py")]
    for rel in wanted:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(read_file(mirror, rel), encoding="utf-8")
    columns = sorted(set().union(*(_named_columns(read_file(mirror, p)) for p in paths)))
    rng = np.random.default_rng(0)
    entities = {}
    for col in columns:
        if WEIGHT_COLUMN.match(col):
            entities[col] = rng.integers(0, 501, rows).astype(float)
            continue
        low, high, missing = SYNTHETIC_COLUMNS.get(col, (1, 9, 0.15))
        values = rng.integers(int(low), int(high) + 1, rows).astype(float)
        values[rng.random(rows) < missing] = np.nan
        entities[col] = values
    low, high, _ = SYNTHETIC_COLUMNS.get(target, (0, 1, 0.0))
    targets = {target: rng.integers(int(low), int(high) + 1, rows)}
    data = root / "data" / "train"
    data.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(entities).to_csv(data / "entities.csv")
    pd.DataFrame(targets).to_csv(data / "targets.csv")
    print(f"synthetic project: {rows} rows x {len(columns)} columns in {root}", flush=True)
    return root


def _named_columns(source: str) -> set[str]:
    """Column names a feature module uses: its `input` list and quoted ALL-CAPS names."""
    import ast

    names = set(re.findall(r"[\"']([A-Z][A-Z0-9]{1,9})[\"']", source))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return names
    for node in ast.walk(tree):  # input = [...] / "WGTP{}".format(i + 1) loops
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(r"[A-Z][A-Z0-9]{1,9}\{\}", node.value):
                names.update(node.value.replace("{}", str(i)) for i in range(1, 81))
    return names


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
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="ROWS",
        help="the mirror's own project on ROWS rows of made-up data (see above)",
    )
    parser.add_argument("--target", default="PINCP", help="target column for --synthetic")
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
        if args.project:
            root = args.project.resolve()
        elif args.synthetic:
            root = synthetic_project(Path(tmp), args.mirror, paths, args.synthetic, args.target)
        else:
            root = make_project(Path(tmp), args.scoring)
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
