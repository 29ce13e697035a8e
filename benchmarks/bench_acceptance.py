"""Acceptance speed and verdicts: ours vs Ballet 0.19.5, side by side on the same data.

    .venv/bin/python -m benchmarks.bench_acceptance [--quick]
    (also: python -m benchmarks --only acceptance [--quick]; make benchmarks)

Generates synthetic data deterministically (saved as .npy under build/bench-acceptance/),
then runs every operation in a fresh process per side, one process at a time: ours with this
interpreter, Ballet with its own venv (`benchmarks.ballet_env`, created on first use, ~3 min).

The data: 10 one-column features from a 4-factor model (engineered features of one entity
are correlated; standardised), a binary target y = [f0 + f1 - f2 (scaled to unit variance) + h
+ noise/2 > 0] where h is a hidden
signal no feature has, and three candidates: `signal` (h measured with noise), `noise`
(random numbers) and `copy` (an exact copy of f3); plus a five-column one-hot feature for
Ballet's negative-threshold case. Our-only rows repeat the timings on independent features,
the worst case for k-d trees.

Operations (goals from issue 3): GFSSF accept path at 10k rows (>= 50x faster than Ballet),
GFSSF reject path at 10k rows (>= 100x), one CMI with 10 conditioning columns at 30k rows
(< 0.5 s), GFSSF accept + pruning, verdicts on noise / signal / copy (GFSSF and
MutualInformation(0.05)), and the peak RSS of each side's process. `--quick` shrinks the
sizes (the table shows the sizes used). Results also go to benchmarks/results/acceptance.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO / "build" / "bench-acceptance"
RESULTS = HERE / "results" / "acceptance.json"

FULL = {"accept": 10_000, "reject": 10_000, "prune": 10_000, "cmi": 30_000, "verdicts": 2_000}
QUICK = {"accept": 2_000, "reject": 2_000, "prune": 2_000, "cmi": 5_000, "verdicts": 1_000}
OURS_REPEATS = 5
GOALS = {"accept": ("ratio", 50), "reject": ("ratio", 100), "cmi": ("seconds", 0.5)}


# ---------------------------------------------------------------- data


def make_data(n: int, kind: str = "factor", seed: int = 2021) -> Path:
    """Write the synthetic project's arrays to build/bench-acceptance/<kind>-<n>/."""
    out = DATA / f"{kind}-{n}"
    if (out / "y.npy").exists():
        return out
    rng = np.random.default_rng(seed)
    if kind == "factor":
        factors = rng.normal(size=(n, 4))
        X = factors @ rng.normal(size=(4, 10)) + 0.6 * rng.normal(size=(n, 10))
    else:
        X = rng.normal(size=(n, 10))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    h = rng.normal(size=n)
    known = X[:, 0] + X[:, 1] - X[:, 2]
    score = known / known.std() + h + 0.5 * rng.normal(size=n)
    y = (score > 0).astype(float)
    arrays = {
        "X": X,
        "y": y,
        "signal": h + 0.3 * rng.normal(size=n),
        "noise": rng.normal(size=n),
        "copy": X[:, 3].copy(),
        "onehot": np.eye(5)[rng.integers(0, 5, n)],
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, a in arrays.items():
        np.save(out / f"{name}.npy", a)
    return out


# ---------------------------------------------------------------- our side (child process)


def ours(job: dict) -> dict:
    """Run one job with our accepters in this process (called in a fresh child)."""
    from jupyter_ext.validation import entropy
    from jupyter_ext.validation.acceptance import make_accepter

    d = Path(job["data"])
    X = np.load(d / "X.npy")[:, : job.get("features", 10)]
    y = np.load(d / "y.npy")
    cand = np.load(d / f"{job['candidate']}.npy").reshape(-1, 1)
    existing = {f"f{i}": X[:, i : i + 1] for i in range(X.shape[1])}
    if job.get("onehot"):
        existing["onehot"] = np.load(d / "onehot.npy")
    op = job["op"]
    params = {"report_redundant": op == "gfssf+prune"}
    if job.get("max_rows") is not None:
        params["max_rows"] = job["max_rows"]
    seconds, verdict, value, statistic = [], None, None, None
    for _ in range(job.get("repeats", 1)):
        start = time.perf_counter()
        if op in ("gfssf", "gfssf+prune"):
            accepter = make_accepter({"name": "gfssf", "params": params}, "classification")
            result = accepter.judge(cand, existing, y)
            verdict, statistic, value = result.accepted, result.statistic, result.redundant
        elif op == "mi":
            result = make_accepter("mutual_information", "classification").judge(cand, existing, y)
            verdict, statistic = result.accepted, result.statistic
        elif op == "cmi":
            value = entropy.conditional_mutual_information(
                cand, y, X, discrete_y=True, max_rows=job.get("max_rows")
            )
        else:
            raise ValueError(f"unknown op {op}")
        seconds.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "verdict": verdict,
        "statistic": statistic,
        "value": value,
        "peak_rss_mb": peak_mb,
    }


def run_ours(job: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_acceptance", "--job", json.dumps(job)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise RuntimeError(f"our job {job} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_ballet(job: dict) -> dict:
    from benchmarks import ballet_env

    return ballet_env.run_script(HERE / "ballet_side.py", json.dumps(job))


# ---------------------------------------------------------------- the run


def median(result: dict) -> float:
    return statistics.median(result["seconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (minutes, not ~10)")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--no-ballet", action="store_true", help="only our side")
    args = parser.parse_args(argv)
    if args.job:
        print(json.dumps(ours(json.loads(args.job))))
        return 0
    quick = args.quick or os.environ.get("BENCHMARKS_QUICK") == "1"
    sizes = QUICK if quick else FULL
    if not args.no_ballet:
        from benchmarks import ballet_env

        print("Ballet 0.19.5 venv:", ballet_env.ensure(quiet=True), flush=True)

    rows, verdicts, rss = [], [], {"ours": 0.0, "ballet": 0.0}

    def both(label, key, job, ours_extra=None):
        n = sizes[key]
        job = {**job, "data": str(make_data(n))}
        print(f"  {label} at {n} rows ...", flush=True)
        mine = run_ours({**job, "repeats": OURS_REPEATS, **(ours_extra or {})})
        theirs = None if args.no_ballet else run_ballet({**job, "repeats": 1})
        rss["ours"] = max(rss["ours"], mine["peak_rss_mb"])
        if theirs:
            rss["ballet"] = max(rss["ballet"], theirs["peak_rss_mb"])
        rows.append((label, key, n, mine, theirs))
        return mine, theirs

    print("Timings (ours: median of 5 warm-ish runs in one process; Ballet: 1 run):", flush=True)
    both("GFSSF accept (signal)", "accept", {"op": "gfssf", "candidate": "signal"})
    both("GFSSF reject (copy of f3)", "reject", {"op": "gfssf", "candidate": "copy"})
    both("GFSSF accept + pruning", "prune", {"op": "gfssf+prune", "candidate": "signal"})
    both("one CMI, 10 conditioning cols", "cmi", {"op": "cmi", "candidate": "signal"})

    extras = []
    for label, key, job in [
        ("GFSSF reject (noise)", "reject", {"op": "gfssf", "candidate": "noise"}),
        ("one CMI, all rows (no cap)", "cmi", {"op": "cmi", "candidate": "signal", "max_rows": 0}),
    ]:
        n = sizes[key]
        extras.append((label, n, run_ours({**job, "data": str(make_data(n)), "repeats": 3})))
    for label, key, job in [
        ("GFSSF accept, independent features", "accept", {"op": "gfssf", "candidate": "signal"}),
        ("one CMI, independent features", "cmi", {"op": "cmi", "candidate": "signal"}),
    ]:
        n = sizes[key]
        data = str(make_data(n, kind="independent"))
        extras.append((label, n, run_ours({**job, "data": data, "repeats": 3})))

    print("Verdicts ...", flush=True)
    n = sizes["verdicts"]
    data = str(make_data(n))
    for cand, onehot in [("noise", False), ("signal", False), ("copy", False), ("copy", True)]:
        label = cand + (" (+ 5-column one-hot feature)" if onehot else "")
        line = {"candidate": label, "rows": n}
        for op in ("gfssf", "mi"):
            job = {"op": op, "candidate": cand, "data": data, "onehot": onehot, "repeats": 1}
            mine = run_ours(job)
            line[f"ours_{op}"] = mine["verdict"]
            line[f"ours_{op}_statistic"] = mine["statistic"]
            if not args.no_ballet:
                line[f"ballet_{op}"] = run_ballet(job)["verdict"]
        verdicts.append(line)

    report(rows, extras, verdicts, rss, quick)
    return 0


def report(rows, extras, verdicts, rss, quick) -> None:
    print()
    print(f"Acceptance benchmark ({'--quick sizes' if quick else 'full sizes'}; 2-core machine)")
    header = f"{'operation':44} {'rows':>7} {'ours s':>8} {'Ballet s':>9} {'Ballet/ours':>11}  goal"
    print(header)
    print("-" * len(header))
    out_rows = []
    for label, key, n, mine, theirs in rows:
        ours_s = median(mine)
        ballet_s = median(theirs) if theirs else None
        ratio = ballet_s / ours_s if ballet_s else None
        goal = GOALS.get(key)
        met = ""
        if goal and goal[0] == "ratio" and ratio is not None:
            met = f">= {goal[1]}x: {'met' if ratio >= goal[1] else 'NOT met'}"
        elif goal and goal[0] == "seconds":
            met = f"< {goal[1]} s: {'met' if ours_s < goal[1] else 'NOT met'}"
        print(
            f"{label:44} {n:>7} {ours_s:>8.3f} "
            f"{(f'{ballet_s:.1f}' if ballet_s else '-'):>9} "
            f"{(f'{ratio:.0f}x' if ratio else '-'):>11}  {met}"
        )
        out_rows.append(
            {
                "operation": label,
                "rows": n,
                "ours_s": mine["seconds"],
                "ballet_s": theirs["seconds"] if theirs else None,
                "ratio": ratio,
                "ours_verdict": mine["verdict"],
                "ballet_verdict": theirs and theirs["verdict"],
                "ours_value": mine["value"],
                "ballet_value": theirs and theirs["value"],
            }
        )
    for label, n, mine in extras:
        print(f"{label + ' (ours only)':44} {n:>7} {median(mine):>8.3f} {'-':>9} {'-':>11}")
        out_rows.append({"operation": label, "rows": n, "ours_s": mine["seconds"]})
    print()
    print(f"{'candidate':44} {'rows':>6}  GFSSF ours / Ballet   MI(0.05) ours / Ballet")
    for v in verdicts:

        def word(x):
            return "-" if x is None else ("accept" if x else "reject")

        print(
            f"{v['candidate']:44} {v['rows']:>6}  {word(v['ours_gfssf']):>6} / "
            f"{word(v.get('ballet_gfssf')):<8}     {word(v['ours_mi']):>6} / {word(v.get('ballet_mi'))}"
        )
    print()
    print(f"peak RSS: ours {rss['ours']:.0f} MB, Ballet {rss['ballet']:.0f} MB (largest job)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"quick": quick, "rows": out_rows, "verdicts": verdicts, "peak_rss_mb": rss}, indent=2
        )
    )
    print(f"written to {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())
