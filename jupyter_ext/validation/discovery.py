"""Discovery: what the project's features cover, and what they leave unexplored.

Runs in the validation worker (request `{"op": "discover"}`), next to the data and the
existing features' cached values. It answers two questions a contributor has before writing
a feature, the ones the Ballet case study found contributors asking:

* What have others written? Every existing feature: name, author (its `user_<login>`
  folder), description, inputs, output columns, file, source, how much it tells about the
  target on its own, I(f; y), and beyond all the other features, I(f; y | rest).
* Where is information left? Every raw column: its type (numeric, categorical or text),
  missing values, how many features read it, and what it tells about the target beyond the
  existing features, I(column; y | features); then "unexplored": the columns no feature (or
  just one) reads, most informative first, flagged when above the acceptance noise floor.

Estimates use `entropy.py`'s k-NN estimators (the ones acceptance uses), with these choices:

* A numeric column's missing values become a sentinel below its minimum: the estimator works
  on ranks, so "missing" is one more level, and whether a value is missing can itself be
  informative (no garage -> no garage year).
* A categorical column becomes level codes ordered by frequency (never by the target, which
  would leak it), with missing as its own level and levels beyond the 31 most frequent, or
  seen in fewer than 10 rows, merged into one "other" level. The codes take the estimator's
  discrete slot (I(x; y | z) is symmetric), where levels sit far apart: neighbourhoods are
  then searched within a level, never across two arbitrary neighbouring codes.
* Free text (mostly distinct strings) is profiled but not estimated: its raw values carry no
  neighbourhood structure a k-NN estimator could use.
* Identifiers (a different integer or string in every row, named like one, `PID`, `Order`,
  `customer_id`, or numbering the rows) are estimated but never suggested as unexplored: a
  parcel or customer number can carry information (Ames' PID encodes the location) only by
  standing in for a real variable, and a feature built on it would not carry over to new rows.
* At most `MAX_ESTIMATION_ROWS` rows (a fixed-seed sample) take part in estimates: they guide
  a contributor, they do not judge a feature, and the view must stay quick on large data.

The result is cached like feature values, in memory and on disk under
`.jupyter-ext/cache/discovery/`, keyed by the data fingerprint, the encoded target and the
set of feature files with their source hashes: adding, editing or removing a feature, or
new data, recomputes it. Estimation stops at a time budget (`budget_s`); the columns left
are marked and the next request continues from what was cached.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Bump when the output changes meaning, so old cache entries are not served.
DISCOVERY_VERSION = 2
MAX_ESTIMATION_ROWS = 5000
MAX_LEVELS = 32  # the estimator's discrete limit: 31 frequent levels + "other"
MIN_ROWS_PER_LEVEL = 10
# "No or few features": a column read by at most this many features can be unexplored.
FEW_FEATURES = 1
UNEXPLORED_LIMIT = 10
# I(f; y | all others) for every feature costs one estimate per feature, each conditioned
# on all other columns; past these sizes it is skipped (k-NN in very many dimensions is
# slow and says little).
MAX_FEATURES_FOR_CONDITIONAL = 40
MAX_COLUMNS_FOR_CONDITIONAL = 64
DEFAULT_BUDGET_S = 90.0
_MEMORY_ENTRIES = 8
_SAMPLE_SEED = 1754

NUMERIC, CATEGORICAL, TEXT = "numeric", "categorical", "text"
IDENTIFIER_NOTE = "an identifier (a different value in every row): not suggested as a feature"
BUDGET_NOTE = "not estimated yet: the time budget ran out; ask again to continue"

# Per worker: cache key -> view (a worker serves one project, so this stays small).
_memory: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1e3, 1)


def _num(value: float | None) -> float | None:
    """A JSON-safe number with 5 decimals (nats: more is noise)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 5)


# ---------------------------------------------------------------- the request


def discover(worker, request: dict) -> dict:
    """The whole discovery view for the worker's project (see the module docstring)."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    budget_s = float(request.get("budget_s") or DEFAULT_BUDGET_S)

    start = time.perf_counter()
    data = worker.ensure_data()
    timings["data"] = _ms(start)
    project = data.project
    sources = _feature_sources(project)
    key = cache_key(data, sources)

    memory = _memory.setdefault(worker, {})
    cached, where = _cached(memory, project, key)
    if cached is not None and not cached.get("partial"):
        timings["total"] = _ms(t0)
        return {**cached, "cache": {"view": where}, "timings_ms": timings}

    start = time.perf_counter()
    values, stats = worker.existing_features(data)
    timings["existing"] = _ms(start)
    by_path = {fv.path: fv for fv in values}

    start = time.perf_counter()
    features = [_describe(project, rel, source, by_path.get(rel)) for rel, source, _ in sources]
    columns = profile_columns(data.X, features)
    timings["profile"] = _ms(start)

    start = time.perf_counter()
    previous = {c["name"]: c for c in (cached or {}).get("columns", [])}
    estimates = Estimates(data.y, data.project.problem_type, features, budget_s - (start - t0))
    estimates.features(features)
    for column in columns:
        estimates.column(data.X.iloc[:, column.position], column, previous.get(column.name))
    timings["estimates"] = _ms(start)

    result = assemble(data, features, columns, estimates)
    _store(memory, project, key, result)
    timings["total"] = _ms(t0)
    cache = {"view": None, "feature_values": {k: v for k, v in stats.items() if k != "ms"}}
    return {**result, "cache": cache, "timings_ms": timings}


def _feature_sources(project) -> list[tuple[str, str | None, str]]:
    """(path relative to the root, source or None if unreadable, source hash) per feature."""
    from ..core.project import source_hash

    out = []
    for path in project.feature_files():
        rel = project.relative(path)
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            out.append((rel, None, ""))
            continue
        out.append((rel, source, source_hash(source)))
    return out


def cache_key(data, sources) -> str:
    """What the view depends on: data, encoded target, the project's settings shown in the
    view, and every feature file (path and source hash)."""
    import numpy as np

    h = hashlib.sha256()
    h.update(f"discovery-{DISCOVERY_VERSION}\n{data.fingerprint}\n".encode())
    project = data.project
    h.update(f"{project.name}\n{project.problem_type}\n{project.contrib_module_path}\n".encode())
    h.update(np.ascontiguousarray(data.y).tobytes())
    for rel, _, sh in sources:
        h.update(f"\n{rel}\t{sh}".encode())
    return h.hexdigest()


def _cache_file(project, key: str) -> Path:
    from ..core.project import cache_dir

    return cache_dir(project) / "discovery" / f"{key[:32]}.json"


def _cached(memory: dict, project, key: str) -> tuple[dict | None, str | None]:
    if key in memory:
        return memory[key], "memory"
    path = _cache_file(project, key)
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(result, dict) or result.get("version") != DISCOVERY_VERSION:
        return None, None
    _remember(memory, key, result)
    return result, "disk"


def _remember(memory: dict, key: str, result: dict) -> None:
    memory.pop(key, None)
    while len(memory) >= _MEMORY_ENTRIES:
        memory.pop(next(iter(memory)))
    memory[key] = result


def _store(memory: dict, project, key: str, result: dict) -> None:
    _remember(memory, key, result)
    path = _cache_file(project, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only project still gets the view, computed each time


# ---------------------------------------------------------------- features


@dataclass
class FeatureInfo:
    path: str
    source: str | None
    source_hash: str
    name: str
    author: str | None
    description: str | None = None
    input: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    values: Any = None  # (n, q) float64, None when it failed
    error: str | None = None
    mutual_information: float | None = None
    conditional_mutual_information: float | None = None
    note: str | None = None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "author": self.author,
            "description": self.description,
            "input": self.input,
            "output": self.output,
            "path": self.path,
            "source": self.source,
            "source_hash": self.source_hash,
            "mutual_information": _num(self.mutual_information),
            "conditional_mutual_information": _num(self.conditional_mutual_information),
            "note": self.note,
            "error": self.error,
        }


def author_of(rel: str) -> str | None:
    """The contributor a feature file belongs to: its `user_<login>` folder."""
    parent = Path(rel).parent.name
    return parent[len("user_") :] if parent.startswith("user_") else None


def _describe(project, rel: str, source: str | None, fv) -> FeatureInfo:
    """A feature's metadata (loading its module; no fit) and its cached values."""
    from ..core.feature import FeatureLoadError, default_name_for_path, load_feature_from_source

    info = FeatureInfo(
        path=rel,
        source=source,
        source_hash=fv.source_hash if fv is not None else "",
        name=(fv.name if fv is not None and fv.name else "") or Path(rel).stem,
        author=author_of(rel),
        output=list(fv.names) if fv is not None else [],
        values=fv.values if fv is not None and fv.error is None else None,
        error=fv.error if fv is not None else "not computed",
    )
    if source is None:
        info.error = info.error or "cannot read the file"
        return info
    try:
        loaded = load_feature_from_source(
            source,
            module_name=project.module_name_for(rel),
            filename=str(project.root / rel),
            default_name=default_name_for_path(rel),
        )
    except FeatureLoadError as err:
        info.error = info.error or err.message
        return info
    except Exception as err:  # noqa: BLE001 - a broken module is listed with its error
        info.error = info.error or f"{type(err).__name__}: {err}"
        return info
    feature = loaded.feature
    info.name = feature.name or info.name
    info.description = feature.description if isinstance(feature.description, str) else None
    info.input = feature.input_columns()
    return info


# ---------------------------------------------------------------- columns


@dataclass
class ColumnInfo:
    name: str
    position: int  # in the data frame
    type: str
    dtype: str
    missing: int
    rows: int
    distinct: int
    features: list[str] = field(default_factory=list)
    mutual_information: float | None = None
    conditional_mutual_information: float | None = None
    note: str | None = None
    identifier: bool = False

    def to_json(self, rank: int, informative: bool) -> dict:
        note = self.note
        if self.identifier and note is None:
            note = IDENTIFIER_NOTE
        return {
            "name": self.name,
            "type": self.type,
            "dtype": self.dtype,
            "missing": self.missing,
            "missing_fraction": _num(self.missing / self.rows) if self.rows else 0.0,
            "distinct": self.distinct,
            "feature_count": len(self.features),
            "features": self.features,
            "mutual_information": _num(self.mutual_information),
            "conditional_mutual_information": _num(self.conditional_mutual_information),
            "informative": informative,
            "rank": rank,
            "note": note,
            "identifier": self.identifier,
        }


def column_type(series) -> str:
    """numeric, categorical or text: how a feature would typically treat the column."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return CATEGORICAL
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return NUMERIC
    present = series.dropna()
    if present.empty:
        return CATEGORICAL
    strings = present.astype(str)
    distinct = strings.nunique()
    if distinct <= MAX_LEVELS:
        return CATEGORICAL
    # Mostly distinct values, or sentences: free text (names, addresses, comments).
    words = strings.str.split().str.len().mean()
    if distinct > 0.5 * len(strings) or words > 3:
        return TEXT
    return CATEGORICAL


_ID_WORDS = {"id", "pid", "uid", "uuid", "guid", "key", "index", "idx", "order", "serial"}


def looks_like_identifier(name: str, series) -> bool:
    """A different integer or string in every row, and named like an identifier or numbering
    the rows (1..n in some order). A measurement that happens to be distinct in every row is
    a float, or not named so: it stays a column to explore."""
    import pandas as pd

    n = len(series)
    if n < 20 or series.isna().any():
        return False
    integer = pd.api.types.is_integer_dtype(series.dtype)
    if not (integer or pd.api.types.is_object_dtype(series.dtype)
            or pd.api.types.is_string_dtype(series.dtype)):  # fmt: skip
        return False
    if series.nunique() != n:
        return False
    words = set(re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower()))
    if words & _ID_WORDS:
        return True
    return bool(integer and int(series.max()) - int(series.min()) + 1 == n)


def profile_columns(X, features: list[FeatureInfo]) -> list[ColumnInfo]:
    """Type, missing values, distinct values and the features reading each raw column."""
    readers: dict[str, list[str]] = {}
    for f in features:
        for name in dict.fromkeys(f.input):  # a column listed twice counts once
            readers.setdefault(name, []).append(f.name)
    out = []
    for position, name in enumerate(X.columns):
        series = X.iloc[:, position]  # by position: labels may repeat or not be strings
        out.append(
            ColumnInfo(
                name=str(name),
                position=position,
                type=column_type(series),
                dtype=str(series.dtype),
                missing=int(series.isna().sum()),
                rows=int(len(series)),
                distinct=int(series.nunique(dropna=True)),
                features=readers.get(str(name), []),
                identifier=looks_like_identifier(str(name), series),
            )
        )
    return out


def encode_numeric(series):
    """Float values with missing values as a sentinel below the minimum (one more level)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        missing = series.isna().to_numpy()
        values = series.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        values[missing] = np.nan
    else:
        numbers = pd.to_numeric(series, errors="coerce")
        values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)  # also Int64 with <NA>
    return fill_nonfinite(values)


def fill_nonfinite(values):
    """NaN -> below the minimum, -inf/+inf -> beyond the extremes; the order is what counts."""
    import numpy as np

    values = np.array(values, dtype=np.float64, copy=True)
    finite = np.isfinite(values)
    if finite.all():
        return values
    if values.ndim == 1:
        return _fill_column(values, finite)
    for j in range(values.shape[1]):
        values[:, j] = _fill_column(values[:, j], finite[:, j])
    return values


def _fill_column(col, finite):
    import numpy as np

    if not finite.any():
        return np.zeros_like(col)
    lo, hi = float(col[finite].min()), float(col[finite].max())
    span = max(hi - lo, 1.0)
    col = col.copy()
    col[np.isnan(col)] = lo - span
    col[col == -np.inf] = lo - 2 * span
    col[col == np.inf] = hi + span
    return col


def encode_categorical(series):
    """Level codes 0..k-1 by descending frequency; rare and surplus levels share one code."""
    import numpy as np

    labels = series.astype(object).where(series.notna(), "\x00missing").astype(str)
    counts = labels.value_counts()
    # Frequency, then the label: deterministic and independent of the target.
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = [lab for lab, c in order if c >= MIN_ROWS_PER_LEVEL][: MAX_LEVELS - 1]
    codes = {lab: i for i, lab in enumerate(kept)}
    return labels.map(codes).fillna(len(kept)).to_numpy(dtype=np.float64)


# ---------------------------------------------------------------- estimates


class Estimates:
    """The k-NN estimates of the view, on a shared row sample, within a time budget."""

    def __init__(self, y, problem_type: str, features: list[FeatureInfo], budget_s: float):
        import numpy as np

        from . import entropy as est
        from .acceptance import noise_floor

        self.est = est
        self.deadline = time.perf_counter() + max(budget_s, 0.0)
        self.partial = False
        y = np.asarray(y, dtype=np.float64)
        y2 = y.reshape(len(y), -1)
        rows = np.flatnonzero(np.isfinite(y2).all(axis=1))
        if rows.size > MAX_ESTIMATION_ROWS:
            rng = np.random.default_rng(_SAMPLE_SEED)
            rows = np.sort(rng.choice(rows, MAX_ESTIMATION_ROWS, replace=False))
        self.rows = rows
        self.total_rows = len(y)
        self.floor = noise_floor(rows.size)
        discrete = True if problem_type == "classification" else None
        self.y = est.prepare(y2[rows], discrete=discrete, name="target")
        self.blocks = {}
        for i, f in enumerate(features):
            if f.values is not None and np.asarray(f.values).shape[0] == len(y):
                block = fill_nonfinite(np.asarray(f.values, dtype=np.float64)[rows])
                self.blocks[i] = est.prepare(block, name=f.name)
        self.z = _stack(list(self.blocks.values()))

    def _time_left(self) -> bool:
        if time.perf_counter() < self.deadline:
            return True
        self.partial = True
        return False

    def features(self, features: list[FeatureInfo]) -> None:
        """I(f; y) for each computed feature, and I(f; y | the others) when cheap."""
        est = self.est
        width = sum(b.width for b in self.blocks.values())
        conditional = (
            len(self.blocks) <= MAX_FEATURES_FOR_CONDITIONAL
            and width <= MAX_COLUMNS_FOR_CONDITIONAL
        )
        for i, f in enumerate(features):
            block = self.blocks.get(i)
            if block is None:
                continue
            if not self._time_left():
                f.note = BUDGET_NOTE
                continue
            try:
                f.mutual_information = est.mutual_information(block, self.y)
                if not conditional:
                    f.note = (
                        f"I(f; y | others) not estimated: {len(self.blocks)} features with "
                        f"{width} columns is more than the view conditions on"
                    )
                    continue
                others = _stack([b for j, b in self.blocks.items() if j != i])
                f.conditional_mutual_information = (
                    est.conditional_mutual_information(block, self.y, others)
                    if others is not None
                    else f.mutual_information
                )
            except est.EstimationError as err:
                f.note = f"not estimated: {err}"

    def column(self, series, column: ColumnInfo, previous: dict | None) -> None:
        """I(column; y) and I(column; y | features) for one raw column."""
        est = self.est
        if previous is not None and previous.get("note") != BUDGET_NOTE:
            column.mutual_information = previous.get("mutual_information")
            column.conditional_mutual_information = previous.get("conditional_mutual_information")
            column.note = previous.get("note")
            return
        if column.type == TEXT:
            column.note = "free text: not estimated (derive numbers from it first)"
            return
        if column.distinct + (column.missing > 0) < 2:
            column.mutual_information = column.conditional_mutual_information = 0.0
            column.note = "constant"
            return
        if not self._time_left():
            column.note = BUDGET_NOTE
            return
        try:
            if column.type == NUMERIC:
                x = est.prepare(encode_numeric(series)[self.rows], name=column.name)
                column.mutual_information = est.mutual_information(x, self.y)
                column.conditional_mutual_information = (
                    est.conditional_mutual_information(x, self.y, self.z)
                    if self.z is not None
                    else column.mutual_information
                )
            else:
                # Level codes in the estimator's discrete slot (the module docstring says why).
                codes = encode_categorical(series)[self.rows]
                x = est.prepare(codes, discrete=True, name=column.name)
                column.mutual_information = est.conditional_mutual_information(self.y, x)
                column.conditional_mutual_information = (
                    est.conditional_mutual_information(self.y, x, self.z)
                    if self.z is not None
                    else column.mutual_information
                )
        except est.EstimationError as err:
            column.note = f"not estimated: {err}"


def _stack(variables):
    """Prepared variables side by side, without recomputing their coordinates."""
    import numpy as np

    from . import entropy as est

    if not variables:
        return None
    if len(variables) == 1:
        return variables[0]
    codes = None
    if all(v.all_discrete for v in variables):
        codes = est._combine_codes([v.codes for v in variables])
    return est.Variable(
        name="+".join(v.name for v in variables),
        values=np.hstack([v.values for v in variables]),
        coords=np.hstack([v.coords for v in variables]),
        discrete=np.concatenate([v.discrete for v in variables]),
        codes=codes,
    )


# ---------------------------------------------------------------- the answer


def rank_columns(columns: list[ColumnInfo]) -> list[ColumnInfo]:
    """Most information beyond the existing features first; unestimated columns last."""

    def key(c: ColumnInfo):
        cmi, mi = c.conditional_mutual_information, c.mutual_information
        return (cmi is None, -(cmi or 0.0), -(mi or 0.0), c.name)

    return sorted(columns, key=key)


def assemble(data, features: list[FeatureInfo], columns: list[ColumnInfo], estimates) -> dict:
    floor = estimates.floor
    ranked = rank_columns(columns)
    rank = {c.name: i + 1 for i, c in enumerate(ranked)}

    def informative(c: ColumnInfo) -> bool:
        cmi = c.conditional_mutual_information
        return cmi is not None and cmi >= floor

    # Columns few features read, with any evidence of information beyond the features
    # (an estimate clipped at 0 is none), most first. `informative` marks those above the
    # noise floor: a feature on them alone would likely clear the acceptance bar.
    unexplored = [
        {
            "name": c.name,
            "type": c.type,
            "feature_count": len(c.features),
            "mutual_information": _num(c.mutual_information),
            "conditional_mutual_information": _num(c.conditional_mutual_information),
            "missing_fraction": _num(c.missing / c.rows) if c.rows else 0.0,
            "informative": informative(c),
            "rank": rank[c.name],
        }
        for c in ranked
        if len(c.features) <= FEW_FEATURES
        and c.type != TEXT
        and not c.identifier
        and (c.conditional_mutual_information or 0.0) > 0.0
    ][:UNEXPLORED_LIMIT]
    project = data.project
    return {
        "version": DISCOVERY_VERSION,
        "project": {
            "name": project.name,
            "problem_type": project.problem_type,
            "contrib_path": project.contrib_module_path,
        },
        "target": data.target_name,
        "data": {
            "rows": int(len(data.X)),
            "columns": int(data.X.shape[1]),
            "estimation_rows": int(estimates.rows.size),
            "fingerprint": data.fingerprint,
        },
        "units": "nats",
        "noise_floor": _num(floor),
        "few_features": FEW_FEATURES,
        "features": [f.to_json() for f in features],
        "columns": [c.to_json(rank[c.name], informative(c)) for c in columns],
        "unexplored": unexplored,
        "failed": [{"path": f.path, "message": f.error} for f in features if f.error],
        "partial": bool(estimates.partial),
        "error": None,
    }
