"""Extract every code cell of real notebooks and check what a user would get.

Run: `.venv/bin/python -m benchmarks.extract_sweep NOTEBOOK.ipynb [...] [--json OUT]
[--no-run] [--timeout 20] [--show CLASS ...] [--modules]`

For each code cell, the extraction service (`ExtractionService.extract`, the code behind
`POST extract` for a saved notebook: contents read, nbformat validation, slicing, ruff) runs
and the result is classified:

- `ok`: a module. It must `compile()`; then it runs in a child process with a fresh
  namespace and a fresh empty working directory, so nothing of the notebook's kernel state
  exists (see *running* below). The run outcome is one of
  `runs` (and every name the cell binds at top level is defined afterwards, else
  `runs-missing-names`: a wrong module), `name-warned` (NameError for a name a warning
  told the user about, or with a star import warned about: expected), `name-missed` (NameError for a name no warning mentions:
  a dependency we missed, our bug), `import-api` (an installed library lacks that name: library version drift), `data-missing`
  (a file the notebook reads is not there: expected run-time state), `timeout`, `error`
  (any other exception: read it, it may be library drift or a wrong module), `killed`;
- `4xx`: a domain error with its message (grouped by the message's first words);
- `crash`: any other exception (a 500 in the server): our bug;
- `hang`: the extraction itself took longer than `--extract-timeout` seconds: our bug.

Times: `core_ms` is the CPU time of reading the notebook (nbformat) and
`extract_cell(format=False)` with the parse cache cleared (a notebook seen for the first
time: the worst case, goal < 100 ms; CPU time because wall time on a shared machine says
more about the neighbours; `core_wall_ms` is kept in the JSON); `service_ms` is the whole service
call, ruff included, with the caches as the panel would have them.

*Running*: an import of a library that is not installed here gives a stub module (anything
looked up in it is a callable, subscriptable stub), so that the run goes on to the names the
module itself must define; the summary lists the stubbed libraries. One runner process imports the usual heavy libraries once (numpy, pandas,
matplotlib with the Agg backend, sklearn, when installed) and forks a child per module,
which chdirs into a new temporary directory, executes the module with `__name__` set to
`"__main__"` in an empty namespace and reports back. Forked children share no notebook
state: only already-imported library modules, which a fresh interpreter would import
anyway. Output of the modules is discarded. `--no-run` skips running.

Not part of `make test`: it needs notebooks from outside the repository (see the
robustness notes in the final report of the sweep for the corpora used).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import collections
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import textwrap
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jupyter_ext.core import formatting, notebook
from jupyter_ext.errors import JupyterExtError
from jupyter_ext.services.extraction import ExtractionService

# Run outcomes that point at a bug of ours.
BUG_RUNS = {"name-missed", "runs-missing-names", "compile-failed"}


@dataclass
class Record:
    notebook: str
    cell_index: int
    status: str  # ok | 4xx | crash | hang
    message: str = ""
    core_ms: float = 0.0  # CPU time: the machine may be shared, wall time is noisy
    core_wall_ms: float = 0.0
    service_ms: float = 0.0
    run: str = ""  # run outcome for ok results
    run_detail: str = ""
    stubbed: list[str] = field(default_factory=list)  # libraries not installed, stubbed
    warnings: list[dict[str, Any]] = field(default_factory=list)
    module: str = ""
    source: str = ""


# -- extraction ---------------------------------------------------------------------------


class _FileContents:
    """The part of Jupyter's contents manager the service uses, reading local files."""

    def __init__(self, files: dict[str, str]):
        self.files = files

    def get(self, path, content=True, type=None, format=None):  # noqa: A002 (Jupyter's names)
        return {"content": self.files[path], "type": "file", "format": "text"}


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def _code_cells(text: str) -> list[tuple[int, str]]:
    """(index, source) of the code cells, read leniently (nbformat v3 worksheets too)."""
    try:
        data = json.loads(text)
    except ValueError:
        return [(0, "")]  # let the service report the broken file
    cells = data.get("cells") if isinstance(data, dict) else None
    if cells is None and isinstance(data, dict) and isinstance(data.get("worksheets"), list):
        cells = [c for sheet in data["worksheets"] for c in sheet.get("cells") or []]
    if not isinstance(cells, list):
        return [(0, "")]  # let the service report the broken file
    out = []
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", cell.get("input", ""))
            out.append((index, "".join(source) if isinstance(source, list) else str(source)))
    return out  # a notebook of markdown only has nothing to sweep


def sweep_notebook(path: Path, extract_timeout: float) -> list[Record]:
    text = path.read_text(encoding="utf-8", errors="replace")
    name = path.name
    service = ExtractionService(_FileContents({name: text}))
    records = []
    notebook._parse.cache_clear()
    for index, source in _code_cells(text):
        record = Record(str(path), index, "ok", source=source)
        records.append(record)
        body = {"path": name, "cell_index": index}
        # Cold core extraction, in the main thread so that an alarm can stop a hang.
        notebook._parse.cache_clear()
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, extract_timeout)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            cells = notebook.read_notebook_cells(text, name)
            notebook.extract_cell(cells, cell_index=index, path=name, format=False)
        except _Hang:
            record.status, record.message = "hang", f"> {extract_timeout:g} s"
            continue
        except Exception:
            pass  # the service call below reports it
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        record.core_ms = (time.process_time() - cpu) * 1000
        record.core_wall_ms = (time.perf_counter() - start) * 1000
        # Warm the parse cache like the panel has it (earlier cells parsed before).
        start = time.perf_counter()
        try:
            extraction = asyncio.run(service.extract(body))
        except JupyterExtError as err:
            record.status = f"{err.status}"
            record.message = err.message
        except Exception as err:  # a 500 in the server
            record.status = "crash"
            record.message = f"{type(err).__name__}: {err}"
        else:
            record.module = extraction.module
            record.warnings = [w.to_json() for w in extraction.warnings]
        record.service_ms = (time.perf_counter() - start) * 1000
    return records


# -- running modules ----------------------------------------------------------------------

_RUNNER = r'''
import json, os, sys, tempfile, signal, traceback, importlib.util
os.environ.setdefault("MPLBACKEND", "Agg")
for lib in ("numpy", "pandas", "matplotlib.pyplot", "sklearn", "scipy", "seaborn"):
    try:
        __import__(lib)
    except Exception:
        pass


class _Stub:
    """Stands in for anything of a library that is not installed, so the run goes on."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stub()

    def __call__(self, *args, **kwargs):
        return _Stub()

    def __getitem__(self, key):
        return _Stub()

    def __iter__(self):
        return iter(())

    def __mro_entries__(self, bases):
        return (_Stub,)


class _StubModule(type(sys)):
    __version__ = "0.0"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stub()


class _StubFinder:
    """Last on sys.meta_path: a module nobody else finds becomes a stub (and is noted)."""

    stubbed = []

    def find_spec(self, name, path=None, target=None):
        import importlib.machinery

        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
            frame = frame.f_back
        if frame is None or frame.f_code.co_filename != "<module>":
            return None  # a library's own optional import: let it fail as usual
        self.stubbed.append(name.split(".")[0])
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


devnull = os.open(os.devnull, os.O_RDWR)
out = sys.stdout
for line in sys.stdin:
    job = json.loads(line)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        os.setsid()
        os.chdir(tempfile.mkdtemp(prefix="sweep-"))
        os.dup2(devnull, 0); os.dup2(devnull, 1); os.dup2(devnull, 2)
        signal.alarm(int(job["timeout"]))
        result = {"outcome": "runs", "detail": ""}
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        sys.meta_path.append(_StubFinder())
        try:
            exec(compile(job["module"], "<module>", "exec"), namespace)
            missing = [n for n in job["names"] if n not in namespace]
            if missing:
                result = {"outcome": "runs-missing-names", "detail": ", ".join(missing)}
        except BaseException as err:
            kind = type(err).__name__
            tb = traceback.extract_tb(err.__traceback__)
            line = next((f.lineno for f in reversed(tb) if f.filename == "<module>"), None)
            detail = f"{kind}: {err}"[:300] + (f" (module line {line})" if line else "")
            name = getattr(err, "name", None)
            if isinstance(err, NameError):
                result = {"outcome": "name", "detail": detail, "name": name}
            elif isinstance(err, ImportError):
                root = (name or "").split(".")[0]
                try:
                    installed = bool(root) and importlib.util.find_spec(root) is not None
                except Exception:
                    installed = False
                result = {"outcome": "import-api" if installed else "import-missing",
                          "detail": detail}
            elif isinstance(err, (FileNotFoundError, IsADirectoryError)) or kind in (
                "URLError", "ConnectionError", "gaierror"
            ):
                result = {"outcome": "data-missing", "detail": detail}
            elif kind == "_Timeout" or isinstance(err, TimeoutError):
                result = {"outcome": "timeout", "detail": detail}
            else:
                result = {"outcome": "error", "detail": detail}
        result["stubbed"] = sorted(set(_StubFinder.stubbed))
        os.write(write_fd, json.dumps(result).encode())
        os._exit(0)
    os.close(write_fd)
    chunks = []
    while True:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    try:
        os.killpg(pid, signal.SIGKILL)  # anything the module started
    except OSError:
        pass
    if chunks:
        result = json.loads(b"".join(chunks))
    elif os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        result = {"outcome": "timeout", "detail": f"> {job['timeout']} s"}
    else:
        result = {"outcome": "killed", "detail": f"status {status}"}
    out.write(json.dumps(result) + "\n")
    out.flush()
'''


class Runner:
    """The fork server described in the module docstring."""

    def __init__(self) -> None:
        env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        env["PYTHONWARNINGS"] = "ignore"
        self.process = subprocess.Popen(
            [sys.executable, "-c", _RUNNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(self, module: str, names: list[str], timeout: float) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        job = {"module": module, "names": names, "timeout": max(1, int(timeout))}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=30)


def cell_names(source: str) -> list[str]:
    """Names the cell binds at top level, unconditionally (what the module must define)."""
    tree = notebook._parse(source).tree
    if tree is None:
        return []
    names: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names += [a.asname or a.name.split(".")[0] for a in stmt.names if a.name != "*"]
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
        elif isinstance(stmt, ast.AnnAssign) and stmt.value and isinstance(stmt.target, ast.Name):
            names.append(stmt.target.id)
    return list(dict.fromkeys(names))


def warned_names(record: Record) -> set[str]:
    return {
        name
        for warning in record.warnings
        for name in re.findall(r"`([A-Za-z_]\w*)`", warning["message"])
    }


def run_modules(records: list[Record], timeout: float) -> None:
    runner = Runner()
    try:
        for record in records:
            if record.status != "ok":
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the user's `x is not 1` is not ours
                    compile(record.module, "<module>", "exec", dont_inherit=True)
            except SyntaxError as err:
                record.run, record.run_detail = "compile-failed", str(err)
                continue
            result = runner.run(record.module, cell_names(record.source), timeout)
            record.run, record.run_detail = result["outcome"], result["detail"]
            record.stubbed = result.get("stubbed", [])
            if record.run == "name":
                # pandas' UndefinedVariableError (from query strings) has no `.name`.
                name = result.get("name") or next(
                    iter(re.findall(r"name '(\w+)' is not defined", record.run_detail)), None
                )
                stars = any(w["code"] == "star-import" for w in record.warnings)
                warned = stars or name in warned_names(record)
                record.run = "name-warned" if warned else "name-missed"
    finally:
        runner.close()


# -- report -------------------------------------------------------------------------------


def _reason(record: Record) -> str:
    """A 4xx message's gist, for grouping: its text without numbers and quoted parts."""
    message = record.message.replace(Path(record.notebook).name, "NOTEBOOK")
    message = re.sub(r"written for .* \(", "written for LANGUAGE (", message)
    gist = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\d+", "_", message.split(";")[0].split(":")[0])
    return _short(gist, 70)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def summarize(records: list[Record], show: set[str], modules: bool) -> dict[str, Any]:
    statuses = collections.Counter(r.status for r in records)
    runs = collections.Counter(r.run for r in records if r.status == "ok")
    reasons = collections.Counter(
        _reason(r) for r in records if r.status not in ("ok", "crash", "hang")
    )
    core = [r.core_ms for r in records if r.status != "hang"]
    service = [r.service_ms for r in records if r.status != "hang"]
    notebooks = len({r.notebook for r in records})
    print(f"{notebooks} notebooks, {len(records)} code cells")
    for status, count in sorted(statuses.items()):
        print(f"  {status:<10} {count:>5}")
    if reasons:
        print("4xx by reason:")
        for reason, count in reasons.most_common():
            print(f"  {count:>5}  {reason}")
    if runs:
        print("ok modules, run in a fresh process:")
        for run, count in runs.most_common():
            flag = "  <- our bug" if run in BUG_RUNS else ""
            print(f"  {run or '(not run)':<20} {count:>5}{flag}")
    stubbed = collections.Counter(lib for r in records for lib in r.stubbed)
    if stubbed:
        listed = ", ".join(f"{lib} ({n})" for lib, n in stubbed.most_common(8))
        print(f"  modules that imported a library not installed here (stubbed): {listed}")
    slow = [r for r in records if r.core_ms > 100]
    if core:
        print(
            f"core extraction CPU ms (read + extract, cold): median {statistics.median(core):.1f}, "
            f"max {max(core):.1f}; > 100 ms: {len(slow)}"
        )
        print(
            f"service wall ms (with ruff, warm): median {statistics.median(service):.1f}, "
            f"max {max(service):.1f}"
        )
    bugs = [
        r
        for r in records
        if r.status in ("crash", "hang") or r.run in BUG_RUNS or r.run in show or r.status in show
    ]
    for r in bugs + slow:
        label = r.run or r.status
        print(f"\n[{label}] {r.notebook} cell {r.cell_index} ({r.core_ms:.0f} ms)")
        print(textwrap.indent(_short(r.message or r.run_detail, 300), "    "))
        if modules and r.module:
            print(textwrap.indent(r.module, "    | "))
    return {
        "notebooks": notebooks,
        "cells": len(records),
        "status": dict(statuses),
        "reasons": dict(reasons),
        "runs": dict(runs),
        "core_ms": {"median": statistics.median(core), "max": max(core)} if core else None,
        "service_ms": {"median": statistics.median(service), "max": max(service)}
        if service
        else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--json", type=Path, help="write every record here")
    parser.add_argument("--no-run", action="store_true", help="don't run the modules")
    parser.add_argument("--timeout", type=float, default=20, help="seconds per module run")
    parser.add_argument("--extract-timeout", type=float, default=10)
    parser.add_argument(
        "--show", nargs="*", default=[], help="also list these outcomes (e.g. error 400)"
    )
    parser.add_argument("--modules", action="store_true", help="print the listed modules")
    args = parser.parse_args(argv)
    records: list[Record] = []
    # One-time costs (importing nbformat, compiling its schema, finding ruff) are not
    # extraction's: the server has paid them before the first request.
    warm_up = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []})
    notebook.read_notebook_cells(warm_up)
    formatting.format_source("x = 1\n")
    for path in args.notebooks:
        records += sweep_notebook(path, args.extract_timeout)
    formatting.format_source.cache_clear()
    if not args.no_run:
        run_modules(records, args.timeout)
    summary = summarize(records, set(args.show), args.modules)
    if args.json:
        payload = {"summary": summary, "records": [asdict(r) for r in records]}
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
