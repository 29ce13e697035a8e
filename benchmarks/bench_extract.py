"""Cell extraction speed on a 300-cell notebook, and what the extension adds to server start-up.

Run: `.venv/bin/python -m benchmarks.bench_extract [--cells 300] [--runs 21] [--json]`

Goals (issue 2): extracting a late cell of a 300-cell notebook < 100 ms; importing the
server extension < 100 ms on top of jupyter_server (no pandas/sklearn in the server).

- *cold*: parse caches cleared before every run (a notebook seen for the first time);
- *warm*: cells already parsed (the panel re-extracting after the user moves between cells);
- *with ruff format*: cold, plus the `ruff format` subprocess (its cache cleared too).
Each figure is wall time and CPU time (CPU includes the ruff child process); on a shared
machine wall time grows with other processes' load, CPU time does not.
Import overhead: fresh interpreters that first import jupyter_server's server app, then time
importing `jupyter_ext.app`, `jupyter_ext.routes` and every `jupyter_ext.services` module
(what `initialize_settings` builds), wall and CPU time (CPU time is not inflated by other
processes on a shared machine). Medians of several runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

from jupyter_ext.core import formatting, notebook
from jupyter_ext.core.notebook import Cell, extract_cell

GOAL_MS = 100.0

# -- a realistic notebook ---------------------------------------------------------------

IMPORTS = """\
import math
import json
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.preprocessing import StandardScaler, FunctionTransformer
from sklearn.impute import SimpleImputer as Imputer
"""

SECTION = [
    ("markdown", "## Section {k}: {topic}\n\nLooking at the {topic} columns of the data."),
    ("code", "%matplotlib inline\nimport seaborn as sns\n!ls data/part_{k}"),
    (
        "code",
        "df_{k} = pd.read_csv('data/part_{k}.csv')\n"
        "COLS_{k} = ['{topic} A', '{topic} B', '{topic} C']\n"
        "X_{k} = df_{k}[COLS_{k}].fillna(0)\n"
        "print(df_{k}.shape)",
    ),
    (
        "code",
        "BASE_{k} = {k} + 1\n"
        "THRESH_{k} = 2 * BASE_{k}\n"
        "MAPPING_{k} = {{'low': 0, 'mid': 1, 'high': 2}}\n"
        "LABELS_{k} = tuple(sorted(MAPPING_{k}))",
    ),
    (
        "code",
        '''\
def clip_{k}(values, low=0, high=THRESH_{k}):
    """Clip to the section's threshold."""
    out = []
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out.append(low)
        elif value > high:
            out.append(high)
        else:
            out.append(value)
    return out


def scale_{k}(values):
    clipped = clip_{k}(values)
    mean = sum(clipped) / max(len(clipped), 1)
    return [(v - mean) / BASE_{k} for v in clipped] + {previous}


def encode_{k}(labels):
    return [MAPPING_{k}.get(label, -1) for label in labels]
''',
    ),
    (
        "code",
        '''\
class Section{k}Transformer:
    """sklearn-style transformer for section {k}."""

    columns = COLS_{k}

    def __init__(self, factor=BASE_{k}):
        self.factor = factor
        self.scaler = StandardScaler()

    def fit(self, X, y=None):
        self.scaler.fit(np.asarray(X, dtype=float))
        return self

    def transform(self, X):
        scaled = self.scaler.transform(np.asarray(X, dtype=float))
        return pd.DataFrame(scale_{k}(list(scaled.ravel())), columns=["scaled"])
''',
    ),
    (
        "code",
        "fig, ax = plt.subplots()\n"
        "for col in COLS_{k}:\n"
        "    ax.hist(df_{k}[col].dropna(), alpha=0.3, label=col)\n"
        "ax.legend()\n"
        "df_{k}.describe()",
    ),
    (
        "code",
        "%%time\nresult_{k} = Section{k}Transformer().fit(X_{k}).transform(X_{k})\nresult_{k}.head()",
    ),
    (
        "markdown",
        "The {topic} features look {mood}. " * 8 + "\n\n- one\n- two\n- three",
    ),
    ("code", "%timeit scale_{k}([1, 2, 3])\nencode_{k}(['low', 'high'])"),
]

TOPICS = ["area", "garage", "basement", "porch", "kitchen", "roof", "lot", "pool", "fence"]


def build_notebook(n_cells: int = 300) -> tuple[list[Cell], int]:
    """A notebook of `n_cells` cells like an exploration notebook; returns (cells, target).

    Imports come first, then sections (markdown, magics, data loading, constants, helpers
    that call the previous section's helpers, a transformer class, plots), and a feature
    cell near the end that needs a long transitive chain of earlier definitions.
    """
    cells = [Cell("imports", "code", IMPORTS)]
    k = 0
    while len(cells) < n_cells - 3:
        previous = f"scale_{k - 1}([])" if k else "[]"
        for offset, (cell_type, template) in enumerate(SECTION):
            source = template.format(
                k=k, topic=TOPICS[k % len(TOPICS)], mood="skewed", previous=previous
            )
            cells.append(Cell(f"s{k}-{offset}", cell_type, source))
        k += 1
    cells = cells[: n_cells - 3]
    last = max(i for i in range(k) if f"class Section{i}Transformer" in _all(cells))
    feature = textwrap.dedent(
        f"""\
        input = COLS_{last}
        transformer = [
            Imputer(strategy="median"),
            Section{last}Transformer(),
            FunctionTransformer(np.log1p),
        ]
        name = "section {last} scaled"
        description = f"Scaled {{len(input)}} columns with threshold {{THRESH_{last}}}"
        """
    )
    cells.append(Cell("feature", "code", feature))
    target = len(cells) - 1
    cells.append(Cell("after-1", "markdown", "## Scratch"))
    cells.append(Cell("after-2", "code", "df_0.head()"))
    return cells, target


def _all(cells: list[Cell]) -> str:
    return "\n".join(c.source for c in cells)


# -- timing -----------------------------------------------------------------------------


def _median_ms(run, repeat: int, before=None) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds of `run`; CPU includes child processes (ruff)."""
    walls, cpus = [], []
    for _ in range(repeat):
        if before:
            before()
        cpu = _cpu_seconds()
        start = time.perf_counter()
        run()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((_cpu_seconds() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _cold():
    notebook._parse.cache_clear()


def _cold_and_unformatted():
    notebook._parse.cache_clear()
    formatting.format_source.cache_clear()


def measure_extraction(n_cells: int, runs: int, format_runs: int) -> dict:
    cells, target = build_notebook(n_cells)
    result = extract_cell(cells, cell_index=target)  # also warms up ruff's binary lookup
    assert result.formatted, "ruff format did not run"
    extract_plain = lambda: extract_cell(cells, cell_index=target, format=False)  # noqa: E731
    extract_pretty = lambda: extract_cell(cells, cell_index=target)  # noqa: E731
    cold, cold_cpu = _median_ms(extract_plain, runs, _cold)
    warm, warm_cpu = _median_ms(extract_plain, runs)
    formatted, formatted_cpu = _median_ms(extract_pretty, format_runs, _cold_and_unformatted)
    return {
        "cells": len(cells),
        "target_index": target,
        "code_cells": sum(c.cell_type == "code" for c in cells),
        "dependencies": len(result.dependencies),
        "warnings": len(result.warnings),
        "module_lines": result.module.count("\n"),
        "cold_ms": round(cold, 2),
        "cold_cpu_ms": round(cold_cpu, 2),
        "warm_ms": round(warm, 2),
        "warm_cpu_ms": round(warm_cpu, 2),
        "with_format_ms": round(formatted, 2),
        "with_format_cpu_ms": round(formatted_cpu, 2),
    }


IMPORT_PROBE = """\
import importlib, pkgutil, sys, time
import jupyter_server.serverapp  # already loaded whenever `jupyter server` starts
import jupyter_server.base.handlers, jupyter_server.extension.application
wall, cpu = time.perf_counter(), time.process_time()
import jupyter_ext.app, jupyter_ext.routes, jupyter_ext.services
for module in pkgutil.iter_modules(jupyter_ext.services.__path__):
    importlib.import_module("jupyter_ext.services." + module.name)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
heavy = [m for m in ("pandas", "sklearn", "numpy", "github") if m in sys.modules]
print(wall * 1000, cpu * 1000, ",".join(heavy) or "-")
"""


def measure_import(runs: int) -> dict:
    """Median wall and CPU ms of importing the extension, in fresh interpreters.

    Bytecode is cached (as after `pip install`, which compiles .pyc files) in a temporary
    PYTHONPYCACHEPREFIX, warmed by one unmeasured run, so the repository is not written
    to. The no-bytecode figure is what a PYTHONDONTWRITEBYTECODE environment pays.
    """
    figures: dict = {"heavy_modules_imported": set()}
    with tempfile.TemporaryDirectory() as cache:
        cached = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        uncached = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        _import_probe(cached)  # writes the bytecode
        for label, env in (("", cached), ("_no_bytecode", uncached)):
            samples = [_import_probe(env) for _ in range(runs)]
            figures[f"import_wall_ms{label}"] = round(statistics.median(s[0] for s in samples), 2)
            figures[f"import_cpu_ms{label}"] = round(statistics.median(s[1] for s in samples), 2)
            for sample in samples:
                figures["heavy_modules_imported"].update(sample[2])
    figures["heavy_modules_imported"] = sorted(figures["heavy_modules_imported"])
    return figures


def _import_probe(env: dict) -> tuple[float, float, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env=env,
    )
    wall, cpu, heavy = done.stdout.split()
    return float(wall), float(cpu), [] if heavy == "-" else heavy.split(",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--runs", type=int, default=21, help="runs per extraction figure")
    parser.add_argument("--format-runs", type=int, default=11)
    parser.add_argument("--import-runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = {
        **measure_extraction(args.cells, args.runs, args.format_runs),
        **measure_import(args.import_runs),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    verdict = lambda ms: "ok" if ms < GOAL_MS else "OVER GOAL"  # noqa: E731
    print(
        f"Notebook: {figures['cells']} cells ({figures['code_cells']} code), target cell "
        f"{figures['target_index']}; module: {figures['dependencies']} dependencies, "
        f"{figures['module_lines']} lines, {figures['warnings']} warnings"
    )
    print(
        f"extract, cold (no formatter)   {figures['cold_ms']:8.1f} ms  "
        f"(CPU {figures['cold_cpu_ms']:.1f} ms; median of {args.runs})"
    )
    print(
        f"extract, warm (no formatter)   {figures['warm_ms']:8.1f} ms  "
        f"(CPU {figures['warm_cpu_ms']:.1f} ms; median of {args.runs})"
    )
    print(
        f"extract, cold + ruff format    {figures['with_format_ms']:8.1f} ms  "
        f"(CPU {figures['with_format_cpu_ms']:.1f} ms incl. ruff; median of "
        f"{args.format_runs})  goal < {GOAL_MS:g} ms: {verdict(figures['with_format_ms'])}"
    )
    print(
        f"server extension import        {figures['import_wall_ms']:8.1f} ms  "
        f"(CPU {figures['import_cpu_ms']:.1f} ms; median of {args.import_runs}, on top of "
        f"jupyter_server, bytecode cached)  goal < {GOAL_MS:g} ms: "
        f"{verdict(figures['import_wall_ms'])}"
    )
    print(
        f"  ... without bytecode         {figures['import_wall_ms_no_bytecode']:8.1f} ms  "
        f"(CPU {figures['import_cpu_ms_no_bytecode']:.1f} ms; sources compiled at every start)"
    )
    heavy = figures["heavy_modules_imported"]
    print(f"heavy modules imported at start-up: {', '.join(heavy) if heavy else 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
