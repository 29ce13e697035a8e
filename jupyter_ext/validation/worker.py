"""The validation worker: a subprocess that runs contributors' feature code.

    python -m jupyter_ext.validation.worker --project ROOT [--memory-limit-mb N]

It loads the project's data once, keeps every existing feature's values (in memory and
on disk under `.jupyter-ext/cache/`, keyed by data fingerprint and feature source hash,
so a restarted worker is warm at once), and answers requests read from stdin, one JSON
object per line, with one JSON line each on the original stdout. Feature code that
prints goes to stderr: the protocol channel is a private duplicate of fd 1.

Requests: {"id", "op": "validate", "source", "path"?, "filename"?, "fit_time_budget_s"?}
          {"id", "op": "prune"} | {"id", "op": "warm"} | {"id", "op": "ping"}
          {"id", "op": "discover", "budget_s"?}  (existing features, column coverage)
Replies:  {"id", "ok": true, "result": {...}} or {"id", "ok": false, "error": {kind, message}}

The runner (runner.py) enforces timeouts and restarts; here we only make sure a
MemoryError becomes an answer (after which the worker exits, since the interpreter may be
left in a poor state) and that user code can't write to the protocol channel.
"""

from __future__ import annotations

import argparse
import collections
import faulthandler
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = 1
DEFAULT_FIT_TIME_BUDGET_S = 30.0
VERDICT_CACHE_SIZE = 128


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1e3, 1)


@dataclass
class FeatureValues:
    """One existing feature, computed (or failed) on the current data snapshot."""

    path: str  # relative to the project root
    source_hash: str
    name: str = ""
    names: list[str] = field(default_factory=list)
    values: Any = None  # float64 (n, q)
    author: str | None = None
    error: str | None = None


class ProjectData:
    """The project config, its data snapshot and what identifies it."""

    def __init__(self, project, X, y_df, y, fingerprint: str, stamp: tuple, load_ms: float):
        self.project = project
        self.X = X
        self.y_df = y_df  # raw target (pandas), what features are fitted with
        self.y = y  # encoded target (numpy), what acceptance measures against
        self.fingerprint = fingerprint
        self.stamp = stamp
        self.load_ms = load_ms
        name = getattr(y_df, "name", None)
        self.target_name = str(name) if isinstance(name, str) and name else "the target"


class Worker:
    def __init__(self, root: Path, *, fit_time_budget_s: float = DEFAULT_FIT_TIME_BUDGET_S):
        self.root = Path(root)
        self.fit_time_budget_s = fit_time_budget_s
        self.data: ProjectData | None = None
        self.memory_cache: dict[tuple[str, str], FeatureValues] = {}
        # Verdicts by (data, candidate values, existing features, accepter): the panel
        # re-validates unchanged cells often, and acceptance is the costly stage.
        self.verdicts: collections.OrderedDict[tuple, dict] = collections.OrderedDict()
        self.scoring_cache = None  # scoring.BaselineCache: baseline folds and scores, per data
        self.ballet_mode = "unknown"

    # -- project and data ------------------------------------------------------------

    def _stamp(self, project) -> tuple:
        """What, when changed on disk, means the data or config must be reloaded."""
        paths = [project.config_path]
        split_dir = project.data.splits.get(project.split)
        if split_dir and not project.data.loader:
            paths += [project.root / split_dir / t.path for t in project.data.tables]
        stamp = []
        for p in paths:
            try:
                st = p.stat()
                stamp.append((str(p), st.st_mtime_ns, st.st_size))
            except OSError:
                stamp.append((str(p), None, None))
        return tuple(stamp)

    def ensure_data(self) -> ProjectData:
        from ..core.project import load_project

        project = load_project(self.root)
        stamp = self._stamp(project)
        if self.data is not None and self.data.stamp == stamp:
            self.data.project = project
            return self.data
        start = time.perf_counter()
        from ..core.project import data_fingerprint, load_data, load_target_encoder

        X, y_df = load_data(project)
        y = _encode_target(project, y_df, load_target_encoder(project))
        fingerprint = data_fingerprint(X, y_df)
        self.data = ProjectData(project, X, y_df, y, fingerprint, stamp, _ms(start))
        return self.data

    # -- existing features -------------------------------------------------------------

    def _cache_file(self, data: ProjectData, source_hash: str) -> Path:
        from ..core.project import cache_dir

        fp = data.fingerprint.split(":")[-1][:20]
        sh = source_hash.split(":")[-1][:24]
        return cache_dir(data.project) / "features" / fp / f"{sh}.npz"

    def _from_disk(self, data: ProjectData, rel: str, source_hash: str) -> FeatureValues | None:
        import numpy as np

        path = self._cache_file(data, source_hash)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as npz:
                meta = json.loads(str(npz["meta"]))
                values = np.array(npz["values"], dtype=np.float64)
        except Exception:  # noqa: BLE001 - a corrupt cache entry is recomputed
            return None
        if values.shape[0] != len(data.X):
            return None
        return FeatureValues(
            path=rel,
            source_hash=source_hash,
            name=meta.get("name", ""),
            names=meta.get("names", []),
            values=values,
            author=meta.get("author"),
        )

    def _to_disk(self, data: ProjectData, fv: FeatureValues) -> None:
        import numpy as np

        path = self._cache_file(data, fv.source_hash)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
            meta = json.dumps({"name": fv.name, "names": fv.names, "author": fv.author})
            np.savez(tmp, values=fv.values, meta=np.array(meta))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only project still validates, just without the disk cache

    def _compute(self, data: ProjectData, path: Path, rel: str, source: str, sh: str):
        from ..core.feature import FeatureLoadError, default_name_for_path, load_feature_from_source
        from ..core.feature import output_names as names_for
        from ..core.transformer import as_float

        fv = FeatureValues(path=rel, source_hash=sh)
        try:
            loaded = load_feature_from_source(
                source,
                module_name=data.project.module_name_for(path),
                filename=str(path),
                default_name=default_name_for_path(path),
            )
            feature = loaded.feature
            pipeline = feature.as_feature_engineering_pipeline()
            raw = pipeline.fit_transform(data.X, data.y_df)
            values = as_float(raw)
            if values is None:
                raise ValueError("its values are not numbers")
            if values.shape[0] != len(data.X):
                raise ValueError(f"it produced {values.shape[0]} rows for {len(data.X)}")
        except MemoryError:
            raise
        except FeatureLoadError as err:
            fv.error = err.message
            return fv
        except Exception as err:  # noqa: BLE001 - a broken existing feature is reported
            fv.error = f"{type(err).__name__}: {err}"
            return fv
        fv.name = feature.name or rel
        fv.author = feature.author
        fv.names = names_for(feature, values.shape[1], pipeline.columns_hint)
        fv.values = values
        self._to_disk(data, fv)
        return fv

    def existing_features(
        self, data: ProjectData, exclude: set[str] = frozenset()
    ) -> tuple[list[FeatureValues], dict]:
        """Values of every contributed feature except `exclude` (paths relative to root)."""
        from ..core.project import source_hash

        start = time.perf_counter()
        stats = {"computed": 0, "memory": 0, "disk": 0}
        out = []
        for path in data.project.feature_files():
            rel = data.project.relative(path)
            if rel in exclude:
                continue
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                out.append(FeatureValues(rel, "", error=f"cannot read: {err}"))
                continue
            sh = source_hash(source)
            key = (data.fingerprint, sh)
            fv = self.memory_cache.get(key)
            if fv is not None:
                stats["memory"] += 1
            else:
                fv = self._from_disk(data, rel, sh)
                if fv is not None:
                    stats["disk"] += 1
                else:
                    fv = self._compute(data, path, rel, source, sh)
                    stats["computed"] += 1
                self.memory_cache[key] = fv
            if fv.path != rel:  # same source in two files: keep each path
                fv = FeatureValues(**{**fv.__dict__, "path": rel})
            out.append(fv)
        stats["ms"] = _ms(start)
        return out, stats

    def _verdict_key(self, data: ProjectData, values, usable: list[FeatureValues]) -> tuple:
        import hashlib

        import numpy as np

        digest = hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()
        project = data.project
        return (
            data.fingerprint,
            values.shape,
            digest,
            tuple((f.path, f.source_hash) for f in usable),
            json.dumps(project.accepter, sort_keys=True, default=str),
            project.problem_type,
        )

    # -- requests ----------------------------------------------------------------------

    def handle(self, request: dict) -> dict:
        op = request.get("op")
        if op == "ping":
            return {"pong": True, "pid": os.getpid()}
        if op == "warm":
            return self.warm()
        if op == "validate":
            return self.validate(request)
        if op == "prune":
            return self.prune(request)
        if op == "discover":  # existing features and column coverage (discovery.py)
            from .discovery import discover

            return discover(self, request)
        raise ValueError(f"unknown op {op!r}")

    def warm(self) -> dict:
        start = time.perf_counter()
        data = self.ensure_data()
        features, stats = self.existing_features(data)
        return {
            "rows": len(data.X),
            "fingerprint": data.fingerprint,
            "features": len(features),
            "failed": [{"path": f.path, "message": f.error} for f in features if f.error],
            "cache": stats,
            "ms": _ms(start),
        }

    def validate(self, request: dict) -> dict:
        from ..core.feature import default_name_for_path
        from ..core.project import source_hash
        from .checks import FeatureChecker
        from .sandbox import feature_sandbox

        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        source = request["source"]
        candidate_path = request.get("path") or None
        filename = request.get("filename") or candidate_path or "<feature>"

        start = time.perf_counter()
        data = self.ensure_data()
        timings["data"] = _ms(start)
        project = data.project
        exclude = {project.relative(candidate_path)} if candidate_path else set()
        features, stats = self.existing_features(data, exclude)
        timings["existing"] = stats["ms"]
        usable = [f for f in features if f.error is None]

        start = time.perf_counter()
        budget = float(request.get("fit_time_budget_s") or self.fit_time_budget_s)
        checker = FeatureChecker(
            data.X,
            data.y_df,
            existing_outputs={_label(f): f.names for f in usable},
            fit_time_budget_s=budget,
        )
        default_name = default_name_for_path(candidate_path) if candidate_path else None
        module_name = project.module_name_for(candidate_path) if candidate_path else None
        with feature_sandbox():  # no files written outside a temp dir, no processes
            report = checker.run(
                source, filename=filename, module_name=module_name, default_name=default_name
            )
        timings["checks"] = _ms(start)

        acceptance = None
        error = None
        if report.passed and report.values is not None:
            start = time.perf_counter()
            key = self._verdict_key(data, report.values, usable)
            cached = self.verdicts.get(key)
            if cached is not None:
                self.verdicts.move_to_end(key)
                acceptance = {**cached, "cached": True}
            else:
                try:
                    acceptance = judge(project, report.values, usable, data.y, data.target_name)
                except MemoryError:
                    raise
                except Exception as err:  # noqa: BLE001 - reported, not fatal
                    error = _acceptance_error(project, err)
                else:
                    self.verdicts[key] = acceptance
                    while len(self.verdicts) > VERDICT_CACHE_SIZE:
                        self.verdicts.popitem(last=False)
                    acceptance = {**acceptance, "cached": False}
            timings["acceptance"] = _ms(start)
        score = None
        if report.passed and report.values is not None:
            from .scoring import score_in_worker

            start = time.perf_counter()
            score = score_in_worker(self, data, report.values, usable)
            timings["score"] = _ms(start)
        timings["worker_total"] = _ms(t0)

        feature_json = report.feature_json() or {}
        feature_json["source_hash"] = source_hash(source)
        passed = (
            error is None
            and report.passed
            and acceptance is not None
            and bool(acceptance.get("accepted"))
        )
        return {
            "passed": passed,
            "feature": feature_json,
            "checks": [r.to_json() for r in report.results],
            "acceptance": acceptance,
            "score": score,
            "timings_ms": timings,
            "data": {
                "rows": int(len(data.X)),
                "columns": int(data.X.shape[1]),
                "split": project.split if not project.data.loader else "loader",
                "fingerprint": data.fingerprint,
            },
            "existing_features": {
                "count": len(usable),
                "failed": [{"path": f.path, "message": f.error} for f in features if f.error],
                "cache": {k: v for k, v in stats.items() if k != "ms"},
            },
            "ballet": self.ballet_mode,
            "error": error,
        }

    def prune(self, request: dict) -> dict:
        from .acceptance import prune

        start = time.perf_counter()
        data = self.ensure_data()
        features, stats = self.existing_features(data)
        usable = [f for f in features if f.error is None]
        by_label = {_label(f): f for f in usable}
        redundant = prune(
            {k: f.values for k, f in by_label.items()},
            data.y,
            spec=data.project.pruner,
            problem_type=data.project.problem_type,
        )
        return {
            "pruner": _spec_label(data.project.pruner),
            "redundant": [
                {"name": by_label[k].name, "path": by_label[k].path, "author": by_label[k].author}
                for k in redundant
                if k in by_label
            ],
            "features": len(usable),
            "failed": [{"path": f.path, "message": f.error} for f in features if f.error],
            "data": {"rows": int(len(data.X)), "fingerprint": data.fingerprint},
            "timings_ms": {"existing": stats["ms"], "total": _ms(start)},
        }


def _label(f: FeatureValues) -> str:
    """The key an existing feature goes by in acceptance: its name (path if unnamed)."""
    return f.name or f.path


def _spec_label(spec) -> str | None:
    if isinstance(spec, dict):
        spec = spec.get("name")
    return spec.rsplit(".", 1)[-1] if isinstance(spec, str) else None


def judge(
    project, values, existing: list[FeatureValues], y, target_name: str = "the target"
) -> dict:
    """Run the project's accepter on the candidate against the existing features."""
    from .acceptance import make_accepter

    accepter = make_accepter(
        project.accepter, problem_type=project.problem_type, target_name=target_name
    )
    by_label: dict[str, FeatureValues] = {}
    for f in existing:
        label = _label(f)
        if label in by_label:  # two features with one name: keep both, tell them apart
            label = f"{label} ({f.path})"
        by_label[label] = f
    result = accepter.judge(values, {k: f.values for k, f in by_label.items()}, y)
    out = dict(result.to_json())
    out.setdefault("accepter", type(accepter).__name__)
    redundant = list(out.get("redundant") or [])
    out["redundant_features"] = [
        {"name": by_label[k].name, "path": by_label[k].path, "author": by_label[k].author}
        for k in redundant
        if k in by_label
    ]
    return out


def _acceptance_error(project, err: Exception) -> dict:
    if type(err).__name__ == "SpecError":  # an unknown accepter or parameter in ballet.yml
        return {
            "kind": "project",
            "message": f"validation.feature_accepter in {project.config_path}: {err}",
        }
    return {"kind": "exception", "message": f"Acceptance failed: {type(err).__name__}: {err}"}


def _encode_target(project, y_df, encoder):
    """The target as acceptance sees it: encoded, numeric, 1-D when one column."""
    import numpy as np
    import pandas as pd

    from ..core.project import ProjectError

    y = y_df
    if encoder is not None:
        import copy

        spare = _none_if_raises(copy.deepcopy, encoder)
        try:
            y = _apply_encoder(encoder, y_df)
        except Exception as err:  # noqa: BLE001
            # Ballet gave encoders the targets table as a DataFrame and real ones index it
            # (`y["PINCP"]`), while a one-column table reaches us as a Series: retry so.
            y = None
            if spare is not None and isinstance(y_df, pd.Series) and y_df.name is not None:
                y = _none_if_raises(_apply_encoder, spare, y_df.to_frame())
            if y is None:
                raise ProjectError(
                    "The project's target encoder failed on the target: "
                    f"{type(err).__name__}: {err}",
                    kind="data",
                ) from None
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.dtype.kind not in "fiub":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            # Class labels: acceptance needs codes, not strings.
            codes, _ = pd.factorize(pd.Series(y.ravel()), use_na_sentinel=True)
            y = np.where(codes < 0, np.nan, codes).astype(np.float64)
    return y.astype(np.float64, copy=False)


def _apply_encoder(encoder, y_df):
    if hasattr(encoder, "fit_transform"):
        return encoder.fit_transform(y_df)
    if callable(encoder):
        return encoder(y_df)
    return y_df


def _none_if_raises(fn, *args):
    """fn(*args), or None if it raises (a second chance that must not mask the first error)."""
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001
        return None


# -- process entry point ------------------------------------------------------------------


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    try:
        import resource

        limit = int(megabytes) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the runner's watch only
        pass


def _error(kind: str, message: str) -> dict:
    return {"kind": kind, "message": message}


def serve(worker: Worker, stdin, out) -> None:
    def send(payload: dict) -> None:
        out.write(json.dumps(payload, default=_json_default) + "\n")
        out.flush()

    send(
        {
            "event": "ready",
            "protocol": PROTOCOL_VERSION,
            "pid": os.getpid(),
            "python": sys.executable,
            "ballet": worker.ballet_mode,
        }
    )
    from ..core.project import ProjectError

    for line in stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as err:
            send({"id": None, "ok": False, "error": _error("exception", f"bad request: {err}")})
            continue
        rid = request.get("id")
        try:
            result = worker.handle(request)
        except MemoryError:
            worker.data = None
            worker.memory_cache.clear()
            send(
                {
                    "id": rid,
                    "ok": False,
                    "error": _error(
                        "memory",
                        "The feature used more memory than the validation worker may use.",
                    ),
                }
            )
            os._exit(3)  # the interpreter may be in a poor state; the runner restarts us
        except ProjectError as err:
            send({"id": rid, "ok": False, "error": _error(err.kind, err.message)})
        except Exception as err:  # noqa: BLE001 - the worker survives and says what happened
            traceback.print_exc(file=sys.stderr)
            send(
                {
                    "id": rid,
                    "ok": False,
                    "error": _error("exception", f"{type(err).__name__}: {err}"),
                }
            )
        else:
            send({"id": rid, "ok": True, "result": result})


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jupyter_ext.validation.worker")
    parser.add_argument("--project", required=True, help="project root (folder with ballet.yml)")
    parser.add_argument("--memory-limit-mb", type=int, default=0)
    parser.add_argument("--fit-time-budget-s", type=float, default=DEFAULT_FIT_TIME_BUDGET_S)
    args = parser.parse_args(argv)

    _limit_memory(args.memory_limit_mb)
    faulthandler.enable(file=sys.stderr)
    # Protocol on a private copy of stdout; anything user code prints goes to stderr.
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    from . import ballet_compat

    worker = Worker(Path(args.project), fit_time_budget_s=args.fit_time_budget_s)
    worker.ballet_mode = ballet_compat.activate()
    # Pay the heavy imports before saying "ready", not inside the first request's budget.
    import dill  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    if int(pandas.__version__.split(".")[0]) < 3:
        # Features get column selections of the cached frame; with copy-on-write (the default
        # from pandas 3) no feature can change the data the next validation sees.
        pandas.set_option("mode.copy_on_write", True)
    from .ballet_compat import legacy_pandas

    legacy_pandas.enable()  # `row[0]` as pandas 1 read it: merged Ballet features use it
    serve(worker, sys.stdin, protocol)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
