"""Cost and figures of the scoring stage (jupyter_ext/validation/scoring.py).

    python -m benchmarks.bench_scoring         (or: python -m benchmarks --only scoring)

Measures, in a worker in this process (the same code the subprocess runs, without the pipe):
- the time the stage adds on the Ames demo project (6 existing features, target in dollars)
  and on bench_validate's Ames project (20 features, log target):
  cold (the baseline's folds fitted too), warm (a new candidate: only the k fits with it; goal
  < 2 s), and the same candidate again (its score reused); wall and CPU seconds (CPU is what
  an idle machine's wall time would be: the stage runs on one thread);
- the same on 30,000 rows x 30 existing features (synthetic), with the default config (over
  `max_rows`: the linear model) and with gradient boosting forced;
- the dollars figure for two demo features (the starter notebook's Overall quality, and
  garage size), with `problem.target_units: {currency: "$"}` added to the demo's ballet.yml,
  with the default model and with the linear one; and on the tests' Ames project, whose target encoder takes log(SalePrice), with
  `transform: log` (predictions turned back into dollars).

Results are printed and written to benchmarks/results/scoring.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

WARM_RUNS = 5
GOAL_WARM_S = 2.0

NEIGHBORHOOD = """
from sklearn.preprocessing import OneHotEncoder

input = ["Neighborhood"]
transformer = OneHotEncoder(handle_unknown="ignore", min_frequency=30, sparse_output=False)
name = "Neighborhood"
"""

OVERALL_QUALITY = """
from jupyter_ext import Feature

input = "Overall Qual"
transformer = None
name = "Overall quality"
feature = Feature(input=input, transformer=transformer, name=name)
"""

GARAGE = """
from ballet import Feature
from ballet.eng.external import SimpleImputer

input = ["Garage Cars", "Garage Area"]
transformer = SimpleImputer(strategy="constant", fill_value=0)
feature = Feature(input, transformer, name="Garage size")
"""

LIVING_AREA = """
input = ["Gr Liv Area"]
transformer = None
name = "Living area"
"""

SYNTH_CANDIDATE = """
input = ["x30", "x31"]
transformer = lambda df: df["x30"] * df["x31"]
name = "x30 times x31"
"""


def add_to_ballet_yml(root: Path, section: str, line: str) -> None:
    """Insert `line` (indented) at the top of `section:` in the project's ballet.yml."""
    path = root / "ballet.yml"
    text = path.read_text(encoding="utf-8")
    head = f"{section}:\n"
    assert head in text, f"no {section} section in {path}"
    path.write_text(text.replace(head, f"{head}  {line}\n", 1), encoding="utf-8")


def candidate_values(worker, data, source: str):
    """The candidate's values, computed as the worker computes an existing feature's."""
    from jupyter_ext.core.project import source_hash

    fake = data.project.root / "candidate" / "feature_candidate.py"
    fv = worker._compute(data, fake, "candidate/feature_candidate.py", source, source_hash(source))
    assert fv.error is None, fv.error
    return fv.values


def time_stage(worker, data, usable, values) -> tuple[float, float, dict]:
    from jupyter_ext.validation.scoring import score_in_worker

    wall, cpu = time.perf_counter(), time.process_time()
    score = score_in_worker(worker, data, values, usable)
    return time.perf_counter() - wall, time.process_time() - cpu, score


def stage_cost(name: str, root: Path, source: str) -> dict:
    """Cold, warm (median of WARM_RUNS distinct candidates) and repeated costs of the stage."""
    from jupyter_ext.validation.worker import Worker

    worker = Worker(root)
    data = worker.ensure_data()
    features, _ = worker.existing_features(data)
    usable = [f for f in features if f.error is None]
    values = candidate_values(worker, data, source)
    cold_wall, cold_cpu, score = time_stage(worker, data, usable, values)
    warm = [
        time_stage(worker, data, usable, values * (1.0 + (i + 1) / 1000)) for i in range(WARM_RUNS)
    ]
    again_wall, _, again = time_stage(worker, data, usable, values)
    assert again.get("cached") or again["status"] != "scored", again
    warm_wall = statistics.median(w for w, _, _ in warm)
    return {
        "case": name,
        "rows": int(len(data.X)),
        "existing_features": len(usable),
        "existing_columns": int(sum(f.values.shape[1] for f in usable)),
        "status": score["status"],
        "reason": score.get("reason"),
        "model": score.get("model"),
        "fallback": score.get("fallback"),
        "cold_s": round(cold_wall, 3),
        "cold_cpu_s": round(cold_cpu, 3),
        "warm_median_s": round(warm_wall, 3),
        "warm_median_cpu_s": round(statistics.median(c for _, c, _ in warm), 3),
        "warm_models": sorted({s.get("model") or s["status"] for _, _, s in warm}),
        "goal_warm_s": GOAL_WARM_S,
        "goal_met": warm_wall < GOAL_WARM_S,
        "same_candidate_again_s": round(again_wall, 4),
        "sentence": score.get("sentence"),
    }


def dollars(name: str, root: Path, source: str) -> dict:
    """The score block of a full validation (checks, acceptance, score) of one candidate."""
    from jupyter_ext.validation.worker import Worker

    report = Worker(root).validate({"source": source})
    score = report.get("score") or {}
    acceptance = report.get("acceptance") or {}
    units = score.get("units") or {}
    return {
        "feature": name,
        "passed_checks": all(c["passed"] for c in report["checks"]),
        "accepted": acceptance.get("accepted"),
        "sentence": score.get("sentence"),
        "baseline_description": score.get("baseline_description"),
        "dollars_change": units.get("change"),
        "dollars_std": (units.get("spread") or {}).get("std"),
        "dollars_ci95": (units.get("spread") or {}).get("ci95"),
        "score_ms": report["timings_ms"].get("score"),
    }


def main() -> dict:
    from projects import (
        AMES_FEATURES,
        MORE_AMES_FEATURES,
        build_ames_project,
        build_synthetic_project,
    )

    from jupyter_ext.demo.project import build_project
    from jupyter_ext.validation import ballet_compat

    ballet_compat.activate()  # as the worker does: features `import ballet`
    results: dict = {"load_average_1min_start": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        tmp = Path(tmp)
        os.environ["JUPYTER_EXT_CACHE_DIR"] = str(tmp / "cache")

        demo = tmp / "ames-house-prices"
        build_project(demo)
        add_to_ballet_yml(demo, "problem", 'target_units: {currency: "$"}')
        results["ames_demo"] = stage_cost("Ames demo (6 features)", demo, LIVING_AREA)
        results["demo_dollars"] = [
            dollars("Overall quality (starter notebook)", demo, OVERALL_QUALITY),
            dollars("Garage size", demo, GARAGE),
        ]
        # The same with the linear model: how much the figure depends on the baseline model
        linear = tmp / "ames-linear"
        build_project(linear)
        add_to_ballet_yml(linear, "problem", 'target_units: {currency: "$"}')
        add_to_ballet_yml(linear, "validation", "scoring: {model: linear}")
        results["demo_dollars_linear"] = [
            dollars("Overall quality, linear baseline", linear, OVERALL_QUALITY),
            dollars("Garage size, linear baseline", linear, GARAGE),
        ]

        logged = build_ames_project(tmp / "ames-log")
        add_to_ballet_yml(logged, "problem", 'target_units: {currency: "$", transform: log}')
        results["ames_log_target_dollars"] = [
            dollars("Neighborhood (target: log SalePrice)", logged, NEIGHBORHOOD),
        ]
        # bench_validate's Ames case: what the stage adds to its warm validate latency
        twenty = build_ames_project(tmp / "ames-20", AMES_FEATURES + MORE_AMES_FEATURES)
        results["ames_20_features"] = stage_cost("Ames, 20 features (log target)", twenty, GARAGE)

        synth = build_synthetic_project(tmp / "synth", rows=30_000, columns=32, features=30)
        results["synthetic_30k_default"] = stage_cost(
            "30,000 rows x 30 features, default config", synth, SYNTH_CANDIDATE
        )
        add_to_ballet_yml(
            synth, "validation", "scoring: {enabled: true, max_rows: 1000000, budget_seconds: 600}"
        )
        results["synthetic_30k_gradient_boosting"] = stage_cost(
            "30,000 rows x 30 features, gradient boosting forced", synth, SYNTH_CANDIDATE
        )
    results["load_average_1min_end"] = round(os.getloadavg()[0], 2)

    out = HERE / "results" / "scoring.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    cases = (
        "ames_demo",
        "ames_20_features",
        "synthetic_30k_default",
        "synthetic_30k_gradient_boosting",
    )
    for key in cases:
        r = results[key]
        print(
            f"{r['case']}: model {r['model']} ({r['status']}); cold {r['cold_s']} s "
            f"(CPU {r['cold_cpu_s']}), warm median {r['warm_median_s']} s "
            f"(CPU {r['warm_median_cpu_s']}; goal < {GOAL_WARM_S} s: "
            f"{'met' if r['goal_met'] else 'NOT met'}), same again {r['same_candidate_again_s']} s"
        )
        if r["fallback"] or r["reason"]:
            print(f"    {r['fallback'] or r['reason']}")
    dollar_rows = (
        results["demo_dollars"]
        + results["demo_dollars_linear"]
        + results["ames_log_target_dollars"]
    )
    for r in dollar_rows:
        print(f"{r['feature']}: {r['sentence']}  [{r['baseline_description']}]")
    print(
        f"load average (1 min): {results['load_average_1min_start']} at start, "
        f"{results['load_average_1min_end']} at end; results in {out.relative_to(REPO)}"
    )
    return results


if __name__ == "__main__":
    main()
