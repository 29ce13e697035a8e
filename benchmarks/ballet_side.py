"""The Ballet 0.19.5 half of `bench_acceptance`: run by Ballet's own python (build/ballet-venv).

    build/ballet-venv/bin/python benchmarks/ballet_side.py '<job json>'

Imports nothing from jupyter_ext. Reads the arrays `bench_acceptance` saved (.npy), builds
Ballet `Feature`s that pass single columns through (so Ballet's feature pipelines cost
almost nothing), runs one operation `repeats` times and prints one JSON line: wall seconds
per run, the verdict, and the process's peak RSS.
"""

import json
import logging
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from ballet import Feature
from ballet.validation.entropy import estimate_conditional_information
from ballet.validation.feature_acceptance.validator import (
    GFSSFAccepter,
    MutualInformationAccepter,
)
from ballet.validation.feature_pruning.validator import GFSSFPruner

logging.getLogger("ballet").setLevel(logging.WARNING)


def load(job):
    d = Path(job["data"])
    X = np.load(d / "X.npy")[:, : job.get("features", 10)]
    y = np.load(d / "y.npy")
    cand = np.load(d / f"{job['candidate']}.npy") if job.get("candidate") else None
    cols = {f"f{i}": X[:, i] for i in range(X.shape[1])}
    features = [Feature(input=f"f{i}", transformer=None, name=f"f{i}") for i in range(X.shape[1])]
    if job.get("onehot"):
        onehot = np.load(d / "onehot.npy")
        names = [f"oh{j}" for j in range(onehot.shape[1])]
        cols.update({name: onehot[:, j] for j, name in enumerate(names)})
        features.append(Feature(input=names, transformer=None, name="onehot"))
    candidate = None
    if cand is not None:
        cols["candidate"] = cand
        candidate = Feature(input="candidate", transformer=None, name="candidate")
    X_df = pd.DataFrame(cols)
    return X_df, pd.Series(y, name="y"), y, features, candidate, X, cand


def run(job):
    X_df, y_df, y, features, candidate, X, cand = load(job)
    op = job["op"]
    seconds, cpu_seconds, verdict, value = [], [], None, None
    for _ in range(job.get("repeats", 1)):
        start, cpu = time.perf_counter(), time.process_time()
        if op == "gfssf":
            verdict = bool(GFSSFAccepter(X_df, y_df, X_df, y, features, candidate).judge())
        elif op == "gfssf+prune":
            verdict = bool(GFSSFAccepter(X_df, y_df, X_df, y, features, candidate).judge())
            pruned = GFSSFPruner(X_df, y_df, X_df, y, features, candidate).prune()
            value = [f.name for f in pruned or []]
        elif op == "mi":
            verdict = bool(
                MutualInformationAccepter(X_df, y_df, X_df, y, features, candidate).judge()
            )
        elif op == "cmi":
            value = float(
                estimate_conditional_information(cand.reshape(-1, 1), y.reshape(-1, 1), X)
            )
        else:
            raise ValueError(f"unknown op {op}")
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "verdict": verdict,
        "value": value,
        "peak_rss_mb": peak_mb,
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
