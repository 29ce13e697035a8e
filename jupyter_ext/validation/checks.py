"""Feature API checks: Ballet's 15 (same names, same meaning) plus ours, with advice.

Ballet runs each check independently and fits the feature about ten times on the full
data. Our pipeline's `fit_transform` is by construction `fit` then `transform` (as
Ballet's robust pipeline effectively is), so checks that mean the same computation
share it: one full fit+transform (CanFit, CanTransform, CanTransformOneRow and the
time budget), a second independent one via fit_transform (CanFitTransform, output
dimensions, missing/infinite values, and the determinism comparison), a 90% fit for new
rows and a one-row fit. Same verdicts, a third of the work.

Checks run in the worker. Every failure carries a `message` (what happened, with the
line of the feature's code when known) and `advice` (what to do, for someone who is not
a software engineer). A check that cannot run because an earlier one failed is
reported as skipped.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ..core.feature import (
    Feature,
    FeatureLoadError,
    FeaturePipeline,
    load_feature_from_source,
    output_names,
)
from ..core.transformer import TransformerSpecError, as_float, desugar, missing_methods

RANDOM_STATE = 1754  # Ballet's, so CanTransformNewRowsCheck splits the same rows

BALLET_CHECKS = (
    "IsFeatureCheck",
    "HasCorrectInputTypeCheck",
    "HasTransformerInterfaceCheck",
    "CanMakeMapperCheck",
    "CanFitCheck",
    "CanFitOneRowCheck",
    "CanTransformCheck",
    "CanTransformNewRowsCheck",
    "CanTransformOneRowCheck",
    "CanFitTransformCheck",
    "HasCorrectOutputDimensionsCheck",
    "CanDeepcopyCheck",
    "CanPickleCheck",
    "NoMissingValuesCheck",
    "NoInfiniteValuesCheck",
)
OUR_CHECKS = (
    "IsSelfContainedCheck",
    "HasNumericOutputCheck",
    "IsDeterministicCheck",
    "WithinTimeBudgetCheck",
    "HasUniqueOutputNamesCheck",
)
# Report order: loading first, then Ballet's order with ours where they belong.
CHECK_ORDER = (
    "IsSelfContainedCheck",
    *BALLET_CHECKS[:14],
    "NoInfiniteValuesCheck",
    "HasNumericOutputCheck",
    "IsDeterministicCheck",
    "WithinTimeBudgetCheck",
    "HasUniqueOutputNamesCheck",
)


def _names_used_by(owner: str, used: list[str], shown: int = 3) -> str:
    """ "a, b (used by F)", or "a, b, c and 16 more (used by F)" for a wide one-hot."""
    listed = ", ".join(used[:shown])
    if len(used) > shown:
        listed += f" and {len(used) - shown} more"
    return f"{listed} (used by {owner})"


@dataclass
class CheckResult:
    name: str
    passed: bool
    message: str | None = None
    advice: str | None = None
    duration_ms: float = 0.0
    skipped: bool = False
    line: int | None = None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "passed": self.passed,
            "skipped": self.skipped,
            "message": self.message,
            "advice": self.advice,
            "line": self.line,
            "duration_ms": round(self.duration_ms, 2),
        }


@dataclass
class FeatureCheckReport:
    """What the checks found, plus what acceptance needs when they passed."""

    results: list[CheckResult]
    feature: Feature | None = None
    values: Any = None  # float64 (n, q) from the fit_transform run, when numeric
    names: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def feature_json(self) -> dict | None:
        f = self.feature
        if f is None:
            return None
        return {
            "name": f.name,
            "description": f.description,
            "input": f.input_columns(),
            "output": self.names,
            "author": f.author,
            "source": f.source,
        }


class _Stop(Exception):
    """Internal: a prerequisite failed, later dependent checks are skipped."""


class FeatureChecker:
    """Runs the checks for one feature module against the project's data.

    X, y: the entities frame and raw target (pandas) of the validation split.
    existing_outputs: output column names of the project's other features, by feature.
    fit_time_budget_s: the most one fit+transform on the data may take.
    """

    def __init__(
        self,
        X,
        y,
        *,
        existing_outputs: dict[str, list[str]] | None = None,
        fit_time_budget_s: float = 30.0,
    ):
        self.X = X
        self.y = y
        self.existing_outputs = existing_outputs or {}
        self.fit_time_budget_s = fit_time_budget_s

    # -- running ---------------------------------------------------------------------

    def run(
        self,
        source: str,
        *,
        filename: str = "<feature>",
        module_name: str | None = None,
        default_name: str | None = None,
    ) -> FeatureCheckReport:
        with _NotedWarnings(filename) as noted:
            report = self._run(
                source, filename=filename, module_name=module_name, default_name=default_name
            )
        hints = noted.hints()
        if hints:
            for result in report.results:
                if not result.passed and not result.skipped and result.name in _HINTED_CHECKS:
                    result.advice = " ".join([*hints, result.advice or ""]).strip()
        return report

    def _run(
        self,
        source: str,
        *,
        filename: str,
        module_name: str | None,
        default_name: str | None,
    ) -> FeatureCheckReport:
        self._filename = filename
        self._feature_for_advice = None
        results: dict[str, CheckResult] = {}
        state: dict[str, Any] = {}

        def record(name: str, fn: Callable[[], tuple[str | None, str | None] | None]):
            """Run one check; fn raises to fail, returns (message, advice) to fail softly."""
            start = time.perf_counter()
            try:
                outcome = fn()
            except MemoryError:
                raise
            except _Stop as stop:
                results[name] = CheckResult(name, False, str(stop), None, skipped=True)
                return False
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - a failed check
                msg, advice, line = self._explain(name, exc)
                results[name] = CheckResult(
                    name, False, msg, advice, (time.perf_counter() - start) * 1e3, line=line
                )
                return False
            duration = (time.perf_counter() - start) * 1e3
            if outcome is not None:
                msg, advice = outcome
                results[name] = CheckResult(name, False, msg, advice, duration)
                return False
            results[name] = CheckResult(name, True, duration_ms=duration)
            return True

        # 1. Run the module on its own.
        load_error: list[FeatureLoadError] = []

        def self_contained():
            try:
                state["loaded"] = load_feature_from_source(
                    source, module_name=module_name, filename=filename, default_name=default_name
                )
            except FeatureLoadError as err:
                if err.kind in ("no-feature", "many-features"):
                    load_error.append(err)
                    return None
                raise
            return None

        record("IsSelfContainedCheck", self_contained)

        def is_feature():
            if load_error:
                err = load_error[0]
                return err.message, _advice_for_collection(err)
            if "loaded" not in state:
                raise _Stop("not run: the module did not run on its own")
            assert isinstance(state["loaded"].feature, Feature)
            return None

        record("IsFeatureCheck", is_feature)
        feature: Feature | None = state["loaded"].feature if "loaded" in state else None
        self._feature_for_advice = feature

        def need(*names: str):
            for n in names:
                if not results.get(n) or not results[n].passed:
                    raise _Stop(f"not run: {n} did not pass")

        X, y = self.X, self.y

        def input_type():
            need("IsFeatureCheck")
            value = feature.input
            ok = isinstance(value, str) or (
                _is_iterable(value) and all(isinstance(v, str) for v in value)
            )
            if not ok:
                kind = type(value).__name__
                return (
                    f"`input` is a {kind}, not a column name or a list of column names.",
                    "Set `input` to the name of the column your feature uses, e.g. "
                    "input = 'Lot Area', or to a list of names, e.g. "
                    "input = ['1st Flr SF', '2nd Flr SF'].",
                )
            return None

        record("HasCorrectInputTypeCheck", input_type)

        def transformer_interface():
            need("IsFeatureCheck")
            steps = feature.transformer
            steps = steps if isinstance(steps, list) else [steps]
            problems = []
            hints = []
            for i, step in enumerate(steps):
                try:
                    obj = desugar(step)
                except TransformerSpecError as err:
                    problems.append(str(err))
                    hints.append(str(err))
                    continue
                missing = missing_methods(obj)
                if missing:
                    where = (
                        f"step {i + 1} ({type(step).__name__})"
                        if len(steps) > 1
                        else (f"the transformer ({type(step).__name__})")
                    )
                    problems.append(f"{where} has no {', '.join(missing)}")
            if problems:
                return (
                    "The transformer does not have the fit/transform interface: "
                    + "; ".join(problems)
                    + ".",
                    " ".join(hints)
                    + (" " if hints else "")
                    + "Use an object with fit, transform and fit_transform methods (any "
                    "scikit-learn transformer, or one from ballet.eng), a plain function "
                    "that takes the input and returns the feature values, a list of these, "
                    "or None to pass the input through.",
                )
            return None

        record("HasTransformerInterfaceCheck", transformer_interface)

        def make_mapper():
            need("IsFeatureCheck", "HasCorrectInputTypeCheck")
            state["p1"] = FeaturePipeline(feature)
            state["p2"] = feature.as_feature_engineering_pipeline()
            return None

        record("CanMakeMapperCheck", make_mapper)

        def can_fit():
            need("CanMakeMapperCheck")
            start = time.perf_counter()
            state["p1"].fit(X, y)
            state["fit_s"] = time.perf_counter() - start
            return None

        record("CanFitCheck", can_fit)

        def fit_one_row():
            need("CanMakeMapperCheck")
            feature.as_feature_engineering_pipeline().fit(X.iloc[0:1], _rows(y, 0, 1))
            return None

        record("CanFitOneRowCheck", fit_one_row)

        def can_transform():
            need("CanFitCheck")
            start = time.perf_counter()
            state["A"] = state["p1"].transform(X)
            state["fit_s"] += time.perf_counter() - start
            return None

        record("CanTransformCheck", can_transform)

        def new_rows():
            need("CanMakeMapperCheck")
            from sklearn.model_selection import train_test_split

            X1, X2, y1, _ = train_test_split(
                X, y, test_size=0.1, random_state=RANDOM_STATE, shuffle=True
            )
            feature.as_feature_engineering_pipeline().fit(X1, y1).transform(X2)
            return None

        record("CanTransformNewRowsCheck", new_rows)

        def one_row():
            need("CanFitCheck")
            state["p1"].transform(X.iloc[0:1])
            return None

        record("CanTransformOneRowCheck", one_row)

        def fit_transform():
            need("CanMakeMapperCheck")
            pipe = state["p2"]
            state["B"] = pipe.fit_transform(X, y)
            state["B_hint"] = pipe.columns_hint
            return None

        record("CanFitTransformCheck", fit_transform)

        def dimensions():
            need("CanFitTransformCheck")
            n, m = X.shape[0], state["B"].shape[0]
            if n != m:
                return (
                    f"Fitted and transformed on {n} rows, the feature produced {m} rows.",
                    "A feature must produce exactly one row of values per input row, in the "
                    "same order. Avoid dropping rows (dropna, filtering) or aggregating "
                    "(groupby().mean() without transform); fill missing values instead.",
                )
            return None

        record("HasCorrectOutputDimensionsCheck", dimensions)

        def deepcopy_check():
            need("IsFeatureCheck")
            copy.deepcopy(feature)
            return None

        record("CanDeepcopyCheck", deepcopy_check)

        def pickle_check():
            need("IsFeatureCheck")
            import dill

            buf = io.BytesIO()
            dill.dump(feature, buf, protocol=dill.HIGHEST_PROTOCOL)
            buf.seek(0)
            restored = dill.load(buf)
            if not isinstance(restored, Feature):
                return (
                    "The feature did not survive a pickle round trip.",
                    _ADVICE["CanPickleCheck"],
                )
            return None

        record("CanPickleCheck", pickle_check)

        def numeric():
            need("CanFitTransformCheck")
            values = as_float(state["B"])
            if values is None:
                sample = _non_numeric_sample(state["B"])
                return (
                    f"The feature produces values that are not numbers (e.g. {sample!r}).",
                    "Feature values must be numbers. Turn categories into numbers, e.g. "
                    "with OneHotEncoder() (one 0/1 column per category) or OrdinalEncoder() "
                    "as the last step of the transformer list, or map them yourself "
                    "(x.map({'Y': 1, 'N': 0})).",
                )
            state["values"] = values
            return None

        # Ballet checks NaN/inf on the fit_transform output; both need numbers.
        def no_missing():
            need("CanFitTransformCheck")
            values = as_float(state["B"])
            if values is None:
                raise _Stop("not run: the values are not numbers (see HasNumericOutputCheck)")
            import numpy as np

            bad_rows = int(np.isnan(values).any(axis=1).sum())
            if bad_rows:
                return (
                    f"The feature produces missing values (NaN) in {bad_rows} of "
                    f"{values.shape[0]} rows.",
                    _ADVICE["NoMissingValuesCheck"],
                )
            return None

        def no_infinite():
            need("CanFitTransformCheck")
            values = as_float(state["B"])
            if values is None:
                raise _Stop("not run: the values are not numbers (see HasNumericOutputCheck)")
            import numpy as np

            bad_rows = int(np.isinf(values).any(axis=1).sum())
            if bad_rows:
                return (
                    f"The feature produces infinite values in {bad_rows} of "
                    f"{values.shape[0]} rows.",
                    _ADVICE["NoInfiniteValuesCheck"],
                )
            return None

        record("NoMissingValuesCheck", no_missing)
        record("NoInfiniteValuesCheck", no_infinite)
        record("HasNumericOutputCheck", numeric)

        def deterministic():
            need("CanTransformCheck", "CanFitTransformCheck")
            import numpy as np

            a, b = state["A"], state["B"]
            fa, fb = as_float(a), as_float(b)
            same = a.shape == b.shape and (
                np.allclose(fa, fb, rtol=1e-9, atol=1e-12, equal_nan=True)
                if fa is not None and fb is not None
                else bool(np.all((a == b) | ((a != a) & (b != b))))
            )
            if not same:
                return (
                    "Two independent fits on the same data gave different feature values.",
                    _ADVICE["IsDeterministicCheck"],
                )
            return None

        record("IsDeterministicCheck", deterministic)

        def time_budget():
            need("CanTransformCheck")
            seconds = state["fit_s"]
            if seconds > self.fit_time_budget_s:
                return (
                    f"Fitting and transforming {X.shape[0]} rows took {seconds:.1f} s; "
                    f"the budget is {self.fit_time_budget_s:g} s.",
                    _ADVICE["WithinTimeBudgetCheck"],
                )
            return None

        record("WithinTimeBudgetCheck", time_budget)

        def unique_names():
            need("CanFitTransformCheck")
            q = state["B"].shape[1]
            names = output_names(feature, q, state.get("B_hint"))
            state["names"] = names
            problems = []
            out = feature.output
            if isinstance(out, (list, tuple)) and len(out) != q:
                problems.append(
                    f"`output` lists {len(out)} names but the feature produces {q} columns"
                )
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                problems.append("repeated output names: " + ", ".join(dupes))
            if problems:
                return (
                    "Output names are not unique: " + "; ".join(problems) + ".",
                    "If you set `output` to a list, give one distinct name per column (the "
                    "output column names come from `name`, or from `output` when given).",
                )
            # The same names as an existing feature's do not break anything (Ballet merged
            # such features, e.g. several "Adjusted Overall Quality"), but make the project's
            # feature matrix ambiguous: a note on a passing check, not a failure.
            taken = {}
            for other, other_names in self.existing_outputs.items():
                for n in other_names:
                    taken.setdefault(n, other)
            by_owner: dict[str, list[str]] = {}
            for n in names:
                if n in taken:
                    by_owner.setdefault(taken[n], []).append(n)
            if by_owner:
                clashes = [_names_used_by(owner, used) for owner, used in by_owner.items()]
                state["names_note"] = (
                    "Output names already used by existing features: " + "; ".join(clashes) + ".",
                    "Consider a name no existing feature uses, so the project's feature matrix "
                    "has one column per name (the output column names come from `name`, or "
                    "from `output` when given).",
                )
            return None

        if record("HasUniqueOutputNamesCheck", unique_names) and "names_note" in state:
            passed = results["HasUniqueOutputNamesCheck"]
            passed.message, passed.advice = state["names_note"]

        # A name the code uses but never defines (e.g. a notebook variable used inside a
        # function) only fails when the function runs: that too means "not self-contained".
        undefined = [r for r in results.values() if r.message and r.message.startswith("NameError")]
        if undefined and results["IsSelfContainedCheck"].passed:
            first = undefined[0]
            results["IsSelfContainedCheck"] = CheckResult(
                "IsSelfContainedCheck",
                False,
                first.message,
                first.advice,
                results["IsSelfContainedCheck"].duration_ms,
                line=first.line,
            )

        ordered = [results[name] for name in CHECK_ORDER if name in results]
        names = state.get("names")
        if names is None and "B" in state:
            names = output_names(feature, state["B"].shape[1], state.get("B_hint"))
        values = state.get("values")
        return FeatureCheckReport(
            results=ordered, feature=feature, values=values, names=names or []
        )

    # -- explaining failures -----------------------------------------------------------

    def _explain(self, name: str, exc: BaseException) -> tuple[str, str, int | None]:
        line = _feature_line(exc, self._filename)
        if isinstance(exc, FeatureLoadError):
            return exc.message, _advice_for_load(exc), exc.line
        if isinstance(exc, SystemExit):
            return (
                "The feature's code called exit() / sys.exit().",
                "Remove the exit() call: feature code must return values, not stop Python.",
                line,
            )
        msg = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if line is not None:
            msg += f" (line {line} of the feature's code)"
        advice = _ADVICE.get(name)
        if isinstance(exc, NameError):
            name_err = FeatureLoadError(
                "undefined-name", msg, name=getattr(exc, "name", None) or ""
            )
            return msg, _advice_for_load(name_err), line
        if name in _DATA_CHECKS:
            advice = self._missing_columns_advice() or self._error_advice(exc, line) or advice
        if isinstance(exc, TransformerSpecError):
            advice = f"{exc} {_ADVICE['HasTransformerInterfaceCheck']}"
        return msg, advice, line

    def _error_advice(self, exc: BaseException, line: int | None) -> str | None:
        """Advice for errors typical of feature code written for older pandas/sklearn."""
        text = str(exc)
        at = f" (line {line})" if line else ""
        if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
            feature = getattr(self, "_feature_for_advice", None)
            key = exc.args[0]
            inputs = feature.input_columns() if feature is not None else []
            if key in inputs and key in set(map(str, self.X.columns)):
                return (
                    f"'{key}' is one of the feature's input columns, but the code{at} no longer "
                    "had it: each step of the transformer list receives the previous step's "
                    "output, not the input columns (here probably a single column or Series). "
                    "Use the columns in the first step that needs them, or do the steps in "
                    "one function."
                )
        if isinstance(exc, TypeError) and re.search(
            r"between instances of '(str|int|float)' and '(str|int|float)'|"
            r"unsupported operand type\(s\).*'str'|can only concatenate str|"
            r"ufunc '\w+' not supported for the input types",
            text,
        ):
            return (
                f"Some values{at} are text where numbers are expected (or the reverse). This "
                "often comes from filling the missing values of a numeric column with text, "
                "e.g. NullFiller(replacement='None') on every input column: fill numeric "
                "columns with a number, or convert them with pd.to_numeric(x, errors='coerce')."
            )
        if isinstance(exc, ValueError) and "unknown categor" in text:
            return (
                "OneHotEncoder met a category in new rows that it had not seen when fitted. "
                "Use OneHotEncoder(handle_unknown='ignore') (an unseen category becomes all "
                "zeros). If the column is a number (an area, a year), one-hot encoding makes "
                "one column per distinct value: use the number itself, or bin it first."
            )
        return None

    def _missing_columns_advice(self) -> str | None:
        """When `input` names columns the data doesn't have, say which and suggest spellings."""
        feature = getattr(self, "_feature_for_advice", None)
        cols = [str(c) for c in self.X.columns]
        try:
            wanted = feature.input_columns() if feature is not None else []
        except Exception:  # noqa: BLE001
            wanted = []
        missing = [c for c in wanted if c not in set(cols)]
        if not missing:
            return None
        parts = []
        for c in missing:
            close = difflib.get_close_matches(c, cols, n=1, cutoff=0.6)
            parts.append(f"'{c}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return (
            "The data has no column "
            + ", ".join(parts)
            + ". Check the spelling and capitalisation in `input`: column names must match "
            "the data exactly, spaces included."
        )


class _NotedWarnings:
    """Notes the warnings that explain failures of legacy (pandas 1 / old sklearn) code.

    - pandas' ChainedAssignmentError: `df["a"][mask] = v` changed a temporary copy, so `df`
      kept its missing values (always the case under copy-on-write, pandas >= 3).
    - scikit-learn's InconsistentVersionWarning: an estimator unpickled from another version.
    Other warnings are passed on as usual. Only the first few of each kind are kept.
    """

    def __init__(self, filename: str):
        self.filename = filename
        self.chained: list[int | None] = []
        self.versions: list[str] = []

    def __enter__(self):
        import warnings

        self._context = warnings.catch_warnings()
        self._context.__enter__()
        self._show = warnings.showwarning
        warnings.showwarning = self._note
        for category in _legacy_warning_categories():
            warnings.simplefilter("always", category)
        return self

    def __exit__(self, *exc):
        self._context.__exit__(*exc)
        return False

    def _note(self, message, category, filename, lineno, file=None, line=None):
        name = category.__name__
        if name == "ChainedAssignmentError":
            if len(self.chained) < 5:
                self.chained.append(lineno if filename == self.filename else None)
            return
        if name == "InconsistentVersionWarning":
            if len(self.versions) < 5:
                self.versions.append(str(message))
            return
        self._show(message, category, filename, lineno, file, line)

    def hints(self) -> list[str]:
        out = []
        if self.chained:
            lines = sorted({n for n in self.chained if n is not None})
            where = (
                (" (line " + ", ".join(map(str, lines)) + " of the feature's code)")
                if lines
                else ""
            )
            out.append(
                f"The feature sets values through chained assignment{where}, e.g. "
                "df['a'][mask] = value: with the pandas used here (copy-on-write) that changes "
                "a temporary copy, never df, so those values are not set. Write "
                "df.loc[mask, 'a'] = value instead."
            )
        if self.versions:
            match = re.search(r"version (\S+) when using version (\S+?)\.?\s", self.versions[0])
            versions = (
                f" (saved with {match.group(1)}, used with {match.group(2)})" if match else ""
            )
            out.append(
                "The feature loads a pickled scikit-learn object made by another version"
                f"{versions}, which this version can't run. Build and fit the model in the "
                "feature's own code instead of unpickling a stored one."
            )
        return out


def _legacy_warning_categories() -> list[type]:
    categories = []
    try:
        from pandas.errors import ChainedAssignmentError

        categories.append(ChainedAssignmentError)
    except ImportError:  # pragma: no cover - older pandas
        pass
    try:
        from sklearn.exceptions import InconsistentVersionWarning

        categories.append(InconsistentVersionWarning)
    except ImportError:  # pragma: no cover - older scikit-learn
        pass
    return categories


_DATA_CHECKS = {
    "CanFitCheck",
    "CanFitOneRowCheck",
    "CanTransformCheck",
    "CanTransformNewRowsCheck",
    "CanTransformOneRowCheck",
    "CanFitTransformCheck",
}

# Checks whose failure a noted legacy warning can explain (they run the feature's code).
_HINTED_CHECKS = _DATA_CHECKS | {
    "HasCorrectOutputDimensionsCheck",
    "NoMissingValuesCheck",
    "NoInfiniteValuesCheck",
    "HasNumericOutputCheck",
    "IsDeterministicCheck",
}

_ADVICE = {
    "CanMakeMapperCheck": (
        "Building the feature's pipeline failed: check that `transformer` is an object "
        "with fit/transform, a function, or a list of these."
    ),
    "CanFitCheck": (
        "The feature fails when it is fitted on the project's data. Run your transformer "
        "on the training data in the notebook to see the full error."
    ),
    "CanFitOneRowCheck": (
        "The feature fails when fitted on a single row. Avoid steps that need many rows "
        "to fit (e.g. splitting into bins of equal size); prefer fixed rules, or handle "
        "small inputs."
    ),
    "CanTransformCheck": (
        "The feature fails when transforming the project's data after fitting. Run "
        "fit and then transform on the training data in the notebook to see the error."
    ),
    "CanTransformNewRowsCheck": (
        "The feature fails on rows it was not fitted on. New data can contain values "
        "not seen in training (e.g. a new category): use handle_unknown='ignore' in "
        "OneHotEncoder, and don't rely on the row index or row count of the training data."
    ),
    "CanTransformOneRowCheck": (
        "The feature fails when transforming a single row. Make the transform work on "
        "any number of rows, including one (e.g. avoid statistics of the input being "
        "transformed; learn them in fit)."
    ),
    "CanFitTransformCheck": (
        "The feature fails when fit_transform is called on the project's data."
    ),
    "CanDeepcopyCheck": (
        "copy.deepcopy(feature) fails. Avoid keeping open files, database connections, "
        "locks or generators inside the feature or its transformer."
    ),
    "CanPickleCheck": (
        "The feature can't be saved (pickled). Avoid keeping open files, connections or "
        "generators inside the transformer, and define helper functions at the top level "
        "of the cell."
    ),
    "HasTransformerInterfaceCheck": (
        "Use a scikit-learn transformer, one from ballet.eng, a function, a list of these, or None."
    ),
    "NoMissingValuesCheck": (
        "Some rows get no value (NaN), usually because an input column has missing "
        "values. Fill them as the last step of the transformer list, e.g. "
        "NullFiller(replacement=0) from ballet.eng, or SimpleImputer(strategy='median') "
        "from sklearn.impute (or ballet.eng.external)."
    ),
    "NoInfiniteValuesCheck": (
        "Some values are infinite, e.g. from dividing by zero or log(0). Guard the "
        "operation (np.log1p instead of np.log, add 1 to a denominator), or replace "
        "infinities as a last step: NullFiller(isnull=np.isinf, replacement=0)."
    ),
    "IsDeterministicCheck": (
        "The same data must always give the same feature values, or the project can't "
        "reproduce its results. Fix the random seed of anything random "
        "(random_state=0 in scikit-learn objects, np.random.default_rng(0)), and don't "
        "add random noise."
    ),
    "WithinTimeBudgetCheck": (
        "The feature is too slow to be fitted whenever the project is rebuilt. Replace "
        "row-by-row Python (df.apply(..., axis=1), loops over rows) with column "
        "operations (df['a'] * df['b'], np.where), and avoid heavy models inside features."
    ),
}


def _advice_for_load(err: FeatureLoadError) -> str:
    if err.kind == "syntax":
        where = f" on line {err.line}" if err.line else ""
        return f"Fix the Python syntax error{where}; the cell must run without errors."
    if err.kind == "undefined-name":
        name = f"`{err.name}`" if err.name else "a name"
        return (
            f"The feature uses {name}, which its own code never defines. In the notebook it "
            "probably comes from another cell that computed it (for example from the loaded "
            "data). A feature must stand on its own: define it in the feature's cell, or in "
            "a function or import that the cell uses."
        )
    if err.kind == "import":
        name = f"`{err.name}`" if err.name else "a module"
        return (
            f"{name} can't be imported where features are validated. Use libraries the "
            "project has (numpy, pandas, scikit-learn, ballet.eng), or ask the maintainers "
            "to add the library to the project."
        )
    return (
        "The feature's code raised an error when run on its own, outside the notebook. "
        "Restart the kernel and run only the feature's cell (and the cells it needs) to "
        "reproduce it."
    )


def _advice_for_collection(err: FeatureLoadError) -> str:
    if err.kind == "many-features":
        return "Keep one Feature(...) per cell; submit each feature separately."
    return (
        "Define the feature at the top level of the cell: `input = [...]`, "
        "`transformer = ...` and `name = '...'`, or one "
        "`feature = Feature(input=..., transformer=..., name=...)`."
    )


def _is_iterable(value) -> bool:
    if isinstance(value, (str, bytes)):
        return False
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _rows(obj, start, stop):
    return obj.iloc[start:stop] if hasattr(obj, "iloc") else obj[start:stop]


def _feature_line(exc: BaseException, filename: str) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _non_numeric_sample(values):
    for v in values.ravel()[:1000]:
        try:
            float(v)
        except (TypeError, ValueError):
            return v
    return values.ravel()[0] if values.size else None


# -- project structure (Ballet's rules for a contributed pull request) ------------------

FEATURE_MODULE_RE = re.compile(r"feature_[A-Za-z0-9_]+\.py")
SUBPACKAGE_RE = re.compile(r"user_[A-Za-z0-9_]+")

STRUCTURE_ADVICE = {
    "IsAdditionCheck": (
        "A contribution may only add new files. Changes to existing files (including "
        "other people's features) must go through the maintainers."
    ),
    "IsPythonSourceCheck": "Only Python files (.py) can be contributed.",
    "WithinContribCheck": "Put the feature module under {contrib}/user_<your login>/.",
    "SubpackageNameCheck": (
        "The folder inside {contrib} must be named user_<your login>, using only letters, "
        "digits and underscores."
    ),
    "RelativeNameDepthCheck": (
        "The feature file must sit directly in {contrib}/user_<login>/, not deeper."
    ),
    "ModuleNameCheck": (
        "Name the file feature_<name>.py (letters, digits, underscores), or __init__.py."
    ),
    "IfInitModuleThenIsEmptyCheck": "An __init__.py in a contribution must be empty.",
    "SingleFeatureCheck": "A pull request must add exactly one feature module.",
}


@dataclass
class FileChange:
    status: str  # git's letter: A, M, D, R, C, T
    path: str  # new path, relative to the project root (posix)


def check_project_structure(
    changes: list[FileChange],
    contrib_path: str,
    *,
    is_empty: Callable[[str], bool] | None = None,
) -> dict:
    """Ballet's project-structure rules for the files a pull request changes.

    Returns {"passed", "files": [{path, status, passed, checks: [...]}], "checks": [...],
    "feature_files": [...]}: per-file checks, plus the PR-level one-feature rule.
    """
    contrib = PurePosixPath(contrib_path)
    files = []
    feature_files = []
    for change in changes:
        path = PurePosixPath(change.path)
        results: list[dict] = []

        def add(name: str, ok: bool, message: str, results=results):
            results.append(
                CheckResult(
                    name,
                    ok,
                    None if ok else message,
                    None if ok else STRUCTURE_ADVICE[name].format(contrib=contrib_path),
                ).to_json()
            )

        add(
            "IsAdditionCheck",
            change.status == "A",
            f"{path} is not a new file ({_STATUS.get(change.status[:1], change.status)}).",
        )
        add("IsPythonSourceCheck", path.suffix == ".py", f"{path} is not a .py file.")
        inside = contrib in path.parents
        add("WithinContribCheck", inside, f"{path} is outside {contrib_path}.")
        rel = path.relative_to(contrib) if inside else None
        add(
            "SubpackageNameCheck",
            bool(rel and len(rel.parts) >= 2 and SUBPACKAGE_RE.fullmatch(rel.parts[0])),
            f"{path}: the folder under contrib is not user_<login>.",
        )
        add(
            "RelativeNameDepthCheck",
            bool(rel and len(rel.parts) == 2),
            f"{path} is not exactly one folder below {contrib_path}.",
        )
        is_init = path.name == "__init__.py"
        add(
            "ModuleNameCheck",
            bool(FEATURE_MODULE_RE.fullmatch(path.name) or is_init),
            f"{path.name} is not named feature_<name>.py.",
        )
        empty_ok = True
        if is_init and change.status != "D" and is_empty is not None:
            empty_ok = bool(is_empty(change.path))
        add("IfInitModuleThenIsEmptyCheck", empty_ok, f"{path} is not empty.")
        ok = all(r["passed"] for r in results)
        if ok and not is_init:
            feature_files.append(change.path)
        files.append(
            {"path": change.path, "status": change.status, "passed": ok, "checks": results}
        )

    n = len(feature_files)
    single = CheckResult(
        "SingleFeatureCheck",
        n == 1,
        None if n == 1 else f"The change adds {n} admissible feature modules.",
        None if n == 1 else STRUCTURE_ADVICE["SingleFeatureCheck"],
    ).to_json()
    return {
        "passed": all(f["passed"] for f in files) and n == 1,
        "files": files,
        "checks": [single],
        "feature_files": feature_files,
    }


_STATUS = {"M": "modified", "D": "deleted", "R": "renamed", "C": "copied", "T": "type changed"}
